"""`clinicshield incidents --org SLUG`: an organisation's incidents, newest first."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import add_format_argument, add_org_argument, emit_rows

from ...models import Incident


class Command(BaseCommand):
    help = "List an organisation's incidents with their tasks and notification status."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_argument(parser)
        parser.add_argument(
            "--status", choices=["open", "closed", "all"], default="all", help="which incidents"
        )
        add_format_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        incidents = Incident.objects.filter(organisation=org).prefetch_related("tasks")
        if options["status"] == "closed":
            incidents = incidents.filter(status="closed")
        elif options["status"] == "open":
            incidents = incidents.exclude(status="closed")
        rows = [incident_row(i) for i in incidents]
        columns = ["number", "status", "opened_at", "source", "playbook", "tasks_done", "title"]
        emit_rows(self.stdout, rows, options["format"], columns=columns)


def incident_row(incident: Incident) -> dict[str, Any]:
    tasks = list(incident.tasks.all())
    return {
        "number": incident.number,
        "title": incident.title,
        "status": incident.status,
        "source": incident.source,
        "source_ref": incident.source_ref,
        "playbook": incident.playbook_key,
        "opened_at": incident.opened_at.isoformat(timespec="seconds"),
        "closed_at": incident.closed_at.isoformat(timespec="seconds")
        if incident.closed_at
        else None,
        "aware_at": incident.aware_at.isoformat(timespec="seconds") if incident.aware_at else None,
        "notified": incident.notified,
        "notified_at": incident.notified_at,  # {notification: when it was sent}
        "tasks_done": f"{sum(t.status in ('done', 'skipped') for t in tasks)}/{len(tasks)}",
    }
