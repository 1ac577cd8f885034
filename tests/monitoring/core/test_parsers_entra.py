"""Entra ID sign-ins: Graph page, array, JSON lines and Azure Monitor export agree."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.monitoring.ingest.helpers import FIXTURES, quarantined, run, stored

PAGE = FIXTURES / "entra_signins_page.json"


def _shapes(tmp_path: Path) -> dict[str, Path]:
    records = json.loads(PAGE.read_text())["value"]
    array = tmp_path / "array.json"
    array.write_text(json.dumps(records, indent=2))
    lines = tmp_path / "lines.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records))
    return {
        "page": PAGE,
        "array": array,
        "lines": lines,
        "azure": FIXTURES / "azure_monitor_signinlogs.json",
    }


@pytest.mark.parametrize("shape", ["page", "array", "lines", "azure"])
def test_every_export_shape_gives_the_same_sign_ins(tmp_path: Path, shape: str) -> None:
    result = run(tmp_path, _shapes(tmp_path)[shape])
    assert result.format == "entra"
    assert result.stored == {"auth": 3} and result.quarantined == 0
    rows = stored(tmp_path, "auth")
    summary = [(r["ts"], r["user"], r["domain"], r["outcome"], r["src_ip"]) for r in rows]
    assert summary == [
        (
            datetime(2026, 3, 2, 3, 12, 44, tzinfo=UTC),
            "luis.martin",
            "clinica-sol.example",
            "failure",
            "105.112.7.9",
        ),
        (
            datetime(2026, 3, 2, 8, 4, 17, tzinfo=UTC),
            "ana.garcia",
            "clinica-sol.example",
            "success",
            "83.44.10.20",
        ),
        (
            datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
            "svc-backup",
            "clinica-sol.example",
            "success",
            "10.20.0.15",
        ),
    ]
    luis, ana, svc = rows
    assert luis["failure_reason"].startswith("50126: Error validating credentials")
    assert luis["event_code"] == "entra:50126"
    # Entra's own location is kept (city and coordinates the offline data lacks).
    assert (luis["src_country"], luis["src_city"], luis["src_lat"]) == ("NG", "Lagos", 6.45306)
    assert ana["device"] == "Edge 120.0.0 / Windows 10" and ana["app"] == "entra:Browser"
    assert ana["host"] == "Office 365 Exchange Online"
    # A private address is "internal" whatever the cloud says about it.
    assert svc["src_country"] == "internal" and svc["device"] == "RECEPCION-PC01"
    assert svc["logon_type"] == "non_interactive"


def test_it_quarantines_a_sign_in_from_the_future_or_from_1601(tmp_path: Path) -> None:
    records = json.loads(PAGE.read_text())["value"]
    records[0]["createdDateTime"] = "1601-01-01T00:00:00Z"
    records[1]["createdDateTime"] = "2999-01-01T00:00:00Z"
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run(tmp_path, path, "entra")
    assert result.stored == {"auth": 1} and result.quarantined == 2
    bad = quarantined(tmp_path)
    assert [(q["record_ref"], q["reason"]) for q in bad] == [
        ("line 1", "impossible_timestamp"),
        ("line 2", "impossible_timestamp"),
    ]
    assert '"1601-01-01T00:00:00Z"' in bad[0]["raw"] and not bad[0]["raw"].endswith("\n")


def test_a_line_that_is_not_json_is_quarantined_and_the_rest_stored(tmp_path: Path) -> None:
    records = json.loads(PAGE.read_text())["value"]
    lines = [json.dumps(records[0]), '{"createdDateTime": "2026-03-02T03:', ""]
    lines += [json.dumps(r) for r in records[1:]]
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run(tmp_path, path, "entra")
    assert result.stored == {"auth": 3} and result.quarantined == 1
    (bad,) = quarantined(tmp_path)
    assert (bad["record_ref"], bad["reason"]) == ("line 2", "not_json")
    assert bad["raw"] == '{"createdDateTime": "2026-03-02T03:'
    refs = sorted(r["record_ref"] for r in stored(tmp_path, "auth"))
    assert refs == ["line 1", "line 4", "line 5"]


def test_an_azure_monitor_export_in_a_records_page_is_read(tmp_path: Path) -> None:
    # The diagnostic export as Azure writes it to storage: {"records": [...]}, pretty-printed
    # (the fixture's fourth record is an audit event: read, not a sign-in).
    lines = (FIXTURES / "azure_monitor_signinlogs.json").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    page = tmp_path / "PT1H.json"
    page.write_text(json.dumps({"records": records}, indent=2))
    result = run(tmp_path, page)
    assert (result.format, result.read, result.stored, result.quarantined) == (
        "entra",
        4,
        {"auth": 3},
        0,
    )
    assert [r["user"] for r in stored(tmp_path, "auth")] == [
        "luis.martin",
        "ana.garcia",
        "svc-backup",
    ]
