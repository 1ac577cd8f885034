"""The event search: stored sign-ins, processes or flows by person, address, host, text,
source and days."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicshield.accounts.tenancy import current_org, org_view

from .. import queries
from ..core import event_search
from ..words import EVENT_KINDS, column_label, event_rows, not_a_date


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
