"""Compaction of closed days: a day folder's many small batch files become one Parquet file.

Ingestion writes one file per batch and day (a site sensor's batch every few seconds), so a
chain's day holds thousands of files, and reading a file costs more than its rows
(docs/benchmarks.md). Once a day is closed (older than a grace period, and every batch in it
committed by its checkpoint), its files are merged into ``compacted-<digest>.parquet``,
sorted by source (a site's sensors name their sources after the site) and time, with
statistics on both, so a site's or an hour's rows are skipped by row group.

Crash safety: the merged file is written, with its folder, under a hidden name beside the
day (``.day=D.new``); then the day is swapped in two renames (``day=D`` -> ``.day=D.old``,
``.day=D.new`` -> ``day=D``) and the old folder removed. Readers glob ``day=*`` and never
see a hidden folder, so at any moment they see the old files or the new one, never both;
between the two renames (microseconds, or until recovery after a crash) the day is absent,
never doubled. :func:`recover` finishes or undoes a swap a crash interrupted; every
compaction starts with it. The new folder keeps the old one's modification time, so
``detect``'s late-file look-up (folder times) does not take a compaction for new events.

Compacted names do not look like batch names (``<key>-<start>-<end>``) and are on no
source's pending list, so the clean-up after a crashed ingest
(:func:`store_layout.discard_uncommitted`) never removes them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import checkpoint
from .schema import SCHEMAS
from .store_layout import BATCH_NAME, events_root, folder_day, fsync_dir, store_lock

COMPACTED_PREFIX = "compacted-"
# Rows per row group: DuckDB's default; a site's rows of a day fall in one or two.
ROW_GROUP_ROWS = 122_880
# Tests kill a real run at a named step with this variable (never set in production).
KILL_AT_ENV = "CLINICSHIELD_TEST_COMPACT_KILL_AT"


@dataclass
class CompactionResult:
    days: int = 0  # day folders compacted (one per kind and day)
    files_before: int = 0
    files_after: int = 0
    rows: int = 0
    skipped: list[str] = field(default_factory=list)  # "kind/day: why", days left alone


def _kill_point(step: str) -> None:
    if os.environ.get(KILL_AT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def recover(kind_dir: Path) -> None:
    """Finish or undo the day swaps a crash interrupted in one kind's folder."""
    for old in kind_dir.glob(".day=*.old"):
        day = kind_dir / old.name[1:].removesuffix(".old")
        new = kind_dir / f".{day.name}.new"
        if not day.exists():  # killed between the two renames: the new day is whole
            os.replace(new if new.exists() else old, day)
        shutil.rmtree(old, ignore_errors=True)
    for new in kind_dir.glob(".day=*.new"):  # killed before the swap: the old day stands
        shutil.rmtree(new, ignore_errors=True)


def _uncommitted(files: list[Path], positions: dict[str, int]) -> list[Path]:
    """Batch files past their source's checkpoint (or of a source without one): a crashed
    ingest's leftovers, which its next run removes and writes again."""
    found = []
    for path in files:
        match = BATCH_NAME.match(path.name)
        if match and int(match["start"]) >= positions.get(match["key"], 0):
            found.append(path)
    return found


def closed_days(kind_dir: Path, before: date) -> Iterator[tuple[date, Path]]:
    for day_dir in sorted(kind_dir.glob("day=*")):
        day = folder_day(day_dir)
        if day is not None and day < before:
            yield day, day_dir


def _merge(files: list[Path], kind: str, target: Path) -> int:
    """Write ``files`` as one Parquet file at ``target``, sorted by source and time; its rows.

    DuckDB sorts out of core (it spills to a folder beside the store when a chain's day does
    not fit in memory) and writes statistics for every column."""
    import duckdb
    import pyarrow.parquet as pq

    columns = ", ".join(f'"{name}"' for name in SCHEMAS[kind].names)
    quoted_target = str(target).replace("'", "''")
    with duckdb.connect() as con:
        con.execute("SET preserve_insertion_order = false")
        spill = str(target.parent / ".spill").replace("'", "''")
        con.execute(f"SET temp_directory = '{spill}'")
        con.execute(
            f"COPY (SELECT {columns} FROM read_parquet($files, union_by_name = true, "  # noqa: S608 - our schema's names
            "hive_partitioning = false) ORDER BY source, ts) "
            f"TO '{quoted_target}' "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})",
            {"files": [str(f) for f in files]},
        )
    shutil.rmtree(target.parent / ".spill", ignore_errors=True)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    return int(pq.read_metadata(target).num_rows)


def compact_day(day_dir: Path, kind: str, positions: dict[str, int]) -> tuple[int, int] | str:
    """Compact one day folder; (files before, rows) or why it was left alone."""
    files = sorted(day_dir.glob("*.parquet"))
    if len(files) < 2:
        return "nothing to merge"
    if any(day_dir.glob(".*.tmp")) or _uncommitted(files, positions):
        return "holds batches not yet committed"
    kind_dir = day_dir.parent
    digest = hashlib.sha256("\0".join(f.name for f in files).encode()).hexdigest()[:16]
    new = kind_dir / f".{day_dir.name}.new"
    old = kind_dir / f".{day_dir.name}.old"
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    rows = _merge(files, kind, new / f"{COMPACTED_PREFIX}{digest}.parquet")
    fsync_dir(new)
    stat = day_dir.stat()
    _kill_point("written")
    os.replace(day_dir, old)
    _kill_point("hidden")
    os.replace(new, day_dir)
    # The day's time as it was: a compaction adds no events for detect to look at again.
    os.utime(day_dir, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fsync_dir(kind_dir)
    _kill_point("swapped")
    shutil.rmtree(old)
    return len(files), rows


def compact_store(data_dir: Path, org: str, before: date) -> CompactionResult:
    """Compact every day folder of ``org`` before ``before`` whose batches are committed.

    Holds the whole store (no writer at work, :func:`store_lock`) one day at a time, so
    ingestion waits a day's merge at most; safe to stop at any moment and to run again."""
    result = CompactionResult()
    root = events_root(data_dir, org)
    for kind in SCHEMAS:
        kind_dir = root / f"kind={kind}"
        if not kind_dir.exists():
            continue
        with store_lock(data_dir, org):
            recover(kind_dir)
        for day, day_dir in list(closed_days(kind_dir, before)):
            with store_lock(data_dir, org):
                positions = {cp.key: cp.position for cp in checkpoint.load_all(data_dir, org)}
                done = compact_day(day_dir, kind, positions)
            if isinstance(done, str):
                if done != "nothing to merge":
                    result.skipped.append(f"{kind}/{day.isoformat()}: {done}")
                continue
            result.days += 1
            result.files_before += done[0]
            result.files_after += 1
            result.rows += done[1]
    return result
