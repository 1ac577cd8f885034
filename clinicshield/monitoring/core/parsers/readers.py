"""Readers for sources that are not plain lines: ``.evtx`` files and JSON documents.

Both yield the same :class:`~.base.Batch` as the line reader, with one JSON record per
row, so the parsers do not care where the records came from. Their positions are record
numbers (0-based count of records already stored), not byte offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

import numpy as np
import pyarrow as pa

from .base import Batch, connect

RECORDS_PER_BATCH = 250_000


def read_evtx_batches(
    path: str, start: int, rejects: list[dict[str, Any]], per_batch: int = RECORDS_PER_BATCH
) -> Iterator[Batch]:
    """Batches of .evtx records (as evtx-rs renders them) from record number ``start``.

    Records the library cannot decode are appended to ``rejects`` (with their position)
    and skipped, so one bad chunk does not stop the file. The first batch is an eighth of
    the others: ingest parses it alone, so the sooner it is done, the sooner decoding and
    parsing run side by side.
    """
    import evtx

    # One thread: evtx-rs decodes chunk after chunk under the GIL whatever it is given
    # (measured: 2 threads or the default are no faster), and ingest's worker threads
    # parse earlier batches meanwhile.
    records = evtx.PyEvtxParser(path, number_of_threads=1).records_json()
    position = _skip_records(records, start)
    size = max(1, per_batch // 8)
    while True:
        batch_start = position
        kept, position = _take_records(records, size, position, rejects)
        size = per_batch
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
