"""The graded exercises, end to end with nbgrader: source tests, release, validate, autograde, report.

Everything runs in a temporary copy of exercises/ (the committed source is never touched) with a
fresh local gradebook. One module fixture does the slow nbgrader work once.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from isotretinoin_course.grading.report import autograde_report, course_grade_ids, grade_cells

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
ASSIGNMENTS = sorted(path.name for path in (EXERCISES / "source").iterdir() if path.is_dir())
BIN = Path(sys.executable).parent


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader runs `alembic` from PATH
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True, timeout=600)


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(EXERCISES.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(EXERCISES).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def solved_copy(release: dict, source: dict) -> dict:
    """The released notebook with each solution cell answered as a student would (the source's solution, no markers)."""
    answers = {meta_id: cell["source"] for cell in source["cells"]
               for meta_id in [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")] if meta_id}
    solved = copy.deepcopy(release)
    for cell in solved["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta["grade_id"] in answers:
            text = answers[meta["grade_id"]]
            text = "".join(text) if isinstance(text, list) else text
            cell["source"] = re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*\n?", "", text, flags=re.MULTILINE).strip()
    return solved


def with_cell(notebook: dict, grade_id: str, text: str) -> dict:
    changed = copy.deepcopy(notebook)
    for cell in changed["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = text
    return changed


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    before = source_digest()
    course = tmp_path_factory.mktemp("course") / "exercises"
    shutil.copytree(EXERCISES, course, ignore=shutil.ignore_patterns("release", "submitted", "autograded", "feedback", "gradebook.db", "*.csv"))
    for assignment in ASSIGNMENTS:
        result = nbgrader(course, "generate_assignment", assignment, "--force")
        assert result.returncode == 0, result.stderr[-3000:]
    submissions: dict[str, dict[str, object]] = {}
    for assignment in ASSIGNMENTS:
        name = f"{assignment}.ipynb"
        release = json.loads((course / "release" / assignment / name).read_text())
        source = json.loads((course / "source" / assignment / name).read_text())
        submissions[assignment] = {"solver": solved_copy(release, source), "blank": release}
    solved = submissions["a1_dosing"]["solver"]
    broken = {
        "syntax_error": with_cell(solved, "a1_q2_answer", "days_needed = math.ceil(120 * 64 / 70"),
        "infinite_loop": with_cell(solved, "a1_q3_answer", "while True:\n    pass"),
        "deleted_test": {**solved, "cells": [cell for cell in solved["cells"] if cell["metadata"].get("nbgrader", {}).get("grade_id") != "a1_q2_tests"]},
        "edited_test": with_cell(with_cell(solved, "a1_q1_tests", "pass  # tests removed"), "a1_q1_answer", "mg_per_kg_day = 0.0"),
        "empty_file": "",
        "invalid_json": "{ this is not a notebook",
    }
    submissions["a1_dosing"].update(broken)
    for assignment, students in submissions.items():
        for student, content in students.items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            text = content if isinstance(content, str) else json.dumps(content)
            (folder / f"{assignment}.ipynb").write_text(text)
    autograde = {assignment: nbgrader(course, "autograde", assignment, "--create") for assignment in ASSIGNMENTS}
    export = nbgrader(course, "export")
    feedback = nbgrader(course, "generate_feedback", "a1_dosing")
    yield {"path": course, "autograde": autograde, "export": export, "feedback": feedback, "before": before}


def grades(course_info) -> dict[tuple[str, str], float]:
    with open(course_info["path"] / "grades.csv", newline="") as handle:
        return {(row["assignment"], row["student_id"]): float(row["raw_score"]) for row in csv.DictReader(handle)}


# --------------------------------------------------------------------------- authoring checks (no nbgrader run needed)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_source_notebook_passes_its_own_tests(assignment):
    nb = nbformat.read(EXERCISES / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(EXERCISES)}}).execute()
    errors = [output for cell in nb.cells for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors, errors[0] if errors else None


def test_grade_ids_are_unique_across_the_course_and_prefixed_by_assignment():
    ids = course_grade_ids(EXERCISES / "source")
    assert len(ids) >= 40
    assert all(len(notebooks) == 1 for notebooks in ids.values()), {k: v for k, v in ids.items() if len(v) > 1}
    assert all(re.match(r"a[1-4]_", grade_id) for grade_id in ids)


def test_there_are_four_assignments_with_autograded_and_hand_graded_parts():
    assert ASSIGNMENTS == ["a1_dosing", "a2_laboratory_results", "a3_dispensing_audit", "a4_critique_claim"]
    for assignment in ASSIGNMENTS:
        cells = grade_cells(json.loads((EXERCISES / "source" / assignment / f"{assignment}.ipynb").read_text()))
        instructions = [meta for meta in cells.values() if not meta.get("grade") and not meta.get("solution") and not meta.get("task")]
        assert instructions and all(meta["locked"] for meta in instructions), assignment
        assert any(meta.get("grade") and not meta.get("solution") for meta in cells.values()), f"{assignment}: no autograded tests"
    a4 = grade_cells(json.loads((EXERCISES / "source" / "a4_critique_claim" / "a4_critique_claim.ipynb").read_text()))
    assert any(meta.get("task") for meta in a4.values())


# --------------------------------------------------------------------------- the nbgrader round trip


def test_release_contains_no_solutions_hidden_tests_or_mark_scheme(course):
    for assignment in ASSIGNMENTS:
        text = (course["path"] / "release" / assignment / f"{assignment}.ipynb").read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "MARK SCHEME", "1.09375", "== 110", "partly accurate\"\n"):
            assert marker not in text, f"{assignment}: release contains {marker!r}"
        release = json.loads(text)
        for cell in release["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell["cell_type"] == "code":
                assert "raise NotImplementedError()" in "".join(cell["source"]), meta["grade_id"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_autograded_test_fails_on_the_release(course, assignment):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([str(BIN / "nbgrader"), "validate", "--invert", f"release/{assignment}/{assignment}.ipynb"], cwd=course["path"],
                            env=env, capture_output=True, text=True, timeout=300)
    # `nbgrader validate` exits 0 even when validation fails, so read what it says.
    assert "Success! The notebook does not pass any tests." in result.stdout, result.stdout[-2000:]


def test_solutions_get_full_marks_and_the_blank_release_gets_zero(course):
    scores = grades(course)
    maxima = {"a1_dosing": 10, "a2_laboratory_results": 8, "a3_dispensing_audit": 8, "a4_critique_claim": 2}  # autograded points
    for assignment, maximum in maxima.items():
        assert scores[(assignment, "solver")] == maximum, assignment
        assert scores[(assignment, "blank")] == 0, assignment


def test_broken_submissions_do_not_stop_the_batch_and_are_reported(course):
    scores = grades(course)
    assert scores[("a1_dosing", "solver")] == 10  # graded correctly despite the broken neighbours
    assert scores[("a1_dosing", "syntax_error")] == 4  # q2 fails, q3 depends on it
    assert scores[("a1_dosing", "infinite_loop")] == 7  # q3 stopped at the time limit
    assert scores[("a1_dosing", "deleted_test")] == 7  # the deleted test's 3 points are lost
    assert scores[("a1_dosing", "edited_test")] == 8  # the test was restored and the wrong q1 answer failed it
    assert scores[("a1_dosing", "empty_file")] == 0 and scores[("a1_dosing", "invalid_json")] == 0
    report = {str(problem) for problem in autograde_report(course["path"], "a1_dosing")}
    assert report == {
        "deleted_test: graded cells missing: a1_q2_tests (deleted by the student; those points were lost)",
        "edited_test: locked cell edited: a1_q1_tests was changed; nbgrader graded the original",
        "empty_file: not graded: the submission could not be read or run (empty file, not a notebook, or missing)",
        "invalid_json: not graded: the submission could not be read or run (empty file, not a notebook, or missing)",
        "infinite_loop: time limit: cell a1_q3_answer was stopped after the time limit",
        next(problem for problem in report if problem.startswith("syntax_error:")),
    }
    assert any(problem.startswith("syntax_error: syntax error: cell a1_q2_answer") for problem in report)


def test_feedback_is_generated_and_source_is_untouched(course):
    assert course["feedback"].returncode == 0, course["feedback"].stderr[-2000:]
    assert (course["path"] / "feedback" / "solver" / "a1_dosing" / "a1_dosing.html").exists()
    assert source_digest() == course["before"], "grading must never modify the committed exercises"
