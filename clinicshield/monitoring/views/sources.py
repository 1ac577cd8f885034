"""The log sources page: each source's last event and counts, events per day, quarantined
records with the reason."""

from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clinicshield.accounts.tenancy import current_org, org_view

from .. import queries
from ..words import position_label, quarantine_reason


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
