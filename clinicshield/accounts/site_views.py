"""A site's page: its sensors' health and their tokens (create, rotate, revoke).

Mounted at /o/<org_slug>/people/sites/<site_id>/. Sensor tokens are credentials: only IT
and owners see this page, and a site of another organisation is a 404 like any other."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.tenancy import current_org, org_view

from . import actions
from .models import Site, SiteToken


class SiteTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which sensor it is for, e.g. 'reception PC' or 'server room'."),
    )


def _sensors(site: Site) -> list[dict[str, Any]]:
    rows = []
    for name, report in sorted((site.sensor_health or {}).items()):
        rows.append({"name": name, **report})
    return rows


def _change_tokens(request: HttpRequest, site: Site, form: SiteTokenForm) -> str | None:
    """Carry out the POSTed change; return a new token (shown once) if one was made."""
    live = SiteToken.objects.filter(site=site, revoked_at__isnull=True)
    if "revoke" in request.POST:
        actions.do_revoke_site_token(
            get_object_or_404(live, pk=request.POST["revoke"]), request.user
        )
        return None
    if "rotate" in request.POST:
        token = get_object_or_404(live, pk=request.POST["rotate"])
        return actions.do_rotate_site_token(token, request.user)
    if form.is_valid():
        return actions.do_create_site_token(site, form.cleaned_data["name"], request.user)
    return None


@org_view("it")
def site_sensors(request: HttpRequest, org_slug: str, site_id: int) -> HttpResponse:
    site = get_object_or_404(Site, pk=site_id, organisation=current_org(request))
    form = SiteTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST":
        new_token = _change_tokens(request, site, form)
        if new_token:
            form = SiteTokenForm()
    tokens = SiteToken.objects.filter(site=site, revoked_at__isnull=True)
    context = {
        "site": site,
        "tokens": tokens,
        "sensors": _sensors(site),
        "form": form,
        "new": new_token,
    }
    return render(request, "accounts/site_sensors.html", context)
