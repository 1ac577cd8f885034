"""Turning an alert into an incident with the matching playbook (readiness app)."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from clinicshield.readiness.actions import do_open_incident

from ..models import Alert
from ..queries import people_names
from ..words import kind_label, render

# Which incident playbook fits which kind of alert.
PLAYBOOKS = {
    "clickfix": "clickfix",
    "exfiltration": "data-breach",
    "off_hours": "suspicious-sign-in",
    "new_country": "suspicious-sign-in",
    "new_asn": "suspicious-sign-in",
    "new_device": "suspicious-sign-in",
    "impossible_travel": "suspicious-sign-in",
    "brute_force": "suspicious-sign-in",
    "password_spray": "suspicious-sign-in",
    "spray_success": "suspicious-sign-in",
    "service_account_interactive": "suspicious-sign-in",
}


@transaction.atomic
def do_escalate_alert(alert: Alert, actor: Any) -> Any:
    """Open (or find, if already open) the incident for this alert; returns the incident."""
    org = alert.organisation
    subject = alert.user or alert.src_ip or alert.host
    with translation.override(settings.LANGUAGE_CODE):
        details = render(alert.code, alert.params, people_names(org, {alert.user}))
        title = f"{kind_label(alert.kind)}: {subject}" if subject else kind_label(alert.kind)
    incident = do_open_incident(
        org,
        title=title,
        source="monitoring",
        source_ref=f"alert:{alert.pk}",
        playbook_key=PLAYBOOKS.get(alert.kind, ""),
        details=details,
        actor=actor,
    )
    alert.evidence = {**alert.evidence, "incident": incident.number}
    alert.save(update_fields=["evidence"])
    if alert.status == "open":
        alert.status = "acknowledged"
        alert.save(update_fields=["status"])
    return incident
