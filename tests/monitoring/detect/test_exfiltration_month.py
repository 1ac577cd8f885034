"""Exfiltration over a month of Zeek conn.log judged in one pass (issue #13).

The month comes from ``flows_month`` (seeded, fixed dates), is written as Zeek writes
conn.log and read by the real ingestion: a thief sends tens of GB a day after a normal
fortnight, a slow leaker stays below the daily thresholds, and a backup server sends tens
of GB every night in one of several shapes, which must never alarm.
"""

import importlib.util
import json
import logging
import shutil
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from clinicshield.monitoring.core import engines, ingest
from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.events import event_table
from clinicshield.monitoring.core.detectors.exfiltration import detect_exfiltration
from clinicshield.monitoring.core.parsers import Context
from tests.cli import clinicshield
from tests.system import need

from .flows_month import (
    BACKUP_SHAPES,
    SLOW_DESTINATION,
    SLOW_LEAKER,
    THIEF,
    THIEF_DESTINATION,
    ClinicMonth,
    GiB,
    MiB,
    clinic_month,
    write_conn_log,
)

ORG = "clinic-a"
THIEF_DAILY = f"exfiltration:daily:{THIEF}:{THIEF_DESTINATION}"
THIEF_SLOW = f"exfiltration:slow:{THIEF}:{THIEF_DESTINATION}"
LEAK_SLOW = f"exfiltration:slow:{SLOW_LEAKER}:{SLOW_DESTINATION}"


def ingested(tmp_path: Path, month: ClinicMonth) -> Path:
    """The month written as a Zeek TSV conn.log and read into a store by the ingestion."""
    log = write_conn_log(tmp_path / "conn.log", month.records)
    result = ingest.ingest_file(log, data_dir=tmp_path, org=ORG, fmt="auto", context=Context())
    assert (result.format, result.stored, result.quarantined) == (
        "zeek",
        {"flow": len(month.records)},
        0,
    )
    return tmp_path


def judge(con: Any, data_dir: Path, start, end) -> list:
    flows = event_table(con, data_dir, ORG, "flow")
    return detect_exfiltration(con, flows, DetectionContext(start=start, end=end))


@pytest.mark.parametrize("seed", [7, 2026])
@pytest.mark.parametrize("backup_shape", BACKUP_SHAPES)
def test_one_pass_over_a_month_finds_both_leaks_and_no_backup(tmp_path, backup_shape, seed):
    month = clinic_month(seed, backup_shape)
    findings = judge(engines.connect("duckdb"), ingested(tmp_path, month), month.start, month.end)

    assert {f.key for f in findings} == {THIEF_DAILY, THIEF_SLOW, LEAK_SLOW}
    # The thief's first big day is found that day, against its ordinary fortnight.
    first_spike = next(f for f in findings if f.key == THIEF_DAILY)
    thief_day = month.thief_from_day
    assert first_spike.params["day"] == month.day(thief_day).date().isoformat()
    assert first_spike.params["bytes"] == month.sent(THIEF, THIEF_DESTINATION, thief_day)
    assert first_spike.params["bytes"] >= 20 * GiB
    assert first_spike.params["usual_bytes"] < 200 * MiB
    # The slow leak never reaches the daily threshold; the slow check reports it once, as
    # one transfer from its first day to the month's last, since the host's fortnight.
    leak_days = range(month.slow_from_day, month.days)
    assert max(month.sent(SLOW_LEAKER, SLOW_DESTINATION, d) for d in leak_days) < GiB
    (leak,) = [f for f in findings if f.key == LEAK_SLOW]
    assert leak.first_seen.date() == month.day(month.slow_from_day).date()
    assert leak.last_seen.date() == month.day(month.days - 1).date()
    assert leak.params["bytes"] == sum(
        month.sent(SLOW_LEAKER, SLOW_DESTINATION, d) for d in leak_days
    )
    assert leak.params["active_days"] == len(leak_days)
    assert leak.params["days"] == month.days - 14  # the frame starts after learning_days
    assert leak.params["usual_bytes"] == 0
    assert leak.count == len(leak_days)  # one flow a day
    # Only the thief and the leaker: no backup night, no workstation's downloads.
    assert {f.host for f in findings} == {THIEF, SLOW_LEAKER}


def test_a_month_judged_at_once_says_what_watching_it_day_by_day_said(tmp_path):
    month = clinic_month(11, "weekly_full")
    data_dir = ingested(tmp_path, month)
    con = engines.connect("duckdb")
    at_once = judge(con, data_dir, month.start, month.end)
    day_by_day = []
    for number in range(month.days):
        day_by_day += judge(con, data_dir, month.day(number), month.day(number + 1))

    def shape(findings, code):
        return [asdict(f) for f in findings if f.code == code]

    # Daily spikes: the same findings, field by field.
    assert shape(at_once, "exfiltration.daily") == shape(day_by_day, "exfiltration.daily")
    # Slow transfers: the days that saw one become one finding per transfer, which says what
    # its last day said, and starts where its first day's frame started.
    for found in shape(at_once, "exfiltration.slow"):
        days = [f for f in shape(day_by_day, "exfiltration.slow") if f["key"] == found["key"]]
        assert len(days) >= 5
        assert [d["last_seen"] for d in days] == sorted(d["last_seen"] for d in days)
        assert found["params"] == days[-1]["params"]
        assert found["last_seen"] == days[-1]["last_seen"]
        assert found["first_seen"] == days[0]["first_seen"]
        assert found["evidence"]["record_refs"] == days[0]["evidence"]["record_refs"]
    assert {f.key for f in at_once} == {f.key for f in day_by_day}


def test_a_week_judged_on_its_own_knows_the_weeks_before_it(tmp_path):
    # The last week of the month, after the first three were judged: the leaks go on, the
    # thief is no longer unusual day by day (its usual day has grown) but still slow.
    month = clinic_month(5, "nightly")
    data_dir = ingested(tmp_path, month)
    last_week = judge(engines.connect("duckdb"), data_dir, month.day(23), month.end)
    assert [(f.key, f.last_seen.date()) for f in last_week] == [
        (THIEF_SLOW, month.day(29).date()),
        (LEAK_SLOW, month.day(29).date()),
    ]
    # The slow transfers started before the week: their evidence goes back to their start.
    assert [f.first_seen.date() for f in last_week] == [
        month.day(month.thief_from_day).date(),
        month.day(month.slow_from_day).date(),
    ]


@pytest.fixture(scope="module")
def spark() -> Any:
    need(shutil.which("java") is not None, "Java is not installed (openjdk-17-jre-headless)")
    need(importlib.util.find_spec("pyspark") is not None, "pyspark is not installed")
    con = engines.connect("spark")
    yield con
    con._session.stop()
    # py4j says goodbye at interpreter exit, after pytest has closed the captured streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)


def test_spark_judges_the_month_exactly_as_duckdb(tmp_path, spark):
    month = clinic_month(3, "new_server", days=24, slow_from_day=15)
    data_dir = ingested(tmp_path, month)
    on_duckdb = judge(engines.connect("duckdb"), data_dir, month.start, month.end)
    on_spark = judge(spark, data_dir, month.start, month.end)
    assert {f.key for f in on_duckdb} == {THIEF_DAILY, THIEF_SLOW, LEAK_SLOW}
    assert [asdict(f) for f in on_spark] == [asdict(f) for f in on_duckdb]


def test_the_window_can_start_in_the_middle_of_a_day(tmp_path):
    # A pass from 02:30 on the thief's first day: that day's flows before 02:30 still add
    # up to the day's total, and the finding counts only the flows inside the window.
    month = clinic_month(9, "nightly")
    data_dir = ingested(tmp_path, month)
    day, next_day = month.day(month.thief_from_day), month.day(month.thief_from_day + 1)
    start = day + timedelta(hours=2, minutes=30)
    findings = judge(engines.connect("duckdb"), data_dir, start, next_day)
    spikes = [f for f in findings if f.key == THIEF_DAILY]
    assert len(spikes) == 1
    day_flows = [
        r
        for r in month.records
        if r["id.orig_h"] == THIEF
        and r["id.resp_h"] == THIEF_DESTINATION
        and day.timestamp() <= r["ts"] < next_day.timestamp()
    ]
    assert spikes[0].params["bytes"] == sum(r["orig_bytes"] for r in day_flows)
    in_window = sum(1 for r in day_flows if r["ts"] >= start.timestamp())
    assert 0 < in_window < len(day_flows)
    assert spikes[0].count == in_window


def test_ingest_then_detect_since_the_first_day_raises_the_leaks_through_the_commands(tmp_path):
    month = clinic_month(13, "two_targets")
    log = write_conn_log(tmp_path / "conn.log", month.records)
    assert clinicshield(tmp_path, "createorg", "--name", "Sol", "--slug", "sol").code == 0
    read = clinicshield(tmp_path, "ingest", str(log), "--org", "sol", "--output", "json")
    assert read.code == 0, read.err
    assert json.loads(read.out)["stored"] == len(month.records)
    detect = clinicshield(
        tmp_path,
        "detect",
        "--org",
        "sol",
        "--since",
        month.start.isoformat(),
        "--now",
        month.end.isoformat(),
        "--format",
        "json",
        timeout=600,
    )
    assert detect.code == 0, detect.err
    listed = clinicshield(tmp_path, "alerts", "--org", "sol", "--format", "json")
    alerts = [json.loads(line) for line in listed.out.splitlines()]
    assert sorted((a["kind"], a["host"]) for a in alerts) == [
        ("exfiltration", THIEF),
        ("exfiltration", THIEF),
        ("exfiltration", SLOW_LEAKER),
    ]
    leak = next(a for a in alerts if a["host"] == SLOW_LEAKER)
    leak_days = month.days - month.slow_from_day
    assert (
        f"to {SLOW_DESTINATION} over the last 16 days (on {leak_days} of them)"
        in (leak["explanation"])
    )
    thief_day = month.day(month.thief_from_day).date().isoformat()
    assert any(f"to {THIEF_DESTINATION} on {thief_day}" in a["explanation"] for a in alerts), alerts
