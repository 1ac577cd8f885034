"""One batch of a source on its way into the store, after its parser: check its times,
enrich its addresses, write its Parquet files and its quarantined records.

The heavy half of ingestion (pyarrow, DuckDB, numpy): :mod:`.ingest` loads it only once a
file turns out to hold something new.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import quarantine, store
from .geo import INTERNAL, GeoLookup
from .parsers.base import Batch, Parsed, empty_rejects, split_lines
from .schema import SCHEMAS

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

# Which address each kind enriches, and into which columns (ours <- geo table).
_ENRICH = {
    "auth": (
        "src_ip",
        {
            "src_country": "country",
            "src_asn": "asn",
            "src_asn_org": "asn_org",
            "src_city": "city",
            "src_lat": "lat",
            "src_lon": "lon",
        },
    ),
    "flow": ("dst_ip", {"dst_country": "country", "dst_asn": "asn"}),
}


def _raw_lines(lines: pa.Table | None, line_nos: pa.Array) -> pa.Array:
    """The text of the given rows of a batch (for the few records quarantined late)."""
    if lines is None or len(line_nos) == 0:
        return pa.nulls(len(line_nos), pa.string())
    picked = lines.filter(pc.is_in(lines["line_no"], value_set=line_nos))
    by_number = dict(zip(picked["line_no"].to_pylist(), picked["line"].to_pylist(), strict=True))
    return pa.array([by_number.get(n) for n in line_nos.to_pylist()], pa.string())


def _enrich(kind: str, table: pa.Table, geo: GeoLookup) -> dict[str, pa.ChunkedArray]:
    """The geo columns of ``table``: each distinct address looked up once, then taken."""
    address, geo_columns = _ENRICH.get(kind, ("", {}))
    if not address or address not in table.column_names:
        return {}
    addresses = table[address]
    found = geo.table(addresses)
    positions = pc.index_in(addresses, value_set=found["ip"])
    internal = pc.equal(pc.take(found["country"], positions), INTERNAL)
    columns = {}
    for ours, theirs in geo_columns.items():
        looked_up = pc.take(found[theirs], positions)
        if ours in table.column_names:  # the source's own value wins (Entra's location)
            mine = table[ours].cast(looked_up.type)
            looked_up = pc.coalesce(mine, looked_up)
        if ours.endswith("_country"):  # ... except that our own ranges are ours
            looked_up = pc.if_else(pc.fill_null(internal, False), INTERNAL, looked_up)
        columns[ours] = looked_up
    return columns


def _conform(
    kind: str, table: pa.Table, geo_columns: dict[str, Any], source: str, source_file: str
) -> pa.Table:
    """Exactly the kind's schema: given columns cast, missing ones null, provenance set."""
    n = table.num_rows
    arrays = []
    for f in SCHEMAS[kind]:
        if f.name == "source":
            arrays.append(pa.repeat(pa.scalar(source, f.type), n))
        elif f.name == "source_file":
            arrays.append(pa.repeat(pa.scalar(source_file, f.type), n))
        elif f.name in geo_columns:
            arrays.append(geo_columns[f.name].cast(f.type))
        elif f.name in table.column_names:
            arrays.append(table[f.name].cast(f.type))
        else:
            arrays.append(pa.nulls(n, f.type))
    return pa.table(arrays, schema=SCHEMAS[kind])


def finish_kind(
    kind: str,
    table: pa.Table,
    geo: GeoLookup,
    *,
    source: str,
    source_file: str,
    lines: pa.Table | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Split a parsed table into stored rows (schema, enriched) and timestamp rejects.

    All in Arrow compute (C++, vectorised, columns not copied when unchanged)."""
    ts = table["ts"].cast(pa.timestamp("us", tz="UTC"))
    latest = datetime.now(UTC) + FUTURE_SLACK
    missing = pc.is_null(ts)
    impossible = pc.fill_null(
        pc.or_(
            pc.less(ts, pa.scalar(EARLIEST, ts.type)), pc.greater(ts, pa.scalar(latest, ts.type))
        ),
        False,
    )
    bad = pc.or_(missing, impossible)
    rejected = empty_rejects()
    if pc.any(bad).as_py():
        reason = pc.if_else(missing, "bad_timestamp", "impossible_timestamp")
        picked = table.append_column("_reason", reason).filter(bad)
        if "_raw" in picked.column_names:
            raw = picked["_raw"].combine_chunks()
        else:
            raw = _raw_lines(lines, picked["_line_no"].combine_chunks())
        rejected = pa.table(
            {
                "record_ref": picked["record_ref"].cast(pa.string()),
                "reason": picked["_reason"].cast(pa.string()),
                "raw": raw.cast(pa.string()),
            }
        )
        table = table.filter(pc.invert(bad))
    geo_columns = _enrich(kind, table, geo)
    return _conform(kind, table, geo_columns, source, source_file), rejected


@dataclass
class Stored:
    """What one batch added to the store (the run's totals are the sum over batches)."""

    stored: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    first_event: datetime | None = None
    last_event: datetime | None = None
    # The batch's files being made durable and named elsewhere (see ``store.publish``):
    # its checkpoint waits for them.
    publishing: list[Future[None]] = field(default_factory=list)


def _note_times(result: Stored, table: pa.Table) -> None:
    if table.num_rows == 0:
        return
    low, high = pc.min(table["ts"]).as_py(), pc.max(table["ts"]).as_py()
    result.first_event = min(filter(None, [result.first_event, low]))
    result.last_event = max(filter(None, [result.last_event, high]))


def store_batch(
    parsed: Parsed,
    lines: pa.Table,
    reader_rejects: list[dict[str, Any]],
    batch_name: store.BatchName,
    *,
    data_dir: Path,
    org: str,
    geo: GeoLookup,
    source: str,
    source_file: str,
    finish: store.Finish = store.publish,
) -> Stored:
    done = Stored()
    parts: list[store.Part] = []
    reject_tables = [parsed.rejects.select(["record_ref", "reason", "raw"])]
    if reader_rejects:
        reject_tables.append(pa.Table.from_pylist(reader_rejects, schema=empty_rejects().schema))
    for kind, table in parsed.kinds.items():
        stored, rejects = finish_kind(
            kind, table, geo, source=source, source_file=source_file, lines=lines
        )
        reject_tables.append(rejects.cast(empty_rejects().schema))
        parts += store.event_parts(data_dir, org, kind, stored, batch_name)
        done.stored[kind] = done.stored.get(kind, 0) + stored.num_rows
        _note_times(done, stored)
    rejected = pa.concat_tables([t.cast(empty_rejects().schema) for t in reject_tables])
    stamped = quarantine.stamp(rejected, source=source, source_file=source_file)
    quarantined = store.quarantine_parts(data_dir, org, stamped, batch_name)
    done.quarantined = stamped.num_rows if quarantined else 0
    parts += quarantined
    if parts:  # written down before any of them is: a crash leaves nothing unlisted
        store.note_pending(data_dir, org, batch_name.source_key, [path for path, _t in parts])
    store.write_parts(parts, finish)
    return done


def message_batch(messages: Sequence[str], start: int) -> Batch:
    """Messages received live, numbered in arrival order from ``start``, as one batch."""
    data = "".join(t if t.endswith("\n") else t + "\n" for t in messages).encode()
    array, offsets = split_lines(data)
    end = start + len(array)
    table = pa.table(
        {
            "line_no": pa.array(range(start + 1, end + 1), pa.int64()),
            "offset": pa.array(offsets),
            "line": array,
        }
    )
    return Batch(start, end, start + 1, table, ref_label="message", data=data)
