"""Background jobs of the exposure app (Huey): thin, take ids, call actions."""

from huey.contrib.djhuey import db_task

from .actions import do_run_scan
from .models import Scan


@db_task()
def run_scan(scan_id: int) -> None:
    scan = Scan.objects.filter(pk=scan_id, status="queued").first()
    if scan is not None:  # a scan already run (or deleted) is not run twice
        do_run_scan(scan)
