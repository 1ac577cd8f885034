"""Periodic jobs of the readiness app."""

from datetime import datetime, timedelta

from clinicshield.accounts.models import Organisation
from clinicshield.accounts.queries import owner_and_it_emails
from clinicshield.lib.due import due_job

from .actions import do_remind_task_owners, profile_for
from .mail import send_drill_reminder
from .queries import drill_due_since

REMIND_AGAIN_AFTER = timedelta(days=30)  # until someone does


def _should_remind(org: Organisation, now: datetime) -> bool:
    due = drill_due_since(org)
    if now < due:
        return False
    sent = profile_for(org).drill_reminder_sent_at
    return sent is None or sent < due or now - sent >= REMIND_AGAIN_AFTER


@due_job("readiness.drill_reminder", hour="7", minute="30")
def remind_to_run_drills(now: datetime) -> str:
    """Email owners and IT of every organisation whose last drill is six months old or more."""
    reminded = []
    for org in Organisation.objects.all():
        if not _should_remind(org, now):
            continue
        emails = owner_and_it_emails(org)
        if emails:
            send_drill_reminder(org, emails, drill_due_since(org))
        profile = profile_for(org)
        profile.drill_reminder_sent_at = now
        profile.save(update_fields=["drill_reminder_sent_at"])
        reminded.append(org.slug)
    return f"reminded {len(reminded)}: {', '.join(reminded)}" if reminded else "nothing due"


@due_job("readiness.task_reminders", minute="*/5")
def remind_task_owners(now: datetime) -> str:
    """Email the owners of incident tasks due within a few hours, or overdue; once each."""
    counts = do_remind_task_owners(now)
    sent = counts["due_soon"] + counts["overdue"]
    failed = f"{counts['failed']} failed" if counts["failed"] else ""
    if not sent:
        return f"nothing sent: {failed}" if failed else "nothing due"
    summary = f"reminded {sent}: {counts['due_soon']} due soon, {counts['overdue']} overdue"
    return f"{summary}; {failed}" if failed else summary
