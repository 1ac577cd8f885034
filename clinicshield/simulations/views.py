"""Pages of the simulations app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicshield.lib.tenancy import org_view


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(request, "simulations/index.html", {"section": "simulations"})
