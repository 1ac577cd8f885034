"""Parsers of the source formats, one module each, behind one small registry.

A format pairs a *reader* (bytes -> batches of records with their positions) with a
*parser* (a batch -> Arrow tables of the normalised kinds, plus rejected records).

The registry names them by module and is read before anything is known about a file, so
it loads none of them: a module (and with it DuckDB, pyarrow and numpy) is imported the
first time its reader or parser is asked for. An ``ingest`` that finds nothing new in its
files never loads them.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .context import Context

if TYPE_CHECKING:
    from .base import Batch, Parsed

__all__ = ["FORMATS", "Context", "Format", "is_json_document", "position_kind"]

Reader = Callable[[str, int, int, list[dict[str, Any]], int], "Iterator[Batch]"]
Parser = Callable[["Batch", Context, dict[str, Any]], "Parsed"]


def records_per_batch(batch_bytes: int) -> int:
    """Records of .evtx files and JSON documents per batch: 32,768 for the default size
    (an .evtx record as JSON is about a KiB, and decoding it holds the GIL)."""
    return max(100, batch_bytes // 512)


def is_json_document(path: str) -> bool:
    """True for a JSON array or a single (possibly pretty-printed) JSON object."""
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


def _named(reference: str) -> Any:
    """``"module:name"`` of this package, imported on first use."""
    module, name = reference.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    read_with: str  # "module:function" of this package: the reader
    parse_with: str  # "module:function": the parser
    position: str  # "byte" or "record": what a checkpoint position counts
    # Batches after the first may be parsed side by side: the parser keeps no state from
    # one batch to the next beyond what the first one taught it.
    parallel: bool = True

    @property
    def reader(self) -> Reader:
        reader: Reader = _named(self.read_with)
        return reader

    @property
    def parser(self) -> Parser:
        parser: Parser = _named(self.parse_with)
        return parser


_JSON_ANY = "sources:json_any"

FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format("evtx", "Windows .evtx event log", "sources:evtx", "windows:parse", "record"),
        Format(
            "winjson",
            "Windows events as JSON lines (NXLog/Winlogbeat) or a JSON document",
            _JSON_ANY,
            "windows:parse",
            "byte",
        ),
        Format(
            "syslog",
            "Linux syslog / auth.log (RFC 3164 or 5424)",
            "sources:lines",
            "syslog:parse",
            "byte",
        ),
        Format(
            "entra",
            "Entra ID sign-ins (Graph or Azure Monitor export)",
            _JSON_ANY,
            "entra:parse",
            "byte",
        ),
        Format(
            "zeek",
            "Zeek conn.log (JSON or TSV)",
            "sources:lines",
            "zeek:parse",
            "byte",
            parallel=False,
        ),
        Format(
            "csv",
            "CSV (firewall/NetFlow, or with a field mapping)",
            "sources:lines",
            "tabular:parse_csv",
            "byte",
            parallel=False,  # counts rows across batches
        ),
        Format(
            "json", "JSON lines with a field mapping", "sources:lines", "tabular:parse_json", "byte"
        ),
    ]
}


def position_kind(fmt: Format, path: str) -> str:
    """JSON documents (Entra exports, Windows events) count records, not bytes."""
    if fmt.read_with == _JSON_ANY and is_json_document(path):
        return "record"
    return fmt.position
