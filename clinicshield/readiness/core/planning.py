"""Turning a playbook into an incident's task list, with an organisation's own adaptations.

An organisation may give a step to another role, change its time limit, add local details
("the server room key is in the manager's drawer"), skip a step that does not apply, or add
steps of its own. Steps tied to a legal clock cannot be skipped: the law does not adapt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field, ValidationError

from .schema import ChecklistItem, Duration, Identifier, Playbook, Role, Step, Text, _Strict
from .sources import Problem


class StepChange(_Strict):
    role: Role | None = None
    within: Duration | None = None
    local_note: Text | None = None
    skip: bool = False


class ExtraStep(_Strict):
    after: Identifier | None = None  # None: at the start
    id: Identifier
    role: Role
    within: Duration
    title: Text
    details: Text


class Adaptation(_Strict):
    steps: dict[Identifier, StepChange] = Field(default_factory=dict)
    extra_steps: list[ExtraStep] = Field(default_factory=list)


@dataclass(frozen=True)
class PlannedTask:
    step_id: str
    position: int
    role: str
    title: str
    details: str
    local_note: str
    checklist: tuple[ChecklistItem, ...]
    clock: str | None
    due_at: datetime


def check_adaptation(
    playbook: Playbook, data: Any, name: str = "adaptation"
) -> tuple[Adaptation | None, list[Problem]]:
    """Validate an organisation's adaptation of `playbook`; problems say which step and why."""
    try:
        adaptation = Adaptation.model_validate(data or {})
    except ValidationError as exc:
        return None, [
            Problem(name, 0, e["type"], f"{'.'.join(map(str, e['loc']))}: {e['msg']}")
            for e in exc.errors()
        ]
    step_ids = {step.id for step in playbook.steps}
    problems = []
    for step_id, change in adaptation.steps.items():
        if step_id not in step_ids:
            problems.append(
                Problem(name, 0, "unknown_step", f"no step {step_id!r}", {"step": step_id})
            )
        elif change.skip and playbook.step(step_id).clock:
            problems.append(
                Problem(
                    name,
                    0,
                    "cannot_skip_legal_step",
                    f"step {step_id!r} meets a legal deadline and cannot be skipped",
                    {"step": step_id},
                )
            )
    known = set(step_ids)
    for extra in adaptation.extra_steps:
        if extra.id in known:
            problems.append(
                Problem(
                    name, 0, "duplicate_id", f"id {extra.id!r} is used twice", {"step": extra.id}
                )
            )
        if extra.after is not None and extra.after not in known:
            problems.append(
                Problem(
                    name,
                    0,
                    "unknown_step",
                    f"no step {extra.after!r} to follow",
                    {"step": extra.after},
                )
            )
        known.add(extra.id)
    return (adaptation if not problems else None), problems


def adapted_steps(playbook: Playbook, adaptation: Adaptation | None) -> list[tuple[Step, str]]:
    """The playbook's steps after the adaptation, each with its local note."""
    adaptation = adaptation or Adaptation()
    steps: list[tuple[Step, str]] = []
    for step in playbook.steps:
        change = adaptation.steps.get(step.id, StepChange())
        if change.skip:
            continue
        update = {k: v for k, v in (("role", change.role), ("within", change.within)) if v}
        steps.append((step.model_copy(update=update), change.local_note or ""))
    for extra in adaptation.extra_steps:
        new = Step(
            id=extra.id,
            role=extra.role,
            within=extra.within,
            title=extra.title,
            details=extra.details,
        )
        ids = [s.id for s, _ in steps]
        at = ids.index(extra.after) + 1 if extra.after in ids else 0
        steps.insert(at, (new, ""))
    return steps


def plan_tasks(
    playbook: Playbook, opened_at: datetime, adaptation: Adaptation | None = None
) -> list[PlannedTask]:
    """The tasks of an incident opened at `opened_at`, each due when its time limit runs out.

    Limits are real elapsed time (a "3d" step tied to the 72-hour clock is 72 hours across a
    daylight-saving change), so they are added in UTC: Python adds to a zoned datetime on the
    wall clock.
    """
    start = opened_at.astimezone(UTC)
    return [
        PlannedTask(
            step_id=step.id,
            position=position,
            role=step.role,
            title=step.title,
            details=step.details,
            local_note=note,
            checklist=tuple(step.checklist),
            clock=step.clock,
            due_at=start + timedelta(minutes=step.within_minutes),
        )
        for position, (step, note) in enumerate(adapted_steps(playbook, adaptation))
    ]
