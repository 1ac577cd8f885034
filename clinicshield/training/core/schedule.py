"""When training is due, when to remind, when to escalate: pure functions of `now`.

Nothing here reads a clock. The Django side passes `now` in (from `clinicshield run-due --now`
or Huey's real clock), so moving time six months ahead in a test is one argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from clinicshield.lib.core.months import add_months

ASSIGNED, OVERDUE, COMPLETED = "assigned", "overdue", "completed"
CURRENT, EXPIRED, NEVER = "current", "expired", "never"


@dataclass(frozen=True)
class Policy:
    """An organisation's training settings; defaults follow "refresh every six months"."""

    refresh_months: int = 6
    onboarding_days: int = 30  # a new starter has this long to finish the onboarding track
    just_in_time_days: int = 14  # due date for a module assigned after e.g. a failed simulation
    refresh_notice_days: int = 30  # a refresh is assigned this long before the old one expires
    reminder_days_before: tuple[int, ...] = (7, 1)
    reminder_days_after: tuple[int, ...] = (1, 7)
    escalate_after_days: int = 7  # overdue this long: tell the person's manager


def onboarding_due(joined_at: datetime, policy: Policy) -> datetime:
    return joined_at + timedelta(days=policy.onboarding_days)


def just_in_time_due(now: datetime, policy: Policy) -> datetime:
    return now + timedelta(days=policy.just_in_time_days)


def completion_expires(completed_at: datetime, policy: Policy) -> datetime:
    return add_months(completed_at, policy.refresh_months)


def refresh_assign_from(completed_at: datetime, policy: Policy) -> datetime:
    return completion_expires(completed_at, policy) - timedelta(days=policy.refresh_notice_days)


def assignment_state(due_at: datetime, completed_at: datetime | None, now: datetime) -> str:
    if completed_at is not None:
        return COMPLETED
    return OVERDUE if now > due_at else ASSIGNED


def freshness(last_completed_at: datetime | None, now: datetime, policy: Policy) -> str:
    """Whether a person's training in a module still counts at `now`."""
    if last_completed_at is None:
        return NEVER
    return CURRENT if now < completion_expires(last_completed_at, policy) else EXPIRED


# --------------------------------------------------------------------------- reminders


def reminder_schedule(due_at: datetime, policy: Policy) -> list[tuple[str, datetime]]:
    """Every reminder of an assignment, in time order: ("before-7", t), ..., ("after-7", t)."""
    before = [(f"before-{d}", due_at - timedelta(days=d)) for d in policy.reminder_days_before]
    after = [(f"after-{d}", due_at + timedelta(days=d)) for d in policy.reminder_days_after]
    return sorted(before + after, key=lambda item: item[1])


def next_reminder(
    due_at: datetime, now: datetime, already_sent: Iterable[str], policy: Policy
) -> str | None:
    """The one reminder to send at `now`, or None.

    Only the most recent reminder that has come due is sent; earlier ones that were missed
    (the server was off, or a test jumped months ahead) are skipped rather than sent in a
    burst, because five emails in one minute teach people to ignore them. A reminder is never
    sent twice, and nothing is sent once a later reminder has gone out.
    """
    sent = set(already_sent)
    reached = [kind for kind, at in reminder_schedule(due_at, policy) if at <= now]
    if not reached:
        return None
    latest = reached[-1]
    return None if latest in sent else latest


def escalation_due(
    due_at: datetime, now: datetime, already_escalated: bool, policy: Policy
) -> bool:
    return not already_escalated and now >= due_at + timedelta(days=policy.escalate_after_days)


# --------------------------------------------------------------------------- what to assign


@dataclass(frozen=True)
class Completion:
    person_id: int
    module_key: str
    completed_at: datetime


@dataclass(frozen=True)
class PlannedAssignment:
    person_id: int
    module_key: str
    due_at: datetime
    reason: str  # "onboarding", "refresh" or "just_in_time"


def plan_refreshes(
    completions: Iterable[Completion],
    open_assignments: set[tuple[int, str]],
    now: datetime,
    policy: Policy,
) -> list[PlannedAssignment]:
    """Refresh assignments to create at `now`: one per (person, module) whose latest
    completion is about to expire and that has no open assignment already."""
    latest: dict[tuple[int, str], datetime] = {}
    for c in completions:
        key = (c.person_id, c.module_key)
        if key not in latest or c.completed_at > latest[key]:
            latest[key] = c.completed_at
    planned = []
    for (person_id, module_key), completed_at in sorted(latest.items()):
        if (person_id, module_key) in open_assignments:
            continue
        if now >= refresh_assign_from(completed_at, policy):
            due = max(completion_expires(completed_at, policy), now + timedelta(days=7))
            planned.append(PlannedAssignment(person_id, module_key, due, "refresh"))
    return planned


def plan_onboarding(
    person_id: int,
    joined_at: datetime,
    track: Iterable[str],
    ever_assigned: set[str],
    now: datetime,
    policy: Policy,
) -> list[PlannedAssignment]:
    """Onboarding assignments for a person who has not had them yet.

    Someone added to ClinicShield long after their start date still gets a fair due date: at
    least a week from `now`, rather than one that is already in the past.
    """
    due = max(onboarding_due(joined_at, policy), now + timedelta(days=7))
    return [
        PlannedAssignment(person_id, key, due, "onboarding")
        for key in track
        if key not in ever_assigned
    ]
