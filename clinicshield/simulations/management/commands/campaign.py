"""`clinicshield campaign templates|create|launch|results|poll-reports`."""

from __future__ import annotations

import imaplib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import (
    add_format_argument,
    emit_document,
    emit_rows,
    fail,
    from_user_error,
    port_number,
    positive_int,
    refuse,
)
from clinicshield.lib.errors import UserError
from clinicshield.simulations import actions, queries
from clinicshield.simulations.models import Campaign


class Command(BaseCommand):
    help = "Phishing and ClickFix simulations: list templates, create, launch, see results."
    # No system checks: they import every app's URLs for seconds, and an appended
    # --skip-checks would land after our sub-command's own arguments.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        templates = verbs.add_parser("templates", help="list the template library")
        add_format_argument(templates)
        create = verbs.add_parser("create", help="create a campaign; prints its id")
        create.add_argument("--org", required=True, help="organisation short name")
        create.add_argument("--name", required=True)
        create.add_argument("--template", required=True, help="template key (see `templates`)")
        create.add_argument("--targets", default="all", help="all | site:NAME | dept:NAME")
        create.add_argument("--smtp-host", required=True)
        create.add_argument("--smtp-port", type=port_number, default=25)
        create.add_argument("--from", dest="from_address", required=True, help="From address")
        create.add_argument("--base-url", required=True, help="where recipients reach us")
        create.add_argument(
            "--days", type=positive_int, default=1, help="spread sending over N days"
        )
        create.add_argument(
            "--rate", type=positive_int, default=60, help="at most N emails a minute"
        )
        create.add_argument(
            "--connections", type=positive_int, default=2, help="parallel SMTP sessions"
        )
        launch = verbs.add_parser("launch", help="send now (--now) or on the schedule")
        launch.add_argument("id", type=int)
        launch.add_argument("--now", action="store_true", help="send everything at once")
        results = verbs.add_parser("results", help="totals and per-recipient statuses")
        results.add_argument("id", type=int)
        add_format_argument(results)
        poll = verbs.add_parser("poll-reports", help="read the report mailbox now")
        poll.add_argument("--org", required=True)
        mailbox = verbs.add_parser("mailbox", help="set the report mailbox (IMAP)")
        mailbox.add_argument("--org", required=True)
        mailbox.add_argument("--host", required=True)
        mailbox.add_argument("--port", type=port_number, default=993)
        mailbox.add_argument("--no-ssl", action="store_true", help="plain IMAP (loopback only)")
        mailbox.add_argument("--user", required=True)
        mailbox.add_argument(
            "--password-env", required=True, help="environment variable holding the password"
        )
        mailbox.add_argument("--address", required=True, help="the address staff forward to")
        mailbox.add_argument("--own-domain", action="append", default=[], dest="own_domains")
        mailbox.add_argument(
            "--supplier-domain", action="append", default=[], dest="supplier_domains"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"do_{options['verb'].replace('-', '_')}")
        try:
            handler(options)
        except UserError as error:
            raise from_user_error(error) from None

    def do_templates(self, options: dict[str, Any]) -> None:
        rows = queries.template_rows()
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        else:
            emit_rows(self.stdout, rows, "table")

    def do_create(self, options: dict[str, Any]) -> None:
        org = get_org(options["org"])
        campaign = actions.do_create_campaign(
            org,
            name=options["name"],
            template_key=options["template"],
            targets=options["targets"],
            smtp_host=options["smtp_host"],
            smtp_port=options["smtp_port"],
            from_address=options["from_address"],
            connections=options["connections"],
            base_url=options["base_url"],
            actor="cli",
            days=options["days"],
            rate_per_minute=options["rate"],
        )
        self.stdout.write(f"{campaign.pk}\n")

    def _campaign(self, campaign_id: int) -> Campaign:
        campaign = queries.campaign_by_id(campaign_id)
        if campaign is None:
            raise refuse(f"no campaign with id {campaign_id}")
        return campaign

    def do_launch(self, options: dict[str, Any]) -> None:
        campaign = self._campaign(options["id"])
        now = timezone.now()
        # Also resumes a sending campaign (--now): the action says which states may launch.
        unplaced = actions.do_launch_campaign(
            campaign, now, immediately=options["now"], actor="cli"
        )
        if unplaced:
            self.stderr.write(f"{unplaced} recipients do not fit the sending window")
        if not options["now"]:
            self.stdout.write(f"campaign {campaign.pk} scheduled\n")
            return
        # Only unsent recipients go out: a send that was interrupted is finished.
        summary = actions.do_send_due(campaign.pk, now)
        if summary.busy:
            raise fail(f"campaign {campaign.pk} is being sent by another process")
        self.stdout.write(
            f"sent {summary.sent}, failed {summary.failed}, "
            f"resent after a crash {summary.resent_after_crash}\n"
        )
        for error in summary.errors[:20]:
            self.stderr.write(error)
        if summary.errors:
            raise fail(f"{len(summary.errors)} sending errors")

    def do_results(self, options: dict[str, Any]) -> None:
        campaign = self._campaign(options["id"])
        actions.do_fold_hits()  # every hit answered so far counts
        document = queries.results_document(campaign)
        if options["format"] == "json":
            emit_document(self.stdout, document, "json")
            return
        totals = document["totals"]
        summary = {k: document[k] for k in ("id", "name", "template", "kind", "state")}
        emit_document(self.stdout, {**summary, **totals}, "table")
        self.stdout.write("\n")
        rows = [
            {
                "site": site,
                "sent": r["funnel"]["sent"],
                "failed": r["failures"],
                "reported": r["reported"],
            }
            for site, r in document["by_site"].items()
        ]
        emit_rows(self.stdout, rows, "table")

    def do_mailbox(self, options: dict[str, Any]) -> None:
        org = get_org(options["org"])
        actions.do_set_report_mailbox(
            org,
            host=options["host"],
            port=options["port"],
            use_ssl=not options["no_ssl"],
            username=options["user"],
            password_env=options["password_env"],
            address=options["address"],
            own_domains=options["own_domains"],
            supplier_domains=options["supplier_domains"],
        )
        self.stdout.write(f"report mailbox of {org.slug}: {options['address']}\n")

    def do_poll_reports(self, options: dict[str, Any]) -> None:
        org = get_org(options["org"])
        mailbox = queries.report_mailbox(org)
        if mailbox is None:
            raise refuse(f"organisation {org.slug} has no report mailbox configured")
        try:
            summary = actions.do_poll_report_mailbox(mailbox, timezone.now())
        except (OSError, imaplib.IMAP4.error) as error:
            raise fail(f"cannot read the report mailbox: {error}") from None
        self.stdout.write(json.dumps(summary.__dict__) + "\n")
