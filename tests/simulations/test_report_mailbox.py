"""The report mailbox, read over IMAP from a real Dovecot on loopback."""

from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.utils import timezone

from clinicshield.simulations import actions
from clinicshield.simulations.models import Recipient, ReportedMessage, ReportMailbox
from tests.conftest import body_text
from tests.simulations.core.mails import report_forward, suspicious_email

from .conftest import make_campaign
from .dovecot import running_dovecot


@pytest.fixture
def dovecot():
    with running_dovecot() as server:
        yield server


@pytest.fixture
def mailbox(org_a, dovecot, monkeypatch):
    monkeypatch.setenv("REPORT_MAILBOX_PASSWORD", dovecot.password)
    return ReportMailbox.objects.create(
        organisation=org_a,
        host=dovecot.host,
        port=dovecot.port,
        use_ssl=False,
        username=dovecot.user,
        password_env="REPORT_MAILBOX_PASSWORD",
        address=dovecot.user,
        own_domains=["clinic-a.example"],
        supplier_domains=["medisuministros.com"],
    )


def drill_email_for(smtp_server, address):
    raw = smtp_server.to(address)[0].as_bytes()
    return message_from_bytes(raw, policy=default_policy)


def test_it_recognises_a_reported_drill_and_thanks_the_reporter_in_their_language(
    org_a, staff, smtp_server, dovecot, mailbox, django_capture_on_commit_callbacks
):
    campaign = make_campaign(org_a, smtp_server, template="supplier-invoice")
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    drill = drill_email_for(smtp_server, "ana@clinic-a.example")
    smtp_server.clear()
    dovecot.deliver(report_forward(drill, reporter="ana@clinic-a.example"))

    with django_capture_on_commit_callbacks(execute=True):
        summary = actions.do_poll_report_mailbox(mailbox, timezone.now())

    assert (summary.fetched, summary.simulations, summary.triage) == (1, 1, 0)
    ana = Recipient.objects.get(campaign=campaign, email="ana@clinic-a.example")
    assert ana.reported_at is not None
    assert Recipient.objects.filter(campaign=campaign, reported_at__isnull=False).count() == 1
    item = ReportedMessage.objects.get()
    assert item.verdict == "simulation" and item.recipient == ana and item.answered_at
    answer = smtp_server.to("ana@clinic-a.example")[0]
    text = body_text(answer)
    assert "Gracias" in text  # Ana reads Spanish
    assert "datos bancarios" in text  # the template's red flags, in Spanish


def test_it_analyses_other_reports_for_triage_and_answers_with_advice(
    org_a, staff, smtp_server, dovecot, mailbox, django_capture_on_commit_callbacks
):
    lure = suspicious_email(
        from_header="Medisuministros <cobros@medisuministro.com>",
        text="To verify you are human press Win + R, then Ctrl+V and Enter.",
    )
    dovecot.deliver(report_forward(lure, reporter="ben@clinic-a.example"))

    with django_capture_on_commit_callbacks(execute=True):
        summary = actions.do_poll_report_mailbox(mailbox, timezone.now())

    assert (summary.simulations, summary.triage) == (0, 1)
    item = ReportedMessage.objects.get()
    assert item.verdict == "dangerous" and item.triage_state == "open"
    assert item.from_address == "cobros@medisuministro.com"
    codes = {f["code"] for f in item.analysis["findings"]}
    assert {"lookalike_domain", "clickfix_instructions"} <= codes
    text = body_text(smtp_server.to("ben@clinic-a.example")[0])
    assert "dangerous" in text and "medisuministros.com" in text
    assert "Never paste anything" in text


def test_it_never_processes_a_message_twice(
    org_a, staff, smtp_server, dovecot, mailbox, django_capture_on_commit_callbacks
):
    dovecot.deliver(report_forward(suspicious_email(), reporter="ben@clinic-a.example"))
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.do_poll_report_mailbox(mailbox, timezone.now())
        dovecot.deliver(
            report_forward(suspicious_email(subject="Otra"), reporter="ben@clinic-a.example")
        )
        second = actions.do_poll_report_mailbox(mailbox, timezone.now())
        third = actions.do_poll_report_mailbox(mailbox, timezone.now())
    assert (first.fetched, second.fetched, third.fetched) == (1, 1, 0)
    assert ReportedMessage.objects.count() == 2
    assert len(smtp_server.to("ben@clinic-a.example")) == 2


def test_an_answer_that_failed_is_retried_by_the_due_job(org_a, staff, smtp_server):
    from datetime import timedelta

    from clinicshield.simulations.due import poll_report_mailboxes

    now = timezone.now()
    item = ReportedMessage.objects.create(
        organisation=org_a,
        mailbox_uid="7:1",
        reporter_email="ben@clinic-a.example",
        reporter=staff[1],
        subject="Invoice",
        verdict="suspicious",
        analysis={"verdict": "suspicious", "findings": [], "advice": ["wait_for_it"]},
        received_at=now - timedelta(minutes=20),
    )
    assert "retried 1 answers" in poll_report_mailboxes(now)
    item.refresh_from_db()
    assert item.answered_at is not None
    assert "Leave it alone until IT" in body_text(smtp_server.to("ben@clinic-a.example")[0])
    assert "retried 0 answers" in poll_report_mailboxes(now)


def test_the_cli_sets_the_mailbox_and_polls_it(org_a, staff, smtp_server, dovecot, monkeypatch):
    import json
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setenv("REPORT_PW", dovecot.password)
    call_command(
        "campaign",
        "mailbox",
        "--org",
        "clinic-a",
        "--host",
        dovecot.host,
        "--port",
        str(dovecot.port),
        "--no-ssl",
        "--user",
        dovecot.user,
        "--password-env",
        "REPORT_PW",
        "--address",
        dovecot.user,
        "--own-domain",
        "clinic-a.example",
        stdout=StringIO(),
    )
    dovecot.deliver(report_forward(suspicious_email(), reporter="ben@clinic-a.example"))
    out = StringIO()
    call_command("campaign", "poll-reports", "--org", "clinic-a", stdout=out)
    assert json.loads(out.getvalue())["fetched"] == 1


def test_another_organisations_mailbox_never_credits_our_drill(org_a, org_b, staff, smtp_server):
    from clinicshield.simulations.core.analyser import OrgContext

    campaign = make_campaign(org_a, smtp_server, template="payslip")
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    actions.do_send_due(campaign.pk, timezone.now())
    drill = drill_email_for(smtp_server, "ana@clinic-a.example")
    raw = report_forward(drill, reporter="someone@clinic-b.example")
    item = actions.do_handle_report(
        org_b, "1:1", raw, timezone.now(), OrgContext(own_domains=["clinic-b.example"])
    )
    assert item.verdict != "simulation" and item.recipient is None
    assert not Recipient.objects.filter(reported_at__isnull=False).exists()
