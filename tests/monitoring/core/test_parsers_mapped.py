"""Application logs (EHR, VPN) as CSV or JSON lines, read through a saved field mapping."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.monitoring.ingest.helpers import FIXTURES, quarantined, run, stored, write

EHR = {
    "kind": "auth",
    "fields": {
        "ts": "login_time",
        "user": "username",
        "src_ip": "client_ip",
        "outcome": "result",
        "device": "workstation",
    },
    "values": {"outcome": {"OK": "success", "DENIED": "failure"}},
    "constants": {"app": "ehr", "host": "ehr.clinica.local"},
}


def test_it_reads_a_csv_through_its_mapping_and_quarantines_a_bad_row(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        FIXTURES / "ehr_logins.csv",
        "csv",
        timezone="Europe/Madrid",
        options={"mapping": EHR},
    )
    assert result.stored == {"auth": 2} and result.quarantined == 1
    ana, luis = stored(tmp_path, "auth")
    assert (ana["user"], ana["outcome"], ana["app"], ana["device"]) == (
        "ana.garcia",
        "success",
        "ehr",
        "RECEPCION-01",
    )
    assert ana["ts"] == datetime(2026, 3, 3, 7, 2, 11, tzinfo=UTC)  # Madrid is UTC+1 in March
    assert luis["outcome"] == "failure" and luis["host"] == "ehr.clinica.local"
    (bad,) = quarantined(tmp_path)
    assert bad["reason"] == "bad_csv_row" and "unexpected-extra-column" in bad["raw"]


def test_it_reads_json_lines_through_a_mapping_with_nested_paths(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "event": {"at": "2026-03-03T08:00:00Z"},
                "who": {"name": "Nuria"},
                "from": "83.44.10.30",
                "ok": "yes",
            }
        )
    ]
    mapping = {
        "kind": "auth",
        "fields": {"ts": "event.at", "user": "who.name", "src_ip": "from", "outcome": "ok"},
        "values": {"outcome": {"yes": "success", "no": "failure"}},
        "constants": {"app": "vpn"},
    }
    result = run(
        tmp_path, write(tmp_path / "vpn.jsonl", lines), "json", options={"mapping": mapping}
    )
    (row,) = stored(tmp_path, "auth")
    assert result.stored == {"auth": 1}
    assert (row["user"], row["outcome"], row["app"], row["src_country"]) == (
        "nuria",
        "success",
        "vpn",
        "ES",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "logins"}, "kind 'logins' is not one of: auth, flow, process"),
        ({"fields": {**EHR["fields"], "who": "username"}}, "fields name 'who', not fields of auth"),
        (
            {"fields": {**EHR["fields"], "user": "user_name"}},
            "reads column(s) 'user_name', which this file does not have; its columns: login_time",
        ),
    ],
)
def test_a_mapping_that_names_what_does_not_exist_is_refused_saying_what(
    tmp_path: Path, change: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        run(tmp_path, FIXTURES / "ehr_logins.csv", "csv", options={"mapping": {**EHR, **change}})
    assert stored(tmp_path, "auth") == []
