"""The notebook lint: valid, executed in order, clean, and in the course's lesson shape.

Every notebook in ``notebooks/`` follows one template (after the Carpentries'
lesson shape), so a test can hold each lesson to it:

1. a first Markdown cell with the ``# `` title, a table with **Estimated
   time**, **Prerequisites** and **Last reviewed** (an ISO date), and the
   educational disclaimer ("not medical advice");
2. ``## Learning objectives`` as the first section, objectives numbered and
   labelled ``**LO1**``, ``**LO2**`` ... so quiz questions can name them;
3. one or more main sections;
4. ``## Check your understanding``, ``## Key points`` and ``## References`` as
   the last three sections, the references generated from the bibliography.

Each notebook must also match its entry in the lesson manifest (``content/lessons.yml``): the title
and estimated time it shows, the package modules it imports, and the quiz banks it shows, which
together assess every learning objective. The manifest is the one copy; the lint keeps the notebooks
in step with it. Its **Last reviewed** date may not be older than the ``last_reviewed`` date of any of
its quiz banks and content files (:mod:`.review_dates`).

Run ``course-lint-notebooks [NOTEBOOK ...]`` to lint by hand.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import re
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from ..core.inputs import checked_arguments, read_path, read_sequence, read_text
from ..content.bibliography import REFERENCES_HEADING, Bibliography, BibliographyError, cited_keys, load_bibliography, references_markdown
from ..content.lessons import Lesson, lessons
from ..content.quiz_banks import QuizBankError, balance_problems, bank_names, load_bank
from ..core.errors import CourseInputError
from ..data.loader import load_cohort
from ..models.capstone import CapstoneCase
from ..core.constants import FIGURE_DESCRIPTION_PREFIX
from ..core.resources import content_file
from .review_dates import ReviewedFile, manifest_content_files, read_last_reviewed, review_date_problems

PACKAGE = "isotretinoin_course"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
# "slideshow" ({"slide_type": ...}, set in JupyterLab's property inspector) says where the class slides start a slide
# (authoring/slides); the build keeps it and the lint checks its value.
ALLOWED_CELL_METADATA = {"tags", "slideshow"}
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
ALLOWED_NBVAL_TAGS = {"nbval-ignore-output", "raises-exception"}
CLOSING_SECTIONS = ["Check your understanding", "Key points", "References"]
DISCLAIMER_PHRASE = "not medical advice"
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
OBJECTIVE = re.compile(r"^\s*\d+\.\s+\*\*(LO\d+)\*\*", re.MULTILINE)
LAST_REVIEWED = re.compile(r"\*\*Last reviewed\*\*\s*\|?\s*:?\s*(\d{4}-\d{2}-\d{2})")
ESTIMATED_TIME = re.compile(r"^\|\s*\*\*Estimated time\*\*\s*\|\s*(.+?)\s*\|\s*$", re.MULTILINE)


def _headings(nb: NotebookNode) -> list[tuple[int, int, str]]:
    """(cell index, level, text) of every Markdown heading, outside code fences."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        in_fence = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
            match = None if in_fence else HEADING.match(line)
            if match:
                found.append((index, len(match.group(1)), match.group(2)))
    return found


@checked_arguments
def learning_objectives(nb: NotebookNode) -> list[str]:
    """The objective labels (``LO1`` ...) listed under ``## Learning objectives``."""
    headings = _headings(nb)
    sections = [(index, text) for index, level, text in headings if level == 2]
    for position, (index, text) in enumerate(sections):
        if text == "Learning objectives":
            end = sections[position + 1][0] if position + 1 < len(sections) else len(nb.cells)
            # The next section may start inside the same cell: cut the text there.
            text_block = "\n".join(cell.source for cell in nb.cells[index : max(end, index + 1)] if cell.cell_type == "markdown")
            text_block = text_block.split("## Learning objectives", 1)[-1].split("\n## ", 1)[0]
            return OBJECTIVE.findall(text_block)
    return []


@checked_arguments
def check_structure(nb: NotebookNode) -> list[str]:
    """nbformat validity, kernelspec, execution order, errors and metadata noise."""
    problems = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        problems.append(f"not valid nbformat: {error.message}")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"kernelspec is {kernel!r}, expected 'python3'")
    extra = set(nb.metadata) - ALLOWED_NOTEBOOK_METADATA
    if extra:
        problems.append(f"notebook metadata has editor noise or widget state: {sorted(extra)}")
    code_cells = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    for position, (index, cell) in enumerate(code_cells, 1):
        where = f"cell {index + 1}"
        if not cell.source.strip():
            problems.append(f"{where}: empty code cell")
        if cell.execution_count != position:
            problems.append(
                f"{where}: execution count {cell.execution_count}, expected {position} "
                "(re-execute from a fresh kernel with `python3 course.py execute`)"
            )
        tags = set(cell.metadata.get("tags", []))
        for output in cell.get("outputs", []):
            if output.output_type == "error" and "raises-exception" not in tags:
                problems.append(f"{where}: stored error output ({output.get('ename')})")
        unknown_nbval = {tag for tag in tags if tag.startswith("nbval") or tag == "raises-exception"} - ALLOWED_NBVAL_TAGS
        if unknown_nbval:
            problems.append(f"{where}: tags {sorted(unknown_nbval)} are not allowed (they weaken the strict tests)")
        if "nbval-ignore-output" in tags and not any(WIDGET_VIEW in output.get("data", {}) for output in cell.get("outputs", [])):
            problems.append(f"{where}: tagged nbval-ignore-output but shows no widget; only live widget output may be ignored")
        images = sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        descriptions = sum(
            output.get("data", {}).get("text/markdown", "").startswith(FIGURE_DESCRIPTION_PREFIX)
            for output in cell.get("outputs", [])
        )
        if images > descriptions:
            problems.append(f"{where}: a figure without a text description (use figures.show_figure)")
    for index, cell in enumerate(nb.cells):
        extra_cell = set(cell.metadata) - ALLOWED_CELL_METADATA
        if extra_cell:
            problems.append(f"cell {index + 1}: metadata noise {sorted(extra_cell)}")
        slideshow = cell.metadata.get("slideshow")
        if slideshow is not None and (not isinstance(slideshow, dict) or set(slideshow) != {"slide_type"}
                                      or slideshow["slide_type"] not in SLIDE_TYPES):
            problems.append(f"cell {index + 1}: slideshow metadata must be {{\"slide_type\": one of {', '.join(SLIDE_TYPES)}}}, "
                            f"not {slideshow!r}")
    if code_cells and "%matplotlib inline" not in code_cells[0][1].source:
        problems.append("the first code cell must contain '%matplotlib inline' (figures vanish from outputs otherwise)")
    return problems


@checked_arguments
def check_lesson_shape(nb: NotebookNode, today: dt.date | None = None) -> list[str]:
    """Title block, section order, heading levels and objectives."""
    today = today or dt.date.today()
    problems = []
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["the first cell must be Markdown with the title block"]
    first = nb.cells[0].source
    if not first.lstrip().startswith("# "):
        problems.append("the first cell must start with the '# ' title")
    for label in ("Estimated time", "Prerequisites", "Last reviewed"):
        if f"**{label}**" not in first:
            problems.append(f"the title block lacks **{label}**")
    reviewed = LAST_REVIEWED.search(first)
    if reviewed:
        try:
            date = dt.date.fromisoformat(reviewed.group(1))
        except ValueError:
            problems.append(f"last-reviewed date {reviewed.group(1)} is not a real date")
        else:
            if date > today:
                problems.append(f"last-reviewed date {date} is in the future")
    elif "**Last reviewed**" in first:
        problems.append("**Last reviewed** needs an ISO date (YYYY-MM-DD)")
    if DISCLAIMER_PHRASE not in first.lower():
        problems.append(f"the title block lacks the educational disclaimer (\"{DISCLAIMER_PHRASE}\")")

    headings = _headings(nb)
    titles = [text for _index, level, text in headings if level == 1]
    if len(titles) != 1:
        problems.append(f"expected exactly one '# ' title, found {len(titles)}")
    previous = 0
    for index, level, text in headings:
        if level > previous + 1:
            problems.append(f"cell {index + 1}: heading '{text}' jumps from level {previous} to {level}")
        previous = level
    sections = [text for _index, level, text in headings if level == 2]
    if not sections or sections[0] != "Learning objectives":
        problems.append("the first section must be '## Learning objectives'")
    if sections[-3:] != CLOSING_SECTIONS:
        problems.append(f"the last sections must be {CLOSING_SECTIONS}, found {sections[-3:]}")
    if len(sections) < 5:
        problems.append("there must be at least one main section between the objectives and the closing sections")
    objectives = learning_objectives(nb)
    if len(objectives) < 2:
        problems.append("list at least two learning objectives as '1. **LO1** ...'")
    elif objectives != [f"LO{number}" for number in range(1, len(objectives) + 1)]:
        problems.append(f"learning objectives must be numbered LO1, LO2, ... in order, found {objectives}")
    return problems


@checked_arguments
def citing_texts(nb: NotebookNode, references_cell: NotebookNode) -> list[str]:
    """What a reader sees that may cite: the Markdown cells (but the References cell), then the stored Markdown
    and HTML outputs (a quiz's sources, a table of rules), so that every citation a student can click resolves."""
    texts = [cell.source for cell in nb.cells if cell.cell_type == "markdown" and cell is not references_cell]
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for mime in ("text/markdown", "text/html"):
                value = output.get("data", {}).get(mime, "")
                texts.append("".join(value) if isinstance(value, list) else value)
    return texts


@checked_arguments
def check_references(nb: NotebookNode, bibliography: Bibliography) -> list[str]:
    """Every citation resolves, and the References cell matches the bibliography."""
    reference_cells = [cell for cell in nb.cells if cell.cell_type == "markdown" and cell.source.startswith(REFERENCES_HEADING)]
    if len(reference_cells) != 1:
        return [f"expected one Markdown cell starting with '{REFERENCES_HEADING}', found {len(reference_cells)}"]
    keys = cited_keys(citing_texts(nb, reference_cells[0]))
    if not keys:
        return ["the notebook cites no reference: cite with [Author Year](#ref-KEY)"]
    try:
        expected = references_markdown(keys, bibliography)
    except BibliographyError as error:
        return [str(error)]
    if reference_cells[0].source != expected:
        return ["the References cell is out of date with the bibliography: run `python3 course.py execute`"]
    return []


@checked_arguments
def manifest_lesson(name: str) -> Lesson | None:
    """The manifest's entry for a notebook by its name ("05_laboratory_monitoring"), or None if it has none."""
    name = read_text(name, "name", max_length=200)
    return next((item for item in lessons() if item.name == name), None)


@checked_arguments
def imported_modules(nb: NotebookNode) -> tuple[set[str], list[str]]:
    """The package modules whose names the notebook's code imports (relative to the package, e.g. ``models.dosing``):
    a name imported from a subpackage counts for the module that defines it. Also returns problems (code that
    does not parse, names that do not exist)."""
    modules: set[str] = set()
    problems: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())
        try:
            tree = ast.parse(code)
        except SyntaxError as error:
            problems.append(f"cell {index + 1}: the code does not parse ({error.msg})")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names if alias.name.startswith(f"{PACKAGE}."))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(PACKAGE):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    found = getattr(module, alias.name, None)
                    if found is None:
                        problems.append(f"cell {index + 1}: {node.module} has no {alias.name!r}")
                    elif isinstance(found, types.ModuleType):
                        modules.add(found.__name__)
                    else:
                        defined_in = getattr(found, "__module__", None)
                        modules.add(defined_in if isinstance(defined_in, str) and defined_in.startswith(PACKAGE) else node.module)
    return {name.removeprefix(f"{PACKAGE}.") for name in modules if name != PACKAGE}, problems


@checked_arguments
def check_manifest(nb: NotebookNode, name: str) -> list[str]:
    """The notebook matches its lesson in the manifest: title, estimated time, modules imported, banks shown."""
    lesson = manifest_lesson(name)
    if lesson is None:
        return [f"{name} is not in the lesson manifest (content/lessons.yml)"]
    problems = []
    first = nb.cells[0].source if nb.cells else ""
    title = f"# {lesson.number} · {lesson.title}"
    if not first.lstrip().startswith(title):
        problems.append(f"the title must be '{title}' as in the lesson manifest")
    time = ESTIMATED_TIME.search(first)
    if time and time.group(1) != lesson.time:
        problems.append(f"the estimated time is {time.group(1)!r}; the lesson manifest says {lesson.time!r}")
    modules, import_problems = imported_modules(nb)
    problems += import_problems
    unlisted = sorted(modules - set(lesson.modules))
    if unlisted:
        problems.append(f"imports modules the lesson manifest does not list: {unlisted}")
    unused = sorted(set(lesson.modules) - modules)
    if unused:
        problems.append(f"the lesson manifest lists modules the notebook does not import: {unused}")
    return problems


@checked_arguments
def check_quiz_alignment(nb: NotebookNode, name: str) -> list[str]:
    """The notebook shows the quiz banks its manifest entry names, and they assess every stated objective."""
    lesson = manifest_lesson(name)
    banks = lesson.banks if lesson else (name,)
    problems = []
    objectives = set(learning_objectives(nb))
    assessed: set[str] = set()
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    for bank_name in banks:
        if bank_name not in bank_names():
            problems.append(f"no question bank content/quiz_banks/{bank_name}.yml")
            continue
        try:
            bank = load_bank(bank_name)
        except QuizBankError as error:
            problems.append(str(error))
            continue
        unknown = sorted(bank.objectives - objectives)
        if unknown:
            problems.append(f"{bank.source} names objectives the notebook does not list: {unknown}")
        assessed |= bank.objectives
        if f'quiz_for("{bank_name}"' not in code:
            problems.append(f'the notebook never shows its quiz: quiz_for("{bank_name}")')
    unassessed = sorted(objectives - assessed, key=lambda label: int(label[2:]))
    if unassessed:
        problems.append(f"objectives no quiz question assesses: {unassessed}")
    return problems


def capstone_balance_problems() -> list[str]:
    """The quiz banks' balance lint (:func:`content.quiz_banks.balance_problems`) on notebook 09's capstone case.

    The case's questions are built from the synthetic cohort (``content/capstone.yml`` + ``models/capstone.py``),
    not read from a bank file, so the content check of the banks cannot see them: this builds the course's own
    case and lints its questions in their authored order, like every bank's. One line per problem; empty when it
    passes.
    """
    try:
        case = CapstoneCase(load_cohort())
    except CourseInputError as error:  # a case that cannot be built is a problem of the content, reported like one
        return [f"capstone case: {error}"]
    return balance_problems(case.bank)


@checked_arguments
def notebook_reviewed(nb: NotebookNode) -> dt.date | None:
    """The notebook's **Last reviewed** date, or ``None`` (the lesson-shape check names what is wrong)."""
    match = LAST_REVIEWED.search(nb.cells[0].source) if nb.cells else None
    try:
        return dt.date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


@checked_arguments
def lesson_content_dates(name: str) -> list[ReviewedFile]:
    """The ``last_reviewed`` dates of a lesson's quiz banks and content files, as its manifest entry names them."""
    lesson = manifest_lesson(name)
    if lesson is None:
        return []
    files = [(f"quiz_banks/{bank}.yml", content_file("quiz_banks", f"{bank}.yml")) for bank in lesson.banks if bank in bank_names()]
    try:
        files += manifest_content_files(lesson.content)
    except FileNotFoundError as error:
        return [ReviewedFile(str(error.filename or lesson.content), None, f"the manifest names a content file that does not exist: {error}")]
    return [read_last_reviewed(entry, label) for label, entry in files]


@checked_arguments
def check_review_dates(nb: NotebookNode, name: str, today: dt.date | None = None) -> list[str]:
    """The notebook's Last reviewed date is not older than any of its banks' and content files' last_reviewed."""
    reviewed = notebook_reviewed(nb)
    if reviewed is None:
        return []
    return review_date_problems(reviewed, lesson_content_dates(name), today)


@checked_arguments
def lint_notebook(path: str | Path, bibliography: Bibliography | None = None, today: dt.date | None = None) -> list[str]:
    """Every problem found in one notebook, each prefixed with the file name."""
    path = read_path(path, "path")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several types for unreadable files
        return [f"{path.name}: not a readable notebook: {error}"]
    bibliography = bibliography or load_bibliography()
    problems = (
        check_structure(nb)
        + check_lesson_shape(nb, today)
        + check_references(nb, bibliography)
        + check_quiz_alignment(nb, path.stem)
        + check_manifest(nb, path.stem)
        + check_review_dates(nb, path.stem, today)
    )
    return [f"{path.name}: {problem}" for problem in problems]


@checked_arguments
def main(argv: Sequence[str] | None = None) -> int:
    paths = read_sequence(argv if argv is not None else sys.argv[1:], "argv", lambda arg, where: read_path(arg, where))
    if not paths:
        print("usage: course-lint-notebooks NOTEBOOK [NOTEBOOK ...]", file=sys.stderr)
        return 2
    problems = [problem for path in paths for problem in lint_notebook(path)]
    print("\n".join(problems) if problems else f"{len(paths)} notebooks: no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
