"""What every parser shares: reading batches of lines into Arrow without a Python loop.

A line batch is an Arrow table ``(line_no, offset, line)`` built straight from the bytes
of the file with numpy: newline positions give the offsets of a string array, so
splitting 64 MiB of log costs a few vector operations instead of a million
``bytes.split`` objects. Parsers then run SQL over it in DuckDB, which reads the Arrow
memory in place.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .context import BATCH_BYTES, PARALLEL_BATCHES

if TYPE_CHECKING:
    import duckdb


@dataclass
class Batch:
    """Records ``[start, end)`` of a source (bytes or record numbers) and where they are."""

    start: int
    end: int
    first_line: int  # 1-based line (or record) number of the first row
    lines: pa.Table  # line_no int64, offset int64, line string
    ref_label: str = "line"  # how record_ref names a position: "line 12", "record 563265"
    data: bytes = b""  # the batch's bytes, for parsers that hand them to another reader
    shape: str = "lines"  # "evtx": each row is an evtx-rs record, not a flat JSON object


@dataclass
class Parsed:
    """A parser's answer for one batch: tables per event kind, and what it rejected.

    Each kind's table has the kind's schema columns it knows (others become null), a
    ``record_ref`` and either ``_line_no`` (the row of the batch it came from) or ``_raw``
    (the record itself), to quarantine it if its timestamp is impossible.
    ``rejects`` has ``record_ref``, ``reason``, ``raw``.
    """

    kinds: dict[str, pa.Table]
    rejects: pa.Table


_DATABASE: list[duckdb.DuckDBPyConnection] = []


def connect() -> duckdb.DuckDBPyConnection:
    """A fresh DuckDB connection (a cursor on one in-memory database, so it costs half a
    millisecond instead of forty) with UTC as its time zone. DuckDB is loaded here, on
    first use: the .evtx decoder process reads batches with this module and never
    queries (a tenth of a second less of its start)."""
    import duckdb

    if not _DATABASE:
        _DATABASE.append(duckdb.connect())
        _one_thread(_DATABASE[0])
    con = _DATABASE[0].cursor()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _one_thread(con: duckdb.DuckDBPyConnection) -> None:
    """Our queries are many short scans of Arrow memory: measured, DuckDB's second thread
    costs more than it gives on them (9.4 s against 5.2 s for a million syslog lines). The
    ingestion runs batches side by side instead (``PARALLEL_BATCHES``)."""
    con.execute("SET threads = 1")


# SQL: true when a line (which keeps its "\n") has something besides white space.
NOT_BLANK = "trim(line, chr(32) || chr(9) || chr(13) || chr(10)) <> ''"
STRIP_EOL = "rtrim(line, chr(13) || chr(10))"


def split_lines(data: bytes) -> tuple[pa.Array, np.ndarray]:
    """Split ``data`` (whole lines) into a string array; return it and each line's offset.

    Each string keeps its line ending: the array's offsets are the newline positions, so
    the bytes are not copied. SQL strips the ending where a value is kept.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10) + 1
    if len(data) and data[-1:] != b"\n":  # last line without a newline at end of file
        ends = np.append(ends, len(data))
    offsets = np.concatenate(([0], ends)).astype(np.int32)
    array = pa.StringArray.from_buffers(
        len(ends), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)
    )
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:  # not UTF-8: decode line by line, replacing bad bytes
        text = data.decode("utf-8", errors="replace").splitlines(keepends=True)
        array = pa.array(text, pa.string())
    return array, offsets[:-1].astype(np.int64)


def read_line_batches(
    path: str, start: int, first_line: int, batch_bytes: int = BATCH_BYTES
) -> Iterator[Batch]:
    """Yield batches of whole lines from byte ``start`` (line number ``first_line``).

    The first batch is an eighth of the others: it is parsed alone (parsers learn from
    it), so the smaller it is, the sooner the batches after it run side by side. The
    others share what is left of the file evenly, in a multiple of ``PARALLEL_BATCHES``:
    a last batch parsed alone would leave a core idle for as long as it takes."""
    with open(path, "rb") as handle:
        handle.seek(start)
        position, line_no = start, first_line
        pending = b""
        size = max(1, batch_bytes // 8)
        first = True
        while True:
            chunk = handle.read(size)
            if first:
                left = os.fstat(handle.fileno()).st_size - handle.tell()
                size, first = even_batch_size(left, batch_bytes), False
            if not chunk and not pending:
                return
            cut = chunk.rfind(b"\n")  # at the end of the file, -1: all that is pending
            if chunk and cut == -1:  # one line longer than a batch: read on
                pending += chunk
                continue
            # One copy of the batch's bytes (slicing bytes would copy twice).
            data = pending + memoryview(chunk)[: cut + 1]
            pending = chunk[cut + 1 :]
            lines, starts = split_lines(data)
            n = len(lines)
            table = pa.table(
                {
                    "line_no": pa.array(np.arange(line_no, line_no + n, dtype=np.int64)),
                    "offset": pa.array(starts + position),
                    "line": lines,
                }
            )
            yield Batch(position, position + len(data), line_no, table, data=data)
            position += len(data)
            line_no += n


def even_batch_size(left: int, batch_bytes: int) -> int:
    """The size that splits ``left`` bytes into batches of at most about ``batch_bytes``,
    as many as a multiple of PARALLEL_BATCHES."""
    count = max(1, -(-left // batch_bytes))
    count = -(-count // PARALLEL_BATCHES) * PARALLEL_BATCHES
    return max(1, -(-left // count))


def empty_rejects() -> pa.Table:
    return pa.table(
        {
            "record_ref": pa.array([], pa.string()),
            "reason": pa.array([], pa.string()),
            "raw": pa.array([], pa.string()),
        }
    )


def timestamp_sql(column: str) -> str:
    """SQL turning a text timestamp into UTC: ISO 8601 with or without zone (no zone means
    ``$tz``), or epoch seconds / milliseconds."""
    c = f"trim(CAST({column} AS VARCHAR))"
    return f"""(CASE
      WHEN regexp_matches({c}, '^\\d{{9,10}}(\\.\\d+)?$') THEN to_timestamp(TRY_CAST({c} AS DOUBLE))
      WHEN regexp_matches({c}, '^\\d{{12,13}}$') THEN to_timestamp(TRY_CAST({c} AS DOUBLE) / 1000)
      WHEN regexp_matches({c}, '(Z|[+-]\\d\\d:?\\d\\d)$') THEN TRY_CAST({c} AS TIMESTAMPTZ)
      ELSE timezone($tz, TRY_CAST({c} AS TIMESTAMP)) END)"""
