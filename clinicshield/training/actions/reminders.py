"""Telling people about their training: new assignments, reminders before and after the due
date, and escalations to a person's manager. Each email carries a fresh magic link into the
portal; mail.py builds and sends them, this module decides and records.

Sending order: the email goes out first, then the Reminder rows are written. If the SMTP
server is down, nothing is recorded for that message and the next run tries again (the
job itself carries on, so other people and other apps' jobs are not held up); the unique
(assignment, kind) constraint keeps a reminder from being recorded, hence sent, twice.
A job run shares one SMTP connection and writes its magic links in one transaction: a
chain's reminders are thousands of emails, and each SQLite commit is a disk sync.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from clinicshield.accounts.actions import do_create_magic_link
from clinicshield.accounts.models import Membership, Person

from ..core.content import Module
from ..core.schedule import escalation_due, next_reminder
from ..mail import mail_connection, send_assigned, send_escalation, send_reminder
from ..models import Assignment, Reminder
from ..queries import Catalogues, policy_for

log = logging.getLogger(__name__)
PORTAL_PATH = "/portal/training/"


def portal_links(people: Sequence[Person]) -> dict[int, str]:
    """A fresh magic link for each person, written in one transaction (one disk sync)."""
    with transaction.atomic():
        return {
            p.pk: do_create_magic_link("portal", person=p, next_path=PORTAL_PATH) for p in people
        }


def _record(assignments: Sequence[Assignment], kind: str, to: str, now: datetime) -> None:
    """Record that `kind` went out for each assignment; one commit for the lot."""
    rows = [Reminder(assignment=a, kind=kind, sent_to=to, sent_at=now) for a in assignments]
    try:
        with transaction.atomic():
            Reminder.objects.bulk_create(rows)
    except IntegrityError:  # one was recorded already (another recipient): go one by one
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                log.info("reminder %s for assignment %s exists", kind, row.assignment_id)


def send_assignment_notice(
    person: Person,
    assignments: Sequence[Assignment],
    now: datetime,
    connection: Any = None,
    url: str | None = None,
    modules: dict[str, Module] | None = None,
) -> None:
    """After the assignment commits: one email telling `person` about it, then the record."""
    if not assignments:
        return
    url = url or do_create_magic_link("portal", person=person, next_path=PORTAL_PATH)

    def send() -> None:
        # The assignment is committed whatever happens here: a mail server that is down must
        # not undo it. The reminders before the due date will still reach the person.
        try:
            send_assigned(person, assignments, url, modules, connection)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("could not email %s about new training: %s", person.email, error)
            return
        _record(assignments, "assigned", person.email, now)

    transaction.on_commit(send)


def do_send_reminders(now: datetime) -> int:
    """Send the reminders due at `now`, one email per person; returns how many were sent."""
    open_work = (
        Assignment.objects.filter(completed_at__isnull=True, person__active=True)
        .select_related("person", "person__organisation")
        .prefetch_related("reminders")
    )
    due_by_person: dict[int, list[tuple[Assignment, str]]] = {}
    for a in open_work:
        policy = policy_for(a.person.organisation)
        kind = next_reminder(a.due_at, now, [r.kind for r in a.reminders.all()], policy)
        if kind is not None:
            due_by_person.setdefault(a.person_id, []).append((a, kind))
    people = [pairs[0][0].person for pairs in due_by_person.values()]
    if not people:
        return 0
    links = portal_links(people)
    catalogues = Catalogues()
    sent = 0
    with mail_connection() as connection:
        for person in people:
            pairs = due_by_person[person.pk]
            modules = catalogues.of(person.organisation)
            try:
                send_reminder(person, pairs, links[person.pk], modules, connection, now)
            except (smtplib.SMTPException, OSError) as error:
                # Not recorded, so the next run tries again; the other people still get theirs.
                log.warning("reminder to %s not sent: %s", person.email, error)
                continue
            by_kind: dict[str, list[Assignment]] = {}
            for a, kind in pairs:
                by_kind.setdefault(kind, []).append(a)
            for kind, assignments in by_kind.items():
                _record(assignments, kind, person.email, now)
            sent += 1
    return sent


def escalation_recipients(person: Person, owners: dict[int, list[str]]) -> list[tuple[str, str]]:
    """(email, language) of whoever should hear that `person` is overdue: their manager, or
    failing that the organisation's owners and managers (`owners` caches them per org)."""
    if person.manager is not None and person.manager.active:
        return [(person.manager.email, person.manager.language)]
    if person.organisation_id not in owners:
        members = Membership.objects.filter(
            organisation_id=person.organisation_id, role__in=["owner", "manager"]
        ).select_related("user")
        owners[person.organisation_id] = [m.user.email for m in members if m.user.email]
    return [(email, settings.LANGUAGE_CODE) for email in owners[person.organisation_id]]


def do_escalate_overdue(now: datetime) -> int:
    """Tell managers about staff overdue for longer than the grace period; once each."""
    candidates = Assignment.objects.filter(
        completed_at__isnull=True, escalated_at__isnull=True, person__active=True, due_at__lt=now
    ).select_related("person", "person__manager", "person__organisation")
    by_recipient: dict[tuple[str, str], list[Assignment]] = {}
    owners: dict[int, list[str]] = {}
    for a in candidates:
        if not escalation_due(a.due_at, now, False, policy_for(a.person.organisation)):
            continue
        for recipient in escalation_recipients(a.person, owners):
            by_recipient.setdefault(recipient, []).append(a)
    escalated: set[int] = set()
    catalogues = Catalogues()
    if not by_recipient:
        return 0
    with mail_connection() as connection:
        for (email, language), items in by_recipient.items():
            try:
                send_escalation(email, language, items, catalogues, connection, now)
            except (smtplib.SMTPException, OSError) as error:
                log.warning("escalation to %s not sent: %s", email, error)
                continue
            _record(items, "escalation", email, now)
            escalated.update(a.pk for a in items)
    Assignment.objects.filter(pk__in=escalated).update(escalated_at=now)
    return len(escalated)
