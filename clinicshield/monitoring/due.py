"""Periodic detection: every organisation's events since its last pass, every 15 minutes."""

from datetime import datetime

from clinicshield.accounts.models import Organisation
from clinicshield.lib.due import due_job

from .actions import do_run_detection
from .actions.notices import retry_alert_emails, retry_alert_webhooks


@due_job("monitoring.detect", minute="*/15")
def run_detection(now: datetime) -> str:
    """Idempotent for a given ``now``: each pass starts where the previous one ended."""
    summaries = []
    for org in Organisation.objects.order_by("slug"):
        result = do_run_detection(org, now)
        if result.findings:
            summaries.append(f"{org.slug}: {len(result.new_alerts)} new")
    return "; ".join(summaries) or "nothing new"


@due_job("monitoring.alert_emails", minute="*/5")
def send_pending_alert_emails(now: datetime) -> str:
    """New-alert emails that failed (mail server down) go again until they are sent."""
    return _retried(*retry_alert_emails())


@due_job("monitoring.alert_webhooks", minute="*/5")
def call_pending_alert_webhooks(now: datetime) -> str:
    """New-alert webhook calls that failed (receiver down) go again until they succeed."""
    return _retried(*retry_alert_webhooks())


def _retried(sent: int, failing: int) -> str:
    return f"{sent} sent, {failing} still failing" if sent or failing else "nothing pending"


@due_job("monitoring.store_compact", hour="2", minute="30")
def compact_event_store(now: datetime) -> str:
    """Nightly: each organisation's closed days, merged into one file per kind and day.
    Idempotent: a compacted day has one file and is left alone."""
    from .actions.store_upkeep import do_compact_events

    done = []
    for org in Organisation.objects.order_by("slug"):
        result = do_compact_events(org, now)
        if result.days:
            done.append(f"{org.slug}: {result.files_before} files into {result.files_after}")
    return "; ".join(done) or "nothing to compact"


@due_job("monitoring.store_retention", hour="3", minute="30")
def expire_old_events(now: datetime) -> str:
    """Nightly: the event days older than each organisation's retention, removed."""
    from .actions.store_upkeep import do_expire_events

    done = []
    for org in Organisation.objects.exclude(events_retention_days=None).order_by("slug"):
        result = do_expire_events(org, now)
        said = []
        if result and (result.days or result.quarantine_files):
            said.append(f"{len(result.days)} days removed")
        if result and result.quarantine_skipped:
            said.append(f"{len(result.quarantine_skipped)} unreadable quarantine files kept")
        if said:
            done.append(f"{org.slug}: {', '.join(said)}")
    return "; ".join(done) or "nothing past retention"
