"""Helpers around nbgrader for the graded exercises: grade-id checks and a report of broken submissions.

nbgrader does the grading. After ``nbgrader autograde`` this module tells the
instructor which submissions need a human look: notebooks that could not be
graded at all (empty or not a notebook), test cells a student deleted, and
cells that hit the time limit or raised errors. Run it with
``python3 course.py nbgrader-report ASSIGNMENT``: ``course.py`` passes the course
folder (``exercises/``) with ``--course``; nothing here guesses where it is.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


def grade_cells(notebook: dict) -> dict[str, dict]:
    """nbgrader metadata of every cell that has a grade_id, by grade_id."""
    cells = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta and meta.get("grade_id"):
            cells[meta["grade_id"]] = meta
    return cells


def course_grade_ids(source: Path) -> dict[str, list[str]]:
    """Every grade_id in every source notebook, with the notebooks it appears in (to find duplicates)."""
    seen: dict[str, list[str]] = {}
    for path in sorted(source.glob("*/*.ipynb")):
        for grade_id in grade_cells(json.loads(path.read_text(encoding="utf-8"))):
            seen.setdefault(grade_id, []).append(path.name)
    return seen


@dataclass(frozen=True)
class Problem:
    student: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.student}: {self.kind}: {self.detail}"


def autograde_report(course: Path, assignment: str) -> list[Problem]:
    """Problems in each submission of ``assignment``, after ``nbgrader autograde`` has run in ``course``."""
    problems: list[Problem] = []
    source_path = next((course / "source" / assignment).glob("*.ipynb"))
    expected = {grade_id for grade_id, meta in grade_cells(json.loads(source_path.read_text(encoding="utf-8"))).items() if meta.get("grade")}
    for submission in sorted((course / "submitted").glob(f"*/{assignment}")):
        student = submission.parent.name
        graded = course / "autograded" / student / assignment / source_path.name
        if not graded.exists():
            problems.append(Problem(student, "not graded", "the submission could not be read or run (empty file, not a notebook, or missing)"))
            continue
        notebook = json.loads(graded.read_text(encoding="utf-8"))
        problems += _edited_cells(course, assignment, source_path.name, student)
        missing = sorted(expected - set(grade_cells(notebook)))
        if missing:
            problems.append(Problem(student, "graded cells missing", f"{', '.join(missing)} (deleted by the student; those points were lost)"))
        for cell in notebook.get("cells", []):
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                if output.get("ename") in ("CellTimeoutError", "KeyboardInterrupt"):
                    problems.append(Problem(student, "time limit", f"cell {grade_id} was stopped after the time limit"))
                elif output.get("ename") == "SyntaxError":
                    problems.append(Problem(student, "syntax error", f"cell {grade_id}: {output.get('evalue', '')[:80]}"))
    return _unique(problems)


def _edited_cells(course: Path, assignment: str, name: str, student: str) -> list[Problem]:
    """Locked cells whose text the student changed (nbgrader restores them from the gradebook before grading)."""
    release = course / "release" / assignment / name
    submitted = course / "submitted" / student / assignment / name
    try:
        released = {cell["metadata"]["nbgrader"]["grade_id"]: cell["source"] for cell in json.loads(release.read_text(encoding="utf-8"))["cells"]
                    if cell.get("metadata", {}).get("nbgrader", {}).get("locked")}
        handed_in = json.loads(submitted.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return []
    problems = []
    for cell in handed_in:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        text = "".join(cell["source"]) if isinstance(cell.get("source"), list) else cell.get("source")
        expected = released.get(grade_id)
        if expected is not None and text != ("".join(expected) if isinstance(expected, list) else expected):
            problems.append(Problem(student, "locked cell edited", f"{grade_id} was changed; nbgrader graded the original"))
    return problems


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen, result = set(), []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            result.append(problem)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 course.py nbgrader-report", description="After autograding: which submissions need a human look.")
    parser.add_argument("--course", type=Path, required=True, help="the nbgrader course folder (the repository's exercises/)")
    parser.add_argument("assignment", help="e.g. a1_dosing")
    options = parser.parse_args(argv)
    problems = autograde_report(options.course, options.assignment)
    print("\n".join(map(str, problems)) if problems else f"{options.assignment}: every submission was graded without problems")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
