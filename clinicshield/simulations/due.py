"""Periodic jobs: send what is due, poll the report mailboxes, fold tracking hits."""

from __future__ import annotations

import imaplib
import logging
from datetime import datetime

from clinicshield.lib.due import due_job

from .actions import do_answer_reporter, do_fold_hits, do_poll_report_mailbox, do_send_due
from .queries import campaigns_to_send, report_mailboxes, unanswered_reports

log = logging.getLogger(__name__)


@due_job("simulations.send", minute="*")
def send_due_emails(now: datetime) -> str:
    sent = 0
    for campaign_id in campaigns_to_send():
        sent += do_send_due(campaign_id, now).sent
    return f"sent {sent}"


@due_job("simulations.poll_reports", minute="*")
def poll_report_mailboxes(now: datetime) -> str:
    handled = 0
    for mailbox in report_mailboxes():
        try:
            handled += do_poll_report_mailbox(mailbox, now).fetched
        except (OSError, imaplib.IMAP4.error) as error:
            log.warning("report mailbox of %s: %s", mailbox.organisation.slug, error)
    # Answers that failed (mail server down) are retried for a day (queries.unanswered_reports).
    unanswered = unanswered_reports(now)
    for item_id in unanswered:
        do_answer_reporter(item_id)
    return f"handled {handled} reports, retried {len(unanswered)} answers"


@due_job("simulations.fold_hits", minute="*")
def fold_tracking_hits(now: datetime) -> str:
    """The backstop of the folds that hits ask for (a worker that was down, a lost ask)."""
    summary = do_fold_hits()
    return f"folded {summary.hits} hits into {summary.events} events"
