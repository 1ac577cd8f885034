"""Overview, call tree, playbooks (with adaptations) and their printable posters."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError
from clinicshield.lib.language import current_language
from clinicshield.lib.qr import qr_svg

from .. import actions
from ..core.catalogue import shipped_catalogue
from ..core.planning import adapted_steps
from ..core.schema import ROLES, Playbook
from ..forms import ContactForm
from ..models import CallTreeContact, Drill, ImprovementTask, Incident
from ..pdf import poster_pdf
from ..queries import adaptation_for
from ..words import REGIME_LABELS
from .common import drill_overdue, report_page_url


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    language = current_language()
    context = {
        "section": "readiness",
        "open_incidents": Incident.objects.filter(organisation=org).exclude(status="closed"),
        "drills": Drill.objects.filter(organisation=org)[:5],
        "improvements": ImprovementTask.objects.filter(organisation=org, closed_at=None),
        "playbooks": shipped_catalogue().playbooks[language].values(),
        "drill_overdue": drill_overdue(org),
        "contacts": CallTreeContact.objects.filter(organisation=org).count(),
        "report_url": report_page_url(org),
    }
    return render(request, "readiness/index.html", context)


@org_view("viewer")
def call_tree(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    form = ContactForm(request.POST or None)
    can_edit = request.membership.role != "viewer"  # type: ignore[attr-defined]
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            actions.do_add_contact(org, request.user, **form.cleaned_data)
        except UserError as error:
            messages.error(request, str(error.message))
        else:
            return redirect("readiness:call_tree", org_slug)
    profile = actions.profile_for(org)
    context = {
        "section": "readiness",
        "form": form,
        "contacts": CallTreeContact.objects.filter(organisation=org),
        "regimes": [
            (code, label, code in profile.regimes) for code, label in REGIME_LABELS.items()
        ],
        "report_url": report_page_url(org),
    }
    return render(request, "readiness/call_tree.html", context)


@org_view("manager")
@require_POST
def contact_delete(request: HttpRequest, org_slug: str, contact_id: int) -> HttpResponse:
    contact = get_object_or_404(CallTreeContact, pk=contact_id, organisation=current_org(request))
    actions.do_remove_contact(contact, request.user)
    return redirect("readiness:call_tree", org_slug)


@org_view("manager")
@require_POST
def set_regimes(request: HttpRequest, org_slug: str) -> HttpResponse:
    actions.do_set_regimes(current_org(request), request.POST.getlist("regime"), request.user)
    messages.success(request, _("Notification rules saved."))
    return redirect("readiness:call_tree", org_slug)


@org_view("manager")
@require_POST
def rotate_token(request: HttpRequest, org_slug: str) -> HttpResponse:
    actions.do_rotate_report_token(current_org(request), request.user)
    messages.success(request, _("The report page has a new address. Print the posters again."))
    return redirect("readiness:call_tree", org_slug)


def _playbook_or_404(key: str, language: str) -> Playbook:
    try:
        return shipped_catalogue().playbook(key, language)
    except KeyError:
        raise Http404 from None


def _adaptation_from_post(request: HttpRequest, playbook: Playbook) -> dict[str, Any]:
    steps = {}
    for step in playbook.steps:
        change: dict[str, object] = {}
        role = request.POST.get(f"role-{step.id}", step.role)
        if role != step.role:
            change["role"] = role
        within = request.POST.get(f"within-{step.id}", step.within).strip()
        if within != step.within:
            change["within"] = within
        note = request.POST.get(f"note-{step.id}", "").strip()
        if note:
            change["local_note"] = note
        if request.POST.get(f"skip-{step.id}"):
            change["skip"] = True
        if change:
            steps[step.id] = change
    return {"steps": steps}


@org_view("viewer")
def playbook(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    org = current_org(request)
    shown = _playbook_or_404(key, current_language())
    if request.method == "POST" and request.membership.role != "viewer":  # type: ignore[attr-defined]
        try:
            actions.do_save_adaptation(
                org, key, _adaptation_from_post(request, shown), request.user
            )
        except UserError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your clinic's version of this playbook is saved."))
            return redirect("readiness:playbook", org_slug, key)
    adaptation = adaptation_for(org, key)
    changes = adaptation.steps if adaptation else {}
    rows = [
        {"step": step, "original": shown.step(step.id), "note": note, "skipped": False}
        for step, note in adapted_steps(shown, adaptation)
    ]
    skipped = [s for s in shown.steps if s.id in changes and changes[s.id].skip]
    context = {
        "section": "readiness",
        "playbook": shown,
        "rows": rows,
        "skipped": skipped,
        "roles": ROLES,
    }
    return render(request, "readiness/playbook.html", context)


@org_view("viewer")
def poster(request: HttpRequest, org_slug: str, key: str) -> HttpResponse:
    org = current_org(request)
    shown = _playbook_or_404(key, current_language())
    url = report_page_url(org)
    contacts = CallTreeContact.objects.filter(
        organisation=org, kind__in=["it_support", "manager", "owner"]
    )[:3]
    context = {"org": org, "playbook": shown, "qr": qr_svg(url), "url": url, "contacts": contacts}
    pdf = poster_pdf(context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{key}.pdf"'
    return response
