"""Which reminder an incident task's owner is due: due soon within three hours, then overdue."""

from datetime import UTC, datetime, timedelta

import pytest

from clinicshield.readiness.core.reminders import DUE_SOON_NOTICE, task_reminder

DUE = datetime(2026, 6, 4, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "soon_sent", "overdue_sent", "expected"),
    [
        (DUE - DUE_SOON_NOTICE - timedelta(minutes=1), False, False, None),
        (DUE - DUE_SOON_NOTICE, False, False, "due_soon"),
        (DUE - timedelta(minutes=1), True, False, None),
        (DUE, True, False, "overdue"),
        (DUE, False, False, "overdue"),  # first seen late: no "due soon" any more
        (DUE + timedelta(days=3), True, True, None),
    ],
)
def test_it_gives_each_reminder_once_at_its_time(now, soon_sent, overdue_sent, expected):
    assert task_reminder(DUE, now, soon_sent, overdue_sent) == expected
