"""The teaching kit (issue 18): each lesson has three or more exercises with folded solutions, a checkable
question under every widget, and instructor notes with both plans; the course plan exists.

Every lesson notebook is held to it (lessons 00-04 from branch i18a, 05-09 from i18b).
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from conftest import NOTEBOOKS, ROOT

from isotretinoin_course.authoring.teaching_kit import exercises, note_problems, teaching_kit_problems, unquestioned_widgets

NOTES = ROOT / "docs" / "instructor"
KIT_NOTEBOOKS = NOTEBOOKS


def test_every_lesson_is_held_to_the_kit():
    assert [path.name[:2] for path in KIT_NOTEBOOKS] == [f"{number:02d}" for number in range(10)]


@pytest.mark.parametrize("path", KIT_NOTEBOOKS, ids=[path.name for path in KIT_NOTEBOOKS])
def test_lesson_has_exercises_with_solutions_widget_questions_and_instructor_notes(path):
    assert teaching_kit_problems(path, NOTES) == []


def test_course_plan_places_every_lesson_and_points_to_the_assignments_table():
    plan = (NOTES / "course_plan.md").read_text(encoding="utf-8")
    for number in ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09"):
        assert f"| {number}" in plan or f"{number} ·" in plan, number
    assert "06 always takes two meetings" in plan.replace("**", "")
    assert "assignments table in `exercises/README.md`" in plan


def test_notebook_00_and_the_readme_link_the_instructor_notes():
    start = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4)
    assert any("../docs/instructor/course_plan.md" in cell.source for cell in start.cells if cell.cell_type == "markdown")
    assert "docs/instructor/course_plan.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the lint catches each defect

@pytest.fixture()
def lesson_04():
    return nbformat.read(ROOT / "notebooks" / "04_dosing_and_cumulative_dose.ipynb", as_version=4)


def test_an_exercise_without_its_folded_solution_is_reported(lesson_04, tmp_path):
    broken = copy.deepcopy(lesson_04)
    for cell in broken.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("### Bug hunt"):
            position = broken.cells.index(cell)
            solution = broken.cells[position + 2]
            solution.source = solution.source.replace("<details>", "").replace("</details>", "")
    found = dict(exercises(broken))
    assert False in found.values()
    path = tmp_path / "04_dosing_and_cumulative_dose.ipynb"
    nbformat.write(broken, path)
    assert any("exercise without a folded solution" in problem for problem in teaching_kit_problems(path, NOTES))


def test_too_few_exercises_are_reported(lesson_04, tmp_path):
    broken = copy.deepcopy(lesson_04)
    broken.cells = [cell for cell in broken.cells if "<details>" not in cell.source]
    path = tmp_path / "04_dosing_and_cumulative_dose.ipynb"
    nbformat.write(broken, path)
    assert any("at least 3 needed" in problem for problem in teaching_kit_problems(path, NOTES))


def test_a_widget_without_a_question_is_reported(lesson_04):
    broken = copy.deepcopy(lesson_04)
    widget = next(index for index, cell in enumerate(broken.cells) if cell.source.startswith("DosingCalculator("))
    del broken.cells[widget + 1 : widget + 3]  # its questions and their quiz
    assert unquestioned_widgets(lesson_04) == []
    assert unquestioned_widgets(broken) == [widget]


def test_instructor_notes_without_a_plan_or_a_fallback_are_reported(tmp_path):
    note = tmp_path / "04_dosing_and_cumulative_dose.md"
    text = (NOTES / note.name).read_text(encoding="utf-8")
    note.write_text(text.replace("## 120-minute plan", "## Longer plan").replace("## When widgets do not render", "## Fallback"),
                    encoding="utf-8")
    assert note_problems(note) == [f"{note.name}: no heading for a 120-minute plan",
                                   f"{note.name}: no heading for what to do when widgets do not render"]
    assert note_problems(tmp_path / "missing.md")[0].startswith("no instructor notes")


def test_widgets_that_are_questions_or_pose_no_task_need_no_question_beneath(lesson_04):
    # The capstone's case steps are questions checked by the quiz engine; the progress table and the debrief pose
    # no task. The quiz check above is the same rule: a widget whose fixed text starts "Quiz:".
    capstone = nbformat.read(ROOT / "notebooks" / "09_capstone_case.ipynb", as_version=4)
    start = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4)
    assert unquestioned_widgets(capstone) == [] and unquestioned_widgets(start) == []


def test_a_numbered_exercise_counts_but_a_heading_that_only_mentions_exercises_does_not():
    cells = [nbformat.v4.new_markdown_cell("### Exercise 2 · Bug hunt\n\nFind the slip."),
             nbformat.v4.new_markdown_cell("<details><summary>Worked solution</summary>It divides.</details>"),
             nbformat.v4.new_markdown_cell("### Graded exercises\n\nThey are in `exercises/`.")]
    nb = nbformat.v4.new_notebook(cells=cells)
    assert exercises(nb) == [(0, True)]
