"""Periodic jobs: send what is due, poll the report mailboxes."""

from __future__ import annotations

import imaplib
import logging
from datetime import datetime

from clinicshield.lib.due import due_job

from .actions import do_poll_report_mailbox, do_send_due
from .models import Campaign, ReportMailbox

log = logging.getLogger(__name__)


@due_job("simulations.send", minute="*")
def send_due_emails(now: datetime) -> str:
    sent = 0
    for campaign_id in Campaign.objects.filter(state__in=("scheduled", "sending")).values_list(
        "pk", flat=True
    ):
        sent += do_send_due(campaign_id, now).sent
    return f"sent {sent}"


@due_job("simulations.poll_reports", minute="*")
def poll_report_mailboxes(now: datetime) -> str:
    handled = 0
    for mailbox in ReportMailbox.objects.select_related("organisation"):
        try:
            handled += do_poll_report_mailbox(mailbox, now).fetched
        except (OSError, imaplib.IMAP4.error) as error:
            log.warning("report mailbox of %s: %s", mailbox.organisation.slug, error)
    return f"handled {handled} reports"
