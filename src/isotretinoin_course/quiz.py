"""Quiz question banks: loading, validation, answer checking and scoring.

A question bank is a YAML file, one per notebook, in ``content/quiz_banks/``.
This module knows nothing about widgets, so every rule about what counts as a
right answer is a plain function that the tests call directly; the widgets in
:mod:`isotretinoin_course.quiz_widget` only draw what these functions decide.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import jsonschema
import yaml

QUESTION_TYPES = ("single", "multiple", "numeric")
BANK_DIRECTORY = resources.files("isotretinoin_course") / "content" / "quiz_banks"
SCHEMA_FILE = resources.files("isotretinoin_course") / "content" / "quiz_bank.schema.json"


class QuizBankError(ValueError):
    """A question bank that cannot be used, with the file, question and field named."""


@dataclass(frozen=True)
class Option:
    """One choice of a single- or multiple-answer question."""

    id: str
    text: str
    correct: bool
    feedback: str
    misconception: str | None = None


@dataclass(frozen=True)
class AnticipatedValue:
    """A wrong numeric answer we expect students to give, with targeted feedback."""

    value: float
    feedback: str
    misconception: str | None = None


@dataclass(frozen=True)
class Question:
    """A question of one of the types in :data:`QUESTION_TYPES`."""

    id: str
    type: str
    objective: str
    prompt: str
    explanation: str
    options: tuple[Option, ...] = ()
    answer: float | None = None
    tolerance: float = 0.0
    unit: str = ""
    feedback_correct: str = ""
    feedback_incorrect: str = ""
    anticipated: tuple[AnticipatedValue, ...] = ()

    @property
    def correct_option_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options if option.correct)

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"Question {self.id!r} has no option {option_id!r}")


@dataclass(frozen=True)
class QuizBank:
    """All the questions for one notebook."""

    source: str
    notebook: str
    title: str
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"{self.source} has no question {question_id!r}")

    def select(self, question_ids: Sequence[str] | None) -> tuple[Question, ...]:
        """The questions with these ids, in the order given (all of them for ``None``)."""
        if question_ids is None:
            return self.questions
        return tuple(self.question(question_id) for question_id in question_ids)

    @property
    def objectives(self) -> frozenset[str]:
        return frozenset(question.objective for question in self.questions)


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


# --------------------------------------------------------------------------- loading


def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _field_path(path: Iterable[object]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _where(source: str, raw: Mapping, path: Sequence[object]) -> str:
    """Name the file, the question (by id and number) and the field of a problem."""
    path = list(path)
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        number = path[1]
        questions = raw.get("questions") or []
        question = questions[number] if number < len(questions) else {}
        question_id = question.get("id") if isinstance(question, Mapping) else None
        name = f"question {number + 1}" + (f" ({question_id!r})" if question_id else "")
        return f"{source}: {name}, field '{_field_path(path[2:])}'"
    return f"{source}: field '{_field_path(path)}'"


def validate_bank_data(raw: object, source: str) -> None:
    """Refuse a bank that breaks the schema or the rules a schema cannot express.

    Raises :class:`QuizBankError` whose message names the file, the question
    and the field, e.g. ``01.yml: question 3 ('q-sebum'), field 'options[1].feedback': ...``.
    """
    if not isinstance(raw, Mapping):
        raise QuizBankError(f"{source}: the file must hold a mapping with 'notebook', 'title' and 'questions'")
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(raw), key=lambda error: list(error.absolute_path))
    if errors:
        error = errors[0]
        raise QuizBankError(f"{_where(source, raw, error.absolute_path)}: {error.message}")

    seen_ids: set[str] = set()
    for number, question in enumerate(raw["questions"]):
        where = lambda field_name: _where(source, raw, ["questions", number, field_name])  # noqa: E731
        if question["id"] in seen_ids:
            raise QuizBankError(f"{where('id')}: duplicate question id {question['id']!r}")
        seen_ids.add(question["id"])
        kind = question["type"]
        if kind in ("single", "multiple"):
            option_ids = [option["id"] for option in question["options"]]
            if len(set(option_ids)) != len(option_ids):
                raise QuizBankError(f"{where('options')}: option ids must be unique, got {option_ids}")
            n_correct = sum(bool(option["correct"]) for option in question["options"])
            if kind == "single" and n_correct != 1:
                raise QuizBankError(f"{where('options')}: a single-answer question needs exactly one correct option, found {n_correct}")
            if kind == "multiple" and n_correct < 1:
                raise QuizBankError(f"{where('options')}: a multiple-answer question needs at least one correct option")
            for option in question["options"]:
                if option["correct"] and option.get("misconception"):
                    raise QuizBankError(
                        f"{where('options')}: option {option['id']!r} is correct, so it cannot probe a misconception"
                    )
        else:
            for wrong in question.get("anticipated_wrong", []):
                if abs(wrong["value"] - question["answer"]) <= question["tolerance"]:
                    raise QuizBankError(
                        f"{where('anticipated_wrong')}: {wrong['value']} lies within the tolerance of the answer {question['answer']}"
                    )


def _question_from_data(data: Mapping) -> Question:
    common = dict(
        id=data["id"],
        type=data["type"],
        objective=data["objective"],
        prompt=data["prompt"].strip(),
        explanation=data["explanation"].strip(),
    )
    if data["type"] == "numeric":
        return Question(
            **common,
            answer=float(data["answer"]),
            tolerance=float(data["tolerance"]),
            unit=data["unit"],
            feedback_correct=data["feedback_correct"].strip(),
            feedback_incorrect=data["feedback_incorrect"].strip(),
            anticipated=tuple(
                AnticipatedValue(float(item["value"]), item["feedback"].strip(), item.get("misconception"))
                for item in data.get("anticipated_wrong", [])
            ),
        )
    return Question(
        **common,
        options=tuple(
            Option(str(item["id"]), item["text"].strip(), bool(item["correct"]), item["feedback"].strip(), item.get("misconception"))
            for item in data["options"]
        ),
    )


def load_bank_file(path: str | Path) -> QuizBank:
    """Load and validate a question bank from a YAML file."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuizBankError(f"{path}: no such question bank") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise QuizBankError(f"{source}: not valid YAML: {error}") from None
    validate_bank_data(raw, source)
    return QuizBank(
        source=source,
        notebook=raw["notebook"],
        title=raw["title"],
        questions=tuple(_question_from_data(question) for question in raw["questions"]),
    )


def load_bank(notebook: str) -> QuizBank:
    """Load the course's question bank for a notebook, e.g. ``load_bank("01_acne_pathophysiology")``."""
    bank_path = Path(str(BANK_DIRECTORY / f"{notebook}.yml"))
    if not bank_path.exists():
        available = ", ".join(sorted(bank_names()))
        raise QuizBankError(f"There is no question bank named {notebook!r}. Available: {available}")
    bank = load_bank_file(bank_path)
    if bank.notebook != notebook:
        raise QuizBankError(f"{bank.source}: field 'notebook' says {bank.notebook!r}, but the file is named for {notebook!r}")
    return bank


def bank_names() -> list[str]:
    """The notebooks that have a question bank."""
    return sorted(Path(str(entry)).stem for entry in BANK_DIRECTORY.iterdir() if str(entry).endswith(".yml"))


# --------------------------------------------------------------------------- checking


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str | float | int | None) -> float | None:
    """Read a student's numeric answer; ``None`` when it is not a finite number.

    Accepts a decimal comma (``"0,5"``) because many of our students write it.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        cleaned = text.strip().replace(" ", "")
        if not _NUMBER.match(cleaned):
            return None
        value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


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
    value = parse_number(response)  # type: ignore[arg-type]
    if value is None:
        shown = "" if response is None else str(response).strip()
        if not shown:
            return AnswerResult(valid=False, correct=False, message=f"Type a number (in {question.unit}), then check your answer.")
        return AnswerResult(valid=False, correct=False, message=f"{shown!r} is not a number. Type digits only, in {question.unit}.")
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
