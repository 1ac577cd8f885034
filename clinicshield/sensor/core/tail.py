"""Following a log file as it grows, by whole lines, with ingest's file checkpoints.

A file is known by the SHA-256 of its first KiB (``monitoring.core.checkpoint``), not by
its name: a rotated log (auth.log moved aside, a new one begun) is a new stream read from
its start, and a sensor whose state was lost reads its files again under the same stream
keys, so the server recognises the lines it already has. Only whole lines are taken: a
line still being written waits for its newline.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clinicshield.monitoring.core import checkpoint
from clinicshield.monitoring.core.detect_format import UnrecognisedFormat, detect
from clinicshield.monitoring.core.sensor_batch import LINE_FORMATS, BatchHeader, count_lines

STATE_ORG = "sensor"  # checkpoints live under <spool>/state/checkpoints/org=sensor/


@dataclass
class Chunk:
    header: BatchHeader
    data: bytes
    cp: checkpoint.Checkpoint  # the checkpoint to save once the chunk is spooled


class FileTail:
    def __init__(self, path: Path, fmt: str, sensor: str, state_dir: Path) -> None:
        self.path = Path(path)
        self.format = fmt
        self.sensor = sensor
        self.source = source_name(self.path)
        self.state_dir = Path(state_dir)
        self.position = 0  # for the health report
        self.problem = ""  # why the file cannot be followed (its format), once known

    def chunks(self, batch_bytes: int) -> Iterator[Chunk]:
        """New whole lines, ``batch_bytes`` at most per chunk. The caller saves each
        chunk's checkpoint (``commit``) once it is spooled, before asking for the next."""
        try:
            if self.path.stat().st_size == 0 or not self._format_known():
                return
            cp = checkpoint.for_file(self.state_dir, STATE_ORG, self.source, self.path)
        except FileNotFoundError:  # rotated away this instant; the new one comes next time
            return
        while True:
            chunk = self._read(cp, batch_bytes)
            if chunk is None:
                return
            yield chunk

    def _format_known(self) -> bool:
        """A file named without a format is recognised by its first bytes, once."""
        if self.format != "auto":
            return True
        if self.problem:
            return False
        try:
            found = detect(self.path)
        except UnrecognisedFormat as error:
            self.problem = f"{self.path}: format not recognised; it looks like {error.looked_like}"
            return False
        if found not in LINE_FORMATS:
            self.problem = f"{self.path}: {found} files cannot be followed line by line"
            return False
        self.format = found
        return True

    def _read(self, cp: checkpoint.Checkpoint, batch_bytes: int) -> Chunk | None:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(cp.position)
                data = handle.read(batch_bytes)
                mtime = os.fstat(handle.fileno()).st_mtime
        except FileNotFoundError:
            return None
        cut = data.rfind(b"\n") + 1
        if cut == 0 and len(data) < batch_bytes:
            return None  # nothing, or a line not finished yet
        data = data[:cut] if cut else data  # a single line longer than a batch goes as is
        first = int(cp.state.get("sensor_line", 0))
        lines = count_lines(data)
        header = BatchHeader(
            sensor=self.sensor,
            source=self.source,
            format=self.format,
            stream=cp.key,
            start=first,
            end=first + lines,
            mtime=mtime,
            path=str(self.path),
        )
        cp.position += len(data)
        cp.state["sensor_line"] = first + lines
        return Chunk(header, data, cp)

    def commit(self, chunk: Chunk) -> None:
        checkpoint.save(self.state_dir, STATE_ORG, chunk.cp, self.path)
        self.position = chunk.cp.position


def source_name(path: Path) -> str:
    """A file's source name on the sensor: its base name, in the characters batches allow."""
    name = "".join(c if c.isalnum() or c in "._@:-" else "-" for c in path.name)
    return (name.lstrip("._@:-") or "log")[:64]
