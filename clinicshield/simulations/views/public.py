"""What a recipient's browser talks to: the pixel, the landing pages, the lesson.

Never reads what a person typed: the submit endpoint does not parse the request
body at all (the password input has no name, so browsers do not even send it),
and only the `h` query flag set by our own script is looked at.
"""

from __future__ import annotations

import base64
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clinicshield.lib.client_address import client_address

from ..actions import do_record_hit
from ..core.hits import Hit
from ..core.landing import (
    CLIPBOARD_LANDINGS,
    clipboard_payload,
    clipboard_refused,
    landing_content,
    lesson,
)
from ..core.library import render_email
from ..mail import recipient_values
from ..models import Recipient
from ..queries import campaign_template, find_recipient
from ..words import red_flags

log = logging.getLogger(__name__)

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _recipient(token: str) -> Recipient:
    recipient = find_recipient(token)
    if recipient is None:
        raise Http404
    return recipient


def _record(request: HttpRequest, token: str, event: str) -> Recipient:
    """Write the hit down (judged later, by the fold) and return whose token it is.

    The real server answers most of these requests before Django (fastpath.py); these
    views answer the rest (the pages) and every request under the test client.
    """
    recipient = _recipient(token)
    do_record_hit(
        Hit(
            token=token,
            event=event,
            at=timezone.now(),
            method=request.method or "GET",
            user_agent=request.headers.get("User-Agent", ""),
            ip=client_address(
                request.META.get("REMOTE_ADDR"),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                settings.PROXY_HOPS,
            ),
            human_proof=request.GET.get("h") == "1",
        )
    )
    return recipient


@never_cache
@require_http_methods(["GET", "HEAD"])
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    _record(request, token, "opened")
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str) -> HttpResponse:
    recipient = _record(request, token, "clicked")
    if request.method == "HEAD":
        return HttpResponse()
    campaign = recipient.campaign
    if clipboard_refused(campaign.landing, campaign.base_url):
        log.warning(
            "campaign %s: base URL %r is not a plain http(s) address; the lesson is shown "
            "instead of the %s page",
            campaign.pk,
            campaign.base_url,
            campaign.landing,
        )
        return _lesson(request, recipient)
    template = campaign_template(campaign)
    language = recipient.language
    version = template.version(language)
    context = {
        "token": token,
        "title": version.landing_title,
        "intro": version.landing_intro,
        "language": language,
        "landing": campaign.landing,
    }
    if campaign.landing in CLIPBOARD_LANDINGS:
        texts = landing_content()[campaign.landing]
        context["texts"] = texts.get(language) or texts["en"]
        payload = clipboard_payload(campaign.base_url, token, campaign.landing, language)
        context["clipboard"] = payload.text
    with translation.override(language):
        return render(request, f"simulations/public/{campaign.landing}.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["POST"])
def human(request: HttpRequest, token: str) -> HttpResponse:
    """Our page's script saw a pointer, key or focus: a person opened the link."""
    _record(request, token, "clicked")
    return HttpResponse(status=204)


@csrf_exempt
@sensitive_post_parameters()  # an error report (mailed to ADMINS) never shows it either
@never_cache
@require_http_methods(["POST"])
def submit(request: HttpRequest, token: str) -> HttpResponse:
    # The body is never parsed: whatever was typed is dropped unread.
    _record(request, token, "submitted")
    if request.GET.get("h") == "1":
        return HttpResponse(status=204)
    return redirect("simulations_public:lesson", token=token)


@csrf_exempt
@never_cache
@require_http_methods(["POST"])
def copy(request: HttpRequest, token: str) -> HttpResponse:
    _record(request, token, "copied")
    return HttpResponse(status=204)


@never_cache
@require_http_methods(["GET", "HEAD"])
def executed(request: HttpRequest, token: str) -> HttpResponse:
    """The inert clipboard link, opened from Win+R or File Explorer: show the lesson now."""
    recipient = _record(request, token, "executed")
    if request.method == "HEAD":
        return HttpResponse()
    return _lesson(request, recipient)


@never_cache
@require_http_methods(["GET"])
def lesson_page(request: HttpRequest, token: str) -> HttpResponse:
    return _lesson(request, _recipient(token))


def _lesson(request: HttpRequest, recipient: Recipient) -> HttpResponse:
    campaign = recipient.campaign
    template = campaign_template(campaign)
    language = recipient.language
    context = {
        "lesson": lesson(campaign.kind, language),
        "language": language,
        "subject": render_email(
            template,
            language,
            recipient_values(
                campaign, recipient, (recipient.sent_at or timezone.now()).strftime("%d/%m/%Y")
            ),
        ).subject,
        "red_flags": red_flags(template, language),
        "clinic": campaign.organisation.name,
    }
    with translation.override(language):
        return render(request, "simulations/public/lesson.html", context)
