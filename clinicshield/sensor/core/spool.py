"""The sensor's spool: batches on disk, in the order they are to be sent.

A batch is written under a temporary dot-name, flushed to disk and renamed, so the spool
never holds half a batch; it leaves the spool only once the server has acknowledged it
(or refused it for good: then it is moved to ``held/`` with the reason beside it, for a
person to look at). A batch's file name says its place in the queue and which lines of
which stream it holds: ``<seq>_<stream>_<start>_<end>.<encoding>``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(
    r"^(?P<seq>\d{12})_(?P<stream>[0-9a-f]{16})_(?P<start>\d+)_(?P<end>\d+)\.(?P<enc>zstd|gzip)$"
)


@dataclass(frozen=True)
class SpooledBatch:
    path: Path
    seq: int
    stream: str
    start: int
    end: int
    encoding: str

    @classmethod
    def from_path(cls, path: Path) -> SpooledBatch | None:
        match = _NAME.match(path.name)
        if not match:
            return None
        return cls(
            path,
            int(match["seq"]),
            match["stream"],
            int(match["start"]),
            int(match["end"]),
            match["enc"],
        )


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Spool:
    """Thread-safe: the readers put, the sender takes the oldest and acknowledges it."""

    def __init__(self, root: Path, limit_bytes: int) -> None:
        self.root = Path(root)
        self.limit_bytes = limit_bytes
        self.batches = self.root / "batches"
        self.held = self.root / "held"
        self.state = self.root / "state"
        for folder in (self.batches, self.held, self.state):
            folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        for leftover in self.batches.glob(".*.tmp"):  # a crash while writing: never queued
            leftover.unlink()
        queued = self.queued()
        self._next_seq = queued[-1].seq + 1 if queued else 0
        self._bytes = sum(b.path.stat().st_size for b in queued)
        self._count = len(queued)
        self.identity = self._identity()

    def _identity(self) -> dict[str, str]:
        """What this spool keeps across restarts: the key of its syslog stream (its lines
        are numbered from the spool, so a new spool starts a new stream)."""
        path = self.root / "sensor.json"
        if path.exists():
            return dict(json.loads(path.read_text()))
        identity = {"syslog_stream": secrets.token_hex(8)}
        _write_atomically(path, json.dumps(identity).encode())
        return identity

    def queued(self) -> list[SpooledBatch]:
        found = (SpooledBatch.from_path(p) for p in self.batches.iterdir())
        return sorted((b for b in found if b is not None), key=lambda b: b.seq)

    def put(
        self,
        stream: str,
        start: int,
        end: int,
        encoding: str,
        body: bytes,
        commit: Callable[[], None] | None = None,
    ) -> SpooledBatch:
        """Queue a batch; ``commit`` (moving the reader's position past it) runs before the
        sender can take the batch, so a crash never leaves a sent batch whose lines the
        reader would number again."""
        with self._lock:
            name = f"{self._next_seq:012d}_{stream}_{start}_{end}.{encoding}"
            _write_atomically(self.batches / name, body)
            self._next_seq += 1
            self._bytes += len(body)
            self._count += 1
            if commit is not None:
                commit()
        batch = SpooledBatch.from_path(self.batches / name)
        assert batch is not None
        return batch

    def last_end(self, stream: str) -> int | None:
        """Where the last queued batch of ``stream`` ends (None: none queued)."""
        ends = [b.end for b in self.queued() if b.stream == stream]
        return max(ends) if ends else None

    def oldest(self) -> SpooledBatch | None:
        queued = self.queued()
        return queued[0] if queued else None

    def _forget(self, batch: SpooledBatch) -> None:
        self._bytes = max(0, self._bytes - batch.path.stat().st_size)
        self._count = max(0, self._count - 1)

    def acknowledge(self, batch: SpooledBatch) -> None:
        with self._lock:
            self._forget(batch)
            batch.path.unlink()

    def hold(self, batch: SpooledBatch, reason: str) -> None:
        """Set aside a batch the server refused for good, with the reason beside it."""
        with self._lock:
            self._forget(batch)
            os.replace(batch.path, self.held / batch.path.name)
            _write_atomically(self.held / f"{batch.path.name}.why.txt", reason.encode())

    @property
    def size_bytes(self) -> int:
        return self._bytes

    @property
    def count(self) -> int:
        return self._count

    def is_full(self) -> bool:
        return self._bytes >= self.limit_bytes

    def oldest_age_seconds(self, now: float | None = None) -> float | None:
        oldest = self.oldest()
        if oldest is None:
            return None
        try:
            return max(0.0, (now or time.time()) - oldest.path.stat().st_mtime)
        except FileNotFoundError:  # acknowledged meanwhile
            return None
