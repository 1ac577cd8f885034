"""Audit of the readiness clocks: breach deadlines, incident tasks, drill reminders, in the
clinic's own time zone and language. Every time here is fixed; none comes from the real clock."""

import re
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from clinicshield.accounts import actions as accounts
from clinicshield.readiness import actions
from clinicshield.readiness.due import remind_to_run_drills
from clinicshield.readiness.models import Incident
from clinicshield.readiness.queries import drill_due_since, incident_deadlines
from tests.conftest import SmtpSink, body_text, created_on

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")


def open_incident(org: Any, playbook: str, opened: datetime) -> Incident:
    return actions.do_open_incident(
        org, title="Audit", source="manual", playbook_key=playbook, opened_at=opened, notify=False
    )


def set_awareness(incident: Incident, aware_at: datetime | None) -> None:
    actions.do_set_breach_facts(
        incident, "test", aware_at=aware_at, affected=None, largest_state=None, high_risk=False
    )


def legal_due(incident: Incident, code: str, now: datetime) -> datetime:
    [deadline] = [d for d in incident_deadlines(incident, now) if d.code == code]
    assert deadline.due_at is not None
    return deadline.due_at


# --- Deadlines -----------------------------------------------------------------------------


def test_the_72_hours_are_real_hours_across_madrids_spring_change_and_shown_in_madrid(
    org_a: Any, client_alice: Client
) -> None:
    opened = datetime(2026, 3, 27, 11, 0, tzinfo=MADRID)  # clocks go forward on 29 March
    incident = open_incident(org_a, "data-breach", opened)
    due = legal_due(incident, "gdpr_authority", opened)
    assert due.astimezone(UTC) - opened.astimezone(UTC) == timedelta(hours=72)
    assert due == datetime(2026, 3, 30, 12, 0, tzinfo=MADRID)  # 12:00 CEST, not 11:00
    assert incident.tasks.get(step_id="notify_authority").due_at == due  # "3d" is 72 hours
    page = client_alice.get(
        f"/o/clinic-a/readiness/incidents/{incident.number}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "30 de marzo de 2026 a las 12:00" in page


def test_the_72_hours_are_real_hours_across_new_yorks_spring_change(db: Any) -> None:
    org = accounts.do_create_organisation("Clinic NY", "clinic-ny", "America/New_York", "test")
    actions.do_set_regimes(org, ["gdpr", "hipaa"], "test")
    opened = datetime(2026, 3, 6, 20, 0, tzinfo=NEW_YORK)  # clocks go forward on 8 March
    incident = open_incident(org, "data-breach", opened)
    deadlines = {d.code: d for d in incident_deadlines(incident, opened)}
    assert deadlines["gdpr_authority"].due_at == datetime(2026, 3, 9, 21, 0, tzinfo=NEW_YORK)
    # HIPAA counts calendar days: the same wall time 60 days on, in New York
    assert deadlines["hipaa_individuals"].due_at == datetime(2026, 5, 5, 20, 0, tzinfo=NEW_YORK)


def test_a_task_tied_to_the_72_hours_follows_an_earlier_awareness_time(org_a: Any) -> None:
    opened = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    incident = open_incident(org_a, "data-breach", opened)
    # The clinic knew the day before it opened the incident: the law counts from then.
    set_awareness(incident, datetime(2026, 3, 26, 9, 0, tzinfo=MADRID))
    due = legal_due(incident, "gdpr_authority", opened)
    assert due == datetime(2026, 3, 29, 10, 0, tzinfo=MADRID)  # 72 real hours, CEST by then
    task = incident.tasks.get(step_id="notify_authority")
    assert task.due_at == due


def test_a_clock_task_keeps_its_own_shorter_limit_and_returns_to_it_when_awareness_is_cleared(
    org_a: Any,
) -> None:
    opened = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    incident = open_incident(org_a, "clickfix", opened)
    assessment = incident.tasks.get(step_id="breach_assessment")  # 24 h, gdpr_authority clock
    planned = opened + timedelta(hours=24)
    assert assessment.due_at == planned
    set_awareness(incident, opened + timedelta(hours=2))  # the law gives until +74 h
    assessment.refresh_from_db()
    assert assessment.due_at == planned
    set_awareness(incident, opened - timedelta(days=4))  # the 72 hours ran out a day ago
    assessment.refresh_from_db()
    assert assessment.due_at == opened - timedelta(days=1)
    set_awareness(incident, None)
    assessment.refresh_from_db()
    assert assessment.due_at == planned


def test_a_done_deadline_stays_done_and_a_task_done_is_not_shown_overdue(
    org_a: Any, client_alice: Client
) -> None:
    opened = datetime(2026, 1, 10, 9, 0, tzinfo=MADRID)
    incident = open_incident(org_a, "data-breach", opened)
    actions.do_mark_notified(incident, "gdpr_authority", "test", "AEPD-123")
    later = opened + timedelta(days=10)
    [authority] = incident_deadlines(incident, later)
    assert authority.state == "done"
    task = incident.tasks.get(step_id="notify_authority")
    actions.do_set_task_status(task, "done", "test")
    page = client_alice.get(f"/o/clinic-a/readiness/incidents/{incident.number}/").content
    section = page.decode().split(f'id="task-{task.pk}"')[1].split("</h3>")[0]
    assert "overdue" not in section


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_awareness_field_is_filled_in_a_form_a_datetime_local_input_accepts(
    org_a: Any, client_alice: Client, language: str
) -> None:
    """A datetime-local input drops a value that is not a local date and time string
    (YYYY-MM-DD, "T" or a space, HH:MM[:SS]; HTML's value sanitisation): the field would show
    empty and the next save of the facts would clear the clock."""
    opened = datetime(2026, 3, 6, 7, 15, tzinfo=UTC)
    incident = open_incident(org_a, "data-breach", opened)
    page = client_alice.get(
        f"/o/clinic-a/readiness/incidents/{incident.number}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    [value] = re.findall(r'<input type="datetime-local" name="aware_at" value="([^"]*)"', page)
    assert re.fullmatch(r"2026-03-06[T ]08:15(:00)?", value)  # Madrid's time, as the page is read
    client_alice.post(
        f"/o/clinic-a/readiness/incidents/{incident.number}/facts/",
        {"aware_at": value, "affected": "40"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    incident.refresh_from_db()
    assert incident.aware_at == opened and incident.affected_individuals == 40


# --- Drills --------------------------------------------------------------------------------


def finished_drill(org: Any, when: datetime) -> None:
    drill = actions.do_start_drill(org, "lost-laptop", "es", "test", now=when)
    actions.do_finish_drill(drill, "test", went_well="", gaps_noted="", improvements=[], now=when)


@pytest.mark.parametrize(
    ("last", "due_day"),
    [
        (datetime(2026, 8, 31, 18, 0), datetime(2027, 2, 28)),  # no 31 February
        (datetime(2027, 8, 31, 18, 0), datetime(2028, 2, 29)),  # a leap year
        (datetime(2026, 3, 1, 9, 0), datetime(2026, 9, 1)),  # 182 days would be 30 August
        (datetime(2028, 2, 29, 9, 0), datetime(2028, 8, 29)),
    ],
)
def test_the_next_drill_is_due_six_calendar_months_later_from_the_start_of_that_day(
    org_a: Any, last: datetime, due_day: datetime
) -> None:
    finished_drill(org_a, last.replace(tzinfo=MADRID))
    assert drill_due_since(org_a) == due_day.replace(tzinfo=MADRID)


def test_the_drill_reminder_goes_out_once_on_the_day_six_months_are_up(
    org_a: Any, alice: Any, smtp_server: SmtpSink
) -> None:
    created_on(org_a, datetime(2026, 1, 1, tzinfo=UTC))
    finished_drill(org_a, datetime(2026, 3, 1, 9, 0, tzinfo=MADRID))
    job_time: dict[str, Any] = {"hour": 7, "minute": 30, "tzinfo": MADRID}  # cron: 07:30
    assert remind_to_run_drills(datetime(2026, 8, 31, **job_time)) == "nothing due"
    assert remind_to_run_drills(datetime(2026, 9, 1, **job_time)) == "reminded 1: clinic-a"
    assert remind_to_run_drills(datetime(2026, 9, 2, **job_time)) == "nothing due"
    assert len(smtp_server.to("alice@a.example")) == 1


def test_two_drills_of_one_scenario_keep_their_own_decisions_and_answers(org_a: Any) -> None:
    when = datetime(2026, 4, 14, 10, 0, tzinfo=MADRID)
    first = actions.do_start_drill(org_a, "lost-laptop", "en", "test", now=when)
    second = actions.do_start_drill(org_a, "lost-laptop", "en", "test", now=when)
    for drill in (first, second):
        actions.do_show_next_inject(drill, now=when)
    actions.do_record_decision(first, "q-reception", ["report-it", "list-contents"], now=when)
    actions.do_record_decision(second, "q-reception", [], now=when)
    actions.do_submit_answer(first, "q-reception", "Ana", "Call IT", now=when)
    actions.do_finish_drill(first, "test", went_well="", gaps_noted="", improvements=[], now=when)
    actions.do_finish_drill(second, "test", went_well="", gaps_noted="", improvements=[], now=when)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.decisions.get().action_ids == ["report-it", "list-contents"]
    assert second.decisions.get().action_ids == []
    assert [a.participant for a in first.answers.all()] == ["Ana"]
    assert not second.answers.exists()
    assert first.score["percent"] > second.score["percent"]


@pytest.mark.parametrize(
    ("language", "subject"), [("en", "Incident #1: Audit"), ("es", "Incidente n.º 1: Audit")]
)
def test_the_incident_email_gives_the_opening_time_in_the_clinics_zone_and_language(
    org_a: Any, alice: Any, smtp_server: SmtpSink, language: str, subject: str
) -> None:
    incident = open_incident(org_a, "data-breach", datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    Incident.objects.filter(pk=incident.pk).update(language=language)
    actions.notify_incident_opened(incident.pk)
    [message] = smtp_server.to("alice@a.example")
    assert str(make_header(decode_header(message["Subject"]))) == subject
    assert "2026-07-02 00:30" in body_text(message)  # 00:30 CEST, the next day in Madrid


def test_the_timeline_names_a_notification_in_words_in_the_page_language(
    org_a: Any, client_alice: Client
) -> None:
    incident = open_incident(org_a, "data-breach", datetime(2026, 3, 6, 8, 15, tzinfo=UTC))
    url = f"/o/clinic-a/readiness/incidents/{incident.number}/"
    client_alice.post(f"{url}notified/", {"code": "gdpr_authority", "reference": "AEPD-123"})
    page = client_alice.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Notificar a la autoridad de protección de datos (AEPD en España): AEPD-123" in page


# --- NIS2's final report ---------------------------------------------------------------------


def nis2_incident(org: Any, opened: datetime) -> Incident:
    actions.do_set_regimes(org, ["gdpr", "nis2"], "test")
    return open_incident(org, "data-breach", opened)


def final_report_task(incident: Incident) -> Any:
    """A step of the clinic's own tied to the final report (no shipped playbook has one)."""
    return incident.tasks.create(
        step_id="nis2_final_report",
        position=99,
        role="dpo",
        title="Send the NIS2 final report",
        clock="nis2_final_report",
        due_at=incident.opened_at + timedelta(days=90),
    )


def test_the_nis2_final_report_is_due_a_month_after_the_notification_was_sent(
    org_a: Any, client_alice: Client
) -> None:
    opened = datetime(2026, 4, 6, 9, 0, tzinfo=MADRID)
    incident = nis2_incident(org_a, opened)
    task = final_report_task(incident)
    set_awareness(incident, opened)  # aligns the clock's tasks with the law
    deadline_based = opened + timedelta(hours=72) + timedelta(days=30)
    assert legal_due(incident, "nis2_final_report", opened) == deadline_based
    task.refresh_from_db()
    assert task.due_at == deadline_based
    page = client_alice.get(f"/o/clinic-a/readiness/incidents/{incident.number}/").content.decode()
    assert "counted from the deadline of the incident notification" in page

    sent = opened + timedelta(hours=30)  # sent well before its 72-hour deadline
    actions.do_mark_notified(incident, "nis2_notification", "test", "CSIRT-77", at=sent)
    incident.refresh_from_db()
    assert legal_due(incident, "nis2_final_report", sent) == sent + timedelta(days=30)
    task.refresh_from_db()
    assert task.due_at == sent + timedelta(days=30)
    assert incident.timeline.get(kind="clock", at=sent)
    page = client_alice.get(
        f"/o/clinic-a/readiness/incidents/{incident.number}/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    sent_in_words = "(7 de abril de 2026 a las 15:00)"  # Madrid's clock
    assert f"Un mes desde el envío de la notificación del incidente {sent_in_words}" in page


def test_marking_the_notification_again_keeps_the_first_sending_time(org_a: Any) -> None:
    opened = datetime(2026, 4, 6, 9, 0, tzinfo=MADRID)
    incident = nis2_incident(org_a, opened)
    first = opened + timedelta(hours=30)
    actions.do_mark_notified(incident, "nis2_notification", "test", at=first)
    actions.do_mark_notified(incident, "nis2_notification", "test", at=first + timedelta(days=3))
    incident.refresh_from_db()
    assert legal_due(incident, "nis2_final_report", first) == first + timedelta(days=30)


def test_a_notification_sent_earlier_is_recorded_at_its_sending_time_from_the_page(
    org_a: Any, client_alice: Client
) -> None:
    """The clinic sent it by phone yesterday and records it today: the month counts from the
    sending, which the page takes on the clinic's clock; a time to come is refused."""
    opened = datetime(2026, 4, 6, 9, 0, tzinfo=MADRID)
    incident = nis2_incident(org_a, opened)
    url = f"/o/clinic-a/readiness/incidents/{incident.number}/notified/"
    tomorrow = (datetime.now(MADRID) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client_alice.post(
        url, {"code": "nis2_notification", "sent_at": tomorrow}, follow=True
    ).content.decode()
    assert "cannot have been sent in the future" in refused
    in_spanish = client_alice.post(
        url,
        {"code": "nis2_notification", "sent_at": tomorrow},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert "Una notificación no puede haberse enviado en el futuro" in in_spanish
    incident.refresh_from_db()
    assert incident.notified == []
    client_alice.post(url, {"code": "nis2_notification", "sent_at": "2026-04-07T15:00"})
    incident.refresh_from_db()
    sent = datetime(2026, 4, 7, 15, 0, tzinfo=MADRID)
    assert incident.notified == ["nis2_notification"]
    assert legal_due(incident, "nis2_final_report", sent) == sent + timedelta(days=30)
