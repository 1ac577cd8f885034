"""Pages reached without an account: the poster's report page, drill participants' phones,
and the staff portal's report form (magic-link session)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.models import Organisation, Person
from clinicshield.accounts.portal import person_view
from clinicshield.lib.errors import UserError

from .. import actions
from ..forms import AnswerForm, PublicReportForm, ReportForm
from ..models import Drill, Incident, ReadinessProfile
from ..queries import scenario_of, shown_inject_ids

DRILL_NAME_KEY = "readiness_drill_name"


def _report(
    form: ReportForm,
    org: Organisation,
    via: str,
    reporter: Person | None = None,
    reporter_name: str = "",
) -> Incident:
    data = form.cleaned_data
    return actions.do_report_problem(
        org,
        kind=data["kind"],
        what=data["what"],
        when=data["when"],
        disconnected=data["disconnected"],
        where=data["where"],
        reporter=reporter,
        reporter_name=reporter_name,
        via=via,
    )


@person_view
def portal_report(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = _report(form, person.organisation, "portal", reporter=person)
        except UserError as error:
            form.add_error(None, str(error.message))
        else:
            return render(request, "readiness/report_thanks.html", {"incident": incident})
    return render(request, "readiness/report_form.html", {"form": form, "org": person.organisation})


def poster_report(request: HttpRequest, token: str) -> HttpResponse:
    profile = get_object_or_404(
        ReadinessProfile.objects.select_related("organisation"), report_token=token
    )
    org = profile.organisation
    form = PublicReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = _report(
                form, org, "poster", reporter_name=form.cleaned_data["reporter_name"]
            )
        except UserError as error:
            form.add_error(None, str(error.message))
        else:
            return render(request, "readiness/report_thanks.html", {"incident": incident})
    return render(request, "readiness/report_form.html", {"form": form, "org": org})


def _drill_or_404(token: str) -> Drill:
    return get_object_or_404(Drill, participant_token=token)


def drill_participant(request: HttpRequest, token: str) -> HttpResponse:
    drill = _drill_or_404(token)
    scenario = scenario_of(drill)
    shown = shown_inject_ids(drill)
    current = scenario.inject(shown[-1]) if shown else None
    name = request.session.get(DRILL_NAME_KEY, "")
    forms = [
        (q, AnswerForm(initial={"participant": name, "question": q.id}))
        for q in (current.questions if current else [])
    ]
    context = {
        "drill": drill,
        "scenario": scenario,
        "current": current,
        "forms": forms,
        "token": token,
        "answered": request.GET.get("answered") == "1",
    }
    return render(request, "readiness/drill_participant.html", context)


def drill_current(request: HttpRequest, token: str) -> HttpResponse:
    """Polled by participants' phones: reload the page when the facilitator moves on."""
    drill = _drill_or_404(token)
    shown = shown_inject_ids(drill)
    current = shown[-1] if shown else ""
    if request.GET.get("seen", "") != current or drill.status == "finished":
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    return HttpResponse(status=204)


@require_POST
def drill_answer(request: HttpRequest, token: str) -> HttpResponse:
    drill = _drill_or_404(token)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Please give your name and an answer."), status=400)
    data = form.cleaned_data
    try:
        actions.do_submit_answer(drill, data["question"], data["participant"], data["text"])
    except UserError as error:
        return HttpResponse(str(error.message), status=error.status)
    request.session[DRILL_NAME_KEY] = data["participant"]
    return redirect(request.path.rsplit("answer/", 1)[0] + "?answered=1")
