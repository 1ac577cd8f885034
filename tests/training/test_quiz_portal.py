"""Staff take a lesson and its quiz in the portal; scoring happens on the server."""

from clinicshield.accounts.models import Person
from clinicshield.training.actions import do_assign_module
from clinicshield.training.models import Assignment, QuizAttempt
from clinicshield.training.queries import shipped_library

from .conftest import portal_client


def correct_answers(key: str, lang: str = "es") -> dict[str, str]:
    quiz = shipped_library().modules[key].quizzes[lang]
    return {f"q-{q.id}": str(q.correct_index) for q in quiz.questions}


def test_the_quiz_page_never_contains_the_answers_or_explanations(lucia: Person) -> None:
    do_assign_module(lucia, "clickfix", reason="onboarding")
    page = portal_client(lucia).get("/portal/training/m/clickfix/quiz/").content.decode()
    quiz = shipped_library().modules["clickfix"].quizzes["es"]
    assert quiz.questions[0].text.replace('"', "&quot;") in page
    assert "correct" not in page.lower()
    for question in quiz.questions:
        assert question.explanation[:40] not in page


def test_a_passing_attempt_completes_the_assignment(lucia: Person) -> None:
    assignment = do_assign_module(lucia, "clickfix", reason="onboarding")
    do_assign_module(lucia, "phone-scams", reason="onboarding")
    client = portal_client(lucia)
    response = client.post("/portal/training/m/clickfix/quiz/", correct_answers("clickfix"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "100%" in page
    assert "Siguiente:" in page and "/portal/training/m/phone-scams/" in page
    assert shipped_library().modules["clickfix"].quizzes["es"].questions[0].explanation[:40] in page
    assignment.refresh_from_db()
    assert assignment.completed_at is not None and assignment.score == 100


def test_a_failing_attempt_is_recorded_and_can_be_retried(lucia: Person) -> None:
    assignment = do_assign_module(lucia, "phishing", reason="onboarding")
    client = portal_client(lucia)
    wrong = {k: str((int(v) + 1) % 3) for k, v in correct_answers("phishing").items()}
    page = client.post("/portal/training/m/phishing/quiz/", wrong).content.decode()
    assert "0%" in page and "/portal/training/m/phishing/quiz/" in page  # the retry link
    assignment.refresh_from_db()
    assert assignment.completed_at is None
    attempt = QuizAttempt.objects.get(person=lucia)
    assert not attempt.passed and len(attempt.missed) == 7
    client.post("/portal/training/m/phishing/quiz/", correct_answers("phishing"))
    assignment.refresh_from_db()
    assert assignment.score == 100
    assert QuizAttempt.objects.filter(person=lucia).count() == 2


def test_an_answer_to_an_unknown_question_is_refused_without_recording(lucia: Person) -> None:
    client = portal_client(lucia)
    response = client.post("/portal/training/m/phishing/quiz/", {"q-invented": "0"})
    assert response.status_code == 400
    assert not QuizAttempt.objects.exists()


def test_the_portal_lists_my_work_in_my_language(lucia: Person) -> None:
    do_assign_module(lucia, "phone-scams", reason="onboarding")
    page = portal_client(lucia).get("/portal/training/").content.decode()
    assert "Estafas telefónicas" in page


def test_the_portal_needs_a_magic_link_session(lucia: Person, client) -> None:  # noqa: ANN001
    response = client.get("/portal/training/")
    assert response.status_code == 302 and "expired" in response["Location"]


def test_a_certificate_exists_only_after_passing(lucia: Person) -> None:
    do_assign_module(lucia, "clickfix", reason="onboarding")
    client = portal_client(lucia)
    assert client.get("/portal/training/m/clickfix/certificate.pdf").status_code == 404
    client.post("/portal/training/m/clickfix/quiz/", correct_answers("clickfix"))
    response = client.get("/portal/training/m/clickfix/certificate.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert Assignment.objects.get(person=lucia).completed_at is not None
