"""Periodic jobs of the accounts app: staff directory syncs."""

from datetime import datetime, timedelta

from django.db.models import Q

from clinicshield.lib.due import due_job

from .actions.directory import do_sync_directory
from .models import DirectorySource


def directories_due(now: datetime) -> list[DirectorySource]:
    """Enabled directories never synced, or last synced `sync_every_minutes` ago or more."""
    candidates = DirectorySource.objects.filter(enabled=True).filter(
        Q(last_sync_at__isnull=True) | Q(last_sync_at__lte=now)
    )
    return [
        source
        for source in candidates.select_related("organisation").order_by("pk")
        if source.last_sync_at is None
        or now - source.last_sync_at >= timedelta(minutes=source.sync_every_minutes)
    ]


@due_job("accounts.directory_sync", minute="*/5")
def sync_directories(now: datetime) -> str:
    """Sync each directory that is due. A directory that fails (unreachable, refused) is
    remembered as failed and tried again at its next due time; the others still run."""
    done, failed = 0, 0
    for source in directories_due(now):
        result = do_sync_directory(source, "system", now=now)
        failed += bool(result.failed)
        done += not result.failed
    return f"{done} directories synced, {failed} failed"
