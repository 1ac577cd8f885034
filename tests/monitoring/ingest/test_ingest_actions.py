"""do_ingest_files: log sources remember what came in; refusals say what a file looked like."""

from pathlib import Path
from typing import Any

import pytest

from clinicshield.lib.errors import UserError
from clinicshield.monitoring.actions import do_ingest_files
from clinicshield.monitoring.models import LogSource
from tests.monitoring.ingest.helpers import FIXTURES, stored, write

LINE = (
    "Mar  3 08:16:{s:02d} web1 sshd[{s}]: Failed password for root from 203.0.113.5 port {s} ssh2"
)


def test_it_records_counts_and_last_event_on_the_log_source(
    org_a: Any, data_dir: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "auth.log", [LINE.format(s=s) for s in range(5)] + ["garbage"])
    (result,) = do_ingest_files(org_a, [path], year=2026, tz="UTC")
    assert result.format == "syslog" and result.stored == {"auth": 5}
    source = LogSource.objects.get(organisation=org_a, name="syslog")
    assert (source.records_read, source.events_stored, source.quarantined) == (6, 5, 1)
    assert source.last_event_at is not None and source.last_event_at.minute == 16
    assert source.last_event_at.second == 4
    do_ingest_files(org_a, [path], year=2026, tz="UTC")  # again: nothing new
    source.refresh_from_db()
    assert source.events_stored == 5 and source.records_read == 6


def test_year_less_times_are_read_in_the_organisation_timezone_by_default(
    org_a: Any, data_dir: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "auth.log", [LINE.format(s=1)])
    do_ingest_files(org_a, [path], year=2026)  # org_a is in Europe/Madrid (UTC+1 in March)
    rows = stored(data_dir, "auth")
    assert rows[0]["ts"].hour == 7


def test_an_unrecognised_file_is_refused_naming_what_it_looked_like(
    org_a: Any, data_dir: Path
) -> None:
    with pytest.raises(UserError) as caught:
        do_ingest_files(org_a, [FIXTURES / "ehr_logins.csv"])
    assert caught.value.code == "unrecognised_format"
    assert "CSV with columns login_time, username" in str(caught.value.message)
    assert not LogSource.objects.exists()


def test_a_saved_mapping_on_the_source_is_used(org_a: Any, data_dir: Path) -> None:
    LogSource.objects.create(
        organisation=org_a,
        name="ehr",
        format="csv",
        mapping={
            "kind": "auth",
            "fields": {
                "ts": "login_time",
                "user": "username",
                "src_ip": "client_ip",
                "outcome": "result",
            },
            "values": {"outcome": {"OK": "success", "DENIED": "failure"}},
        },
    )
    (result,) = do_ingest_files(org_a, [FIXTURES / "ehr_logins.csv"], "csv", source="ehr")
    assert result.stored == {"auth": 2} and result.quarantined == 1
    assert {r["user"] for r in stored(data_dir, "auth")} == {"ana.garcia", "luis.martin"}


def test_a_missing_file_is_refused_before_anything_is_read(
    org_a: Any, data_dir: Path, tmp_path: Path
) -> None:
    good = write(tmp_path / "auth.log", [LINE.format(s=1)])
    with pytest.raises(UserError) as caught:
        do_ingest_files(org_a, [good, tmp_path / "missing.log"], year=2026)
    assert caught.value.code == "no_file" and "missing.log" in str(caught.value.message)
    assert stored(data_dir, "auth") == []
