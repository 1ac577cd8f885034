"""The fold: hits written down by the request path become tracking events and statuses.

It reads each hit log file (hitlog.py) from its checkpoint, a batch of whole lines at a
time, and in one transaction per batch: judges every hit (person or scanner, core.fold),
stores one TrackingEvent per hit, moves recipients up their ladder, and moves the
file's checkpoint past the batch. A fold stopped anywhere (killed, restarted, the
machine rebooted) leaves either the whole batch or none of it, so every hit becomes
exactly one event. Folds that run at once (the worker's, a results page's) take turns
on the checkpoint row: SQLite lets one writer in at a time, PostgreSQL locks the row.

A file whose writer has let go of its lock (rotated, or the process ended) is folded
to its end, then deleted, then its checkpoint forgotten, in that order: a fold stopped
between the two leaves a checkpoint without a file, which the next fold forgets.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path

from django.db import transaction

from ..core.hits import BadHit, Hit, complete_lines, decode_hit
from ..hitlog import SUFFIX, hits_dir
from ..models import HitLogCheckpoint, QuarantinedHit
from .fold_batch import fold_hits

log = logging.getLogger(__name__)

BATCH_HITS = 1000  # hits per transaction: the write lock is held for tens of milliseconds
READ_BYTES = 1024 * 1024  # far more than BATCH_HITS lines (a line is under 2 KB)


@dataclass
class FoldSummary:
    hits: int = 0  # lines read
    events: int = 0  # tracking events stored
    moves: int = 0  # status moves (a person went further)
    refused: int = 0  # event not of the campaign's kind: not stored, as before
    unknown: int = 0  # token of no recipient any more (campaign deleted)
    quarantined: int = 0
    files_finished: int = 0

    def add(self, other: FoldSummary) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


def do_fold_hits() -> FoldSummary:
    """Fold every hit written so far. Cheap when there is none (a listing, one query)."""
    summary = FoldSummary()
    # Checkpoints first, files second: a checkpoint whose file is missing from the later
    # listing belongs to a finished file (names are never reused) and can be forgotten.
    offsets = dict(HitLogCheckpoint.objects.values_list("name", "offset"))
    directory = hits_dir()
    names = sorted(p.name for p in directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []
    for name in names:
        _fold_file(directory / name, offsets.get(name, 0), summary)
    stale = set(offsets) - set(names)
    if stale:
        HitLogCheckpoint.objects.filter(name__in=stale).delete()
    return summary


def unfolded_bytes() -> int:
    """Bytes of hits written but not folded yet (0 when every page is exact as it is)."""
    offsets = dict(HitLogCheckpoint.objects.values_list("name", "offset"))
    directory = hits_dir()
    if not directory.is_dir():
        return 0
    total = 0
    for path in directory.glob(f"*{SUFFIX}"):
        try:
            total += max(0, path.stat().st_size - offsets.get(path.name, 0))
        except FileNotFoundError:
            continue
    return total


def _writer_gone(path: Path) -> int | None:
    """An open descriptor holding the file's lock when its writer has let go, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _fold_file(path: Path, offset: int, summary: FoldSummary) -> None:
    # Take the lock before reading: a writer gone at this moment can append nothing more,
    # so the file is whole once folded to its end and can go.
    finished = _writer_gone(path)
    try:
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return
        if finished is None and size <= offset:
            return
        while _fold_batch(path, summary, whole=finished is not None):
            pass
        if finished is not None:
            path.unlink(missing_ok=True)
            HitLogCheckpoint.objects.filter(name=path.name).delete()
            summary.files_finished += 1
    finally:
        if finished is not None:
            os.close(finished)


def _fold_batch(path: Path, summary: FoldSummary, whole: bool) -> bool:
    """Fold the next batch of `path`; False when there is nothing (more) to fold."""
    batch = FoldSummary()
    try:
        with transaction.atomic():
            HitLogCheckpoint.objects.get_or_create(name=path.name)
            checkpoint = HitLogCheckpoint.objects.select_for_update().get(name=path.name)
            with path.open("rb") as handle:
                handle.seek(checkpoint.offset)
                chunk = handle.read(READ_BYTES)
            lines, consumed = complete_lines(chunk, BATCH_HITS)
            if not lines and chunk and (whole or len(chunk) == READ_BYTES):
                # A tail its writer will never end (a write cut short), or a run of bytes
                # no hit could be: set it aside whole rather than wait for it forever.
                lines, consumed = [chunk], len(chunk)
            if not lines:
                return False
            hits = _decode(path.name, checkpoint.offset, lines, batch)
            outcome = fold_hits(hits)
            batch.hits += len(lines)
            batch.events += outcome.events
            batch.moves += outcome.moves
            batch.refused += outcome.refused
            batch.unknown += outcome.unknown
            checkpoint.offset += consumed
            checkpoint.folded += len(lines)
            checkpoint.save(update_fields=["offset", "folded", "updated_at"])
    except FileNotFoundError:  # finished and deleted by a fold running beside this one
        return False
    summary.add(batch)
    return True


def _decode(name: str, offset: int, lines: list[bytes], batch: FoldSummary) -> list[Hit]:
    hits = []
    for line in lines:
        try:
            hits.append(decode_hit(line))
        except BadHit as error:
            log.warning("hit log %s at byte %d: %s; set aside", name, offset, error)
            QuarantinedHit.objects.get_or_create(
                source=name, offset=offset, defaults={"reason": str(error)[:200], "line": line}
            )
            batch.quarantined += 1
        offset += len(line) + 1
    return hits


# The request path asks the worker for a fold at most once a FOLD_DELAY: the fold runs
# that long after the first hit, so it finds that hit and those that followed it.
FOLD_DELAY_SECONDS = 1.0
_fold_asked_at = 0.0
_ask_lock = threading.Lock()


def request_fold() -> None:
    """Ask the worker to fold soon. Never fails a hit: the minute job folds what is left."""
    global _fold_asked_at
    now = time.monotonic()
    with _ask_lock:
        if now - _fold_asked_at < FOLD_DELAY_SECONDS:
            return
        _fold_asked_at = now
    from .. import tasks

    try:
        tasks.fold_hits_task.schedule(delay=FOLD_DELAY_SECONDS)
    except Exception:  # noqa: BLE001 - the queue's trouble must not lose or fail the hit
        log.warning("could not ask the worker to fold tracking hits", exc_info=True)
