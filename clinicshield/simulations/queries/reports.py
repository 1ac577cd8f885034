"""Reported messages and the report mailboxes they come from."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet

from clinicshield.accounts.models import Organisation

from ..models import ReportedMessage, ReportMailbox

# Answers that failed (mail server down) are retried for a day; the ten-minute wait keeps
# the due job from racing the answer queued when the report arrived.
ANSWER_RETRY_AFTER = timedelta(minutes=10)
ANSWER_RETRY_FOR = timedelta(days=1)


def triage_items(org: Organisation, triage_state: str | None = None) -> QuerySet[ReportedMessage]:
    """Reported messages that were not our drills (any may be real phishing), newest first;
    only those in `triage_state` when it is given."""
    items = ReportedMessage.objects.filter(organisation=org).exclude(verdict="simulation")
    return items if triage_state is None else items.filter(triage_state=triage_state)


def report_mailbox(org: Organisation) -> ReportMailbox | None:
    return ReportMailbox.objects.filter(organisation=org).first()


def report_mailboxes() -> QuerySet[ReportMailbox]:
    return ReportMailbox.objects.select_related("organisation")


def unanswered_reports(now: datetime) -> list[int]:
    """Ids of the reports whose answer did not go out, received 10 minutes to a day ago;
    only staff are answered (actions.reports.do_answer_reporter)."""
    return list(
        ReportedMessage.objects.filter(
            answered_at__isnull=True,
            reporter__active=True,
            received_at__lte=now - ANSWER_RETRY_AFTER,
            received_at__gte=now - ANSWER_RETRY_FOR,
        ).values_list("pk", flat=True)
    )
