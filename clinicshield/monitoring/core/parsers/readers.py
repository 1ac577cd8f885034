"""Readers for sources that are not plain lines: ``.evtx`` files and JSON documents.

Both yield the same :class:`~.base.Batch` as the line reader, with one JSON record per
row, so the parsers do not care where the records came from. Their positions are record
numbers (0-based count of records already stored), not byte offsets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice, repeat
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa

from .base import Batch, connect

RECORDS_PER_BATCH = 250_000
# From this size on, a child process decodes the .evtx file (see read_evtx_batches): about
# 50,000 records of a real Security log, where the child's start (a third of a second)
# is repaid several times over.
DECODER_MIN_BYTES = 32 << 20
# Records decoded at a time, then turned into Arrow and let go: measured, holding a whole
# batch of evtx-rs records (100 MB of fresh memory) costs more than decoding them.
_PIECE = 4096


def read_evtx_batches(
    path: str,
    start: int,
    rejects: list[dict[str, Any]],
    per_batch: int = RECORDS_PER_BATCH,
    decoder_min_bytes: int | None = None,
) -> Iterator[Batch]:
    """Batches of .evtx records (as evtx-rs renders them) from record number ``start``.

    Records the library cannot decode are appended to ``rejects`` (with their position)
    and skipped, so one bad chunk does not stop the file. The first batch is an eighth of
    the others: ingest parses it alone, so the sooner it is done, the sooner decoding and
    parsing run side by side.

    evtx-rs decodes under the GIL (with one thread or several: measured, no faster), and
    ingest's threads parse under it too, between DuckDB calls: in one process the two
    wait for each other. So a large file is decoded by a child process
    (:func:`serve_evtx_batches`) and its batches arrive here as Arrow IPC over a pipe,
    with the same positions and rejects as if read here.
    """
    if decoder_min_bytes is None:
        decoder_min_bytes = DECODER_MIN_BYTES
    if os.path.getsize(path) < decoder_min_bytes:
        yield from _evtx_batches(path, start, rejects, _sizes(per_batch))
        return
    decoder = _start_decoder()
    try:
        first, here = max(1, per_batch // 8), []
        if start == 0:
            # The child takes a third of a second to start: meanwhile the first, small
            # batch is read here, and the child goes on after it. (A resumed file is left
            # to the child alone, so that the records stored before are skipped once.)
            here = list(_evtx_batches(path, 0, rejects, [first]))
            if not here or here[0].lines.num_rows < first:
                yield from here  # the whole file
                return
            start, first = here[0].end, per_batch
        _ask_decoder(decoder, path, start, first, per_batch)
        yield from here
        yield from _decoded_batches(decoder, rejects)
    finally:
        _stop_decoder(decoder)


def _sizes(per_batch: int, first: int | None = None) -> Iterator[int]:
    """Records per batch: the first an eighth of the others (see read_evtx_batches)."""
    yield max(1, per_batch // 8) if first is None else first
    yield from repeat(per_batch)


def _evtx_batches(
    path: str, start: int, rejects: list[dict[str, Any]], sizes: Iterable[int]
) -> Iterator[Batch]:
    """Batches of the given sizes (in records kept) from record number ``start``."""
    import evtx

    records = evtx.PyEvtxParser(path, number_of_threads=1).records_json()
    position = _skip_records(records, start)
    for size in sizes:
        batch_start = position
        pieces, position = _take_lines(records, size, position, rejects)
        if position == batch_start:
            return
        lines = pa.concat_tables(pieces)
        first = lines["line_no"][0].as_py() if lines.num_rows else 0
        yield Batch(batch_start, position, first, lines, ref_label="record", shape="evtx")


def _take_lines(
    records: Iterator[Any], count: int, position: int, rejects: list[dict[str, Any]]
) -> tuple[list[pa.Table], int]:
    """What :func:`_take_records` takes, as line tables of up to ``_PIECE`` records each."""
    pieces = []
    while count > 0:
        asked = min(_PIECE, count)
        kept, position = _take_records(records, asked, position, rejects)
        pieces.append(evtx_lines([record for record in kept if record is not None]))
        count -= len(kept)
        if len(kept) < asked:
            break  # end of file
    return pieces, position


def evtx_lines(records: list[dict[str, Any]]) -> pa.Table:
    """The line table of evtx-rs records: record id, no byte offset, the record's JSON.

    Built in bulk from two lists, not record by record."""
    return pa.table(
        {
            "line_no": pa.array([record["event_record_id"] for record in records], pa.int64()),
            "offset": pa.array(np.zeros(len(records), dtype=np.int64)),
            "line": pa.array([record["data"] for record in records], pa.string()),
        }
    )


_DECODE_ERRORS = (RuntimeError, OSError, ValueError)


def _skip_records(records: Iterator[Any], count: int) -> int:
    """Pass over the ``count`` records an earlier run stored (bad ones count too)."""
    position = 0
    while position < count:
        before = position
        try:
            for _ in islice(records, count - position):
                position += 1
        except _DECODE_ERRORS:
            position += 1
            continue
        if position == before:
            break  # the file holds fewer records than before
    return position


def _take_records(
    records: Iterator[Any], count: int, position: int, rejects: list[dict[str, Any]]
) -> tuple[list[Any], int]:
    """Up to ``count`` records and the position after them; a record evtx-rs cannot
    decode goes to ``rejects`` and is skipped (its position still counts)."""
    kept: list[Any] = []
    bad = 0
    while len(kept) < count:
        asked = count - len(kept)
        had = len(kept)
        try:
            kept.extend(islice(records, asked))  # what came before an error stays in kept
        except _DECODE_ERRORS as error:
            rejects.append(
                {
                    "record_ref": f"record #{position + len(kept) + bad}",
                    "reason": "bad_evtx_record",
                    "raw": str(error),
                }
            )
            bad += 1
            continue
        if len(kept) - had < asked:
            break  # end of file
    return kept, position + len(kept) + bad


# -- the decoder child: a request line in, one Arrow IPC stream out ----------------------
# A Batch is sent as its rows, then a message of no rows whose custom metadata (key
# "batch") holds its positions and rejects as JSON, or an error to raise here.
_META = b"batch"
_CHILD_ERRORS: dict[str, type[Exception]] = {
    error.__name__: error
    for error in (RuntimeError, OSError, ValueError, FileNotFoundError, PermissionError)
}


def serve_evtx_batches(requests: IO[bytes], out: IO[bytes]) -> None:
    """The child's side: one request (path, start, batch sizes), then every batch after."""
    line = requests.readline()
    if not line.strip():
        return  # the parent needed no more
    request = json.loads(line)
    rejects: list[dict[str, Any]] = []
    schema = evtx_lines([]).schema
    with pa.ipc.new_stream(pa.PythonFile(out, mode="w"), schema) as stream:
        try:
            sizes = _sizes(request["per_batch"], request["first"])
            for batch in _evtx_batches(request["path"], request["start"], rejects, sizes):
                about: dict[str, Any] = {"start": batch.start, "end": batch.end}
                about.update(first_line=batch.first_line, rejects=rejects)
                _send(stream, batch.lines, about)
                rejects.clear()
        except Exception as error:  # noqa: BLE001 - handed to the parent, raised there
            failed = {"error": type(error).__name__, "message": str(error)}
            _send(stream, evtx_lines([]), failed)


def _send(stream: pa.ipc.RecordBatchStreamWriter, lines: pa.Table, about: dict[str, Any]) -> None:
    """The batch's rows, then a message of no rows that says which batch they made."""
    for rows in lines.to_batches():
        stream.write_batch(rows)
    end = pa.RecordBatch.from_pylist([], lines.schema)
    stream.write_batch(end, custom_metadata={_META: json.dumps(about).encode()})


@dataclass
class _Decoder:
    process: subprocess.Popen[bytes]
    errors: IO[bytes]  # the child's stderr: a file, not a pipe that could fill up


def _start_decoder() -> _Decoder:
    # The folder that holds the clinicshield package, wherever this process was run from.
    root = str(Path(__file__).resolve().parents[4])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    # This process decides when the child stops: Ctrl-C or a SIGTERM to the whole group
    # lets `ingest --follow` finish the file it is reading, so the child ignores them. It
    # is killed when no longer needed, and dies of a broken pipe if this process dies.
    code = (
        "import signal, sys\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "from clinicshield.monitoring.core.parsers.readers import serve_evtx_batches\n"
        "serve_evtx_batches(sys.stdin.buffer, sys.stdout.buffer)\n"
    )
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stop_decoder
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        env=env,
    )
    return _Decoder(process, errors)


def _ask_decoder(decoder: _Decoder, path: str, start: int, first: int, per_batch: int) -> None:
    requests = decoder.process.stdin
    assert requests is not None
    request = {"path": path, "start": start, "first": first, "per_batch": per_batch}
    requests.write(json.dumps(request).encode() + b"\n")
    requests.close()


def _decoded_batches(decoder: _Decoder, rejects: list[dict[str, Any]]) -> Iterator[Batch]:
    frames = decoder.process.stdout
    assert frames is not None
    yield from _batches_sent(frames, rejects)
    if (status := decoder.process.wait()) != 0:
        decoder.errors.seek(0)
        said = decoder.errors.read().decode(errors="replace").strip()[-2000:]
        raise RuntimeError(f"the .evtx decoder stopped (exit status {status}): {said}")


def _batches_sent(source: IO[bytes], rejects: list[dict[str, Any]]) -> Iterator[Batch]:
    """The child's batches; a stream that stops short ends here, and the child's exit
    status then says why."""
    try:
        stream = pa.ipc.open_stream(source)
    except pa.ArrowInvalid:
        return
    parts: list[pa.RecordBatch] = []
    while sent := _next_sent(stream):
        rows, meta = sent
        if not meta or _META not in meta:
            parts.append(rows)
            continue
        about = json.loads(meta[_META])
        if "error" in about:
            raise _CHILD_ERRORS.get(about["error"], RuntimeError)(about["message"])
        rejects.extend(about["rejects"])
        lines = pa.Table.from_batches(parts, rows.schema)
        parts = []
        start, end, first = about["start"], about["end"], about["first_line"]
        yield Batch(start, end, first, lines, ref_label="record", shape="evtx")


def _next_sent(stream: pa.ipc.RecordBatchStreamReader) -> tuple[pa.RecordBatch, Any] | None:
    try:
        return stream.read_next_batch_with_custom_metadata()
    except (StopIteration, pa.ArrowInvalid):
        return None


def _stop_decoder(decoder: _Decoder) -> None:
    """End the child whatever state it is in (finished, waiting, or mid-file)."""
    process = decoder.process
    if process.stdin and not process.stdin.closed:
        process.stdin.close()  # a child still waiting for its request stops at once
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout:
        process.stdout.close()
    decoder.errors.close()


def read_json_document_batches(
    path: str, start: int, per_batch: int = RECORDS_PER_BATCH
) -> Iterator[Batch]:
    """Records of a JSON array, of a ``{"value": [...]}`` / ``{"records": [...]}`` page, or
    one (pretty-printed) object that is itself the record. Records in evtx-rs's shape
    (``{"Event": {"System": ..., "EventData": ...}}``) are marked so."""
    con = connect()
    first = _first_char(path)
    if first == "[":
        sql = "SELECT json AS line FROM read_json_objects($p, format = 'array')"
    else:
        sql = """
        SELECT unnest(CASE
          WHEN json_type(json, '$.value') = 'ARRAY' THEN json_extract(json, '$.value[*]')
          WHEN json_type(json, '$.records') = 'ARRAY' THEN json_extract(json, '$.records[*]')
          ELSE [json] END)::VARCHAR AS line
        FROM read_json_objects($p, format = 'auto')"""
    table = con.execute(sql, {"p": path}).to_arrow_table()
    con.close()
    total = table.num_rows
    shape = "evtx" if total and _evtx_shaped(table["line"][0].as_py()) else "lines"
    for begin in range(start, total, per_batch):
        end = min(begin + per_batch, total)
        lines = table.slice(begin, end - begin)["line"].cast(pa.string())
        batch = pa.table(
            {
                "line_no": pa.array(np.arange(begin + 1, end + 1, dtype=np.int64)),
                "offset": pa.array(np.zeros(end - begin, dtype=np.int64)),
                "line": lines,
            }
        )
        yield Batch(begin, end, begin + 1, batch, ref_label="record", shape=shape)


def _evtx_shaped(record: str | None) -> bool:
    """True for a record as evtx-rs (or ``evtx_dump -o json``) writes it."""
    import json

    try:
        parsed = json.loads(record or "")
    except ValueError:
        return False
    return isinstance(parsed, dict) and isinstance(parsed.get("Event"), dict)


def _first_char(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1].decode("ascii", errors="replace")
