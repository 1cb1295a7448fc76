"""The teaching-kit lint (issue 18): exercises with folded solutions, a checkable question under every widget,
and instructor notes with both session plans.

What it holds a lesson to:

1. **At least three exercises, each with a worked solution folded beneath it** (or a quiz that checks it). An exercise is a Markdown cell
   that announces one of the course's active-learning patterns in a heading or in bold (:data:`PATTERNS`: predict
   then run, fill in the blanks, tweak and observe, bug hunt, case decision, the older "Your turn", or a numbered
   "Exercise"); its solution is an HTML
   ``<details>`` block in that cell or in one of the next :data:`SOLUTION_WINDOW` cells, before the next exercise
   or section.
2. **A checkable question under every widget** other than those that are questions themselves or pose no task
   (:data:`NO_QUESTION_NEEDED`: a quiz, a capstone step, the progress table, the debrief): one of the next
   :data:`SOLUTION_WINDOW` cells after the widget's cell is a quiz of questions about the widget
   (``quiz_for(...)``, the quiz engine checks the answer) or Markdown with a ``<details>`` answer.
3. **Instructor notes** ``docs/instructor/<notebook name>.md`` with headings for a 50-minute plan, a 120-minute
   plan, pause-and-predict points, answers, students' typical errors, and what to do when widgets do not render.

Run ``python -m isotretinoin_course.authoring.teaching_kit NOTEBOOK ...`` to check by hand.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

PATTERNS = ("predict, then run", "predict first", "fill in the blank", "tweak and observe", "bug hunt", "case decision", "your turn")
SOLUTION_WINDOW = 3
MINIMUM_EXERCISES = 3
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# Widgets that are questions themselves (a quiz, a capstone step, checked by the quiz engine) or that pose no task
# (the saved-progress table, the capstone's debrief), recognised by the start of their fixed text representation.
NO_QUESTION_NEEDED = ("Quiz:", "Case step:", "Capstone debrief", "Your saved progress")
NOTE_HEADINGS = {
    "a 50-minute plan": re.compile(r"^#{2,3} .*50-minute", re.IGNORECASE | re.MULTILINE),
    "a 120-minute plan": re.compile(r"^#{2,3} .*120-minute", re.IGNORECASE | re.MULTILINE),
    "pause-and-predict points": re.compile(r"^#{2,3} .*predict", re.IGNORECASE | re.MULTILINE),
    "answers": re.compile(r"^#{2,3} .*answers", re.IGNORECASE | re.MULTILINE),
    "students' typical errors": re.compile(r"^#{2,3} .*errors", re.IGNORECASE | re.MULTILINE),
    "what to do when widgets do not render": re.compile(r"^#{2,3} .*widgets do not render", re.IGNORECASE | re.MULTILINE),
}
_SECTION = re.compile(r"^## ", re.MULTILINE)


# A pattern counts only in a heading or in bold, where an exercise announces itself (not in prose that mentions one).
_ANNOUNCED = re.compile(r"(^#{2,4}[^\n]*(?:%s))|(\*\*[^*\n]*(?:%s)[^*\n]*\*\*)" % (("|".join(map(re.escape, PATTERNS)),) * 2),
                        re.IGNORECASE | re.MULTILINE)


_NUMBERED = re.compile(r"^#{2,4}\s+Exercise\s+\d", re.MULTILINE)  # "### Exercise 2 · Bug hunt"


def _is_exercise(cell) -> bool:
    return cell.cell_type == "markdown" and bool(_ANNOUNCED.search(cell.source) or _NUMBERED.search(cell.source))


def _checks_answers(cell) -> bool:
    """A folded answer (``<details>`` in Markdown) or a quiz, which checks an answer and folds its explanation."""
    if cell.cell_type == "markdown":
        return "<details>" in cell.source
    return cell.source.lstrip().startswith("quiz_for(")


def _solution_follows(cells: list, index: int) -> bool:
    """Whether the exercise at ``index`` has a folded answer or a quiz in its cell or in the next few, before the next one."""
    if _checks_answers(cells[index]):
        return True
    for cell in cells[index + 1 : index + 1 + SOLUTION_WINDOW]:
        if _checks_answers(cell):
            return True
        if cell.cell_type == "markdown" and (_is_exercise(cell) or _SECTION.search(cell.source)):
            return False
    return False


def exercises(nb) -> list[tuple[int, bool]]:
    """(cell index, has a folded solution) for every exercise cell."""
    return [(index, _solution_follows(nb.cells, index)) for index, cell in enumerate(nb.cells) if _is_exercise(cell)]


def unquestioned_widgets(nb) -> list[int]:
    """Indices of code cells showing a widget (not a quiz) with no quiz or folded answer in the next few cells."""
    missing = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        widgets = [output["data"] for output in cell.get("outputs", []) if WIDGET_VIEW in output.get("data", {})]
        if not widgets or all(str(data.get("text/plain", "")).startswith(NO_QUESTION_NEEDED) for data in widgets):
            continue
        questioned = False
        for other in nb.cells[index + 1 : index + 1 + SOLUTION_WINDOW]:
            if other.cell_type == "markdown" and _SECTION.search(other.source) and not _checks_answers(other):
                break  # a new section: the lesson's own quiz there is not about this widget
            if _checks_answers(other):
                questioned = True
                break
        if not questioned:
            missing.append(index)
    return missing


def note_problems(note: Path) -> list[str]:
    """What an instructor-notes page lacks."""
    if not note.is_file():
        return [f"no instructor notes: {note} does not exist"]
    text = note.read_text(encoding="utf-8")
    return [f"{note.name}: no heading for {what}" for what, heading in NOTE_HEADINGS.items() if not heading.search(text)]


def teaching_kit_problems(path: Path, notes_dir: Path) -> list[str]:
    """Everything the teaching-kit lint finds in one lesson notebook and its instructor notes."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    found = exercises(nb)
    solved = [index for index, has_solution in found if has_solution]
    if len(solved) < MINIMUM_EXERCISES:
        problems.append(f"{path.name}: {len(solved)} exercises with a folded solution, at least {MINIMUM_EXERCISES} needed")
    problems += [f"{path.name}: cell {index + 1}: exercise without a folded solution (<details>) beneath it"
                 for index, has_solution in found if not has_solution]
    problems += [f"{path.name}: cell {index + 1}: a widget without a question and folded answer beneath it"
                 for index in unquestioned_widgets(nb)]
    problems += note_problems(notes_dir / f"{path.stem}.md")
    return problems


def main(argv: list[str] | None = None) -> int:
    paths = [Path(argument) for argument in (argv if argv is not None else sys.argv[1:])]
    notes_dir = Path("docs/instructor")
    problems = [problem for path in paths for problem in teaching_kit_problems(path, notes_dir)]
    print("\n".join(problems) if problems else f"{len(paths)} lesson(s): teaching kit complete")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
