"""Upkeep of an organisation's event store: compaction of closed days, and retention."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation

from ..core.store_compact import CompactionResult, compact_store
from ..core.store_retention import RetentionResult, remove_before

# A day is compacted once it is this many days old: a site sensor that was offline sends
# its backlog late, and a day still receiving batches would be compacted again and again.
COMPACT_GRACE_DAYS = 2

log = logging.getLogger(__name__)


def compact_before(now: datetime) -> date:
    """The first day not yet closed at ``now`` (UTC days, as the store's folders)."""
    return (now - timedelta(days=COMPACT_GRACE_DAYS)).date()


def do_compact_events(
    org: Organisation, now: datetime, *, before: date | None = None, actor: object = "system"
) -> CompactionResult:
    """Merge the small files of each closed day of ``org`` into one; audited when it did."""
    cut = before or compact_before(now)
    result = compact_store(settings.DATA_DIR, org.slug, cut)
    if result.days:
        audit(
            org,
            actor,
            "events.compact",
            org.slug,
            before=cut.isoformat(),
            days=result.days,
            files_before=result.files_before,
            files_after=result.files_after,
            rows=result.rows,
        )
    return result


def retention_cut(org: Organisation, now: datetime) -> date | None:
    """The first day ``org`` keeps at ``now``; None when it keeps everything."""
    days = org.events_retention_days
    return None if not days else (now - timedelta(days=days)).date()


def do_expire_events(
    org: Organisation, now: datetime, *, actor: object = "system"
) -> RetentionResult | None:
    """Remove ``org``'s event days (and quarantined records) older than its retention;
    None when it keeps everything. Each removal is audited with the days it removed; a
    quarantine file that cannot be read is kept, logged and listed in ``quarantine_skipped``."""
    cut = retention_cut(org, now)
    if cut is None:
        return None
    result = remove_before(settings.DATA_DIR, org.slug, cut)
    for skipped in result.quarantine_skipped:
        log.warning("%s: unreadable quarantine file kept, %s", org.slug, skipped)
    if result.days or result.quarantine_files:
        audit(
            org,
            actor,
            "events.expire",
            org.slug,
            before=cut.isoformat(),
            retention_days=org.events_retention_days,
            days=result.days,
            quarantine_files=result.quarantine_files,
        )
    return result
