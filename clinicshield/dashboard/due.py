"""Periodic jobs of the dashboard: keep the daily score, email the monthly report."""

from __future__ import annotations

from datetime import datetime

from clinicshield.accounts.models import Organisation
from clinicshield.lib.due import due_job

from .actions import do_record_scores, do_send_monthly_reports


@due_job("dashboard.daily_score", minute="15", hour="*/6")
def record_daily_scores(now: datetime) -> str:
    """Measure every organisation; the day's last measurement is the day's score."""
    count = 0
    for org in Organisation.objects.all().iterator():
        do_record_scores(org, now)
        count += 1
    return f"{count} organisation(s) measured"


@due_job("dashboard.monthly_report", minute="0", hour="7")
def send_monthly_reports(now: datetime) -> str:
    sent = do_send_monthly_reports(now)
    return f"{len(sent)} monthly report(s) sent" + (f": {', '.join(sent)}" if sent else "")
