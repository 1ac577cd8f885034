"""Read-only figures of the monitoring app for the dashboard: plain dicts, grouped queries.

Owned by the dashboard (issue 6); it reads this app's models and never writes. The models are
looked up by name and their fields checked, so that this keeps working (as "not set up")
while the monitoring app's models are still being written or renamed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Count, Model, Q

from clinicshield.accounts.models import Organisation

SOURCE_MODELS = ("LogSource", "Source")
LAST_EVENT_FIELDS = ("last_event_at", "last_seen_at", "last_event_seen_at", "last_seen")
FIRST_SEEN_FIELDS = ("first_seen", "first_seen_at", "created_at", "opened_at")
CLOSED_STATUSES = ("resolved", "false_positive", "closed", "dismissed")
SEVERITIES = ("critical", "high", "medium", "low", "info")
# How long an alert may wait for someone before it costs points.
ALLOWANCE = {"critical": timedelta(hours=24), "high": timedelta(hours=24)}
DEFAULT_ALLOWANCE = timedelta(days=7)


def _model(*names: str) -> type[Model] | None:
    """The first of these monitoring models that exists and whose table has been migrated."""
    for name in names:
        try:
            model = apps.get_model("monitoring", name)
        except LookupError:
            continue
        # A model whose migration is not written or applied yet counts as absent.
        if model._meta.db_table in connection.introspection.table_names():
            return model
    return None


def _field(model: type[Model], candidates: tuple[str, ...]) -> str | None:
    names = {f.name for f in model._meta.get_fields()}
    return next((c for c in candidates if c in names), None)


def _sources(org: Organisation, now: datetime) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    model = _model(*SOURCE_MODELS)
    last_field = _field(model, LAST_EVENT_FIELDS) if model else None
    if model is None or last_field is None:
        return {"sources": 0, "reporting": 0}, {}
    recent = Q(**{f"{last_field}__gte": now - timedelta(hours=24)})
    queryset = model.objects.filter(organisation=org)  # type: ignore[attr-defined]
    total = queryset.aggregate(sources=Count("id"), reporting=Count("id", filter=recent))
    sites: dict[int, dict[str, int]] = {}
    if _field(model, ("site",)):
        for row in queryset.values("site_id").annotate(
            sources=Count("id"), reporting=Count("id", filter=recent)
        ):
            if row["site_id"] is not None:
                sites[row["site_id"]] = {"sources": row["sources"], "reporting": row["reporting"]}
    return total, sites


def _open_alerts(model: type[Model], org: Organisation) -> Any:
    queryset = model.objects.filter(organisation=org)  # type: ignore[attr-defined]
    names = {f.name for f in model._meta.get_fields()}
    if "status" in names:
        return queryset.exclude(status__in=CLOSED_STATUSES)
    if "resolved_at" in names:
        return queryset.filter(resolved_at__isnull=True)
    return queryset


def _alerts(org: Organisation, now: datetime) -> dict[str, Any]:
    model = _model("Alert")
    if model is None:
        return {"open_by_severity": {}, "open_alerts": 0, "stale_alerts": 0}
    open_alerts = _open_alerts(model, org)
    by_severity = {
        row["severity"]: row["n"] for row in open_alerts.values("severity").annotate(n=Count("id"))
    }
    first_field = _field(model, FIRST_SEEN_FIELDS)
    stale = 0
    if first_field:
        late = Q(**{f"{first_field}__lt": now - DEFAULT_ALLOWANCE})
        for severity, allowance in ALLOWANCE.items():
            late |= Q(severity=severity, **{f"{first_field}__lt": now - allowance})
        stale = open_alerts.filter(late).count()
    ordered = {s: by_severity[s] for s in SEVERITIES if s in by_severity}
    return {
        "open_by_severity": ordered,
        "open_alerts": sum(by_severity.values()),
        "stale_alerts": stale,
    }


def monitoring_posture(org: Organisation, now: datetime) -> dict[str, Any]:
    """Log sources and how many reported in the last 24 h (org and per site id, when sources
    have a site), open alerts by severity, and alerts left unresolved past their allowance."""
    total, sites = _sources(org, now)
    alerts = _alerts(org, now)
    return {
        "set_up": total["sources"] > 0,
        "org": {**total, **alerts},
        "sites": sites,
    }
