"""Emails about training: new assignments, reminders before and after the due date, and
escalations to a person's manager. Each carries a fresh magic link into the portal.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.actions import do_create_magic_link
from clinicshield.accounts.models import Membership, Organisation, Person
from clinicshield.lib.notify import send_email

from ..catalogue import catalogue, language_for, policy_for
from ..core.content import Module
from ..core.schedule import escalation_due, next_reminder
from ..models import Assignment, Reminder

log = logging.getLogger(__name__)
PORTAL_PATH = "/portal/training/"


def _items(
    person: Person, assignments: Sequence[Assignment], modules: dict[str, Module] | None = None
) -> list[dict[str, Any]]:
    modules = catalogue(person.organisation) if modules is None else modules
    items = []
    for a in assignments:
        module = modules.get(a.module_key)
        title = module.title(language_for(module, person.language)) if module else a.module_key
        items.append({"title": title, "due": a.due_at, "assignment": a})
    return items


class Catalogues(dict[int, dict[str, Module]]):
    """Each organisation's catalogue, read once per job run rather than once per person."""

    def of(self, org: Organisation) -> dict[str, Module]:
        if org.pk not in self:
            self[org.pk] = catalogue(org)
        return self[org.pk]


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


@contextmanager
def mail_connection() -> Iterator[Any]:
    """One SMTP connection for a whole job run (Django's backend closes a connection after
    each message unless it was opened beforehand). When the server cannot be reached, each
    message tries on its own and reports its own failure."""
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("mail server unavailable, sending message by message: %s", error)
    try:
        yield connection
    finally:
        connection.close()


def send_assignment_notice(
    person: Person,
    assignments: Sequence[Assignment],
    now: datetime,
    connection: Any = None,
    url: str | None = None,
    modules: dict[str, Module] | None = None,
) -> None:
    """One email telling `person` about newly assigned modules, with a link in."""
    if not assignments:
        return
    url = url or do_create_magic_link("portal", person=person, next_path=PORTAL_PATH)
    context = {"person": person, "items": _items(person, assignments, modules), "url": url}
    context["hours"] = settings.MAGIC_LINK_HOURS

    def send() -> None:
        # The assignment is committed whatever happens here: a mail server that is down must
        # not undo it. The reminders before the due date will still reach the person.
        try:
            send_email(
                [person.email],
                _("New security training for you"),
                "training/email/assigned",
                context,
                language=person.language,
                connection=connection,
            )
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
            try:
                _send_reminder(person, pairs, links[person.pk], catalogues, connection, now)
            except (smtplib.SMTPException, OSError) as error:
                # Not recorded, so the next run tries again; the other people still get theirs.
                log.warning("reminder to %s not sent: %s", person.email, error)
                continue
            sent += 1
    return sent


def _send_reminder(
    person: Person,
    pairs: list[tuple[Assignment, str]],
    url: str,
    catalogues: Catalogues,
    connection: Any,
    now: datetime,
) -> None:
    modules = catalogues.of(person.organisation)
    items = _items(person, [a for a, _kind in pairs], modules)
    overdue = any(kind.startswith("after") for _a, kind in pairs)
    subject = (
        _("Your security training is overdue")
        if overdue
        else _("Reminder: security training due soon")
    )
    send_email(
        [person.email],
        subject,
        "training/email/reminder",
        {"person": person, "items": items, "url": url, "overdue": overdue, "now": now},
        language=person.language,
        connection=connection,
    )
    by_kind: dict[str, list[Assignment]] = {}
    for a, kind in pairs:
        by_kind.setdefault(kind, []).append(a)
    for kind, assignments in by_kind.items():
        _record(assignments, kind, person.email, now)


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
            rows = [
                {
                    "person": a.person,
                    "module": _items(a.person, [a], catalogues.of(a.person.organisation))[0][
                        "title"
                    ],
                    "due": a.due_at,
                }
                for a in items
            ]
            try:
                send_email(
                    [email],
                    _("Overdue security training in your team"),
                    "training/email/escalation",
                    {"rows": rows, "now": now, "org": items[0].person.organisation},
                    language=language,
                    connection=connection,
                )
            except (smtplib.SMTPException, OSError) as error:
                log.warning("escalation to %s not sent: %s", email, error)
                continue
            _record(items, "escalation", email, now)
            escalated.update(a.pk for a in items)
    Assignment.objects.filter(pk__in=escalated).update(escalated_at=now)
    return len(escalated)
