"""When the owner of an incident task is reminded: once when it falls due within a few hours,
once when it is overdue. A pure function of the task's due time, `now` and what was sent."""

from __future__ import annotations

from datetime import datetime, timedelta

DUE_SOON_NOTICE = timedelta(hours=3)  # "due soon" starts this long before the due time
REMINDER_KINDS = ("due_soon", "overdue")


def task_reminder(
    due_at: datetime, now: datetime, due_soon_sent: bool, overdue_sent: bool
) -> str | None:
    """The reminder due at `now`, if any. A task first seen after its due time gets only the
    overdue one: "due soon" would be wrong by then."""
    if now >= due_at:
        return None if overdue_sent else "overdue"
    if now >= due_at - DUE_SOON_NOTICE and not due_soon_sent:
        return "due_soon"
    return None
