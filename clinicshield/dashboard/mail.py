"""The dashboard's email: the monthly report (PDF attached) to every owner, in their language.

Built here and sent with clinicshield.lib.notify; actions.do_send_monthly_reports (a due job)
decides which organisations are due and records what went.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Membership, Organisation, Person
from clinicshield.lib.notify import send_email

from .pdf import monthly_report_pdf


def owners(org: Organisation) -> list[tuple[str, str]]:
    """(email, language) of each owner; the language of their staff record, when they have one."""
    emails = sorted(
        Membership.objects.filter(organisation=org, role="owner").values_list(
            "user__email", flat=True
        )
    )
    languages = dict(
        Person.objects.filter(organisation=org, email__in=emails).values_list("email", "language")
    )
    return [(email, languages.get(email, settings.LANGUAGE_CODE)) for email in emails if email]


def send_monthly_report(org: Organisation, month: str, now: datetime) -> list[str]:
    """The report of `month` ('YYYY-MM') to each owner; returns the addresses."""
    year, number = (int(part) for part in month.split("-"))
    recipients = owners(org)
    for email, language in recipients:
        pdf = monthly_report_pdf(org, year, number, now, language)
        with translation.override(language):
            subject = _("%(org)s: security report for %(month)s") % {
                "org": org.name,
                "month": month,
            }
        send_email(
            [email],
            subject,
            "dashboard/email/monthly_report",
            {"org": org, "month": date(year, number, 1)},
            language=language,
            attachments=[(f"{org.slug}-report-{month}.pdf", pdf, "application/pdf")],
        )
    return [email for email, _lang in recipients]
