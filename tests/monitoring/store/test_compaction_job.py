"""The nightly compaction job: every organisation's closed days, audited, idempotent."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from clinicshield.accounts.models import AuditEntry, Organisation
from clinicshield.monitoring.due import compact_event_store
from tests.monitoring.store.helpers import day_dir, fill

# Two days later than 2025-03-05 is 2025-03-07: only 2025-03-01 is closed at this moment.
NOW = datetime(2025, 3, 6, 2, 30, tzinfo=UTC)


def test_the_nightly_job_compacts_closed_days_once_and_audits(
    org_a: Organisation, org_b: Organisation
) -> None:
    data = Path(settings.DATA_DIR)
    fill(data, "clinic-a")
    files = len(list(day_dir(data, "2025-03-01", "clinic-a").glob("*.parquet")))

    summary = compact_event_store(NOW)

    assert summary == f"clinic-a: {files} files into 1"
    assert len(list(day_dir(data, "2025-03-01", "clinic-a").glob("*.parquet"))) == 1
    assert len(list(day_dir(data, "2025-03-05", "clinic-a").glob("*.parquet"))) > 1
    entry = AuditEntry.objects.get(action="events.compact")
    assert (entry.organisation, entry.details["before"]) == (org_a, "2025-03-04")
    assert compact_event_store(NOW) == "nothing to compact"
