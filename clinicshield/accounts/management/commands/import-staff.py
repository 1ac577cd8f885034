from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.actions import do_import_staff
from clinicshield.accounts.cli import get_org
from clinicshield.accounts.core.roster import decode_roster
from clinicshield.lib.cli import add_format_argument, emit_document, refuse


class Command(BaseCommand):
    help = "Import or update staff from a CSV with the header name,email,department,site,language."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file")
        parser.add_argument("--org", required=True)
        add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise refuse(f"cannot read {path}: {error.strerror}") from None
        result = do_import_staff(org, decode_roster(raw), "cli")
        if result.missing_columns:
            raise refuse(f"{path}: missing columns: {', '.join(result.missing_columns)}")
        for problem in result.problems:
            value = f" ({problem.value})" if problem.value else ""
            self.stderr.write(f"{path}:{problem.line}: {problem.reason}{value}")
        emit_document(
            self.stdout,
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": len(result.problems),
            },
            options["format"],
        )
