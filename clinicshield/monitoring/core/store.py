"""The Parquet event store: hive-partitioned, append-only, written atomically.

Layout (under the data directory)::

    events/org=<slug>/kind=<kind>/day=<YYYY-MM-DD>/<batch>.parquet
    quarantine/org=<slug>/<batch>.parquet

Each ingestion batch writes its files under a name that says which source and which
range of positions it covers (``<source_key>-<start>-<end>``). A file is first written
under a temporary dot-name and then renamed, so a reader never sees half a file. A batch
counts only once its source's checkpoint has moved past it: on restart,
:func:`discard_uncommitted` removes files a crash left behind beyond the checkpoint, so
the batch is written again exactly once.

One process writes an organisation's store at a time (:func:`writer_lock`), as in
datasette's single-writer model; readers (DuckDB, Spark) never need the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schema import SCHEMAS

_UNIQUE_COLUMNS = {"ts", "record_ref", "raw", "src_port"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_BATCH_NAME = re.compile(r"^(?P<key>[0-9a-f]{16})-(?P<start>\d{15})-(?P<end>\d{15})")

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("received", pa.timestamp("us", tz="UTC")),
        pa.field("source", pa.string()),
        pa.field("source_file", pa.string()),
        pa.field("record_ref", pa.string()),  # "line 12", "offset 4096", "record 7"
        pa.field("reason", pa.string()),  # a code: bad_timestamp, impossible_timestamp, ...
        pa.field("raw", pa.string()),  # the record as read, cut to 2,000 characters
    ]
)


@dataclass(frozen=True)
class BatchName:
    """Which source and which positions ``[start, end)`` a batch of files covers."""

    source_key: str
    start: int
    end: int

    def stem(self) -> str:
        return f"{self.source_key}-{self.start:015d}-{self.end:015d}"


def check_slug(org: str) -> str:
    if not _SLUG.match(org):
        raise ValueError(f"not a valid organisation slug for the event store: {org!r}")
    return org


def events_root(data_dir: Path, org: str) -> Path:
    return Path(data_dir) / "events" / f"org={check_slug(org)}"


def quarantine_root(data_dir: Path, org: str) -> Path:
    return Path(data_dir) / "quarantine" / f"org={check_slug(org)}"


def earliest_day_changed_since(data_dir: Path, org: str, moment: datetime) -> date | None:
    """The earliest UTC day whose events changed since ``moment``: where a late file (a
    daily export, a copied log) added events older than what detection already examined.

    A day directory's modification time moves whenever a batch file is renamed into it or
    removed, so only the directories are looked at, never the files."""
    cutoff = moment.timestamp()
    earliest: date | None = None
    root = events_root(data_dir, org)
    for day_dir in root.glob("kind=*/day=*") if root.exists() else ():
        try:
            changed = day_dir.stat().st_mtime >= cutoff
            day = date.fromisoformat(day_dir.name.removeprefix("day="))
        except (OSError, ValueError):  # removed meanwhile, or not one of our day folders
            continue
        if changed and (earliest is None or day < earliest):
            earliest = day
    return earliest


def kind_glob(data_dir: Path, org: str, kind: str) -> str:
    """The glob DuckDB reads one kind with (``hive_partitioning`` gives the ``day`` column)."""
    return str(events_root(data_dir, org) / f"kind={kind}" / "day=*" / "*.parquet")


@contextlib.contextmanager
def writer_lock(data_dir: Path, org: str) -> Iterator[None]:
    """Hold the single-writer lock of an organisation's store (blocks until free)."""
    root = events_root(data_dir, org)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".writer.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    # Dictionary encoding pays for repeated values (users, hosts, codes), not for unique
    # ones such as record_ref; zstd level 1 compresses well at little CPU. Statistics only
    # for the time: readers skip row groups by time, and the others cost a quarter of
    # the write (measured) for nothing.
    dictionary = [c for c in table.column_names if c not in _UNIQUE_COLUMNS]
    statistics = [c for c in ("ts", "received") if c in table.column_names]
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        compression_level=1,
        use_dictionary=dictionary,
        write_statistics=statistics,
    )
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def append_events(data_dir: Path, org: str, kind: str, table: pa.Table, batch: BatchName) -> int:
    """Write ``table`` (of the kind's schema) as one file per UTC day; return rows written."""
    schema = SCHEMAS[kind]
    if table.num_rows == 0:
        return 0
    table = table.select(schema.names).cast(schema)
    days = table["ts"].cast(pa.date32())  # the UTC day: ts is stored in UTC
    root = events_root(data_dir, org) / f"kind={kind}"
    for day in pc.unique(days).to_pylist():
        part = table.filter(pc.equal(days, pa.scalar(day, pa.date32())))
        _write_atomically(part, root / f"day={day.isoformat()}" / f"{batch.stem()}.parquet")
    return table.num_rows


def append_quarantine(data_dir: Path, org: str, table: pa.Table, batch: BatchName) -> int:
    if table.num_rows == 0:
        return 0
    table = table.select(QUARANTINE_SCHEMA.names).cast(QUARANTINE_SCHEMA)
    _write_atomically(table, quarantine_root(data_dir, org) / f"{batch.stem()}.parquet")
    return table.num_rows


def _batch_files(data_dir: Path, org: str) -> Iterator[Path]:
    for root in (events_root(data_dir, org), quarantine_root(data_dir, org)):
        if root.exists():
            yield from root.rglob("*.parquet")
            yield from root.rglob(".*.tmp")


def discard_uncommitted(data_dir: Path, org: str, source_key: str, committed: int) -> int:
    """Remove the files of batches of ``source_key`` that start at or past ``committed``.

    They were written by a run that died before moving the checkpoint; the restarted run
    writes them again. Returns how many files were removed.
    """
    removed = 0
    for path in _batch_files(data_dir, org):
        name = path.name.lstrip(".")
        match = _BATCH_NAME.match(name)
        if not match or match["key"] != source_key:
            continue
        if int(match["start"]) >= committed or path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
