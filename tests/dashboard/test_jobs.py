"""The daily score and the monthly report email, driven by `run-due --now`."""

import io
from datetime import date, datetime
from email.header import decode_header, make_header
from typing import Any

from django.core.management import call_command

from clinicshield.dashboard.models import MonthlyReport, ScoreSnapshot
from clinicshield.dashboard.pdf.evidence import reports_csv
from clinicshield.lib.due import run_due
from tests.conftest import body_text, created_on
from tests.dashboard.builders import seed_known


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# A clinic that existed all of November: its November report is due on 1 December.
BEFORE_NOVEMBER = at("2026-10-15T09:00:00+00:00")


def test_the_daily_job_keeps_one_score_a_day_per_org_and_site(org_a: Any) -> None:
    seed_known(org_a)
    run_due(at("2026-11-20T06:15:00+00:00"), only=["dashboard.daily_score"])
    run_due(at("2026-11-20T12:15:00+00:00"), only=["dashboard.daily_score"])
    rows = ScoreSnapshot.objects.filter(organisation=org_a)
    assert rows.count() == 3  # the organisation and its two sites, once
    org_row = rows.get(site__isnull=True)
    assert org_row.day == date(2026, 11, 20)
    assert org_row.total == 56
    assert org_row.document["components"][0]["key"] == "training"
    # Madrid's day starts at 23:00 UTC in winter
    run_due(at("2026-11-20T23:30:00+00:00"), only=["dashboard.daily_score"])
    assert set(rows.filter(site__isnull=True).values_list("day", flat=True)) == {
        date(2026, 11, 20), date(2026, 11, 21),
    }  # fmt: skip


def test_the_owner_gets_the_monthly_report_on_the_first_once(
    org_a: Any, alice: Any, bob: Any, smtp_server: Any
) -> None:
    created_on(org_a, BEFORE_NOVEMBER)
    seed_known(org_a)
    run_due(at("2026-11-30T20:00:00+00:00"), only=["dashboard.daily_score"])
    out = io.StringIO()
    call_command(
        "run-due", "--now", "2026-12-01T07:00", "--only", "dashboard.monthly_report", stdout=out
    )
    assert "1 monthly report(s) sent: clinic-a" in out.getvalue()
    received = smtp_server.to("alice@a.example")
    assert len(received) == 1
    assert smtp_server.to("bob@a.example") == []  # a viewer, not an owner
    message = received[0]
    assert "2026-11" in message["Subject"]
    assert "insurer" in body_text(message)
    attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert attachments and attachments[0].get_payload(decode=True).startswith(b"%PDF")
    assert MonthlyReport.objects.get(organisation=org_a).month == "2026-11"
    assert "2026-11,2026-12-01T07:00:00+00:00,alice@a.example" in reports_csv(org_a)
    run_due(at("2026-12-01T08:00:00+00:00"), only=["dashboard.monthly_report"])
    run_due(at("2026-12-02T07:00:00+00:00"), only=["dashboard.monthly_report"])
    assert len(smtp_server.to("alice@a.example")) == 1


def test_nothing_is_sent_mid_month(org_a: Any, alice: Any, smtp_server: Any) -> None:
    run_due(at("2026-12-15T07:00:00+00:00"), only=["dashboard.monthly_report"])
    assert smtp_server.messages == []


def test_a_clinic_created_during_december_gets_no_november_report(
    org_a: Any, alice: Any, smtp_server: Any
) -> None:
    created_on(org_a, at("2026-11-30T23:30:00+00:00"))  # 1 December, 00:30 in Madrid
    seed_known(org_a)
    run_due(at("2026-12-01T07:00:00+00:00"), only=["dashboard.monthly_report"])
    assert smtp_server.messages == []
    assert not MonthlyReport.objects.filter(organisation=org_a).exists()


def test_an_owner_whose_staff_record_says_spanish_gets_the_email_in_spanish(
    org_a: Any, alice: Any, smtp_server: Any
) -> None:
    from clinicshield.accounts.models import Person

    created_on(org_a, BEFORE_NOVEMBER)
    seed_known(org_a)
    org_a.name = "Clínica Sol & Mar"
    org_a.save(update_fields=["name"])
    Person.objects.create(
        organisation=org_a, name="Alice", email="alice@a.example", department="management",
        language="es",
    )  # fmt: skip
    run_due(at("2026-12-01T07:00:00+00:00"), only=["dashboard.monthly_report"])
    message = smtp_server.to("alice@a.example")[0]
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Clínica Sol & Mar: informe de seguridad de 2026-11"
    body = body_text(message)
    assert "Le adjuntamos el informe de seguridad de Clínica Sol & Mar" in body
    assert "noviembre de 2026" in body and "&amp;" not in body
