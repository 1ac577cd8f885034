"""The monitoring landing page: how many log sources, how many alerts still open."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicshield.accounts.tenancy import current_org, org_view

from ..queries import overview


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    context = {"section": "monitoring", **overview(org)}
    return render(request, "monitoring/index.html", context)
