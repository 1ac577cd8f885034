"""The emails of the simulations app, built here.

- The drill email (drill_message): what a campaign sends each recipient, its MIME bytes
  built by core.mime, its Message-ID derived from the recipient's token. It goes out in
  actions/sending.py through the campaign's own SMTP relay (its sending profile), not
  through lib.notify: a drill comes from the relay and address the campaign names, over
  a few persistent connections, and each send is wrapped in its recipient's marks so a
  crash never sends anyone twice nor skips anyone.
- The answer to a reporter (send_report_answer): thanks and the red flags when the
  reported email was one of our drills, the analyser's findings in plain words otherwise.
  Sent with clinicshield.lib.notify, like every notice of ours; actions/reports.py decides
  who is answered and records that they were.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clinicshield.lib import notify

from .core import mime
from .core.library import PreparedEmail, render_email
from .models import Campaign, Recipient, ReportedMessage
from .queries import campaign_template
from .words import explain_analysis, red_flags

# The drill email


def message_id(token: str, from_address: str) -> str:
    """The same for every send to one recipient: a resend after a crash collapses into the
    first message in the mail store (actions/sending.py)."""
    domain = from_address.rpartition("@")[2].strip(">") or "localhost"
    return f"<{hashlib.sha256(token.encode()).hexdigest()[:32]}@{domain}>"


def tracking_urls(base_url: str, token: str) -> dict[str, str]:
    return {"link": f"{base_url}/t/{token}", "pixel": f"{base_url}/t/{token}/px.gif"}


class _Prebuilt:
    """What Django's SMTP backend asks a message for: its bytes."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def as_bytes(self, linesep: str = "\r\n") -> bytes:
        return self.raw


class SimulationEmail(EmailMessage):
    """An EmailMessage whose MIME bytes were built by core.mime (see there for why)."""

    def __init__(self, raw: bytes, from_address: str, to_address: str) -> None:
        super().__init__(from_email=from_address, to=[to_address])
        self.raw = raw

    def message(self, *, policy: Any = None) -> Any:
        return _Prebuilt(self.raw)


def recipient_values(campaign: Campaign, recipient: Recipient, today: str) -> dict[str, str]:
    """What the placeholders of a template become for one recipient."""
    return {
        "first_name": recipient.name.split()[0] if recipient.name else "",
        "full_name": recipient.name,
        "clinic_name": campaign.organisation.name,
        "site_name": recipient.site_name or campaign.organisation.name,
        "link": tracking_urls(campaign.base_url, recipient.token)["link"],
        "date": today,
    }


def drill_message(
    campaign: Campaign, prepared: PreparedEmail, recipient: Recipient, today: str
) -> SimulationEmail:
    """One recipient's drill email, from the campaign's relay address."""
    urls = tracking_urls(campaign.base_url, recipient.token)
    values = recipient_values(campaign, recipient, today)
    rendered = render_email(prepared, recipient.language, values, pixel_url=urls["pixel"])
    profile = campaign.sending_profile
    raw = mime.build_message(
        from_name=rendered.from_name,
        from_address=profile.from_address,
        to_address=recipient.email,
        subject=rendered.subject,
        message_id=message_id(recipient.token, profile.from_address),
        text=rendered.text,
        html=rendered.html,
    )
    return SimulationEmail(raw, profile.from_address, recipient.email)


# The answer to a reporter


def send_report_answer(item: ReportedMessage) -> None:
    """Email the reporter, in their language, what we found. Raises OSError (or
    ConnectionError) when the mail server could not be reached or refused it."""
    language = item.reporter.language if item.reporter else "en"
    context: dict[str, object] = {"item": item, "subject": item.subject}
    if item.recipient is not None:
        template = campaign_template(item.recipient.campaign)
        context["red_flags"] = red_flags(template, language)
        name, subject = "simulations/email/report_simulation", _("Well spotted: it was a drill")
    else:
        with translation.override(language):
            context["explained"] = explain_analysis(item.analysis)
        name, subject = "simulations/email/report_analysis", _("About the email you reported")
    notify.send_email([item.reporter_email], subject, name, context, language=language)
