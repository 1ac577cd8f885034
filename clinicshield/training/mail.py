"""The training app's emails: new assignments, reminders, escalations to a manager.

Built here and sent with clinicshield.lib.notify; actions/reminders.py decides who gets what
and when, and records what went out. A job run shares one SMTP connection (`mail_connection`):
a chain's reminders are thousands of emails.
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
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib.notify import send_email

from .core.content import Module
from .models import Assignment
from .queries import Catalogues, catalogue, language_for

log = logging.getLogger(__name__)


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


def module_items(
    person: Person, assignments: Sequence[Assignment], modules: dict[str, Module] | None = None
) -> list[dict[str, Any]]:
    """Each assignment with its module's title in the person's language, for an email."""
    modules = catalogue(person.organisation) if modules is None else modules
    items = []
    for a in assignments:
        module = modules.get(a.module_key)
        title = module.title(language_for(module, person.language)) if module else a.module_key
        items.append({"title": title, "due": a.due_at, "assignment": a})
    return items


def send_assigned(
    person: Person,
    assignments: Sequence[Assignment],
    url: str,
    modules: dict[str, Module] | None = None,
    connection: Any = None,
) -> None:
    """One email telling `person` about newly assigned modules, with a link in."""
    context = {"person": person, "items": module_items(person, assignments, modules), "url": url}
    context["hours"] = settings.MAGIC_LINK_HOURS
    send_email(
        [person.email],
        _("New security training for you"),
        "training/email/assigned",
        context,
        language=person.language,
        connection=connection,
    )


def send_reminder(
    person: Person,
    pairs: Sequence[tuple[Assignment, str]],
    url: str,
    modules: dict[str, Module],
    connection: Any,
    now: datetime,
) -> None:
    """One email about the person's open modules; (assignment, reminder kind) pairs."""
    items = module_items(person, [a for a, _kind in pairs], modules)
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


def send_escalation(
    email: str,
    language: str,
    assignments: Sequence[Assignment],
    catalogues: Catalogues,
    connection: Any,
    now: datetime,
) -> None:
    """Tell a manager (or the owners) whose training is overdue."""
    rows = [
        {
            "person": a.person,
            "module": module_items(a.person, [a], catalogues.of(a.person.organisation))[0]["title"],
            "due": a.due_at,
        }
        for a in assignments
    ]
    org: Organisation = assignments[0].person.organisation
    send_email(
        [email],
        _("Overdue security training in your team"),
        "training/email/escalation",
        {"rows": rows, "now": now, "org": org},
        language=language,
        connection=connection,
    )
