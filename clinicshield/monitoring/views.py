"""Pages of the monitoring app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicshield.accounts.tenancy import current_org, org_view

from .models import Alert, LogSource


@org_view("viewer")
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = current_org(request)
    context = {
        "section": "monitoring",
        "sources": LogSource.objects.filter(organisation=org).count(),
        "open_alerts": Alert.objects.filter(organisation=org, status="open").count(),
    }
    return render(request, "monitoring/index.html", context)
