from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import add_format_argument, add_org_argument, emit_rows
from clinicshield.monitoring.models import SEVERITY_RANK, STATUS_CHOICES
from clinicshield.monitoring.queries import alert_payload, alerts_of, people_names

TABLE_COLUMNS = ["id", "severity", "kind", "user", "src_ip", "host", "last_seen", "count", "status"]


class Command(BaseCommand):
    help = "List the organisation's alerts (newest activity first), explained."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_argument(parser)
        add_format_argument(parser)
        parser.add_argument(
            "--status",
            choices=[code for code, _label in STATUS_CHOICES] + ["all"],
            default="all",
            help="only alerts in this state (default all)",
        )
        parser.add_argument("--kind", help="only alerts of this kind (e.g. off_hours)")
        parser.add_argument("--min-severity", choices=list(SEVERITY_RANK), default="low")
        parser.add_argument("--language", choices=["en", "es"], default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        status = options["status"]
        chosen = list(
            alerts_of(
                org,
                statuses=None if status == "all" else (status,),
                kind=options["kind"] or "",
                min_severity=options["min_severity"],
            )
        )
        names = people_names(org, {alert.user for alert in chosen})
        rows = [alert_payload(alert, options["language"], names) for alert in chosen]
        if options["format"] == "table":
            for row in rows:
                row["last_seen"] = row["last_seen"][:16].replace("T", " ")
            emit_rows(self.stdout, rows, "table", TABLE_COLUMNS + ["explanation"])
            return
        emit_rows(self.stdout, rows, "json")
