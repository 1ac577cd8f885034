"""Pages of the dashboard app: the overview, the monthly report PDF, the evidence pack."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.language import current_language

from .core.history import parse_month, previous_month
from .pdf import evidence_pack, monthly_report_pdf
from .queries import local_day, org_zone, overview


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    context = overview(org, timezone.now(), request.GET.get("page"))
    today = context["today"]
    year, month = previous_month(today)
    context.update(
        {
            "section": "dashboard",
            "report_month": f"{year:04d}-{month:02d}",
            "this_month": f"{today.year:04d}-{today.month:02d}",
        }
    )
    with timezone.override(org_zone(org)):
        return render(request, "dashboard/index.html", context)


@org_view("viewer")
def report_pdf(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    now = timezone.now()
    last_year, last_month = previous_month(local_day(org, now))
    default = f"{last_year:04d}-{last_month:02d}"
    month = request.GET.get("month") or default
    try:
        year, number = parse_month(month)
    except ValueError:
        return HttpResponse(
            _("Not a month: %(month)s. Use YYYY-MM, for example 2026-11.") % {"month": month},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    pdf = monthly_report_pdf(org, year, number, now, current_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{org.slug}-report-{month}.pdf"'
    return response


@org_view("viewer")
def evidence_zip(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    now = timezone.now()
    response = HttpResponse(
        evidence_pack(org, now, current_language()), content_type="application/zip"
    )
    day = local_day(org, now).isoformat()
    response["Content-Disposition"] = f'attachment; filename="{org.slug}-evidence-{day}.zip"'
    return response
