"""Background jobs of the exposure app (Huey): thin, take ids, call actions."""

from huey.contrib.djhuey import db_task

from .actions import do_run_scan
from .models import Scan


@db_task()
def run_scan(scan_id: int) -> None:
    # A scan already run (or deleted) is not run twice; a site sensor's scan is not ours.
    scan = Scan.objects.filter(pk=scan_id, status="queued", runner="worker").first()
    if scan is not None:
        do_run_scan(scan)
