"""`clinicshield probe --zone NAME (--org SLUG | --server URL --token T)`.

Tests the segmentation policy from where it runs. With --org the policy and verdicts
live in this installation; with --server and --token this machine is a site sensor: it
fetches the plan from the central server, makes the connections, and sends back what it
saw for the server to judge.
"""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import add_format_argument, emit_rows, fail, from_user_error, refuse
from clinicshield.lib.errors import UserError

from ...actions import do_run_probe
from ...core.probe import probe
from ...core.sensor_client import SensorError, fetch_plan, report_states
from ...words import verdict_reason

TOKEN_ENV = "CLINICSHIELD_TOKEN"  # noqa: S105 - the name of a variable, not a secret


class Command(BaseCommand):
    help = (
        "Run the segmentation policy's reachability tests from the zone this machine is in, "
        "and report each rule as held, violated, inconclusive or untested."
    )
    # Start-up time matters for a probe run by cron and sensors: skip the URL checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="organisation short name (slug), on the server itself")
        parser.add_argument("--zone", required=True, help="the policy zone this machine is in")
        parser.add_argument("--server", help="central server URL, when running as a site sensor")
        parser.add_argument(
            "--token", help=f"API token of the sensor (role it); or set ${TOKEN_ENV}"
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=1.5,
            help="seconds per connection attempt (default 1.5)",
        )
        add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["timeout"] <= 0:
            raise refuse("--timeout must be positive")
        if options["server"]:
            verdicts = self.as_sensor(options)
        elif options["org"]:
            org = get_org(options["org"])
            try:
                verdicts = do_run_probe(org, options["zone"], timeout=options["timeout"]).verdicts
            except UserError as error:
                raise from_user_error(error) from None
        else:
            raise refuse("give --org SLUG, or --server URL and --token T for a site sensor")
        emit_rows(self.stdout, [row(v) for v in verdicts], options["format"])
        if any(v["verdict"] == "violated" for v in verdicts):
            raise fail("the segmentation policy is violated")

    def as_sensor(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        token = options["token"] or os.environ.get(TOKEN_ENV, "")
        if not token:
            raise refuse(f"--server needs --token or ${TOKEN_ENV}")
        server, zone = options["server"], options["zone"]
        try:
            endpoints = fetch_plan(server, token, zone)
            states = probe(endpoints, timeout=options["timeout"]) if endpoints else {}
            return report_states(server, token, zone, states)
        except SensorError as error:
            raise (refuse(str(error)) if error.refused else fail(str(error))) from None


def row(verdict: dict[str, Any]) -> dict[str, Any]:
    return {
        "from": verdict["from"],
        "to": verdict["to"],
        "action": verdict["action"],
        "ports": verdict["ports"],
        "verdict": verdict["verdict"],
        "why": verdict_reason(verdict["reason"]),
        "evidence": [f"{a}:{p} {s}" for a, p, s in verdict["evidence"]][:10],
    }
