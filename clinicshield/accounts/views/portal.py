"""The staff portal's entry: a magic link, spent by a button press, never by a mail scanner."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from clinicshield.accounts.portal import current_person, person_view, start_portal_session
from clinicshield.lib.errors import UserError

from .. import actions


def enter(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/portal_enter.html", {})
    try:
        link = actions.do_use_magic_link(token, "portal")
    except UserError as error:
        return render(request, "accounts/link_error.html", {"error": error}, status=error.status)
    if link.person is None or not link.person.active:
        return redirect("portal:expired")
    start_portal_session(request, link.person)
    target = link.next_path
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("portal:home")


def expired(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/portal_expired.html", {})


# Apps that have portal pages name their landing view "index" in <app>/portal_urls.py.
PORTAL_APPS = ("training", "readiness", "simulations")


@person_view
def portal_home(request: HttpRequest) -> HttpResponse:
    tiles = []
    for app in PORTAL_APPS:
        try:
            tiles.append((app, reverse(f"{app}_portal:index")))
        except NoReverseMatch:
            continue
    context = {"person": current_person(request), "tiles": tiles}
    return render(request, "accounts/portal_home.html", context)
