"""Ingest one file into the event store: read, parse, check, enrich, append, checkpoint.

For each batch, in this order: parse (DuckDB over Arrow), quarantine impossible
timestamps, join the offline IP enrichment, write one Parquet file per kind and day plus
one for the quarantined records, then move the checkpoint past the batch. A crash before
the checkpoint moves leaves files that the next run removes and writes again
(:func:`store.discard_uncommitted`), so a batch is stored exactly once.

A stream (or a file source) has one writer at a time, and the writers of different streams
of an organisation work side by side (:func:`store_layout.writer_lock`).

This module decides what is new and keeps the checkpoints; it loads the batch work
(:mod:`.ingest_batch`, the parsers, pyarrow, DuckDB) only once a file has something new,
so a run that finds nothing new (a log polled by cron) costs no more than its start-up.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import checkpoint, store_layout
from .detect_format import detect
from .parsers import FORMATS, Context, Format, position_kind
from .parsers.context import PARALLEL_BATCHES

# Threads that make written files durable and give them their names (``store.publish``):
# an fsync waits several milliseconds for the disk (7-8 ms on the bench's machine), and a
# parsing thread that waited for each of its files would leave its core idle meanwhile.
DISK_THREADS = 2

if TYPE_CHECKING:
    from .geo import GeoLookup
    from .ingest_batch import Stored
    from .parsers.base import Batch


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


def _add(result: IngestResult, done: Stored) -> None:
    for kind, count in done.stored.items():
        result.stored[kind] = result.stored.get(kind, 0) + count
    result.quarantined += done.quarantined
    result.first_event = min(filter(None, [result.first_event, done.first_event]), default=None)
    result.last_event = max(filter(None, [result.last_event, done.last_event]), default=None)


BatchWork = Callable[["Batch", list[dict[str, Any]]], "Stored"]


def _done_in_order(
    work: BatchWork, batches: Iterator[Batch], reader_rejects: list[dict[str, Any]], parallel: bool
) -> Generator[tuple[Batch, Stored], None, None]:
    """Parse and store batches side by side (DuckDB, Arrow and Parquet work outside the
    GIL, one core each) and hand them back in file order, so checkpoints move forward
    only. A batch's files may be written before an earlier batch's: until the checkpoint
    passes it, a crash leaves them to :func:`store.discard_uncommitted`.

    The first batch is done alone: parsers learn from it what later batches need (the
    first month of a year-less log, the columns of a TSV file). After it, one batch more
    than there are threads is handed over, so that a thread that finishes finds the next
    batch ready instead of waiting for this one to move a checkpoint and read on."""

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
        pending: deque[tuple[Batch, Future[Stored]]] = deque()
        try:
            for batch in batches:
                pending.append((batch, pool.submit(work, batch, taken())))
                if len(pending) > PARALLEL_BATCHES:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:  # stopped early (an error): batches not yet started are not started
            for _batch, future in pending:
                future.cancel()


def _built(geo: GeoLookup | Callable[[], GeoLookup] | None) -> GeoLookup:
    if geo is None:
        from .geo import GeoLookup

        return GeoLookup()
    return geo() if callable(geo) else geo


def _nothing_new(cp: checkpoint.Checkpoint, stamp: list[int]) -> bool:
    """True when the checkpoint already covers the whole file: a line file read to its
    size, or a record file (counted in records) unchanged since it was read to its end
    (counting records to skip them would mean decoding the whole file again)."""
    if cp.state["position_kind"] == "record":
        return bool(cp.state.get("read_whole") == stamp)
    return cp.position >= stamp[0]


def ingest_file(
    path: Path,
    *,
    data_dir: Path,
    org: str,
    fmt: str = "auto",
    source: str | None = None,
    context: Context | None = None,
    geo: GeoLookup | Callable[[], GeoLookup] | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Store what is new in ``path``; safe to repeat and to kill at any moment.

    ``geo`` may be a function that builds the lookup: it is called only if the file has
    something new (loading the ranges and pyarrow is most of a short run's time)."""
    path = Path(path)
    name = detect(path) if fmt == "auto" else fmt
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
    spec = FORMATS[name]
    context = context or Context()
    if context.file_mtime is None:
        context.file_mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    result = IngestResult(str(path), name, source or name)
    with store_layout.writer_lock(data_dir, org, store_layout.file_writer(result.source)):
        cp = checkpoint.for_file(data_dir, org, result.source, path)
        if cp.position == 0:
            checkpoint.refuse_if_read_as_another_source(data_dir, org, cp)
        store_layout.discard_uncommitted(data_dir, org, cp.key, cp.position)
        if "position_kind" not in cp.state:
            cp.state["position_kind"] = position_kind(spec, str(path))
        before = _stamp(path)  # taken before reading: a file growing meanwhile is read again
        if _nothing_new(cp, before):
            return result
        _store_new_batches(path, spec, cp, context, result, data_dir, org, geo, progress)
        if cp.state["position_kind"] == "record":
            cp.state["read_whole"] = before
            checkpoint.save(data_dir, org, cp, path)
    return result


def _store_new_batches(
    path: Path,
    spec: Format,
    cp: checkpoint.Checkpoint,
    context: Context,
    result: IngestResult,
    data_dir: Path,
    org: str,
    geo: GeoLookup | Callable[[], GeoLookup] | None,
    progress: Callable[[int], None] | None,
) -> None:
    """Parse and store the batches past the checkpoint, moving it after each one."""
    from . import ingest_batch, store  # the heavy half: see this module's docstring

    lookup = _built(geo)
    reader_rejects: list[dict[str, Any]] = []
    next_line = int(cp.state.get("next_line", 1))
    batches = spec.reader(str(path), cp.position, next_line, reader_rejects, context.batch_bytes)
    parser = spec.parser
    with ThreadPoolExecutor(DISK_THREADS) as disk:

        def work(batch: Batch, rejects: list[dict[str, Any]]) -> Stored:
            publishing: list[Future[None]] = []

            def finish(tmp: Path, target: Path) -> None:
                publishing.append(disk.submit(store.publish, tmp, target))

            parsed = parser(batch, context, cp.state)
            name = store_layout.BatchName(cp.key, batch.start, batch.end)
            done = ingest_batch.store_batch(
                parsed,
                batch.lines,
                rejects,
                name,
                data_dir=data_dir,
                org=org,
                geo=lookup,
                source=result.source,
                source_file=result.path,
                finish=finish,
            )
            done.publishing = publishing
            return done

        # Closed on the way out, error or not: its threads finish (and hand their files to
        # the disk threads) before those stop.
        in_order = closing(_done_in_order(work, iter(batches), reader_rejects, spec.parallel))
        with in_order as done_batches:
            for batch, done in done_batches:
                _move_checkpoint(batch, done, cp, result, data_dir, org, path, progress)


def _move_checkpoint(
    batch: Batch,
    done: Stored,
    cp: checkpoint.Checkpoint,
    result: IngestResult,
    data_dir: Path,
    org: str,
    path: Path,
    progress: Callable[[int], None] | None,
) -> None:
    for published in done.publishing:
        published.result()  # the batch's files are durable and named: move past it
    _add(result, done)
    result.read += batch.lines.num_rows
    cp.position = batch.end
    cp.state["next_line"] = batch.first_line + batch.lines.num_rows
    checkpoint.save(data_dir, org, cp, path)
    if progress:
        progress(batch.end - batch.start)


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
    from . import ingest_batch

    spec = FORMATS[fmt]
    context = context or Context()
    context.file_mtime = context.file_mtime or datetime.now(UTC)
    lookup = _built(geo)
    result = IngestResult(f"stream:{stream or source}", fmt, source)
    with store_layout.writer_lock(data_dir, org, store_layout.stream_writer(stream or source)):
        cp = checkpoint.for_stream(data_dir, org, stream or source)
        store_layout.discard_uncommitted(data_dir, org, cp.key, cp.position)
        batch = ingest_batch.message_batch(lines, cp.position)
        parsed = spec.parser(batch, context, cp.state)
        batch_name = store_layout.BatchName(cp.key, batch.start, batch.end)
        done = ingest_batch.store_batch(
            parsed,
            batch.lines,
            [],
            batch_name,
            data_dir=data_dir,
            org=org,
            geo=lookup,
            source=source,
            source_file=result.path,
        )
        _add(result, done)
        result.read = batch.lines.num_rows
        cp.position = batch.end
        checkpoint.save(data_dir, org, cp)
    return result
