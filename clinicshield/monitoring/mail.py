"""The monitoring app's email: a new alert, to the organisation's owners and IT.

Built here and sent with clinicshield.lib.notify. actions/notices.py decides when: after
the transaction that raised the alert commits, and again from the due job
monitoring.alert_emails while a send fails.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Organisation, Person
from clinicshield.lib import notify

from .models import Alert
from .words import kind_label, render


def alert_url(alert: Alert) -> str:
    """The alert's page, absolute (SITE_URL), for emails and webhooks."""
    path = reverse("monitoring:alert", args=[alert.organisation.slug, alert.pk])
    return settings.SITE_URL + path


def email_languages() -> list[str]:
    """Every language the product speaks, English first: what an alert email carries for a
    recipient whose language is not known (owners and IT who are not on the staff roster)."""
    return [code for code, _name in settings.LANGUAGES]


def send_new_alert(alert: Alert, to: list[str], url: str, names: dict[str, str]) -> None:
    """The alert by email, times on the clinic's clock: to each recipient in the language of
    their staff record, and to those without one in every language (``email_languages``).
    A mail server that cannot be reached raises OSError."""
    for language, group in recipient_languages(alert.organisation, to).items():
        languages = [language] if language else email_languages()
        _send_in(alert, group, url, names, languages)


def recipient_languages(org: Organisation, to: list[str]) -> dict[str, list[str]]:
    """{language: recipients}; "" for recipients who are not on the staff roster."""
    known = {
        email.lower(): language
        for email, language in Person.objects.filter(organisation=org, email__in=to).values_list(
            "email", "language"
        )
    }
    groups: dict[str, list[str]] = {}
    for email in to:
        language = known.get(email.lower(), "")
        groups.setdefault(language if language in email_languages() else "", []).append(email)
    return groups


def _send_in(
    alert: Alert, to: list[str], url: str, names: dict[str, str], languages: list[str]
) -> None:
    """One email in ``languages``; the subject in the first only (a header in two languages
    is too long to read in a mail list, and the body that follows it carries both)."""
    org = alert.organisation
    parts = []
    for language in languages:
        with translation.override(language):
            parts.append(
                {
                    "language": language,
                    "title": kind_label(alert.kind),
                    "explanation": render(alert.code, alert.params, names),
                }
            )
    with translation.override(languages[0]):
        subject = _("[ClinicShield] %(severity)s alert: %(title)s") % {
            "severity": alert.get_severity_display(),
            "title": kind_label(alert.kind),
        }
    zone = org.timezone or "UTC"
    with timezone.override(ZoneInfo(zone)):
        notify.send_email(
            to,
            subject,
            "monitoring/email/new_alert",
            {"alert": alert, "org": org, "parts": parts, "url": url, "zone": zone},
            language=languages[0],
        )
