"""Loading and validating the shipped playbooks and scenarios, in every language.

Layout: `content/playbooks/<lang>/<key>.yaml` and `content/scenarios/<lang>/<key>.yaml`.
A file validates when its shape is right (schema.py), its ids are unique, its references
point at things that exist, and its twin in the other language has the same structure:
only the words may differ, never the ids, roles, time limits, points or clocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .schema import LANGUAGES, Playbook, Scenario
from .sources import ContentError, Problem, Source, read_source

CONTENT_ROOT = Path(__file__).resolve().parent.parent / "content"
KINDS: dict[str, type[Playbook] | type[Scenario]] = {"playbooks": Playbook, "scenarios": Scenario}

# Keys whose values are words for people: they differ between languages, nothing else may.
TEXT_KEYS = frozenset(
    {
        "title",
        "summary",
        "details",
        "text",
        "prompt",
        "narrative",
        "headline",
        "description",
        "do_now",
        "do_not",
        "when_to_use",
        "based_on",
        "report_prompt",
    }
)
# Identical long sentences in two languages almost always mean someone forgot to translate.
UNTRANSLATED_MIN_LENGTH = 30

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Catalogue:
    playbooks: dict[str, dict[str, Playbook]]  # language -> key -> playbook
    scenarios: dict[str, dict[str, Scenario]]

    def playbook(self, key: str, language: str) -> Playbook:
        return self.playbooks[_known_language(language)][key]

    def scenario(self, key: str, language: str) -> Scenario:
        return self.scenarios[_known_language(language)][key]

    def languages_of_scenario(self, key: str) -> list[str]:
        return [lang for lang in LANGUAGES if key in self.scenarios.get(lang, {})]


def _known_language(language: str) -> str:
    """Fall back to English for any language we do not ship (e.g. "es-mx" -> "es")."""
    base = language.lower().split("-")[0].split("_")[0]
    return base if base in LANGUAGES else "en"


def _shape_problems(source: Source, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        path = tuple(item["loc"])
        where = ".".join(str(part) for part in path) or "(document)"
        problems.append(source.problem(path, item["type"], f"{where}: {item['msg']}", field=where))
    return problems


def _duplicates(values: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            yield value
        seen.add(value)


def _unique_ids(source: Source, items: list[Any], path: tuple[str | int, ...]) -> list[Problem]:
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    return [
        source.problem((*path, ids.index(dup)), "duplicate_id", f"id {dup!r} is used twice", id=dup)
        for dup in _duplicates(str(i) for i in ids if i is not None)
    ]


def _playbook_rules(source: Source, playbook: Playbook) -> list[Problem]:
    data = source.data
    problems = _unique_ids(source, data["steps"], ("steps",))
    for n, step in enumerate(data["steps"]):
        problems += _unique_ids(source, step.get("checklist", []), ("steps", n, "checklist"))
    if playbook.personal_data_possible and not any(s.clock for s in playbook.steps):
        problems.append(
            source.problem(
                ("personal_data_possible",),
                "missing_clock",
                "a playbook where personal data may be affected needs a step tied to a clock",
            )
        )
    return problems


def _rubric_problems(source: Source, scenario: Scenario) -> list[Problem]:
    problems = []
    for n, area in enumerate(scenario.areas):
        thresholds = [level.min_percent for level in area.rubric]
        if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(
            thresholds
        ):
            problems.append(
                source.problem(
                    ("areas", n, "rubric"),
                    "rubric_order",
                    "rubric levels must go from the highest min_percent down, each different",
                )
            )
        if thresholds and thresholds[-1] != 0:
            problems.append(
                source.problem(
                    ("areas", n, "rubric"), "rubric_floor", "the last rubric level must start at 0"
                )
            )
    return problems


def _scenario_rules(source: Source, scenario: Scenario) -> list[Problem]:
    data = source.data
    problems = _unique_ids(source, data["injects"], ("injects",))
    question_ids = [q.id for q in scenario.questions()]
    for dup in _duplicates(question_ids):
        problems.append(source.problem(("injects",), "duplicate_id", f"question id {dup!r} twice"))
    minutes = [inject.at_minute for inject in scenario.injects]
    if minutes != sorted(minutes) or len(set(minutes)) != len(minutes):
        problems.append(
            source.problem(("injects",), "inject_order", "injects must have rising at_minute")
        )
    if minutes and minutes[-1] >= scenario.duration_minutes:
        problems.append(
            source.problem(
                ("duration_minutes",), "inject_after_end", "the last inject comes after the end"
            )
        )
    area_keys = {area.key for area in scenario.areas}
    used_areas = set()
    for i, inject in enumerate(scenario.injects):
        for q, question in enumerate(inject.questions):
            used_areas.add(question.area)
            where = ("injects", i, "questions", q)
            if question.area not in area_keys:
                problems.append(
                    source.problem(
                        (*where, "area"),
                        "unknown_area",
                        f"area {question.area!r} is not declared",
                    )
                )
            problems += _unique_ids(
                source,
                data["injects"][i]["questions"][q]["expected_actions"],
                (*where, "expected_actions"),
            )
    for n, area in enumerate(scenario.areas):
        if area.key not in used_areas:
            problems.append(
                source.problem(("areas", n), "unused_area", f"no question scores {area.key!r}")
            )
    return problems + _rubric_problems(source, scenario)


def _skeleton(value: Any, key: str | None = None) -> Any:
    """The structure of a document with the words taken out."""
    if isinstance(value, dict):
        return {k: _skeleton(v, k) for k, v in value.items() if k != "language"}
    if isinstance(value, list):
        return [_skeleton(item, key) for item in value]
    if key in TEXT_KEYS and isinstance(value, str):
        return "<text>"
    return value


def _first_difference(a: Any, b: Any, path: tuple[str | int, ...] = ()) -> tuple | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return (*path, k)
            found = _first_difference(a[k], b[k], (*path, k))
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for n, (x, y) in enumerate(zip(a, b, strict=False)):
            found = _first_difference(x, y, (*path, n))
            if found is not None:
                return found
        return None if len(a) == len(b) else (*path, min(len(a), len(b)))
    return None if a == b else path


def _same_texts(a: Any, b: Any, key: str | None = None, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() & b.keys():
            yield from _same_texts(a[k], b[k], k, (*path, k))
    elif isinstance(a, list) and isinstance(b, list):
        for n, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from _same_texts(x, y, key, (*path, n))
    elif key in TEXT_KEYS and a == b and isinstance(a, str) and len(a) >= UNTRANSLATED_MIN_LENGTH:
        yield path


def parity_problems(reference: Source, translation: Source) -> list[Problem]:
    """Problems of `translation` against `reference` (the English file)."""
    problems = []
    where = _first_difference(_skeleton(reference.data), _skeleton(translation.data))
    if where is not None:
        shown = ".".join(str(p) for p in where)
        problems.append(
            translation.problem(
                where,
                "structure_differs",
                f"differs from {reference.name} at {shown} (only words may differ)",
                reference=reference.name,
                field=shown,
            )
        )
    for path in _same_texts(reference.data, translation.data):
        problems.append(
            translation.problem(path, "untranslated_text", "same sentence as in English")
        )
    return problems


def _check_file(kind: str, lang: str, path: Path, root: Path) -> tuple[Source | None, list]:
    try:
        source = read_source(path, root)
    except ContentError as exc:
        return None, exc.problems
    model_class = KINDS[kind]
    if not isinstance(source.data, dict):
        return None, [source.problem((), "not_a_mapping", "the file must be a YAML mapping")]
    try:
        model = model_class.model_validate(source.data)
    except ValidationError as exc:
        return None, _shape_problems(source, exc)
    problems = []
    if model.key != path.stem:
        problems.append(source.problem(("key",), "key_mismatch", f"key must be {path.stem!r}"))
    if model.language != lang:
        problems.append(source.problem(("language",), "language_mismatch", f"must be {lang!r}"))
    if isinstance(model, Playbook):
        problems += _playbook_rules(source, model)
    elif isinstance(model, Scenario):
        problems += _scenario_rules(source, model)
    return (source if not problems else None), problems


@dataclass
class _Loaded:
    sources: dict[tuple[str, str, str], Source]  # (kind, lang, key) -> source
    problems: list[Problem]


def _load_sources(root: Path) -> _Loaded:
    loaded = _Loaded({}, [])
    for kind in KINDS:
        for lang in LANGUAGES:
            folder = root / kind / lang
            for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
                source, problems = _check_file(kind, lang, path, root)
                loaded.problems += problems
                if source is not None:
                    loaded.sources[(kind, lang, path.stem)] = source
    return loaded


def _cross_file_problems(loaded: _Loaded, root: Path) -> list[Problem]:
    problems = []
    keys = {(kind, key) for kind, _lang, key in loaded.sources}
    for (kind, lang, key), source in loaded.sources.items():
        if lang == LANGUAGES[0]:
            for other in LANGUAGES[1:]:
                if (kind, other, key) not in loaded.sources and (root / kind / other).is_dir():
                    missing = f"{kind}/{other}/{key}.yaml"
                    problems.append(
                        source.problem((), "missing_translation", f"{missing} is missing")
                    )
            continue
        reference = loaded.sources.get((kind, LANGUAGES[0], key))
        if reference is None:
            problems.append(source.problem((), "missing_reference", "no English original"))
        else:
            problems += parity_problems(reference, source)
        if kind == "scenarios":
            problems += _playbook_links(source, keys)
    return problems


def _playbook_links(source: Source, keys: set[tuple[str, str]]) -> list[Problem]:
    return [
        source.problem(("playbooks", n), "unknown_playbook", f"no playbook {key!r}")
        for n, key in enumerate(source.data.get("playbooks", []))
        if ("playbooks", key) not in keys
    ]


def validate_content(root: Path = CONTENT_ROOT) -> list[Problem]:
    """Every problem in the content tree; an empty list means it is all good."""
    loaded = _load_sources(root)
    return loaded.problems + _cross_file_problems(loaded, root)


def _models(loaded: _Loaded, kind: str, cls: type[M]) -> dict[str, dict[str, M]]:
    result: dict[str, dict[str, M]] = {lang: {} for lang in LANGUAGES}
    for (k, lang, key), source in sorted(loaded.sources.items()):
        if k == kind:
            result[lang][key] = cls.model_validate(source.data)
    return result


def load_catalogue(root: Path = CONTENT_ROOT) -> Catalogue:
    """All content, or ContentError listing every problem (nothing half-loaded)."""
    loaded = _load_sources(root)
    problems = loaded.problems + _cross_file_problems(loaded, root)
    if problems:
        raise ContentError(problems)
    return Catalogue(
        playbooks=_models(loaded, "playbooks", Playbook),
        scenarios=_models(loaded, "scenarios", Scenario),
    )


@cache
def shipped_catalogue() -> Catalogue:
    """The content shipped with ClinicShield, loaded once per process."""
    return load_catalogue(CONTENT_ROOT)
