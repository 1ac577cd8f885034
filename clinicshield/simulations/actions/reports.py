"""The report mailbox: staff forward suspicious mail, we poll it over IMAP and answer.

A report that carries one of our tokens is a simulation caught by an attentive
person: we record "reported" and thank them with the red flags they could have
spotted. Anything else may be real phishing: the analyser's first analysis goes
on a triage item for IT and, in plain words, back to the reporter.
"""

from __future__ import annotations

import imaplib
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from email.utils import parseaddr

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinicshield.accounts.models import Organisation, Person

from ..core.analyser import OrgContext, analyse_message
from ..core.mailparse import parse_bytes, unwrap_reported
from ..core.tokens import find_tokens
from ..mail import send_report_answer
from ..models import Recipient, ReportedMessage, ReportMailbox, TrackingEvent

log = logging.getLogger(__name__)


@dataclass
class PollSummary:
    fetched: int = 0
    simulations: int = 0
    triage: int = 0
    skipped: int = 0


def all_text(raw: bytes) -> str:
    """Every decoded text part of a message and of the messages attached to it."""
    message = parse_bytes(raw)
    texts = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def _reporter(org: Organisation, raw: bytes) -> tuple[str, Person | None]:
    address = parseaddr(str(parse_bytes(raw).get("From", "")))[1].lower()
    person = org.people.filter(email__iexact=address).first() if address else None
    return address, person


def do_handle_report(
    org: Organisation, uid: str, raw: bytes, now: datetime, context: OrgContext
) -> ReportedMessage | None:
    """Record one reported message (once per mailbox UID) and queue the answer."""
    if ReportedMessage.objects.filter(organisation=org, mailbox_uid=uid).exists():
        return None
    reporter_email, reporter = _reporter(org, raw)
    tokens = find_tokens(all_text(raw))
    recipient = (
        Recipient.objects.select_related("campaign")
        .filter(token__in=tokens, campaign__organisation=org)
        .first()
        if tokens
        else None
    )
    try:
        with transaction.atomic():
            if recipient is not None:
                item = _record_simulation_report(
                    org, uid, raw, now, recipient, reporter_email, reporter
                )
            else:
                item = _record_triage_item(org, uid, raw, now, context, reporter_email, reporter)
            item_id = item.pk
            transaction.on_commit(lambda: do_answer_reporter(item_id))
    except IntegrityError:  # a concurrent poll stored the same UID first
        return None
    return item


def _record_simulation_report(
    org: Organisation,
    uid: str,
    raw: bytes,
    now: datetime,
    recipient: Recipient,
    reporter_email: str,
    reporter: Person | None,
) -> ReportedMessage:
    first = Recipient.objects.filter(pk=recipient.pk, reported_at__isnull=True).update(
        reported_at=now
    )
    TrackingEvent.objects.create(recipient=recipient, event="reported", verified=True, at=now)
    if first and org.webhook_url:
        from .. import tasks

        payload = {
            "campaign": recipient.campaign_id,
            "recipient": recipient.pk,
            "status": "reported",
            "at": now.isoformat(),
        }
        transaction.on_commit(lambda: tasks.webhook_task(org.pk, "simulation.reported", payload))
    message, _found = unwrap_reported(parse_bytes(raw))
    return ReportedMessage.objects.create(
        organisation=org,
        mailbox_uid=uid,
        message_id=str(message.get("Message-ID", ""))[:300],
        reporter_email=reporter_email,
        reporter=reporter,
        recipient=recipient,
        subject=str(message.get("Subject", ""))[:300],
        from_address=parseaddr(str(message.get("From", "")))[1][:254],
        verdict="simulation",
        analysis={"campaign": recipient.campaign_id},
        triage_state="closed",
        received_at=now,
    )


def _record_triage_item(
    org: Organisation,
    uid: str,
    raw: bytes,
    now: datetime,
    context: OrgContext,
    reporter_email: str,
    reporter: Person | None,
) -> ReportedMessage:
    analysis = analyse_message(raw, context)
    return ReportedMessage.objects.create(
        organisation=org,
        mailbox_uid=uid,
        reporter_email=reporter_email,
        reporter=reporter,
        subject=analysis.subject[:300],
        from_address=analysis.from_address[:254],
        verdict=analysis.verdict,
        analysis=asdict(analysis),
        received_at=now,
    )


def do_answer_reporter(item_id: int) -> None:
    """Answer the reporter (mail.py) once; marks the item answered when the email went out.
    A failure is logged and the item left unanswered: the due job tries again for a day.

    Only the organisation's active staff are answered: anyone can write to the report
    address and forge a From header, and an answer to a stranger would send our mail (a
    drill's red flags, an analysis) outside the organisation. Their report is kept all the
    same, for IT to triage."""
    item = ReportedMessage.objects.select_related("reporter", "recipient__campaign").get(pk=item_id)
    if item.answered_at or not item.reporter_email:
        return
    if item.reporter is None or not item.reporter.active:
        return
    try:
        send_report_answer(item)
    except (OSError, ConnectionError) as error:
        log.warning("could not answer reporter %s: %s", item.reporter_email, error)
        return
    ReportedMessage.objects.filter(pk=item.pk).update(answered_at=timezone.now())


def mailbox_context(mailbox: ReportMailbox) -> OrgContext:
    return OrgContext(
        own_domains=list(mailbox.own_domains) or [mailbox.address.rpartition("@")[2]],
        supplier_domains=list(mailbox.supplier_domains),
        names=[mailbox.organisation.name],
    )


def do_set_report_mailbox(
    org: Organisation,
    *,
    host: str,
    port: int,
    use_ssl: bool,
    username: str,
    password_env: str,
    address: str,
    own_domains: list[str],
    supplier_domains: list[str],
) -> ReportMailbox:
    """Configure (or reconfigure) the organisation's one report mailbox."""
    mailbox, _created = ReportMailbox.objects.update_or_create(
        organisation=org,
        defaults={
            "host": host,
            "port": port,
            "use_ssl": use_ssl,
            "username": username,
            "password_env": password_env,
            "address": address,
            "own_domains": own_domains,
            "supplier_domains": supplier_domains,
        },
    )
    return mailbox


def do_poll_report_mailbox(mailbox: ReportMailbox, now: datetime) -> PollSummary:
    """Fetch new messages (by UID, so a restart never reprocesses or skips one)."""
    summary = PollSummary()
    imap_class = imaplib.IMAP4_SSL if mailbox.use_ssl else imaplib.IMAP4
    with imap_class(mailbox.host, mailbox.port, timeout=30) as imap:
        imap.login(mailbox.username, os.environ.get(mailbox.password_env, ""))
        status, data = imap.select(mailbox.folder)
        if status != "OK":
            raise OSError(f"cannot open folder {mailbox.folder!r}: {data!r}")
        validity = (imap.response("UIDVALIDITY")[1] or [b"0"])[0]
        uid_validity = validity.decode() if isinstance(validity, bytes) else "0"
        _status, found = imap.uid("SEARCH", f"UID {mailbox.last_uid + 1}:*")
        uids = [int(u) for u in (found[0] or b"").split() if int(u) > mailbox.last_uid]
        context = mailbox_context(mailbox)
        for uid in sorted(uids):
            _status, parts = imap.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            summary.fetched += 1
            item = do_handle_report(
                mailbox.organisation, f"{uid_validity}:{uid}", raw, now, context
            )
            if item is None:
                summary.skipped += 1
            elif item.verdict == "simulation":
                summary.simulations += 1
            else:
                summary.triage += 1
            imap.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
            ReportMailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid, last_polled_at=now)
            mailbox.last_uid = uid
    return summary


def do_decide_triage(item: ReportedMessage, state: str, actor: object) -> None:
    from clinicshield.accounts.actions import audit

    with transaction.atomic():
        item.triage_state = state
        item.save(update_fields=["triage_state"])
        audit(item.organisation, actor, "simulations.report.triage", item.subject, state=state)
