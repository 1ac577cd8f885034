"""Tabletop drills: start, show injects, record decisions and answers, finish with a score."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.actions.audit import actor_name
from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.catalogue import shipped_catalogue
from ..core.schema import ROLES, Question
from ..models import Drill, DrillAnswer, DrillDecision
from ..queries import drill_score, scenario_of, shown_inject_ids
from .setup import do_add_improvement

MAX_ANSWER_CHARS = 2000


def do_start_drill(
    org: Organisation,
    scenario_key: str,
    language: str,
    facilitator: Any,
    now: datetime | None = None,
) -> Drill:
    catalogue = shipped_catalogue()
    if scenario_key not in catalogue.scenarios["en"]:
        raise UserError("unknown_scenario", _("There is no such scenario."), 404)
    if language not in catalogue.languages_of_scenario(scenario_key):
        raise UserError("unknown_language", _("This scenario is not available in that language."))
    with transaction.atomic():
        drill = Drill.objects.create(
            organisation=org,
            scenario_key=scenario_key,
            language=language,
            facilitator=actor_name(facilitator),
            started_at=now or timezone.now(),
        )
        audit(org, facilitator, "readiness.drill.start", scenario_key)
    return drill


def _require_running(drill: Drill) -> None:
    if drill.status != "running":
        raise UserError("drill_finished", _("This drill has finished."), 409)


def do_show_next_inject(drill: Drill, now: datetime | None = None) -> str:
    """Reveal the next inject to everyone; returns its id."""
    _require_running(drill)
    remaining = [i.id for i in scenario_of(drill).injects if i.id not in shown_inject_ids(drill)]
    if not remaining:
        raise UserError("no_more_injects", _("Every inject has been shown."), 409)
    when = (now or timezone.now()).isoformat()
    with transaction.atomic():
        drill.shown = [*drill.shown, {"inject": remaining[0], "at": when}]
        drill.save(update_fields=["shown"])
    return remaining[0]


def _question(drill: Drill, question_id: str, must_be_shown: bool) -> Question:
    scenario = scenario_of(drill)
    for inject in scenario.injects:
        for question in inject.questions:
            if question.id == question_id:
                if must_be_shown and inject.id not in shown_inject_ids(drill):
                    raise UserError("not_shown_yet", _("That question has not been asked yet."))
                return question
    raise UserError("unknown_question", _("There is no such question in this drill."), 404)


def do_record_decision(
    drill: Drill,
    question_id: str,
    action_ids: list[str],
    notes: str = "",
    now: datetime | None = None,
) -> DrillDecision:
    """The facilitator ticks the expected actions the team named; recording again replaces."""
    _require_running(drill)
    question = _question(drill, question_id, must_be_shown=False)
    known = {a.id for a in question.expected_actions}
    unknown = [a for a in action_ids if a not in known]
    if unknown:
        raise UserError("unknown_action", _("Unknown expected action: %s") % ", ".join(unknown))
    decision, _created = DrillDecision.objects.update_or_create(
        drill=drill,
        question_id=question_id,
        defaults={
            "action_ids": [a.id for a in question.expected_actions if a.id in action_ids],
            "notes": notes.strip(),
            "recorded_at": now or timezone.now(),
        },
    )
    return decision


def do_submit_answer(
    drill: Drill,
    question_id: str,
    participant: str,
    text: str,
    role: str = "",
    now: datetime | None = None,
) -> DrillAnswer:
    _require_running(drill)
    _question(drill, question_id, must_be_shown=True)
    if not participant.strip():
        raise UserError("missing_name", _("Please give your name."))
    if not text.strip():
        raise UserError("empty_answer", _("Please write your answer."))
    if role and role not in ROLES:
        raise UserError("bad_role", _("Unknown role."))
    return DrillAnswer.objects.create(
        drill=drill,
        question_id=question_id,
        participant=participant.strip()[:100],
        role=role,
        text=text.strip()[:MAX_ANSWER_CHARS],
        at=now or timezone.now(),
    )


def do_finish_drill(
    drill: Drill,
    actor: Any,
    *,
    went_well: str,
    gaps_noted: str,
    improvements: list[tuple[str, str, date | None]],
    now: datetime | None = None,
) -> Drill:
    """Freeze the score, keep the review, and open the improvement tasks."""
    _require_running(drill)
    now = now or timezone.now()
    with transaction.atomic():
        drill.status = "finished"
        drill.finished_at = now
        drill.went_well = went_well.strip()
        drill.gaps_noted = gaps_noted.strip()
        drill.score = asdict(drill_score(drill))
        drill.save(update_fields=["status", "finished_at", "went_well", "gaps_noted", "score"])
        for title, owner, due_on in improvements:
            if title.strip():
                do_add_improvement(
                    drill.organisation, title, owner=owner, due_on=due_on, drill=drill, now=now
                )
        audit(
            drill.organisation,
            actor,
            "readiness.drill.finish",
            drill.scenario_key,
            percent=drill.score["percent"],
        )
    return drill
