import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.lib.cli import add_org_argument, emit_rows, from_user_error, get_org, progress_bar
from clinicshield.lib.errors import UserError
from clinicshield.monitoring.actions import do_ingest_files
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
        parser.add_argument("--mapping", help="JSON file mapping CSV/JSON columns to event fields")
        parser.add_argument(
            "--output",
            choices=["table", "json"],
            default="table",
            help="table for people (default), json for scripts (one object per file)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        mapping = _read_mapping(options["mapping"])
        bars: list[Any] = []

        def show_progress(path: Path, fmt: str, total: int) -> Any:
            bar = progress_bar(total if fmt != "evtx" else None, desc=path.name, unit="B")
            bars.append(bar)
            return bar.update

        try:
            results = do_ingest_files(
                org,
                [Path(p) for p in options["paths"]],
                options["format"],
                year=options["year"],
                tz=options["timezone"],
                source=options["source"],
                mapping=mapping,
                progress=show_progress,
            )
        except UserError as error:
            raise from_user_error(error) from None
        finally:
            for bar in bars:
                bar.close()
        rows = [
            {
                "file": r.path,
                "format": r.format,
                "source": r.source,
                "read": r.read,
                "stored": r.stored_total,
                "quarantined": r.quarantined,
                "last_event": r.last_event.isoformat() if r.last_event else None,
            }
            for r in results
        ]
        emit_rows(self.stdout, rows, options["output"])


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
