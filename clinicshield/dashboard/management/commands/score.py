from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.accounts.cli import get_org
from clinicshield.dashboard.queries import compute_scores
from clinicshield.dashboard.words import score_report
from clinicshield.lib.cli import add_format_argument, add_org_argument, emit_document, parse_moment


def parse_now(text: str | None) -> datetime:
    return parse_moment(text) if text else timezone.now()


class Command(BaseCommand):
    help = "Print the security score of an organisation: total, components, next actions, sites."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_argument(parser)
        add_format_argument(parser)
        parser.add_argument("--now", help="ISO time to measure at (default: now), UTC if no offset")

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        now = parse_now(options["now"])
        scores = compute_scores(org, now)
        document = score_report(org.slug, now, scores)
        if options["format"] == "json":
            emit_document(self.stdout, document, "json")
            return
        self.stdout.write(f"{org.name}: {scores.org.total} / 100\n")
        for c in scores.org.components:
            self.stdout.write(f"  {c.key:<12} {c.points:>5} / {c.weight:<3} {c.status}\n")
        self.stdout.write("next actions:\n")
        for action in document["next_actions"]:
            self.stdout.write(f"  +{action['points']:<3} {action['text']}\n")
        self.stdout.write("sites:\n")
        for site in document["sites"]:
            self.stdout.write(f"  {site['total']:>3}  {site['site']}\n")
