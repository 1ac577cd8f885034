"""Authentication of site sensors' requests: a signature made with the site token.

The signature itself is checked by accounts, which keeps the tokens
(``actions.authenticate_site_request``, ``core.site_signing``); here is only what HTTP and
django-ninja add: which headers carry it, the body it covers (read once, within the batch
limit), and the token an endpoint gets back."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security.base import AuthBase

from clinicshield.accounts.actions import SignedRequest, authenticate_site_request
from clinicshield.accounts.core.site_signing import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)
from clinicshield.accounts.models import SiteToken
from clinicshield.lib.errors import UserError


def request_body(request: HttpRequest) -> bytes:
    """The raw body, read once, refused past the batch limit (413) before it is read.

    Read from the stream rather than through ``request.body``, whose limit
    (DATA_UPLOAD_MAX_MEMORY_SIZE) is meant for forms, then kept where ``request.body``
    finds it (JSON endpoints parse it after authentication)."""
    cached = getattr(request, "_body", None)
    if cached is not None:
        return bytes(cached)
    limit = settings.SENSOR_MAX_BATCH_MB * 1024 * 1024
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise UserError(
            "batch_too_large",
            _("The request is larger than %(mb)s MiB.") % {"mb": settings.SENSOR_MAX_BATCH_MB},
            status=413,
        )
    body = request.read(length) if length else b""
    request._body = body
    return body


class SiteSignatureAuth(AuthBase):
    """``request.auth`` becomes the SiteToken; a refusal is a 401 whose body says why."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = KEY_HEADER

    def __call__(self, request: HttpRequest) -> SiteToken:
        headers = request.headers
        signed = SignedRequest(
            key_id=headers.get(KEY_HEADER, ""),
            timestamp=headers.get(TIMESTAMP_HEADER, ""),
            nonce=headers.get(NONCE_HEADER, ""),
            signature=headers.get(SIGNATURE_HEADER, ""),
            method=request.method or "",
            path=request.get_full_path(),
            body=request_body(request),
        )
        return authenticate_site_request(signed, timezone.now())


def site_token(request: HttpRequest) -> SiteToken:
    """The site token that signed the request (the first line of every sensor endpoint)."""
    token = getattr(request, "auth", None)
    if not isinstance(token, SiteToken):
        # Not a refusal: the router's authentication did not run (a misconfigured route).
        raise TypeError(f"request.auth is not a site token: {token!r}")
    return token
