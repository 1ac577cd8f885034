"""One address: what is open on it now, and its history of changes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicshield.accounts.tenancy import current_org, org_view

from ..queries import changes, host_findings
from ..words import change_sentence, finding_row


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
