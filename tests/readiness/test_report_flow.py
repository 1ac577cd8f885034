"""End to end: a member of staff reports "I clicked something"; IT and the owner hear of it."""

import re
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.test import Client

from clinicshield.accounts.actions import do_create_magic_link
from clinicshield.lib.notify import SIGNATURE_HEADER, verify_signature
from clinicshield.readiness import actions
from clinicshield.readiness.actions.staff_reports import PUBLIC_REPORTS_PER_HOUR
from clinicshield.readiness.models import Incident
from tests.conftest import SmtpSink, body_text

from .helpers import it_member, person, webhook_receiver

ANSWERS = {
    "kind": "clicked",
    "when": "now",
    "disconnected": "yes",
    "where": "Recepción, puesto 2",
    "what": "Una página me pidió pulsar Windows+R y pegar algo para verificar que soy humana.",
}


def portal_client(org: Any) -> tuple[Client, Any]:
    reporter = person(org)
    url = do_create_magic_link("portal", person=reporter)
    client = Client()
    assert client.post(re.sub(r"^https?://[^/]+", "", url)).status_code == 302
    return client, reporter


def test_a_portal_report_opens_an_incident_and_emails_it_and_the_owner(
    org_a: Any, alice: Any, smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    it_member(org_a)
    actions.do_add_contact(
        org_a, "test", kind="dpo", name="DPD", email="dpd@a.example", notify_on_report=True
    )
    actions.do_add_contact(org_a, "test", kind="insurer", name="Insurer", email="ins@a.example")
    client, reporter = portal_client(org_a)
    page = client.get("/portal/readiness/")
    assert page.status_code == 200 and 'id="report-form"' in page.content.decode()
    assert "Nadie tiene problemas por avisar" in page.content.decode()  # Laura reads Spanish
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/readiness/", ANSWERS)
    assert response.status_code == 200
    incident = Incident.objects.get(organisation=org_a)
    assert f"n.º {incident.number} se recibió" in response.content.decode()
    assert incident.reporter == reporter and incident.playbook_key == "clickfix"
    assert incident.source == "staff_report" and incident.opened_at is not None
    assert incident.tasks.first().step_id == "disconnect"
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == ["alice@a.example", "dpd@a.example", "msp@it.example"]
    mail = smtp_server.to("alice@a.example")[0]
    text = body_text(mail)
    assert "Laura Gómez" in text and "puesto 2" in text
    assert "Se ha abierto un incidente nuevo" in text  # the clinic's staff write Spanish
    assert re.search(r"\b(CET|CEST)\b", text)  # times in the clinic's zone, not the server's
    assert f"/o/clinic-a/readiness/incidents/{incident.number}/" in text
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject.startswith(f"Incidente n.º {incident.number}: He pulsado un enlace")
    timeline = [e.text for e in incident.timeline.all()]
    assert any("Email sent to 3 of 3" in t for t in timeline)


def test_the_owner_sees_the_reported_incident_but_another_organisation_does_not(
    org_a: Any,
    client_alice: Client,
    client_charlie: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client, _reporter = portal_client(org_a)
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/portal/readiness/", ANSWERS)
    number = Incident.objects.get(organisation=org_a).number
    page = client_alice.get(f"/o/clinic-a/readiness/incidents/{number}/")
    assert page.status_code == 200 and "Laura Gómez" in page.content.decode()
    assert client_charlie.get(f"/o/clinic-a/readiness/incidents/{number}/").status_code == 404


def test_a_signed_webhook_announces_the_incident(
    org_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with webhook_receiver() as hook:
        org_a.webhook_url = hook.url
        org_a.save(update_fields=["webhook_url"])
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_open_incident(
                org_a,
                title="EDR alert on PC-07",
                source="monitoring",
                source_ref="alert:77",
                playbook_key="clickfix",
            )
    [(headers, body)] = hook.received
    assert verify_signature(org_a.webhook_secret, headers[SIGNATURE_HEADER], body)
    assert not verify_signature("another secret", headers[SIGNATURE_HEADER], body)
    [payload] = hook.bodies()
    assert payload["event"] == "incident.opened" and payload["data"]["source_ref"] == "alert:77"


def test_the_posters_qr_page_takes_reports_without_an_account(
    org_a: Any, alice: Any, smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    token = actions.profile_for(org_a).report_token
    client = Client()
    assert client.get(f"/report/{token}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/report/{token}/",
            {**ANSWERS, "kind": "lost_device", "reporter_name": "Pedro (laboratorio)"},
        )
    assert response.status_code == 200
    incident = Incident.objects.get(organisation=org_a)
    assert incident.reporter is None and incident.reporter_name == "Pedro (laboratorio)"
    assert incident.playbook_key == "lost-device"
    assert incident.aware_at == incident.opened_at  # a lost device starts the 72-hour clock
    assert smtp_server.to("alice@a.example")


def test_a_wrong_or_rotated_report_token_finds_nothing(org_a: Any) -> None:
    old = actions.profile_for(org_a).report_token
    assert Client().get("/report/not-the-token/").status_code == 404
    actions.do_rotate_report_token(org_a, "test")
    assert Client().get(f"/report/{old}/").status_code == 404


def test_the_poster_page_stops_a_flood_of_reports(org_a: Any) -> None:
    for _ in range(PUBLIC_REPORTS_PER_HOUR):
        actions.do_report_problem(
            org_a, kind="other", what="x", when="now", disconnected="na", via="poster"
        )
    token = actions.profile_for(org_a).report_token
    response = Client().post(f"/report/{token}/", ANSWERS)
    assert "Too many reports" in response.content.decode() or "Demasiados" in (
        response.content.decode()
    )
    assert Incident.objects.filter(organisation=org_a).count() == PUBLIC_REPORTS_PER_HOUR


def test_a_report_with_a_missing_answer_is_shown_again_and_opens_nothing(org_a: Any) -> None:
    client, _reporter = portal_client(org_a)
    response = client.post("/portal/readiness/", {**ANSWERS, "when": ""})
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not Incident.objects.exists()


@pytest.mark.parametrize("kind", ["clicked", "ransom", "sign_in", "data", "payment", "other"])
def test_every_report_kind_opens_an_incident_with_its_playbook(org_a: Any, kind: str) -> None:
    incident = actions.do_report_problem(org_a, kind=kind, what="", when="hour", disconnected="na")
    expected = actions.REPORT_KINDS[kind][1]
    assert incident.playbook_key == expected
    assert incident.tasks.exists() is bool(expected)
