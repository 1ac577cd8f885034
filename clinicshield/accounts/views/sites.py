"""An organisation's sites, and each site's page: its sensors' health and their tokens
(create, rotate, revoke).

The site page is mounted at /o/<org_slug>/people/sites/<site_id>/. Sensor tokens are
credentials: only IT and owners see it, and a site of another organisation is a 404 like
any other."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from clinicshield.accounts.tenancy import current_membership, current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.posted import posted_id

from .. import actions, queries
from ..core.hours import format_opening_hours, parse_opening_hours
from ..core.roles import role_at_least
from ..forms import SiteForm, SiteTokenForm
from ..models import Site, SiteToken


@org_view("viewer")
def sites(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    role = current_membership(request).role
    form = SiteForm(request.POST or None)
    if request.method == "POST":
        if not role_at_least(role, "manager"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                hours = parse_opening_hours(form.cleaned_data["opening_hours"])
                actions.do_create_site(
                    org,
                    form.cleaned_data["name"],
                    request.user,
                    timezone=form.cleaned_data["timezone"],
                    address=form.cleaned_data["address"],
                    opening_hours=hours,
                )
            except (UserError, ValueError) as error:
                form.add_error(None, str(getattr(error, "message", error)))
            else:
                return redirect("people:sites", org_slug=org_slug)
    rows = [(site, format_opening_hours(site.opening_hours)) for site in org.sites.all()]
    may_manage_sensors = role_at_least(role, "it")
    context = {"form": form, "sites": rows, "may_manage_sensors": may_manage_sensors}
    return render(request, "accounts/sites.html", context)


def _sensors(site: Site) -> list[dict[str, Any]]:
    rows = []
    for name, report in sorted((site.sensor_health or {}).items()):
        rows.append({"name": name, **report})
    return rows


def _change_tokens(
    request: HttpRequest, live: QuerySet[SiteToken], site: Site, form: SiteTokenForm
) -> str | None:
    """Carry out the POSTed change; return a new token (shown once) if one was made."""
    if "revoke" in request.POST:
        actions.do_revoke_site_token(
            get_object_or_404(live, pk=posted_id(request, "revoke")), request.user
        )
        return None
    if "rotate" in request.POST:
        token = get_object_or_404(live, pk=posted_id(request, "rotate"))
        return actions.do_rotate_site_token(token, request.user)
    if form.is_valid():
        return actions.do_create_site_token(site, form.cleaned_data["name"], request.user)
    return None


@org_view("it")
def site_sensors(request: HttpRequest, org_slug: str, site_id: int) -> HttpResponse:
    org = current_org(request)
    site = get_object_or_404(Site, pk=site_id, organisation=org)
    form = SiteTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST":
        new_token = _change_tokens(request, queries.live_site_tokens(org, site), site, form)
        if new_token:
            form = SiteTokenForm()
    context = {
        "site": site,
        "tokens": queries.live_site_tokens(org, site),
        "sensors": _sensors(site),
        "form": form,
        "new": new_token,
    }
    return render(request, "accounts/site_sensors.html", context)
