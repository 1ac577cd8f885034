from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.dashboard.core.history import parse_month
from clinicshield.dashboard.management.commands.score import parse_now
from clinicshield.dashboard.pdf import monthly_report_pdf
from clinicshield.lib.cli import add_org_argument, fail, refuse


class Command(BaseCommand):
    help = "Write an organisation's monthly security report as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_argument(parser)
        parser.add_argument("--month", required=True, help="the month to report, YYYY-MM")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--language", choices=["en", "es"], default="en")
        parser.add_argument("--now", help="ISO time to measure at (default: now), UTC if no offset")

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        try:
            year, month = parse_month(options["month"])
        except ValueError as error:
            raise refuse(f"--month: {error}") from None
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise refuse(f"--out {out}: the folder {out.parent} does not exist")
        pdf = monthly_report_pdf(org, year, month, parse_now(options["now"]), options["language"])
        temporary = out.with_name(out.name + ".part")
        try:
            temporary.write_bytes(pdf)
            temporary.replace(out)
        except OSError as error:
            raise fail(f"--out {out}: {error.strerror}") from None
        self.stdout.write(f"wrote {out} ({len(pdf)} bytes)\n")
