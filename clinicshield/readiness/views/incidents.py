"""Incident pages: list, open by hand, and the incident itself (tasks, clock, timeline)."""

from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.forms import ChoiceField
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.language import current_language
from clinicshield.lib.posted import posted_id

from .. import actions
from ..core.catalogue import shipped_catalogue
from ..forms import BreachFactsForm, CloseIncidentForm, IncidentForm, MarkNotifiedForm
from ..models import Evidence, ImprovementTask, Incident, IncidentTask
from ..queries import incident_deadlines
from ..words import CLOCK_LABELS, deadline_rows


def _incident(request: HttpRequest, number: int) -> Incident:
    return get_object_or_404(Incident, organisation=current_org(request), number=number)


@org_view("viewer")
def incident_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    incidents = Incident.objects.filter(organisation=current_org(request))
    return render(
        request, "readiness/incident_list.html", {"section": "readiness", "incidents": incidents}
    )


@org_view("manager")
def incident_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    playbooks = shipped_catalogue().playbooks[current_language()]
    cast(ChoiceField, form.fields["playbook"]).choices = [("", "-")] + [
        (k, p.title) for k, p in playbooks.items()
    ]
    if request.method == "POST" and form.is_valid():
        incident = actions.do_open_incident(
            current_org(request),
            title=form.cleaned_data["title"],
            source="manual",
            playbook_key=form.cleaned_data["playbook"],
            details=form.cleaned_data["details"],
            actor=request.user,
        )
        return redirect("readiness:incident", org_slug, incident.number)
    return render(request, "readiness/incident_new.html", {"section": "readiness", "form": form})


@org_view("viewer")
def incident_detail(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    incident = _incident(request, number)
    now = timezone.now()
    facts = BreachFactsForm(
        initial={
            "aware_at": incident.aware_at,
            "affected": incident.affected_individuals,
            "largest_state": incident.largest_state_count,
            "high_risk": incident.high_risk,
        }
    )
    context = {
        "section": "readiness",
        "incident": incident,
        "tasks": incident.tasks.all(),
        "timeline": incident.timeline.all(),
        "evidence": incident.evidence.all(),
        "deadlines": deadline_rows(incident_deadlines(incident, now)),
        "facts_form": facts,
        "close_form": CloseIncidentForm(),
        "improvements": incident.improvements.all(),
        "statuses": IncidentTask.STATUSES,
        "members": [m.user for m in incident.organisation.memberships.select_related("user")],
        "now": now,
        "can_edit": request.membership.role != "viewer",  # type: ignore[attr-defined]
    }
    return render(request, "readiness/incident.html", context)


@org_view("manager")
@require_POST
def task_update(request: HttpRequest, org_slug: str, number: int, task_id: int) -> HttpResponse:
    incident = _incident(request, number)
    task = get_object_or_404(IncidentTask, pk=task_id, incident=incident)
    owner_id = posted_id(request, "owner")
    member = current_org(request).memberships.filter(user_id=owner_id).first() if owner_id else None
    try:
        actions.do_set_task_status(
            task,
            request.POST.get("status", ""),
            request.user,
            checked=request.POST.getlist("checked"),
            owner=member.user if member else None,
        )
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect("readiness:incident", org_slug, number)


@org_view("manager")
@require_POST
def add_note(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    try:
        actions.do_add_note(_incident(request, number), request.POST.get("text", ""), request.user)
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect("readiness:incident", org_slug, number)


@org_view("manager")
@require_POST
def add_evidence(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            actions.do_add_evidence(
                _incident(request, number),
                upload,
                request.POST.get("description", ""),
                request.user,
            )
        except UserError as error:
            messages.error(request, str(error.message))
    return redirect("readiness:incident", org_slug, number)


@org_view("manager")
def evidence_file(request: HttpRequest, org_slug: str, number: int, evidence_id: int) -> Any:
    # A FileResponse streams (evidence can be 50 MB); it is not an HttpResponse subclass.
    evidence = get_object_or_404(Evidence, pk=evidence_id, incident=_incident(request, number))
    return FileResponse(
        Path(evidence.path).open("rb"), as_attachment=True, filename=evidence.filename
    )


@org_view("manager")
@require_POST
def set_facts(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    form = BreachFactsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actions.do_set_breach_facts(
            _incident(request, number),
            request.user,
            aware_at=data["aware_at"],
            affected=data["affected"],
            largest_state=data["largest_state"],
            high_risk=data["high_risk"],
        )
    else:
        messages.error(request, _("Check the breach facts: %s") % form.errors.as_text())
    return redirect("readiness:incident", org_slug, number)


@org_view("manager")
@require_POST
def mark_notified(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    """Marks a notification sent: now, or when it was sent if the clinic says (the law's
    month for NIS2's final report counts from the sending, not from the click)."""
    form = MarkNotifiedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the notification: %s") % form.errors.as_text())
    elif form.cleaned_data["code"] in CLOCK_LABELS:
        data = form.cleaned_data
        incident = _incident(request, number)
        actions.do_mark_notified(
            incident, data["code"], request.user, data["reference"], at=data["sent_at"]
        )
    return redirect("readiness:incident", org_slug, number)


@org_view("manager")
@require_POST
def close_incident(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    form = CloseIncidentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the root cause and the lessons learned to close."))
        return redirect("readiness:incident", org_slug, number)
    data = form.cleaned_data
    actions.do_close_incident(
        _incident(request, number),
        request.user,
        root_cause=data["root_cause"],
        went_well=data["went_well"],
        lessons=data["lessons"],
        improvements=data["improvements"].splitlines(),
    )
    return redirect("readiness:incident", org_slug, number)


@org_view("manager")
@require_POST
def close_improvement(request: HttpRequest, org_slug: str, task_id: int) -> HttpResponse:
    task = get_object_or_404(ImprovementTask, pk=task_id, organisation=current_org(request))
    actions.do_close_improvement(task, request.user)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("readiness:index", org_slug)


@org_view("manager")
@require_POST
def mark_contained(request: HttpRequest, org_slug: str, number: int) -> HttpResponse:
    try:
        actions.do_mark_contained(_incident(request, number), request.user)
    except UserError as error:
        messages.error(request, str(error.message))
    return redirect("readiness:incident", org_slug, number)
