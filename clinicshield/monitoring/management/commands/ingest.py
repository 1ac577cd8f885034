import argparse
import json
import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.accounts.models import Organisation
from clinicshield.lib.cli import add_org_argument, emit_rows, from_user_error, progress_bar
from clinicshield.lib.errors import UserError
from clinicshield.monitoring.actions import do_ingest_files
from clinicshield.monitoring.core.ingest import IngestResult
from clinicshield.monitoring.core.parsers import FORMATS


class Command(BaseCommand):
    help = (
        "Read log files into the event store: new records only, impossible ones "
        "quarantined. Prints what was read, stored and quarantined per file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="log files to read")
        add_org_argument(parser)
        parser.add_argument(
            "--format",
            choices=["auto", *FORMATS],
            default="auto",
            help="the files' format; auto recognises it by content (default)",
        )
        parser.add_argument(
            "--year", type=int, help="year of the first line of a syslog file without years"
        )
        parser.add_argument(
            "--timezone",
            help="zone of timestamps that carry none (default: the organisation's)",
        )
        parser.add_argument(
            "--source", help="log source name (default: the format's name, e.g. syslog)"
        )
        parser.add_argument(
            "--mapping",
            help="JSON file mapping CSV/JSON columns to event fields; with --source it is "
            "saved on that source, and later runs of the source use it",
        )
        parser.add_argument(
            "--output",
            choices=["table", "json"],
            default="table",
            help="table for people (default), json for scripts (one object per file)",
        )
        parser.add_argument(
            "--follow",
            action="store_true",
            help="keep reading the files as they grow or are rotated, until Ctrl-C or "
            "SIGTERM; prints a row for each file that had new records",
        )
        parser.add_argument(
            "--interval",
            type=_seconds,
            default=10.0,
            metavar="SECONDS",
            help="with --follow, how often to look at the files (default 10)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        mapping = _read_mapping(options["mapping"])
        bars: list[Any] = []

        def show_progress(path: Path, fmt: str, total: int) -> Any:
            bar = progress_bar(total if fmt != "evtx" else None, desc=path.name, unit="B")
            bars.append(bar)
            return bar.update

        paths = [Path(p) for p in options["paths"]]
        # A follower waits for a log that is not there yet (a rotation, a service not yet
        # started) instead of refusing it.
        waiting = [p for p in paths if options["follow"] and not _has_data(p)]
        for path in waiting:
            self.stderr.write(f"{path}: no data yet; it will be read when it has some")
        present = [p for p in paths if p not in waiting]
        # A mapping given with a source is saved on it, once, after the first pass read
        # the files with it.
        save_mapping = bool(mapping and options["source"] and present)
        try:
            results = self._ingest(
                org,
                present,
                options["format"],
                options,
                mapping,
                show_progress,
                save_mapping=save_mapping,
            )
        finally:
            for bar in bars:
                bar.close()
        emit_rows(self.stdout, [_row(r) for r in results], options["output"])
        if save_mapping:
            note = (
                f"saved the field mapping on log source {options['source']!r}; "
                f"later runs with --source {options['source']} use it\n"
            )
            # a person reads it under the table; a script's JSON lines stay clean
            (self.stdout if options["output"] == "table" else self.stderr).write(note)
        if options["follow"]:
            # Each file keeps the format found on its first pass: a file just rotated is
            # empty, and an empty file cannot be recognised.
            formats = {Path(r.path): r.format for r in results}
            self._follow(org, formats, waiting, options, mapping)

    def _ingest(
        self,
        org: Organisation,
        paths: list[Path],
        fmt: str,
        options: dict[str, Any],
        mapping: dict[str, Any] | None,
        progress: Any = None,
        *,
        missing_ok: bool = False,
        save_mapping: bool = False,
    ) -> list[IngestResult]:
        try:
            return do_ingest_files(
                org,
                paths,
                fmt,
                year=options["year"],
                tz=options["timezone"],
                source=options["source"],
                mapping=mapping,
                save_mapping=save_mapping,
                progress=progress,
            )
        except UserError as error:
            if missing_ok and error.code == "no_file":
                return []
            raise from_user_error(error) from None
        except FileNotFoundError:
            if missing_ok:  # gone between the look and the read: a rotation under way
                return []
            raise

    def _follow(
        self,
        org: Organisation,
        formats: dict[Path, str],
        waiting: list[Path],
        options: dict[str, Any],
        mapping: dict[str, Any] | None,
    ) -> None:
        """Read what is new every ``--interval`` seconds. Stopping at any moment is safe:
        the checkpoints say what is stored. A rotated file is a new file (its first bytes
        differ), read from its start; a file missing for a while is waited for."""
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.wait(options["interval"]):
            for path in [p for p in waiting if _has_data(p)]:
                waiting.remove(path)
                formats[path] = options["format"]  # recognised on this first read
            new: list[IngestResult] = []
            for path, fmt in list(formats.items()):
                if stop.is_set():
                    break
                for result in self._ingest(org, [path], fmt, options, mapping, missing_ok=True):
                    formats[path] = result.format
                    new.append(result)
            rows = [_row(r) for r in new if r.read]
            if rows:
                emit_rows(self.stdout, rows, options["output"])
                self.stdout.flush()


def _has_data(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _row(result: IngestResult) -> dict[str, Any]:
    return {
        "file": result.path,
        "format": result.format,
        "source": result.source,
        "read": result.read,
        "stored": result.stored_total,
        "quarantined": result.quarantined,
        "last_event": result.last_event.isoformat() if result.last_event else None,
    }


def _read_mapping(path: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    try:
        mapping = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise from_user_error(UserError("bad_mapping", f"{path}: {error}")) from None
    if not isinstance(mapping, dict) or not isinstance(mapping.get("fields"), dict):
        raise from_user_error(
            UserError("bad_mapping", f'{path}: a mapping needs a "fields" object')
        )
    return mapping
