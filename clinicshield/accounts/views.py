"""Organisation pages of the accounts app: staff roster, members, sites, tokens, audit log."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError

from . import actions
from .core.hours import format_opening_hours, parse_opening_hours
from .core.roles import role_at_least
from .core.roster import REQUIRED_COLUMNS
from .forms import ImportForm, MemberForm, OrganisationForm, SiteForm, TokenForm
from .models import ApiToken, AuditEntry, Person


def home(request: HttpRequest) -> HttpResponse:
    """Where "/" leads: the last organisation used, or the first one, or the login page."""
    user: Any = request.user
    if not user.is_authenticated:
        if request.session.get("portal_person"):
            return redirect("portal:home")
        return redirect("accounts:login")
    memberships = list(user.memberships.select_related("organisation"))
    if not memberships:
        return render(request, "accounts/no_organisation.html", {})
    slugs = [m.organisation.slug for m in memberships]
    slug = request.session.get("org") if request.session.get("org") in slugs else slugs[0]
    return redirect("dashboard:index", org_slug=slug)


@org_view("viewer")
def staff_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    people = org.people.select_related("site").order_by("name")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(name__icontains=query) | people.filter(email__icontains=query)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page, "q": query})


# What each roster problem code means, for the person who uploaded the file.
ROW_PROBLEMS = {
    "missing_name": gettext_lazy("The name is empty."),
    "bad_email": gettext_lazy("This is not an email address."),
    "unknown_department": gettext_lazy(
        "Unknown department: use reception, clinician, nurse, lab, billing, management or it."
    ),
    "unknown_language": gettext_lazy("Unknown language: use en or es."),
    "missing_site": gettext_lazy("The site is empty."),
    "duplicate_email": gettext_lazy("This email appears on an earlier line of the file."),
    "too_many_cells": gettext_lazy("The row has more cells than the header (a stray comma?)."),
}


@org_view("manager")
def staff_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")  # Excel on Windows still saves CSV this way
        result = actions.do_import_staff(current_org(request), text, request.user)
    problems = [
        (p.line, p.reason, ROW_PROBLEMS.get(p.reason, p.reason), p.value)
        for p in (result.problems if result else [])
    ]
    return render(
        request,
        "accounts/staff_import.html",
        {
            "form": form,
            "result": result,
            "problems": problems,
            "columns": ",".join(REQUIRED_COLUMNS),
        },
    )


@org_view("viewer")
def staff_export(request: HttpRequest, org_slug: str) -> HttpResponse:
    response = HttpResponse(
        actions.export_staff_csv(current_org(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{org_slug}-staff.csv"'
    return response


@org_view("manager")
@require_POST
def send_link(request: HttpRequest, org_slug: str, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, organisation=current_org(request))
    actions.do_send_portal_link(person)
    actions.audit(person.organisation, request.user, "portal_link.send", person.email)
    messages.success(
        request, _("A portal link was emailed to %(email)s.") % {"email": person.email}
    )
    return redirect("people:index", org_slug=org_slug)


@org_view("owner")
def members(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_member(
                org, form.cleaned_data["email"], form.cleaned_data["role"], request.user
            )
        except UserError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("people:members", org_slug=org_slug)
    rows = org.memberships.select_related("user").order_by("user__email")
    return render(request, "accounts/members.html", {"form": form, "members": rows})


@org_view("owner")
def audit_log(request: HttpRequest, org_slug: str) -> HttpResponse:
    entries = AuditEntry.objects.filter(organisation=current_org(request))
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page})


@org_view("owner")
def api_tokens(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(ApiToken, pk=request.POST["revoke"], organisation=org)
        actions.do_revoke_api_token(token, request.user)
        return redirect("people:api_tokens", org_slug=org_slug)
    if request.method == "POST" and form.is_valid():
        new_token = actions.do_create_api_token(
            org, form.cleaned_data["name"], form.cleaned_data["role"], request.user
        )
        form = TokenForm()
    tokens = org.api_tokens.filter(revoked_at__isnull=True)
    return render(
        request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new": new_token}
    )


@org_view("viewer")
def sites(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    form = SiteForm(request.POST or None)
    if request.method == "POST":
        if not _may_edit(request):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                hours = parse_opening_hours(form.cleaned_data["opening_hours"])
                actions.do_create_site(
                    org,
                    form.cleaned_data["name"],
                    request.user,
                    timezone=form.cleaned_data["timezone"],
                    address=form.cleaned_data["address"],
                    opening_hours=hours,
                )
            except (UserError, ValueError) as error:
                form.add_error(None, str(getattr(error, "message", error)))
            else:
                return redirect("people:sites", org_slug=org_slug)
    rows = [(site, format_opening_hours(site.opening_hours)) for site in org.sites.all()]
    may_manage_sensors = role_at_least(request.membership.role, "it")  # type: ignore[attr-defined]
    context = {"form": form, "sites": rows, "may_manage_sensors": may_manage_sensors}
    return render(request, "accounts/sites.html", context)


@org_view("owner")
def organisation_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    initial = {
        "name": org.name,
        "timezone": org.timezone,
        "training_refresh_months": org.training_refresh_months,
        "webhook_url": org.webhook_url,
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    secret = None
    if request.method == "POST" and "rotate" in request.POST:
        secret = actions.do_rotate_webhook_secret(org, request.user)
        form = OrganisationForm(initial=initial)
    elif request.method == "POST" and form.is_valid():
        try:
            actions.do_update_organisation(org, request.user, **form.cleaned_data)
        except UserError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("people:settings", org_slug=org_slug)
    return render(request, "accounts/settings.html", {"form": form, "secret": secret})


def _may_edit(request: HttpRequest) -> bool:
    return role_at_least(request.membership.role, "manager")  # type: ignore[attr-defined]
