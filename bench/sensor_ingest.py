"""Site sensors into a central server: sustained lines/s with 1, 4 and 16 sensors.

One central `clinicshield serve` on a loopback port (its own data dir, gunicorn with
``--web-workers``), one organisation per run with 16 sites and a site token each. The
same synthetic auth.log (``synthetic.write_sshd_auth_log``, ``--lines`` lines, about 60 %
sshd) is cut into N contiguous files, one per sensor; the N sensors run at once
(``clinicshield sensor --once``: read the file, spool it, send it, wait for every
acknowledgement), and the clock runs from their start until the last one exits
(``seconds``, ``lines_per_s``: sensors' start-up included, 1-2 s of CPU each). The
``sustained_lines_per_s`` are the lines over the span between the first and the last
Parquet file the central server wrote for the run (its pace once batches flow). Every
run prints one JSON line; the peer is the same file through a local
``clinicshield ingest --format syslog`` in a fresh data dir, timed the same way (whole
command), and ``ratio`` is the sensors' lines/s over the peer's. ``same_events`` checks
that the central store holds exactly the events the peer stored.

    .venv/bin/python bench/sensor_ingest.py [--lines 960000] [--sensors 1,4,16]
        [--batch-kb 4096] [--web-workers 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chain_central import cli, start_central  # noqa: E402
from chain_sensors import environment  # noqa: E402

from clinicshield.monitoring.core import synthetic  # noqa: E402

SITES = 16
MAKE_ORG = """
from clinicshield.accounts.actions import (
    do_create_organisation, do_create_site, do_create_site_token,
)
for slug in {slugs!r}:
    org = do_create_organisation(slug, slug, "UTC", "bench")
    for n in range({sites}):
        site = do_create_site(org, f"site{{n:02d}}", "bench", timezone="UTC")
        print(slug, do_create_site_token(site, "pc", "bench"))
"""


def split(source: Path, parts: int, folder: Path) -> list[Path]:
    lines = source.read_bytes().splitlines(keepends=True)
    size = -(-len(lines) // parts)
    files = []
    for n in range(parts):
        path = folder / f"sensor{n:02d}" / "auth.log"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"".join(lines[n * size : (n + 1) * size]))
        files.append(path)
    return files


def writing_span(data_dir: Path, org: str) -> float:
    """Seconds between the first and the last event file the server wrote for ``org``."""
    times = [p.stat().st_mtime for p in (data_dir / "events" / f"org={org}").rglob("*.parquet")]
    return max(times) - min(times) if len(times) > 1 else 0.0


def stored_events(data_dir: Path, org: str) -> int:
    files = list((data_dir / "events" / f"org={org}").glob("kind=*/day=*/*.parquet"))
    if not files:
        return 0
    row = duckdb.execute("SELECT count(*) FROM read_parquet($f)", {"f": [str(f) for f in files]})
    return int(row.fetchone()[0])  # type: ignore[index]


def run_sensors(files: list[Path], tokens: list[str], url: str, batch_kb: int) -> float:
    sensors = []
    began = time.perf_counter()
    for path, token in zip(files, tokens, strict=False):
        token_file = path.parent / "site.token"
        token_file.write_text(token)
        token_file.chmod(0o600)
        command = [sys.executable, "-m", "clinicshield.cli", "sensor", "--server", url]
        command += ["--token-file", str(token_file), "--spool", str(path.parent / "spool")]
        command += ["--follow", f"syslog:{path}", "--once", "--batch-kb", str(batch_kb)]
        home = path.parent / "home"
        home.mkdir()
        sensors.append(subprocess.Popen(command, env=environment(home), stdout=subprocess.DEVNULL))
    codes = [sensor.wait() for sensor in sensors]
    seconds = time.perf_counter() - began
    if any(codes):
        raise SystemExit(f"a sensor failed: exit codes {codes}")
    return seconds


def peer(source: Path, folder: Path) -> tuple[float, int]:
    """The peer's whole command, once the shared IP ranges cache is built (both sides use
    it; the first ingest of a machine builds it)."""
    warm = folder / "warm"
    warm.mkdir()
    cli(warm, "createorg", "--name", "Warm", "--slug", "warm", "--timezone", "UTC")
    sample = warm / "sample.log"
    sample.write_bytes(b"".join(source.open("rb").readlines()[:100]))
    cli(warm, "ingest", str(sample), "--org", "warm", "--format", "syslog")
    data_dir = folder / "peer"
    data_dir.mkdir()
    cli(data_dir, "createorg", "--name", "Peer", "--slug", "peer", "--timezone", "UTC")
    began = time.perf_counter()
    cli(data_dir, "ingest", str(source), "--org", "peer", "--format", "syslog")
    return time.perf_counter() - began, stored_events(data_dir, "peer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=960_000)
    parser.add_argument("--sensors", default="1,4,16")
    parser.add_argument("--batch-kb", type=int, default=4096, help="the sensor's default")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args()
    counts = [int(n) for n in args.sensors.split(",")]
    if max(counts) > SITES:
        raise SystemExit(f"at most {SITES} sensors")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sensor-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        measure(args, counts, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def measure(args: argparse.Namespace, counts: list[int], folder: Path) -> None:
    source = folder / "auth.log"
    synthetic.write_sshd_auth_log(source, args.lines, seed=1)
    central_dir = folder / "central"
    central_dir.mkdir()
    slugs = [f"chain{n}" for n in counts]
    made = cli(central_dir, "shell", "-c", MAKE_ORG.format(slugs=slugs, sites=SITES))
    tokens: dict[str, list[str]] = {slug: [] for slug in slugs}
    for line in made.splitlines():
        slug, _space, token = line.partition(" ")
        if token.startswith("cs_site_"):
            tokens[slug].append(token)
    peer_seconds, peer_events = peer(source, folder)
    port = 18000 + os.getpid() % 1000
    central = start_central(central_dir, port, args.web_workers)
    rows = []
    try:
        for n, slug in zip(counts, slugs, strict=True):
            files = split(source, n, folder / slug)
            url = f"http://127.0.0.1:{port}"
            seconds = run_sensors(files, tokens[slug], url, args.batch_kb)
            events = stored_events(central_dir, slug)
            span = writing_span(central_dir, slug)
            rows.append(row(args, n, seconds, span, events, peer_seconds, peer_events))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        os.killpg(central.pid, signal.SIGINT)
        central.wait(60)
    table = {r["sensors"]: (r["lines_per_s"], r["sustained_lines_per_s"], r["ratio"]) for r in rows}
    print(json.dumps({"summary": table, "peer_lines_per_s": round(args.lines / peer_seconds)}))


def row(
    args: argparse.Namespace,
    sensors: int,
    seconds: float,
    span: float,
    events: int,
    peer_seconds: float,
    peer_events: int,
) -> dict[str, object]:
    rate, peer_rate = args.lines / seconds, args.lines / peer_seconds
    return {
        "sensors": sensors,
        "lines": args.lines,
        "events_stored": events,
        "seconds": round(seconds, 2),
        "lines_per_s": round(rate),
        "events_per_s": round(events / seconds),
        "sustained_lines_per_s": round(args.lines / span) if span else None,
        "peer": "clinicshield ingest --format syslog (local, whole command)",
        "peer_seconds": round(peer_seconds, 2),
        "peer_lines_per_s": round(peer_rate),
        "ratio": round(rate / peer_rate, 3),
        "same_events": events == peer_events,
        "batch_kb": args.batch_kb,
        "web_workers": args.web_workers,
    }


if __name__ == "__main__":
    main()
