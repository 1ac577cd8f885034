"""Many new alerts at once (a first pass over years of old logs) make one email, not one
each; a few still go one by one, and each alert still reaches the webhook."""

from datetime import timedelta
from email.header import decode_header, make_header

from clinicshield.accounts.models import Membership, Person
from clinicshield.lib.due import run_due
from clinicshield.monitoring.actions.alerts import do_raise_alerts
from clinicshield.monitoring.digest_mail import DIGEST_FROM, LISTED
from clinicshield.monitoring.models import Alert

from ...conftest import body_text, free_port
from .conftest import at

SEVERITIES = ["low", "critical", "medium", "high"]


def sightings(count: int, start: str = "2019-03-04 03:10") -> list[dict]:
    """``count`` night sign-ins of different people, a day apart, severities mixed."""
    first = at(start)
    return [
        {
            "kind": "off_hours",
            "severity": SEVERITIES[n % len(SEVERITIES)],
            "key": f"off_hours:user{n}",
            "explanation": f"user{n} signed in at 03:10",
            "ts": first + timedelta(days=n),
            "user": f"user{n}",
        }
        for n in range(count)
    ]


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_a_pass_that_raises_many_alerts_sends_one_email_listing_the_most_severe_first(
    org_a, alice, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        raised = do_raise_alerts(org_a, sightings(30))
    assert len({alert.pk for alert in raised}) == 30
    [message] = smtp_server.messages
    assert message["To"] == alice.email
    assert subject(message).startswith("[ClinicShield] 30 new alerts, highest severity Critical")
    # Alice is not on the staff roster: the email speaks both languages, English first.
    text = body_text(message).split("-" * 40)[0]
    assert "30 new alerts for Clínica A" in text
    assert "Critical: 8 · High: 7 · Medium: 7 · Low: 8" in text
    listed = [line for line in text.splitlines() if line.startswith("- [")]
    assert len(listed) == LISTED
    severities = [line.split("]")[0][3:] for line in listed]
    assert severities == ["Critical"] * 8 + ["High"] * 7 + ["Medium"] * 5
    assert "… and 10 more." in text
    assert "/o/clinic-a/monitoring/alerts/" in text
    # Every alert the email stands for is told of: none waits for a later email.
    assert not Alert.objects.filter(email_pending=True).exists()


def test_a_few_new_alerts_still_go_one_by_one(
    org_a, alice, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        do_raise_alerts(org_a, sightings(DIGEST_FROM - 1))
    assert len(smtp_server.messages) == DIGEST_FROM - 1
    assert all("new alerts" not in subject(m) for m in smtp_server.messages)


def test_alerts_that_only_grow_are_not_news(
    org_a, alice, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        do_raise_alerts(org_a, sightings(DIGEST_FROM))
    assert len(smtp_server.messages) == 1
    later = sightings(DIGEST_FROM, start="2019-05-04 03:10")  # the same keys, later
    with django_capture_on_commit_callbacks(execute=True):
        do_raise_alerts(org_a, later)
    assert len(smtp_server.messages) == 1
    assert Alert.objects.filter(organisation=org_a).count() == DIGEST_FROM


def test_the_digest_speaks_each_recipients_language(
    org_a, alice, bob, smtp_server, django_capture_on_commit_callbacks
):
    Membership.objects.filter(organisation=org_a, user=bob).update(role="it")
    Person.objects.create(
        organisation=org_a, name="Bob", email=bob.email, department="admin", language="es"
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_raise_alerts(org_a, sightings(5))
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    assert set(by_recipient) == {alice.email, bob.email}
    spanish = body_text(by_recipient[bob.email])
    assert "5 alertas nuevas para Clínica A" in spanish and "new alerts" not in spanish
    assert (
        subject(by_recipient[bob.email])
        == "[ClinicShield] 5 alertas nuevas, gravedad máxima Crítica"
    )
    both = body_text(by_recipient[alice.email])
    assert "5 new alerts for Clínica A" in both and "5 alertas nuevas para Clínica A" in both


def test_a_digest_that_could_not_be_sent_goes_as_one_digest_when_mail_is_back(
    org_a, alice, smtp_server, settings, django_capture_on_commit_callbacks
):
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
    with django_capture_on_commit_callbacks(execute=True):
        do_raise_alerts(org_a, sightings(12))
    assert smtp_server.messages == []
    assert Alert.objects.filter(email_pending=True).count() == 12
    summary = run_due(at("2026-11-26 12:00"), only=["monitoring.alert_emails"])
    assert summary == {"monitoring.alert_emails": "0 sent, 12 still failing"}
    settings.EMAIL_PORT = up
    summary = run_due(at("2026-11-26 12:05"), only=["monitoring.alert_emails"])
    assert summary == {"monitoring.alert_emails": "12 sent, 0 still failing"}
    [message] = smtp_server.messages
    assert "12 new alerts for Clínica A" in body_text(message)
    assert not Alert.objects.filter(email_pending=True).exists()


def test_each_alert_of_a_digest_still_reaches_the_webhook(
    org_a, smtp_server, django_capture_on_commit_callbacks
):
    org_a.webhook_url = f"http://127.0.0.1:{free_port()}/hook"  # down: each call fails
    org_a.save(update_fields=["webhook_url"])
    with django_capture_on_commit_callbacks(execute=True):
        do_raise_alerts(org_a, sightings(6))
    # No owner or IT to email; each alert's call was tried, failed and waits for a retry.
    assert smtp_server.messages == []
    assert Alert.objects.filter(organisation=org_a, webhook_pending=True).count() == 6
