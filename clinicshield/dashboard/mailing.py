"""The monthly report by email: to every owner, in the first days of the month, once."""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from clinicshield.accounts.models import Membership, Organisation, Person

from .actions import local_day
from .core.history import previous_month
from .models import MonthlyReport
from .reports import monthly_report_pdf

log = logging.getLogger(__name__)

# Sent on the 1st; the following days catch up when the worker was down on the 1st.
CATCH_UP_DAYS = 7


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


def report_due(org: Organisation, now: datetime) -> str | None:
    """The month ('YYYY-MM') whose report is due at `now`, if any and not sent yet."""
    today = local_day(org, now)
    if today.day > CATCH_UP_DAYS or local_day(org, org.created_at) >= today.replace(day=1):
        return None
    year, number = previous_month(today)
    month = f"{year:04d}-{number:02d}"
    if MonthlyReport.objects.filter(organisation=org, month=month).exists():
        return None
    return month


def send_report(org: Organisation, month: str, now: datetime) -> list[str]:
    year, number = (int(part) for part in month.split("-"))
    recipients = owners(org)
    for email, language in recipients:
        pdf = monthly_report_pdf(org, year, number, now, language)
        with translation.override(language):
            subject = _("%(org)s: security report for %(month)s") % {
                "org": org.name,
                "month": month,
            }
            body = render_to_string(
                "dashboard/email/monthly_report.txt", {"org": org, "month": date(year, number, 1)}
            )
        message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        message.attach(f"{org.slug}-report-{month}.pdf", pdf, "application/pdf")
        message.send()
    return [email for email, _lang in recipients]


def do_send_monthly_reports(now: datetime) -> list[str]:
    """Email last month's report to the owners of every organisation that has not had it.

    The email goes first and the record after: a crash in between sends the report twice at
    worst, which is better than never. Returns the slugs of the organisations served.
    """
    served = []
    for org in Organisation.objects.all().iterator():
        month = report_due(org, now)
        if month is None:
            continue
        sent_to = send_report(org, month, now)
        try:
            with transaction.atomic():
                MonthlyReport.objects.create(
                    organisation=org, month=month, sent_at=now, recipients=sent_to
                )
        except IntegrityError:  # another worker sent it at the same time
            log.warning("monthly report %s for %s recorded twice", month, org.slug)
        served.append(org.slug)
    return served
