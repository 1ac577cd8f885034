"""On an empty install every page leads to the setup page that creates the first organisation."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from clinicshield.accounts.models import Organisation

OPEN_PREFIXES = ("/setup/", "/static/", "/healthz", "/i18n/", "/api/", "/accounts/setup/")


class FirstRunMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.configured = False  # once true it stays true: organisations are not all deleted

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.configured:
            self.configured = Organisation.objects.exists()
            if not self.configured and not request.path.startswith(OPEN_PREFIXES):
                return redirect("setup")
        return self.get_response(request)
