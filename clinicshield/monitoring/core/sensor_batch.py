"""The batch a site sensor sends: one JSON header line, then raw log lines, compressed.

A batch holds lines ``[start, end)`` of one *stream*: a file the sensor tails (named by
the SHA-256 of its first KiB, as checkpoints name files, so lines are numbered in the
file itself) or the syslog messages it received (numbered from the sensor's spool). The
numbers make a batch's identity: the server stores lines it does not have yet and
acknowledges the rest, so a batch sent twice is stored once.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from dataclasses import asdict, dataclass

import pyarrow as pa

# Formats read line by line; .evtx files and JSON documents are not tailed by sensors.
LINE_FORMATS = ("syslog", "winjson", "entra", "zeek", "csv", "json")
ENCODINGS = ("zstd", "gzip")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$")
_STREAM = re.compile(r"^[0-9a-f]{16}$")


class BadBatch(ValueError):
    """A batch that cannot be read; the message says what is wrong with it."""


class BatchTooLarge(BadBatch):
    """Larger than the server accepts once decompressed."""


@dataclass(frozen=True)
class BatchHeader:
    sensor: str  # the sensor's name (its host name by default)
    source: str  # the source's name on the sensor (a file's base name, or "syslog")
    format: str  # one of LINE_FORMATS
    stream: str  # 16 hex digits: the file's fingerprint key, or the spool's syslog stream
    start: int  # first line of the batch, counted from 0 in the stream
    end: int  # one past the last line
    mtime: float  # the file's modification time when read (decides year-less dates)
    path: str = ""  # where the sensor read it (for people)

    def batch_id(self) -> str:
        return f"{self.sensor}/{self.source}/{self.stream}/{self.start}-{self.end}"


def count_lines(data: bytes) -> int:
    """Lines as the parsers count them: each newline ends one; a last line may lack it."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def encode_batch(header: BatchHeader, data: bytes, encoding: str = "zstd") -> bytes:
    """The body of one batch request (``data``: whole lines)."""
    raw = json.dumps(asdict(header), separators=(",", ":")).encode() + b"\n" + data
    if encoding == "gzip":
        return gzip.compress(raw, compresslevel=1)
    if encoding != "zstd":
        raise ValueError(f"unknown encoding {encoding!r}; known: {', '.join(ENCODINGS)}")
    out = pa.BufferOutputStream()
    with pa.CompressedOutputStream(out, "zstd") as stream:
        stream.write(raw)
    return bytes(out.getvalue().to_pybytes())


def _decompress(body: bytes, encoding: str, limit: int) -> bytes:
    try:
        if encoding == "gzip":
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
                raw = stream.read(limit + 1)
        elif encoding == "zstd":
            raw = pa.CompressedInputStream(pa.BufferReader(body), "zstd").read(limit + 1)
        else:
            raise BadBatch(f"unknown Content-Encoding {encoding!r}; use zstd or gzip")
    except (OSError, EOFError, pa.ArrowException) as error:
        raise BadBatch(f"the body is not valid {encoding} data: {error}") from None
    if len(raw) > limit:
        raise BatchTooLarge(f"the batch is larger than {limit} bytes once decompressed")
    return bytes(raw)


def decode_batch(body: bytes, encoding: str, limit: int) -> tuple[BatchHeader, bytes]:
    """Header and lines of a batch body; BadBatch says what is wrong."""
    raw = _decompress(body, encoding, limit)
    first, _newline, data = raw.partition(b"\n")
    try:
        fields = json.loads(first)
        header = BatchHeader(
            sensor=str(fields["sensor"]),
            source=str(fields["source"]),
            format=str(fields["format"]),
            stream=str(fields["stream"]),
            start=int(fields["start"]),
            end=int(fields["end"]),
            mtime=float(fields["mtime"]),
            path=str(fields.get("path", ""))[:500],
        )
    except (ValueError, KeyError, TypeError) as error:
        raise BadBatch(f"the batch's header line is not valid: {error!r}") from None
    _check(header, data)
    return header, data


def _check(header: BatchHeader, data: bytes) -> None:
    if not _NAME.match(header.sensor) or not _NAME.match(header.source):
        raise BadBatch("sensor and source names: letters, digits and . _ @ : - (64 at most)")
    if header.format not in LINE_FORMATS:
        raise BadBatch(f"format {header.format!r} is not one of {', '.join(LINE_FORMATS)}")
    if not _STREAM.match(header.stream):
        raise BadBatch("the stream must be 16 hex digits")
    if header.start < 0 or header.end < header.start:
        raise BadBatch(f"bad line range {header.start}-{header.end}")
    lines = count_lines(data)
    if lines != header.end - header.start:
        raise BadBatch(
            f"the header says {header.end - header.start} lines "
            f"({header.start}-{header.end}) and the batch holds {lines}"
        )


def skip_lines(data: bytes, count: int) -> bytes:
    """``data`` without its first ``count`` lines (what the server already stored)."""
    position = 0
    for _ in range(count):
        position = data.index(b"\n", position) + 1
    return data[position:]
