import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.actions import do_create_owner_with_link
from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import from_user_error
from clinicshield.lib.errors import UserError

PASSWORD_ENV = "CLINICSHIELD_OWNER_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class Command(BaseCommand):
    help = (
        "Create an owner account. The password comes from a prompt or from "
        f"${PASSWORD_ENV}; prints a one-time setup link where the owner turns on two-step "
        "sign-in (and chooses a password if none was given)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation short name")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="do not ask for a password: the owner chooses one through the setup link",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        password = os.environ.get(PASSWORD_ENV)
        if not password and not options["no_password"] and sys.stdin.isatty():
            password = getpass.getpass("Password (at least 12 characters): ")
        try:
            user, link = do_create_owner_with_link(
                org, options["email"], password or None, "cli", hours=72
            )
        except UserError as error:
            raise from_user_error(error) from None
        self.stdout.write(f"owner {user.email} of {org.slug}")
        self.stdout.write(f"one-time setup link (valid 72 hours): {link}")
