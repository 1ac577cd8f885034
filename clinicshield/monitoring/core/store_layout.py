"""Where the event store's files are, and who may write them: paths, batch names, the
locks and the clean-up after a crash.

Plain files and names, no Parquet: ``ingest`` takes the lock and cleans up before it knows
whether a file holds anything new, and does so without loading pyarrow. The writing is
in :mod:`.store`, which also offers every name here.

Locks (``flock``, so a process that dies lets go of its locks):

- :func:`writer_lock`: one writer per stream or file source at a time, and writers of
  different streams of an organisation at the same time. A writer's checkpoint, batch
  files and pending list are its own (named after its key), so nothing else is shared.
- :func:`store_lock`: the whole store of an organisation, for the work that rewrites or
  removes whole days (compaction, retention). It waits for the writers at work, and
  writers that arrive meanwhile wait for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
BATCH_NAME = re.compile(r"^(?P<key>[0-9a-f]{16})-(?P<start>\d{15})-(?P<end>\d{15})")


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


def folder_day(day_dir: Path) -> date | None:
    """The day of a ``day=YYYY-MM-DD`` folder; None when the name is not one of ours."""
    try:
        return date.fromisoformat(day_dir.name.removeprefix("day="))
    except ValueError:
        return None


def earliest_day_changed_since(data_dir: Path, org: str, moment: datetime) -> date | None:
    """The earliest UTC day whose events changed since ``moment``: where a late file (a
    daily export, a copied log) added events older than what detection already examined.

    A day directory's modification time moves whenever a batch file is renamed into it or
    removed, so only the directories are looked at, never the files."""
    cutoff = moment.timestamp()
    earliest: date | None = None
    root = events_root(data_dir, org)
    for day_dir in root.glob("kind=*/day=*") if root.exists() else ():
        day = folder_day(day_dir)
        try:
            changed = day_dir.stat().st_mtime >= cutoff
        except OSError:  # removed meanwhile
            continue
        if day is not None and changed and (earliest is None or day < earliest):
            earliest = day
    return earliest


def kind_glob(data_dir: Path, org: str, kind: str) -> str:
    """The glob DuckDB reads one kind with (``hive_partitioning`` gives the ``day`` column)."""
    return str(events_root(data_dir, org) / f"kind={kind}" / "day=*" / "*.parquet")


@contextlib.contextmanager
def _locked(path: Path, mode: int) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, mode)  # let go when the file is closed, or the process dies
        yield


def _lock_files(data_dir: Path, org: str) -> tuple[Path, Path]:
    """The organisation's lock and its gate. ``flock`` lets a shared lock in while an
    exclusive one waits, so with writers always at work a compaction would never get in:
    writers pass the gate (exclusive, for an instant) to take the shared lock, and a
    compaction holds the gate while it waits for the writers at work to finish."""
    root = events_root(data_dir, org)
    root.mkdir(parents=True, exist_ok=True)
    return root / ".writer.lock", root / ".gate.lock"


@contextlib.contextmanager
def store_lock(data_dir: Path, org: str) -> Iterator[None]:
    """Hold the whole store of an organisation, no writer at work (blocks until free)."""
    lock, gate = _lock_files(data_dir, org)
    with _locked(gate, fcntl.LOCK_EX), _locked(lock, fcntl.LOCK_EX):
        yield


def stream_writer(stream: str) -> str:
    """Who writes a live stream's batches (``ingest_lines``), for :func:`writer_lock`."""
    return f"stream:{stream}"


def file_writer(source: str) -> str:
    """Who writes the files of a source (``ingest_file``), for :func:`writer_lock`. Per
    source, not per file: which checkpoint a file has (a short file that grew) is decided
    by comparing it with the source's others."""
    return f"file:{source}"


@contextlib.contextmanager
def writer_lock(data_dir: Path, org: str, writer: str) -> Iterator[None]:
    """Be the one writer of ``writer`` (a stream, a file source) in an organisation's store,
    beside the writers of others (blocks until free)."""
    lock, gate = _lock_files(data_dir, org)
    locks = lock.parent / ".locks"
    locks.mkdir(exist_ok=True)
    name = hashlib.sha256(writer.encode()).hexdigest()[:16]
    # This writer's own lock first: a writer waiting for it holds nothing a compaction
    # waits for.
    with _locked(locks / f"{name}.lock", fcntl.LOCK_EX), open(lock, "a") as shared:
        with _locked(gate, fcntl.LOCK_EX):
            fcntl.flock(shared, fcntl.LOCK_SH)
        yield


def _pending_list(data_dir: Path, org: str, source_key: str) -> Path:
    return events_root(data_dir, org) / ".pending" / source_key


def note_pending(data_dir: Path, org: str, source_key: str, targets: list[Path]) -> None:
    """Write down, durably, the files a batch of ``source_key`` is about to write: the
    clean-up after a crash removes them from this list instead of walking the store.

    Called by the source's one writer before the batch writes anything. Its threads may
    add batches side by side: each adds its lines in one ``write`` to a file opened for
    appending, which the kernel never interleaves with another."""
    path = _pending_list(data_dir, org, source_key)
    created = not path.exists()
    if created:
        path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"{target.relative_to(Path(data_dir))}\n" for target in targets)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, lines.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # the list's own name must outlive a power cut too
        fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (files created, renamed or removed in it) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _walked(data_dir: Path, org: str, source_key: str) -> list[str]:
    """Every batch file of ``source_key`` in the store, as a pending list names them."""
    found = []
    for root, pattern in (
        (events_root(data_dir, org), f"kind=*/day=*/{source_key}-*.parquet"),
        (quarantine_root(data_dir, org), f"{source_key}-*.parquet"),
    ):
        if root.exists():
            found += [str(p.relative_to(Path(data_dir))) for p in root.glob(pattern)]
            tmp_pattern = pattern.replace(f"{source_key}-", f".{source_key}-") + ".tmp"
            found += [
                str(p.with_name(p.name[1:-4]).relative_to(Path(data_dir)))
                for p in root.glob(tmp_pattern)
            ]
    return found


def discard_uncommitted(data_dir: Path, org: str, source_key: str, committed: int) -> int:
    """Remove the files of batches of ``source_key`` that start at or past ``committed``,
    and empty its pending list (call it holding the source's :func:`writer_lock`).

    They were written by a run that died before moving the checkpoint; the restarted run
    writes them again. Only the files on the source's pending list are looked at, so this
    costs what the last run wrote, not what the store holds. A source without a list yet
    (new, or written before stores kept lists) has its files found once by walking the
    store, as before lists: a crash's leftovers from before an upgrade are not stored twice.
    Returns how many files were removed.
    """
    path = _pending_list(data_dir, org, source_key)
    try:
        listed = path.read_text().splitlines()
    except FileNotFoundError:
        listed = _walked(data_dir, org, source_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    removed = 0
    for line in listed:
        target = Path(data_dir) / line
        match = BATCH_NAME.match(target.name)
        if not match or match["key"] != source_key:
            continue
        target.with_name(f".{target.name}.tmp").unlink(missing_ok=True)
        if int(match["start"]) >= committed:
            try:
                target.unlink()
            except FileNotFoundError:  # not written yet when the run died
                continue
            removed += 1
    os.truncate(path, 0)  # all handled: removed, or committed
    return removed
