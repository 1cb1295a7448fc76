"""The graded exercises, end to end with nbgrader and the sandboxed driver: source tests, release, validate,
autograde, export, private feedback, report.

Everything runs in a temporary copy of exercises/ (the committed source is never touched) with a fresh local
gradebook. The round trip is a chain of steps (release, submit, autograde, export, feedback, report), each run
once for the whole module and each with its own time limit: on a slow machine the one test of the step that
ran out of time fails, naming the step and how long it ran, and the tests that need it are skipped. Broken and
hostile submissions are graded in tests/test_exercises_hostile.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from grading_support import (EXERCISES, GRADING_WRITES, RoundTrip, StepTimeout, grading, leaked, nbgrader, normalise, page_text,
                             secret_lines, solved_copy)

from isotretinoin_course.grading.report import course_grade_ids, grade_cells

ASSIGNMENTS = sorted(path.name for path in (EXERCISES / "source").iterdir() if path.is_dir())
MAXIMA = {"a1_dosing": 10, "a2_laboratory_results": 8, "a3_dispensing_audit": 10, "a4_critique_claim": 2,  # autograded points
          "a5_at_the_counter": 11, "a6_counselling_note": 3, "a7_pk_steady_state_washout": 8}
VALIDATE_LIMIT = 120  # seconds for one `nbgrader validate --invert`

pytestmark = pytest.mark.timeout(1200)  # a backstop only: each step has its own limit


def digest(folder: Path, skip: re.Pattern | None = None) -> str:
    hashed = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and not (skip and skip.search(relative)):
            hashed.update(relative.encode() + path.read_bytes())
    return hashed.hexdigest()


# --------------------------------------------------------------------------- the round trip, step by step


def release(place: dict) -> None:
    course = place["course"]
    shutil.copytree(EXERCISES, course, ignore=shutil.ignore_patterns("release", "submitted", "autograded", "feedback",
                                                                   "grading_reports", "gradebook.db", "*.csv", "*.log"))
    # Every assignment in one start of nbgrader (its assignment argument is a pattern), as exercises/README.md shows.
    result = nbgrader(course, "generate_assignment", "*", "--force", limit=90)
    assert result.returncode == 0, f"generate_assignment: {result.stderr[-3000:]}"
    released = sorted(path.parent.name for path in (course / "release").glob("*/*.ipynb"))
    assert released == ASSIGNMENTS, f"released {released}, expected {ASSIGNMENTS}"


def submit(place: dict) -> None:
    course = place["course"]
    for assignment in ASSIGNMENTS:
        name = f"{assignment}.ipynb"
        released = json.loads((course / "release" / assignment / name).read_text())
        source = json.loads((course / "source" / assignment / name).read_text())
        for student, notebook in {"solver": solved_copy(released, source), "blank": released}.items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(json.dumps(notebook))
    place["before"] = digest(course, GRADING_WRITES)


def every_assignment(place: dict, command: str, *args: str, limit: float):
    """One run of the grading driver for every assignment (it takes several, one after the other)."""
    return grading(place["course"], command, *ASSIGNMENTS, *args, limit=limit)


def by_assignment(output: str) -> dict[str, str]:
    """The driver's report, split into each assignment's part (each starts with 'ASSIGNMENT: N submission(s)')."""
    parts = re.split(rf"^(?=(?:{'|'.join(map(re.escape, ASSIGNMENTS))}): \d+ submission\(s\))", output, flags=re.MULTILINE)
    return {part.split(":", 1)[0]: part for part in parts if part.strip() and part.split(":", 1)[0] in ASSIGNMENTS}


def feedback(place: dict) -> dict:
    results = {"all": every_assignment(place, "feedback", limit=60 * len(ASSIGNMENTS))}
    # The instructor's switch, in a copy: the same feedback with hidden tests and mark schemes shown.
    revealed = place["course"].parent / "revealed"
    shutil.copytree(place["course"], revealed)
    results["revealed"] = grading(revealed, "feedback", "a4_critique_claim", "--reveal-hidden-tests", "--student", "solver", limit=60)
    for name, result in results.items():
        assert result.returncode == 0, f"feedback {name}: {result.stdout[-1000:]}{result.stderr[-2000:]}"
    return results


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    return {"course": tmp_path_factory.mktemp("course") / "exercises", "committed": digest(EXERCISES)}


@pytest.fixture(scope="module")
def trip(place):
    trip = RoundTrip()
    count = len(ASSIGNMENTS)  # each step's limit grows with the number of assignments it handles
    trip.add("release", 20 * count, lambda: release(place))
    trip.add("submit", 30, lambda: submit(place))
    trip.add("autograde", 90 * count, lambda: every_assignment(place, "autograde", "--submission-timeout", "120", limit=90 * count))
    trip.add("export", 60, lambda: nbgrader(place["course"], "export", limit=60))
    trip.add("feedback", 60 * count, lambda: feedback(place))
    trip.add("report", 15 * count, lambda: every_assignment(place, "report", limit=15 * count))
    return trip


@pytest.mark.parametrize("step", ["release", "submit", "autograde", "export", "feedback", "report"])
def test_step(trip, step):
    """One test per step: a slow machine gives one failure that names the step and its duration."""
    print(trip.check(step))


def grades(course: Path) -> dict[tuple[str, str], float]:
    with open(course / "grades.csv", newline="") as handle:
        return {(row["assignment"], row["student_id"]): float(row["raw_score"]) for row in csv.DictReader(handle)}


# --------------------------------------------------------------------------- authoring checks (no nbgrader run needed)


# Each source notebook (the solutions) runs to the end without an error in tests/test_wheel_py311.py and
# test_wheel_py313.py, and its solutions earn full marks through the sandbox below
# (test_solutions_get_full_marks_and_the_blank_release_gets_zero).


def test_grade_ids_are_unique_across_the_course_and_prefixed_by_assignment():
    ids = course_grade_ids(EXERCISES / "source")
    assert len(ids) >= 40
    assert all(len(notebooks) == 1 for notebooks in ids.values()), {k: v for k, v in ids.items() if len(v) > 1}
    assert all(grade_id.split("_")[0] == notebooks[0].split("_")[0] for grade_id, notebooks in ids.items())  # a5_... in a5_*.ipynb


def source_notebook(assignment: str) -> dict:
    return json.loads((EXERCISES / "source" / assignment / f"{assignment}.ipynb").read_text())


def test_every_competency_has_an_assignment_with_autograded_parts():
    """Issue 15 item 6: at least six assignments, a1..a4 kept, and one each for the counter, counselling and PK."""
    assert len(ASSIGNMENTS) >= 6
    assert {"a1_dosing", "a2_laboratory_results", "a3_dispensing_audit", "a4_critique_claim", "a5_at_the_counter",
            "a6_counselling_note", "a7_pk_steady_state_washout"} <= set(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        cells = grade_cells(source_notebook(assignment))
        instructions = [meta for meta in cells.values() if not meta.get("grade") and not meta.get("solution") and not meta.get("task")]
        assert instructions and all(meta["locked"] for meta in instructions), assignment
        assert any(meta.get("grade") and not meta.get("solution") for meta in cells.values()), f"{assignment}: no autograded tests"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_assignment_states_its_lesson_time_and_points_and_marks_every_hand_graded_answer(assignment):
    """The heading gives the points (their sum over the graded cells) and minutes; the intro names the lesson; every
    manually graded answer carries its mark scheme (a task's MARK SCHEME, or the marking in a written answer's hidden
    solution)."""
    notebook = source_notebook(assignment)
    intro = "".join(notebook["cells"][0]["source"])
    points = sum(meta.get("points", 0) for meta in grade_cells(notebook).values())
    heading = re.match(r"# Assignment \d · .+ \((\d+) points, about (\d+) minutes\)", intro)
    assert heading, f"{assignment}: the heading should end with '(N points, about M minutes)'"
    assert int(heading.group(1)) == points, f"{assignment}: the heading says {heading.group(1)} points, the graded cells give {points}"
    assert re.search(r"Goes with notebooks? \d\d", intro), f"{assignment}: say which lesson it follows"
    assert f"Autograded: {MAXIMA[assignment]} point" in intro, f"{assignment}: say how many points are autograded"
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        text = "".join(cell["source"])
        if meta.get("task"):
            assert "=== BEGIN MARK SCHEME ===" in text and "=== END MARK SCHEME ===" in text, meta["grade_id"]
        elif meta.get("grade") and meta.get("solution") and cell["cell_type"] == "markdown":
            assert re.search(r"[Mm]arking|\d points?:", text), f"{meta['grade_id']}: a hand-graded answer needs its marking"


# --------------------------------------------------------------------------- the round trip's results


def test_release_contains_no_solutions_hidden_tests_or_mark_scheme(trip, place):
    trip.need("release")
    for assignment in ASSIGNMENTS:
        text = (place["course"] / "release" / assignment / f"{assignment}.ipynb").read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "MARK SCHEME"):
            assert marker not in text, f"{assignment}: release contains {marker!r}"
        secrets = secret_lines(place["course"] / "source", kinds=("HIDDEN TESTS", "SOLUTION", "MARK SCHEME"), assignments=(assignment,), min_length=6)
        assert secrets, f"{assignment}: no solution, hidden test or mark scheme found in the source"
        released = normalise(text.replace("\\n", "\n").replace('\\"', '"'))
        assert not [line for line in secrets if normalise(line) in released], f"{assignment}: the release contains a solution or hidden-test line"
        for cell in json.loads(text)["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and cell["cell_type"] == "code":
                assert "raise NotImplementedError()" in "".join(cell["source"]), meta["grade_id"]


INVERTED_SUCCESS = "Success! The notebook does not pass any tests."  # `nbgrader validate` exits 0 even when validation fails


def validate_inverted(place: dict, *assignments: str) -> subprocess.CompletedProcess:
    """``nbgrader validate --invert`` on the released notebooks of ``assignments``, in one start of nbgrader."""
    notebooks = [f"release/{assignment}/{assignment}.ipynb" for assignment in assignments]
    start = time.monotonic()
    try:
        return nbgrader(place["course"], "validate", "--invert", *notebooks, limit=VALIDATE_LIMIT * len(assignments))
    except StepTimeout:
        pytest.fail(f"grading step 'validate --invert {' '.join(assignments)}' did not finish within its limit of "
                    f"{VALIDATE_LIMIT * len(assignments)} s, after {time.monotonic() - start:.1f} s", pytrace=False)


@pytest.fixture(scope="module")
def every_release_validated(trip, place) -> subprocess.CompletedProcess:
    trip.need("release")
    return validate_inverted(place, *ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_autograded_test_fails_on_the_release(every_release_validated, place, assignment):
    # One run validates every release and prints one verdict per notebook; when one is not a success, the
    # assignment's own run says which tests passed on the release.
    if every_release_validated.stdout.count(INVERTED_SUCCESS) == len(ASSIGNMENTS):
        return
    result = validate_inverted(place, assignment)
    assert INVERTED_SUCCESS in result.stdout, result.stdout[-2000:]


def test_solutions_get_full_marks_and_the_blank_release_gets_zero(trip, place):
    trip.need("export")
    scores = grades(place["course"])
    assert {assignment: scores[(assignment, "solver")] for assignment in ASSIGNMENTS} == MAXIMA
    assert {assignment: scores[(assignment, "blank")] for assignment in ASSIGNMENTS} == dict.fromkeys(ASSIGNMENTS, 0)


def test_autograding_and_the_report_say_every_submission_was_graded(trip, place):
    autograde, report = trip.need("autograde"), trip.need("report")
    assert autograde.returncode == 0, autograde.stdout + autograde.stderr[-2000:]
    assert report.returncode == 0, report.stdout
    for output in (autograde.stdout, report.stdout):  # autograde prints the report as it ends; `report` prints it again
        parts = by_assignment(output)
        assert list(parts) == ASSIGNMENTS, output
        for assignment, part in parts.items():
            assert re.search(r"^solver: graded  \[\d+/\d+\]$", part, re.MULTILINE), part
            assert re.search(r"^blank: graded  \[0/\d+\]$", part, re.MULTILINE), part
            assert f"{assignment}: 2 submission(s), 0 need a look (bubblewrap sandbox ready" in part, part


def test_feedback_never_shows_hidden_tests_or_mark_schemes(trip, place):
    """Issue 15 item 5: every feedback file is searched for every line of every hidden test and mark scheme."""
    trip.need("feedback")
    course = place["course"]
    secrets = secret_lines(course / "source", kinds=("HIDDEN TESTS", "MARK SCHEME"), min_length=6)
    for assignment in ASSIGNMENTS:  # non-vacuous: every assignment has hidden tests to look for
        assert secret_lines(course / "source", kinds=("HIDDEN TESTS",), assignments=(assignment,), min_length=6), assignment
    pages = sorted((course / "feedback").rglob("*.html"))
    assert len(pages) == 2 * len(ASSIGNMENTS)
    for page in pages:
        shown = page_text(page.read_text())
        assert not leaked(shown, secrets), (page.relative_to(course), leaked(shown, secrets)[:5])
        assert "HIDDEN TESTS" not in shown and "MARK SCHEME" not in shown, page
    solver = page_text((course / "feedback" / "solver" / "a1_dosing" / "a1_dosing.html").read_text())
    assert "mg_per_kg_day = (40 + 30) / 64" in solver and "Score: 10.0" in solver  # the student's own work and result
    blank = page_text((course / "feedback" / "blank" / "a1_dosing" / "a1_dosing.html").read_text())
    assert "a hidden test failed" in blank or "NotImplementedError" in blank


def test_the_instructors_switch_reveals_hidden_tests_and_mark_schemes(trip, place):
    trip.need("feedback")
    page = page_text((place["course"].parent / "revealed" / "feedback" / "solver" / "a4_critique_claim" / "a4_critique_claim.html").read_text())
    a4_hidden = secret_lines(place["course"] / "source", kinds=("HIDDEN TESTS",), assignments=("a4_critique_claim",), min_length=6)
    a4_scheme = secret_lines(place["course"] / "source", kinds=("MARK SCHEME",), assignments=("a4_critique_claim",))
    assert a4_hidden and a4_scheme
    assert set(leaked(page, a4_hidden)) == set(a4_hidden) and set(leaked(page, a4_scheme)) == set(a4_scheme)


def test_grading_changes_nothing_but_its_outputs_and_never_the_committed_exercises(trip, place):
    trip.need("report")
    assert digest(place["course"], GRADING_WRITES) == place["before"], "grading changed the course folder (source, release, config or submissions)"
    assert digest(EXERCISES) == place["committed"], "grading must never modify the committed exercises"
