"""One email for many new alerts: what a pass over months or years of old logs raises.

A clinic that connects its first log source, or loads years of archived logs, can see
hundreds of alerts come out of one detection pass; an email each would bury the owner's
inbox and teach them to ignore ClinicShield. From ``DIGEST_FROM`` new alerts of one
organisation at once, owners and IT get a single email instead: how many, of which
severity, the most severe first, and the alerts page. The webhook still gets each alert:
machines read volumes that people do not.
"""

from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from clinicshield.accounts.models import Organisation
from clinicshield.lib import notify

from .mail import email_languages, recipient_languages
from .models import SEVERITY_CHOICES, SEVERITY_RANK, Alert
from .words import kind_label, render

# A pass that raises this many new alerts for one organisation sends one email for all.
DIGEST_FROM = 4
# Alerts the email lists one by one; the page has the rest.
LISTED = 20


def alerts_url(org: Organisation) -> str:
    """The organisation's alert list, absolute (SITE_URL)."""
    return settings.SITE_URL + reverse("monitoring:alerts", args=[org.slug])


def by_severity(alerts: list[Alert]) -> list[Alert]:
    """Most severe first, then the most recent."""
    newest_first = sorted(alerts, key=lambda alert: alert.last_seen, reverse=True)
    return sorted(newest_first, key=lambda alert: -SEVERITY_RANK[alert.severity])


def send_alert_digest(
    org: Organisation, alerts: list[Alert], to: list[str], names: dict[str, str]
) -> None:
    """The alerts in one email to each language group of ``to`` (as ``send_new_alert``).
    A mail server that cannot be reached raises OSError."""
    ordered = by_severity(alerts)
    for language, group in recipient_languages(org, to).items():
        languages = [language] if language else email_languages()
        _send_in(org, ordered, group, names, languages)


def _counts(alerts: list[Alert]) -> list[tuple[str, int]]:
    """(severity as the active language says it, how many), most severe first."""
    counted = Counter(alert.severity for alert in alerts)
    display = dict(SEVERITY_CHOICES)
    ranked = sorted(counted, key=lambda severity: -SEVERITY_RANK[severity])
    return [(str(display.get(severity, severity)), counted[severity]) for severity in ranked]


def _part(org: Organisation, alerts: list[Alert], names: dict[str, str]) -> dict[str, object]:
    """What the email says in the active language."""
    listed = [
        {
            "alert": alert,
            "title": kind_label(alert.kind),
            "explanation": render(alert.code, alert.params, names),
        }
        for alert in alerts[:LISTED]
    ]
    return {
        "language": translation.get_language(),
        "heading": ngettext(
            "%(count)d new alert for %(org)s",
            "%(count)d new alerts for %(org)s",
            len(alerts),
        )
        % {"count": len(alerts), "org": org.name},
        "counts": _counts(alerts),
        "listed": listed,
        "more": len(alerts) - len(listed),
        "first": min(alert.first_seen for alert in alerts),
        "last": max(alert.last_seen for alert in alerts),
    }


def _send_in(
    org: Organisation,
    alerts: list[Alert],
    to: list[str],
    names: dict[str, str],
    languages: list[str],
) -> None:
    zone = org.timezone or "UTC"
    parts = []
    with timezone.override(ZoneInfo(zone)):
        for language in languages:
            with translation.override(language):
                parts.append(_part(org, alerts, names))
        with translation.override(languages[0]):
            subject = ngettext(
                "[ClinicShield] %(count)d new alert, severity %(severity)s",
                "[ClinicShield] %(count)d new alerts, highest severity %(severity)s",
                len(alerts),
            ) % {"count": len(alerts), "severity": alerts[0].get_severity_display()}
        notify.send_email(
            to,
            subject,
            "monitoring/email/alert_digest",
            {"org": org, "parts": parts, "url": alerts_url(org), "zone": zone},
            language=languages[0],
        )
