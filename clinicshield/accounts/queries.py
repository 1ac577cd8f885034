"""Reads of the accounts app, shared by its pages, API, CLI, due jobs and other apps' reads;
nothing here writes.

- people: the staff roster (pages, API) and its CSV (page, CLI);
- sensors: live site tokens (site page, CLI) and sites whose sensor fell silent (dashboard);
- sign-in: lock-outs and second factors (login pages);
- directories: those due for a sync (due job);
- who is told: the owners' and IT members' addresses (alert and incident emails).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .core.roster import roster_csv
from .models import (
    DirectorySource,
    LoginFailure,
    Membership,
    Organisation,
    Person,
    SignInAddress,
    Site,
    SiteToken,
)


def people(org: Organisation, *, active: bool | None = None, search: str = "") -> QuerySet[Person]:
    """The organisation's staff by name, with their site; `search` matches name or email."""
    found = Person.objects.filter(organisation=org).select_related("site").order_by("name")
    if active is not None:
        found = found.filter(active=active)
    if search:
        found = found.filter(name__icontains=search) | found.filter(email__icontains=search)
    return found


def export_staff_csv(org: Organisation) -> str:
    """The active staff as CSV, in the columns `import-staff` reads."""
    active = org.people.filter(active=True).select_related("site").order_by("email")
    return roster_csv(
        (p.name, p.email, p.department, p.site.name if p.site else "", p.language) for p in active
    )


def live_site_tokens(org: Organisation, site: Site | None = None) -> QuerySet[SiteToken]:
    """The organisation's site tokens not revoked (of one site if given), with their site."""
    tokens = SiteToken.objects.filter(organisation=org, revoked_at__isnull=True)
    if site is not None:
        tokens = tokens.filter(site=site)
    return tokens.select_related("site")


@dataclass(frozen=True)
class SilentSite:
    site: Site
    last_seen: datetime | None  # None: never heard from


def silent_sensor_sites(org: Organisation, now: datetime) -> list[SilentSite]:
    """Sites with a live sensor token whose sensor has not spoken for SENSOR_SILENT_MINUTES
    (or never did, once its oldest live token is that old)."""
    cutoff = now - timedelta(minutes=settings.SENSOR_SILENT_MINUTES)
    live = SiteToken.objects.filter(organisation=org, revoked_at__isnull=True)
    site_ids = set(live.values_list("site_id", flat=True))
    oldest = {t.site_id: t.created_at for t in live.order_by("-created_at")}
    silent = []
    for site in Site.objects.filter(pk__in=site_ids).order_by("name"):
        if site.sensor_last_seen is None:
            if oldest[site.pk] <= cutoff:
                silent.append(SilentSite(site, None))
        elif site.sensor_last_seen <= cutoff:
            silent.append(SilentSite(site, site.sensor_last_seen))
    return silent


def is_locked_out(username: str, address: str | None) -> bool:
    """Whether `address` (core.signin.throttle_address) may not try `username` for now: it
    failed LOGIN_FAILURE_LIMIT times within LOGIN_LOCKOUT_MINUTES. Other addresses still may,
    so a stranger's guesses never lock the owner out."""
    recent = _recent_failures(username).filter(ip=address)
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT


def is_account_ceiling_reached(username: str, address: str | None) -> bool:
    """Whether `username` may not be tried from `address` for now: the account failed
    LOGIN_ACCOUNT_FAILURE_LIMIT times within LOGIN_LOCKOUT_MINUTES, from every address
    together, and it never signed in from this one. Guesses shared out over many addresses,
    a few each, stop there; the account's own places still sign in."""
    if _recent_failures(username).count() < settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return False
    known = SignInAddress.objects.filter(username=username.lower(), address=address)
    return address is None or not known.exists()


def _recent_failures(username: str) -> QuerySet[LoginFailure]:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return LoginFailure.objects.filter(username=username.lower(), at__gte=since)


def has_mfa(user: Any) -> bool:
    """Whether the user has a confirmed authenticator app (their second factor)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def directories_due(now: datetime) -> list[DirectorySource]:
    """Enabled directories never synced, or last synced `sync_every_minutes` ago or more."""
    candidates = DirectorySource.objects.filter(enabled=True).filter(
        Q(last_sync_at__isnull=True) | Q(last_sync_at__lte=now)
    )
    return [
        source
        for source in candidates.select_related("organisation").order_by("pk")
        if source.last_sync_at is None
        or now - source.last_sync_at >= timedelta(minutes=source.sync_every_minutes)
    ]


def owner_and_it_emails(org: Organisation) -> list[str]:
    """The addresses of the organisation's owners and IT members, sorted, each once."""
    members = Membership.objects.filter(organisation=org, role__in=["owner", "it"])
    return sorted({m.user.email for m in members.select_related("user") if m.user.email})
