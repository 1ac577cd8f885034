"""A receptionist opens the link from her assignment email on a phone-sized Chromium, reads
the lesson in Spanish, fails the quiz once, retries, passes and gets her certificate."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clinicshield.accounts.models import Person
from clinicshield.training.actions import do_assign_module
from clinicshield.training.models import Assignment, QuizAttempt
from clinicshield.training.queries import shipped_library
from tests.conftest import SmtpSink, body_text
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        yield page
    finally:
        context.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def answer(page: Any, answers: dict[str, int]) -> None:
    for question_id, choice in answers.items():
        page.check(f"input[name='q-{question_id}'][value='{choice}']")
    page.click("form.quiz button[type=submit]")


def test_a_receptionist_takes_the_clickfix_quiz_in_spanish_from_her_email(
    lucia: Person, live_server: Any, settings: Any, smtp_server: SmtpSink, phone: Any
) -> None:
    settings.SITE_URL = live_server.url
    do_assign_module(lucia, "clickfix", reason="onboarding")
    (email,) = smtp_server.to("lucia@a.example")
    link = re.search(r"http://\S+/portal/enter/\S+/", body_text(email))
    assert link is not None

    page = phone
    page.goto(link.group(0))
    page.click("[data-testid=enter-portal]")
    page.wait_for_url("**/portal/training/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Mi formación" in page.locator("h1").inner_text()
    page.click("text=ClickFix y CAPTCHA falsos")
    assert "nunca pegues un comando" in page.locator("h1").inner_text()
    assert page.locator("article.lesson h2", has_text="La regla").count() == 1
    # Mobile-first: the lesson fits the phone's width without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.screenshot(path=str(artifact("training-lesson-es")), full_page=False)
    page.click("text=Hacer el cuestionario")
    quiz_html = page.content()
    quiz = shipped_library().modules["clickfix"].quizzes["es"]
    assert "correct" not in quiz_html.lower()
    assert quiz.questions[0].explanation[:30] not in quiz_html
    right = {q.id: q.correct_index for q in quiz.questions}
    wrong_twice = dict(right)
    for question in quiz.questions[:2]:
        wrong_twice[question.id] = (question.correct_index + 1) % len(question.choices)

    answer(page, wrong_twice)
    page.screenshot(path=str(artifact("training-quiz-failed-es")), full_page=True)
    assert "Aún no aprobado" in page.inner_text("main")
    assert page.locator(".outcome.wrong").count() == 2
    assert quiz.questions[0].explanation in page.inner_text("main")
    page.click("text=Volver a intentarlo")
    answer(page, right)
    assert "Aprobado" in page.inner_text("main") and "100%" in page.inner_text("main")

    certificate = page.request.get(
        live_server.url + page.get_attribute("text=Descarga tu certificado (PDF)", "href")
    )
    assert certificate.status == 200 and certificate.body().startswith(b"%PDF")
    assignment = Assignment.objects.get(person=lucia, module_key="clickfix")
    assert assignment.score == 100 and assignment.completed_at is not None
    assert list(QuizAttempt.objects.filter(person=lucia).values_list("passed", flat=True)) == [
        True,
        False,
    ]
