"""Staff portal: my training, a lesson, its quiz (scored on the server), my certificate.

The quiz page carries only question texts and choices: which choice is correct and the
explanations are sent only in the response to a submitted attempt.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinicshield.accounts.models import Person
from clinicshield.accounts.portal import person_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.language import current_language

from . import actions
from .core.content import Module
from .core.schedule import assignment_state
from .models import Assignment
from .pdf import certificate_pdf
from .queries import catalogue, language_for
from .words import render_markdown


def _person(request: HttpRequest) -> Person:
    return request.person  # type: ignore[attr-defined]


def _module(person: Person, key: str) -> Module:
    module = catalogue(person.organisation).get(key)
    if module is None:
        raise Http404
    return module


def _lang(module: Module) -> str:
    # person_view has switched to the person's language (or the one they chose).
    return language_for(module, current_language())


@person_view
def index(request: HttpRequest) -> HttpResponse:
    """What is to do, and the latest completion of each module (earlier rounds are history
    for managers, not clutter for staff). Progress counts modules with nothing open."""
    person = _person(request)
    now = timezone.now()
    modules = catalogue(person.organisation)
    open_rows: list[dict[str, Any]] = []
    latest_done: dict[str, dict[str, Any]] = {}
    for a in Assignment.objects.filter(person=person).order_by("due_at", "completed_at"):
        module = modules.get(a.module_key)
        if module is None:
            continue
        row = {"assignment": a, "module": module, "title": module.title(_lang(module))}
        row["state"] = assignment_state(a.due_at, a.completed_at, now)
        if a.completed_at is None:
            open_rows.append(row)
        elif a.module_key not in latest_done or a.completed_at > _done_at(
            latest_done[a.module_key]
        ):
            latest_done[a.module_key] = row
    keys = {r["module"].key for r in open_rows} | set(latest_done)
    still_open = {r["module"].key for r in open_rows}
    percent = (100 * len(keys - still_open)) // len(keys) if keys else 100
    done_rows = sorted(latest_done.values(), key=_done_at, reverse=True)
    context = {"open_rows": open_rows, "done_rows": done_rows, "percent": percent}
    return render(request, "training/portal/index.html", context | {"person": person})


def _done_at(row: dict[str, Any]) -> Any:
    return row["assignment"].completed_at


@person_view
def lesson(request: HttpRequest, key: str) -> HttpResponse:
    module = _module(_person(request), key)
    lang = _lang(module)
    context = {
        "module": module,
        "lesson": module.lessons[lang],
        "html": render_markdown(module.lessons[lang].markdown),
        "lang": lang,
    }
    return render(request, "training/portal/lesson.html", context)


@person_view
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest, key: str) -> HttpResponse:
    person = _person(request)
    module = _module(person, key)
    lang = _lang(module)
    questions = module.quizzes[lang].questions
    context: dict[str, Any] = {"module": module, "title": module.title(lang), "lang": lang}
    if request.method == "POST":
        try:
            answers = actions.parse_answers(request.POST)
            attempt, result = actions.do_submit_quiz(person, key, answers, language=lang)
        except UserError as error:
            context.update(questions=questions, error=error)
            return render(request, "training/portal/quiz.html", context, status=error.status)
        by_id = {q.id: q for q in questions}
        context.update(
            attempt=attempt,
            result=result,
            outcomes=[(by_id[o.question_id], o) for o in result.outcomes],
            next_up=_next_open(person) if result.passed else None,
        )
        return render(request, "training/portal/result.html", context)
    context["questions"] = questions
    return render(request, "training/portal/quiz.html", context)


def _next_open(person: Person) -> dict[str, Any] | None:
    """The next module waiting for this person, to keep going after a pass."""
    modules = catalogue(person.organisation)
    for a in Assignment.objects.filter(person=person, completed_at__isnull=True).order_by("due_at"):
        module = modules.get(a.module_key)
        if module is not None:
            return {"key": module.key, "title": module.title(_lang(module))}
    return None


@person_view
def certificate(request: HttpRequest, key: str) -> HttpResponse:
    person = _person(request)
    module = _module(person, key)
    assignment = (
        Assignment.objects.filter(person=person, module_key=key, completed_at__isnull=False)
        .order_by("-completed_at")
        .first()
    )
    if assignment is None:
        raise Http404
    pdf = certificate_pdf(person, module, assignment, _lang(module))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{key}.pdf"'
    return response
