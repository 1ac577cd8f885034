"""Scoring a tabletop drill per area from the expected actions the team named.

The facilitator ticks, for each question, which expected actions the team came up with
(participants' free-text answers help them decide). Points add up per area; the area's
rubric turns the percentage into a level and a description for the after-action report.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .schema import Scenario


class ScoringError(ValueError):
    def __init__(self, code: str, detail: str, **params: str):
        self.code = code
        self.params = params
        super().__init__(detail)


@dataclass(frozen=True)
class ActionRef:
    question_id: str
    action_id: str
    points: int


@dataclass(frozen=True)
class AreaScore:
    area: str
    earned: int
    possible: int
    percent: int
    level: str
    well: tuple[ActionRef, ...]  # expected actions the team named
    gaps: tuple[ActionRef, ...]  # expected actions the team missed


@dataclass(frozen=True)
class DrillScore:
    areas: tuple[AreaScore, ...]
    earned: int
    possible: int
    percent: int
    unanswered: tuple[str, ...]  # questions with nothing recorded (skipped or not reached)

    def area(self, key: str) -> AreaScore:
        return next(a for a in self.areas if a.area == key)


def _percent(earned: int, possible: int) -> int:
    """Whole percent, rounded half up, so 2 of 3 is 67 and the rubric sees what people see."""
    return (earned * 200 + possible) // (possible * 2) if possible else 0


def _check_answers(scenario: Scenario, answers: Mapping[str, Collection[str]]) -> None:
    questions = {q.id: q for q in scenario.questions()}
    for question_id, action_ids in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise ScoringError(
                "unknown_question",
                f"scenario {scenario.key!r} has no question {question_id!r}",
                question=question_id,
            )
        known = {a.id for a in question.expected_actions}
        for action_id in action_ids:
            if action_id not in known:
                raise ScoringError(
                    "unknown_action",
                    f"question {question_id!r} has no expected action {action_id!r}",
                    question=question_id,
                    action=action_id,
                )


def score_drill(scenario: Scenario, answers: Mapping[str, Collection[str]]) -> DrillScore:
    """Score per area; `answers` maps question id -> ids of the expected actions named."""
    _check_answers(scenario, answers)
    well: dict[str, list[ActionRef]] = {area.key: [] for area in scenario.areas}
    gaps: dict[str, list[ActionRef]] = {area.key: [] for area in scenario.areas}
    for question in scenario.questions():
        named = set(answers.get(question.id, ()))
        for action in question.expected_actions:
            ref = ActionRef(question.id, action.id, action.points)
            (well if action.id in named else gaps)[question.area].append(ref)
    areas = []
    for area in scenario.areas:
        earned = sum(ref.points for ref in well[area.key])
        possible = earned + sum(ref.points for ref in gaps[area.key])
        percent = _percent(earned, possible)
        level = next(r.level for r in area.rubric if percent >= r.min_percent)
        areas.append(
            AreaScore(
                area.key,
                earned,
                possible,
                percent,
                level,
                tuple(well[area.key]),
                tuple(gaps[area.key]),
            )
        )
    earned = sum(a.earned for a in areas)
    possible = sum(a.possible for a in areas)
    unanswered = tuple(q.id for q in scenario.questions() if q.id not in answers)
    return DrillScore(tuple(areas), earned, possible, _percent(earned, possible), unanswered)


def inject_due(scenario: Scenario, elapsed_minutes: float) -> list[str]:
    """Ids of the injects whose time has come after `elapsed_minutes` of the drill."""
    return [i.id for i in scenario.injects if i.at_minute <= elapsed_minutes]
