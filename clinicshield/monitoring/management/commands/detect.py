from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import (
    add_format_argument,
    add_org_argument,
    emit_document,
    parse_moment,
    progress_bar,
    refuse,
)
from clinicshield.monitoring.actions import do_run_detection
from clinicshield.monitoring.core.detectors.registry import DETECTORS
from clinicshield.monitoring.core.store_span import Outside


class Command(BaseCommand):
    help = "Run the detectors now over the organisation's events since the last pass."

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_argument(parser)
        add_format_argument(parser)
        parser.add_argument("--now", help="the end of the window (ISO 8601, UTC); default now")
        parser.add_argument("--since", help="the start of the window (ISO 8601, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        now = parse_moment(options["now"]) if options["now"] else timezone.now()
        since = parse_moment(options["since"], "--since") if options["since"] else None
        if since and since >= now:
            raise refuse("--since must be before --now")
        # A long window takes a while: a bar on a terminal counts the detectors done.
        bar = progress_bar(len(DETECTORS), desc="detect", unit="detector")
        try:
            result = do_run_detection(org, now, start=since, progress=lambda _name: bar.update())
        finally:
            bar.close()
        note = unjudged_note(result.unjudged)
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
                "unjudged_before": result.unjudged.before,
                "unjudged_after": result.unjudged.after,
                "note": note,
            },
            options["format"],
        )


def unjudged_note(outside: Outside) -> str:
    """One line on the stored events this window left out and no pass has judged."""
    parts = []
    if outside.before:
        oldest = outside.oldest.date().isoformat() if outside.oldest else "?"
        parts.append(
            f"{outside.before:,} stored events (from {oldest}) come before every window judged"
            " so far: a plain `clinicshield detect` (without --since) judges them"
        )
    if outside.after:
        newest = outside.newest.isoformat() if outside.newest else "?"
        parts.append(
            f"{outside.after:,} stored events (up to {newest}) come after --now and were not judged"
        )
    return "; ".join(parts)
