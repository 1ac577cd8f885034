"""Raising alerts for new high-risk ports through the monitoring app."""

from typing import Any

from django.utils import timezone

from clinicshield.accounts.models import Organisation
from clinicshield.monitoring.actions import do_raise_alert

from ..core.knowledge import lookup


def raise_new_port_alert(org: Organisation, finding: Any, zone: str) -> Any:
    """The alert raised (or grown), or None when a suppression covers it."""
    entry = lookup(finding.port, finding.proto)
    # The service's name in every language the knowledge base has: the sentence is said in
    # the reader's language when it is shown, not in the scan's.
    service = dict(entry.name) if entry else {"en": finding.service}
    explanation = {
        "code": "exposure.new_port",
        "params": {
            "port": finding.port,
            "proto": finding.proto,
            "service": service,
            "address": finding.address,
            "zone": zone,
        },
    }
    return do_raise_alert(
        org,
        kind="exposure.new_port",
        severity=finding.severity,
        key=f"{finding.address}:{finding.port}/{finding.proto}",
        explanation=explanation,
        ts=timezone.now(),
        host=finding.address,
        evidence={"scan": finding.scan_id, "port": finding.port, "service": finding.service},
    )
