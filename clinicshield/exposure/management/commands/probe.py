"""`clinicshield probe --org SLUG --zone NAME`: test the segmentation policy from here."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.lib.cli import add_format_argument, emit_rows, fail, from_user_error, get_org
from clinicshield.lib.errors import UserError

from ...actions import do_run_probe
from ...present import VERDICT_REASONS


class Command(BaseCommand):
    help = (
        "Run the segmentation policy's reachability tests from the zone this machine is in, "
        "and report each rule as held, violated, inconclusive or untested."
    )
    # Start-up time matters for a scanner run by cron and sensors: skip the URL checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation short name (slug)")
        parser.add_argument("--zone", required=True, help="the policy zone this machine is in")
        parser.add_argument(
            "--timeout",
            type=float,
            default=1.5,
            help="seconds per connection attempt (default 1.5)",
        )
        add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        try:
            run = do_run_probe(org, options["zone"], timeout=options["timeout"])
        except UserError as error:
            raise from_user_error(error) from None
        rows = [
            {
                "from": v["from"],
                "to": v["to"],
                "action": v["action"],
                "ports": v["ports"],
                "verdict": v["verdict"],
                "why": str(VERDICT_REASONS.get(v["reason"], v["reason"])),
                "evidence": [f"{a}:{p} {s}" for a, p, s in v["evidence"]][:10],
            }
            for v in run.verdicts
        ]
        emit_rows(self.stdout, rows, options["format"])
        if any(v["verdict"] == "violated" for v in run.verdicts):
            raise fail("the segmentation policy is violated")
