"""Log source pages: each source's last event and counts, events per day, quarantined
records with the reason, and a search over the stored events."""

from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clinicshield.accounts.tenancy import current_org, org_view

from . import queries
from .core import event_search
from .words import (
    EVENT_KINDS,
    column_label,
    event_rows,
    not_a_date,
    position_label,
    quarantine_reason,
)


def _daily_bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events per day (all sources), with a width for a plain CSS bar."""
    per_day: dict[str, int] = defaultdict(int)
    for row in rows:
        per_day[row["day"]] += row["events"]
    top = max(per_day.values(), default=0) or 1
    return [
        {"day": day, "events": n, "width": max(1, round(100 * n / top))}
        for day, n in sorted(per_day.items())
    ]


@org_view("viewer")
def sources(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    rows = queries.events_per_day(org, timezone.now().date())
    bad = queries.quarantined(org, limit=100)
    for record in bad:
        record["sentence"] = quarantine_reason(record["reason"])
        record["position"] = position_label(record["record_ref"])
    context = {
        "section": "monitoring",
        "sources": queries.log_sources(org),
        "days": _daily_bars(rows),
        "quarantined": bad,
        "quarantined_total": queries.quarantined_count(org),
    }
    return render(request, "monitoring/sources.html", context)


@org_view("viewer")
def events(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    get = request.GET
    kind = get.get("kind", "auth")
    days, errors = _days(get)
    query = event_search.Query(
        kind=kind if kind in event_search.COLUMNS else "auth",
        user=get.get("user", "").strip(),
        ip=get.get("ip", "").strip(),
        host=get.get("host", "").strip(),
        text=get.get("q", "").strip(),
        source=get.get("source", "").strip(),
        since=days.get("since"),
        until=days.get("until"),
    )
    # A date that cannot be read would otherwise widen the search to every day: say so and
    # search nothing rather than show events the reader did not ask for.
    found = [] if errors else queries.search_events(org, query)
    columns = event_search.COLUMNS[query.kind]
    context = {
        "section": "monitoring",
        "query": query,
        "kinds": EVENT_KINDS,
        "headers": [column_label(c) for c in columns],
        "rows": event_rows(columns, found),
        "errors": errors,
        "searched": bool(request.GET),
    }
    return render(request, "monitoring/events.html", context, status=400 if errors else 200)


def _days(get: Any) -> tuple[dict[str, Any], list[str]]:
    """The search's first and last day, and a message for each one that is not a date."""
    days, errors = {}, []
    for name in ("since", "until"):
        text = get.get(name, "").strip()
        day = event_search.parse_day(text)
        if text and day is None:
            errors.append(not_a_date(text, name))
        days[name] = day
    return days, errors
