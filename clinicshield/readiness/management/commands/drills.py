"""`clinicshield drills scenarios|list|validate`: the tabletop scenarios and the drills run."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import add_format_argument, add_org_argument, emit_rows, fail

from ...core.catalogue import validate_content
from ...models import Drill
from ...queries import scenario_rows


class Command(BaseCommand):
    help = "Tabletop drills: list the scenarios, list an organisation's drills, check content."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        scenarios = sub.add_parser("scenarios", help="the scenarios shipped, with languages")
        add_format_argument(scenarios)
        listing = sub.add_parser("list", help="an organisation's drills and their scores")
        add_org_argument(listing)
        add_format_argument(listing)
        sub.add_parser("validate", help="check every playbook and scenario file; exit 1 if bad")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "validate":
            problems = validate_content()
            for problem in problems:
                sys.stderr.write(f"{problem}\n")
            if problems:
                raise fail(f"{len(problems)} problem(s) in the readiness content")
            self.stdout.write("all playbooks and scenarios are valid in every language")
        elif action == "scenarios":
            emit_rows(self.stdout, scenario_rows(), options["format"])
        else:
            org = get_org(options["org"])
            rows = [
                {
                    "id": d.pk,
                    "scenario": d.scenario_key,
                    "language": d.language,
                    "status": d.status,
                    "started_at": d.started_at.isoformat(),
                    "finished_at": d.finished_at.isoformat() if d.finished_at else None,
                    "percent": d.score.get("percent") if d.score else None,
                    "open_improvements": d.improvements.filter(closed_at=None).count(),
                }
                for d in Drill.objects.filter(organisation=org)
            ]
            emit_rows(self.stdout, rows, options["format"])
