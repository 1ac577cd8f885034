"""Ingest one file into the event store: read, parse, check, enrich, append, checkpoint.

For each batch, in this order: parse (DuckDB over Arrow), quarantine impossible
timestamps, join the offline IP enrichment, write one Parquet file per kind and day plus
one for the quarantined records, then move the checkpoint past the batch. A crash before
the checkpoint moves leaves files that the next run removes and writes again
(:func:`store.discard_uncommitted`), so a batch is stored exactly once.
"""

# ruff: noqa: S608 - SQL text is assembled from our own constants; file content only
# ever reaches DuckDB as bound parameters or Arrow data, never as SQL text.

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import checkpoint, quarantine, store
from .detect_format import detect
from .geo import INTERNAL, GeoLookup
from .parsers import FORMATS, Context, Parsed, position_kind
from .parsers.base import Batch, empty_rejects, split_lines
from .schema import SCHEMAS

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Batches parsed at the same time: one per core of the small box this is sized for.
PARALLEL_BATCHES = 2
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


@dataclass
class IngestResult:
    path: str
    format: str
    source: str
    read: int = 0  # records (lines, events) read in this run
    stored: dict[str, int] = field(default_factory=dict)  # per kind
    quarantined: int = 0
    first_event: datetime | None = None
    last_event: datetime | None = None

    @property
    def stored_total(self) -> int:
        return sum(self.stored.values())


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
class _Stored:
    """What one batch added to the store (the run's totals are the sum over batches)."""

    stored: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    first_event: datetime | None = None
    last_event: datetime | None = None


def _note_times(result: _Stored, table: pa.Table) -> None:
    if table.num_rows == 0:
        return
    low, high = pc.min(table["ts"]).as_py(), pc.max(table["ts"]).as_py()
    result.first_event = min(filter(None, [result.first_event, low]))
    result.last_event = max(filter(None, [result.last_event, high]))


def _store_batch(
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
) -> _Stored:
    done = _Stored()
    reject_tables = [parsed.rejects.select(["record_ref", "reason", "raw"])]
    if reader_rejects:
        reject_tables.append(pa.Table.from_pylist(reader_rejects, schema=empty_rejects().schema))
    for kind, table in parsed.kinds.items():
        stored, rejects = finish_kind(
            kind, table, geo, source=source, source_file=source_file, lines=lines
        )
        reject_tables.append(rejects.cast(empty_rejects().schema))
        written = store.append_events(data_dir, org, kind, stored, batch_name)
        done.stored[kind] = done.stored.get(kind, 0) + written
        _note_times(done, stored)
    rejected = pa.concat_tables([t.cast(empty_rejects().schema) for t in reject_tables])
    stamped = quarantine.stamp(rejected, source=source, source_file=source_file)
    done.quarantined = store.append_quarantine(data_dir, org, stamped, batch_name)
    return done


def _add(result: IngestResult, done: _Stored) -> None:
    for kind, count in done.stored.items():
        result.stored[kind] = result.stored.get(kind, 0) + count
    result.quarantined += done.quarantined
    result.first_event = min(filter(None, [result.first_event, done.first_event]), default=None)
    result.last_event = max(filter(None, [result.last_event, done.last_event]), default=None)


BatchWork = Callable[[Batch, list[dict[str, Any]]], _Stored]


def _done_in_order(
    work: BatchWork, batches: Iterator[Batch], reader_rejects: list[dict[str, Any]], parallel: bool
) -> Iterator[tuple[Batch, _Stored]]:
    """Parse and store batches side by side (DuckDB, Arrow and Parquet work outside the
    GIL, one core each) and hand them back in file order, so checkpoints move forward
    only. A batch's files may be written before an earlier batch's: until the checkpoint
    passes it, a crash leaves them to :func:`store.discard_uncommitted`.

    The first batch is done alone: parsers learn from it what later batches need (the
    first month of a year-less log, the columns of a TSV file)."""

    def taken() -> list[dict[str, Any]]:  # the reader's rejects belong to the batch just read
        mine = list(reader_rejects)
        reader_rejects.clear()
        return mine

    first = next(batches, None)
    if first is None:
        return
    yield first, work(first, taken())
    if not parallel or PARALLEL_BATCHES < 2:
        for batch in batches:
            yield batch, work(batch, taken())
        return
    with ThreadPoolExecutor(PARALLEL_BATCHES) as pool:
        pending: deque[tuple[Batch, Future[_Stored]]] = deque()
        for batch in batches:
            pending.append((batch, pool.submit(work, batch, taken())))
            if len(pending) >= PARALLEL_BATCHES:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def ingest_file(
    path: Path,
    *,
    data_dir: Path,
    org: str,
    fmt: str = "auto",
    source: str | None = None,
    context: Context | None = None,
    geo: GeoLookup | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Store what is new in ``path``; safe to repeat and to kill at any moment."""
    path = Path(path)
    name = detect(path) if fmt == "auto" else fmt
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
    spec = FORMATS[name]
    context = context or Context()
    if context.file_mtime is None:
        context.file_mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    geo = geo or GeoLookup()
    result = IngestResult(str(path), name, source or name)
    with store.writer_lock(data_dir, org):
        cp = checkpoint.for_file(data_dir, org, result.source, path)
        store.discard_uncommitted(data_dir, org, cp.key, cp.position)
        cp.state.setdefault("position_kind", position_kind(spec, str(path)))
        before = _stamp(path)  # taken before reading: a file growing meanwhile is read again
        if cp.state["position_kind"] == "record" and cp.state.get("read_whole") == before:
            # Unchanged since it was read to its end: counting records to skip them would
            # mean decoding the whole file again (an .evtx under ``--follow``, every poll).
            return result
        reader_rejects: list[dict[str, Any]] = []
        next_line = int(cp.state.get("next_line", 1))
        batches = spec.reader(
            str(path), cp.position, next_line, reader_rejects, context.batch_bytes
        )

        def work(batch: Batch, rejects: list[dict[str, Any]]) -> _Stored:
            parsed = spec.parser(batch, context, cp.state)
            name = store.BatchName(cp.key, batch.start, batch.end)
            return _store_batch(
                parsed,
                batch.lines,
                rejects,
                name,
                data_dir=data_dir,
                org=org,
                geo=geo,
                source=result.source,
                source_file=result.path,
            )

        for batch, done in _done_in_order(work, iter(batches), reader_rejects, spec.parallel):
            _add(result, done)
            result.read += batch.lines.num_rows
            cp.position = batch.end
            cp.state["next_line"] = batch.first_line + batch.lines.num_rows
            checkpoint.save(data_dir, org, cp, path)
            if progress:
                progress(batch.end - batch.start)
        if cp.state["position_kind"] == "record":
            cp.state["read_whole"] = before
            checkpoint.save(data_dir, org, cp, path)
    return result


def _stamp(path: Path) -> list[int]:
    """Size and modification time (ns): a file that has them unchanged has not changed."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def ingest_lines(
    lines: Sequence[str],
    *,
    data_dir: Path,
    org: str,
    source: str,
    fmt: str = "syslog",
    context: Context | None = None,
    geo: GeoLookup | None = None,
    stream: str | None = None,
) -> IngestResult:
    """Store messages received live (the syslog receiver), numbered in arrival order.

    The stream's checkpoint counts messages stored, so a batch cut short by a crash is
    removed and not counted; what was only in memory then is lost, as with any receiver
    that does not acknowledge (UDP syslog). ``stream`` names the checkpoint when it is not
    the source (a site sensor's source has one stream per file it tailed).
    """
    spec = FORMATS[fmt]
    context = context or Context()
    context.file_mtime = context.file_mtime or datetime.now(UTC)
    geo = geo or GeoLookup()
    data = "".join(t if t.endswith("\n") else t + "\n" for t in lines).encode()
    array, offsets = split_lines(data)
    result = IngestResult(f"stream:{stream or source}", fmt, source)
    with store.writer_lock(data_dir, org):
        cp = checkpoint.for_stream(data_dir, org, stream or source)
        store.discard_uncommitted(data_dir, org, cp.key, cp.position)
        start, end = cp.position, cp.position + len(array)
        table = pa.table(
            {
                "line_no": pa.array(range(start + 1, end + 1), pa.int64()),
                "offset": pa.array(offsets),
                "line": array,
            }
        )
        batch = Batch(start, end, start + 1, table, ref_label="message", data=data)
        parsed = spec.parser(batch, context, cp.state)
        batch_name = store.BatchName(cp.key, start, end)
        done = _store_batch(
            parsed,
            table,
            [],
            batch_name,
            data_dir=data_dir,
            org=org,
            geo=geo,
            source=source,
            source_file=result.path,
        )
        _add(result, done)
        result.read = len(array)
        cp.position = end
        checkpoint.save(data_dir, org, cp)
    return result
