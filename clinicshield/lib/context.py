"""What every page's navigation needs: the current organisation and the user's others."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("dashboard", _("Dashboard")),
    ("training", _("Training")),
    ("simulations", _("Simulations")),
    ("readiness", _("Readiness")),
    ("monitoring", _("Monitoring")),
    ("exposure", _("Exposure")),
    ("accounts", _("People")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    org = getattr(request, "org", None)
    membership = getattr(request, "membership", None)
    memberships = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        memberships = list(user.memberships.select_related("organisation"))
    return {
        "current_org": org,
        "current_membership": membership,
        "memberships": memberships,
        "sections": SECTIONS,
    }
