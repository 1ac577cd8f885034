"""Parsers of the source formats, one module each, behind one small registry.

A format pairs a *reader* (bytes -> batches of records with their positions) with a
*parser* (a batch -> Arrow tables of the normalised kinds, plus rejected records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import entra, readers, syslog, tabular, windows, zeek
from .base import Batch, Context, Parsed, connect, read_line_batches

__all__ = ["FORMATS", "Batch", "Context", "Format", "Parsed", "connect", "position_kind"]

Reader = Callable[[str, int, int, list[dict[str, Any]], int], Iterator[Batch]]
Parser = Callable[[Batch, Context, dict[str, Any]], Parsed]


def _records_per_batch(batch_bytes: int) -> int:
    """Records of .evtx files and JSON documents per batch: 32,768 for the default size
    (an .evtx record as JSON is about a KiB, and decoding it holds the GIL)."""
    return max(100, batch_bytes // 512)


def _lines(
    path: str, start: int, first_line: int, rejects: list[dict[str, Any]], batch_bytes: int
) -> Iterator[Batch]:
    return read_line_batches(path, start, first_line, batch_bytes)


def _evtx(
    path: str, start: int, first_line: int, rejects: list[dict[str, Any]], batch_bytes: int
) -> Iterator[Batch]:
    return readers.read_evtx_batches(path, start, rejects, _records_per_batch(batch_bytes))


def _json_any(
    path: str, start: int, first_line: int, rejects: list[dict[str, Any]], batch_bytes: int
) -> Iterator[Batch]:
    """JSON lines, or one document (an array, a paged object, or one pretty-printed record)."""
    if is_json_document(path):
        return readers.read_json_document_batches(path, start, _records_per_batch(batch_bytes))
    return read_line_batches(path, start, first_line, batch_bytes)


def is_json_document(path: str) -> bool:
    """True for a JSON array or a single (possibly pretty-printed) JSON object."""
    import json

    with open(path, "rb") as handle:
        head = handle.read(1 << 20).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"[":
        return True
    if head[:1] != b"{":
        return False
    first_line = head.split(b"\n", 1)[0]
    try:
        obj = json.loads(first_line)
    except ValueError:
        return True  # an object spread over several lines
    return isinstance(obj, dict) and (
        isinstance(obj.get("value"), list) or isinstance(obj.get("records"), list)
    )


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    reader: Reader
    parser: Parser
    position: str  # "byte" or "record": what a checkpoint position counts
    # Batches after the first may be parsed side by side: the parser keeps no state from
    # one batch to the next beyond what the first one taught it.
    parallel: bool = True


FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format("evtx", "Windows .evtx event log", _evtx, windows.parse, "record"),
        Format(
            "winjson",
            "Windows events as JSON lines (NXLog/Winlogbeat) or a JSON document",
            _json_any,
            windows.parse,
            "byte",
        ),
        Format(
            "syslog", "Linux syslog / auth.log (RFC 3164 or 5424)", _lines, syslog.parse, "byte"
        ),
        Format(
            "entra",
            "Entra ID sign-ins (Graph or Azure Monitor export)",
            _json_any,
            entra.parse,
            "byte",
        ),
        Format("zeek", "Zeek conn.log (JSON or TSV)", _lines, zeek.parse, "byte", parallel=False),
        Format(
            "csv",
            "CSV (firewall/NetFlow, or with a field mapping)",
            _lines,
            tabular.parse_csv,
            "byte",
            parallel=False,  # counts rows across batches
        ),
        Format("json", "JSON lines with a field mapping", _lines, tabular.parse_json, "byte"),
    ]
}


def position_kind(fmt: Format, path: str) -> str:
    """JSON documents (Entra exports, Windows events) count records, not bytes."""
    if fmt.reader is _json_any and is_json_document(path):
        return "record"
    return fmt.position
