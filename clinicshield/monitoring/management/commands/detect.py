from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.lib.cli import (
    add_format_argument,
    add_org_argument,
    emit_document,
    get_org,
    progress_bar,
    refuse,
)
from clinicshield.monitoring.actions import do_run_detection


class Command(BaseCommand):
    help = "Run the detectors now over the organisation's events since the last pass."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_argument(parser)
        add_format_argument(parser)
        parser.add_argument("--now", help="the end of the window (ISO 8601, UTC); default now")
        parser.add_argument("--since", help="the start of the window (ISO 8601, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        now = _moment(options["now"], "--now") or timezone.now()
        since = _moment(options["since"], "--since")
        if since and since >= now:
            raise refuse("--since must be before --now")
        # A long window runs day by day: a bar on a terminal says how far it is.
        bar = progress_bar(None, desc="detect", unit="day")
        try:
            result = do_run_detection(org, now, start=since, progress=bar.update)
        finally:
            bar.close()
        emit_document(
            self.stdout,
            {
                "window_start": result.window_start.isoformat(),
                "window_end": result.window_end.isoformat(),
                "findings": result.findings,
                "new_alerts": len(result.new_alerts),
                "grown_alerts": result.grown_alerts,
                "suppressed": result.suppressed,
                "simulations": result.simulations,
                # A SigmaHQ checkout holds thousands of rules for logs we do not store:
                # say how many were skipped and show a few, not all of them.
                "rules_skipped": len(result.problems),
                "rules_skipped_examples": result.problems[:5],
            },
            options["format"],
        )


def _moment(text: str | None, option: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise refuse(f"{option} {text!r} is not an ISO 8601 date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
