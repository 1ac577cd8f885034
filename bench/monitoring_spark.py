"""Benchmark: one detection pass on Spark (local, 2 cores) vs DuckDB (2 threads), same store.

    .venv/bin/python bench/monitoring_spark.py [--events 1000000] [--dir /tmp/cs-bench-spark]

The store is built the way a clinic's is: ``synthetic.write_entra_jsonl`` writes a chain's
Microsoft Entra sign-ins (people on their shifts, from their site or home) and the real
ingestion pipeline stores them as hive-partitioned Parquet. Every detector then runs over
the last day with all the days before as baseline, so every stored event is read, once on
DuckDB and twice on one Spark session (the first pass includes the JVM's warm-up; a chain's
worker keeps its session, so the second is what each later pass costs). Prints one JSON line
with both times, the ratio, and whether both engines found the same things.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinicshield.monitoring.core import engines, synthetic  # noqa: E402
from clinicshield.monitoring.core.detectors import DetectionContext, Finding  # noqa: E402
from clinicshield.monitoring.core.detectors.registry import run_detectors  # noqa: E402
from clinicshield.monitoring.core.detectors.settings import DetectionSettings  # noqa: E402
from clinicshield.monitoring.core.ingest import ingest_file  # noqa: E402

ORG = "bench-chain"
START = datetime(2026, 1, 5, tzinfo=UTC)


def build_store(folder: Path, events: int) -> float:
    """Write ``events`` Entra sign-ins and ingest them; returns the seconds it took."""
    began = time.perf_counter()
    jsonl = folder / "entra.jsonl"
    synthetic.write_entra_jsonl(jsonl, events, users=8000, sites=200, seed=1, start=START)
    ingest_file(jsonl, data_dir=folder, org=ORG, fmt="entra")
    # The synthetic module's planted anomalies (a 03:12 sign-in, travel to Lagos, a spray
    # ending in a success, a brute force) on the last stored day, by the same people.
    last_day = datetime.fromisoformat(stored_days(folder)[1][-1]).replace(tzinfo=UTC)
    staff = synthetic.people(8000, 200, random.Random(1))
    with open(jsonl, "w") as out:
        for record in synthetic.anomalies(staff, last_day, 3, random.Random(2)):
            out.write(json.dumps(record) + "\n")
    ingest_file(jsonl, data_dir=folder, org=ORG, fmt="entra", source="anomalies")
    jsonl.unlink()
    return time.perf_counter() - began


def stored_days(folder: Path) -> tuple[int, list[str]]:
    auth = folder / "events" / f"org={ORG}" / "kind=auth"
    files = list(auth.glob("day=*/*.parquet"))
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in files)
    return rows, sorted({p.parent.name.removeprefix("day=") for p in files})


def context(days: list[str]) -> DetectionContext:
    first = datetime.fromisoformat(days[0]).replace(tzinfo=UTC)
    end = datetime.fromisoformat(days[-1]).replace(tzinfo=UTC) + timedelta(days=1)
    return DetectionContext(
        start=end - timedelta(days=1),
        end=end,
        timezone="Europe/Madrid",
        opening_hours={d: [("07:00", "22:00")] for d in range(5)},
        settings=DetectionSettings(baseline_days=(end - first).days - 1),
    )


def timed_pass(con: object, folder: Path, ctx: DetectionContext) -> tuple[float, list[Finding]]:
    began = time.perf_counter()
    findings = run_detectors(con, folder, ORG, ctx)
    return time.perf_counter() - began, findings


def summary(findings: list[Finding]) -> list[tuple[str, str, str, int]]:
    return sorted((f.kind, f.key, f.user, f.count) for f in findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="cs-bench-spark-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows, days = stored_days(folder)
    build_s = 0.0
    if rows < args.events:
        build_s = build_store(folder, args.events)
        rows, days = stored_days(folder)
    ctx = context(days)

    import ibis

    duck_s, on_duckdb = timed_pass(ibis.duckdb.connect(threads=2), folder, ctx)
    began = time.perf_counter()
    spark = engines.connect("spark")
    session_s = time.perf_counter() - began
    first_s, _ = timed_pass(spark, folder, ctx)
    spark_s, on_spark = timed_pass(spark, folder, ctx)
    spark._session.stop()
    kinds: dict[str, int] = {}
    for finding in on_duckdb:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    result = {
        "bench": "monitoring_spark",
        "events": rows,
        "days": len(days),
        "build_store_s": round(build_s, 1),
        "duckdb_s": round(duck_s, 2),
        "spark_session_start_s": round(session_s, 1),
        "spark_first_pass_s": round(first_s, 2),
        "spark_s": round(spark_s, 2),
        "ratio_spark_vs_duckdb": round(spark_s / duck_s, 1),
        "same_findings": summary(on_spark) == summary(on_duckdb),
        "findings": kinds,
        # Wall times on a shared machine: the load says how shared it was.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
