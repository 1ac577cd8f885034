"""The template library: loading, checking and rendering simulation emails.

Templates are YAML files in `content/templates/`, one per lure, with an English
and a Spanish (Spain) version and the red flags a careful reader could have
spotted. Organisations write their own in the same shape (stored in the
database); both go through `template_from_dict`, which says exactly which field
is wrong. Bodies are Markdown with `{{placeholders}}`; values are escaped for
HTML, so a person called `<b>Ana</b>` cannot inject markup into the email.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import yaml

LANGUAGES = ("en", "es")
KINDS = ("phishing", "clickfix")
LANDINGS = {"credential": "phishing", "clickfix": "clickfix", "filefix": "clickfix"}
DIFFICULTIES = {1: "easy", 2: "medium", 3: "hard"}
PLACEHOLDERS = frozenset({"first_name", "full_name", "clinic_name", "site_name", "link", "date"})
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_LANG_FIELDS = ("name", "from_name", "subject", "body", "landing_title", "landing_intro")
CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


class TemplateError(ValueError):
    """A template that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class RedFlag:
    code: str
    text: dict[str, str]  # language -> sentence


@dataclass(frozen=True)
class LanguageVersion:
    name: str
    from_name: str
    subject: str
    body: str  # Markdown with placeholders
    landing_title: str
    landing_intro: str


@dataclass(frozen=True)
class EmailTemplate:
    key: str
    kind: str
    landing: str
    difficulty: int
    lure: str
    versions: dict[str, LanguageVersion]
    red_flags: list[RedFlag]

    @property
    def difficulty_label(self) -> str:
        return DIFFICULTIES[self.difficulty]

    def version(self, language: str) -> LanguageVersion:
        return self.versions.get(language) or self.versions["en"]


def _require(data: dict[str, Any], name: str, where: str) -> Any:
    if name not in data or data[name] in (None, ""):
        raise TemplateError(f"{where}: missing field {name!r}")
    return data[name]


def _check_placeholders(text: str, where: str) -> None:
    for found in _PLACEHOLDER_RE.findall(text):
        if found not in PLACEHOLDERS:
            allowed = ", ".join(sorted(PLACEHOLDERS))
            raise TemplateError(
                f"{where}: unknown placeholder {{{{{found}}}}} (allowed: {allowed})"
            )


def template_from_dict(data: Any, where: str) -> EmailTemplate:
    if not isinstance(data, dict):
        raise TemplateError(f"{where}: expected a mapping at the top level")
    key = str(_require(data, "key", where))
    landing = str(_require(data, "landing", where))
    if landing not in LANDINGS:
        raise TemplateError(f"{where}: landing {landing!r} is not one of {sorted(LANDINGS)}")
    difficulty = _require(data, "difficulty", where)
    if not isinstance(difficulty, int) or difficulty not in DIFFICULTIES:
        raise TemplateError(f"{where}: difficulty must be 1, 2 or 3, got {difficulty!r}")
    versions: dict[str, LanguageVersion] = {}
    for language in LANGUAGES:
        block = data.get(language)
        if block is None:
            continue
        if not isinstance(block, dict):
            raise TemplateError(f"{where}: {language} must be a mapping")
        values = {f: str(_require(block, f, f"{where} {language}")) for f in _LANG_FIELDS}
        for field_name in ("subject", "body", "from_name"):
            _check_placeholders(values[field_name], f"{where} {language}.{field_name}")
        if "{{link}}" not in values["body"].replace(" ", ""):
            raise TemplateError(f"{where} {language}.body: needs a {{{{link}}}} placeholder")
        versions[language] = LanguageVersion(**values)
    if "en" not in versions:
        raise TemplateError(f"{where}: needs at least an 'en' version")
    flags = []
    raw_flags = data.get("red_flags") or []
    if not isinstance(raw_flags, list):
        raise TemplateError(f"{where}: red_flags must be a list")
    for index, flag in enumerate(raw_flags):
        flag_where = f"{where} red_flags[{index}]"
        if not isinstance(flag, dict):
            raise TemplateError(f"{flag_where}: expected a mapping with a code and sentences")
        code = str(_require(flag, "code", flag_where))
        texts = {lang: str(flag[lang]) for lang in LANGUAGES if flag.get(lang)}
        if "en" not in texts:
            raise TemplateError(f"{flag_where}: needs an 'en' sentence")
        flags.append(RedFlag(code, texts))
    return EmailTemplate(
        key=key,
        kind=LANDINGS[landing],
        landing=landing,
        difficulty=int(difficulty),
        lure=str(data.get("lure", key)),
        versions=versions,
        red_flags=flags,
    )


def library_definitions(directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """The raw definitions of the shipped library, checked, by key."""
    directory = directory or CONTENT_DIR / "templates"
    definitions: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise TemplateError(f"{path.name}: not valid YAML: {exc}") from None
        template = template_from_dict(data, path.name)
        if template.key in definitions:
            raise TemplateError(f"{path.name}: key {template.key!r} is used twice")
        definitions[template.key] = data
    return definitions


def load_library(directory: Path | None = None) -> dict[str, EmailTemplate]:
    return {
        key: template_from_dict(data, key) for key, data in library_definitions(directory).items()
    }


def library_rows(library: dict[str, EmailTemplate]) -> list[dict[str, str]]:
    """One row per template and language, for listings (CLI and API)."""
    return [
        {
            "key": key,
            "name": version.name,
            "language": language,
            "kind": template.kind,
            "landing": template.landing,
            "difficulty": DIFFICULTIES[template.difficulty],
        }
        for key, template in sorted(library.items())
        for language, version in sorted(template.versions.items())
    ]


@dataclass(frozen=True)
class RenderedEmail:
    from_name: str
    subject: str
    text: str
    html: str


def _fill(text: str, values: dict[str, str], escape: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        return html.escape(value, quote=True) if escape else value

    return _PLACEHOLDER_RE.sub(replace, text)


@dataclass(frozen=True)
class PreparedEmail:
    """A template turned into HTML once, with placeholders left to fill per recipient."""

    language: str
    from_name: str
    subject: str
    text: str
    html: str


def prepare_email(template: EmailTemplate, language: str) -> PreparedEmail:
    version = template.version(language)
    language = language if language in template.versions else "en"
    return PreparedEmail(
        language=language,
        from_name=version.from_name,
        subject=version.subject,
        text=_markdown_to_text(version.body),
        html=markdown.markdown(version.body, extensions=["nl2br"]),
    )


def render_email(
    template: EmailTemplate | PreparedEmail,
    language: str,
    values: dict[str, str],
    pixel_url: str = "",
) -> RenderedEmail:
    """Subject, plain text and HTML of one recipient's email."""
    prepared = (
        template if isinstance(template, PreparedEmail) else prepare_email(template, language)
    )
    language = prepared.language
    html_text = _fill(prepared.html, values, escape=True)
    if pixel_url:
        html_text += (
            f'<img src="{html.escape(pixel_url, quote=True)}" width="1" height="1" '
            'alt="" style="display:block;border:0">'
        )
    document = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:Arial,sans-serif;font-size:15px">{html_text}</body></html>'
    )
    return RenderedEmail(
        from_name=_fill(prepared.from_name, values, escape=False),
        subject=_fill(prepared.subject, values, escape=False),
        text=_fill(prepared.text, values, escape=False),
        html=document,
    )


_MD_LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _markdown_to_text(body: str) -> str:
    # "[See results]({{link}})" reads as "See results: {{link}}" in the text part.
    text = _MD_LINK_RE.sub(r"\1: \2", body)
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
