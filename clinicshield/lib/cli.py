"""Shared pieces of the CLI verbs: --org and --format, output, progress, exit codes.

Exit codes: 0 done, 1 failed, 2 refused or bad usage (with a one-line reason on stderr).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from django.core.management.base import CommandError, CommandParser

from .errors import UserError


class Writable(Protocol):
    """sys.stdout or a management command's self.stdout."""

    def write(self, text: str) -> Any: ...


REFUSED = 2
FAILED = 1


def refuse(message: str) -> CommandError:
    """An error for bad usage or a refusal: exit code 2, one line on stderr."""
    return CommandError(message, returncode=REFUSED)


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=FAILED)


def from_user_error(error: UserError) -> CommandError:
    return CommandError(str(error.message), returncode=REFUSED)


def parse_moment(text: str, option: str = "--now") -> datetime:
    """An ISO time given on the command line, as an aware datetime (UTC unless it says)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise refuse(f"{option} {text!r}: expected an ISO time such as 2027-05-01T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more (a bad one exits 2 naming it)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def port_number(text: str) -> int:
    """An argparse type: a TCP/UDP port, 1 to 65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return value


def add_org_argument(parser: CommandParser, required: bool = True) -> None:
    parser.add_argument("--org", required=required, help="organisation short name (slug)")


def add_format_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="table for people (default), json for scripts",
    )


def emit_rows(
    out: Writable, rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None
) -> None:
    """A list: JSON lines (one object per line) or an aligned table."""
    if fmt == "json":
        for row in rows:
            out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
        return
    if not rows:
        out.write("(none)\n")
        return
    columns = list(columns or rows[0].keys())
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    header = "  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))
    out.write(header.rstrip() + "\n")
    for r in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")


def emit_document(out: Writable, document: dict[str, Any], fmt: str) -> None:
    """One object: a JSON document, or `key: value` lines."""
    if fmt == "json":
        out.write(json.dumps(document, default=str, ensure_ascii=False, indent=2) + "\n")
        return
    for key, value in document.items():
        out.write(f"{key}: {_cell(value)}\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


class ProgressBar(Protocol):
    """What verbs use of a progress bar (tqdm's names)."""

    total: int | float | None
    n: int | float

    def update(self, n: int | float = 1) -> Any: ...
    def refresh(self) -> Any: ...
    def close(self) -> Any: ...


class _QuietBar:
    """The bar of a command whose standard error is not a terminal: it draws nothing, so
    tqdm is not even loaded (a few hundredths of a second on every piped command)."""

    def __init__(self, total: int | None) -> None:
        self.total: int | float | None = total
        self.n: int | float = 0

    def update(self, n: int | float = 1) -> None:
        self.n += n

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int | None, desc: str = "", unit: str = "it") -> ProgressBar:
    """For work that advances by amounts (bytes of a file): call `.update(n)` and `.close()`.
    Drawn on a terminal only."""
    if not sys.stderr.isatty():
        return _QuietBar(total)
    from tqdm import tqdm

    bar: ProgressBar = tqdm(total=total, desc=desc, unit=unit, unit_scale=True)
    return bar
