"""The hit log: where the tracking request path writes, one append per hit, no database.

Each process appends to a file of its own in `<data dir>/simulations/hits/`, named
`<host>-<pid>-<random>.hits` so that no name is ever used twice. A hit is one
`write()` of one whole line on a file opened with O_APPEND, made before the response
goes out: once a client has its answer, the hit is in the operating system's page
cache and survives the process, whether it stops cleanly, crashes or is killed (a
power cut can lose the last seconds, as SQLite in WAL mode with synchronous=NORMAL can
lose its last commits). The writer holds an exclusive flock on its file while it may
still append; the fold takes the lock to know that a file is finished (the kernel drops
the lock when the process ends, however it ends). A file is closed, and a new one
started, past ROTATE_BYTES.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .core.hits import Hit, encode_hit

SUFFIX = ".hits"
ROTATE_BYTES = 32 * 1024 * 1024


_directories: dict[str, Path] = {}


def hits_dir() -> Path:
    data_dir = str(settings.DATA_DIR)  # tests change it: look it up every time
    directory = _directories.get(data_dir)
    if directory is None:
        directory = _directories[data_dir] = Path(data_dir) / "simulations" / "hits"
    return directory


@dataclass
class _Writer:
    directory: Path
    pid: int
    fd: int
    size: int = 0


_lock = threading.Lock()
_writer: _Writer | None = None


def _open_writer(directory: Path) -> _Writer:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:60] or "host"
    name = f"{host}-{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
    fd = os.open(directory / name, flags, 0o600)  # hits hold addresses: owner only
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new name: nobody else holds it
    return _Writer(directory, os.getpid(), fd)


def _close(writer: _Writer) -> None:
    # In a forked child this drops only the child's reference: the lock belongs to the
    # open file, which stays locked while the parent keeps it.
    os.close(writer.fd)


def append_hit(hit: Hit) -> None:
    """Write one hit down. Raises OSError when it could not (disk full): the caller
    answers with an error rather than pretend the hit was kept."""
    global _writer
    line = encode_hit(hit)
    directory = hits_dir()
    with _lock:
        writer = _writer
        if writer is None or writer.pid != os.getpid() or writer.directory != directory:
            if writer is not None:
                _close(writer)
            writer = _writer = _open_writer(directory)
        written = os.write(writer.fd, line)
        writer.size += written
        if written != len(line):
            # A part of a line (disk full): close the file so nothing follows it there;
            # the fold sets the broken tail aside when it finishes the file.
            _close(writer)
            _writer = None
            raise OSError(f"hit log {directory}: wrote {written} of {len(line)} bytes")
        if writer.size >= ROTATE_BYTES:
            _close(writer)
            _writer = None


def close_hit_log() -> None:
    """Let go of this process's file (tests; a process that is about to stop)."""
    global _writer
    with _lock:
        if _writer is not None:
            _close(_writer)
            _writer = None
