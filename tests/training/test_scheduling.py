"""Time moves through `clinicshield run-due --now ...`: onboarding, a refresh six months
later, reminders before and after the due date, and an escalation to the manager. Every
email is received by a real SMTP server on loopback."""

from datetime import datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from django.core.management import call_command

from clinicshield.accounts.models import Person
from clinicshield.lib.core.months import add_months
from clinicshield.training.actions import do_submit_quiz
from clinicshield.training.models import Assignment, Reminder
from clinicshield.training.queries import shipped_library
from tests.conftest import SmtpSink, body_text

from .conftest import T0

RECEPTION_TRACK = shipped_library().tracks["front_desk"]


@pytest.fixture
def run_due(django_capture_on_commit_callbacks: Any) -> Any:
    def run(now: datetime) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run-due", "--now", now.isoformat(), "--only", "training.assign",
                         "--only", "training.remind", "--only", "training.escalate")  # fmt: skip

    return run


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def pass_everything(person: Person, now: datetime) -> None:
    for a in Assignment.objects.filter(person=person, completed_at__isnull=True):
        quiz = shipped_library().modules[a.module_key].quizzes[person.language]
        answers = {q.id: q.correct_index for q in quiz.questions}
        do_submit_quiz(person, a.module_key, answers, language=person.language, now=now)


def test_a_new_starter_gets_the_onboarding_track_in_one_email(
    lucia: Person, smtp_server: SmtpSink, run_due: Any
) -> None:
    run_due(T0 + timedelta(hours=1))
    keys = list(Assignment.objects.filter(person=lucia).values_list("module_key", flat=True))
    assert sorted(keys) == sorted(RECEPTION_TRACK)
    assert all(a.due_at == T0 + timedelta(days=30) for a in Assignment.objects.filter(person=lucia))
    (message,) = smtp_server.to("lucia@a.example")
    assert subject(message) == "Nueva formación de seguridad para ti"
    body = body_text(message)
    assert "/portal/enter/" in body
    assert "ClickFix y CAPTCHA falsos" in body
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    html_text = html.get_payload(decode=True).decode()
    assert "Abrir mi formación" in html_text and "/portal/enter/" in html_text
    run_due(T0 + timedelta(hours=2))  # the same work is not done twice
    assert Assignment.objects.filter(person=lucia).count() == len(RECEPTION_TRACK)
    assert len(smtp_server.to("lucia@a.example")) == 1


def test_six_months_later_the_refresh_comes_with_reminders_and_escalation(
    lucia: Person, marta: Person, smtp_server: SmtpSink, run_due: Any
) -> None:
    run_due(T0 + timedelta(hours=1))
    pass_everything(lucia, T0 + timedelta(days=5))
    pass_everything(marta, T0 + timedelta(days=5))
    smtp_server.clear()
    expires = add_months(T0 + timedelta(days=5), 6)

    run_due(expires - timedelta(days=40))
    assert not Assignment.objects.filter(person=lucia, completed_at__isnull=True).exists()

    run_due(expires - timedelta(days=29))
    refresh = Assignment.objects.filter(person=lucia, reason="refresh")
    assert refresh.count() == len(RECEPTION_TRACK)
    assert {a.due_at for a in refresh} == {expires}
    assert len(smtp_server.to("lucia@a.example")) == 1

    run_due(expires - timedelta(days=6))
    reminder = smtp_server.to("lucia@a.example")[-1]
    assert subject(reminder) == "Recordatorio: formación de seguridad pendiente"
    assert "/portal/enter/" in body_text(reminder)
    run_due(expires - timedelta(days=6))  # idempotent for the same moment
    assert len(smtp_server.to("lucia@a.example")) == 2

    smtp_server.clear()
    run_due(expires + timedelta(days=8))
    (late,) = smtp_server.to("lucia@a.example")
    assert subject(late) == "Tu formación de seguridad está vencida"
    to_marta = smtp_server.to("marta@a.example")
    (escalation,) = [
        m for m in to_marta if subject(m) == "Formación de seguridad vencida en tu equipo"
    ]
    assert "Lucía Pérez" in body_text(escalation)
    assert Reminder.objects.filter(assignment__person=lucia, kind="escalation").count() == len(
        RECEPTION_TRACK
    )
    smtp_server.clear()
    run_due(expires + timedelta(days=9))
    assert smtp_server.messages == []


def test_a_refresh_period_of_twelve_months_moves_everything(
    lucia: Person, smtp_server: SmtpSink, run_due: Any
) -> None:
    lucia.organisation.training_refresh_months = 12
    lucia.organisation.save(update_fields=["training_refresh_months"])
    run_due(T0 + timedelta(hours=1))
    pass_everything(lucia, T0 + timedelta(days=5))
    run_due(add_months(T0, 7))
    assert not Assignment.objects.filter(person=lucia, reason="refresh").exists()
    run_due(add_months(T0, 12))
    assert Assignment.objects.filter(person=lucia, reason="refresh").count() == len(RECEPTION_TRACK)


def test_people_who_left_get_nothing(lucia: Person, smtp_server: SmtpSink, run_due: Any) -> None:
    Person.objects.filter(pk=lucia.pk).update(active=False)
    run_due(T0 + timedelta(hours=1))
    assert not Assignment.objects.filter(person=lucia).exists()
    assert smtp_server.to("lucia@a.example") == []


def test_without_a_manager_the_owners_hear_about_overdue_training(
    org_a: Any, alice: Any, smtp_server: SmtpSink, run_due: Any
) -> None:
    from .conftest import make_person

    make_person(org_a, "Pilar Sanz", "pilar@a.example", "billing")
    run_due(T0 + timedelta(hours=1))
    smtp_server.clear()
    run_due(T0 + timedelta(days=30 + 8))
    (escalation,) = [m for m in smtp_server.to("alice@a.example")]
    assert "Pilar Sanz" in body_text(escalation)


def test_a_mail_server_that_is_down_never_undoes_an_assignment(
    lucia: Person, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from clinicshield.training.actions import do_assign_module
    from tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        assignment = do_assign_module(lucia, "clickfix", reason="manual")
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert not Reminder.objects.exists()  # not recorded as sent: the reminders will follow


def test_reminders_are_not_recorded_when_they_could_not_be_sent(
    lucia: Person, settings: Any, smtp_server: SmtpSink, run_due: Any
) -> None:
    from tests.conftest import free_port

    run_due(T0 + timedelta(hours=1))
    settings.EMAIL_PORT = free_port()  # the server goes away
    run_due(T0 + timedelta(days=24))  # the job carries on; other jobs are not held up
    assert not Reminder.objects.filter(kind="before-7").exists()
    settings.EMAIL_PORT = smtp_server.port  # back: the next run sends it
    run_due(T0 + timedelta(days=24, hours=1))
    sent = Reminder.objects.filter(kind="before-7", assignment__person=lucia)
    assert sent.count() == len(RECEPTION_TRACK)
    assert len(smtp_server.to("lucia@a.example")) == 2  # the onboarding email and this one
