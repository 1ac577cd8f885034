import re
from email.header import decode_header, make_header
from typing import Any

from django.test import Client
from django.utils import timezone

from clinicshield.simulations import actions, tasks
from clinicshield.simulations.models import Recipient, TrackingEvent
from tests.conftest import body_text

from .conftest import make_campaign

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def send(campaign: Any) -> None:
    actions.do_launch_campaign(campaign, timezone.now(), immediately=True, actor="test")
    summary = actions.do_send_due(campaign.pk, timezone.now())
    assert summary.sent == campaign.recipients.count(), summary


def fold() -> None:
    """What the worker does when the hits ask for it: the real Huey task, run here."""
    tasks.fold_hits_task.call_local()


def link_in(message: Any) -> str:
    # A token may end in "-", after which \b finds no word boundary: the token ends where
    # no token character follows.
    token = r"/t/[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])"
    match = re.search(rf"http://testserver({token})", body_text(message))
    assert match, body_text(message)
    return match.group(1)


def test_it_sends_personalised_emails_in_each_persons_language(org_a, staff, smtp_server):
    campaign = make_campaign(org_a, smtp_server)
    send(campaign)
    ana = smtp_server.to("ana@clinic-a.example")[0]
    ben = smtp_server.to("ben@clinic-a.example")[0]
    assert "Hola, Ana:" in body_text(ana)
    assert str(make_header(decode_header(ana["Subject"]))).startswith("ACCIÓN NECESARIA")
    assert "Hello Ben," in body_text(ben)
    assert link_in(ana) != link_in(ben)
    assert Recipient.objects.filter(campaign=campaign, status="sent").count() == 3


def test_a_scanner_click_is_stored_but_does_not_move_the_status(
    org_a, staff, smtp_server, settings_fast_humans
):
    campaign = make_campaign(org_a, smtp_server)
    send(campaign)
    path = link_in(smtp_server.to("ana@clinic-a.example")[0])
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Proofpoint URL Defense)")
    assert client.get(path).status_code == 200
    assert client.head(path).status_code == 200
    fold()
    recipient = Recipient.objects.get(email="ana@clinic-a.example")
    assert recipient.status == "sent"
    events = TrackingEvent.objects.filter(recipient=recipient)
    assert [e.verified for e in events] == [False, False]
    assert "scanner_user_agent" in events[0].reasons


def test_a_person_clicking_and_submitting_moves_forward_and_nothing_typed_is_kept(
    org_a, staff, smtp_server, settings_fast_humans
):
    campaign = make_campaign(org_a, smtp_server)
    send(campaign)
    path = link_in(smtp_server.to("ben@clinic-a.example")[0])
    client = Client(HTTP_USER_AGENT=BROWSER)
    page = client.get(path).content.decode()
    # The look-alike form's boxes carry no name, so a browser sends nothing of them; the
    # password box is a masked text box (test_clickfix_browser.py checks why, in Chromium).
    inputs = re.findall(r"<input[^>]*>", page)
    assert len(inputs) == 2 and 'class="masked"' in inputs[1]
    assert not any("name=" in box for box in inputs)
    assert client.post(f"{path}/h?h=1").status_code == 204
    response = client.post(f"{path}/submit?h=1", {"password": "hunter2-secret", "email": "x@y"})
    assert response.status_code == 204
    assert Recipient.objects.get(email="ben@clinic-a.example").status == "sent"  # not folded
    fold()
    recipient = Recipient.objects.get(email="ben@clinic-a.example")
    assert recipient.status == "submitted"
    assert recipient.clicked_at and recipient.submitted_at
    stored = " ".join(f"{e.reasons} {e.user_agent}" for e in recipient.events.all())
    assert "hunter2" not in stored
    lesson = client.get(f"{path}/lesson").content.decode()
    assert "This was a phishing drill" in lesson and "{{" not in lesson
    # A late pixel load never moves a submitted recipient back.
    client.get(f"{path}/px.gif")
    fold()
    recipient.refresh_from_db()
    assert recipient.status == "submitted" and recipient.opened_at is not None


def test_it_answers_unknown_tokens_with_a_plain_404(org_a):
    client = Client()
    assert client.get("/t/" + "A" * 32).status_code == 404
    assert client.get("/s/not-a-token").status_code == 404
