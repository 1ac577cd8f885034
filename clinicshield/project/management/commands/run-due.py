from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.lib.cli import add_format_argument, emit_rows, parse_moment, refuse
from clinicshield.lib.due import REGISTRY, discover, run_due


class Command(BaseCommand):
    help = "Run every periodic job that is due at a moment (default: now). Jobs are idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="ISO time to run the jobs for, UTC unless it has an offset"
        )
        parser.add_argument("--only", action="append", help="run only this job (repeatable)")
        parser.add_argument("--list", action="store_true", help="list the jobs and their cron")
        add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            discover()
            rows = [{"job": j.name, "cron": j.cron} for j in REGISTRY.values()]
            emit_rows(self.stdout, sorted(rows, key=lambda r: r["job"]), options["format"])
            return
        now = parse_moment(options["now"]) if options["now"] else timezone.now()
        try:
            results = run_due(now, options["only"])
        except KeyError as error:
            raise refuse(f"unknown job(s): {error.args[0]}") from None
        rows = [{"job": name, "summary": summary} for name, summary in results.items()]
        emit_rows(self.stdout, rows, options["format"])
