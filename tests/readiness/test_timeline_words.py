"""The incident timeline's notices are put into words when the page is read, in the reader's
language, whoever wrote them and in whatever language; old entries keep their text."""

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from clinicshield.readiness import actions
from clinicshield.readiness.models import Incident, TimelineEntry
from tests.conftest import SmtpSink
from tests.readiness.helpers import webhook_receiver

OPENED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def timeline_of(client: Client, incident: Incident, language: str) -> str:
    page = client.get(
        f"/o/clinic-a/readiness/incidents/{incident.number}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    return page.split("<h2>", 3)[-1].split("</section>")[0]  # the timeline card


@pytest.fixture
def busy_incident(org_a: Any, alice: Any, smtp_server: SmtpSink) -> Incident:
    """An incident whose every notice was written while its writers read English."""
    incident = actions.do_open_incident(
        org_a,
        title="Ransom note",
        source="manual",
        playbook_key="ransomware",
        opened_at=OPENED,
        notify=False,
    )
    with webhook_receiver() as hook:
        org_a.webhook_url = hook.url
        org_a.save(update_fields=["webhook_url"])
        actions.notify_incident_opened(incident.pk)
    org_a.webhook_url = "http://127.0.0.1:9/nobody-listens"
    org_a.save(update_fields=["webhook_url"])
    actions.notify_incident_opened(incident.pk)
    task = incident.tasks.get(step_id="isolate")
    actions.do_set_task_status(task, "done", "test", owner=alice)
    actions.do_set_breach_facts(
        incident, "test", aware_at=OPENED, affected=None, largest_state=None, high_risk=False
    )
    actions.do_mark_notified(incident, "gdpr_authority", "test", "AEPD-123", at=OPENED)
    actions.do_mark_contained(incident, "test")
    return incident


def test_a_spanish_reader_sees_the_notices_in_spanish(
    busy_incident: Incident, client_alice: Client
) -> None:
    timeline = timeline_of(client_alice, busy_incident, "es")
    for sentence in (
        "Incidente abierto.",
        "Correo enviado a 1 de 1: alice@a.example",
        "Webhook aceptado.",
        "El webhook ha fallado.",
        "Hecha (alice@a.example)",
        "Datos de la brecha actualizados (constancia desde 04/05/2026 11:30).",
        "Notificar a la autoridad de protección de datos (AEPD en España): AEPD-123",
        "Incidente contenido.",
    ):
        assert sentence in timeline
    assert "Email sent" not in timeline and "webhook accepted" not in timeline.lower()


def test_an_english_reader_sees_them_in_english_though_marked_in_spanish(
    org_a: Any, client_alice: Client
) -> None:
    incident = actions.do_open_incident(
        org_a, title="Lost USB", source="manual", opened_at=OPENED, notify=False
    )
    client_alice.post(
        f"/o/clinic-a/readiness/incidents/{incident.number}/notified/",
        {"code": "gdpr_authority", "reference": "AEPD-123"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    timeline = timeline_of(client_alice, incident, "en")
    assert "Notify the data protection authority (AEPD in Spain): AEPD-123" in timeline
    assert "Incident opened." in timeline
    assert "AEPD en España" not in timeline


def test_an_entry_written_before_notices_had_codes_keeps_its_text(
    org_a: Any, client_alice: Client
) -> None:
    incident = actions.do_open_incident(
        org_a, title="Lost USB", source="manual", opened_at=OPENED, notify=False
    )
    TimelineEntry.objects.create(
        incident=incident, at=OPENED, kind="notify", text="webhook accepted", actor="system"
    )
    assert "webhook accepted" in timeline_of(client_alice, incident, "es")
