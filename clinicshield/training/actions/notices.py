"""Emails about training: new assignments, reminders before and after the due date, and
escalations to a person's manager. Each carries a fresh magic link into the portal.

Sending order: the email goes out first, then the Reminder rows are written. If the SMTP
server is down the job fails, nothing is recorded, and the next run tries again; the unique
(assignment, kind) constraint keeps a reminder from being recorded, hence sent, twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.actions import do_create_magic_link
from clinicshield.accounts.models import Membership, Person
from clinicshield.lib.notify import send_email

from ..catalogue import catalogue, language_for, policy_for
from ..core.schedule import escalation_due, next_reminder
from ..models import Assignment, Reminder

log = logging.getLogger(__name__)
PORTAL_PATH = "/portal/training/"


def _items(person: Person, assignments: Sequence[Assignment]) -> list[dict[str, Any]]:
    modules = catalogue(person.organisation)
    items = []
    for a in assignments:
        module = modules.get(a.module_key)
        title = module.title(language_for(module, person.language)) if module else a.module_key
        items.append({"title": title, "due": a.due_at, "assignment": a})
    return items


def _record(assignments: Sequence[Assignment], kind: str, to: str, now: datetime) -> None:
    for a in assignments:
        try:
            with transaction.atomic():
                Reminder.objects.create(assignment=a, kind=kind, sent_to=to, sent_at=now)
        except IntegrityError:
            log.info("reminder %s for assignment %s was already recorded", kind, a.pk)


def send_assignment_notice(
    person: Person, assignments: Sequence[Assignment], now: datetime
) -> None:
    """One email telling `person` about newly assigned modules, with a link in."""
    if not assignments:
        return
    url = do_create_magic_link("portal", person=person, next_path=PORTAL_PATH)
    context = {"person": person, "items": _items(person, assignments), "url": url}
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
    for pairs in due_by_person.values():
        person = pairs[0][0].person
        url = do_create_magic_link("portal", person=person, next_path=PORTAL_PATH)
        items = _items(person, [a for a, _kind in pairs])
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
        )
        for a, kind in pairs:
            _record([a], kind, person.email, now)
    return len(due_by_person)


def escalation_recipients(person: Person) -> list[tuple[str, str]]:
    """(email, language) of whoever should hear that `person` is overdue: their manager, or
    failing that the organisation's owners and managers."""
    if person.manager is not None and person.manager.active:
        return [(person.manager.email, person.manager.language)]
    members = Membership.objects.filter(
        organisation=person.organisation, role__in=["owner", "manager"]
    ).select_related("user")
    return [(m.user.email, settings.LANGUAGE_CODE) for m in members if m.user.email]


def do_escalate_overdue(now: datetime) -> int:
    """Tell managers about staff overdue for longer than the grace period; once each."""
    candidates = Assignment.objects.filter(
        completed_at__isnull=True, escalated_at__isnull=True, person__active=True, due_at__lt=now
    ).select_related("person", "person__manager", "person__organisation")
    by_recipient: dict[tuple[str, str], list[Assignment]] = {}
    for a in candidates:
        if not escalation_due(a.due_at, now, False, policy_for(a.person.organisation)):
            continue
        for recipient in escalation_recipients(a.person):
            by_recipient.setdefault(recipient, []).append(a)
    escalated: set[int] = set()
    for (email, language), items in by_recipient.items():
        rows = [
            {"person": a.person, "module": _items(a.person, [a])[0]["title"], "due": a.due_at}
            for a in items
        ]
        send_email(
            [email],
            _("Overdue security training in your team"),
            "training/email/escalation",
            {"rows": rows, "now": now, "org": items[0].organisation},
            language=language,
        )
        _record(items, "escalation", email, now)
        escalated.update(a.pk for a in items)
    Assignment.objects.filter(pk__in=escalated).update(escalated_at=now)
    return len(escalated)
