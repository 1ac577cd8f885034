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
# 50,000 records of a real Security log, where the child's start (a third of a second,
# spent while this process parses the first batch) is repaid several times over.
DECODER_MIN_BYTES = 32 << 20


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
    wait for each other. So a large file's batches after the first are decoded by a child
    process (:func:`serve_evtx_batches`) and arrive here as Arrow IPC over a pipe, with
    the same positions and rejects as if read here.
    """
    first = max(1, per_batch // 8)
    if decoder_min_bytes is None:
        decoder_min_bytes = DECODER_MIN_BYTES
    if os.path.getsize(path) < decoder_min_bytes:
        yield from _evtx_batches(path, start, rejects, _sizes(first, per_batch))
        return
    decoder = _start_decoder()
    try:
        position, at_end = start, False
        for batch in _evtx_batches(path, start, rejects, [first]):
            position, at_end = batch.end, batch.lines.num_rows < first
            if not at_end:  # the child starts on the next batch while ours is parsed
                _ask_decoder(decoder, path, position, per_batch)
            yield batch
        if position == start or at_end:
            return
        yield from _decoded_batches(decoder, rejects)
    finally:
        _stop_decoder(decoder)


def _sizes(first: int, then: int) -> Iterator[int]:
    yield first
    yield from repeat(then)


def _evtx_batches(
    path: str, start: int, rejects: list[dict[str, Any]], sizes: Iterable[int]
) -> Iterator[Batch]:
    """Batches of the given sizes (in records kept) from record number ``start``."""
    import evtx

    records = evtx.PyEvtxParser(path, number_of_threads=1).records_json()
    position = _skip_records(records, start)
    for size in sizes:
        batch_start = position
        kept, position = _take_records(records, size, position, rejects)
        if position == batch_start:
            return
        kept = [record for record in kept if record is not None]
        first = kept[0]["event_record_id"] if kept else 0
        yield Batch(
            batch_start, position, first, evtx_lines(kept), ref_label="record", shape="evtx"
        )


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
# Each record batch of the stream is one Batch; its custom metadata (key "batch") holds
# the positions and the rejects as JSON, or an error, in a batch of no rows, to raise here.
_META = b"batch"
_CHILD_ERRORS: dict[str, type[Exception]] = {
    error.__name__: error
    for error in (RuntimeError, OSError, ValueError, FileNotFoundError, PermissionError)
}


def serve_evtx_batches(requests: IO[bytes], out: IO[bytes]) -> None:
    """The child's side: one request (path, start, batch size), then every batch after."""
    line = requests.readline()
    if not line.strip():
        return  # the parent needed no more
    request = json.loads(line)
    rejects: list[dict[str, Any]] = []
    schema = evtx_lines([]).schema
    with pa.ipc.new_stream(pa.PythonFile(out, mode="w"), schema) as stream:
        try:
            sizes = repeat(request["per_batch"])
            for batch in _evtx_batches(request["path"], request["start"], rejects, sizes):
                about = {"start": batch.start, "end": batch.end, "first_line": batch.first_line}
                _send(stream, batch.lines, {**about, "rejects": rejects})
                rejects.clear()
        except Exception as error:  # noqa: BLE001 - handed to the parent, raised there
            _send(stream, evtx_lines([]), {"error": type(error).__name__, "message": str(error)})


def _send(stream: pa.ipc.RecordBatchStreamWriter, lines: pa.Table, about: dict[str, Any]) -> None:
    rows = lines.combine_chunks().to_batches() or [pa.RecordBatch.from_pylist([], lines.schema)]
    stream.write_batch(rows[0], custom_metadata={_META: json.dumps(about).encode()})


@dataclass
class _Decoder:
    process: subprocess.Popen[bytes]
    errors: IO[bytes]  # the child's stderr: a file, not a pipe that could fill up


def _start_decoder() -> _Decoder:
    # The folder that holds the clinicshield package, wherever this process was run from.
    root = str(Path(__file__).resolve().parents[4])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    code = (
        "import sys\n"
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


def _ask_decoder(decoder: _Decoder, path: str, start: int, per_batch: int) -> None:
    requests = decoder.process.stdin
    assert requests is not None
    request = {"path": path, "start": start, "per_batch": per_batch}
    requests.write(json.dumps(request).encode() + b"\n")
    requests.close()


def _decoded_batches(decoder: _Decoder, rejects: list[dict[str, Any]]) -> Iterator[Batch]:
    frames = decoder.process.stdout
    assert frames is not None
    yield from _batches_sent(frames, rejects)
    if decoder.process.wait() != 0:
        decoder.errors.seek(0)
        said = decoder.errors.read().decode(errors="replace").strip()[-2000:]
        raise RuntimeError(f"the .evtx decoder failed: {said}")


def _batches_sent(source: IO[bytes], rejects: list[dict[str, Any]]) -> Iterator[Batch]:
    """The child's batches; a stream that stops short ends here, and the child's exit
    status then says why."""
    try:
        stream = pa.ipc.open_stream(source)
    except pa.ArrowInvalid:
        return
    while sent := _next_sent(stream):
        rows, meta = sent
        about = json.loads(meta[_META])
        if "error" in about:
            raise _CHILD_ERRORS.get(about["error"], RuntimeError)(about["message"])
        rejects.extend(about["rejects"])
        lines = pa.Table.from_batches([rows])
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
    """Records of a JSON array, or of a ``{"value": [...]}`` / ``{"records": [...]}`` page."""
    con = connect()
    first = _first_char(path)
    if first == "[":
        sql = "SELECT json AS line FROM read_json_objects($p, format = 'array')"
    else:
        sql = (
            "SELECT unnest(coalesce(json_extract(json, '$.value[*]'), "
            "json_extract(json, '$.records[*]')))::VARCHAR AS line "
            "FROM read_json_objects($p, format = 'auto')"
        )
    table = con.execute(sql, {"p": path}).to_arrow_table()
    con.close()
    total = table.num_rows
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
        yield Batch(begin, end, begin + 1, batch, ref_label="record")


def _first_char(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1].decode("ascii", errors="replace")
