"""Taking a quiz: scored here on the server, recorded, and the assignment completed on a pass."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Person
from clinicshield.lib.errors import UserError

from ..core.scoring import AnswerError, QuizResult, score_quiz
from ..models import Assignment, QuizAttempt
from ..queries import language_for, module_for


def parse_answers(form: Mapping[str, str]) -> dict[str, int | None]:
    """Form fields `q-<question id>` = choice number -> {question id: choice}."""
    answers: dict[str, int | None] = {}
    for name, value in form.items():
        if not name.startswith("q-"):
            continue
        try:
            answers[name[2:]] = int(value)
        except (TypeError, ValueError):
            raise UserError("bad_answer", _("An answer was not understood.")) from None
    return answers


def do_submit_quiz(
    person: Person,
    module_key: str,
    answers: Mapping[str, int | None],
    *,
    language: str,
    now: datetime | None = None,
) -> tuple[QuizAttempt, QuizResult]:
    """Score and record one attempt. A pass completes the person's open assignment of the
    module (or records a completed one when they took it without being asked)."""
    now = now or timezone.now()
    module = module_for(person.organisation, module_key)
    if module is None:
        raise UserError("unknown_module", _("There is no such training module."), 404)
    lang = language_for(module, language)
    try:
        result = score_quiz(module.quizzes[lang], answers, module.pass_mark)
    except AnswerError:
        raise UserError(
            "quiz_changed", _("The quiz has changed since you opened it. Please start again.")
        ) from None
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .filter(person=person, module_key=module_key, completed_at__isnull=True)
            .order_by("due_at")
            .first()
        )
        if result.passed:
            if assignment is None:
                assignment = Assignment.objects.create(
                    organisation=person.organisation,
                    person=person,
                    module_key=module_key,
                    reason="manual",
                    reason_detail="taken without an assignment",
                    assigned_by=person.email,
                    assigned_at=now,
                    due_at=now,
                )
            assignment.completed_at = now
            assignment.score = result.score
            assignment.save(update_fields=["completed_at", "score"])
        attempt = QuizAttempt.objects.create(
            organisation=person.organisation,
            person=person,
            assignment=assignment,
            module_key=module_key,
            language=lang,
            answers={k: v for k, v in answers.items()},
            missed=result.missed,
            score=result.score,
            passed=result.passed,
            at=now,
        )
    return attempt, result
