"""`clinicshield ingest` through the real entry point (one organisation for the module:
each run of the entry point costs seconds)."""

import json
from pathlib import Path

import pytest

from tests.cli import clinicshield
from tests.monitoring.ingest.helpers import FIXTURES


@pytest.fixture(scope="module")
def cli_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    assert clinicshield(data_dir, "createorg", "--name", "A", "--slug", "clinic-a").code == 0
    return data_dir


def test_it_prints_what_it_read_stored_and_quarantined(cli_data_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    log.write_text(
        "Mar  3 08:16:10 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2\n"
        "not a syslog line\n"
    )
    result = clinicshield(
        cli_data_dir,
        "ingest",
        str(log),
        str(FIXTURES / "entra_signins_page.json"),
        "--org",
        "clinic-a",
        "--year",
        "2026",
        "--output",
        "json",
    )
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [(r["format"], r["read"], r["stored"], r["quarantined"]) for r in rows] == [
        ("syslog", 2, 1, 1),
        ("entra", 3, 3, 0),
    ]
    assert rows[1]["last_event"] == "2026-03-02T09:30:00+00:00"
    assert result.err == ""  # no progress bar when not on a terminal


def test_it_exits_2_for_a_file_it_cannot_recognise(cli_data_dir: Path, tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("shopping list\nmilk\n")
    result = clinicshield(cli_data_dir, "ingest", str(odd), "--org", "clinic-a")
    assert result.code == 2
    assert "format not recognised; it looks like text starting with 'shopping list'" in result.err


def test_it_reads_every_other_format_through_the_real_entry_point(
    cli_data_dir: Path,
) -> None:
    # The entry point runs `ingest` without pandas (see clinicshield.cli): every format must
    # get through it, from the real shared samples and our fixtures.
    shared = Path(__file__).resolve().parents[3].parent / "shared" / "data"
    files = [
        shared / "evtx" / "LM_WMI_4624_4688_TargetHost.evtx",
        next((shared / "windows-json").glob("*.json")),
        shared / "zeek" / "NASHUA_conn.log",
        FIXTURES / "zeek_conn.tsv",
        FIXTURES / "netflow_nfdump.csv",
    ]
    result = clinicshield(
        cli_data_dir, "ingest", *map(str, files), "--org", "clinic-a", "--output", "json"
    )
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [r["format"] for r in rows] == ["evtx", "winjson", "zeek", "zeek", "csv"]
    assert all(r["stored"] > 0 for r in rows), rows


def test_a_file_read_as_one_source_is_refused_as_another(
    cli_data_dir: Path, tmp_path: Path
) -> None:
    log = tmp_path / "secure.log"
    log.write_text(
        "Mar  3 09:16:10 web9 sshd[1]: Failed password for eve from 203.0.113.9 port 1 ssh2\n"
    )
    first = clinicshield(cli_data_dir, "ingest", str(log), "--org", "clinic-a", "--year", "2026")
    assert first.code == 0, first.err
    again = ("ingest", str(log), "--org", "clinic-a", "--year", "2026", "--source", "web9")
    second = clinicshield(cli_data_dir, *again)
    assert second.code == 2 and "Traceback" not in second.err
    assert f"{log}: already read as log source 'syslog'" in second.err
    assert "use --source syslog" in second.err
