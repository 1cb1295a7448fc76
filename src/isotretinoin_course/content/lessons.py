"""The lesson manifest (``content/lessons.yml``): every lesson and graded assignment, in the order a student takes them.

This is the one place that says what the course contains. The start-here notebook draws its map
from it (:func:`learning_path_markdown`, ``figures.course_map``), the notebook lint holds each notebook
to it, and the README's lesson tables are generated from it (``python3 course.py readme``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.inputs import read_choice, read_instance, read_sequence
from ..core.resources import content_file
from .validation import ContentError, load_checked, refusal, shape_checked, where

LESSONS_FILE = content_file("lessons.yml")


class ManifestError(ContentError):
    """A lesson manifest that cannot be used; the message names the file, the lesson and the field."""


@dataclass(frozen=True)
class Assignment:
    """A graded nbgrader assignment (``exercises/source/<id>/``) and the lesson it follows."""

    id: str
    name: str
    title: str
    lesson: str


@dataclass(frozen=True)
class Lesson:
    number: str
    slug: str
    title: str
    question: str
    time: str
    builds_on: tuple[str, ...]
    modules: tuple[str, ...]  # relative to isotretinoin_course, e.g. "models.dosing"
    banks: tuple[str, ...]
    data: tuple[str, ...]
    assignments: tuple[Assignment, ...] = ()
    available: bool = True
    content: tuple[str, ...] = ()  # content files (relative to content/) besides its banks; "rule_sets/" names a folder

    @property
    def filename(self) -> str:
        return f"{self.number}_{self.slug}.ipynb"

    @property
    def name(self) -> str:
        """The notebook's name without its extension, e.g. ``01_acne_pathophysiology``."""
        return f"{self.number}_{self.slug}"


@dataclass(frozen=True)
class Manifest:
    lessons: tuple[Lesson, ...]
    assignments: tuple[Assignment, ...]


@shape_checked("lessons", ManifestError)
def manifest_problems(raw: object, source: str) -> None:
    """Rules the schema cannot express: lessons numbered in order, each building on earlier lessons only,
    unique assignments that follow a lesson of the course."""
    numbers: list[str] = []
    for position, entry in enumerate(raw["lessons"]):  # type: ignore[index]
        number = entry["file"][:2]
        if number in numbers:
            raise refusal(ManifestError, where(source, raw, ['lessons', position, 'file']), number, "each number once", f"lesson number {number} is used twice")
        if numbers and number < numbers[-1]:
            raise refusal(ManifestError, where(source, raw, ['lessons', position, 'file']), number, "lessons in order",
                          f"lessons must be listed in order; {number} comes after {numbers[-1]}")
        later = [earlier for earlier in entry["builds_on"] if earlier not in numbers]
        if later:
            raise refusal(ManifestError, where(source, raw, ['lessons', position, 'builds_on']), later, "earlier lessons",
                          f"a lesson builds only on earlier lessons, not on {later}")
        numbers.append(number)
    seen: set[str] = set()
    for position, entry in enumerate(raw["assignments"]):  # type: ignore[index]
        if entry["id"] in seen:
            raise refusal(ManifestError, where(source, raw, ['assignments', position, 'id']), entry["id"], "each assignment once",
                          f"assignment {entry['id']!r} is listed twice")
        seen.add(entry["id"])
        if entry["lesson"] not in numbers:
            raise refusal(ManifestError, where(source, raw, ['assignments', position, 'lesson']), entry["lesson"], "a lesson of the manifest",
                          f"there is no lesson {entry['lesson']}")


@shape_checked("lessons", ManifestError)
def manifest_from_data(raw: Mapping) -> Manifest:
    assignments = tuple(Assignment(item["id"], item["name"], item["title"], item["lesson"]) for item in raw["assignments"])
    lessons = []
    for item in raw["lessons"]:
        stem = item["file"].removesuffix(".ipynb")
        number = stem[:2]
        lessons.append(Lesson(
            number=number, slug=stem[3:], title=item["title"], question=item["question"], time=item["time"],
            builds_on=tuple(item["builds_on"]), modules=tuple(item["modules"]), banks=tuple(item["banks"]), data=tuple(item["data"]),
            assignments=tuple(assignment for assignment in assignments if assignment.lesson == number),
            available=item.get("available", True), content=tuple(item.get("content", ())),
        ))
    return Manifest(tuple(lessons), assignments)


def load_lessons(path: str | Path | Traversable) -> Manifest:
    """Read and validate a lesson manifest file (the course's own: :func:`manifest`)."""
    return manifest_from_data(load_checked(path, "lessons", manifest_problems, ManifestError))


@cache
def manifest() -> Manifest:
    """The course's lesson manifest, as validated by the tests."""
    return manifest_from_data(load_checked(LESSONS_FILE, "lessons", manifest_problems, ManifestError, validate=False))


def lessons() -> tuple[Lesson, ...]:
    return manifest().lessons


def assignments() -> tuple[Assignment, ...]:
    return manifest().assignments


def lesson(number: str) -> Lesson:
    """The lesson with this number, e.g. ``lesson("05")``."""
    number = read_choice(number, "lesson", [item.number for item in lessons()], what="lesson numbers", error=ManifestError)
    return next(item for item in lessons() if item.number == number)


def learning_path_markdown(items: tuple[Lesson, ...] | None = None) -> str:
    """The learning path as a Markdown table, with status and links to what exists."""
    rows = ["| # | Notebook | The question it answers | Builds on | Status |", "|---|---|---|---|---|"]
    chosen = lessons() if items is None else read_sequence(items, "items", lambda item, where: read_instance(item, where, Lesson, "a Lesson",
                                                                                                          error=ManifestError), error=ManifestError)
    for item in chosen:
        name = f"[{item.title}]({item.filename})" if item.available else item.title
        builds_on = ", ".join(item.builds_on) or "—"
        status = "available" if item.available else "planned"
        rows.append(f"| {item.number} | {name} | {item.question} | {builds_on} | {status} |")
    return "\n".join(rows)
