"""Scheduled scans: each network is scanned every `scan_every_days` days."""

from datetime import datetime

from clinicshield.lib.due import due_job

from .actions import do_start_scan
from .queries import networks_due


@due_job("exposure.scheduled_scans", minute="*/15")
def queue_scheduled_scans(now: datetime) -> str:
    """Queue a scan of every network whose last scan is older than its period."""
    queued = 0
    for network in networks_due(now):
        org, targets = network.organisation, [network.cidr]
        queued += len(do_start_scan(org, targets, network.ports, "schedule", requested_at=now))
    return f"queued {queued} scheduled scan(s)"
