"""Quiz question banks: the data model of a question, loading, the schema and the checks a schema cannot express.

A question bank is a YAML file, one per notebook (a notebook may have more, named in the lesson
manifest), in ``content/quiz_banks/``, validated against ``content/schemas/quiz_bank.schema.json``.
A malformed bank is refused with a message naming the file, the question and the field. Every
question names the bibliography keys it rests on (``sources``, shown to the student under the
explanation) and every bank carries the date its content was last checked (``last_reviewed``; the
notebook lint holds the notebook's own date to it). Checking
answers and keeping score is :mod:`isotretinoin_course.models.quiz`; drawing is
:mod:`isotretinoin_course.widgets.quiz`. Questions built in code (the capstone's) go through the same
checks: :func:`question_data` turns a :class:`Question` back into the bank's data form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.resources import content_file, content_files
from .bibliography import Bibliography, load_bibliography
from ..core.inputs import checked_arguments, read_choice, read_instance, read_sequence
from .validation import ContentError, content_path, load_checked, read_structured, refusal, shape_checked, validate_data, where

QUESTION_TYPES = ("single", "multiple", "numeric")
BANK_DIRECTORY = content_file("quiz_banks")


class QuizBankError(ContentError):
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
    sources: tuple[str, ...] = ()  # bibliography keys the question rests on
    level: str = ""  # "recall" (state a fact) or "apply" (use it: a case, a calculation, a decision)

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
    last_reviewed: str = ""  # ISO date the bank's content was last checked against its sources
    scale: bool = False  # every question offers the same fixed scale of options (e.g. verdicts), shown in the scale's order

    def question(self, question_id: str) -> Question:
        """The question with this id; an unknown id is refused with the ids listed and the closest suggested."""
        question_id = read_choice(question_id, "question_id", [question.id for question in self.questions], what="question ids of this bank",
                                  error=QuizBankError)
        return next(question for question in self.questions if question.id == question_id)

    def select(self, question_ids: Sequence[str] | None) -> tuple[Question, ...]:
        """The questions with these ids, in the order given (all of them for ``None``); each id once."""
        if question_ids is None:
            return self.questions
        ids = read_sequence(question_ids, "question_ids", unique=True, error=QuizBankError)
        if not ids:
            raise QuizBankError("question_ids", ids, "at least one question id", message="question_ids: the list is empty; give at least one id, "
                                                                                          "or None for every question")
        return tuple(self.question(question_id) for question_id in ids)

    @property
    def objectives(self) -> frozenset[str]:
        return frozenset(question.objective for question in self.questions)


# --------------------------------------------------------------------------- checks


@shape_checked("quiz_bank", QuizBankError)
def bank_problems(raw: object, source: str) -> None:
    """The rules a schema cannot express: unique ids, exactly one right option in a single-answer question,
    no misconception on a right option, anticipated wrong values outside the tolerance. Raises
    :class:`QuizBankError`; data of another shape than the schema's is refused."""
    seen_ids: set[str] = set()
    for number, question in enumerate(raw["questions"]):
        def at(field_name: str, number: int = number) -> str:
            return where(source, raw, ["questions", number, field_name])

        if question["id"] in seen_ids:
            raise refusal(QuizBankError, at("id"), question["id"], "each id once", f"duplicate question id {question['id']!r}")
        seen_ids.add(question["id"])
        if question["type"] in ("single", "multiple"):
            option_ids = [option["id"] for option in question["options"]]
            if len(set(option_ids)) != len(option_ids):
                raise refusal(QuizBankError, at("options"), option_ids, "unique option ids", f"option ids must be unique, got {option_ids}")
            n_correct = sum(bool(option["correct"]) for option in question["options"])
            if question["type"] == "single" and n_correct != 1:
                raise refusal(QuizBankError, at("options"), n_correct, "exactly one correct option",
                              f"a single-answer question needs exactly one correct option, found {n_correct}")
            if question["type"] == "multiple" and n_correct < 1:
                raise refusal(QuizBankError, at("options"), 0, "at least one correct option", "a multiple-answer question needs at least one correct option")
            for option in question["options"]:
                if option["correct"] and option.get("misconception"):
                    raise refusal(QuizBankError, at("options"), option["id"], "no misconception on a correct option",
                                  f"option {option['id']!r} is correct, so it cannot probe a misconception")
        else:
            for wrong in question.get("anticipated_wrong", []):
                if abs(wrong["value"] - question["answer"]) <= question["tolerance"]:
                    raise refusal(QuizBankError, at("anticipated_wrong"), wrong["value"], "a value outside the answer's tolerance",
                                  f"{wrong['value']} lies within the tolerance of the answer {question['answer']}")


MAX_SHARE_OF_ONE_KEY_POSITION = 0.4
MAX_SHARE_OF_LONGEST_KEYS = 0.5
MIN_SHARE_OF_APPLY_ITEMS = 0.5
LEVELS = ("recall", "apply")


@checked_arguments
def balance_problems(bank: QuizBank) -> list[str]:
    """What would let a student answer without knowing: the bank's lint, on the options in their AUTHORED order.

    Quizzes shuffle options for each student (:func:`models.quiz.presented_questions`), but the shuffle must
    not be what hides a biased bank, so this reads the bank as written:

    - no position (first, second, ...) holds the right option of more than 40% of the single-answer
      questions; a bank too small for that (2 questions of 3 options cannot do better than 1 in 2) may not
      exceed the fewest achievable, ceil(questions / most options of any question);
    - the right option is the longest (ties count) in at most half of the single-answer questions;
    - no multiple-answer question lists all its right options first (and each has a wrong option);
    - every question names its level, and at least half are ``apply`` (a case, a calculation, a decision).

    A bank marked ``scale: true`` (each question offers the same verdicts, say "accurate" to "wrong") is
    exempt from the position and length rules, since there position and length name the verdict and nothing
    else, but its questions must then offer exactly the same scale in the same order.

    Returns one readable line per problem (empty when the bank passes), each naming the bank.
    """
    problems: list[str] = []
    singles = [question for question in bank.questions if question.type == "single"]
    if bank.scale:
        scales = {tuple(option.text for option in question.options) for question in bank.questions if question.options}
        if len(scales) > 1:
            problems.append(f"{bank.source}: a scale bank must offer the same options in the same order in every question")
    elif singles:
        positions = [next(i for i, option in enumerate(q.options) if option.correct) for q in singles]
        position, count = max(((p, positions.count(p)) for p in set(positions)), key=lambda item: (item[1], -item[0]))
        most_options = max(len(question.options) for question in singles)
        allowed = max(int(MAX_SHARE_OF_ONE_KEY_POSITION * len(singles)), -(-len(singles) // most_options))
        if count > allowed:
            problems.append(f"{bank.source}: the right option is option {position + 1} in {count} of {len(singles)} single-answer "
                            f"questions (at most {allowed} allowed); move some keys to other positions")
        longest = [q.id for q in singles if len(_key(q).text) >= max(len(option.text) for option in q.options)]
        if len(longest) > MAX_SHARE_OF_LONGEST_KEYS * len(singles):
            problems.append(f"{bank.source}: the right option is the longest in {len(longest)} of {len(singles)} single-answer questions "
                            f"(at most half allowed): {', '.join(longest)}")
    for question in bank.questions:
        if question.type != "multiple":
            continue
        flags = [option.correct for option in question.options]
        if all(flags):
            problems.append(f"{bank.source}: question {question.id!r} has no wrong option to leave unticked")
        elif flags == sorted(flags, reverse=True):
            problems.append(f"{bank.source}: question {question.id!r} lists all its right options first; mix them with the wrong ones")
    unlevelled = [question.id for question in bank.questions if question.level not in LEVELS]
    if unlevelled:
        problems.append(f"{bank.source}: questions without a level ({' or '.join(LEVELS)}): {', '.join(unlevelled)}")
    applying = sum(question.level == "apply" for question in bank.questions)
    if applying < MIN_SHARE_OF_APPLY_ITEMS * len(bank.questions):
        problems.append(f"{bank.source}: {applying} of {len(bank.questions)} questions apply knowledge (a case, a calculation, "
                        f"a decision); at least half should")
    return problems


def _key(question: Question) -> Option:
    return next(option for option in question.options if option.correct)


@shape_checked("quiz_bank", QuizBankError)
def source_problems(raw: Mapping, source: str, bibliography: Bibliography | None = None) -> None:
    """Every question's ``sources`` name entries of the bibliography (the course's own unless one is given).

    Raises :class:`QuizBankError` naming the file, the question and the key that does not resolve.
    """
    bibliography = load_bibliography() if bibliography is None else read_instance(bibliography, "bibliography", Bibliography, "a Bibliography",
                                                                                   error=QuizBankError)
    for number, question in enumerate(raw["questions"]):
        for position, key in enumerate(question.get("sources", [])):
            if key not in bibliography:
                raise refusal(QuizBankError, where(source, raw, ['questions', number, 'sources', position]), key, "a key of the bibliography",
                              f"{key!r} is not a key of the course bibliography ({bibliography.source})")


def validate_bank_data(raw: object, source: str, bibliography: Bibliography | None = None) -> None:
    """Refuse a bank that breaks the schema, the rules a schema cannot express, or cites an unknown source.

    Raises :class:`QuizBankError` whose message names the file, the question and the field, e.g.
    ``01.yml: question 3 ('q-sebum'), field 'options[1].feedback': ...``. The schema requires every
    question to cite at least one bibliography key (``sources``) and every bank a ``last_reviewed`` date.
    """
    if not isinstance(raw, Mapping):
        raise refusal(QuizBankError, str(source), type(raw).__name__, "a mapping",
                      "the file must hold a mapping with 'notebook', 'title' and 'questions'")
    validate_data(raw, "quiz_bank", source, QuizBankError)
    bank_problems(raw, source)
    source_problems(raw, source, bibliography)


# --------------------------------------------------------------------------- between data and questions


@shape_checked("quiz_bank question", QuizBankError)
def question_from_data(data: Mapping) -> Question:
    common = dict(id=data["id"], type=data["type"], objective=data["objective"], prompt=data["prompt"].strip(),
                  explanation=data["explanation"].strip(), sources=tuple(data.get("sources", ())), level=data.get("level", ""))
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


def question_data(question: Question) -> dict:
    """A question in the bank's data form (the inverse of :func:`question_from_data`), to check questions built in code."""
    question = read_instance(question, "question", Question, "a Question", error=QuizBankError)
    data: dict = {"id": question.id, "type": question.type, "objective": question.objective, "prompt": question.prompt,
                  "explanation": question.explanation}
    if question.sources:
        data["sources"] = list(question.sources)
    if question.level:
        data["level"] = question.level
    if question.type == "numeric":
        data.update(answer=question.answer, tolerance=question.tolerance, unit=question.unit,
                    feedback_correct=question.feedback_correct, feedback_incorrect=question.feedback_incorrect)
        if question.anticipated:
            data["anticipated_wrong"] = [{"value": item.value, "feedback": item.feedback, **({"misconception": item.misconception} if item.misconception else {})}
                                         for item in question.anticipated]
        return data
    data["options"] = [{"id": option.id, "text": option.text, "correct": option.correct, "feedback": option.feedback,
                        **({"misconception": option.misconception} if option.misconception else {})} for option in question.options]
    return data


def bank_data(bank: QuizBank) -> dict:
    bank = read_instance(bank, "bank", QuizBank, "a QuizBank", error=QuizBankError)
    data = {"notebook": bank.notebook, "title": bank.title, "questions": [question_data(question) for question in bank.questions]}
    if bank.last_reviewed:
        data["last_reviewed"] = bank.last_reviewed
    if bank.scale:
        data["scale"] = True
    return data


@shape_checked("quiz_bank", QuizBankError)
def bank_from_data(raw: Mapping, source: str) -> QuizBank:
    return QuizBank(source=source, notebook=raw["notebook"], title=raw["title"],
                    questions=tuple(question_from_data(question) for question in raw["questions"]),
                    last_reviewed=str(raw.get("last_reviewed", "")), scale=bool(raw.get("scale", False)))


# --------------------------------------------------------------------------- loading


def load_bank_file(path: str | Path | Traversable) -> QuizBank:
    """Load a question bank from a YAML file and refuse it if it breaks the schema or the bank's rules."""
    path = content_path(path, "path", QuizBankError)
    raw = read_structured(path, QuizBankError, "question bank")
    validate_bank_data(raw, path.name)
    return bank_from_data(raw, path.name)


def load_balanced_bank_file(path: str | Path | Traversable) -> QuizBank:
    """Load a course bank and refuse it when it fails :func:`balance_problems` too (the course's content check)."""
    bank = load_bank_file(path)
    problems = balance_problems(bank)
    if problems:
        raise QuizBankError("; ".join(problems))
    return bank


def load_bank(notebook: str) -> QuizBank:
    """The course's question bank for a notebook, e.g. ``load_bank("01_acne_pathophysiology")``.

    The course's banks were validated against the schema by the tests; here they are read as they are, once.
    """
    return _load_bank(read_choice(notebook, "notebook", bank_names(), what="question banks", error=QuizBankError))


@cache
def _load_bank(notebook: str) -> QuizBank:
    entry = BANK_DIRECTORY.joinpath(f"{notebook}.yml")
    bank = bank_from_data(load_checked(entry, "quiz_bank", bank_problems, QuizBankError, validate=False), entry.name)
    if bank.notebook != notebook:
        raise refusal(QuizBankError, f"{bank.source}: field 'notebook'", bank.notebook, repr(notebook),
                      f"the field says {bank.notebook!r}, but the file is named for {notebook!r}")
    return bank


@cache
def _bank_names() -> tuple[str, ...]:
    return tuple(entry.name.removesuffix(".yml") for entry in content_files("quiz_banks", ".yml"))


def bank_names() -> list[str]:
    """The names of the course's question banks (a notebook's own bank is named after the notebook)."""
    return list(_bank_names())
