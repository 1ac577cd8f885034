"""Reminders to the owners of incident tasks: once when an open task falls due within a few
hours, once when it is overdue (core.reminders decides which).

Each reminder is claimed before it is sent, by a conditional update of its `*_reminded_at`:
two runs at once (Huey's cron and `clinicshield run-due`) never send it twice. One that could
not be sent (mail server down) is released and tried again on the next run.
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..core.reminders import task_reminder
from ..mail import send_task_reminder
from ..models import IncidentTask
from ..queries import staff_language, tasks_to_remind

log = logging.getLogger(__name__)
REMINDED_AT = {"due_soon": "due_soon_reminded_at", "overdue": "overdue_reminded_at"}


def _claim(task: IncidentTask, kind: str, now: datetime) -> bool:
    field = REMINDED_AT[kind]
    unsent = IncidentTask.objects.filter(pk=task.pk, **{f"{field}__isnull": True})
    return unsent.update(**{field: now}) == 1


def _release(task: IncidentTask, kind: str, now: datetime) -> None:
    field = REMINDED_AT[kind]
    IncidentTask.objects.filter(pk=task.pk, **{field: now}).update(**{field: None})


def owner_language(task: IncidentTask, email: str) -> str:
    """The owner's staff record's language; else the incident's, the tasks' own language."""
    return staff_language(task.incident.organisation, email) or task.incident.language


def do_remind_task_owners(now: datetime) -> Counter[str]:
    """Send the task reminders due at `now`; counts of "due_soon", "overdue" and "failed"."""
    counts: Counter[str] = Counter()
    for task in tasks_to_remind(now):
        email = task.owner.email if task.owner else ""  # the query keeps owned tasks only
        kind = task_reminder(
            task.due_at,
            now,
            due_soon_sent=task.due_soon_reminded_at is not None,
            overdue_sent=task.overdue_reminded_at is not None,
        )
        if not email or kind is None or not _claim(task, kind, now):
            continue
        try:
            with timezone.override(ZoneInfo(task.incident.organisation.timezone)):
                send_task_reminder(task, kind, email, owner_language(task, email))
        except (smtplib.SMTPException, OSError) as error:
            log.warning("task reminder to %s not sent: %s", email, error)
            _release(task, kind, now)
            counts["failed"] += 1
            continue
        counts[kind] += 1
    return counts
