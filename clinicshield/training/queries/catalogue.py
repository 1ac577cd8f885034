"""An organisation's catalogue: our shipped library, its own modules, its pass marks.

Read-only; the shipped library is loaded once per process (it is data files in the package).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from clinicshield.accounts.models import Organisation

from ..core.content import (
    DEFAULT_LIBRARY,
    LANGUAGES,
    Lesson,
    Library,
    Module,
    Problem,
    Quiz,
    parse_lesson,
    parse_quiz,
)
from ..core.library import check_translations_match, load_library
from ..core.schedule import Policy
from ..models import CustomModule, ModuleSetting


@lru_cache(maxsize=1)
def shipped_library() -> Library:
    return load_library()


def policy_for(org: Organisation) -> Policy:
    return Policy(refresh_months=org.training_refresh_months or 6)


def parse_custom(custom: CustomModule) -> tuple[Module | None, list[Problem]]:
    """A custom module as a core Module, or the problems that stop it being one.

    Unlike ours, a custom module may exist in one language only; each language present needs
    both a lesson and a quiz, and the quizzes must agree across languages.
    """
    lessons: dict[str, Lesson] = {}
    quizzes: dict[str, Quiz] = {}
    problems: list[Problem] = []
    for lang in LANGUAGES:
        lesson_text = getattr(custom, f"lesson_{lang}").strip()
        quiz_text = getattr(custom, f"quiz_{lang}").strip()
        if not lesson_text and not quiz_text:
            continue
        lesson, found = parse_lesson(lesson_text, f"lesson_{lang}")
        problems += found
        quiz, found = parse_quiz(quiz_text, f"quiz_{lang}")
        problems += found
        if lesson is not None and quiz is not None:
            lessons[lang], quizzes[lang] = lesson, quiz
    if not lessons and not problems:
        problems.append(Problem("custom_module_empty", "lesson_en"))
    problems += check_translations_match(quizzes, "quiz")
    if problems:
        return None, problems
    module = Module(
        key=custom.key,
        order=1000,
        roles=tuple(custom.roles or ["all"]),
        pass_mark=custom.pass_mark,
        minutes=custom.minutes,
        lessons=lessons,
        quizzes=quizzes,
    )
    return module, []


def catalogue(org: Organisation) -> dict[str, Module]:
    """Every module this organisation can assign, with its own pass marks applied."""
    modules = dict(shipped_library().modules)
    for custom in CustomModule.objects.filter(organisation=org):
        module, _problems = parse_custom(custom)
        if module is not None and module.key not in modules:
            modules[module.key] = module
    for setting in ModuleSetting.objects.filter(organisation=org, pass_mark__isnull=False):
        if setting.module_key in modules and setting.pass_mark:
            modules[setting.module_key] = replace(
                modules[setting.module_key], pass_mark=setting.pass_mark
            )
    return dict(sorted(modules.items(), key=lambda kv: (kv[1].order, kv[0])))


def disabled_keys(org: Organisation) -> set[str]:
    """Modules this organisation has switched off: nobody is assigned them any more."""
    return set(
        ModuleSetting.objects.filter(organisation=org, enabled=False).values_list(
            "module_key", flat=True
        )
    )


def assignable(org: Organisation) -> dict[str, Module]:
    off = disabled_keys(org)
    return {key: m for key, m in catalogue(org).items() if key not in off}


def shipped_sources(key: str) -> dict[str, str]:
    """The raw Markdown and YAML of a shipped module, to start an organisation's own copy."""
    folder = DEFAULT_LIBRARY / "modules" / key
    texts = {}
    for lang in LANGUAGES:
        for field, name in ((f"lesson_{lang}", f"{lang}.md"), (f"quiz_{lang}", f"quiz.{lang}.yml")):
            path = folder / name
            texts[field] = path.read_text(encoding="utf-8") if path.is_file() else ""
    return texts


def module_for(org: Organisation, key: str) -> Module | None:
    return catalogue(org).get(key)


class Catalogues(dict[int, dict[str, Module]]):
    """Each organisation's catalogue, read once per job run rather than once per person."""

    def of(self, org: Organisation) -> dict[str, Module]:
        if org.pk not in self:
            self[org.pk] = catalogue(org)
        return self[org.pk]


def language_for(module: Module, preferred: str) -> str:
    """The person's language when the module has it, else English, else what there is."""
    for lang in (preferred, "en", *module.languages):
        if lang in module.lessons:
            return lang
    raise LookupError(module.key)
