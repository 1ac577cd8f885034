"""The shipped library validates, and the validator catches what it promises to catch."""

import shutil
from pathlib import Path

import pytest

from clinicshield.training.core.content import (
    DEFAULT_LIBRARY,
    DEPARTMENTS,
    LANGUAGES,
    TRACK_OF_DEPARTMENT,
    ContentError,
    parse_lesson,
    parse_quiz,
)
from clinicshield.training.core.library import load_library, validate_library

REQUIRED_TOPICS = {
    "clickfix",
    "phishing",
    "passwords-mfa",
    "reporting",
    "patient-privacy",
    "ransomware-backups",
    "devices-remote",
    "phone-scams",
}


def test_it_ships_a_valid_library() -> None:
    assert validate_library() == []


def test_it_ships_at_least_eight_modules_covering_the_issue_topics() -> None:
    library = load_library()
    assert len(library.modules) >= 8
    assert set(library.modules) >= REQUIRED_TOPICS


def test_every_module_has_both_languages_six_questions_and_a_5_to_10_minute_read() -> None:
    for module in load_library().modules.values():
        assert module.languages == LANGUAGES, module.key
        for lang in LANGUAGES:
            words = module.lessons[lang].words
            assert 600 <= words <= 1400, (module.key, lang, words)
            assert len(module.quizzes[lang].questions) >= 6
            for question in module.quizzes[lang].questions:
                assert sum(c.correct for c in question.choices) == 1
                assert question.explanation


def test_the_clickfix_lesson_cites_its_public_sources() -> None:
    module = load_library().modules["clickfix"]
    urls = " ".join(s.url for s in module.sources)
    assert "aa25-203a" in urls
    assert "DaVita" in module.lessons["en"].markdown
    assert "Win+R" in module.lessons["es"].markdown


def test_every_department_has_a_track_and_every_roster_department_maps_to_one() -> None:
    library = load_library()
    assert set(library.tracks) == set(DEPARTMENTS)
    assert set(TRACK_OF_DEPARTMENT.values()) <= set(DEPARTMENTS)
    assert "ransomware-backups" in library.tracks["it"]
    assert "ransomware-backups" not in library.tracks["front_desk"]
    assert "payment-fraud" in library.tracks["billing"]
    assert "medical-devices" in library.tracks["lab"]
    assert "medical-devices" not in library.tracks["billing"]


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_LIBRARY, target)
    return target


def codes(root: Path) -> set[str]:
    return {p.code for p in validate_library(root)}


def test_it_reports_a_missing_translation_with_its_path(library_copy: Path) -> None:
    (library_copy / "modules" / "phishing" / "es.md").unlink()
    problems = validate_library(library_copy)
    assert [p.code for p in problems] == ["lesson_missing"]
    assert problems[0].where.endswith("phishing/es.md")
    with pytest.raises(ContentError, match="lesson_missing"):
        load_library(library_copy)


def test_it_refuses_a_question_with_two_correct_answers(library_copy: Path) -> None:
    quiz = library_copy / "modules" / "clickfix" / "quiz.en.yml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(
        text.replace(
            '- text: "A normal CAPTCHA that needs extra steps on Windows computers."',
            '- text: "A normal CAPTCHA that needs extra steps on Windows computers."\n'
            "        correct: true",
            1,
        ),
        encoding="utf-8",
    )
    problems = validate_library(library_copy)
    assert any(
        p.code == "question_needs_one_correct" and p.params == {"found": 2} for p in problems
    )


def test_it_notices_a_translation_that_moved_the_right_answer(library_copy: Path) -> None:
    quiz = library_copy / "modules" / "phone-scams" / "quiz.es.yml"
    text = quiz.read_text(encoding="utf-8")
    # Make the first choice of the first question correct instead of the second one.
    text = text.replace(
        '"Sí, los números no se pueden falsificar."', '"Sí."\n        correct: true', 1
    )
    text = text.replace('así que no demuestra nada."\n        correct: true', 'así que no."', 1)
    quiz.write_text(text, encoding="utf-8")
    assert "quiz_translations_differ" in codes(library_copy)


def test_it_refuses_a_track_with_a_module_not_meant_for_that_role(library_copy: Path) -> None:
    tracks = library_copy / "tracks.yml"
    tracks.write_text(
        tracks.read_text(encoding="utf-8").replace("lab: [", "lab: [ransomware-backups, "),
        encoding="utf-8",
    )
    assert "track_module_not_for_role" in codes(library_copy)


def test_it_gives_the_line_of_broken_yaml() -> None:
    quiz, problems = parse_quiz("questions:\n  - id: a\n    text: [unclosed\n", "q.yml")
    assert quiz is None
    assert problems[0].code == "quiz_not_yaml"
    assert problems[0].where.startswith("q.yml:")


def test_it_lists_every_problem_of_a_question_at_once() -> None:
    quiz, problems = parse_quiz(
        "questions:\n  - id: Bad Id\n    choices:\n      - text: only one\n", "custom"
    )
    assert quiz is None
    assert {p.code for p in problems} == {
        "question_bad_id",
        "question_without_text",
        "question_without_explanation",
        "question_too_few_choices",
    }


def test_a_lesson_needs_a_title() -> None:
    lesson, problems = parse_lesson("Just text", "x.md")
    assert lesson is None and problems[0].code == "lesson_without_title"
    lesson, problems = parse_lesson("# Title\n\nFirst paragraph.\n\n## More\n", "x.md")
    assert lesson is not None and lesson.title == "Title"
    assert lesson.summary == "First paragraph."
