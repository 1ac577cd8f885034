from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.accounts.queries import export_staff_csv


class Command(BaseCommand):
    help = "Print the active staff as CSV (the same columns import-staff reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(export_staff_csv(get_org(options["org"])), ending="")
