"""Windows events: .evtx files and NXLog/Winlogbeat JSON lines."""

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from clinicshield.monitoring.core.parsers import readers
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
    lines += [_event(EventID="notanumber"), json.dumps({"message": "agent started"})]
    lines += [_event(EventID=4634, TargetUserName="ana")]  # an event we do not keep: read
    result = run(tmp_path, write(tmp_path / "sec.json", lines), "winjson")
    assert (result.read, result.stored["auth"]) == (6, 1)
    assert sorted((q["record_ref"], q["reason"]) for q in quarantined(tmp_path)) == [
        ("line 2", "not_json"),
        ("line 4", "no_event_id"),
        ("line 5", "no_event_id"),
    ]


def test_it_stores_the_same_events_from_every_evtx_sample(
    tmp_path: Path, shared_data: Path
) -> None:
    expected = {
        "CA_4624_4625_LogonType2_LogonProc_chrome.evtx": (4, {"auth": 4, "process": 0}),
        "DE_RDP_Tunneling_4624.evtx": (18, {"auth": 18, "process": 0}),
        "LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx": (6, {"auth": 1, "process": 3}),
        "LM_WMI_4624_4688_TargetHost.evtx": (8, {"auth": 6, "process": 2}),
        "MSSQL_multiple_failed_logon_EventID_18456.evtx": (10, {"auth": 0, "process": 0}),
        "exec_emotet_ps_4104.evtx": (1, {"auth": 0, "process": 0}),
        "sysmon_mshta_sharpshooter_stageless_meterpreter.evtx": (3, {"auth": 0, "process": 2}),
    }
    for name, (read, kinds) in expected.items():
        result = run(tmp_path, shared_data / "evtx" / name)
        assert (result.read, result.quarantined) == (read, 0), name
        assert {kind: result.stored[kind] for kind in kinds} == kinds, name
    processes = stored(tmp_path, "process")
    calc = next(r for r in processes if r["image"].endswith("calc.exe"))
    assert (calc["event_code"], calc["user"], calc["record_ref"]) == (
        "4688",
        "win-77ltaphiq1r$",
        "record 6",
    )
    assert calc["ts"] == datetime(2019, 3, 18, 22, 15, 49, 676748, tzinfo=UTC)
    # The raw record is the flat JSON-lines shape: event data first, then the system fields.
    raw = json.loads(calc["raw"])
    assert list(raw)[:2] == ["SubjectUserSid", "SubjectUserName"]
    assert (raw["EventID"], raw["Channel"], raw["Hostname"]) == (
        4688,
        "Security",
        "WIN-77LTAPHIQ1R.example.corp",
    )
    assert (raw["NewProcessName"], raw["TimeCreated"]) == (
        "C:\\Windows\\System32\\calc.exe",
        "2019-03-18T22:15:49.676748Z",
    )
    mshta = next(r for r in processes if r["image"].endswith("mshta.exe"))
    assert json.loads(mshta["raw"])["SourceName"] == "Microsoft-Windows-Sysmon"
    [flow] = stored(tmp_path, "flow")
    assert (flow["src_ip"], flow["dst_ip"], flow["dst_port"], flow["proto"]) == (
        "10.0.2.13",
        "10.0.2.18",
        4443,
        "tcp",
    )


def test_it_reads_evtx_records_in_batches_from_any_record(shared_data: Path) -> None:
    path = str(shared_data / "evtx" / "DE_RDP_Tunneling_4624.evtx")
    whole = [b.lines for b in readers.read_evtx_batches(path, 0, [], 18)]
    every_id = [i for table in whole for i in table["line_no"].to_pylist()]
    assert len(every_id) == 18
    for start in (0, 5, 17, 18, 30):
        batches = list(readers.read_evtx_batches(path, start, [], 8))
        # The first batch is small (ingest parses it alone), the others hold up to 8.
        assert [b.end - b.start for b in batches] == {
            0: [1, 8, 8, 1],
            5: [1, 8, 4],
            17: [1],
            18: [],
            30: [],
        }[start]
        assert all(b.start == a.end for a, b in zip(batches, batches[1:], strict=False))
        ids = [i for b in batches for i in b.lines["line_no"].to_pylist()]
        assert ids == every_id[start:]
        assert all(b.first_line == b.lines["line_no"][0].as_py() for b in batches)


def test_it_quarantines_evtx_records_it_cannot_decode_and_keeps_the_others(
    tmp_path: Path, shared_data: Path
) -> None:
    data = bytearray((shared_data / "evtx" / "DE_RDP_Tunneling_4624.evtx").read_bytes())
    records = [0x1200 + m.start() for m in re.finditer(b"\\*\\*\x00\x00", bytes(data[0x1200:]))]
    for n in (3, 10):
        data[records[n] + 24] = 0xFF  # the record's first binary XML token
    path = tmp_path / "damaged.evtx"
    path.write_bytes(bytes(data))
    result = run(tmp_path, path)
    assert (result.read, result.stored["auth"], result.quarantined) == (16, 16, 2)
    bad = quarantined(tmp_path)
    assert [(q["record_ref"], q["reason"]) for q in bad] == [
        ("record #10", "bad_evtx_record"),
        ("record #3", "bad_evtx_record"),
    ]
    assert "binxml" in bad[0]["raw"]
    again = run(tmp_path, path)  # the damaged records count among those already read
    assert (again.read, again.stored_total, again.quarantined) == (0, 0, 0)
    # Resuming after record 5: the damaged record 3 is passed over, record 10 rejected again.
    rejects: list[dict[str, object]] = []
    batches = list(readers.read_evtx_batches(str(path), 5, rejects, 100))
    assert (batches[0].start, batches[-1].end) == (5, 18)
    assert sum(b.lines.num_rows for b in batches) == 12
    assert [r["record_ref"] for r in rejects] == ["record #10"]


def test_a_pretty_printed_event_in_evtx_rs_shape_is_read_like_its_evtx_twin(
    tmp_path: Path, shared_data: Path
) -> None:
    # SigmaHQ's regression samples ship each event twice: .evtx and evtx-rs JSON.
    folder = shared_data / "sigma" / "regression-registry_delete_runmru"
    document = run(tmp_path / "json", next(folder.glob("*.json")))
    evtx = run(tmp_path / "evtx", next(folder.glob("*.evtx")))
    assert (document.format, document.read, document.quarantined) == ("winjson", 1, 0)
    assert document.stored == evtx.stored and sum(evtx.stored.values()) == 1
    keep = ("ts", "host", "event_code", "image", "target_object", "event_type")
    (from_json,) = stored(tmp_path / "json", "process")
    (from_evtx,) = stored(tmp_path / "evtx", "process")
    assert {k: from_json[k] for k in keep} == {k: from_evtx[k] for k in keep}
    assert from_json["record_ref"] == "record 1"
