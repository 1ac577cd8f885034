"""Reads of the monitoring app shared by pages, API, CLI and actions; no writes.

- alerts: an organisation's alerts with the filters of the list page, API and CLI, the
  kinds it has seen, an alert as plain data (``alert_payload``), people's names for
  accounts, the events behind an alert;
- sources and events: log sources, events per day, quarantined records, the event search,
  a person's access profile. The events are read from the store under DATA_DIR.

The store's readers (DuckDB, Ibis, pyarrow) are imported by the functions that read the
store: raising an alert (actions), the API and the `alerts` verb read only the database
and need not load them (half a second).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation

from clinicshield.accounts.models import Organisation, Person

from ..models import SEVERITY_RANK, Alert, LogSource, ServiceAccount
from ..words import kind_label, render

if TYPE_CHECKING:
    from ..core.detectors import DetectionContext
    from ..core.event_search import Query


def alerts_of(
    org: Organisation,
    *,
    statuses: Iterable[str] | None = None,
    kind: str = "",
    user: str = "",
    min_severity: str | None = None,
) -> QuerySet[Alert]:
    """The organisation's alerts, newest activity first; each filter left empty (or None)
    keeps every alert. ``min_severity``: that severity and above (an unknown one: all)."""
    alerts = Alert.objects.filter(organisation=org)
    if statuses is not None:
        alerts = alerts.filter(status__in=list(statuses))
    if kind:
        alerts = alerts.filter(kind=kind)
    if user:
        alerts = alerts.filter(user=user)
    if min_severity is not None:
        floor = SEVERITY_RANK.get(min_severity, 0)
        alerts = alerts.filter(
            severity__in=[s for s, rank in SEVERITY_RANK.items() if rank >= floor]
        )
    return alerts.order_by("-last_seen", "-pk")


def alert_kinds(org: Organisation) -> list[str]:
    """The kinds of the organisation's alerts, each once, in alphabetical order."""
    # order_by() first: the model's default ordering (-last_seen) would otherwise join the
    # SELECT DISTINCT and return a kind once per distinct time.
    kinds = Alert.objects.filter(organisation=org).order_by("kind").values_list("kind", flat=True)
    return list(kinds.distinct())


def overview(org: Organisation) -> dict[str, int]:
    """The landing page's figures: log sources, and alerts still open."""
    return {
        "sources": LogSource.objects.filter(organisation=org).count(),
        "open_alerts": Alert.objects.filter(organisation=org, status="open").count(),
    }


def people_names(org: Organisation, accounts: set[str]) -> dict[str, str]:
    """Account names to people's names, matched on the local part of the staff email
    ("ana" is ana@clinic.example). Accounts nobody matches keep their login name."""
    wanted = {a.lower() for a in accounts if a}
    if not wanted:
        return {}
    names: dict[str, str] = {}
    for name, email in Person.objects.filter(organisation=org).values_list("name", "email"):
        local = email.split("@", 1)[0].lower()
        if local in wanted:
            names.setdefault(local, name)
    return names


def alert_payload(
    alert: Alert, language: str = "en", names: dict[str, str] | None = None
) -> dict[str, Any]:
    """The alert as plain data (CLI JSON, webhook, API), explained in ``language``."""
    if names is None:
        names = people_names(alert.organisation, {alert.user})
    with translation.override(language):
        explanation = render(alert.code, alert.params, names)
        label = kind_label(alert.kind)
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "title": label,
        "severity": alert.severity,
        "status": alert.status,
        "user": alert.user,
        "src_ip": alert.src_ip,
        "host": alert.host,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "count": alert.count,
        "explanation": explanation,
    }


def is_service_account(org: Organisation, account: str) -> bool:
    return ServiceAccount.objects.filter(organisation=org, name=account.lower()).exists()


def log_sources(org: Organisation) -> QuerySet[LogSource]:
    return LogSource.objects.filter(organisation=org)


def _data_dir() -> Path:
    return Path(settings.DATA_DIR)


def events_behind(org: Organisation, alert: Alert) -> tuple[str, list[dict[str, Any]]]:
    """The kind of events an alert rests on and those events, read back from the store."""
    import ibis

    from ..core.detectors.evidence import alert_events

    return alert_events(
        ibis.duckdb.connect(),
        settings.DATA_DIR,
        org.slug,
        alert_kind=alert.kind,
        first_seen=alert.first_seen,
        last_seen=alert.last_seen,
        record_refs=[str(r) for r in alert.evidence.get("record_refs", [])],
        user=alert.user,
        src_ip=alert.src_ip,
    )


def access_profile(org: Organisation, account: str, ctx: DetectionContext) -> dict[str, Any]:
    """A person's sign-ins by weekday and hour, countries, networks, devices and hosts, on
    the clock and over the window of ``ctx``."""
    import ibis

    from ..core.detectors.events import event_table
    from ..core.detectors.profile import user_profile

    con = ibis.duckdb.connect()
    table = event_table(con, settings.DATA_DIR, org.slug, "auth")
    return user_profile(con, table, account.lower(), ctx)


def events_per_day(org: Organisation, today: date) -> list[dict[str, Any]]:
    """Stored events per day and source, up to ``today``."""
    from ..core import event_search

    return event_search.events_per_day(_data_dir(), org.slug, today=today)


def quarantined(org: Organisation, limit: int = 100) -> list[dict[str, Any]]:
    """The latest quarantined records, with their reason codes."""
    from ..core import quarantine

    return quarantine.read(_data_dir(), org.slug, limit=limit).to_pylist()


def quarantined_count(org: Organisation) -> int:
    from ..core import quarantine

    return quarantine.count(_data_dir(), org.slug)


def search_events(org: Organisation, query: Query) -> list[dict[str, Any]]:
    """The newest stored events matching ``query``."""
    from ..core import event_search

    return event_search.search(_data_dir(), org.slug, query)
