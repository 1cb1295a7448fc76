"""The notebook lint passes on every course notebook and catches each kind of defect.

Each defect test starts from a real, clean notebook, breaks one thing on purpose
(the fixture), and checks that the lint names it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

import nbformat
import pytest
from conftest import NOTEBOOKS

from isotretinoin_course.authoring.lint import learning_objectives, lint_notebook
from isotretinoin_course.content.bibliography import load_bibliography

CLEAN = next(path for path in NOTEBOOKS if path.name.startswith("01_"))


@pytest.fixture(scope="module")
def bibliography():
    return load_bibliography()


def test_there_are_notebooks_to_lint():
    assert [path.name for path in NOTEBOOKS][:2] == ["00_start_here.ipynb", "01_acne_pathophysiology.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_course_notebook_passes_the_lint(path, bibliography):
    assert lint_notebook(path, bibliography) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_no_output_is_ignored_by_nbval(path):
    # Our widgets have deterministic text reprs, so even they need no ignore tag today.
    nb = nbformat.read(path, as_version=4)
    assert not any("nbval-ignore-output" in cell.metadata.get("tags", []) for cell in nb.cells)


# --------------------------------------------------------------------------- deliberately broken fixtures


def _code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _cell_starting(nb, text):
    return next(cell for cell in nb.cells if cell.source.startswith(text))


def _break_execution_order(nb):
    cells = _code_cells(nb)
    cells[1].execution_count, cells[2].execution_count = cells[2].execution_count, cells[1].execution_count


def _clear_outputs(nb):
    for cell in _code_cells(nb):
        cell.execution_count = None
        cell.outputs = []


def _add_error_output(nb):
    _code_cells(nb)[1].outputs.append(nbformat.v4.new_output("error", ename="NameError", evalue="x", traceback=[]))


def _add_widget_state(nb):
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}


def _add_editor_noise(nb):
    _code_cells(nb)[0].metadata["collapsed"] = False


def _wrong_kernel(nb):
    nb.metadata["kernelspec"]["name"] = "julia-1.10"


def _ignore_plain_output(nb):
    _code_cells(nb)[2].metadata["tags"] = ["nbval-ignore-output"]


def _skip_a_cell(nb):
    _code_cells(nb)[2].metadata["tags"] = ["nbval-skip"]


def _drop_key_points(nb):
    nb.cells.remove(_cell_starting(nb, "## Key points"))


def _drop_disclaimer(nb):
    nb.cells[0].source = nb.cells[0].source.replace("not medical advice", "for students")


def _future_review_date(nb):
    nb.cells[0].source = re.sub(r"\*\*Last reviewed\*\* \| \d{4}-\d{2}-\d{2}", "**Last reviewed** | 2099-01-01", nb.cells[0].source)


def _drop_estimated_time(nb):
    nb.cells[0].source = nb.cells[0].source.replace("**Estimated time**", "**Time**")


def _skip_heading_level(nb):
    cell = _cell_starting(nb, "## The pilosebaceous unit")
    cell.source = cell.source.replace("## The pilosebaceous unit", "#### The pilosebaceous unit")


def _cite_missing_key(nb):
    _cell_starting(nb, "## The pilosebaceous unit").source += "\n\nSee [Nobody 2020](#ref-nobody2020)."


def _stale_references(nb):
    cell = _cell_starting(nb, "## References")
    cell.source = cell.source.replace("Williams HC", "Williams H")


def _figure_without_description(nb):
    for cell in _code_cells(nb):
        cell.outputs = [output for output in cell.outputs if "text/markdown" not in output.get("data", {})]


def _unassessed_objective(nb):
    cell = _cell_starting(nb, "## Learning objectives")
    cell.source += "\n6. **LO6** Recite the history of dermatology."


def _remove_matplotlib_inline(nb):
    first = _code_cells(nb)[0]
    first.source = first.source.replace("%matplotlib inline\n", "")


def _wrong_title(nb):
    nb.cells[0].source = nb.cells[0].source.replace("# 01 · Acne pathophysiology", "# 01 · Acne")


def _wrong_time(nb):
    nb.cells[0].source = nb.cells[0].source.replace("40 min teaching · 35 min exercises and quiz", "45 min")


def _import_unlisted_module(nb):
    first = _code_cells(nb)[0]
    first.source += "\nfrom isotretinoin_course.models.dosing import build_regimen"


def _drop_an_import(nb):
    first = _code_cells(nb)[0]
    first.source = "\n".join(line for line in first.source.splitlines() if "models.acne" not in line)


def _hide_the_quiz(nb):
    for cell in _code_cells(nb):
        cell.source = cell.source.replace('quiz_for("01_acne_pathophysiology")', "None")


def _import_a_missing_name(nb):
    first = _code_cells(nb)[0]
    first.source += "\nfrom isotretinoin_course.widgets import NoSuchWidget"


def _review_older_than_the_bank(nb):
    nb.cells[0].source = re.sub(r"\*\*Last reviewed\*\* \| \d{4}-\d{2}-\d{2}", "**Last reviewed** | 2026-11-01", nb.cells[0].source)


def _invalid_nbformat(nb):
    _code_cells(nb)[0]["source_code"] = "not a field nbformat knows"


BROKEN = {
    "execution order": (_break_execution_order, "expected 2"),
    "unexecuted notebook": (_clear_outputs, "execution count None, expected 1"),
    "stored error": (_add_error_output, "stored error output (NameError)"),
    "widget state": (_add_widget_state, "widget state: ['widgets']"),
    "editor noise": (_add_editor_noise, "metadata noise ['collapsed']"),
    "kernelspec": (_wrong_kernel, "kernelspec is 'julia-1.10'"),
    "ignore without widget": (_ignore_plain_output, "tagged nbval-ignore-output but shows no widget"),
    "nbval-skip": (_skip_a_cell, "tags ['nbval-skip'] are not allowed"),
    "key points missing": (_drop_key_points, "the last sections must be ['Check your understanding', 'Key points', 'References']"),
    "disclaimer missing": (_drop_disclaimer, "lacks the educational disclaimer"),
    "review date in future": (_future_review_date, "last-reviewed date 2099-01-01 is in the future"),
    "estimated time missing": (_drop_estimated_time, "lacks **Estimated time**"),
    "heading skips a level": (_skip_heading_level, "jumps from level 2 to 4"),
    "cited key missing": (_cite_missing_key, "cited but not in references.json: nobody2020"),
    "references out of date": (_stale_references, "References cell is out of date"),
    "figure without description": (_figure_without_description, "a figure without a text description"),
    "objective not assessed": (_unassessed_objective, "objectives no quiz question assesses: ['LO6']"),
    "no matplotlib inline": (_remove_matplotlib_inline, "must contain '%matplotlib inline'"),
    "invalid nbformat": (_invalid_nbformat, "not valid nbformat"),
    "title differs from the manifest": (_wrong_title, "the title must be '# 01 · Acne pathophysiology' as in the lesson manifest"),
    "time differs from the manifest": (_wrong_time, "the estimated time is '45 min'; the lesson manifest says '40 min teaching · 35 min exercises and quiz'"),
    "module missing from the manifest": (_import_unlisted_module, "imports modules the lesson manifest does not list: ['models.dosing']"),
    "module in the manifest unused": (_drop_an_import, "the lesson manifest lists modules the notebook does not import: ['models.acne']"),
    "quiz bank not shown": (_hide_the_quiz, 'the notebook never shows its quiz: quiz_for("01_acne_pathophysiology")'),
    "name that does not exist": (_import_a_missing_name, "isotretinoin_course.widgets has no 'NoSuchWidget'"),
    "review older than its bank": (_review_older_than_the_bank,
                                   "Last reviewed 2026-11-01 is older than quiz_banks/01_acne_pathophysiology.yml (last_reviewed 2026-11-30)"),
}


@pytest.mark.parametrize("defect", list(BROKEN))
def test_lint_catches_deliberately_broken_notebook(defect, tmp_path, bibliography):
    break_it, expected = BROKEN[defect]
    nb = copy.deepcopy(nbformat.read(CLEAN, as_version=4))
    break_it(nb)
    broken = tmp_path / CLEAN.name  # same name, so the notebook's quiz bank still applies
    broken.write_text(nbformat.writes(nb))
    problems = lint_notebook(broken, bibliography, today=dt.date(2026, 11, 30))
    assert any(expected in problem for problem in problems), problems


def test_unreadable_notebook_is_reported_not_raised(tmp_path, bibliography):
    path = tmp_path / "01_acne_pathophysiology.ipynb"
    path.write_text("{ this is not json")
    assert lint_notebook(path, bibliography)[0].startswith("01_acne_pathophysiology.ipynb: not a readable notebook")


def test_a_notebook_missing_from_the_manifest_is_named(tmp_path, bibliography):
    path = tmp_path / "42_unknown_lesson.ipynb"
    path.write_text(CLEAN.read_text())
    assert any("42_unknown_lesson is not in the lesson manifest" in problem for problem in lint_notebook(path, bibliography))


def test_learning_objectives_are_read_from_their_section():
    nb = nbformat.read(CLEAN, as_version=4)
    assert learning_objectives(nb) == ["LO1", "LO2", "LO3", "LO4", "LO5"]
