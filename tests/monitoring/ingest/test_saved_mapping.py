"""A field mapping given with --source is saved on that log source, and later runs of the
source read with it (and with its format, even under --format auto)."""

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from clinicshield.lib.errors import UserError
from clinicshield.monitoring.actions import do_ingest_files
from clinicshield.monitoring.models import LogSource
from tests.cli import clinicshield
from tests.monitoring.ingest.helpers import FIXTURES, stored

EHR_MAPPING = {
    "kind": "auth",
    "fields": {"ts": "login_time", "user": "username", "src_ip": "client_ip", "outcome": "result"},
    "values": {"outcome": {"OK": "success", "DENIED": "failure"}},
}
NEW_LOGIN = "2026-03-04 09:00:00,ana.garcia,83.44.10.20,DENIED,RECEPCION-01\n"


def ehr_log(folder: Path) -> Path:
    path = folder / "ehr.csv"
    path.write_text((FIXTURES / "ehr_logins.csv").read_text())
    return path


def test_the_cli_saves_the_mapping_and_the_next_runs_need_neither_it_nor_the_format(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "F", "--slug", "f").code == 0
    log = ehr_log(tmp_path)
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(EHR_MAPPING))
    ingest = ("ingest", str(log), "--org", "f", "--source", "ehr")

    first = clinicshield(data_dir, *ingest, "--format", "csv", "--mapping", str(mapping))
    assert first.code == 0, first.err
    assert "saved the field mapping on log source 'ehr'" in first.out

    with log.open("a") as handle:
        handle.write(NEW_LOGIN)
    second = clinicshield(data_dir, *ingest, "--format", "csv", "--output", "json")
    assert second.code == 0, second.err
    assert [json.loads(line)["stored"] for line in second.out.splitlines()] == [1]
    assert "saved" not in second.out + second.err  # nothing given, nothing saved again

    with log.open("a") as handle:
        handle.write(NEW_LOGIN.replace("09:00:00", "09:05:00"))
    third = clinicshield(data_dir, *ingest, "--output", "json")  # --format auto
    assert third.code == 0, third.err
    (row,) = [json.loads(line) for line in third.out.splitlines()]
    assert (row["format"], row["stored"]) == ("csv", 1)


def test_with_json_output_the_note_goes_to_stderr(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "F", "--slug", "f").code == 0
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(EHR_MAPPING))
    args = ["--format", "csv", "--mapping", str(mapping), "--source", "ehr", "--output", "json"]
    result = clinicshield(data_dir, "ingest", str(ehr_log(tmp_path)), "--org", "f", *args)
    assert result.code == 0, result.err
    assert [json.loads(line)["stored"] for line in result.out.splitlines()] == [2]
    assert "saved the field mapping on log source 'ehr'" in result.err


def test_the_mapping_and_its_format_are_saved_on_the_source(
    org_a: Any, data_dir: Path, tmp_path: Path
) -> None:
    log = ehr_log(tmp_path)
    do_ingest_files(org_a, [log], "csv", source="ehr", mapping=EHR_MAPPING, save_mapping=True)
    source = LogSource.objects.get(organisation=org_a, name="ehr")
    assert (source.format, source.mapping) == ("csv", EHR_MAPPING)
    with log.open("a") as handle:
        handle.write(NEW_LOGIN)
    (result,) = do_ingest_files(org_a, [log], source="ehr")  # auto, no mapping
    assert result.format == "csv" and result.stored == {"auth": 1}
    assert len(stored(data_dir, "auth")) == 3


def test_without_saving_the_mapping_serves_that_run_only(
    org_a: Any, data_dir: Path, tmp_path: Path
) -> None:
    log = ehr_log(tmp_path)
    do_ingest_files(org_a, [log], "csv", source="ehr", mapping=EHR_MAPPING)
    assert LogSource.objects.get(organisation=org_a, name="ehr").mapping == {}


def test_a_mapping_is_not_saved_on_a_source_read_as_another_format(
    org_a: Any, data_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "auth.log"
    log.write_text("Mar  3 08:16:10 web1 sshd[1]: Failed password for root from 203.0.113.5\n")
    with pytest.raises(UserError) as caught:
        do_ingest_files(
            org_a, [log], source="web1", mapping=EHR_MAPPING, save_mapping=True, year=2026
        )
    assert caught.value.code == "mapping_format" and "syslog" in str(caught.value.message)
    assert not LogSource.objects.exists() and stored(data_dir, "auth") == []


def test_a_mapping_that_cannot_be_read_with_is_not_saved(
    org_a: Any, data_dir: Path, tmp_path: Path
) -> None:
    bad = {"kind": "auth", "fields": {"ts": "no_such_column", "user": "username"}}
    # The CSV parser lets DuckDB's binder error through for a column the file lacks.
    with pytest.raises((UserError, duckdb.Error)):
        do_ingest_files(
            org_a, [ehr_log(tmp_path)], "csv", source="ehr", mapping=bad, save_mapping=True
        )
    assert not LogSource.objects.filter(organisation=org_a, name="ehr").exclude(mapping={})
