"""The triage of reported messages: what staff forwarded that was not one of our drills."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view

from .. import actions, queries
from ..forms import TriageForm
from ..models import ReportedMessage
from ..words import explain_analysis


@org_view("it")
def triage(request: HttpRequest, org_slug: str) -> HttpResponse:
    items = queries.triage_items(current_org(request))[:200]
    rows = [(item, explain_analysis(item.analysis)) for item in items]
    return render(request, "simulations/triage.html", {"section": "simulations", "rows": rows})


@org_view("it")
@require_POST
def triage_decide(request: HttpRequest, org_slug: str, item_id: int) -> HttpResponse:
    item = get_object_or_404(ReportedMessage, pk=item_id, organisation=current_org(request))
    form = TriageForm(request.POST)
    if form.is_valid():
        actions.do_decide_triage(item, form.cleaned_data["triage_state"], request.user)
    return redirect("simulations:triage", org_slug=org_slug)
