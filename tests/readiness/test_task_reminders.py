"""Reminders to the owners of incident tasks: once before the due time, once when overdue.

Emails go through a real SMTP server on loopback; every time here is fixed."""

from datetime import datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clinicshield.lib.due import REGISTRY, discover, run_due
from clinicshield.readiness import actions
from clinicshield.readiness.due import remind_task_owners
from clinicshield.readiness.models import Incident, IncidentTask
from tests.conftest import SmtpSink, body_text, free_port
from tests.readiness.helpers import it_member, person

MADRID = ZoneInfo("Europe/Madrid")
OPENED = datetime(2026, 6, 1, 9, 0, tzinfo=MADRID)
DUE = OPENED + timedelta(hours=72)  # data-breach's "notify the authority" step: 3 days


def owned_task(
    org: Any, owner: Any, status: str = "doing", incident_language: str | None = None
) -> IncidentTask:
    """The breach playbook's 72-hour task, owned; `incident_language` for an owner without a
    staff record, whose reminders are written in the incident's language."""
    incident = actions.do_open_incident(
        org,
        title="Lista de pacientes enviada por error",
        source="manual",
        playbook_key="data-breach",
        opened_at=OPENED,
        notify=False,
    )
    if incident_language:
        Incident.objects.filter(pk=incident.pk).update(language=incident_language)
    task = incident.tasks.get(step_id="notify_authority")
    assert task.due_at == DUE
    return actions.do_set_task_status(task, status, "test", owner=owner)


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_it_reminds_the_owner_once_before_the_due_time_and_once_when_overdue(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    # alice has no staff record: the incident's language (its tasks were written in English)
    task = owned_task(org_a, alice, incident_language="es")
    assert remind_task_owners(DUE - timedelta(hours=4)) == "nothing due"
    assert remind_task_owners(DUE - timedelta(hours=2)) == "reminded 1: 1 due soon, 0 overdue"
    assert remind_task_owners(DUE - timedelta(hours=1)) == "nothing due"
    assert remind_task_owners(DUE + timedelta(minutes=5)) == "reminded 1: 0 due soon, 1 overdue"
    assert remind_task_owners(DUE + timedelta(days=1)) == "nothing due"
    soon, overdue = smtp_server.to("alice@a.example")
    assert len(smtp_server.messages) == 2  # the tasks without an owner remind nobody
    incident_url = f"/o/clinic-a/readiness/incidents/{task.incident.number}/#task-{task.pk}"
    for message in (soon, overdue):
        assert incident_url in body_text(message)
        assert "Notifica a la autoridad de control en 72 horas" in body_text(message)
    assert "2026-06-04 09:00" in body_text(soon)  # the due time on the clinic's clock
    assert subject(soon).startswith("Tarea de incidente que vence pronto")
    assert subject(overdue).startswith("Tarea de incidente vencida")


def test_a_task_first_seen_late_gets_only_the_overdue_reminder(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    owned_task(org_a, alice)
    summary = run_due(DUE + timedelta(hours=1), only=["readiness.task_reminders"])
    assert summary["readiness.task_reminders"] == "reminded 1: 0 due soon, 1 overdue"
    assert remind_task_owners(DUE + timedelta(hours=2)) == "nothing due"
    assert len(smtp_server.messages) == 1


def test_it_runs_every_five_minutes() -> None:
    discover()
    job = REGISTRY["readiness.task_reminders"]
    assert job.function is remind_task_owners and job.cron == {"minute": "*/5"}


@pytest.mark.parametrize("status", ["done", "skipped"])
def test_it_never_reminds_about_a_finished_task(
    org_a: Any, alice: Any, smtp_server: SmtpSink, status: str
) -> None:
    owned_task(org_a, alice, status=status)
    assert remind_task_owners(DUE - timedelta(hours=1)) == "nothing due"
    assert remind_task_owners(DUE + timedelta(hours=1)) == "nothing due"
    assert smtp_server.messages == []


def test_it_never_reminds_about_a_closed_incident_but_does_about_a_contained_one(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    closed = owned_task(org_a, alice).incident
    actions.do_close_incident(
        closed, "test", root_cause="x", went_well="", lessons="y", improvements=[], now=OPENED
    )
    contained = owned_task(org_a, alice).incident
    actions.do_mark_contained(contained, "test")
    assert remind_task_owners(DUE + timedelta(hours=1)) == "reminded 1: 0 due soon, 1 overdue"
    [message] = smtp_server.messages
    assert f"/readiness/incidents/{contained.number}/#task-" in body_text(message)


def test_an_owner_who_left_the_organisation_is_not_reminded(
    org_a: Any, smtp_server: SmtpSink
) -> None:
    technician = it_member(org_a)
    owned_task(org_a, technician)
    technician.memberships.all().delete()
    assert remind_task_owners(DUE + timedelta(hours=1)) == "nothing due"
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("language", "soon_subject", "sentence"),
    [
        ("en", "Incident task due soon", "is due on"),
        ("es", "Tarea de incidente que vence pronto", "vence el"),
    ],
)
def test_it_writes_in_the_language_of_the_owners_staff_record(
    org_a: Any,
    smtp_server: SmtpSink,
    language: str,
    soon_subject: str,
    sentence: str,
) -> None:
    technician = it_member(org_a, "tech@it.example")
    person(org_a, name="Tech", email="Tech@IT.example", language=language)
    owned_task(org_a, technician)
    remind_task_owners(DUE - timedelta(hours=1))
    [message] = smtp_server.to("tech@it.example")
    assert subject(message).startswith(soon_subject)
    assert sentence in body_text(message)


def test_an_owner_without_a_staff_record_is_written_to_in_the_incidents_language(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    owned_task(org_a, alice, incident_language="en")
    remind_task_owners(DUE - timedelta(hours=1))
    [message] = smtp_server.to("alice@a.example")
    assert subject(message).startswith("Incident task due soon")


def test_a_reminder_that_could_not_be_sent_is_tried_again_on_the_next_run(
    org_a: Any, alice: Any, smtp_server: SmtpSink, settings: Any
) -> None:
    owned_task(org_a, alice)
    settings.EMAIL_PORT = free_port()  # nothing listens there: the mail server is down
    assert remind_task_owners(DUE - timedelta(hours=2)) == "nothing sent: 1 failed"
    settings.EMAIL_PORT = smtp_server.port
    assert remind_task_owners(DUE - timedelta(hours=1)) == "reminded 1: 1 due soon, 0 overdue"
    assert len(smtp_server.messages) == 1


def test_a_moved_due_time_gets_reminders_of_its_own(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    task = owned_task(org_a, alice, incident_language="en")
    assert remind_task_owners(DUE - timedelta(hours=2)) == "reminded 1: 1 due soon, 0 overdue"
    # The clinic knew an hour before it opened the incident: the law's 72 hours end sooner.
    actions.do_set_breach_facts(
        task.incident,
        "test",
        aware_at=OPENED - timedelta(hours=1),
        affected=40,
        largest_state=None,
        high_risk=False,
    )
    task.refresh_from_db()
    assert task.due_at == DUE - timedelta(hours=1)
    assert remind_task_owners(DUE - timedelta(hours=2)) == "reminded 1: 1 due soon, 0 overdue"
    first, second = smtp_server.to("alice@a.example")
    assert "2026-06-04 09:00" in body_text(first)
    assert "2026-06-04 08:00" in body_text(second)  # the new due time, not the old one
    assert remind_task_owners(DUE - timedelta(minutes=30)) == "reminded 1: 0 due soon, 1 overdue"


def test_a_new_owner_is_reminded_but_the_same_owner_is_not_reminded_twice(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    task = owned_task(org_a, alice)
    assert remind_task_owners(DUE - timedelta(hours=2)) == "reminded 1: 1 due soon, 0 overdue"
    actions.do_set_task_status(task, "todo", "test", owner=alice)  # same owner, new status
    assert remind_task_owners(DUE - timedelta(hours=1)) == "nothing due"
    technician = it_member(org_a, "tech@it.example")
    actions.do_set_task_status(task, "doing", "test", owner=technician)
    assert remind_task_owners(DUE - timedelta(hours=1)) == "reminded 1: 1 due soon, 0 overdue"
    assert len(smtp_server.to("alice@a.example")) == 1
    assert len(smtp_server.to("tech@it.example")) == 1
