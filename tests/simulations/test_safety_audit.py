"""The simulations' safety promises (docs/simulations.md, DESIGN.md "Safety rules"), each
checked where it could break: who a drill reaches, who an answer reaches, what a hit keeps."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

from clinicshield.accounts.actions import do_mark_left
from clinicshield.simulations import actions
from clinicshield.simulations.core.analyser import OrgContext
from clinicshield.simulations.models import Recipient
from tests.simulations.core.mails import report_forward, suspicious_email

from .conftest import make_campaign

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_leaver_marked_after_the_campaign_was_made_gets_no_drill(org_a, staff, smtp_server):
    # Campaigns are spread over days; directory sync deactivates leavers meanwhile, and
    # docs/directory-sync.md promises they "stop getting training and simulations".
    campaign = make_campaign(org_a, smtp_server)
    ben = staff[1]
    do_mark_left(ben, "test", MONDAY)
    actions.do_launch_campaign(campaign, MONDAY, immediately=True, actor="test")
    summary = actions.do_send_due(campaign.pk, MONDAY + timedelta(minutes=1))

    assert smtp_server.to("ben@clinic-a.example") == []
    assert {m["To"] for m in smtp_server.messages} == {
        "<ana@clinic-a.example>",
        "<carla@clinic-a.example>",
    }
    assert summary.sent == 2
    left = Recipient.objects.get(campaign=campaign, email="ben@clinic-a.example")
    assert left.send_state == "failed" and left.sent_at is None and left.send_error
    campaign.refresh_from_db()
    assert campaign.state == "finished"  # nobody is left waiting for a send


def test_a_person_deleted_after_the_campaign_was_made_gets_no_drill(org_a, staff, smtp_server):
    campaign = make_campaign(org_a, smtp_server)
    staff[2].delete()
    actions.do_launch_campaign(campaign, MONDAY, immediately=True, actor="test")
    actions.do_send_due(campaign.pk, MONDAY + timedelta(minutes=1))
    assert smtp_server.to("carla@clinic-a.example") == []
    assert len(smtp_server.messages) == 2


def test_only_the_organisations_staff_get_an_answer_from_the_report_mailbox(
    org_a, staff, smtp_server, django_capture_on_commit_callbacks
):
    # Anyone can write to the report address, and a From header is anyone's to forge: an
    # answer to outsiders would send our mail (and a drill's red flags) to strangers.
    context = OrgContext(own_domains=["clinic-a.example"])
    campaign = make_campaign(org_a, smtp_server, template="payslip")
    actions.do_launch_campaign(campaign, MONDAY, immediately=True, actor="test")
    actions.do_send_due(campaign.pk, MONDAY + timedelta(minutes=1))
    drill = message_from_bytes(
        smtp_server.to("ana@clinic-a.example")[0].as_bytes(), policy=default_policy
    )
    smtp_server.clear()
    now = MONDAY
    with django_capture_on_commit_callbacks(execute=True):
        outsider = actions.do_handle_report(
            org_a,
            "1:1",
            report_forward(suspicious_email(), reporter="x@elsewhere.example"),
            now,
            context,
        )
        forwarded_drill = actions.do_handle_report(
            org_a, "1:2", report_forward(drill, reporter="friend@elsewhere.example"), now, context
        )
        do_mark_left(staff[1], "test", now)
        leaver = actions.do_handle_report(
            org_a,
            "1:3",
            report_forward(suspicious_email(), reporter="ben@clinic-a.example"),
            now,
            context,
        )
        colleague = actions.do_handle_report(
            org_a,
            "1:4",
            report_forward(suspicious_email(), reporter="carla@clinic-a.example"),
            now,
            context,
        )

    assert [m["To"] for m in smtp_server.messages] == ["carla@clinic-a.example"]
    assert forwarded_drill.verdict == "simulation"  # still counted as a report...
    for item in (outsider, forwarded_drill, leaver):
        item.refresh_from_db()
        assert item.answered_at is None  # ...but nobody outside the staff is written to
    colleague.refresh_from_db()
    assert colleague.answered_at is not None


def test_the_due_job_does_not_retry_answers_to_strangers(org_a, staff, smtp_server):
    from clinicshield.simulations.due import poll_report_mailboxes
    from clinicshield.simulations.models import ReportedMessage

    now = MONDAY
    for uid, email in (("7:1", "x@elsewhere.example"), ("7:2", "ben@clinic-a.example")):
        ReportedMessage.objects.create(
            organisation=org_a,
            mailbox_uid=uid,
            reporter_email=email,
            reporter=staff[1] if email.startswith("ben") else None,
            subject="Invoice",
            verdict="suspicious",
            analysis={"verdict": "suspicious", "findings": [], "advice": ["wait_for_it"]},
            received_at=now - timedelta(minutes=20),
        )
    assert "retried 1 answers" in poll_report_mailboxes(now)
    assert [m["To"] for m in smtp_server.messages] == ["ben@clinic-a.example"]
