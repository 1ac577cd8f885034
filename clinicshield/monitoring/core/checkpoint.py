"""Per-source checkpoints: how far into a file (or stream) the store already holds.

A file is recognised by its content, not its name: the SHA-256 of its first bytes (up to
1 KiB). A copy or a rename of a file already ingested is the same source, and a log that
keeps growing keeps its identity, so ingesting it again stores only the new lines.

The position is a byte offset for line formats and a record index for document formats
(JSON arrays, ``.evtx``). ``state`` carries what a parser must remember between batches
(the current year of a year-less syslog file, for instance). Checkpoints are small JSON
files replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FINGERPRINT_BYTES = 1024


@dataclass
class Checkpoint:
    source: str  # the log source's name
    key: str  # 16 hex digits, stable for the life of the source file
    fingerprint: str  # SHA-256 of the first ``fingerprint_len`` bytes
    fingerprint_len: int
    position: int = 0
    state: dict[str, Any] = field(default_factory=dict)
    path: str = ""  # where it was last read from (for people, not for matching)


def _prefix_hash(path: Path, length: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read(length)).hexdigest()


def _directory(data_dir: Path, org: str) -> Path:
    return Path(data_dir) / "checkpoints" / f"org={org}"


def _load(path: Path) -> Checkpoint:
    return Checkpoint(**json.loads(path.read_text()))


def load_all(data_dir: Path, org: str) -> list[Checkpoint]:
    folder = _directory(data_dir, org)
    if not folder.exists():
        return []
    return [_load(path) for path in sorted(folder.glob("*.json"))]


def _key(source: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{source}\0{fingerprint}".encode()).hexdigest()[:16]


def _file_name(checkpoint: Checkpoint) -> str:
    """Sources first seen shorter than the fingerprint get their own prefix: they are the
    only ones that must be compared one by one (their fingerprint grows with them)."""
    short = checkpoint.state.get("first_seen_short", False)
    return f"{'short-' if short else ''}{checkpoint.key}.json"


def for_file(data_dir: Path, org: str, source: str, path: Path) -> Checkpoint:
    """The checkpoint of ``path`` as source ``source``; a fresh one if never seen.

    A file of a full KiB or more is found by name (its key is its fingerprint's), so a
    thousand sources cost a thousand lookups, not a million comparisons."""
    size = path.stat().st_size
    folder = _directory(data_dir, org)
    length = min(size, FINGERPRINT_BYTES)
    fingerprint = _prefix_hash(path, length)
    key = _key(source, fingerprint)
    if length == FINGERPRINT_BYTES and (folder / f"{key}.json").exists():
        known = _load(folder / f"{key}.json")
        known.path = str(path)
        return known
    for candidate in sorted(folder.glob("short-*.json")) if folder.exists() else []:
        known = _load(candidate)
        if known.source != source or known.fingerprint_len > size:
            continue
        if _prefix_hash(path, known.fingerprint_len) == known.fingerprint:
            known.path = str(path)
            return known
    state = {"first_seen_short": True} if length < FINGERPRINT_BYTES else {}
    return Checkpoint(source, key, fingerprint, length, state=state, path=str(path))


class ReadAsAnotherSource(ValueError):
    """The file's content is already in the store under another log source's name."""


def refuse_if_read_as_another_source(data_dir: Path, org: str, checkpoint: Checkpoint) -> None:
    """Raise :class:`ReadAsAnotherSource` when ``checkpoint`` is new to its source but its
    file was read as another: storing it again would count every record twice (twice the
    failures for brute force, a spray out of one). Called only for a file new to its
    source, so reading every checkpoint once is cheap."""
    for known in load_all(data_dir, org):
        same = (known.fingerprint, known.fingerprint_len) == (
            checkpoint.fingerprint,
            checkpoint.fingerprint_len,
        )
        if same and known.source != checkpoint.source and known.position > 0:
            raise ReadAsAnotherSource(
                f"already read as log source {known.source!r} (from {known.path}); reading "
                f"it as {checkpoint.source!r} too would count its records twice: use "
                f"--source {known.source}"
            )


def for_stream(data_dir: Path, org: str, source: str) -> Checkpoint:
    """The checkpoint of a live stream (syslog receiver): position counts messages."""
    key = hashlib.sha256(f"stream\0{source}".encode()).hexdigest()[:16]
    path = _directory(data_dir, org) / f"{key}.json"
    if path.exists():
        return _load(path)
    return Checkpoint(source, key, fingerprint="", fingerprint_len=0, path=f"stream:{source}")


def save(data_dir: Path, org: str, checkpoint: Checkpoint, file_path: Path | None = None) -> None:
    """Persist ``checkpoint`` atomically; refresh the fingerprint if the file has grown."""
    if file_path is not None and checkpoint.fingerprint_len < FINGERPRINT_BYTES:
        length = min(file_path.stat().st_size, FINGERPRINT_BYTES)
        checkpoint.fingerprint = _prefix_hash(file_path, length)
        checkpoint.fingerprint_len = length
    folder = _directory(data_dir, org)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _file_name(checkpoint)
    tmp = folder / f".{target.name}.tmp"
    with open(tmp, "w") as handle:
        json.dump(asdict(checkpoint), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
