"""Read-only figures of the readiness app for the dashboard: plain dicts.

Owned by the dashboard (issue 6); it reads this app's models and never writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max

from clinicshield.accounts.models import Organisation

from .models import CallTreeContact, Drill, Incident


def readiness_posture(org: Organisation, now: datetime) -> dict[str, Any]:
    """The last finished drill, the call tree's size, whether IT can be called, open incidents."""
    last_drill = Drill.objects.filter(organisation=org, status="finished").aggregate(
        last=Max("finished_at")
    )["last"]
    contacts = CallTreeContact.objects.filter(organisation=org)
    return {
        "set_up": True,
        "last_drill_at": last_drill,
        "days_since_last_drill": (now - last_drill).days if last_drill else None,
        "call_tree_contacts": contacts.count(),
        "has_it_contact": contacts.filter(kind="it_support").exists(),
        "open_incidents": Incident.objects.filter(organisation=org)
        .exclude(status="closed")
        .count(),
    }
