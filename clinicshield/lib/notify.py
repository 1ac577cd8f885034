"""Messages that leave the process: email through Django's SMTP backend, signed webhooks.

Call these from actions inside `transaction.on_commit`, or from Huey tasks, so that nothing is
sent for a change that was rolled back.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.request
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ClinicShield-Signature"


def send_email(
    to: Sequence[str],
    subject: str | Promise,
    template: str,
    context: dict[str, Any],
    language: str = "en",
    connection: Any = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Render `<template>.txt` (and `<template>.html` when it exists) in `language` and send,
    with `attachments` as (file name, content, MIME type).

    `subject` is rendered in the same language, so pass a lazy translation.
    """
    with translation.override(language):
        body = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except Exception:  # noqa: BLE001 - a missing HTML part is fine: plain text goes out
            html = None
        message = EmailMultiAlternatives(
            subject=str(subject).strip(),
            body=body,
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
            to=list(to),
            connection=connection or get_connection(),
            headers=headers,
        )
        if html:
            message.attach_alternative(html, "text/html")
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(secret: str, header: str, body: bytes, tolerance_s: int = 300) -> bool:
    """The receiver's side of `sign`, used by our tests and documented for integrators."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp, given = parts["t"], parts["v1"]
    except (ValueError, KeyError):
        return False
    if abs(time.time() - int(timestamp)) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=")[1]
    return hmac.compare_digest(expected, given)


def send_webhook(org: Any, event: str, payload: dict[str, Any], timeout_s: float = 5) -> bool:
    """POST {"event", "organisation", "data"} to the organisation's webhook, HMAC-SHA256 signed.

    Returns whether the receiver accepted it. Never raises: a webhook is best effort, and the
    event is in ClinicShield either way.
    """
    if not org.webhook_url:
        return False
    body = json.dumps(
        {"event": event, "organisation": org.slug, "data": payload}, default=str
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the owner's configured webhook
        org.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ClinicShield-Webhook/1",
            SIGNATURE_HEADER: sign(org.webhook_secret, str(int(time.time())), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return bool(200 <= response.status < 300)
    except OSError as error:
        log.warning("webhook %s to %s failed: %s", event, org.webhook_url, error)
        return False
