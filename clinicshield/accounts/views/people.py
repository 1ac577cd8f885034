"""The staff roster of an organisation: the list, CSV import and export, portal links."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view

from .. import actions, queries, words
from ..core.roster import REQUIRED_COLUMNS, decode_roster
from ..forms import ImportForm
from ..models import Person


@org_view("viewer")
def staff_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    people = queries.people(current_org(request), search=query)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page, "q": query})


@org_view("manager")
def staff_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        text = decode_roster(form.cleaned_data["file"].read())
        result = actions.do_import_staff(current_org(request), text, request.user)
    problems = [
        (p.line, p.reason, words.roster_problem(p.reason), p.value)
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
        queries.export_staff_csv(current_org(request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{org_slug}-staff.csv"'
    return response


@org_view("manager")
@require_POST
def send_link(request: HttpRequest, org_slug: str, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, organisation=current_org(request))
    actions.do_send_portal_link(person, request.user)
    messages.success(
        request, _("A portal link was emailed to %(email)s.") % {"email": person.email}
    )
    return redirect("people:index", org_slug=org_slug)
