"""Telling people an incident was opened: email to the owner, IT and chosen contacts; webhook.

Runs after the transaction commits. A mail server that is down must not lose the incident:
failures are logged and written on the incident's timeline, where IT will see them.
"""

import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Membership
from clinicshield.lib.notify import send_email, send_webhook

from ..models import CallTreeContact, Incident, TimelineEntry

log = logging.getLogger(__name__)


def incident_url(incident: Incident) -> str:
    path = reverse("readiness:incident", args=[incident.organisation.slug, incident.number])
    return settings.SITE_URL + path


def recipients(incident: Incident) -> list[str]:
    """Owners and IT members of the organisation, and call-tree contacts who asked for it."""
    org = incident.organisation
    members = Membership.objects.filter(organisation=org, role__in=["owner", "it"])
    emails = [m.user.email for m in members.select_related("user") if m.user.email]
    emails += (
        CallTreeContact.objects.filter(organisation=org, notify_on_report=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(emails))


def incident_payload(incident: Incident) -> dict[str, Any]:
    return {
        "number": incident.number,
        "title": incident.title,
        "source": incident.source,
        "source_ref": incident.source_ref,
        "playbook": incident.playbook_key,
        "opened_at": incident.opened_at.isoformat(),
        "reporter": incident.reporter_name,
        "url": incident_url(incident),
    }


def _record(incident: Incident, text: str) -> None:
    TimelineEntry.objects.create(
        incident=incident, at=timezone.now(), kind="notify", text=text, actor="system"
    )


def notify_incident_opened(incident_id: int, details: str = "") -> None:
    incident = Incident.objects.select_related("organisation").get(pk=incident_id)
    to = recipients(incident)
    context = {"incident": incident, "details": details, "url": incident_url(incident)}
    with timezone.override(ZoneInfo(incident.organisation.timezone)):  # the clinic's clock
        sent = _send_emails(incident, to, context)
    if to:
        _record(incident, f"email sent to {sent} of {len(to)}: {', '.join(to)}")
    if incident.organisation.webhook_url:
        accepted = send_webhook(
            incident.organisation, "incident.opened", incident_payload(incident)
        )
        _record(incident, f"webhook {'accepted' if accepted else 'failed'}")


def _send_emails(incident: Incident, to: list[str], context: dict[str, Any]) -> int:
    """One email per recipient, so nobody sees the others' addresses; returns how many went."""
    sent = 0
    with translation.override(incident.language):  # the subject in the email's language
        subject = _("Incident #%(number)s: %(title)s") % {
            "number": incident.number,
            "title": incident.title,
        }
    for address in to:
        try:
            send_email(
                [address],
                subject,
                "readiness/email/incident_opened",
                context,
                language=incident.language,
            )
            sent += 1
        except Exception as error:  # noqa: BLE001 - any mail failure is recorded, never raised
            log.warning("incident email to %s failed: %s", address, error)
            _record(incident, f"email to {address} failed: {error}")
    return sent
