"""Checking quiz answers and keeping score: every rule about what counts as a right answer.

This module knows nothing about widgets or files: the questions come from
:mod:`isotretinoin_course.content.quiz_banks`, the widgets in :mod:`isotretinoin_course.widgets.quiz`
only draw what these functions decide, and the tests call them directly. A typed numeric answer is read
by the course's one number reader (a decimal comma is fine; "1,000" is refused as ambiguous).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..content.quiz_banks import Question, QuizBank
from ..core.errors import CourseInputError
from ..core.inputs import read_number


@dataclass(frozen=True)
class AnswerResult:
    """What checking one response found.

    ``valid`` is False when the response could not be judged at all (nothing
    chosen, text that is not a number); ``message`` then says what to fix and
    the attempt is not counted.
    """

    valid: bool
    correct: bool
    feedback: tuple[str, ...] = ()
    misconceptions: tuple[str, ...] = ()
    message: str = ""


# --------------------------------------------------------------------------- what a quiz shows


def presented_questions(bank: QuizBank, question_ids: Sequence[str] | None = None) -> tuple[Question, ...]:
    """The questions a quiz shows, in the order it shows them, each with its options in the order shown.

    The one place that decides the order: the live widget, its static HTML and the course website all
    take their questions from here (the website through :attr:`widgets.quiz.Quiz.questions`), so a change
    of order made here (a per-student shuffle, say) reaches all three and none re-implements it.
    """
    return bank.select(question_ids)


# --------------------------------------------------------------------------- checking


def check_answer(question: Question, response: object) -> AnswerResult:
    """Judge one response to one question.

    ``response`` is an option id for a single-answer question, a collection of
    option ids for a multiple-answer question, and a number (or the text the
    student typed) for a numeric question.
    """
    if question.type == "single":
        return _check_single(question, response)
    if question.type == "multiple":
        return _check_multiple(question, response)
    return _check_numeric(question, response)


def _check_single(question: Question, response: object) -> AnswerResult:
    if response is None or response == "":
        return AnswerResult(valid=False, correct=False, message="Choose one option, then check your answer.")
    try:
        option = question.option(str(response))
    except KeyError:
        return AnswerResult(valid=False, correct=False, message=f"{response!r} is not one of the options.")
    misconceptions = (option.misconception,) if option.misconception else ()
    return AnswerResult(valid=True, correct=option.correct, feedback=(option.feedback,), misconceptions=misconceptions)


def _check_multiple(question: Question, response: object) -> AnswerResult:
    if response is None or isinstance(response, str):
        chosen_ids: list[str] = [] if not response else [response]  # a lone id is a one-item choice
    else:
        chosen_ids = [str(item) for item in response]  # type: ignore[union-attr]
    if not chosen_ids:
        return AnswerResult(valid=False, correct=False, message="Tick at least one option, then check your answer.")
    unknown = [item for item in chosen_ids if item not in {option.id for option in question.options}]
    if unknown:
        return AnswerResult(valid=False, correct=False, message=f"Not options of this question: {', '.join(unknown)}.")
    chosen = set(chosen_ids)
    feedback = [question.option(option_id).feedback for option_id in (o.id for o in question.options) if option_id in chosen]
    missed = [option for option in question.options if option.correct and option.id not in chosen]
    if missed:
        feedback.append(f"You left out {len(missed)} correct option{'s' if len(missed) > 1 else ''}.")
    misconceptions = tuple(
        option.misconception for option in question.options if option.id in chosen and not option.correct and option.misconception
    )
    return AnswerResult(
        valid=True,
        correct=chosen == question.correct_option_ids,
        feedback=tuple(feedback),
        misconceptions=misconceptions,
    )


def _check_numeric(question: Question, response: object) -> AnswerResult:
    if response is None or not str(response).strip():
        return AnswerResult(valid=False, correct=False, message=f"Type a number (in {question.unit}), then check your answer.")
    try:
        value = read_number(response, "Your answer", unit=question.unit)
    except CourseInputError as error:
        return AnswerResult(valid=False, correct=False, message=f"{error}. Type digits only, in {question.unit}.")
    assert question.answer is not None
    if abs(value - question.answer) <= question.tolerance:
        return AnswerResult(valid=True, correct=True, feedback=(question.feedback_correct,))
    for wrong in question.anticipated:
        if abs(value - wrong.value) <= question.tolerance:
            misconceptions = (wrong.misconception,) if wrong.misconception else ()
            return AnswerResult(valid=True, correct=False, feedback=(wrong.feedback,), misconceptions=misconceptions)
    return AnswerResult(valid=True, correct=False, feedback=(question.feedback_incorrect,))


def correct_answer_text(question: Question) -> str:
    """The right answer in words, for the 'reveal answers' view and static pages."""
    if question.type == "numeric":
        tolerance = f" (within ±{question.tolerance:g})" if question.tolerance else ""
        return f"{question.answer:g} {question.unit}{tolerance}"
    return "; ".join(option.text for option in question.options if option.correct)


# --------------------------------------------------------------------------- scoring


@dataclass
class QuizProgress:
    """A student's attempts on a set of questions: the running score.

    A question counts as correct once the latest valid attempt is right, and as
    first-try correct if the first valid attempt was right. Invalid responses
    (nothing chosen, not a number) are not attempts.
    """

    question_ids: tuple[str, ...]
    attempts: dict[str, list[bool]] = field(default_factory=dict)

    def record(self, question_id: str, result: AnswerResult) -> None:
        if question_id not in self.question_ids:
            raise KeyError(f"{question_id!r} is not part of this quiz")
        if result.valid:
            self.attempts.setdefault(question_id, []).append(result.correct)

    def restore(self, question_id: str, attempts: int, correct_first_time: bool, correct_now: bool) -> None:
        """Take up a question's attempts saved in an earlier session (the counts the score needs, not every verdict)."""
        if question_id not in self.question_ids:
            raise KeyError(f"{question_id!r} is not part of this quiz")
        if attempts < 1:
            raise ValueError(f"a saved result has at least one attempt, not {attempts}")
        self.attempts[question_id] = [correct_first_time] + [correct_now] * (attempts - 1) if attempts > 1 else [correct_now]

    @property
    def answered(self) -> int:
        return sum(1 for question_id in self.question_ids if self.attempts.get(question_id))

    @property
    def correct(self) -> int:
        return sum(1 for question_id in self.question_ids if self.attempts.get(question_id, [False])[-1])

    @property
    def first_try_correct(self) -> int:
        return sum(1 for question_id in self.question_ids if self.attempts.get(question_id, [False])[0])

    @property
    def total_attempts(self) -> int:
        return sum(len(results) for results in self.attempts.values())

    def summary(self) -> str:
        total = len(self.question_ids)
        return (
            f"Score: {self.correct} of {total} correct"
            f" · right first time: {self.first_try_correct}"
            f" · answered: {self.answered} of {total}"
            f" · attempts: {self.total_attempts}"
        )
