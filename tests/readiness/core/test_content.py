"""The shipped playbooks and scenarios validate, in English and Spanish alike."""

import shutil
from pathlib import Path

import pytest

from clinicshield.readiness.core.catalogue import (
    CONTENT_ROOT,
    load_catalogue,
    shipped_catalogue,
    validate_content,
)
from clinicshield.readiness.core.schema import LANGUAGES, ROLES
from clinicshield.readiness.core.sources import ContentError

REQUIRED_PLAYBOOKS = {
    "clickfix",
    "ransomware",
    "data-breach",
    "lost-device",
    "suspicious-sign-in",
    "payment-fraud",
}
REQUIRED_SCENARIOS = {
    "interlock-clickfix-reception",
    "ransomware-friday-night",
    "lost-laptop",
    "supplier-invoice-fraud",
}


def test_it_finds_no_problem_in_the_shipped_content():
    assert [str(p) for p in validate_content()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_ships_every_playbook_and_scenario_in_each_language(language):
    catalogue = shipped_catalogue()
    assert set(catalogue.playbooks[language]) >= REQUIRED_PLAYBOOKS
    assert set(catalogue.scenarios[language]) >= REQUIRED_SCENARIOS


def test_playbooks_cover_every_role_named_in_the_issue():
    catalogue = shipped_catalogue()
    used = {step.role for p in catalogue.playbooks["en"].values() for step in p.steps}
    assert {"front_desk", "manager", "it_support", "dpo"} <= used <= set(ROLES)


def test_breach_playbook_ties_steps_to_gdpr_and_hipaa_clocks():
    playbook = shipped_catalogue().playbook("data-breach", "es")
    clocks = {step.clock for step in playbook.steps}
    assert {"gdpr_authority", "gdpr_individuals", "hipaa_individuals"} <= clocks
    assert playbook.step("notify_authority").within_minutes == 72 * 60


def test_spanish_words_differ_from_english_words():
    catalogue = shipped_catalogue()
    for key, english in catalogue.scenarios["en"].items():
        spanish = catalogue.scenarios["es"][key]
        assert spanish.title != english.title
        assert [i.at_minute for i in spanish.injects] == [i.at_minute for i in english.injects]


def test_unknown_language_falls_back_to_english_and_regional_spanish_to_spanish():
    catalogue = shipped_catalogue()
    assert catalogue.playbook("clickfix", "fr").language == "en"
    assert catalogue.playbook("clickfix", "es-ES").language == "es"


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT, root)
    return root


def _replace(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def test_it_reports_a_changed_role_in_the_translation_with_file_and_line(content_copy):
    spanish = content_copy / "playbooks/es/clickfix.yaml"
    line = _replace(spanish, "    role: front_desk\n", "    role: manager\n")
    problems = validate_content(content_copy)
    assert [(p.file, p.line, p.code) for p in problems] == [
        ("playbooks/es/clickfix.yaml", line, "structure_differs")
    ]
    assert "steps.2.role" in problems[0].detail


def test_it_reports_an_unknown_role_where_it_is(content_copy):
    english = content_copy / "playbooks/en/lost-device.yaml"
    line = _replace(english, "role: dpo", "role: janitor")
    problems = validate_content(content_copy)
    shape = [p for p in problems if p.code == "literal_error"]
    assert shape and shape[0].file == "playbooks/en/lost-device.yaml"
    assert shape[0].line == line


def test_it_reports_a_question_scoring_an_undeclared_area(content_copy):
    english = content_copy / "scenarios/en/lost-laptop.yaml"
    line = _replace(english, "area: prevention", "area: prevention-typo")
    codes = {(p.code, p.line) for p in validate_content(content_copy)}
    assert ("unknown_area", line) in codes
    assert any(code == "unused_area" for code, _ in codes)


def test_it_reports_a_yaml_syntax_error_with_its_line(content_copy):
    english = content_copy / "scenarios/en/lost-laptop.yaml"
    english.write_text("key: lost-laptop\ntitle: [unclosed\n", encoding="utf-8")
    problems = [p for p in validate_content(content_copy) if p.file.endswith("en/lost-laptop.yaml")]
    assert problems[0].code == "yaml_syntax"
    assert problems[0].line >= 2


def test_it_reports_a_missing_translation_and_an_untranslated_sentence(content_copy):
    (content_copy / "scenarios/es/lost-laptop.yaml").unlink()
    english = (content_copy / "playbooks/en/payment-fraud.yaml").read_text(encoding="utf-8")
    spanish_path = content_copy / "playbooks/es/payment-fraud.yaml"
    summary = english.split("summary: >-\n")[1].split("severity:")[0]
    spanish = spanish_path.read_text(encoding="utf-8")
    spanish_summary = spanish.split("summary: >-\n")[1].split("severity:")[0]
    spanish_path.write_text(spanish.replace(spanish_summary, summary), encoding="utf-8")
    codes = {p.code for p in validate_content(content_copy)}
    assert {"missing_translation", "untranslated_text"} <= codes


def test_it_refuses_to_load_anything_when_a_file_is_bad(content_copy):
    _replace(content_copy / "scenarios/en/lost-laptop.yaml", "points: 3", "points: 9")
    with pytest.raises(ContentError) as caught:
        load_catalogue(content_copy)
    assert any(p.code == "less_than_equal" for p in caught.value.problems)


def test_it_reports_injects_out_of_order_and_duplicate_ids(content_copy):
    path = content_copy / "scenarios/en/supplier-invoice-fraud.yaml"
    _replace(path, "at_minute: 35", "at_minute: 5")
    _replace(path, "- id: check-sender", "- id: call-known")
    codes = {p.code for p in validate_content(content_copy)}
    assert {"inject_order", "duplicate_id"} <= codes
