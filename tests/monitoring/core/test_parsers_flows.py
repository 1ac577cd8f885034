"""Flows: Zeek conn.log (JSON with either spelling, TSV) and firewall/NetFlow CSV."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.monitoring.ingest.helpers import FIXTURES, run, stored, write

ZEEK = {
    "ts": 1772524800.12,
    "uid": "CHhAvVGS1DHFjwGM9",
    "id.orig_h": "10.20.0.15",
    "id.orig_p": 51544,
    "id.resp_h": "198.51.100.80",
    "id.resp_p": 443,
    "proto": "tcp",
    "service": "ssl",
    "duration": 120.5,
    "orig_bytes": 73400320,
    "resp_bytes": 10240,
}


@pytest.mark.parametrize("spelling", ["id.orig_h", "id_orig_h"])
def test_it_reads_zeek_json_with_either_field_spelling(tmp_path: Path, spelling: str) -> None:
    record = {k.replace(".", "_") if spelling == "id_orig_h" else k: v for k, v in ZEEK.items()}
    result = run(tmp_path, write(tmp_path / "conn.log", [json.dumps(record)]))
    assert result.format == "zeek"
    (row,) = stored(tmp_path, "flow")
    assert (row["src_ip"], row["src_port"], row["dst_ip"], row["dst_port"]) == (
        "10.20.0.15",
        51544,
        "198.51.100.80",
        443,
    )
    assert (row["bytes_out"], row["bytes_in"], row["duration_s"]) == (73400320, 10240, 120.5)
    assert row["ts"] == datetime(2026, 3, 3, 8, 0, 0, 120000, tzinfo=UTC)


def test_it_reads_zeek_tsv_with_its_fields_header(tmp_path: Path) -> None:
    result = run(tmp_path, FIXTURES / "zeek_conn.tsv")
    assert result.format == "zeek" and result.stored == {"flow": 3}
    assert result.quarantined == 0
    rows = stored(tmp_path, "flow")
    assert [r["bytes_out"] for r in rows] == [73400320, 40, None]  # "-" is Zeek's unset
    assert rows[0]["service"] == "ssl" and rows[2]["service"] is None
    assert rows[1]["dst_country"] == "internal"


def test_it_reads_the_shared_zeek_sample(tmp_path: Path, shared_data: Path) -> None:
    result = run(tmp_path, shared_data / "zeek" / "NASHUA_conn.log")
    rows = stored(tmp_path, "flow")
    assert result.quarantined == 0 and len(rows) == result.read
    assert {r["host"] for r in rows} == {"bobs.bigwheel.local"}
    assert sum(r["bytes_out"] or 0 for r in rows) > 0


def test_it_maps_nfdump_csv_columns_to_flows(tmp_path: Path) -> None:
    result = run(tmp_path, FIXTURES / "netflow_nfdump.csv")
    assert result.format == "csv" and result.stored == {"flow": 2}
    first = stored(tmp_path, "flow")[0]
    assert (first["src_ip"], first["dst_ip"], first["proto"], first["bytes_out"]) == (
        "10.20.0.15",
        "198.51.100.80",
        "TCP",
        73400320,
    )
    assert first["host"] == "10.20.0.1" and first["dst_port"] == 443
    assert first["record_ref"] == "row 1"
