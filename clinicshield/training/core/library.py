"""Reads a whole library folder and checks it as a set: both languages, matching quizzes, tracks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .content import (
    DEFAULT_LIBRARY,
    DEPARTMENTS,
    KEY_PATTERN,
    LANGUAGES,
    MIN_QUESTIONS,
    ROLE_TAGS,
    ContentError,
    Lesson,
    Library,
    Module,
    Problem,
    Quiz,
    Source,
    parse_lesson,
    parse_quiz,
)

MIN_LESSON_WORDS = 500  # below this a lesson cannot be the 5-10 minute read we promise
MAX_LESSON_WORDS = 1600


def load_library(root: Path = DEFAULT_LIBRARY) -> Library:
    """The library at `root`, or ContentError listing every problem found."""
    library, problems = read_library(root)
    if problems:
        raise ContentError(problems)
    return library


def validate_library(root: Path = DEFAULT_LIBRARY) -> list[Problem]:
    return read_library(root)[1]


def read_library(root: Path) -> tuple[Library, list[Problem]]:
    problems: list[Problem] = []
    modules: dict[str, Module] = {}
    modules_dir = root / "modules"
    if not modules_dir.is_dir():
        return Library({}, {}), [Problem("library_without_modules", str(modules_dir))]
    for folder in sorted(p for p in modules_dir.iterdir() if p.is_dir()):
        module, found = read_module(folder)
        problems += found
        if module is not None:
            modules[module.key] = module
    folders = {p.name for p in modules_dir.iterdir() if p.is_dir()}
    tracks, found = read_tracks(root / "tracks.yml", modules, folders)
    problems += found
    return Library(modules=modules, tracks=tracks), problems


def read_module(folder: Path) -> tuple[Module | None, list[Problem]]:
    where = str(folder)
    meta, problems = _read_meta(folder / "module.yml", folder.name)
    lessons: dict[str, Lesson] = {}
    quizzes: dict[str, Quiz] = {}
    for lang in LANGUAGES:
        lesson_path, quiz_path = folder / f"{lang}.md", folder / f"quiz.{lang}.yml"
        if not lesson_path.is_file():
            problems.append(Problem("lesson_missing", str(lesson_path), {"language": lang}))
        else:
            lesson, found = parse_lesson(lesson_path.read_text(encoding="utf-8"), str(lesson_path))
            problems += found
            if lesson is not None:
                problems += _check_length(lesson, str(lesson_path))
                lessons[lang] = lesson
        if not quiz_path.is_file():
            problems.append(Problem("quiz_missing", str(quiz_path), {"language": lang}))
        else:
            quiz, found = parse_quiz(quiz_path.read_text(encoding="utf-8"), str(quiz_path))
            problems += found
            if quiz is not None:
                if len(quiz.questions) < MIN_QUESTIONS:
                    problems.append(
                        Problem(
                            "quiz_too_short",
                            str(quiz_path),
                            {"questions": len(quiz.questions), "minimum": MIN_QUESTIONS},
                        )
                    )
                quizzes[lang] = quiz
    problems += check_translations_match(quizzes, where)
    if problems or meta is None:
        return None, problems
    module = Module(lessons=lessons, quizzes=quizzes, **meta)
    return module, []


def check_translations_match(quizzes: dict[str, Quiz], where: str) -> list[Problem]:
    """Every language asks the same questions, with the right answer in the same place.

    Same ids let the manager page count the most-missed questions across languages; the same
    correct position catches a translation that silently changed the answer.
    """
    problems: list[Problem] = []
    if not quizzes:
        return problems
    reference_lang, reference = next(iter(quizzes.items()))
    shape = [(q.id, len(q.choices), q.correct_index) for q in reference.questions]
    for lang, quiz in quizzes.items():
        other = [(q.id, len(q.choices), q.correct_index) for q in quiz.questions]
        if other != shape:
            problems.append(
                Problem(
                    "quiz_translations_differ",
                    where,
                    {"language": lang, "reference": reference_lang},
                )
            )
    return problems


def _check_length(lesson: Lesson, where: str) -> list[Problem]:
    if MIN_LESSON_WORDS <= lesson.words <= MAX_LESSON_WORDS:
        return []
    return [
        Problem(
            "lesson_length_out_of_range",
            where,
            {"words": lesson.words, "minimum": MIN_LESSON_WORDS, "maximum": MAX_LESSON_WORDS},
        )
    ]


def _read_meta(path: Path, folder_key: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    where = str(path)
    if not path.is_file():
        return None, [Problem("module_yml_missing", where)]
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [Problem("module_yml_not_yaml", where, {"error": str(exc)[:200]})]
    if not isinstance(raw, dict):
        return None, [Problem("module_yml_not_a_mapping", where)]
    problems: list[Problem] = []
    key = str(raw.get("key", ""))
    if key != folder_key or not KEY_PATTERN.match(key):
        problems.append(Problem("module_key_mismatch", where, {"key": key, "folder": folder_key}))
    roles = raw.get("roles")
    if not isinstance(roles, list) or not roles or not set(roles) <= ROLE_TAGS:
        problems.append(Problem("module_bad_roles", where, {"allowed": sorted(ROLE_TAGS)}))
        roles = []
    pass_mark = raw.get("pass_mark")
    if not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        problems.append(Problem("module_bad_pass_mark", where, {"pass_mark": pass_mark}))
    minutes = raw.get("minutes")
    if not isinstance(minutes, int) or not 5 <= minutes <= 10:
        problems.append(Problem("module_bad_minutes", where, {"minutes": minutes}))
    sources = tuple(
        Source(title=str(s.get("title", "")), url=str(s.get("url", "")))
        for s in raw.get("sources") or []
        if isinstance(s, dict)
    )
    if problems:
        return None, problems
    meta = {
        "key": key,
        "order": int(raw.get("order", 100)),
        "roles": tuple(roles),
        "pass_mark": pass_mark,
        "minutes": minutes,
        "sources": sources,
    }
    return meta, []


def read_tracks(
    path: Path, modules: dict[str, Module], folders: set[str]
) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """tracks.yml maps each department to its onboarding modules, in order.

    A module whose folder exists but failed to load was already reported; it is not reported
    again here as unknown.
    """
    where = str(path)
    if not path.is_file():
        return {}, [Problem("tracks_missing", where)]
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems: list[Problem] = []
    tracks: dict[str, tuple[str, ...]] = {}
    for department in DEPARTMENTS:
        keys = raw.get(department)
        if not isinstance(keys, list) or not keys:
            problems.append(Problem("track_missing", where, {"department": department}))
            continue
        for key in keys:
            module = modules.get(key)
            if module is None and key not in folders:
                problems.append(Problem("track_unknown_module", where, {"module": key}))
            elif module is not None and not module.is_for(department):
                problems.append(
                    Problem(
                        "track_module_not_for_role",
                        where,
                        {"module": key, "department": department},
                    )
                )
        tracks[department] = tuple(keys)
    for extra in sorted(set(raw) - set(DEPARTMENTS)):
        problems.append(Problem("track_unknown_department", where, {"department": extra}))
    return tracks, problems
