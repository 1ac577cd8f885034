"""A simulated chain of 2,600 clinics through site sensors into one central server.

    .venv/bin/python bench/chain_simulation.py [--sites 2600] [--per-site 40]
        [--flows-per-host 8] [--history-days 15] [--sensor-processes 4] [--cli-sites 26]
        [--web-workers 2] [--engines duckdb,spark] [--repeat 3] [--seed 1] [--keep DIR]

1. The chain (bench/chain_world.py): ``--sites`` sites of ``--per-site`` staff, one
   organisation, a site token per site. The central store first receives the
   ``--history-days`` days before the simulated day (2026-03-04), ingested locally: the
   baselines a chain's store holds. The simulated day (sign-ins as Entra JSON lines, flows
   as Zeek conn.log JSON lines, the planted anomalies among them) is written per site.
2. Ingestion: a central ``clinicshield serve`` on loopback; ``--cli-sites`` sites (spread
   over the chain) each through a real ``clinicshield sensor --once`` process, one at a
   time; then every other site through ``--sensor-processes`` worker processes, each
   running the sensor's own code for its sites in turn (bench/chain_sensors.py says why
   and what that leaves out). Measured: wall time, events stored, the central server's
   CPU seconds (every process of ``serve``), its peak memory, Parquet files written.
3. Detection: ``clinicshield detect --since 2026-03-04 --now 2026-03-05`` (every detector,
   the day against its baseline) on DuckDB, then on Spark local
   (CLINICSHIELD_DETECTION_ENGINE=spark) from a copy of the same database; wall, CPU and
   peak memory of the command, and whether each planted anomaly became an alert.
4. The chain dashboard (bench/chain_dashboard.py) on the central database.

Prints one JSON line. The serve's own 15-minute detection is kept out of the measurement
by a detection run recorded up to 2100 (the measured pass names its window).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from chain_central import Central, cli, measured  # noqa: E402
from chain_sensors import environment, job, run_cli, run_workers  # noqa: E402
from chain_world import DAY, Chain, expected, site_name, write_day, write_history  # noqa: E402

from clinicshield.monitoring.core.ingest import ingest_file  # noqa: E402

ORG = "chain"
MAKE_SITES = """
from datetime import datetime, UTC
from django.db import transaction
from clinicshield.accounts.actions import do_create_site, do_create_site_token
from clinicshield.accounts.models import Organisation
from clinicshield.monitoring.models import DetectionRun
org = Organisation.objects.get(slug={org!r})
with transaction.atomic():
    for n in range({sites}):
        site = do_create_site(org, "clinic-%04d" % n, "bench")
        print("token", n, do_create_site_token(site, "pc", "bench"))
    DetectionRun.objects.create(organisation=org, window_start=datetime.fromisoformat({start!r}),
                                window_end=datetime(2100, 1, 1, tzinfo=UTC))
"""


def prepare(args: argparse.Namespace, chain: Chain, folder: Path, central: Path) -> dict[str, Any]:
    """The organisation, its sites and tokens, the history in the store, the day's files."""
    began = time.perf_counter()
    cli(central, "createorg", "--name", "Chain", "--slug", ORG, "--timezone", "Europe/Madrid")
    first = DAY - timedelta(days=args.history_days)
    script = MAKE_SITES.format(org=ORG, sites=chain.sites, start=first.isoformat())
    tokens = {}
    for line in cli(central, "shell", "-c", script).splitlines():
        word, _space, rest = line.partition(" ")
        if word == "token":
            number, token = rest.split()
            tokens[int(number)] = token
    sites_s = time.perf_counter() - began
    history = folder / "history"
    history.mkdir()
    stored = 0
    written = write_history(chain, args.history_days, history)
    ingest_began = time.perf_counter()
    for path, fmt in zip(written, ("entra", "zeek"), strict=True):
        stored += ingest_file(path, data_dir=central, org=ORG, fmt=fmt).stored_total
        path.unlink()
    ingest_s = time.perf_counter() - ingest_began
    history_s = time.perf_counter() - began - sites_s
    files = write_day(chain, folder / "sites")
    staff = [(p.upn, site_name(p.site)) for p in chain.staff()]
    (folder / "staff.json").write_text(json.dumps(staff))
    jobs = [job(n, tokens[n], files[n], folder / "sites" / site_name(n)) for n in sorted(files)]
    lines = sum(path.read_bytes().count(b"\n") for pair in files.values() for path in pair)
    return {
        "jobs": jobs,
        "day_lines": lines,
        "history_events": stored,
        "sites_and_tokens_s": round(sites_s, 1),
        "history_s": round(history_s, 1),
        # The same parsers as the central server's, in one local process: the peer of
        # the sensors' path (clinicshield ingest of the history's two files).
        "history_local_ingest_s": round(ingest_s, 1),
        "history_local_ingest_events_per_s": round(stored / ingest_s),
        "prepare_s": round(time.perf_counter() - began, 1),
    }


def day_files(data_dir: Path) -> list[str]:
    pattern = f"kind=*/day={DAY:%Y-%m-%d}/*.parquet"
    return [str(p) for p in (data_dir / "events" / f"org={ORG}").glob(pattern)]


def stored_on_day(data_dir: Path) -> int:
    files = day_files(data_dir)
    if not files:
        return 0
    row = duckdb.execute("SELECT count(*) FROM read_parquet($f)", {"f": files}).fetchone()
    return int(row[0]) if row else 0


def ingest(
    args: argparse.Namespace, prepared: dict[str, Any], folder: Path, central_dir: Path
) -> dict[str, Any]:
    jobs = prepared["jobs"]
    step = max(1, len(jobs) // max(1, args.cli_sites)) if args.cli_sites else 0
    sample = jobs[::step][: args.cli_sites] if step else []
    rest = [j for j in jobs if j not in sample]
    central = Central(central_dir, args.web_workers)
    try:
        cpu0 = central.tree.cpu_seconds()
        cli_report = run_cli(central.url, sample) if sample else {}
        after_cli, cpu1 = stored_on_day(central_dir), central.tree.cpu_seconds()
        began = time.perf_counter()
        reports, sensor_cpu = run_workers(central.url, rest, args.sensor_processes, folder)
        wall = time.perf_counter() - began
        cpu2 = central.tree.cpu_seconds()
        memory = central.tree.memory_mib()
    finally:
        central.stop()
    events = stored_on_day(central_dir)
    bulk, batches = events - after_cli, sum(r["batches"] for r in reports)
    return {
        "events_stored": events,
        "lines_sent": prepared["day_lines"],
        "nothing_lost": events == prepared["day_lines"],
        "parquet_files_for_the_day": len(day_files(central_dir)),
        "cli_sensors": {**cli_report, "central_cpu_s": round(cpu1 - cpu0, 1)},
        "workers": {
            "processes": args.sensor_processes,
            "sites": len(rest),
            "seconds": round(wall, 1),
            "events": bulk,
            "events_per_s": round(bulk / wall),
            "central_cpu_s": round(cpu2 - cpu1, 1),
            "events_per_central_cpu_s": round(bulk / max(0.01, cpu2 - cpu1)),
            "batches": batches,
            "central_cpu_ms_per_batch": round(1000 * (cpu2 - cpu1) / max(1, batches)),
            "sensor_cpu_s": round(sensor_cpu, 1),
            "sensor_cpu_ms_per_site": round(1000 * sensor_cpu / max(1, len(rest))),
            "per_worker_s": [r["seconds"] for r in reports],
        },
        "central_peak_rss_mib": memory,
    }


def snapshot(source: Path, target: Path) -> None:
    """A second data dir for another engine: a copy of the database, the same events."""
    target.mkdir()
    with (
        sqlite3.connect(source / "clinicshield.sqlite3") as src,
        sqlite3.connect(target / "clinicshield.sqlite3") as dst,
    ):
        src.backup(dst)
    (target / "events").symlink_to(source / "events")


def detect(data_dir: Path, engine: str, want: dict[str, list[str]]) -> dict[str, Any]:
    since, now = DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()
    command = [sys.executable, "-m", "clinicshield.cli", "detect", "--org", ORG]
    command += ["--since", since, "--now", now, "--format", "json"]
    env = {**environment(data_dir), "CLINICSHIELD_DETECTION_ENGINE": engine}
    log = data_dir / f"detect-{engine}.log"
    run = measured(command, env, log)
    if run.pop("code"):
        raise SystemExit(f"detect on {engine} failed: {log.read_text()[-3000:]}")
    text = log.read_text()
    # The document, amid whatever the engine printed around it (Spark's goodbyes).
    report, _end = json.JSONDecoder().raw_decode(text[text.index("{") :])
    listing = cli(data_dir, "alerts", "--org", ORG, "--format", "json")
    alerts = [json.loads(line) for line in listing.splitlines() if line.startswith("{")]
    return {
        **run,
        "findings": report["findings"],
        "new_alerts": report["new_alerts"],
        "alerts_by_kind": _by_kind(alerts),
        "planted": _planted(alerts, want),
    }


def _by_kind(alerts: list[dict[str, Any]]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for alert in alerts:
        kinds[alert["kind"]] = kinds.get(alert["kind"], 0) + 1
    return dict(sorted(kinds.items()))


def _planted(alerts: list[dict[str, Any]], want: dict[str, list[str]]) -> dict[str, str]:
    """For each planted anomaly: "found" when an alert of its kind names it."""
    verdicts = {}
    for kind, subjects in want.items():
        said = [
            " ".join(str(a.get(f) or "") for f in ("user", "src_ip", "host", "explanation"))
            for a in alerts
            if a["kind"] == kind
        ]
        for subject in subjects:
            mark = subject.split("@")[0].lower()
            found = any(mark in text.lower() for text in said)
            verdicts[f"{kind} {subject}"] = "found" if found else "missed"
    return verdicts


def dashboard(central_dir: Path, folder: Path, repeat: int) -> dict[str, Any]:
    script = ROOT / "bench" / "chain_dashboard.py"
    command = [sys.executable, str(script), str(central_dir), ORG, str(folder / "staff.json")]
    log = folder / "dashboard.log"
    run = measured([*command, str(repeat)], environment(central_dir), log)
    code = run.pop("code")
    if code:
        # The minutes of ingestion and detection before it are still worth their line.
        print(f"the dashboard failed: {log.read_text()[-3000:]}", file=sys.stderr)
        return {"failed": f"exit code {code}, its output in {log}"}
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    return {**json.loads(lines[-1]), "process_peak_rss_mib": run["peak_rss_mib"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2600)
    parser.add_argument("--per-site", type=int, default=40)
    parser.add_argument("--flows-per-host", type=int, default=8)
    parser.add_argument("--history-days", type=int, default=15)
    parser.add_argument("--sensor-processes", type=int, default=4)
    parser.add_argument("--cli-sites", type=int, default=26)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--repeat", type=int, default=3, help="dashboard renders")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args()
    if args.history_days < 15:
        print("note: under 15 days of history nobody's habits are learned yet", file=sys.stderr)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cs-chain-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        print(json.dumps(simulate(args, folder)), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def simulate(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    chain = Chain(args.sites, args.per_site, args.flows_per_host, args.seed)
    central_dir = folder / "central"
    central_dir.mkdir()
    began = time.perf_counter()
    prepared = prepare(args, chain, folder, central_dir)
    engines = [e for e in args.engines.split(",") if e]
    copies = {"duckdb": central_dir}
    ingestion = ingest(args, prepared, folder, central_dir)
    for engine in engines[1:]:
        copies[engine] = folder / f"central-{engine}"
        snapshot(central_dir, copies[engine])
    want = expected(chain.staff(), chain)
    store_events = int(
        duckdb.execute(
            "SELECT count(*) FROM read_parquet($f)",
            {"f": f"{central_dir}/events/org={ORG}/kind=*/day=*/*.parquet"},
        ).fetchone()[0]  # type: ignore[index]
    )
    detection = {
        engine: detect(copies.get(engine, central_dir), engine, want) for engine in engines
    }
    for run in detection.values():
        run["wall_s_per_million_store_events"] = round(run["wall_s"] * 1e6 / store_events, 1)
    if {"duckdb", "spark"} <= set(detection):
        duck, spark = detection["duckdb"], detection["spark"]
        detection["spark_vs_duckdb_wall"] = round(spark["wall_s"] / duck["wall_s"], 1)
        detection["same_alerts"] = (duck["alerts_by_kind"], duck["planted"]) == (
            spark["alerts_by_kind"],
            spark["planted"],
        )
    page = dashboard(central_dir, folder, args.repeat)
    return {
        "bench": "chain_simulation",
        "sites": chain.sites,
        "people": chain.people,
        "day": f"{DAY:%Y-%m-%d}",
        "history_days": args.history_days,
        "prepare": {k: v for k, v in prepared.items() if k != "jobs"},
        "ingestion": ingestion,
        "store_events": store_events,
        "detection": detection,
        "dashboard": page,
        "total_s": round(time.perf_counter() - began, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
