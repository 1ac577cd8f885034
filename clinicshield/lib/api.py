"""The organisation and the role of an API call: the first line of every app's endpoint.

`request.auth` is what the project's TokenAuth found for the bearer token: the
organisation's API token (accounts' ApiToken). lib knows it only by the shape below, so it
imports nothing of ours; the role rule is the token's own (`ApiToken.allows`, the same role
ladder as the pages'). A token whose role is too low gets 403 with `refusal`, or a
general sentence.
"""

from typing import Any, Protocol, runtime_checkable

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import UserError


@runtime_checkable
class OrganisationToken(Protocol):
    """What an endpoint may use of the caller's token."""

    name: str
    role: str

    @property
    def organisation(self) -> Any: ...

    def allows(self, role: str) -> bool: ...


def api_token(
    request: HttpRequest, role: str = "viewer", refusal: str | Promise | None = None
) -> OrganisationToken:
    """The caller's token, once its role is at least `role`."""
    token = getattr(request, "auth", None)
    if not isinstance(token, OrganisationToken):
        # Not a refusal: an endpoint with another authentication (a site sensor's) called this.
        raise TypeError(f"request.auth is not an organisation's API token: {token!r}")
    if not token.allows(role):
        raise UserError("forbidden", refusal or _("This token's role may not do this."), 403)
    return token


def api_org(
    request: HttpRequest, role: str = "viewer", refusal: str | Promise | None = None
) -> Any:
    """The caller's organisation (every query filters on it), once its role is at least
    `role`."""
    return api_token(request, role, refusal).organisation
