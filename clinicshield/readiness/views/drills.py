"""Drill pages: start, the facilitator's live screen, finishing, and the after-action report."""

from dataclasses import asdict
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.forms import ChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.language import current_language
from clinicshield.lib.qr import qr_svg

from .. import actions
from ..core.catalogue import shipped_catalogue
from ..core.schema import Scenario
from ..forms import FinishDrillForm, StartDrillForm
from ..models import Drill
from ..pdf import after_action_pdf
from ..queries import drill_score, scenario_of, shown_inject_ids
from ..words import LEVEL_LABELS


def _drill(request: HttpRequest, drill_id: int) -> Drill:
    return get_object_or_404(Drill, pk=drill_id, organisation=current_org(request))


def participant_url(drill: Drill) -> str:
    return settings.SITE_URL + reverse("readiness_public:drill", args=[drill.participant_token])


@org_view("viewer")
def drill_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    form = StartDrillForm(request.POST or None, initial={"language": current_language()})
    scenarios = shipped_catalogue().scenarios[current_language()]
    cast(ChoiceField, form.fields["scenario"]).choices = [
        (k, s.title) for k, s in scenarios.items()
    ]
    can_run = request.membership.role != "viewer"  # type: ignore[attr-defined]
    if request.method == "POST" and can_run and form.is_valid():
        drill = actions.do_start_drill(
            org, form.cleaned_data["scenario"], form.cleaned_data["language"], request.user
        )
        return redirect("readiness:drill", org_slug, drill.pk)
    context = {
        "section": "readiness",
        "form": form,
        "can_run": can_run,
        "drills": Drill.objects.filter(organisation=org),
        "scenarios": scenarios,
    }
    return render(request, "readiness/drill_list.html", context)


def _shown_injects(drill: Drill, scenario: Scenario) -> list[dict[str, Any]]:
    decisions = {d.question_id: d for d in drill.decisions.all()}
    answers: dict[str, list] = {}
    for answer in drill.answers.all():
        answers.setdefault(answer.question_id, []).append(answer)
    shown = []
    for entry in drill.shown:
        inject = scenario.inject(entry["inject"])
        questions = [
            {
                "question": q,
                "decision": decisions.get(q.id),
                "answers": answers.get(q.id, []),
                "area": scenario.area(q.area).title,
            }
            for q in inject.questions
        ]
        shown.append({"inject": inject, "at": parse_datetime(entry["at"]), "questions": questions})
    return shown


@org_view("manager")
def drill_run(request: HttpRequest, org_slug: str, drill_id: int) -> HttpResponse:
    drill = _drill(request, drill_id)
    if drill.status == "finished":
        return redirect("readiness:drill_report", org_slug, drill.pk)
    scenario = scenario_of(drill)
    shown_ids = shown_inject_ids(drill)
    upcoming = [i for i in scenario.injects if i.id not in shown_ids]
    url = participant_url(drill)
    context = {
        "section": "readiness",
        "drill": drill,
        "scenario": scenario,
        "shown": list(reversed(_shown_injects(drill, scenario))),  # newest first
        "next_inject": upcoming[0] if upcoming else None,
        "participant_url": url,
        "qr": qr_svg(url),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "readiness/_drill_answers.html", context)
    return render(request, "readiness/drill_run.html", context)


@org_view("manager")
@require_POST
def drill_next(request: HttpRequest, org_slug: str, drill_id: int) -> HttpResponse:
    try:
        actions.do_show_next_inject(_drill(request, drill_id))
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect("readiness:drill", org_slug, drill_id)


@org_view("manager")
@require_POST
def drill_decision(request: HttpRequest, org_slug: str, drill_id: int) -> HttpResponse:
    try:
        actions.do_record_decision(
            _drill(request, drill_id),
            request.POST.get("question", ""),
            request.POST.getlist("action"),
            request.POST.get("notes", ""),
        )
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect(
        reverse("readiness:drill", args=[org_slug, drill_id])
        + f"#q-{request.POST.get('question', '')}"
    )


@org_view("manager")
def drill_finish(request: HttpRequest, org_slug: str, drill_id: int) -> HttpResponse:
    drill = _drill(request, drill_id)
    form = FinishDrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_finish_drill(
                drill,
                request.user,
                went_well=data["went_well"],
                gaps_noted=data["gaps_noted"],
                improvements=data["improvements"],
            )
        except UserError as error:
            messages.error(request, str(error.message))
        return redirect("readiness:drill_report", org_slug, drill.pk)
    scenario = scenario_of(drill)
    score = drill_score(drill)
    areas = [(scenario.area(a.area).title, a.percent, a.level) for a in score.areas]
    context = {
        "section": "readiness",
        "drill": drill,
        "form": form,
        "scenario": scenario,
        "score": score,
        "areas": areas,
    }
    return render(request, "readiness/drill_finish.html", context)


def after_action(drill: Drill) -> dict[str, Any]:
    """Everything the after-action report shows, in the drill's language."""
    scenario = scenario_of(drill)
    # A finished drill shows the score frozen when it ended; a running one, the score so far.
    score = drill.score or asdict(drill_score(drill))
    texts = {(q.id, a.id): a.text for q in scenario.questions() for a in q.expected_actions}
    rows = []
    for area in score["areas"]:
        rubric = {r.level: r.description for r in scenario.area(area["area"]).rubric}
        rows.append(
            {
                **area,
                "title": scenario.area(area["area"]).title,
                "level_label": LEVEL_LABELS[area["level"]],
                "rubric_text": rubric[area["level"]],
                "well_texts": [texts[(r["question_id"], r["action_id"])] for r in area["well"]],
                "gap_texts": [texts[(r["question_id"], r["action_id"])] for r in area["gaps"]],
            }
        )
    return {
        "drill": drill,
        "scenario": scenario,
        "areas": rows,
        "percent": score["percent"],
        "participants": sorted({a.participant for a in drill.answers.all()}),
        "improvements": drill.improvements.all(),
        "decisions": [d for d in drill.decisions.all() if d.notes],
    }


@org_view("viewer")
def drill_report(request: HttpRequest, org_slug: str, drill_id: int) -> HttpResponse:
    context = after_action(_drill(request, drill_id)) | {"section": "readiness"}
    return render(request, "readiness/drill_report.html", context)


@org_view("viewer")
def drill_report_pdf(request: HttpRequest, org_slug: str, drill_id: int) -> HttpResponse:
    drill = _drill(request, drill_id)
    context = after_action(drill) | {"org": current_org(request)}
    response = HttpResponse(
        after_action_pdf(context, drill.organisation.timezone),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="after-action-{drill.pk}.pdf"'
    return response
