from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.actions import do_create_organisation
from clinicshield.lib.cli import from_user_error
from clinicshield.lib.errors import UserError


class Command(BaseCommand):
    help = "Create an organisation (a clinic or a chain of them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="display name, e.g. 'Clínica Santa Ana'")
        parser.add_argument("--slug", required=True, help="short name used in URLs and --org")
        parser.add_argument("--timezone", default="Europe/Madrid", help="IANA timezone")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = do_create_organisation(
                options["name"], options["slug"], options["timezone"], "cli"
            )
        except UserError as error:
            raise from_user_error(error) from None
        self.stdout.write(f"created organisation {org.slug} ({org.name})")
