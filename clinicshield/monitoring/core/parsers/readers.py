"""Readers for sources that are not plain lines: ``.evtx`` files and JSON documents.

Both yield the same :class:`~.base.Batch` as the line reader, with one JSON record per
row, so the parsers do not care where the records came from. Their positions are record
numbers (0-based count of records already stored), not byte offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    and skipped, so one bad chunk does not stop the file.
    """
    import evtx

    parser = evtx.PyEvtxParser(path)
    iterator = parser.records_json()
    position = 0
    while True:
        ids: list[int] = []
        data: list[str | None] = []
        batch_start = position
        while len(ids) < per_batch:
            try:
                record = next(iterator)
            except StopIteration:
                break
            except (RuntimeError, OSError, ValueError) as error:
                if position >= start:
                    rejects.append(
                        {
                            "record_ref": f"record #{position}",
                            "reason": "bad_evtx_record",
                            "raw": str(error),
                        }
                    )
                position += 1
                continue
            if record is not None and position >= start:
                ids.append(int(record["event_record_id"]))
                data.append(record["data"])
            position += 1
        if not ids and position == batch_start:
            return
        if not ids and position <= start and not rejects:
            continue  # records stored by an earlier run
        lines = pa.table(
            {
                "line_no": pa.array(ids, pa.int64()),
                "offset": pa.array(np.zeros(len(ids), dtype=np.int64)),
                "line": pa.array(data, pa.string()),
            }
        )
        first = ids[0] if ids else 0
        yield Batch(
            max(batch_start, start), position, first, lines, ref_label="record", shape="evtx"
        )


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
