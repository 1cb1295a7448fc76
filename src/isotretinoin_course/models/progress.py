"""What a student's saved results add up to, per lesson and learning objective (notebook 00's progress table).

The results themselves are kept by :mod:`isotretinoin_course.core.progress_store`; this module names where a
result comes from (:func:`quiz_source`, :func:`capstone_source`, :func:`widget_source`), finds the lesson a
quiz bank belongs to, and counts, for every objective, the course's questions that assess it and how many the
student has answered, has right now, and had right first time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from ..content.capstone import capstone_text
from ..content.lessons import lessons
from ..content.quiz_banks import load_bank
from ..core.errors import CourseInputError
from ..core.inputs import read_instance, read_number, read_sequence, read_text
from ..core.progress_store import SavedResult, record_key

CAPSTONE_LESSON = "09"
_NAME_LENGTH = 120  # a bank, widget or patient name; a source is at most 200 characters (core/progress_store.py)


class ProgressError(CourseInputError):
    """A name or a result the progress table cannot file (an empty bank name, something that is not a saved result)."""


def _name(value: object, field: str) -> str:
    return read_text(value, field, empty=False, max_length=_NAME_LENGTH, error=ProgressError).strip()


def quiz_source(bank_name: str) -> str:
    """Where a quiz bank's results are saved, e.g. ``"quiz 01_acne_pathophysiology"``."""
    return f"quiz {_name(bank_name, 'bank_name')}"


def capstone_source(patient_id: str) -> str:
    """Where the capstone case's step results are saved: by patient, as each patient makes a different case."""
    return f"capstone {_name(patient_id, 'patient_id')}"


def widget_source(widget: str) -> str:
    """Where a widget's own checkable questions save their results, e.g. ``"widget pk_simulator"``."""
    return f"widget {_name(widget, 'widget')}"


def lesson_for_bank(bank_name: str) -> str:
    """The number of the lesson whose manifest entry shows this bank (``"08"`` for ``08_claim_verdicts``).

    A bank that no lesson shows (a test's fixture) is filed under the number its name starts with; a name that starts
    with no lesson number is refused.
    """
    bank_name = _name(bank_name, "bank_name")
    for lesson in lessons():
        if bank_name in lesson.banks:
            return lesson.number
    if not (bank_name[:2].isascii() and bank_name[:2].isdigit()):
        raise ProgressError("bank_name", bank_name, "a quiz bank's name, which starts with its lesson's number ('01_...')",
                            message=f"bank_name: {bank_name[:60]!r} is no lesson's quiz bank and does not start with a lesson number")
    return bank_name[:2]


@cache
def course_questions() -> dict[tuple[str, str], frozenset[str]]:
    """(lesson number, objective) → the saved-result keys of every quiz question and capstone step that assesses it."""
    found: dict[tuple[str, str], set[str]] = {}
    for lesson in lessons():
        if not lesson.available:
            continue
        for bank_name in lesson.banks:
            for question in load_bank(bank_name).questions:
                found.setdefault((lesson.number, question.objective), set()).add(record_key(quiz_source(bank_name), question.id))
    case = capstone_text()
    for key, step in case.steps.items():
        found.setdefault((CAPSTONE_LESSON, step["objective"]), set()).add(record_key(capstone_source(case.patient), key))
    return {where: frozenset(keys) for where, keys in found.items()}


@dataclass(frozen=True)
class ObjectiveProgress:
    """One row of the progress table: a learning objective of a lesson, or a lesson not started (``objective`` empty)."""

    lesson: str
    lesson_title: str
    objective: str
    questions: int  # questions of the course that assess it
    answered: int
    correct_now: int
    right_first_time: int

    def __post_init__(self) -> None:
        for name in ("lesson", "lesson_title", "objective"):
            read_text(getattr(self, name), name, max_length=300, error=ProgressError)
        counts = {name: read_number(getattr(self, name), name, minimum=0, maximum=10**6, integer=True, error=ProgressError)
                  for name in ("questions", "answered", "correct_now", "right_first_time")}
        for name, value in counts.items():
            object.__setattr__(self, name, value)
        for name, most in (("answered", "questions"), ("correct_now", "answered"), ("right_first_time", "answered")):
            if counts[name] > counts[most]:  # "5 of 3 answered" would be a wrong number in the table
                raise ProgressError(name, counts[name], f"at most {most} ({counts[most]})",
                                    message=f"{name}: {counts[name]} is more than {most} ({counts[most]})")


def _objective_order(label: str) -> tuple[int, str]:
    digits = label[2:] if label.startswith("LO") else ""
    return (int(digits), label) if digits.isdigit() else (10**6, label)


def objective_progress(results: Iterable[SavedResult]) -> list[ObjectiveProgress]:
    """The progress table's rows, in course order: every objective of a lesson the student has started (answered at
    least one question of), and one row for each lesson not started yet.

    A question that no quiz bank or capstone step lists (a widget's own question) counts once it is answered.
    """
    results = read_sequence(results, "results", lambda item, where: read_instance(item, where, SavedResult, "a SavedResult", error=ProgressError),
                            error=ProgressError)
    seen: set[tuple[str, str]] = set()
    for index, result in enumerate(results):  # one result per question: a second would be counted twice
        if (result.lesson, result.key) in seen:
            raise ProgressError(f"results[{index}]", result.key, "one result per question",
                                message=f"results[{index}]: a second result for lesson {result.lesson}, {result.key!r}")
        seen.add((result.lesson, result.key))
    questions = {where: set(keys) for where, keys in course_questions().items()}
    answered: dict[tuple[str, str], list[SavedResult]] = {}
    for result in results:
        answered.setdefault((result.lesson, result.objective), []).append(result)
        questions.setdefault((result.lesson, result.objective), set()).add(result.key)
    rows = []
    for lesson in lessons():
        if not lesson.available:
            continue
        objectives = sorted({objective for number, objective in questions if number == lesson.number}, key=_objective_order)
        if not any(answered.get((lesson.number, objective)) for objective in objectives):
            rows.append(ObjectiveProgress(lesson.number, lesson.title, "", sum(len(questions[(lesson.number, objective)])
                                                                            for objective in objectives), 0, 0, 0))
            continue
        for objective in objectives:
            done = answered.get((lesson.number, objective), [])
            rows.append(ObjectiveProgress(lesson.number, lesson.title, objective, len(questions[(lesson.number, objective)]),
                                          len(done), sum(result.correct_now for result in done),
                                          sum(result.correct_first_time for result in done)))
    known = {lesson.number for lesson in lessons() if lesson.available}
    for (number, objective), done in sorted(answered.items()):  # results of a lesson the course no longer has
        if number not in known:
            rows.append(ObjectiveProgress(number, "(not a lesson of this version of the course)", objective, len(done), len(done),
                                          sum(result.correct_now for result in done), sum(result.correct_first_time for result in done)))
    return rows
