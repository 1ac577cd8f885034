"""The readiness app's emails: an incident was opened, it is time for a drill.

Built here and sent with clinicshield.lib.notify. The incident email runs after the
transaction commits (actions.incidents.notify_incident_opened, from a Huey task); the drill
reminder from the due job.
"""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from clinicshield.accounts.models import Organisation
from clinicshield.accounts.queries import owner_and_it_emails
from clinicshield.lib.notify import send_email

from .models import CallTreeContact, Incident
from .queries import organisation_language

log = logging.getLogger(__name__)


def incident_url(incident: Incident) -> str:
    path = reverse("readiness:incident", args=[incident.organisation.slug, incident.number])
    return settings.SITE_URL + path


def recipients(incident: Incident) -> list[str]:
    """Owners and IT members of the organisation, and call-tree contacts who asked for it."""
    org = incident.organisation
    emails = owner_and_it_emails(org)
    emails += (
        CallTreeContact.objects.filter(organisation=org, notify_on_report=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(emails))


def send_incident_opened(
    incident: Incident, to: list[str], details: str
) -> tuple[int, list[tuple[str, Exception]]]:
    """One email per recipient, so nobody sees the others' addresses: how many went, and the
    failures (address, error). Times in the active time zone: the caller sets the clinic's."""
    context = {"incident": incident, "details": details, "url": incident_url(incident)}
    with translation.override(incident.language):  # the subject in the email's language
        subject = _("Incident #%(number)s: %(title)s") % {
            "number": incident.number,
            "title": incident.title,
        }
    sent, failed = 0, []
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
            failed.append((address, error))
    return sent, failed


def send_drill_reminder(org: Organisation, emails: list[str], due_since: datetime) -> None:
    """It is time for a tabletop drill (the last one is six months old, or there was none)."""
    url = settings.SITE_URL + reverse("readiness:drills", args=[org.slug])
    context: dict[str, Any] = {"org": org, "url": url, "due_since": due_since}
    send_email(
        emails,
        _("Time for a tabletop drill"),
        "readiness/email/drill_reminder",
        context,
        language=organisation_language(org),
    )
