"""Every organisation sees only its own data.

Views under /o/<org_slug>/ are wrapped in `org_view(role)`: a user who is not a member of the
organisation gets 404 (the URL reveals nothing), a member whose role is too low gets 403, and
an owner or IT member who has not passed MFA is sent to verify or enrol first.
"""

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from clinicshield.accounts.core.roles import MFA_REQUIRED_ROLES, role_at_least
from clinicshield.accounts.models import Membership, Organisation

View = Callable[..., HttpResponse]


def membership_for(user: Any, org_slug: str) -> Membership:
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=org_slug)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def needs_mfa(request: HttpRequest, membership: Membership) -> bool:
    user = cast(Any, request.user)
    return membership.role in MFA_REQUIRED_ROLES and not user.is_verified()


def org_view(role: str = "viewer") -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, org_slug)
            if needs_mfa(request, membership):
                return redirect("accounts:mfa")
            if not role_at_least(membership.role, role):
                raise PermissionDenied
            request.org = membership.organisation  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            request.session["org"] = org_slug
            # Times on the organisation's pages are its own local times (a clinic in Madrid
            # reads 03:12 as 03:12 in Madrid), and times typed there are read the same way.
            activate_timezone(membership.organisation.timezone)
            try:
                return view(request, org_slug, *args, **kwargs)
            finally:
                timezone.deactivate()  # worker threads serve other organisations next

        return wrapper

    return decorate


def activate_timezone(name: str) -> None:
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


def current_org(request: HttpRequest) -> Organisation:
    return cast(Organisation, request.org)  # type: ignore[attr-defined]


def current_membership(request: HttpRequest) -> Membership:
    """The signed-in user's membership of the page's organisation (set by `org_view`)."""
    return cast(Membership, request.membership)  # type: ignore[attr-defined]
