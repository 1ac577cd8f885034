"""Managers see completion, freshness, overdue people and missed questions; only their own."""

import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clinicshield.accounts.models import Person
from clinicshield.training.actions import do_assign_module, do_submit_quiz
from clinicshield.training.models import Assignment, ModuleSetting
from clinicshield.training.queries import shipped_library
from tests.system import need_program

from .conftest import portal_client


def portal_page(person: Person, path: str) -> Any:
    return portal_client(person).get(path)


def history(lucia: Person, tom: Person) -> None:
    """Lucía is three weeks late with phishing; Tom passed ClickFix missing one question."""
    now = timezone.now()
    do_assign_module(lucia, "phishing", reason="onboarding", due=now - timedelta(days=21))
    do_assign_module(tom, "clickfix", reason="onboarding")
    quiz = shipped_library().modules["clickfix"].quizzes["en"]
    answers = {q.id: q.correct_index for q in quiz.questions}
    answers["safe-paste-places"] = 0
    do_submit_quiz(tom, "clickfix", answers, language="en")


def test_the_overview_shows_overdue_people_and_missed_questions(
    client_alice: Client, lucia: Person, tom: Person
) -> None:
    history(lucia, tom)
    page = client_alice.get("/o/clinic-a/training/").content.decode()
    assert "Lucía Pérez" in page and "21" in page  # days late
    assert "Which of these is a legitimate request from a website?" in page
    assert "50%" in page  # one of two assignments completed
    people = client_alice.get("/o/clinic-a/training/people/").content.decode()
    assert "Tom Hart" in people and "85%" in people
    assert "<td>100%</td><td>100%</td>" in people  # Tom: completed and up to date
    assert "<td>0%</td><td>0%</td>" in people  # Lucía: nothing done yet


def test_another_organisation_sees_nothing(client_charlie: Client, lucia: Person) -> None:
    do_assign_module(lucia, "phishing", reason="onboarding")
    assert client_charlie.get("/o/clinic-a/training/").status_code == 404
    assert client_charlie.get("/o/clinic-a/training/evidence.csv").status_code == 404
    own = client_charlie.get("/o/clinic-b/training/evidence.csv").content.decode()
    assert "lucia@a.example" not in own


def test_a_viewer_may_look_but_not_change_pass_marks(client_bob: Client, lucia: Person) -> None:
    assert client_bob.get("/o/clinic-a/training/m/phishing/").status_code == 200
    response = client_bob.post("/o/clinic-a/training/m/phishing/pass-mark/", {"pass_mark": "50"})
    assert response.status_code == 403
    assert not ModuleSetting.objects.exists()


def test_an_owner_changes_a_pass_mark_and_the_quiz_follows_it(
    client_alice: Client, lucia: Person
) -> None:
    client_alice.post("/o/clinic-a/training/m/phishing/pass-mark/", {"pass_mark": "100"})
    quiz = shipped_library().modules["phishing"].quizzes["es"]
    answers = {q.id: q.correct_index for q in quiz.questions}
    answers[quiz.questions[0].id] = (quiz.questions[0].correct_index + 1) % 3
    _attempt, result = do_submit_quiz(lucia, "phishing", answers, language="es")
    assert (result.score, result.pass_mark, result.passed) == (85, 100, False)


def test_a_manager_assigns_from_the_page(client_alice: Client, lucia: Person) -> None:
    client_alice.post("/o/clinic-a/training/assign/", {"person": lucia.pk, "module": "reporting"})
    assignment = Assignment.objects.get(person=lucia)
    assert (assignment.module_key, assignment.reason) == ("reporting", "manual")
    assert assignment.assigned_by == "alice@a.example"


def test_the_evidence_csv_lists_each_person_and_module_with_the_requirements(
    client_alice: Client, lucia: Person, tom: Person
) -> None:
    history(lucia, tom)
    text = client_alice.get("/o/clinic-a/training/evidence.csv").content.decode()
    lines = text.splitlines()
    assert lines[0].startswith("person,email,site,department,module,title,reason")
    assert len(lines) == 3
    tom_line = next(line for line in lines if "tom@a.example" in line)
    assert ",completed," in tom_line and ",85," in tom_line
    assert "§164.308(a)(5)" in tom_line and "GDPR art. 39(1)(b)" in tom_line


def test_the_evidence_pdf_names_the_frameworks_and_the_people(
    client_alice: Client, lucia: Person, tom: Person, tmp_path: Any
) -> None:
    pdftotext = need_program("pdftotext", "poppler-utils")
    history(lucia, tom)
    response = client_alice.get("/o/clinic-a/training/evidence.pdf")
    assert response.status_code == 200
    (tmp_path / "evidence.pdf").write_bytes(response.content)
    text = subprocess.run(
        [pdftotext, "-layout", str(tmp_path / "evidence.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for expected in ("HIPAA 45 CFR §164.308(a)(5)", "GDPR art. 32", "GDPR art. 39(1)(b)",
                     "HICP", "Lucía Pérez", "Tom Hart", "Clínica A"):  # fmt: skip
        assert expected in text, expected


CUSTOM_LESSON = "# Our visitor policy\n\n" + "Visitors sign in at reception. " * 30
CUSTOM_QUIZ = """questions:
  - id: sign-in
    text: Where do visitors sign in?
    choices:
      - text: At reception
        correct: true
      - text: Anywhere
    explanation: Reception keeps the visitor book.
"""


def test_a_manager_writes_a_module_and_staff_can_be_assigned_it(
    client_alice: Client, lucia: Person
) -> None:
    form = {"key": "visitors", "roles": ["all"], "pass_mark": "100", "minutes": "5",
            "lesson_en": CUSTOM_LESSON, "quiz_en": CUSTOM_QUIZ}  # fmt: skip
    response = client_alice.post("/o/clinic-a/training/custom/new/", form)
    assert response.status_code == 302
    page = client_alice.get("/o/clinic-a/training/m/visitors/").content.decode()
    assert "Our visitor policy" in page
    assignment = do_assign_module(lucia, "visitors", reason="manual")
    _attempt, result = do_submit_quiz(lucia, "visitors", {"sign-in": 0}, language="es")
    assert result.passed
    assignment.refresh_from_db()
    assert assignment.score == 100


def test_a_broken_custom_module_is_refused_and_the_text_is_kept(client_alice: Client) -> None:
    broken = CUSTOM_QUIZ.replace("        correct: true\n", "")
    form = {"key": "visitors", "roles": ["all"], "pass_mark": "80", "minutes": "5",
            "lesson_en": CUSTOM_LESSON, "quiz_en": broken}  # fmt: skip
    response = client_alice.post("/o/clinic-a/training/custom/new/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Quiz (English), question 1: Exactly one choice must be marked" in page
    assert "Visitors sign in at reception." in page  # nothing the manager typed is lost
    assert client_alice.get("/o/clinic-a/training/m/visitors/").status_code == 404


def test_custom_markdown_is_sanitised(client_alice: Client, lucia: Person) -> None:
    lesson = CUSTOM_LESSON + "\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
    form = {"key": "visitors", "roles": ["all"], "pass_mark": "80", "minutes": "5",
            "lesson_en": lesson, "quiz_en": CUSTOM_QUIZ}  # fmt: skip
    client_alice.post("/o/clinic-a/training/custom/new/", form)
    page = client_alice.get("/o/clinic-a/training/m/visitors/").content.decode()
    assert "<script>alert(1)" not in page and "javascript:" not in page


def test_the_editor_preview_renders_and_checks_without_saving(client_alice: Client) -> None:
    broken = CUSTOM_QUIZ.replace("explanation: Reception keeps the visitor book.", "")
    response = client_alice.post(
        "/o/clinic-a/training/custom/preview/",
        {"lesson_en": CUSTOM_LESSON, "quiz_en": broken},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Our visitor policy</h1>" in page
    assert "Quiz (English), question 1: The question has no explanation." in page
    assert client_alice.get("/o/clinic-a/training/m/visitors/").status_code == 404


def test_a_switched_off_module_is_assigned_to_nobody_but_history_stays(
    client_alice: Client, lucia: Person, tom: Person
) -> None:
    from clinicshield.lib.errors import UserError
    from clinicshield.training.actions import do_assign_onboarding_and_refreshes

    old = do_assign_module(lucia, "phone-scams", reason="manual")
    client_alice.post("/o/clinic-a/training/m/phone-scams/enabled/", {"enabled": "0"})
    with pytest.raises(UserError) as error:
        do_assign_module(lucia, "phone-scams", reason="clicked a vishing drill")
    assert error.value.code == "unknown_module"
    do_assign_onboarding_and_refreshes(timezone.now())
    keys = set(Assignment.objects.filter(person=lucia).values_list("module_key", flat=True))
    assert "clickfix" in keys and "devices-remote" in keys
    assert Assignment.objects.filter(person=lucia, module_key="phone-scams").count() == 1
    tom_keys = set(Assignment.objects.filter(person=tom).values_list("module_key", flat=True))
    assert "medical-devices" in tom_keys and "phone-scams" not in tom_keys
    assert portal_page(lucia, "/portal/training/m/phone-scams/quiz/").status_code == 200
    assert old.pk in Assignment.objects.values_list("pk", flat=True)
    client_alice.post("/o/clinic-a/training/m/phone-scams/enabled/", {"enabled": "1"})
    assert do_assign_module(lucia, "phone-scams", reason="manual").pk == old.pk


def test_a_manager_starts_their_own_version_from_ours(client_alice: Client) -> None:
    page = client_alice.get("/o/clinic-a/training/custom/new/?from=phone-scams").content.decode()
    assert "Phone and impersonation scams" in page  # the English lesson, ready to adapt
    assert "callback-number" in page  # the quiz YAML
    assert 'value="phone-scams-clinic-a"' in page


def test_a_pass_mark_or_minutes_out_of_range_is_refused_not_an_error(
    client_alice: Client,
) -> None:
    for pass_mark, minutes in (("-5", "5"), ("500", "5"), ("80", "-1")):
        form = {"key": "visitors", "roles": ["all"], "pass_mark": pass_mark, "minutes": minutes,
                "lesson_en": CUSTOM_LESSON, "quiz_en": CUSTOM_QUIZ}  # fmt: skip
        response = client_alice.post("/o/clinic-a/training/custom/new/", form)
        assert response.status_code == 200, (pass_mark, minutes)
        assert "Visitors sign in at reception." in response.content.decode()
    assert client_alice.get("/o/clinic-a/training/m/visitors/").status_code == 404
