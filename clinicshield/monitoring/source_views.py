"""Log source pages: each source's last event and counts, events per day, quarantined
records with the reason, and a search over the stored events."""

from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clinicshield.accounts.tenancy import current_org, org_view

from .core import event_search, quarantine
from .models import LogSource
from .views_words import column_label, event_rows, position_label

REASONS = {
    "not_syslog": gettext_lazy(
        "The line does not start with a syslog header (RFC 3164 or RFC 5424)."
    ),
    "not_json": gettext_lazy("The record is not valid JSON."),
    "bad_timestamp": gettext_lazy("The timestamp is missing or cannot be read."),
    "impossible_timestamp": gettext_lazy("The timestamp is before 1990 or in the future."),
    "missing_field": gettext_lazy("A field the format requires is missing."),
    "bad_csv_row": gettext_lazy("The CSV row does not have the columns of the header."),
    "bad_evtx_record": gettext_lazy("The .evtx record could not be decoded."),
}


def _data_dir() -> Path:
    return Path(settings.DATA_DIR)


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
    rows = event_search.events_per_day(_data_dir(), org.slug, today=timezone.now().date())
    bad = quarantine.read(_data_dir(), org.slug, limit=100).to_pylist()
    for record in bad:
        record["sentence"] = REASONS.get(record["reason"], record["reason"])
        record["position"] = position_label(record["record_ref"])
    context = {
        "section": "monitoring",
        "sources": LogSource.objects.filter(organisation=org),
        "days": _daily_bars(rows),
        "quarantined": bad,
        "quarantined_total": quarantine.count(_data_dir(), org.slug),
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
    found = [] if errors else event_search.search(_data_dir(), org.slug, query)
    columns = event_search.COLUMNS[query.kind]
    context = {
        "section": "monitoring",
        "query": query,
        "kinds": [("auth", _("Sign-ins")), ("process", _("Processes")), ("flow", _("Flows"))],
        "headers": [column_label(c) for c in columns],
        "rows": event_rows(columns, found),
        "errors": errors,
        "searched": bool(request.GET),
    }
    return render(request, "monitoring/events.html", context, status=400 if errors else 200)


# A context: other apps' "From" (an email's sender, "De") would win in the merged catalogue.
DAY_FIELDS = {
    "since": pgettext_lazy("date range", "From"),
    "until": pgettext_lazy("date range", "To"),
}


def _days(get: Any) -> tuple[dict[str, Any], list[str]]:
    """The search's first and last day, and a message for each one that is not a date."""
    days, errors = {}, []
    for name, label in DAY_FIELDS.items():
        text = get.get(name, "").strip()
        day = event_search.parse_day(text)
        if text and day is None:
            errors.append(
                _("“%(value)s” in “%(field)s” is not a date; write it as YYYY-MM-DD.")
                % {"value": text, "field": label}
            )
        days[name] = day
    return days, errors
