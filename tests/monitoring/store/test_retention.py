"""Retention: whole days older than an organisation's setting removed, with its quarantined
records, by the nightly job and the CLI; audited; nothing removed when it keeps everything."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from django.conf import settings

from clinicshield.accounts.models import AuditEntry, Organisation
from clinicshield.monitoring.core import store
from clinicshield.monitoring.core.store_layout import BatchName, quarantine_root
from clinicshield.monitoring.core.store_retention import remove_before
from clinicshield.monitoring.due import expire_old_events
from tests.cli import clinicshield
from tests.monitoring.store.helpers import ORG, day_dir, fill

# Retention of 90 days at this moment keeps 2025-03-03 and later.
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def _quarantine(data: Path, received: datetime, start: int, org: str = ORG) -> Path:
    table = pa.table(
        {
            "received": pa.array([received], store.QUARANTINE_SCHEMA.field("received").type),
            "source": ["syslog"],
            "source_file": ["/var/log/auth.log"],
            "record_ref": ["line 1"],
            "reason": ["not_syslog"],
            "raw": ["garbage"],
        }
    )
    batch = BatchName("0123456789abcdef", start, start + 1)
    store.append_quarantine(data, org, table, batch)
    return quarantine_root(data, org) / f"{batch.stem()}.parquet"


def test_it_removes_whole_days_and_quarantine_before_the_cut(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data)
    old = _quarantine(data, datetime(2025, 3, 1, 8, tzinfo=UTC), 0)
    recent = _quarantine(data, datetime(2025, 3, 4, 8, tzinfo=UTC), 1)

    result = remove_before(data, ORG, date(2025, 3, 3))

    assert result.days == ["auth/2025-03-01"]
    assert result.quarantine_files == 1
    assert not day_dir(data, "2025-03-01").exists()
    assert any(day_dir(data, "2025-03-05").glob("*.parquet"))
    assert (old.exists(), recent.exists()) == (False, True)
    assert not list(day_dir(data, "x").parent.glob(".day=*"))


def _corrupt(data: Path, start: int) -> Path:
    """A real quarantine file cut short, as a disk that filled up mid-write leaves it."""
    path = _quarantine(data, datetime(2025, 3, 1, 8, tzinfo=UTC), start)
    path.write_bytes(path.read_bytes()[:-20])
    return path


def test_an_unreadable_quarantine_file_is_kept_named_and_the_rest_done(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fill(data)
    first = _quarantine(data, datetime(2025, 3, 1, 8, tzinfo=UTC), 0)
    truncated = _corrupt(data, 1)
    garbage = quarantine_root(data, ORG) / "zz-not-parquet.parquet"
    garbage.write_bytes(b"not a parquet file at all")
    last = _quarantine(data, datetime(2025, 3, 1, 9, tzinfo=UTC), 2)

    result = remove_before(data, ORG, date(2025, 3, 3))

    assert result.days == ["auth/2025-03-01"]
    assert result.quarantine_files == 2
    assert (first.exists(), last.exists()) == (False, False)
    assert (truncated.exists(), garbage.exists()) == (True, True)  # never deleted unread
    assert [line.split(": ", 1)[0] for line in result.quarantine_skipped] == [
        str(truncated),
        str(garbage),
    ]
    assert all("Parquet magic bytes not found" in line for line in result.quarantine_skipped)


@pytest.fixture
def stores(org_a: Organisation, org_b: Organisation) -> Path:
    data = Path(settings.DATA_DIR)
    fill(data, "clinic-a")
    fill(data, "clinic-b")
    org_a.events_retention_days = 90
    org_a.save(update_fields=["events_retention_days"])
    return data


def test_the_nightly_job_keeps_each_organisations_days_and_audits(
    stores: Path, org_a: Organisation
) -> None:
    summary = expire_old_events(NOW)

    assert summary == "clinic-a: 1 days removed"
    assert not day_dir(stores, "2025-03-01", "clinic-a").exists()
    assert day_dir(stores, "2025-03-05", "clinic-a").exists()
    assert day_dir(stores, "2025-03-01", "clinic-b").exists()  # keeps everything
    entry = AuditEntry.objects.get(action="events.expire")
    assert entry.organisation == org_a
    assert entry.details["days"] == ["auth/2025-03-01"]
    assert entry.details["before"] == "2025-03-03"
    assert expire_old_events(NOW) == "nothing past retention"


def test_the_nightly_job_says_it_kept_an_unreadable_quarantine_file(stores: Path) -> None:
    truncated = _corrupt(stores, 0)

    summary = expire_old_events(NOW)

    assert summary == "clinic-a: 1 days removed, 1 unreadable quarantine files kept"
    assert truncated.exists()


def test_alice_sets_the_retention_on_the_settings_page(
    client_alice: Any, org_a: Organisation
) -> None:
    page = client_alice.get("/o/clinic-a/people/settings/").content.decode()
    assert 'name="events_retention_days"' in page
    form = {"name": "A", "timezone": "Europe/Madrid", "training_refresh_months": "6"}

    response = client_alice.post(
        "/o/clinic-a/people/settings/", {**form, "events_retention_days": "365"}
    )

    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.events_retention_days == 365
    entry = AuditEntry.objects.get(action="organisation.events_retention")
    assert (entry.details["old"], entry.details["new"]) == (None, 365)
    for days in ("30", "100000000000000000000"):  # too short; past a century (was a 500)
        refused = client_alice.post(
            "/o/clinic-a/people/settings/", {**form, "events_retention_days": days}
        )
        assert refused.status_code == 200
        assert 'name="events_retention_days"' in refused.content.decode()
        org_a.refresh_from_db()
        assert org_a.events_retention_days == 365


def test_charlie_gets_404_on_alices_settings(client_charlie: Any, org_a: Organisation) -> None:
    assert client_charlie.get("/o/clinic-a/people/settings/").status_code == 404
    response = client_charlie.post(
        "/o/clinic-a/people/settings/",
        {
            "name": "A",
            "timezone": "UTC",
            "training_refresh_months": "6",
            "events_retention_days": "90",
        },
    )
    assert response.status_code == 404
    org_a.refresh_from_db()
    assert org_a.events_retention_days is None


def test_the_cli_shows_sets_and_applies_the_retention(tmp_path: Path) -> None:
    data = tmp_path / "cli-data"
    data.mkdir()
    assert clinicshield(data, "createorg", "--name", "A", "--slug", ORG).code == 0
    fill(data)
    now = ["--now", NOW.isoformat(), "--format", "json"]

    shown = clinicshield(data, "store", "retention", "--org", ORG, *now)
    short = clinicshield(data, "store", "retention", "--org", ORG, "--days", "10", *now)
    long = clinicshield(data, "store", "retention", "--org", ORG, "--days", "40000", *now)
    chosen = clinicshield(data, "store", "retention", "--org", ORG, "--days", "90", *now)
    expired = clinicshield(data, "store", "expire", "--org", ORG, *now)

    assert '"keeps_from": "everything"' in shown.out
    assert short.code == 2
    assert "90 days at least" in short.err
    assert long.code == 2
    assert "more than a century (36500 days)" in long.err
    assert '"keeps_from": "2025-03-03"' in chosen.out
    assert expired.code == 0
    assert '"auth/2025-03-01"' in expired.out
    assert not day_dir(data, "2025-03-01").exists()


def test_the_cli_keeps_everything_again_and_then_expires_nothing(tmp_path: Path) -> None:
    data = tmp_path / "cli-data"
    data.mkdir()
    assert clinicshield(data, "createorg", "--name", "A", "--slug", ORG).code == 0
    fill(data)
    now = ["--now", NOW.isoformat(), "--format", "json"]
    assert clinicshield(data, "store", "retention", "--org", ORG, "--days", "90", *now).code == 0

    kept = clinicshield(data, "store", "retention", "--org", ORG, "--keep-everything", *now)
    expired = clinicshield(data, "store", "expire", "--org", ORG, *now)

    assert '"events_retention_days": null' in kept.out
    assert '"keeps_from": "everything"' in kept.out
    assert expired.code == 0
    assert '"days_removed": []' in expired.out
    assert day_dir(data, "2025-03-01").exists()


def test_the_cli_expire_names_an_unreadable_quarantine_file_and_keeps_it(tmp_path: Path) -> None:
    data = tmp_path / "cli-data"
    data.mkdir()
    assert clinicshield(data, "createorg", "--name", "A", "--slug", ORG).code == 0
    fill(data)
    old = _quarantine(data, datetime(2025, 3, 1, 8, tzinfo=UTC), 0)
    truncated = _corrupt(data, 1)
    now = ["--now", NOW.isoformat(), "--format", "json"]
    assert clinicshield(data, "store", "retention", "--org", ORG, "--days", "90", *now).code == 0

    expired = clinicshield(data, "store", "expire", "--org", ORG, *now)

    assert expired.code == 0, expired.err
    assert "Traceback" not in expired.err
    document = json.loads(expired.out)
    assert document["days_removed"] == ["auth/2025-03-01"]
    assert document["quarantine_files_removed"] == 1
    [skipped] = document["quarantine_files_skipped"]
    assert skipped.startswith(f"{truncated}: ") and "Parquet magic bytes" in skipped
    assert (old.exists(), truncated.exists()) == (False, True)
