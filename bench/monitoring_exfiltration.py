"""Benchmark: exfiltration judged over a long window, in one pass vs one pass per day.

    .venv/bin/python bench/monitoring_exfiltration.py [--days 365] [--hosts 60]
        [--flows-per-host-day 25] [--peer-days 365] [--dir /tmp/x]

Writes ``--days`` of flows (workstations sending a little to many outside addresses, a
backup server sending tens of GB a night, a thief from the middle of the span) as the
store's hive-partitioned Parquet, then times, on DuckDB:

- the new contract: one call of the detector over the whole span, every day judged
  against the days before it;
- the peer, the old contract: one call per day over the last ``--peer-days`` of the span
  (what ``detect --since`` did before), with the same detector.

Both must agree on the findings of the days both judged. Prints one JSON line with the
ratio of the peer's time per day to the single pass's.
"""

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinicshield.monitoring.core import engines  # noqa: E402
from clinicshield.monitoring.core.detectors.context import DetectionContext  # noqa: E402
from clinicshield.monitoring.core.detectors.events import event_table  # noqa: E402
from clinicshield.monitoring.core.detectors.exfiltration import (  # noqa: E402
    detect_exfiltration,
)
from clinicshield.monitoring.core.schema import FLOW  # noqa: E402

ORG = "bench-exfil"
START = datetime(2019, 1, 1, tzinfo=UTC)
GiB = 1024**3


def generate(folder: Path, days: int, hosts: int, per_host_day: int, seed: int = 7) -> int:
    rng = np.random.default_rng(seed)
    outside = np.array([f"52.{n // 250}.{n % 250}.9" for n in range(500)])
    total = 0
    for day in range(days):
        moment = START + timedelta(days=day)
        size = hosts * per_host_day
        src = np.array([f"10.2.{n // 250}.{n % 250 + 1}" for n in range(hosts)])
        src = src[rng.integers(0, hosts, size)]
        dst = outside[rng.integers(0, len(outside), size)]
        sent = rng.lognormal(11, 1.5, size).astype(np.int64) + 1
        # The backup server's night, and a thief's from the middle of the span on.
        src = np.append(src, ["10.2.9.9"] * 4)
        dst = np.append(dst, ["34.120.88.7"] * 4)
        sent = np.append(sent, rng.integers(10, 15, 4) * GiB)
        if day >= days // 2:
            src, dst = np.append(src, "10.2.0.5"), np.append(dst, "185.220.101.4")
            sent = np.append(sent, rng.integers(20, 40) * GiB)
        seconds = rng.integers(0, 86400, len(src))
        ts = np.datetime64(moment.replace(tzinfo=None), "us") + seconds.astype("timedelta64[s]")
        columns = {
            "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "src_ip": pa.array(src),
            "dst_ip": pa.array(dst),
            "bytes_out": pa.array(sent),
            "record_ref": pa.array([f"{day}-{n}" for n in range(len(src))]),
        }
        table = pa.table(
            {f.name: columns.get(f.name, pa.nulls(len(src), f.type)) for f in FLOW}, FLOW
        )
        part = folder / "events" / f"org={ORG}" / "kind=flow" / f"day={moment:%Y-%m-%d}"
        part.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, part / "part-0.parquet")
        total += len(src)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--hosts", type=int, default=60)
    parser.add_argument("--flows-per-host-day", type=int, default=25)
    parser.add_argument("--peer-days", type=int, default=365)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="cs-bench-exfil-"))
    flows = generate(folder, args.days, args.hosts, args.flows_per_host_day)
    con = engines.connect("duckdb")
    table = event_table(con, folder, ORG, "flow")
    end = START + timedelta(days=args.days)

    began, cpu = time.perf_counter(), time.process_time()
    at_once = detect_exfiltration(con, table, DetectionContext(start=START, end=end))
    one_pass, one_pass_cpu = time.perf_counter() - began, time.process_time() - cpu

    peer_start = end - timedelta(days=args.peer_days)
    began, cpu = time.perf_counter(), time.process_time()
    day_by_day = []
    for day in range(args.peer_days):
        first = peer_start + timedelta(days=day)
        window = DetectionContext(start=first, end=first + timedelta(days=1))
        day_by_day += detect_exfiltration(con, table, window)
    peer, peer_cpu = time.perf_counter() - began, time.process_time() - cpu

    judged_by_both = [f for f in at_once if f.code == "exfiltration.daily"]
    judged_by_both = [f for f in judged_by_both if f.first_seen >= peer_start]
    agree = [asdict(f) for f in judged_by_both] == [
        asdict(f) for f in day_by_day if f.code == "exfiltration.daily"
    ]
    peer_per_day = peer / args.peer_days
    result = {
        "days": args.days,
        "flows": flows,
        "one_pass_s": round(one_pass, 2),
        "one_pass_cpu_s": round(one_pass_cpu, 2),
        "one_pass_findings": len(at_once),
        "peer_days": args.peer_days,
        "peer_s": round(peer, 2),
        "peer_cpu_s": round(peer_cpu, 2),
        "peer_s_per_day": round(peer_per_day, 3),
        "peer_estimate_for_span_s": round(peer_per_day * args.days, 1),
        "ratio_peer_span_to_one_pass": round(peer_per_day * args.days / one_pass, 1),
        "ratio_cpu": round(peer_cpu / args.peer_days * args.days / one_pass_cpu, 1),
        "daily_findings_agree": agree,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
