"""Periodic jobs of the accounts app: staff directory syncs, old sign-in failures."""

from datetime import datetime

from clinicshield.lib.due import due_job

from .actions import do_forget_login_failures
from .actions.directory import do_sync_directory
from .queries import directories_due


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


@due_job("accounts.forget_login_failures", minute="*/15")
def forget_login_failures(now: datetime) -> str:
    return f"{do_forget_login_failures(now)} old sign-in failure(s) forgotten"
