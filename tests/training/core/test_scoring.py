import pytest

from clinicshield.training.core.content import parse_quiz
from clinicshield.training.core.library import load_library
from clinicshield.training.core.scoring import AnswerError, score_quiz

QUIZ_YAML = """
questions:
  - id: one
    text: First?
    choices: [{text: a, correct: true}, {text: b}]
    explanation: Because a.
  - id: two
    text: Second?
    choices: [{text: a}, {text: b, correct: true}, {text: c}]
    explanation: Because b.
  - id: three
    text: Third?
    choices: [{text: a}, {text: b}, {text: c, correct: true}]
    explanation: Because c.
"""


def quiz():
    parsed, problems = parse_quiz(QUIZ_YAML, "test")
    assert problems == []
    assert parsed is not None
    return parsed


def test_it_scores_all_right_as_100_and_passes() -> None:
    result = score_quiz(quiz(), {"one": 0, "two": 1, "three": 2}, pass_mark=80)
    assert (result.score, result.passed, result.missed) == (100, True, [])


def test_it_rounds_down_so_a_pass_mark_is_never_reached_by_rounding() -> None:
    result = score_quiz(quiz(), {"one": 0, "two": 1, "three": 0}, pass_mark=67)
    assert result.score == 66
    assert not result.passed
    assert result.missed == ["three"]


def test_it_counts_unanswered_questions_as_wrong() -> None:
    result = score_quiz(quiz(), {"one": 0}, pass_mark=30)
    assert result.score == 33
    assert result.passed
    assert result.outcomes[1].chosen is None
    assert result.outcomes[1].explanation == "Because b."


def test_it_refuses_answers_that_do_not_fit_the_quiz() -> None:
    with pytest.raises(AnswerError) as error:
        score_quiz(quiz(), {"four": 0}, pass_mark=80)
    assert error.value.code == "unknown_question"
    with pytest.raises(AnswerError) as error:
        score_quiz(quiz(), {"two": 3}, pass_mark=80)
    assert (error.value.code, error.value.question_id) == ("choice_out_of_range", "two")


def test_the_shipped_quizzes_score_the_same_in_both_languages() -> None:
    for module in load_library().modules.values():
        en, es = module.quizzes["en"], module.quizzes["es"]
        answers = {q.id: q.correct_index for q in en.questions}
        assert score_quiz(es, answers, module.pass_mark).score == 100
