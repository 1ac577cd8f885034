"""Where "/" leads: the last organisation used, or the first one, or the login page."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_authenticated:
        if request.session.get("portal_person"):
            return redirect("portal:home")
        return redirect("accounts:login")
    memberships = list(user.memberships.select_related("organisation"))
    if not memberships:
        return render(request, "accounts/no_organisation.html", {})
    slugs = [m.organisation.slug for m in memberships]
    slug = request.session.get("org") if request.session.get("org") in slugs else slugs[0]
    return redirect("dashboard:index", org_slug=slug)
