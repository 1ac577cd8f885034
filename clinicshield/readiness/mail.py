"""The readiness app's emails: an incident was opened, an incident task is due, it is time
for a drill.

Built here and sent with clinicshield.lib.notify. The incident email runs after the
transaction commits (actions.incidents.notify_incident_opened, from a Huey task); the task and
drill reminders from the due jobs.
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

from .core.catalogue import shipped_catalogue
from .models import CallTreeContact, Incident, IncidentTask
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


def task_title(task: IncidentTask, language: str) -> str:
    """The task's title in `language` when it is a step of a shipped playbook; a step the
    clinic added keeps the title it was written with."""
    try:
        playbook = shipped_catalogue().playbook(task.incident.playbook_key, language)
        return playbook.step(task.step_id).title
    except KeyError:
        return task.title


def send_task_reminder(task: IncidentTask, kind: str, to: str, language: str) -> None:
    """Tell a task's owner (`to`) that it is due soon (`kind` "due_soon") or overdue
    ("overdue"), with a link to the task on the incident's page. Times in the active time
    zone: the caller sets the clinic's."""
    incident = task.incident
    with translation.override(language):  # the subject in the email's language
        title = task_title(task, language)
        words = {"task": title, "number": incident.number}
        if kind == "overdue":
            subject = _("Overdue incident task: %(task)s (incident #%(number)s)") % words
        else:
            subject = _("Incident task due soon: %(task)s (incident #%(number)s)") % words
    context = {
        "task": task,
        "title": title,
        "incident": incident,
        "kind": kind,
        "url": f"{incident_url(incident)}#task-{task.pk}",
    }
    send_email([to], subject, "readiness/email/task_reminder", context, language=language)


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
