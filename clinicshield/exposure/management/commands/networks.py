"""`clinicshield networks add|list|remove|policy`: the networks scans may target."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import add_format_argument, emit_rows, from_user_error, refuse
from clinicshield.lib.errors import UserError

from ...actions import do_add_network, do_delete_network, do_save_policy
from ...queries import network_by_cidr, networks, stored_policy


class Command(BaseCommand):
    help = "Register the organisation's networks (per site and zone) and its segmentation policy."
    # Start-up time matters for a scanner run by cron and sensors: skip the URL checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="register a network (creates the site if needed)")
        add.add_argument("--org", required=True, help="organisation short name (slug)")
        add.add_argument("--site", required=True, help="site name, e.g. 'Madrid Centro'")
        add.add_argument(
            "--zone",
            required=True,
            help="clinical, lab, admin, guest, servers or devices",
        )
        add.add_argument("--cidr", required=True, help="the network, e.g. 10.1.20.0/24")
        add.add_argument("--ports", default="clinic", help="port set for scheduled scans")
        listing = sub.add_parser("list", help="the registered networks")
        listing.add_argument("--org", required=True, help="organisation short name (slug)")
        add_format_argument(listing)
        remove = sub.add_parser("remove", help="unregister a network (its scans go too)")
        remove.add_argument("--org", required=True, help="organisation short name (slug)")
        remove.add_argument("--cidr", required=True, help="the network to remove")
        policy = sub.add_parser("policy", help="show or set the segmentation policy (YAML)")
        policy.add_argument("--org", required=True, help="organisation short name (slug)")
        policy.add_argument("--set", metavar="FILE", help="replace the policy with this YAML file")

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        action = options["action"]
        try:
            if action == "add":
                network = do_add_network(
                    org, options["site"], options["zone"], options["cidr"], "cli", options["ports"]
                )
                self.stdout.write(f"registered {network.cidr} ({network.zone}) at {network.site}")
            elif action == "list":
                rows = [
                    {
                        "cidr": n.cidr,
                        "site": n.site.name,
                        "zone": n.zone,
                        "ports": n.ports,
                        "scan_every_days": n.scan_every_days,
                    }
                    for n in networks(org)
                ]
                emit_rows(self.stdout, rows, options["format"])
            elif action == "remove":
                found = network_by_cidr(org, options["cidr"])
                if found is None:
                    raise refuse(f"{options['cidr']} is not registered for {org.slug}")
                do_delete_network(found, "cli")
                self.stdout.write(f"removed {options['cidr']}")
            else:
                self.policy(org, options["set"])
        except UserError as error:
            raise from_user_error(error) from None

    def policy(self, org: Any, path: str | None) -> None:
        if path is None:
            stored = stored_policy(org)
            self.stdout.write(stored.text if stored else "", ending="")
            return
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise refuse(f"cannot read {path}: {error.strerror}") from None
        do_save_policy(org, text, "cli")
        self.stdout.write(f"saved the segmentation policy of {org.slug}")
