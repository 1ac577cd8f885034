"""Completion and freshness figures for managers, and what auditors ask to see.

Plain rows in (one per person and module, the latest assignment), plain figures out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from .schedule import COMPLETED, CURRENT, OVERDUE, Policy, assignment_state, freshness


@dataclass(frozen=True)
class StatusRow:
    person_id: int
    person_name: str
    email: str
    site: str
    department: str
    module_key: str
    reason: str
    assigned_at: datetime
    due_at: datetime
    completed_at: datetime | None  # of this assignment
    last_completed_at: datetime | None  # of any assignment of this module, for freshness
    score: int | None


def state_of(row: StatusRow, now: datetime) -> str:
    return assignment_state(row.due_at, row.completed_at, now)


def fresh_of(row: StatusRow, now: datetime, policy: Policy) -> str:
    return freshness(row.last_completed_at, now, policy)


@dataclass(frozen=True)
class GroupFigures:
    group: str
    people: int
    assignments: int
    completed: int
    overdue: int
    current: int  # modules whose last completion still counts (not expired)

    @property
    def completion_percent(self) -> int:
        return (100 * self.completed) // self.assignments if self.assignments else 100

    @property
    def freshness_percent(self) -> int:
        return (100 * self.current) // self.assignments if self.assignments else 100


def figures_by(
    rows: Iterable[StatusRow],
    key: Callable[[StatusRow], str],
    now: datetime,
    policy: Policy,
) -> list[GroupFigures]:
    """Completion and freshness per group (site, department, person...), sorted by group."""
    groups: dict[str, list[StatusRow]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    result = []
    for group, members in sorted(groups.items()):
        states = [state_of(r, now) for r in members]
        result.append(
            GroupFigures(
                group=group,
                people=len({r.person_id for r in members}),
                assignments=len(members),
                completed=states.count(COMPLETED),
                overdue=states.count(OVERDUE),
                current=sum(fresh_of(r, now, policy) == CURRENT for r in members),
            )
        )
    return result


def overdue_rows(rows: Iterable[StatusRow], now: datetime) -> list[StatusRow]:
    """Overdue assignments, the longest overdue first."""
    late = [r for r in rows if state_of(r, now) == OVERDUE]
    return sorted(late, key=lambda r: (r.due_at, r.person_name, r.module_key))


@dataclass(frozen=True)
class MissedQuestion:
    module_key: str
    question_id: str
    missed: int
    attempts: int

    @property
    def miss_percent(self) -> int:
        return (100 * self.missed) // self.attempts if self.attempts else 0


def most_missed(attempts: Iterable[tuple[str, list[str]]], limit: int = 10) -> list[MissedQuestion]:
    """(module key, missed question ids) per attempt -> the questions missed most often.

    Question ids are the same in every language, so Spanish and English attempts add up.
    """
    missed: Counter[tuple[str, str]] = Counter()
    per_module: Counter[str] = Counter()
    for module_key, question_ids in attempts:
        per_module[module_key] += 1
        for question_id in question_ids:
            missed[(module_key, question_id)] += 1
    ranked = sorted(missed.items(), key=lambda item: (-item[1], item[0]))
    return [
        MissedQuestion(module_key=m, question_id=q, missed=n, attempts=per_module[m])
        for (m, q), n in ranked[:limit]
    ]


# What the evidence export proves, per framework. References are not translated; the
# descriptions are written in the PDF template, where they go through gettext.
EVIDENCE_MAPPING: tuple[tuple[str, str], ...] = (
    ("hipaa_awareness", "HIPAA 45 CFR §164.308(a)(5)"),
    ("gdpr_security", "GDPR art. 32(1)(d), 32(4)"),
    ("gdpr_dpo_training", "GDPR art. 39(1)(b)"),
    ("hicp_email", "HHS 405(d) HICP, practice 1"),
)
