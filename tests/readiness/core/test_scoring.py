"""Drill scoring per area, from the expected actions the team named."""

import pytest

from clinicshield.readiness.core.catalogue import shipped_catalogue
from clinicshield.readiness.core.scoring import ScoringError, inject_due, score_drill


@pytest.fixture
def scenario():
    return shipped_catalogue().scenario("lost-laptop", "en")


def all_actions(scenario):
    return {q.id: [a.id for a in q.expected_actions] for q in scenario.questions()}


def test_it_gives_full_marks_and_strong_levels_when_every_action_is_named(scenario):
    score = score_drill(scenario, all_actions(scenario))
    assert score.percent == 100
    assert {a.level for a in score.areas} == {"strong"}
    assert score.unanswered == ()
    assert all(not a.gaps for a in score.areas)


def test_it_scores_each_area_on_its_own(scenario):
    answers = all_actions(scenario)
    answers["q-deadlines"] = ["patients"]  # 2 of 7 compliance points
    score = score_drill(scenario, answers)
    compliance = score.area("compliance")
    assert (compliance.earned, compliance.possible, compliance.percent) == (2, 7, 29)
    assert compliance.level == "gap"
    assert {g.action_id for g in compliance.gaps} == {"authority", "hipaa", "register"}
    assert score.area("containment").level == "strong"


def test_it_rounds_half_up_before_choosing_a_level(scenario):
    answers = {"q-contain": ["lock-wipe", "evidence"]}  # 3 of 5 = 60
    assert score_drill(scenario, answers).area("containment").percent == 60
    answers = {"q-reception": ["report-it", "list-contents"]}  # 4 of 5 = 80: strong
    area = score_drill(scenario, answers).area("detection")
    assert (area.percent, area.level) == (80, "strong")


def test_it_lists_questions_with_nothing_recorded(scenario):
    score = score_drill(scenario, {"q-reception": ["report-it"]})
    assert "q-prevent" in score.unanswered and "q-reception" not in score.unanswered
    assert score.area("prevention").level == "gap"


def test_it_refuses_unknown_questions_and_actions_by_name(scenario):
    with pytest.raises(ScoringError, match="no question 'q-nope'") as caught:
        score_drill(scenario, {"q-nope": []})
    assert caught.value.code == "unknown_question"
    with pytest.raises(ScoringError, match="no expected action 'guess'"):
        score_drill(scenario, {"q-reception": ["guess"]})


def test_spanish_and_english_drills_score_the_same(scenario):
    spanish = shipped_catalogue().scenario("lost-laptop", "es")
    answers = {"q-reception": ["report-it"], "q-deadlines": ["authority", "hipaa"]}
    assert score_drill(spanish, answers) == score_drill(scenario, answers)


def test_injects_come_due_as_the_drill_clock_runs(scenario):
    assert inject_due(scenario, 0) == ["mentioned"]
    assert inject_due(scenario, 20) == ["mentioned", "device-status", "breach-call"]
