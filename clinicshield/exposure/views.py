"""Pages of the exposure app: networks, scans with progress, hosts, findings, drift."""

from functools import partial
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicshield.accounts.tenancy import current_org, org_view
from clinicshield.lib.errors import UserError

from .actions import do_add_network, do_delete_network, do_import_nmap_xml, do_start_scan
from .core.knowledge import SEVERITIES
from .forms import ImportForm, NetworkForm, ScanForm
from .models import Network, Scan
from .queries import (
    changes,
    findings_of,
    host_findings,
    latest_scans,
    networks,
    recent_scans,
)
from .words import change_sentence, finding_row


def findings_by_risk(scans: list[Scan]) -> list[tuple[str, list[dict[str, Any]]]]:
    rows = [finding_row(f) for f in findings_of(scans)]
    return [
        (severity, [r for r in rows if r["risk"] == severity])
        for severity in reversed(SEVERITIES)
        if any(r["risk"] == severity for r in rows)
    ]


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    current = latest_scans(org)
    context = {
        "section": "exposure",
        "networks": networks(org),
        "scans": recent_scans(org)[:15],
        "by_risk": findings_by_risk(current),
        "timeline": [(c, change_sentence(c)) for c in changes(org)[:30]],
        "network_form": NetworkForm(),
        "scan_form": ScanForm(),
        "import_form": ImportForm(),
    }
    return render(request, "exposure/index.html", context)


@org_view("it")
@require_POST
def add_network(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = NetworkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_add_network(
                current_org(request),
                data["site"],
                data["zone"],
                data["cidr"],
                request.user,
                data["ports"],
            )
            messages.success(request, _("Network registered."))
        except UserError as error:
            messages.error(request, str(error.message))
    else:
        messages.error(request, _("Please fill in site, zone and network."))
    return redirect("exposure:index", org_slug)


@org_view("it")
@require_POST
def remove_network(request: HttpRequest, org_slug: str, network_id: int) -> HttpResponse:
    network = get_object_or_404(Network, pk=network_id, organisation=current_org(request))
    do_delete_network(network, request.user)
    messages.success(request, _("Network removed."))
    return redirect("exposure:index", org_slug)


@org_view("it")
@require_POST
def start_scan(request: HttpRequest, org_slug: str) -> HttpResponse:
    from .tasks import run_scan

    form = ScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the targets and ports to scan."))
        return redirect("exposure:index", org_slug)
    try:
        with transaction.atomic():
            scans = do_start_scan(
                current_org(request),
                form.cleaned_data["targets"].split(),
                form.cleaned_data["ports"],
                request.user,
            )
            for scan in scans:
                transaction.on_commit(partial(run_scan, scan.pk))
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
        "by_risk": findings_by_risk([scan]),
        "changes": [(c, change_sentence(c)) for c in scan.changes.all()],
    }
    template = "exposure/_progress.html" if request.htmx else "exposure/scan.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view("viewer")
def host_detail(request: HttpRequest, org_slug: str, address: str) -> HttpResponse:
    org = current_org(request)
    findings = host_findings(org, address)
    history = changes(org, address)
    if not findings.exists() and not history.exists():
        return render(
            request,
            "exposure/host.html",
            {"section": "exposure", "address": address, "history": [], "current": []},
            status=404,
        )
    latest_scan_id = findings[0].scan_id if findings else None
    current = [finding_row(f) for f in findings if f.scan_id == latest_scan_id]
    context = {
        "section": "exposure",
        "address": address,
        "current": current,
        "history": [(c, change_sentence(c)) for c in history],
    }
    return render(request, "exposure/host.html", context)
