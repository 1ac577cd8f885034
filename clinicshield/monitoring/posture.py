"""Read-only figures of the monitoring app for the dashboard: plain dicts, grouped queries.

Owned by the dashboard (issue 6); it reads this app's models and never writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q

from clinicshield.accounts.models import Organisation

from .models import ACTIVE_STATUSES, SEVERITY_CHOICES, Alert, LogSource

# How long an alert may wait for someone before it costs points.
ALLOWANCE = {"critical": timedelta(hours=24), "high": timedelta(hours=24)}
DEFAULT_ALLOWANCE = timedelta(days=7)
SEVERITIES = [code for code, _label in reversed(SEVERITY_CHOICES)]  # critical first
REPORTING_WINDOW = timedelta(hours=24)


def _alerts(org: Organisation, now: datetime) -> dict[str, Any]:
    active = Alert.objects.filter(organisation=org, status__in=ACTIVE_STATUSES)
    counts = dict(active.values("severity").annotate(n=Count("id")).values_list("severity", "n"))
    late = Q(first_seen__lt=now - DEFAULT_ALLOWANCE)
    for severity, allowance in ALLOWANCE.items():
        late |= Q(severity=severity, first_seen__lt=now - allowance)
    return {
        "open_by_severity": {s: counts[s] for s in SEVERITIES if s in counts},
        "open_alerts": sum(counts.values()),
        "stale_alerts": active.filter(late).count(),
    }


def monitoring_posture(org: Organisation, now: datetime) -> dict[str, Any]:
    """Log sources and how many had an event in the last 24 h, open (open or acknowledged)
    alerts by severity, and those left unresolved past their allowance (24 h for high and
    critical, 7 days for the rest). Log sources have no site: the figures are the
    organisation's, and every site shares them."""
    sources = LogSource.objects.filter(organisation=org).aggregate(
        sources=Count("id"),
        reporting=Count("id", filter=Q(last_event_at__gte=now - REPORTING_WINDOW)),
    )
    return {
        "set_up": sources["sources"] > 0,
        "org": {**sources, **_alerts(org, now)},
        "sites": {},
    }
