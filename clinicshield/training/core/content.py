"""Loads and validates the course library: Markdown lessons and YAML quizzes.

Layout of a library folder (see docs/training.md):

    modules/<key>/module.yml      roles, pass mark, reading time, order, sources
    modules/<key>/<lang>.md       the lesson, one file per language, starting with "# Title"
    modules/<key>/quiz.<lang>.yml the quiz in that language (same question ids in every language)
    tracks.yml                    which modules each department gets at onboarding

Problems are returned as typed data (code, where, params) so that the CLI, the tests and
the custom-module editor can each word them in their own way; nothing here raises on bad
content except `load_library`, which refuses to hand out a broken library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

LANGUAGES: tuple[str, ...] = ("en", "es")
DEPARTMENTS: tuple[str, ...] = ("front_desk", "clinical", "lab", "billing", "management", "it")
ROLE_TAGS: frozenset[str] = frozenset(DEPARTMENTS) | {"all"}
# The staff roster's departments (accounts app) grouped into the training tracks above.
TRACK_OF_DEPARTMENT: dict[str, str] = {
    "reception": "front_desk",
    "clinician": "clinical",
    "nurse": "clinical",
    "lab": "lab",
    "billing": "billing",
    "management": "management",
    "it": "it",
}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,48}$")
MIN_QUESTIONS = 6
MIN_CHOICES = 2
DEFAULT_LIBRARY = Path(__file__).resolve().parent.parent / "content"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, with where it is."""

    code: str
    where: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.where}: {self.code}" + (f" ({detail})" if detail else "")


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[Choice, ...]
    explanation: str

    @property
    def correct_index(self) -> int:
        return next(i for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Lesson:
    title: str
    summary: str
    markdown: str
    words: int


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Module:
    key: str
    order: int
    roles: tuple[str, ...]
    pass_mark: int
    minutes: int
    lessons: dict[str, Lesson]
    quizzes: dict[str, Quiz]
    sources: tuple[Source, ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if lang in self.lessons)

    def title(self, lang: str) -> str:
        lesson = self.lessons.get(lang) or self.lessons[self.languages[0]]
        return lesson.title

    def is_for(self, department: str) -> bool:
        return "all" in self.roles or department in self.roles


@dataclass(frozen=True)
class Library:
    modules: dict[str, Module]
    tracks: dict[str, tuple[str, ...]]

    def ordered(self) -> list[Module]:
        return sorted(self.modules.values(), key=lambda m: (m.order, m.key))

    def track(self, department: str) -> list[Module]:
        return [self.modules[k] for k in self.tracks.get(department, ())]


# --------------------------------------------------------------------------- lessons


def parse_lesson(text: str, where: str) -> tuple[Lesson | None, list[Problem]]:
    """A lesson is Markdown whose first non-blank line is `# Title`."""
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("# "):
        return None, [Problem("lesson_without_title", where)]
    title = lines[0][2:].strip()
    body = "\n".join(lines[1:]).strip()
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    summary = next((p for p in paragraphs if not p.startswith(("#", "-", ">", "|", "1."))), "")
    words = len(re.findall(r"\w+", body))
    return Lesson(title=title, summary=" ".join(summary.split()), markdown=body, words=words), []


# --------------------------------------------------------------------------- quizzes


def parse_quiz(text: str, where: str) -> tuple[Quiz | None, list[Problem]]:
    """Parse quiz YAML; every question needs an id, text, ≥2 choices, one correct, explanation."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        return None, [Problem("quiz_not_yaml", f"{where}:{line}", {"error": str(exc)[:200]})]
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return None, [Problem("quiz_without_questions", where)]
    problems: list[Problem] = []
    questions: list[Question] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["questions"], start=1):
        question, found = _parse_question(raw, f"{where} question {number}")
        problems += found
        if question is None:
            continue
        if question.id in seen:
            problems.append(Problem("duplicate_question_id", where, {"id": question.id}))
        seen.add(question.id)
        questions.append(question)
    if problems:
        return None, problems
    return Quiz(questions=tuple(questions)), []


def _parse_question(raw: Any, where: str) -> tuple[Question | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem("question_not_a_mapping", where)]
    problems: list[Problem] = []
    qid, text, explanation = (str(raw.get(k) or "").strip() for k in ("id", "text", "explanation"))
    if not KEY_PATTERN.match(qid):
        problems.append(Problem("question_bad_id", where, {"id": qid}))
    if not text:
        problems.append(Problem("question_without_text", where))
    if not explanation:
        problems.append(Problem("question_without_explanation", where))
    choices = _parse_choices(raw.get("choices"), where, problems)
    if problems:
        return None, problems
    return Question(id=qid, text=text, choices=choices, explanation=explanation), []


def _parse_choices(raw: Any, where: str, problems: list[Problem]) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < MIN_CHOICES:
        problems.append(Problem("question_too_few_choices", where, {"minimum": MIN_CHOICES}))
        return ()
    choices: list[Choice] = []
    for item in raw:
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            problems.append(Problem("choice_without_text", where))
            continue
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            problems.append(Problem("choice_correct_not_boolean", where))
            continue
        choices.append(Choice(text=str(item["text"]).strip(), correct=correct))
    correct_count = sum(c.correct for c in choices)
    if correct_count != 1:
        problems.append(Problem("question_needs_one_correct", where, {"found": correct_count}))
    return tuple(choices)
