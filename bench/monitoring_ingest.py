"""Ingestion throughput per format, whole command: file -> queryable Parquet store.

Generates realistic synthetic logs of a clinic chain (200 sites): an sshd auth.log and
Entra ID sign-ins as JSON lines; Windows events as JSON lines built from the shared
sample's records; a dense Security.evtx (100-odd records per 64 KiB chunk, as real ones
hold) built from the real .evtx samples' own records by ``synthetic_evtx``. For each, runs
``clinicshield ingest FILE --org bench`` in a fresh data directory and prints one JSON line
with records/s (whole command, Django start-up included), CPU seconds and peak memory.
The tiny real .evtx samples (1-18 records each) are also run in one process, repeated,
without the command around them: the in-process row, kept for comparison.

    .venv/bin/python bench/monitoring_ingest.py [--lines 1000000] [--evtx-records 500000]
        [--keep DIR] [--only evtx]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from clinicshield.monitoring.core import synthetic, synthetic_evtx  # noqa: E402
from clinicshield.monitoring.core.geo import GeoLookup  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
# The real samples that come from a Security log: a dense Security.evtx is built of them.
SECURITY_EVTX = [
    "CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
    "DE_RDP_Tunneling_4624.evtx",
    "LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx",
    "LM_WMI_4624_4688_TargetHost.evtx",
]


def clinicshield(data_dir: Path, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICSHIELD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # An installed box keeps compiled bytecode; a shell that forbids writing it would make
    # every run compile a hundred modules again (0.1-0.15 s of start-up, measured).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["CLINICSHIELD_DATA_DIR"] = str(data_dir)
    env["CLINICSHIELD_CACHE_DIR"] = str(data_dir.parent / "cache")
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "clinicshield.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"clinicshield {' '.join(args)} failed: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def windows_json(path: Path, lines: int) -> int:
    """Windows events as JSON lines: the shared sample's records plus logons, repeated."""
    sample = next((SHARED / "windows-json").glob("*.json")).read_text().splitlines()
    logon = json.dumps(
        {
            "EventID": 4624,
            "Channel": "Security",
            "Hostname": "DC01",
            "SourceName": "Microsoft-Windows-Security-Auditing",
            "TimeCreated": "2026-03-03T08:00:00.000Z",
            "TargetUserName": "ana",
            "TargetDomainName": "CLINICA",
            "LogonType": "3",
            "IpAddress": "10.20.0.15",
            "IpPort": "50000",
        }
    )
    records = sample + [logon] * (len(sample) // 2)
    written = 0
    with open(path, "w") as out:
        while written < lines:
            for line in records[: lines - written]:
                out.write(line + "\n")
                written += 1
    return written


def evtx_copies(folder: Path, copies: int) -> list[Path]:
    files = []
    for n in range(copies):
        for source in sorted((SHARED / "evtx").glob("*.evtx")):
            target = folder / f"{source.stem}-{n}.evtx"
            # Each copy must differ in its first bytes, or the checkpoint (by content)
            # would rightly skip it: write the copy number into the header block's padding.
            data = bytearray(source.read_bytes())
            data[0x200:0x204] = n.to_bytes(4, "little")
            target.write_bytes(bytes(data))
            files.append(target)
    return files


def evtx_pipeline(files: list[Path], work: Path) -> dict:
    """EVTX records through decode (evtx-rs), flattening, parsing and the store, in one
    process: the public samples hold a few records each, so per-file start-up would
    otherwise be all one measures. Their records are read as one stream and run the way
    ``clinicshield ingest`` runs a large .evtx file: batches of the reader's size (the
    first an eighth), the first parsed alone, then decoding (evtx-rs, under the GIL) on
    this thread while ``ingest.PARALLEL_BATCHES`` threads parse and store the batches
    before (DuckDB, Arrow and Parquet work outside the GIL)."""
    from collections import deque
    from collections.abc import Iterator
    from concurrent.futures import Future, ThreadPoolExecutor
    from itertools import islice
    from typing import Any

    import evtx

    from clinicshield.monitoring.core import ingest, ingest_batch, store
    from clinicshield.monitoring.core.geo import GeoLookup
    from clinicshield.monitoring.core.parsers import Context, readers, records_per_batch, windows

    data_dir = work / "data-evtx-pipeline"
    shutil.rmtree(data_dir, ignore_errors=True)
    geo = GeoLookup(cache_dir=work / "cache")
    context = Context()
    per_batch = records_per_batch(context.batch_bytes)

    def records() -> Iterator[Any]:
        for path in files:
            yield from evtx.PyEvtxParser(str(path), number_of_threads=1).records_json()

    def batches() -> Iterator[readers.Batch]:
        stream, position, size = records(), 0, max(1, per_batch // 8)
        while kept := list(islice(stream, size)):
            lines = readers.evtx_lines(kept)
            end = position + len(kept)
            first = kept[0]["event_record_id"]
            yield readers.Batch(position, end, first, lines, ref_label="record", shape="evtx")
            position, size = end, per_batch

    def parse_and_store(batch: readers.Batch) -> int:
        parsed = windows.parse(batch, context, {})
        name = store.BatchName("0" * 16, batch.start, batch.end)
        stored = 0
        for kind, table in parsed.kinds.items():
            rows, _ = ingest_batch.finish_kind(kind, table, geo, source="evtx", source_file="bench")
            stored += store.append_events(data_dir, "bench", kind, rows, name)
        return stored

    began, cpu_began = time.perf_counter(), time.process_time()
    read = stored = 0
    # As ingest._done_in_order schedules them: first batch alone, then a few in flight.
    with ThreadPoolExecutor(ingest.PARALLEL_BATCHES) as pool:
        pending: deque[Future[int]] = deque()
        for n, batch in enumerate(batches()):
            read += batch.lines.num_rows
            if n == 0:
                stored += parse_and_store(batch)
                continue
            pending.append(pool.submit(parse_and_store, batch))
            if len(pending) >= ingest.PARALLEL_BATCHES:
                stored += pending.popleft().result()
        stored += sum(future.result() for future in pending)
    elapsed = time.perf_counter() - began
    return {
        "bench": "monitoring_ingest",
        "format": "evtx (7 tiny samples repeated, in-process pipeline, no command)",
        "records": read,
        "stored": stored,
        "quarantined": 0,
        "seconds": round(elapsed, 2),
        "records_per_s": round(read / elapsed),
        "cpu_seconds": round(time.process_time() - cpu_began, 2),
        "records_per_batch": per_batch,
    }


# The same extraction by DuckDB alone, file to Parquet, in a process that imports nothing
# else (no Django, no checkpoints, no enrichment): the floor our whole command stands on.
_FLOOR = (
    "import duckdb, sys, time\n"
    "began = time.perf_counter()\n"
    "con = duckdb.connect()\n"
    "params = {'path': sys.argv[2], **({'rx': sys.argv[3]} if sys.argv[3:] else {})}\n"
    "con.execute(sys.argv[1], params)\n"
    "print(time.perf_counter() - began)\n"
)
_FLOOR_SQL = {
    "syslog": (
        "COPY (SELECT regexp_extract(line, $rx, {groups}) AS f FROM read_csv($path, "
        "columns = {{'line': 'VARCHAR'}}, delim = '\\x1f', quote = '', escape = '', "
        "header = false, auto_detect = false) "
        "WHERE contains(line, 'sshd') OR contains(line, 'authentication failure;')) "
        "TO '{out}' (FORMAT parquet)"
    ),
    "entra": (
        "COPY (SELECT createdDateTime::TIMESTAMPTZ AS ts, lower(userPrincipalName) AS upn, "
        "ipAddress, status.errorCode AS error, appDisplayName, clientAppUsed, "
        "deviceDetail.operatingSystem AS os, deviceDetail.browser AS browser, "
        "location.countryOrRegion AS country FROM read_json($path, "
        "format = 'newline_delimited', columns = {columns})) TO '{out}' (FORMAT parquet)"
    ),
}


def duckdb_floor(name: str, path: Path, work: Path) -> dict:
    """Time DuckDB alone (two threads, its own file readers) on the same file."""
    from clinicshield.monitoring.core.parsers import entra, syslog

    out = work / f"floor-{name}.parquet"
    args: list[str] = []
    if name == "syslog":
        sql = _FLOOR_SQL[name].format(groups=list(syslog._3164_GROUPS), out=out)
        args = [syslog._HEADER_3164 + syslog._MESSAGE]
    else:
        columns = {k: _duck_type(v) for k, v in entra.SIGN_IN.items()}
        sql = _FLOOR_SQL[name].format(columns=columns, out=out)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _FLOOR, sql, str(path), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - began
    rows = int(
        duckdb.execute("SELECT count(*) FROM read_parquet($p)", {"p": str(out)}).fetchone()[0]
    )
    return {
        "bench": "monitoring_ingest",
        "format": f"{name} (DuckDB alone, the floor)",
        "rows_written": rows,
        "seconds": round(elapsed, 2),
        "inside_duckdb_seconds": round(float(done.stdout), 2),
    }


def _duck_type(value: object) -> str:
    """entra.SIGN_IN's shape as a DuckDB type name (nested dicts are structs)."""
    if isinstance(value, dict):
        return "STRUCT(" + ", ".join(f"{k} {_duck_type(v)}" for k, v in value.items()) + ")"
    return str(value)


def measure(name: str, files: list[Path], extra: list[str], records: int, work: Path) -> dict:
    data_dir = work / f"data-{name}"
    shutil.rmtree(data_dir, ignore_errors=True)
    clinicshield(data_dir, "createorg", "--name", "Bench", "--slug", "bench")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    elapsed, out = clinicshield(
        data_dir, "ingest", *map(str, files), "--org", "bench", "--output", "json", *extra
    )
    rows = [json.loads(line) for line in out.splitlines()]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(before, usage.ru_maxrss)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    read = sum(r["read"] for r in rows)
    stored = sum(r["stored"] for r in rows)
    # The same command again finds nothing new: what is left is its start-up (Python,
    # Django, the migrations check, pyarrow and DuckDB) and the checkpoint look-up.
    startup, _ = clinicshield(
        data_dir, "ingest", *map(str, files), "--org", "bench", "--output", "json", *extra
    )
    return {
        "bench": "monitoring_ingest",
        "format": name,
        "records": read,
        "stored": stored,
        "quarantined": sum(r["quarantined"] for r in rows),
        "seconds": round(elapsed, 2),
        "records_per_s": round(read / elapsed),
        "startup_seconds": round(startup, 2),
        "records_per_s_after_startup": round(read / max(elapsed - startup, 1e-3)),
        "peak_rss_mib": round(peak / 1024),
        "cpu_seconds": round(cpu, 2),
        "expected_records": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--evtx-copies", type=int, default=2000)
    parser.add_argument(
        "--evtx-records", type=int, default=500_000, help="records of the dense .evtx file"
    )
    parser.add_argument("--keep", help="work directory to keep (default: a temporary one)")
    parser.add_argument("--only", help="comma-separated formats to run (default: all)")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    auth = work / "auth.log"
    if not auth.exists():
        synthetic.write_sshd_auth_log(auth, args.lines, seed=1)
    entra = work / "entra.jsonl"
    if not entra.exists():
        synthetic.write_entra_jsonl(
            entra, args.lines, seed=1, start=synthetic.datetime(2025, 1, 6, tzinfo=synthetic.UTC)
        )
    winjson = work / "windows.json"
    if not winjson.exists():
        windows_json(winjson, args.lines // 4)
    evtx_dir = work / "evtx"
    evtx_dir.mkdir(exist_ok=True)
    evtx = evtx_copies(evtx_dir, args.evtx_copies)
    dense = work / f"Security-{args.evtx_records}.evtx"
    if not dense.exists():
        synthetic_evtx.write_dense_evtx(
            dense, [SHARED / "evtx" / name for name in SECURITY_EVTX], args.evtx_records
        )
    runs = [
        ("syslog", [auth], ["--year", "2025", "--timezone", "UTC"], args.lines),
        ("entra", [entra], [], args.lines),
        ("winjson", [winjson], [], args.lines // 4),
        ("evtx (the 7 real files)", evtx[:7], [], 0),
        ("evtx (dense Security.evtx, whole command)", [dense], [], args.evtx_records),
    ]
    only = set(args.only.split(",")) if args.only else None
    # The offline IP ranges are flattened into the cache on a box's first ingestion (about
    # 0.9 s, once); every run here finds them built, as every run after the first does.
    assert GeoLookup(cache_dir=work / "cache").shipped is not None
    for name, files, extra, records in runs:
        if only and name.split()[0] not in only:
            continue
        result = measure(name, files, extra, records, work)
        result["load_average_at_start"] = round(load, 1)
        print(json.dumps(result), flush=True)
        if name in _FLOOR_SQL:
            print(json.dumps(duckdb_floor(name, files[0], work)), flush=True)
    if not only or "evtx" in only:
        result = evtx_pipeline(evtx, work)
        result["load_average_at_start"] = round(os.getloadavg()[0], 1)
        print(json.dumps(result), flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
