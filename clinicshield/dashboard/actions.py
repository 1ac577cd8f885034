"""Writes of the dashboard app: the daily score snapshots, and the record of each monthly
report sent."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from clinicshield.accounts.models import Organisation

from .core.document import score_document
from .core.history import previous_month
from .mail import send_monthly_report
from .models import MonthlyReport, ScoreSnapshot
from .queries import compute_scores, local_day

log = logging.getLogger(__name__)

# Sent on the 1st; the following days catch up when the worker was down on the 1st.
CATCH_UP_DAYS = 7


def do_record_scores(org: Organisation, now: datetime) -> ScoreSnapshot:
    """Measure and keep today's score of the organisation and of each site (replacing an
    earlier measurement of the same day: the last one of a day is the day's score)."""
    scores = compute_scores(org, now)
    day = local_day(org, now)
    with transaction.atomic():
        ScoreSnapshot.objects.filter(organisation=org, day=day).delete()
        snapshot = ScoreSnapshot.objects.create(
            organisation=org,
            day=day,
            total=scores.org.total,
            points={c.key: c.points for c in scores.org.components},
            document=score_document(scores.org),
            measured_at=now,
        )
        ScoreSnapshot.objects.bulk_create(
            [
                ScoreSnapshot(
                    organisation=org,
                    site_id=site_id,
                    day=day,
                    total=score.total,
                    points={c.key: c.points for c in score.components},
                    measured_at=now,
                )
                for site_id, score in scores.sites
            ],
            batch_size=500,
        )
    return snapshot


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
        sent_to = send_monthly_report(org, month, now)
        try:
            with transaction.atomic():
                MonthlyReport.objects.create(
                    organisation=org, month=month, sent_at=now, recipients=sent_to
                )
        except IntegrityError:  # another worker sent it at the same time
            log.warning("monthly report %s for %s recorded twice", month, org.slug)
        served.append(org.slug)
    return served
