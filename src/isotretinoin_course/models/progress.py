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
from ..core.progress_store import SavedResult, record_key

CAPSTONE_LESSON = "09"


def quiz_source(bank_name: str) -> str:
    """Where a quiz bank's results are saved, e.g. ``"quiz 01_acne_pathophysiology"``."""
    return f"quiz {bank_name}"


def capstone_source(patient_id: str) -> str:
    """Where the capstone case's step results are saved: by patient, as each patient makes a different case."""
    return f"capstone {patient_id}"


def widget_source(widget: str) -> str:
    """Where a widget's own checkable questions save their results, e.g. ``"widget pk_simulator"``."""
    return f"widget {widget}"


def lesson_for_bank(bank_name: str) -> str:
    """The number of the lesson whose manifest entry shows this bank (``"08"`` for ``08_claim_verdicts``).

    A bank that no lesson shows (a test's fixture) is filed under the number its name starts with.
    """
    for lesson in lessons():
        if bank_name in lesson.banks:
            return lesson.number
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


def _objective_order(label: str) -> tuple[int, str]:
    digits = label[2:] if label.startswith("LO") else ""
    return (int(digits), label) if digits.isdigit() else (10**6, label)


def objective_progress(results: Iterable[SavedResult]) -> list[ObjectiveProgress]:
    """The progress table's rows, in course order: every objective of a lesson the student has started (answered at
    least one question of), and one row for each lesson not started yet.

    A question that no quiz bank or capstone step lists (a widget's own question) counts once it is answered.
    """
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
