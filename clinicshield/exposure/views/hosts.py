"""One address: what is open on it now, and its history of changes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicshield.accounts.tenancy import current_org, org_view

from ..queries import changes, current_picture, host_findings, networks_holding
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
    picture = current_picture(org, of=networks_holding(org, address))
    current = [finding_row(f) for f in picture.findings if f.address == address]
    context = {
        "section": "exposure",
        "address": address,
        "current": current,
        "history": [(c, change_sentence(c)) for c in history],
    }
    return render(request, "exposure/host.html", context)
