"""`clinicshield store compact|retention|expire`: upkeep of an organisation's event store."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.accounts.actions import do_set_events_retention
from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import (
    add_format_argument,
    add_org_argument,
    emit_document,
    from_user_error,
    parse_moment,
    refuse,
)
from clinicshield.lib.errors import UserError

from ...actions.store_upkeep import (
    compact_before,
    do_compact_events,
    do_expire_events,
    retention_cut,
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise refuse(f"--before {text!r}: expected a day such as 2027-05-01") from None


class Command(BaseCommand):
    help = "Compact the event store's closed days, and keep it within the retention."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        compact = sub.add_parser(
            "compact", help="merge each closed day's small files into one, sorted"
        )
        retention = sub.add_parser("retention", help="show or set how long events are kept")
        expire = sub.add_parser("expire", help="remove the days older than the retention")
        for each in (compact, retention, expire):
            add_org_argument(each)
            add_format_argument(each)
            each.add_argument("--now", help="the moment to act at (ISO 8601, UTC); default now")
        compact.add_argument(
            "--before", help="compact the days before this one (default: two days before now)"
        )
        chosen = retention.add_mutually_exclusive_group()
        chosen.add_argument("--days", type=int, help="keep this many days (90 at least)")
        chosen.add_argument(
            "--keep-everything", action="store_true", help="keep every event (the default)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        now = parse_moment(options["now"]) if options["now"] else timezone.now()
        action, fmt = options["action"], options["format"]
        if action == "compact":
            before = _day(options["before"]) if options["before"] else compact_before(now)
            result = do_compact_events(org, now, before=before, actor="cli")
            document: dict[str, Any] = {
                "before": before.isoformat(),
                "days_compacted": result.days,
                "files_before": result.files_before,
                "files_after": result.files_after,
                "rows": result.rows,
                "days_skipped": result.skipped,
            }
        elif action == "retention":
            if options["days"] is not None or options["keep_everything"]:
                try:
                    do_set_events_retention(org, "cli", options["days"])
                except UserError as error:
                    raise from_user_error(error) from None
            cut = retention_cut(org, now)
            document = {
                "events_retention_days": org.events_retention_days,
                "keeps_from": cut.isoformat() if cut else "everything",
            }
        else:
            expired = do_expire_events(org, now, actor="cli")
            cut = retention_cut(org, now)
            document = {
                "keeps_from": cut.isoformat() if cut else "everything",
                "days_removed": expired.days if expired else [],
                "quarantine_files_removed": expired.quarantine_files if expired else 0,
                "quarantine_files_skipped": expired.quarantine_skipped if expired else [],
            }
        emit_document(self.stdout, document, fmt)
