"""Checking quiz answers and keeping score: every rule about what counts as a right answer.

This module knows nothing about widgets or files: the questions come from
:mod:`isotretinoin_course.content.quiz_banks`, the widgets in :mod:`isotretinoin_course.widgets.quiz`
only draw what these functions decide, and the tests call them directly. A typed numeric answer is read
by the course's one number reader (a decimal comma is fine; "1,000" is refused as ambiguous).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..content.quiz_banks import Question, QuizBank
from ..core.errors import CourseInputError
from ..core.identity import student_identity
from ..core.inputs import checked_arguments, read_bool, read_instance, read_mapping, read_number, read_sequence, read_text


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


@checked_arguments
def presented_questions(bank: QuizBank, question_ids: Sequence[str] | None = None, student: str | None = None) -> tuple[Question, ...]:
    """The questions a quiz shows, in the order it shows them, each with its options in the order shown.

    The one place that decides the order: the live widget, its static HTML and the course website all
    take their questions from here (the website through :attr:`widgets.quiz.Quiz.questions`), so none
    re-implements it. Questions keep the bank's (teaching) order; each question's options are shuffled
    by :func:`option_order`, seeded from ``student`` (default: :func:`core.identity.student_identity`,
    the course's fixed order unless a student identity is set). Options keep their ids, so checking and
    scoring never depend on where an option was shown. A bank whose options are a fixed scale (``scale:
    true``, e.g. the claim verdicts of notebook 08) keeps the scale's order, which carries no hint.
    """
    if bank.scale:
        return bank.select(question_ids)
    identity = student_identity() if student is None else read_text(student, "student", empty=False)
    return tuple(replace(question, options=option_order(question, identity, bank.notebook)) for question in bank.select(question_ids))


@checked_arguments
def option_order(question: Question, student: str, bank_name: str = "") -> tuple:
    """A question's options in the order one student sees them: a shuffle seeded by student, bank and question.

    The seed is a SHA-256 digest (not Python's ``hash``, which changes per process), so the same student
    gets the same order in every session, on every machine, and different questions get different orders.
    """
    student, bank_name = read_text(student, "student"), read_text(bank_name, "bank_name")
    options = list(question.options)
    if len(options) < 2:
        return tuple(options)
    digest = hashlib.sha256(f"{student}\x1f{bank_name}\x1f{question.id}".encode()).digest()
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(options)
    return tuple(options)


def option_label(position: int) -> str:
    """The letter shown before the option at ``position`` (0-based) as presented: a), b), c) ...

    Letters follow the order shown, not the option's id, so a shuffled question still reads a), b), c).
    """
    position = int(read_number(position, "position", minimum=0, maximum=25, integer=True))
    return f"{chr(ord('a') + position)})"


# --------------------------------------------------------------------------- checking


@checked_arguments
def check_answer(question: Question, response: object) -> AnswerResult:
    """Judge one response to one question.

    ``response`` is an option id for a single-answer question, a collection of
    option ids for a multiple-answer question, and a number (or the text the
    student typed) for a numeric question. A response of the wrong form is not judged: the result says what to enter.
    """
    question = read_instance(question, "question", Question, "a quiz Question")
    if question.type == "single":
        return _check_single(question, response)
    if question.type == "multiple":
        return _check_multiple(question, response)
    return _check_numeric(question, response)


def _check_single(question: Question, response: object) -> AnswerResult:
    if response is None or (isinstance(response, str) and not response.strip()):
        return AnswerResult(valid=False, correct=False, message="Choose one option, then check your answer.")
    if not isinstance(response, str):
        return AnswerResult(valid=False, correct=False, message=f"Choose one option by its letter ({', '.join(_ids(question))}), not {response!r:.40}.")
    try:
        option = question.option(response)
    except KeyError:
        return AnswerResult(valid=False, correct=False, message=f"{response!r:.40} is not one of the options ({', '.join(_ids(question))}).")
    misconceptions = (option.misconception,) if option.misconception else ()
    return AnswerResult(valid=True, correct=option.correct, feedback=(option.feedback,), misconceptions=misconceptions)


def _ids(question: Question) -> list[str]:
    return [option.id for option in question.options]


def _ticked(response: object) -> list[str] | None:
    """The ids a multiple-answer response ticks: a lone id, a collection of ids, or a mapping of id to True/False
    (what a set of checkboxes gives). ``None`` when the response is of no such form."""
    if response is None:
        return []
    if isinstance(response, str):
        return [response] if response.strip() else []  # a lone id is a one-item choice
    if isinstance(response, Mapping):
        if not all(isinstance(key, str) and isinstance(value, bool) for key, value in response.items()):
            return None
        return [key for key, ticked in response.items() if ticked]
    if isinstance(response, Iterable) and not hasattr(response, "shape"):
        items = list(response)
        return items if all(isinstance(item, str) for item in items) else None
    return None


def _check_multiple(question: Question, response: object) -> AnswerResult:
    chosen_ids = _ticked(response)
    if chosen_ids is None:
        return AnswerResult(valid=False, correct=False,
                            message=f"Tick options by their letters ({', '.join(_ids(question))}), not {response!r:.40}.")
    if not chosen_ids:
        return AnswerResult(valid=False, correct=False, message="Tick at least one option, then check your answer.")
    unknown = [item for item in chosen_ids if item not in _ids(question)]
    if unknown:
        return AnswerResult(valid=False, correct=False, message=f"Not options of this question: {', '.join(unknown)[:80]}.")
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
    if response is None or (isinstance(response, str) and not response.strip()):
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


@checked_arguments
def correct_answer_text(question: Question) -> str:
    """The right answer in words, for the 'reveal answers' view and static pages."""
    question = read_instance(question, "question", Question, "a quiz Question")
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

    def __post_init__(self) -> None:
        self.question_ids = tuple(read_sequence(self.question_ids, "question_ids", lambda item, where: read_text(item, where, empty=False),
                                                unique=True))
        attempts = read_mapping(self.attempts, "attempts")
        self.attempts = {key: [read_bool(item, f"attempts[{key!r}]") for item in read_sequence(value, f"attempts[{key!r}]")]
                         for key, value in attempts.items() if key in self.question_ids}

    def record(self, question_id: str, result: AnswerResult) -> None:
        if question_id not in self.question_ids:
            raise CourseInputError("question_id", question_id, "a question of this quiz",
                                   message=f"question_id: {question_id!r} is not part of this quiz")
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
