"""The exposure landing page: what is open now by risk, drift, scans, networks."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicshield.accounts.tenancy import current_org, org_view

from ..forms import ImportForm, NetworkForm, ScanForm
from ..queries import changes, current_picture, networks, recent_scans
from ..words import change_sentence
from .common import findings_by_risk


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    context = {
        "section": "exposure",
        "networks": networks(org),
        "scans": recent_scans(org)[:15],
        "by_risk": findings_by_risk(current_picture(org).findings),
        "timeline": [(c, change_sentence(c)) for c in changes(org)[:30]],
        "network_form": NetworkForm(),
        "scan_form": ScanForm(),
        "import_form": ImportForm(),
    }
    return render(request, "exposure/index.html", context)
