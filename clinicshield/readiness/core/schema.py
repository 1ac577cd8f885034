"""The shape of playbooks and tabletop scenarios, as typed, immutable models.

Pydantic checks the shape (types, required fields, no unknown keys); `catalogue.py` adds the
checks that span fields and files (unique ids, areas that exist, both languages alike).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

LANGUAGES = ("en", "es")

# Who does a step. `staff` is whoever is at the affected computer or device.
Role = Literal["staff", "front_desk", "manager", "it_support", "dpo"]
ROLES: tuple[str, ...] = ("staff", "front_desk", "manager", "it_support", "dpo")

# Regulatory deadlines a step can be tied to; `clock.py` computes them.
ClockCode = Literal[
    "gdpr_authority",
    "gdpr_individuals",
    "hipaa_individuals",
    "hipaa_hhs",
    "hipaa_media",
    "nis2_early_warning",
    "nis2_notification",
    "nis2_final_report",
]
Level = Literal["strong", "adequate", "gap"]

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
# A time limit counted from the moment the incident is opened: "10m", "4h", "3d".
Duration = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]*[mhd]$")]

_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}


def duration_minutes(duration: str) -> int:
    match = re.fullmatch(r"([1-9][0-9]*)([mhd])", duration)
    if match is None:
        raise ValueError(f"not a duration: {duration!r} (expected e.g. 10m, 4h, 3d)")
    return int(match.group(1)) * _UNIT_MINUTES[match.group(2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]


class ChecklistItem(_Strict):
    id: Identifier
    text: Text


class Step(_Strict):
    id: Identifier
    role: Role
    within: Duration
    title: Text
    details: Text
    checklist: list[ChecklistItem] = Field(default_factory=list)
    clock: ClockCode | None = None

    @property
    def within_minutes(self) -> int:
        return duration_minutes(self.within)


class Poster(_Strict):
    headline: Text
    do_now: list[Text] = Field(min_length=1, max_length=5)
    do_not: list[Text] = Field(default_factory=list, max_length=4)
    report_prompt: Text


class Playbook(_Strict):
    key: Identifier
    language: Literal["en", "es"]
    title: Text
    summary: Text
    severity: Literal["medium", "high", "critical"]
    personal_data_possible: bool
    # Whether opening an incident from this playbook means the clinic is already "aware" of a
    # personal-data breach (a lost laptop), so the notification clock starts with it.
    clock_starts_at_open: bool = False
    when_to_use: list[Text] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    poster: Poster
    references: list[Reference] = Field(default_factory=list)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


class RubricLevel(_Strict):
    level: Level
    min_percent: int = Field(ge=0, le=100)
    description: Text


class Area(_Strict):
    key: Identifier
    title: Text
    rubric: list[RubricLevel] = Field(min_length=2)


class ExpectedAction(_Strict):
    id: Identifier
    text: Text
    points: int = Field(ge=1, le=5)


class Question(_Strict):
    id: Identifier
    area: Identifier
    roles: list[Role] = Field(min_length=1)
    prompt: Text
    expected_actions: list[ExpectedAction] = Field(min_length=1)

    @property
    def max_points(self) -> int:
        return sum(action.points for action in self.expected_actions)


class Inject(_Strict):
    id: Identifier
    at_minute: int = Field(ge=0)
    title: Text
    narrative: Text
    questions: list[Question] = Field(min_length=1)


class Scenario(_Strict):
    key: Identifier
    language: Literal["en", "es"]
    title: Text
    summary: Text
    based_on: Text | None = None
    duration_minutes: int = Field(ge=15, le=240)
    roles: list[Role] = Field(min_length=1)
    playbooks: list[Identifier] = Field(default_factory=list)
    areas: list[Area] = Field(min_length=1)
    injects: list[Inject] = Field(min_length=2)
    sources: list[Reference] = Field(default_factory=list)

    def questions(self) -> list[Question]:
        return [question for inject in self.injects for question in inject.questions]

    def inject(self, inject_id: str) -> Inject:
        for inject in self.injects:
            if inject.id == inject_id:
                return inject
        raise KeyError(inject_id)

    def area(self, key: str) -> Area:
        for area in self.areas:
            if area.key == key:
                return area
        raise KeyError(key)
