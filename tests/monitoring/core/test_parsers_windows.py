"""Windows events: .evtx files and NXLog/Winlogbeat JSON lines."""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tests.monitoring.ingest.helpers import quarantined, run, stored, write


def _event(**fields: object) -> str:
    base = {
        "Channel": "Security",
        "SourceName": "Microsoft-Windows-Security-Auditing",
        "Hostname": "DC01.clinica.local",
        "TimeCreated": "2026-03-03T08:00:00.000Z",
    }
    return json.dumps({**base, **fields})


def test_it_maps_security_logon_events_to_auth(tmp_path: Path) -> None:
    lines = [
        _event(
            EventID=4624,
            TargetUserName="Ana",
            TargetDomainName="CLINICA",
            LogonType="10",
            IpAddress="::ffff:83.44.10.20",
            IpPort="50123",
            WorkstationName="RECEPCION-01",
        ),
        _event(
            EventID=4625,
            TargetUserName="CLINICA\\admin",
            LogonType="3",
            IpAddress="203.0.113.5",
            Status="0xc000006d",
            SubStatus="0xC000006A",
        ),
        _event(EventID=4776, TargetUserName="luis", Workstation="LAB-02", Status="0x0"),
        _event(EventID=4771, TargetUserName="marta", IpAddress="::ffff:10.0.0.7", Status="0x18"),
        _event(EventID=4634, TargetUserName="ana"),  # a logoff: not a sign-in
    ]
    result = run(tmp_path, write(tmp_path / "sec.json", lines), "winjson")
    rows = stored(tmp_path, "auth", order="record_ref")
    assert result.stored["auth"] == 4
    by_code = {r["event_code"]: r for r in rows}
    ok = by_code["4624"]
    assert (ok["user"], ok["domain"], ok["outcome"], ok["logon_type"]) == (
        "ana",
        "CLINICA",
        "success",
        "remote_interactive",
    )
    assert (ok["src_ip"], ok["src_port"], ok["device"], ok["host"]) == (
        "83.44.10.20",
        50123,
        "RECEPCION-01",
        "DC01.clinica.local",
    )
    failed = by_code["4625"]
    assert (failed["user"], failed["outcome"], failed["failure_reason"]) == (
        "admin",
        "failure",
        "0xc000006a",
    )
    assert by_code["4776"]["outcome"] == "success" and by_code["4776"]["logon_type"] == "ntlm"
    assert by_code["4771"]["outcome"] == "failure"
    assert by_code["4771"]["src_country"] == "internal"


def test_it_keeps_process_and_registry_events_with_their_raw_record(
    tmp_path: Path, shared_data: Path
) -> None:
    path = next((shared_data / "windows-json").glob("*.json"))
    result = run(tmp_path, path, "winjson")
    rows = stored(tmp_path, "process")
    assert result.read == 1127 and result.quarantined == 0
    assert Counter(r["event_code"] for r in rows) == {
        "sysmon:12": 401,
        "sysmon:13": 48,
        "4688": 3,
        "sysmon:1": 3,
    }
    mshta = next(r for r in rows if r["event_code"] == "sysmon:1" and "mshta" in r["image"])
    assert mshta["parent_image"].endswith("cmd.exe") and mshta["user"] == "wardog"
    assert "vbscript:Execute" in mshta["command_line"]
    assert json.loads(mshta["raw"])["OriginalFileName"] == "MSHTA.EXE"
    # Sysmon's UtcTime is the event's real time; this export's TimeCreated is 4 h off.
    assert mshta["ts"] == datetime(2020, 10, 22, 6, 57, 59, 855000, tzinfo=UTC)
    setvalue = next(r for r in rows if r["event_code"] == "sysmon:13")
    assert setvalue["event_type"] == "SetValue" and setvalue["target_object"].startswith("HKU\\")


def test_it_reads_evtx_files_like_their_json_export(tmp_path: Path, shared_data: Path) -> None:
    folder = shared_data / "evtx"
    counts = {}
    for name in [
        "CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
        "DE_RDP_Tunneling_4624.evtx",
        "LM_WMI_4624_4688_TargetHost.evtx",
        "sysmon_mshta_sharpshooter_stageless_meterpreter.evtx",
    ]:
        result = run(tmp_path, folder / name)
        assert result.format == "evtx"
        counts[name] = result.stored
    assert counts["CA_4624_4625_LogonType2_LogonProc_chrome.evtx"]["auth"] == 4
    assert counts["DE_RDP_Tunneling_4624.evtx"]["auth"] == 18
    assert counts["LM_WMI_4624_4688_TargetHost.evtx"] == {"auth": 6, "process": 2, "flow": 0}
    assert counts["sysmon_mshta_sharpshooter_stageless_meterpreter.evtx"]["flow"] == 1
    failures = [r for r in stored(tmp_path, "auth") if r["outcome"] == "failure"]
    assert failures and all(r["event_code"] == "4625" for r in failures)
    assert failures[0]["record_ref"].startswith("record ")
    assert failures[0]["user"] == "ieuser" and failures[0]["logon_type"] == "interactive"


def test_it_quarantines_a_line_that_is_not_json(tmp_path: Path) -> None:
    lines = [_event(EventID=4624, TargetUserName="ana"), "{broken", ""]
    result = run(tmp_path, write(tmp_path / "sec.json", lines), "winjson")
    assert result.stored["auth"] == 1
    assert [(q["record_ref"], q["reason"]) for q in quarantined(tmp_path)] == [
        ("line 2", "not_json")
    ]
