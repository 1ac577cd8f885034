"""Raising alerts for new high-risk ports through the monitoring app, when it is there."""

import importlib
from typing import Any

from django.utils import timezone

from clinicshield.accounts.models import Organisation

from ..core.knowledge import lookup


def raise_new_port_alert(org: Organisation, finding: Any, zone: str) -> bool:
    """Returns False when the monitoring app offers no alert list (yet)."""
    try:
        monitoring_actions = importlib.import_module("clinicshield.monitoring.actions")
    except ImportError:
        return False
    raise_alert = getattr(monitoring_actions, "do_raise_alert", None)
    if raise_alert is None:
        return False
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
    raise_alert(
        org,
        kind="exposure.new_port",
        severity=finding.severity,
        key=f"{finding.address}:{finding.port}/{finding.proto}",
        explanation=explanation,
        ts=timezone.now(),
        host=finding.address,
        evidence={"scan": finding.scan_id, "port": finding.port, "service": finding.service},
    )
    return True
