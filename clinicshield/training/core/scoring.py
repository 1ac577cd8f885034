"""Quiz scoring: answers in, score and per-question outcome out. Runs on the server only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .content import Quiz


@dataclass(frozen=True)
class QuestionOutcome:
    question_id: str
    chosen: int | None  # None when the question was left unanswered
    correct_index: int
    explanation: str

    @property
    def correct(self) -> bool:
        return self.chosen == self.correct_index


@dataclass(frozen=True)
class QuizResult:
    score: int  # whole percent, rounded down so that "80" always means at least 80 %
    passed: bool
    pass_mark: int
    outcomes: tuple[QuestionOutcome, ...]

    @property
    def missed(self) -> list[str]:
        return [o.question_id for o in self.outcomes if not o.correct]


class AnswerError(ValueError):
    """The submitted answers do not fit the quiz (unknown question, choice out of range)."""

    def __init__(self, code: str, question_id: str) -> None:
        super().__init__(f"{code}: {question_id}")
        self.code = code
        self.question_id = question_id


def score_quiz(quiz: Quiz, answers: Mapping[str, int | None], pass_mark: int) -> QuizResult:
    """Score `answers` (question id -> chosen choice index) against `quiz`.

    An unanswered question counts as wrong. Answers to questions that are not in the quiz, or
    choice numbers out of range, are refused rather than ignored: they mean the page and the
    quiz disagree, and silently scoring them would hide that.
    """
    unknown = sorted(set(answers) - {q.id for q in quiz.questions})
    if unknown:
        raise AnswerError("unknown_question", unknown[0])
    outcomes = []
    for question in quiz.questions:
        chosen = answers.get(question.id)
        if chosen is not None and not 0 <= chosen < len(question.choices):
            raise AnswerError("choice_out_of_range", question.id)
        outcomes.append(
            QuestionOutcome(
                question_id=question.id,
                chosen=chosen,
                correct_index=question.correct_index,
                explanation=question.explanation,
            )
        )
    right = sum(o.correct for o in outcomes)
    score = (100 * right) // len(outcomes) if outcomes else 0
    return QuizResult(
        score=score, passed=score >= pass_mark, pass_mark=pass_mark, outcomes=tuple(outcomes)
    )
