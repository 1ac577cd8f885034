"""Scheduled scans: each network is scanned every `scan_every_days` days."""

from datetime import datetime
from functools import partial

from django.db import transaction

from clinicshield.lib.due import due_job

from .actions import do_start_scan
from .models import Scan
from .queries import networks_due


@due_job("exposure.scheduled_scans", minute="*/15")
def queue_scheduled_scans(now: datetime) -> str:
    """Queue a scan of every network whose last scan is older than its period."""
    from .tasks import run_scan

    queued = 0
    for network in networks_due(now):
        for scan in do_start_scan(network.organisation, [network.cidr], network.ports, "schedule"):
            # Requested for the moment `now`, so running the job again for it finds it done.
            Scan.objects.filter(pk=scan.pk).update(created_at=now)
            transaction.on_commit(partial(run_scan, scan.pk))
            queued += 1
    return f"queued {queued} scheduled scan(s)"
