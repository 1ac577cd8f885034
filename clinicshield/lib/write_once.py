"""Files made once and never changed, by whichever process gets there first."""

import contextlib
import os
import tempfile
from pathlib import Path


def write_once(path: Path, text: str, mode: int = 0o600) -> None:
    """Create `path` holding `text` unless it exists; never let anyone read it half-written.

    Processes that start together on a new box (the server's workers, the job worker) may all
    find the file missing: each writes a file of its own and links it into place. The first
    link wins; the others keep the winner's file. A file created in place and then written
    would be seen empty by a process that reads it in between."""
    fd, own = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: its text stands
            os.link(own, path)
    finally:
        os.unlink(own)
