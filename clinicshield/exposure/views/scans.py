"""Scans: scan now, import an nmap XML file, and a scan's page with its live progress."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError

from ..actions import do_import_nmap_xml, do_start_scan
from ..forms import ImportForm, ScanForm
from ..models import Scan
from ..queries import findings_of
from ..words import change_sentence
from .common import findings_by_risk


@org_view("it")
@require_POST
def start_scan(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the targets and ports to scan."))
        return redirect("exposure:index", org_slug)
    try:
        scans = do_start_scan(
            current_org(request),
            form.cleaned_data["targets"].split(),
            form.cleaned_data["ports"],
            request.user,
        )
    except UserError as error:
        messages.error(request, str(error.message))
        return redirect("exposure:index", org_slug)
    return redirect("exposure:scan", org_slug, scans[0].pk)


@org_view("it")
@require_POST
def import_xml(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an nmap XML file."))
        return redirect("exposure:index", org_slug)
    upload = form.cleaned_data["xml"]
    try:
        result = do_import_nmap_xml(current_org(request), upload.read(), upload.name, request.user)
    except UserError as error:
        messages.error(request, str(error.message))
        return redirect("exposure:index", org_slug)
    if result.ignored_hosts:
        messages.warning(
            request,
            _("%(count)s host(s) outside your registered networks were ignored.")
            % {"count": len(result.ignored_hosts)},
        )
    if not result.scans:
        return redirect("exposure:index", org_slug)
    return redirect("exposure:scan", org_slug, result.scans[0].pk)


@org_view("viewer")
def scan_detail(request: HttpRequest, org_slug: str, scan_id: int) -> HttpResponse:
    scan = get_object_or_404(
        Scan.objects.select_related("network__site"), pk=scan_id, organisation=current_org(request)
    )
    context = {
        "section": "exposure",
        "scan": scan,
        "by_risk": findings_by_risk(findings_of([scan])),
        "changes": [(c, change_sentence(c)) for c in scan.changes.all()],
    }
    template = "exposure/_progress.html" if request.htmx else "exposure/scan.html"  # type: ignore[attr-defined]
    return render(request, template, context)
