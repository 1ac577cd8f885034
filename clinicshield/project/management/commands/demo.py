import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from clinicshield.accounts import demo
from clinicshield.accounts.models import Organisation
from clinicshield.dashboard import demo as dashboard_demo
from clinicshield.exposure import demo as exposure_demo
from clinicshield.lib.cli import refuse
from clinicshield.monitoring import demo as monitoring_demo
from clinicshield.readiness import demo as readiness_demo
from clinicshield.simulations import demo as simulations_demo
from clinicshield.training import demo as training_demo

# The order matters: later apps read what earlier ones seeded (the dashboard reads all).
DEMO_APPS = {
    "training": training_demo,
    "simulations": simulations_demo,
    "readiness": readiness_demo,
    "monitoring": monitoring_demo,
    "exposure": exposure_demo,
    "dashboard": dashboard_demo,
}
PASSWORD_ENV = "CLINICSHIELD_DEMO_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class Command(BaseCommand):
    help = (
        "Seed the demo clinic 'Clínica Santa Ana' (slug demo) with sites, staff and every "
        f"app's demo data. Logins use ${PASSWORD_ENV}, or a password printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete the demo and seed anew")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Organisation.objects.filter(slug__in=[demo.DEMO_SLUG, demo.SECOND_SLUG])
        if existing.exists():
            if not options["reset"]:
                raise refuse("the demo exists already; use --reset to seed it anew")
            existing.delete()
        password = os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(12)
        now = timezone.now()
        with transaction.atomic():
            org, logins = demo.seed_organisation(password, now)
            self.stdout.write(f"seeded {org.name}: {org.people.count()} staff, 2 sites")
        for app, module in DEMO_APPS.items():
            with transaction.atomic():
                summary = module.seed(org, now)
            self.stdout.write(f"{app}: {summary or 'seeded'}")
        self.stdout.write("log in at /accounts/login/ as:")
        for line in logins:
            self.stdout.write(f"  {line}")
        if not os.environ.get(PASSWORD_ENV):
            self.stdout.write(f"  password for all three: {password}")
        self.stdout.write("owners and IT set up two-step sign-in at their first login")
