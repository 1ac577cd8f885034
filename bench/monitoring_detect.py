"""Benchmark: one full detection pass over 10 million stored auth events, or over years.

    .venv/bin/python bench/monitoring_detect.py [--events 10000000] [--days 30] [--dir /tmp/x]
    .venv/bin/python bench/monitoring_detect.py --years 7 --events 1000000 [--dir /tmp/y]

With ``--years``, a clinic's history spread over that many years (``history_store``) is
judged by the whole command, ``clinicshield detect --since <first day>``, as a clinic
that brings years of old logs would run it: the cost of a pass must follow the events,
not the days.

Generates a chain's month of sign-ins (vectorised with numpy, written as the store's
hive-partitioned Parquet), then runs every auth detector over the last day (the daily
pass) with the 29 days before as baseline, so every stored event is read; the pass runs
in a child process so that its peak memory is measured alone.
Prints one JSON line. Reference (reported, not run here): Wazuh's analysis engine is
quoted at ~8,000 events/s per core, Hayabusa at ~13,000 events/s.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinicshield.monitoring.core.schema import AUTH  # noqa: E402

ORG = "bench-chain"
START = datetime(2025, 3, 1, tzinfo=UTC)  # the first generated day
WAZUH_EVENTS_PER_CORE = 8000
COUNTRIES = np.array(["ES", "ES", "ES", "ES", "PT", "FR", "NG", "US"])
COORDS = {
    "ES": (40.4, -3.7),
    "PT": (38.7, -9.1),
    "FR": (48.9, 2.3),
    "NG": (6.5, 3.4),
    "US": (38.9, -77.0),
}


def generate(folder: Path, events: int, days: int, seed: int = 7) -> float:
    rng = np.random.default_rng(seed)
    start = START
    users = np.array([f"user{n:05d}" for n in range(5000)])
    per_day = events // days
    began = time.perf_counter()
    for day in range(days):
        size = per_day if day < days - 1 else events - per_day * (days - 1)
        user_idx = rng.integers(0, len(users), size)
        # Office hours (07-16 UTC) for most, a thin night tail for realism.
        hours = np.where(
            rng.random(size) < 0.97, rng.integers(7, 16, size), rng.integers(0, 24, size)
        )
        seconds = hours * 3600 + rng.integers(0, 3600, size)
        base = int((start + timedelta(days=day)).timestamp() * 1_000_000)
        ts = np.sort(base + seconds.astype(np.int64) * 1_000_000)
        failure = rng.random(size) < 0.03
        # People sign in from home (Spain, their own address); one event in 5,000 comes from
        # abroad, which is what the new-country and travel detectors should pick out.
        abroad = rng.random(size) < 0.0002
        country = np.where(abroad, COUNTRIES[rng.integers(4, len(COUNTRIES), size)], "ES")
        lat = np.where(
            abroad, np.array([COORDS[c][0] for c in COUNTRIES])[rng.integers(4, 8, size)], 40.4
        )
        lon = np.where(abroad, -77.0, -3.7)
        src_ip = np.char.add(
            np.char.add("83.40.", (user_idx // 250).astype(str)),
            np.char.add(".", (user_idx % 250 + 1).astype(str)),
        )
        columns = {
            "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "user": pa.array(users[user_idx]),
            "outcome": pa.array(np.where(failure, "failure", "success")),
            "logon_type": pa.array(np.where(rng.random(size) < 0.8, "interactive", "network")),
            "src_ip": pa.array(np.where(abroad, "198.51.100.77", src_ip)),
            "src_country": pa.array(country),
            "src_asn": pa.array(np.where(abroad, 16509, 3352)),
            "src_lat": pa.array(lat),
            "src_lon": pa.array(lon),
            "host": pa.array(np.char.add("site", (user_idx // 25).astype(str))),
            "device": pa.array(np.char.add("WS-", user_idx.astype(str))),
            "app": pa.array(np.full(size, "windows")),
            "record_ref": pa.array(np.arange(size).astype(str)),
        }
        if day == days - 1:
            columns = _with_spray(columns, base, users)
        table = pa.table(
            {f.name: columns.get(f.name, pa.nulls(len(columns["ts"]), f.type)) for f in AUTH},
            schema=AUTH,
        )
        day_name = (start + timedelta(days=day)).strftime("%Y-%m-%d")
        target = folder / "events" / f"org={ORG}" / "kind=auth" / f"day={day_name}"
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target / "part-0.parquet", compression="zstd")
    return time.perf_counter() - began


def _with_spray(columns: dict, base_us: int, users: np.ndarray) -> dict:
    """The last day also holds one password spray (60 accounts in 30 minutes) and its success."""
    count = 61
    ts = base_us + (3 * 3600 + np.arange(count) * 30) * 1_000_000
    extra = {
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "user": pa.array(users[:count]),
        "outcome": pa.array(["failure"] * (count - 1) + ["success"]),
        "logon_type": pa.array(["network"] * count),
        "src_ip": pa.array(["45.9.148.3"] * count),
        "src_country": pa.array(["NL"] * count),
        "src_asn": pa.array([206264] * count),
        "src_lat": pa.array([52.4] * count),
        "src_lon": pa.array([4.9] * count),
        "host": pa.array(["vpn"] * count),
        "device": pa.array([None] * count, pa.string()),
        "app": pa.array(["vpn"] * count),
        "record_ref": pa.array([f"spray{n}" for n in range(count)]),
    }
    return {
        name: pa.concat_arrays([columns[name], extra[name].cast(columns[name].type)])
        for name in columns
    }


def auth_pass(folder: Path, days: int) -> tuple[list, float]:
    """The auth detectors over the last of ``days`` generated days, with the days before as
    baseline (every stored event is read): the findings and the seconds the pass took."""
    import ibis

    from clinicshield.monitoring.core.detectors import DetectionContext
    from clinicshield.monitoring.core.detectors.registry import DETECTORS, run_detectors
    from clinicshield.monitoring.core.detectors.settings import DetectionSettings

    end = START + timedelta(days=days)
    ctx = DetectionContext(
        start=end - timedelta(days=1),
        end=end,
        timezone="Europe/Madrid",
        opening_hours={d: [("08:00", "15:00")] for d in range(5)},
        service_accounts=frozenset({"user00001"}),
        settings=DetectionSettings(baseline_days=days - 1),
    )
    con = ibis.duckdb.connect(threads=2, memory_limit="1500MB")
    auth_detectors = [name for name, (kind, _) in DETECTORS.items() if kind == "auth"]
    began = time.perf_counter()
    findings = run_detectors(con, folder, ORG, ctx, only=auth_detectors)
    return findings, time.perf_counter() - began


def detect(folder: Path, days: int) -> None:
    """Child process: one detection pass, prints its own timing as JSON."""
    findings, elapsed = auth_pass(folder, days)
    kinds: dict[str, int] = {}
    for finding in findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    print(json.dumps({"seconds": round(elapsed, 2), "findings": kinds}))


def history_pass(events: int, years: int, folder: Path | None) -> None:
    """The whole ``clinicshield detect`` command over ``years`` of stored history."""
    from history_store import END, first_day, write_history

    folder = folder or Path(tempfile.mkdtemp(prefix="cs-bench-history-"))
    org = "bench-history"
    began = time.perf_counter()
    counts = write_history(folder, org, events, years)
    generation = time.perf_counter() - began
    environment = {**os.environ, "CLINICSHIELD_DATA_DIR": str(folder)}
    cli = [sys.executable, "-m", "clinicshield.cli"]
    made = [*cli, "createorg", "--name", "Bench", "--slug", org, "--timezone", "Europe/Madrid"]
    subprocess.run(made, check=True, capture_output=True, env=environment)
    since, now = first_day(years).isoformat(), END.isoformat()
    command = [*cli, "detect", "--org", org, "--since", since, "--now", now, "--format", "json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=environment)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads(done.stdout)
    stored = sum(counts.values())
    result = {
        "bench": "monitoring_detect_history",
        "events": stored,
        "kinds": counts,
        "years": years,
        "generate_s": round(generation, 1),
        "command_wall_s": round(wall, 2),
        "command_cpu_s": round(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
        ),
        "peak_rss_mib": round(after.ru_maxrss / 1024),
        "events_per_s": round(stored / wall),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "findings": report["findings"],
        "new_alerts": report["new_alerts"],
        "window": [report["window_start"], report["window_end"]],
        "targets": {"command_wall_s": 10},
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--years", type=int, help="judge this many years with the whole command")
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--detect-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.years:
        history_pass(args.events, args.years, args.dir)
        return
    if args.detect_only:
        detect(args.dir, args.days)
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="cs-bench-detect-"))
    stored = folder / "events" / f"org={ORG}" / "kind=auth"
    reused = (
        stored.is_dir()
        and sum(pq.ParquetFile(p).metadata.num_rows for p in stored.glob("day=*/*.parquet"))
        >= args.events
    )
    generation = 0.0 if reused else generate(folder, args.events, args.days)
    command = [
        sys.executable,
        __file__,
        "--detect-only",
        "--dir",
        str(folder),
        "--days",
        str(args.days),
    ]
    began = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - began
    child = json.loads(output.strip().splitlines()[-1])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mib = usage.ru_maxrss / 1024
    cpu_s = usage.ru_utime + usage.ru_stime
    rate = args.events / child["seconds"]
    result = {
        "bench": "monitoring_detect",
        "events": args.events,
        "generate_s": round(generation, 1),
        "detect_s": child["seconds"],
        "process_wall_s": round(wall, 2),
        # Wall time depends on what else the machine runs; CPU seconds (both cores) do not.
        "process_cpu_s": round(cpu_s, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "peak_rss_mib": round(peak_mib),
        "events_per_s": round(rate),
        "ratio_vs_wazuh_reported_2_cores": round(rate / (2 * WAZUH_EVENTS_PER_CORE), 1),
        "findings": child["findings"],
        "targets": {"detect_s": 10, "peak_rss_mib": 2048},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
