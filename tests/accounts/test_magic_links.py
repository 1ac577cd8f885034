import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from clinicshield.accounts.actions import do_create_magic_link, do_send_portal_link
from clinicshield.accounts.models import AuditEntry, MagicLink, Organisation, Person
from tests.conftest import SmtpSink, body_text


def ana(org: Organisation) -> Person:
    return Person.objects.create(
        organisation=org, name="Ana García", email="ana@a.example", department="reception"
    )


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_portal_link_arrives_by_email_in_the_persons_language(
    org_a: Organisation, smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    person = ana(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        do_send_portal_link(person, "test")
    # The action writes its own audit entry (the page used to add it after the call).
    sent = AuditEntry.objects.get(organisation=org_a, action="portal_link.send")
    assert (sent.actor, sent.target) == ("test", "ana@a.example")
    [message] = smtp_server.to("ana@a.example")
    text = body_text(message)
    assert "Hola Ana García" in text or "Hello Ana García" in text
    url = re.search(r"https?://\S+/portal/enter/\S+/", text)
    assert url is not None
    client = Client()
    assert client.get(path_of(url.group(0))).status_code == 200  # a button, not yet spent
    response = client.post(path_of(url.group(0)))
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert "Ana García" in client.get("/portal/").content.decode()


def test_a_link_works_once(org_a: Organisation) -> None:
    url = path_of(do_create_magic_link("portal", person=ana(org_a)))
    assert Client().post(url).status_code == 302
    again = Client().post(url)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_an_expired_link_is_refused(org_a: Organisation) -> None:
    url = path_of(do_create_magic_link("portal", person=ana(org_a)))
    MagicLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "expired" in Client().post(url).content.decode()


def test_a_forged_link_is_refused(org_a: Organisation) -> None:
    assert Client().post("/portal/enter/not-a-real-token/").status_code == 404


def test_the_portal_without_a_link_explains_how_to_get_one(org_a: Organisation) -> None:
    response = Client().get("/portal/", follow=True)
    assert "ask your manager" in response.content.decode()


def test_a_person_who_left_cannot_use_an_old_link(org_a: Organisation) -> None:
    person = ana(org_a)
    url = path_of(do_create_magic_link("portal", person=person))
    person.active = False
    person.save(update_fields=["active"])
    response = Client().post(url)
    assert response["Location"] == "/portal/expired/"
