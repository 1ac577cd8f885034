"""Resumable sending over a few persistent SMTP connections.

Each recipient's send state is written to the database around its own send:
`pending` -> `sending` (claimed, before the first SMTP command) -> `sent` (after
the server's 250). A crash leaves at most one recipient per connection in
`sending`. SMTP cannot tell us whether that message was accepted (the reply may
have been lost with the process, RFC 1047), so on resume we send it again with
the *same* Message-ID, derived from the recipient's token: mail stores collapse
a repeated Message-ID into one message, while a recipient who never got the
drill could not be fixed later. Nobody else is touched twice, and nobody who
was pending is skipped.

A campaign is sent by one process at a time: a short lease on the campaign row,
renewed while sending, keeps the scheduler and a manual `launch --now` apart.

The messages themselves are built in mail.py; they go out here, through the campaign's
own relay, because each send is wrapped in its recipient's marks.
"""

from __future__ import annotations

import os
import smtplib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..core.library import PreparedEmail, prepare_email
from ..mail import drill_message
from ..models import Campaign, Recipient
from ..queries import campaign_template

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
LEFT_BEFORE_SEND = "not sent: no longer on the organisation's staff"


def lease_seconds() -> float:
    # How long a crashed sender blocks a resume (CLINICSHIELD_SIMULATIONS_SEND_LEASE_SECONDS).
    return float(settings.SIMULATIONS_SEND_LEASE_SECONDS)


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    resent_after_crash: int = 0
    errors: list[str] = field(default_factory=list)
    busy: bool = False  # another process holds the campaign's sending lease


def _open_connection(campaign: Campaign) -> Any:
    profile = campaign.sending_profile
    smtp = get_connection(
        SMTP_BACKEND,
        host=profile.host,
        port=profile.port,
        username=profile.username or None,
        password=os.environ.get(profile.password_env, "") if profile.password_env else None,
        use_tls=profile.use_tls,
        timeout=30,
    )
    smtp.open()
    return smtp


def _acquire_lease(campaign_id: int, owner: str) -> bool:
    now = timezone.now()
    return bool(
        Campaign.objects.filter(pk=campaign_id)
        .filter(
            Q(send_lease_until__isnull=True)
            | Q(send_lease_until__lt=now)
            | Q(send_lease_owner=owner)
        )
        .update(send_lease_owner=owner, send_lease_until=now + timedelta(seconds=lease_seconds()))
    )


def _release_lease(campaign_id: int, owner: str) -> None:
    Campaign.objects.filter(pk=campaign_id, send_lease_owner=owner).update(
        send_lease_owner="", send_lease_until=None
    )


# Threads of one process take turns to write: SQLite allows one writer, and its busy
# handler sleeps for milliseconds when writers collide, which would dwarf an SMTP send.
_WRITE_LOCK = threading.Lock()
_CLAIM_SQL = (
    "UPDATE {table} SET send_state = 'sending', send_attempts = send_attempts + 1 "
    "WHERE id = %s AND send_state IN ('pending', 'sending')"
)
_SENT_SQL = (
    "UPDATE {table} SET send_state = 'sent', sent_at = %s, "
    "status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END WHERE id = %s"
)


class _Marks:
    """A connection's database marks, written in as few commits as the rules allow.

    The "sent" mark of one recipient and the "sending" claim of the next share a commit:
    the first is still written after its 250 and the second before its first SMTP command,
    so what a crash can leave behind is unchanged, at half the commits.
    """

    def __init__(self) -> None:
        self.table = Recipient._meta.db_table
        self.unwritten_sent: int | None = None

    def claim(self, recipient_id: int) -> bool:
        with _WRITE_LOCK, transaction.atomic(), connection.cursor() as cursor:
            self._flush(cursor)
            cursor.execute(_CLAIM_SQL.format(table=self.table), [recipient_id])
            return bool(cursor.rowcount)

    def sent(self, recipient_id: int) -> None:
        self.unwritten_sent = recipient_id

    def flush(self) -> None:
        with _WRITE_LOCK, transaction.atomic(), connection.cursor() as cursor:
            self._flush(cursor)

    def _flush(self, cursor: Any) -> None:
        if self.unwritten_sent is None:
            return
        sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(_SENT_SQL.format(table=self.table), [sent_at, self.unwritten_sent])
        self.unwritten_sent = None


def _send_one(
    smtp: Any,
    marks: _Marks,
    campaign: Campaign,
    prepared: PreparedEmail,
    recipient: Recipient,
    today: str,
    summary: SendSummary,
) -> None:
    if not marks.claim(recipient.pk):
        return  # sent meanwhile by a previous run
    if recipient.send_state == "sending":
        summary.resent_after_crash += 1
    message = drill_message(campaign, prepared, recipient, today)
    try:
        smtp.send_messages([message])
    except (
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPDataError,
        smtplib.SMTPSenderRefused,
    ) as error:
        Recipient.objects.filter(pk=recipient.pk).update(
            send_state="failed", send_error=str(error)[:300]
        )
        summary.failed += 1
        return
    marks.sent(recipient.pk)
    summary.sent += 1


def _worker(
    campaign: Campaign,
    prepared: dict[str, PreparedEmail],
    batch: list[Recipient],
    owner: str,
    summary: SendSummary,
    lock: threading.Lock,
) -> None:
    today = timezone.localdate().strftime("%d/%m/%Y")
    local = SendSummary()
    marks = _Marks()
    try:
        smtp = _open_connection(campaign)
        try:
            for index, recipient in enumerate(batch):
                if index % 200 == 0 and not _acquire_lease(campaign.pk, owner):
                    local.errors.append("lease lost")
                    break
                try:
                    _send_one(
                        smtp, marks, campaign, prepared[recipient.language], recipient, today, local
                    )
                except (smtplib.SMTPException, OSError) as error:
                    # The connection broke: reconnect once and carry on; the recipient stays
                    # in "sending" and is retried (same Message-ID) on the next run.
                    local.errors.append(f"{recipient.email}: {error}")
                    smtp.close()
                    smtp = _open_connection(campaign)
        finally:
            marks.flush()
            smtp.close()
    except (smtplib.SMTPException, OSError) as error:
        local.errors.append(f"cannot connect to {campaign.sending_profile}: {error}")
    finally:
        with lock:
            summary.sent += local.sent
            summary.failed += local.failed
            summary.resent_after_crash += local.resent_after_crash
            summary.errors += local.errors
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def do_send_due(campaign_id: int, now: datetime) -> SendSummary:
    """Send every recipient of the campaign whose time has come and who was not yet sent."""
    owner = f"{os.uname().nodename}:{os.getpid()}:{threading.get_ident()}"
    summary = SendSummary()
    if not _acquire_lease(campaign_id, owner):
        summary.busy = True
        return summary
    try:
        campaign = Campaign.objects.select_related("organisation", "sending_profile").get(
            pk=campaign_id
        )
        waiting = campaign.recipients.filter(
            send_state__in=("pending", "sending"), send_at__lte=now
        )
        # A drill goes only to staff: who left (or was deleted) since the campaign was
        # made gets nothing (docs/directory-sync.md: leavers stop getting simulations).
        waiting.filter(Q(person__isnull=True) | Q(person__active=False)).update(
            send_state="failed", send_error=LEFT_BEFORE_SEND
        )
        due = list(waiting.filter(person__active=True).order_by("send_at", "pk"))
        template = campaign_template(campaign)
        prepared = {lang: prepare_email(template, lang) for lang in {r.language for r in due}}
        workers = max(1, min(campaign.sending_profile.connections, len(due) // 50 or 1))
        lock = threading.Lock()
        if workers == 1:
            _worker(campaign, prepared, due, owner, summary, lock)
        else:
            close_old_connections()
            threads = [
                threading.Thread(
                    target=_worker,
                    args=(campaign, prepared, due[i::workers], owner, summary, lock),
                )
                for i in range(workers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        _finish_if_done(campaign, now)
    finally:
        _release_lease(campaign_id, owner)
    return summary


def _finish_if_done(campaign: Campaign, now: datetime) -> None:
    if not campaign.recipients.filter(send_state__in=("pending", "sending")).exists():
        Campaign.objects.filter(pk=campaign.pk).exclude(state="finished").update(
            state="finished", finished_at=now
        )
    elif campaign.state == "scheduled":
        Campaign.objects.filter(pk=campaign.pk, state="scheduled").update(state="sending")
