"""How each format's records are read into batches: lines, .evtx records, or the records
of one JSON document. The registry (``parsers.FORMATS``) names these by module and name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import is_json_document, readers, records_per_batch
from .base import Batch, read_line_batches


def lines(
    path: str, start: int, first_line: int, rejects: list[dict[str, Any]], batch_bytes: int
) -> Iterator[Batch]:
    return read_line_batches(path, start, first_line, batch_bytes)


def evtx(
    path: str, start: int, first_line: int, rejects: list[dict[str, Any]], batch_bytes: int
) -> Iterator[Batch]:
    return readers.read_evtx_batches(path, start, rejects, records_per_batch(batch_bytes))


def json_any(
    path: str, start: int, first_line: int, rejects: list[dict[str, Any]], batch_bytes: int
) -> Iterator[Batch]:
    """JSON lines, or one document (an array, a paged object, or one pretty-printed record)."""
    if is_json_document(path):
        return readers.read_json_document_batches(path, start, records_per_batch(batch_bytes))
    return read_line_batches(path, start, first_line, batch_bytes)
