"""Build the class slides: ``python3 course.py slides`` (``python -m isotretinoin_course.authoring.slides``).

For each lesson of the manifest, the committed, executed notebook becomes ``<out>/<lesson name>.html``, a reveal.js
deck made by nbconvert's ``SlidesExporter`` through the course's template; the vendored reveal.js is copied to
``<out>/reveal.js/`` beside the decks, so the folder works opened from disk, on a classroom PC without network, or
inside the website (``build/site/slides/``).

What a deck shows, cell by cell (the notebook itself is never changed):

* Markdown as written, formulas as MathML; code is left out (a class sees what it does, the notebook has the code);
* figures, tables and printed results as stored;
* a quiz (``quiz_for(...)``) or a capstone step becomes one slide per question, in the widget's own order
  (:func:`~isotretinoin_course.models.quiz.presented_questions`, through the same rebuilt object the website uses),
  its answer and explanation appearing on the next key press (a reveal.js fragment): ask, let the class commit, reveal;
* any other widget shows its static fallback (what it shows for its starting inputs).

Where slides start: a cell's own ``slideshow`` metadata when it has one (authors may set it in JupyterLab's property
inspector; the build keeps it), else :func:`slide_types` derives it from the lesson's headings.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import shutil
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert import SlidesExporter

from ...content.lessons import Lesson, lessons as manifest_lessons
from ...core.constants import FIGURE_DESCRIPTION_PREFIX
from ...core.markup import inline_markup
from ..lint import SLIDE_TYPES
from ..site import SiteError
from ..site.html_post import convert_math
from ..site.notebook_outputs import _figure_html as figure_html
from ..site.notebook_outputs import complete_references
from ..site.views import ViewMaker, check_matches_stored, find_cases, read_view_call
from . import SlidesError

PACKAGE = __package__
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
VENDOR_FOLDER = Path("vendor") / "reveal.js"
REVEAL_FOLDER = "reveal.js"  # beside the decks
BUILD_MARKER = ".course-slides"  # only a folder holding this file is ever emptied by a rebuild
SLIDE_TEXT_LIMIT = 900  # characters of Markdown on one slide before the next cell starts a new (vertical) slide


@dataclass
class DeckReport:
    lessons: int
    slides: int
    quiz_slides: int
    figures: int
    seconds: float
    decks: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        return (f"Built {self.lessons} slide decks ({self.slides} slides, {self.quiz_slides} of them quiz questions, "
                f"{self.figures} figures) in {self.seconds:.1f} s")


# --------------------------------------------------------------------------- where slides start


def _heading_level(source: str) -> int:
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    hashes = len(first) - len(first.lstrip("#"))
    return hashes if 0 < hashes <= 6 and first[hashes:hashes + 1] == " " else 0


def _has_output(cell) -> bool:
    return any(output.get("output_type") in ("display_data", "execute_result", "stream", "error") for output in cell.get("outputs", []))


def _has_figure(cell) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def slide_types(cells: Sequence) -> list[str]:
    """The reveal.js slide type of each cell: its ``slideshow`` metadata if set, else derived.

    Derived: a Markdown cell opening with a level-1 or level-2 heading starts a slide (a lesson section), one with a
    level-3 heading a vertical sub-slide; a figure, a quiz question or a widget gets a sub-slide of its own; a code
    cell that shows nothing is skipped; any other cell continues the current slide, unless that slide already holds
    :data:`SLIDE_TEXT_LIMIT` characters of text, when it starts a sub-slide (slides also scroll, as a fallback).
    """
    types: list[str] = []
    text_on_slide = 0
    for position, cell in enumerate(cells):
        explicit = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        size = len(cell.source) if cell.cell_type == "markdown" else 0
        if explicit:
            if explicit not in SLIDE_TYPES:
                raise SlidesError(f"cell {position + 1}: slideshow slide_type {explicit!r} is not one of {', '.join(SLIDE_TYPES)}")
            kind = explicit
        elif position == 0:
            kind = "slide"
        elif cell.cell_type == "markdown":
            level = _heading_level(cell.source)
            if level in (1, 2):
                kind = "slide"
            elif level == 3 or text_on_slide + size > SLIDE_TEXT_LIMIT:
                kind = "subslide"
            else:
                kind = "-"
        elif cell.cell_type == "code":
            if not _has_output(cell):
                kind = "skip"
            elif _has_figure(cell) or any(WIDGET_MIME in output.get("data", {}) for output in cell.get("outputs", [])):
                kind = "subslide"
            else:
                kind = "-"
        else:
            kind = "skip"  # raw cells
        if kind in ("slide", "subslide"):
            text_on_slide = 0
        text_on_slide += size
        types.append(kind)
    return types


# --------------------------------------------------------------------------- quiz questions as slides


def question_slide_html(question, number: int, total: int, title: str, intro: str = "") -> str:
    """One question on a slide: its prompt and options, the answer (with explanation and sources) as a fragment."""
    from ...models.quiz import option_label
    from ...widgets.quiz import TYPE_HINT, answer_html  # the widget's own wording of the hint and the answer

    if question.type == "numeric":
        body = f"<p><em>Answer as a number in {inline_markup(question.unit)}.</em></p>"
    else:
        options = "".join(f"<li>{option_label(position)} {inline_markup(option.text)}</li>"
                          for position, option in enumerate(question.options))  # lettered in the order shown
        body = f"<p><em>{TYPE_HINT[question.type]}</em></p><ul>{options}</ul>"
    scenario = f"<p><em>{inline_markup(intro)}</em></p>" if intro else ""
    return (f'<div class="course-slide-quiz"><p><small>{inline_markup(title)} · question {number} of {total}</small></p>'
            f"{scenario}<p><strong>{inline_markup(question.prompt)}</strong></p>{body}"
            f'<div class="fragment">{answer_html(question)}</div></div>')


def _html_cell(cell_id: str, markup: str, slide_type: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source="", id=cell_id)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": markup})]
    cell.metadata = nbformat.NotebookNode({"slideshow": {"slide_type": slide_type}})
    return cell


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _figures_with_alt(outputs: list, key: str) -> list:
    """A figure and the description printed under it become one ``<figure>`` whose image has the description as alt text."""
    result, index = [], 0
    while index < len(outputs):
        output = outputs[index]
        following = outputs[index + 1] if index + 1 < len(outputs) else None
        description = _text(following.get("data", {}).get("text/markdown", "")) if following else ""
        if "image/png" in output.get("data", {}) and description.startswith(FIGURE_DESCRIPTION_PREFIX):
            encoded = "".join(_text(output["data"]["image/png"]).split())
            markup = figure_html(f"data:image/png;base64,{encoded}", base64.b64decode(encoded), description, f"figure-{key}-{index}")
            result.append(nbformat.v4.new_output("display_data", data={"text/html": markup}))
            index += 2
            continue
        result.append(output)
        index += 1
    return result


def deck_notebook(notebook: nbformat.NotebookNode, name: str) -> tuple[nbformat.NotebookNode, int]:
    """A copy of ``notebook`` ready for the reveal exporter, and how many quiz-question slides it has.

    Every cell gets its ``slideshow`` metadata (kept or derived); quiz and case-step cells become one cell per
    question; other widgets become their static fallback. Raises :class:`SlidesError` naming the cell when a quiz
    cannot be rebuilt as the notebook showed it.
    """
    notebook = nbformat.from_dict(notebook)  # a deep copy
    try:
        complete_references(notebook, name)  # what stored outputs cite reaches an entry, as on the website
    except SiteError as error:
        raise SlidesError(str(error)) from None
    kinds = slide_types(notebook.cells)
    code = [(f"{name}.ipynb, cell {number}", cell.source) for number, cell in enumerate(notebook.cells, 1) if cell.cell_type == "code"]
    maker = ViewMaker(find_cases(code))
    cells, questions_shown = [], 0
    for number, (cell, kind) in enumerate(zip(notebook.cells, kinds), 1):
        cell.metadata["slideshow"] = {"slide_type": kind}
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        where = f"{name}.ipynb, cell {number}"
        widget_outputs = [output for output in cell.get("outputs", []) if WIDGET_MIME in output.get("data", {})]
        if widget_outputs:
            call = read_view_call(cell.source, where)
            if call is not None:
                try:
                    view = maker.make(call, where)
                    check_matches_stored(view, widget_outputs[0]["data"], where)
                except SiteError as error:
                    raise SlidesError(str(error)) from None
                quiz = getattr(view, "quiz", view)  # a capstone step holds a one-question quiz
                intro = view.step.scenario if quiz is not view else ""
                for position, question in enumerate(quiz.questions, 1):
                    markup = question_slide_html(question, position, len(quiz.questions), quiz.title, intro)
                    cells.append(_html_cell(f"{cell.get('id', number)}-q{position}", markup, kind if position == 1 else "subslide"))
                    questions_shown += 1
                continue
            outputs = []
            for output in cell.outputs:
                if WIDGET_MIME in output.get("data", {}):
                    shown = _text(output["data"].get("text/html", "")).strip()
                    if not shown:
                        raise SlidesError(f"{where}: the widget stores no static fallback (text/html) for the slides to show")
                    output = nbformat.v4.new_output("display_data", data={"text/html": shown})
                outputs.append(output)
            cell.outputs = outputs
        cell.outputs = _figures_with_alt(cell.get("outputs", []), f"{cell.get('id', number)}")
        cells.append(cell)
    notebook.cells = cells
    return notebook, questions_shown


# --------------------------------------------------------------------------- the decks


def vendored_reveal(root: Path) -> Path:
    folder = root / VENDOR_FOLDER
    if not (folder / "dist" / "reveal.js").is_file():
        raise SlidesError(f"reveal.js is not vendored at {folder} (see vendor/README.md); the decks need it to work offline")
    return folder


def make_exporter() -> SlidesExporter:
    templates = Path(str(resources.files(PACKAGE).joinpath("templates")))
    exporter = SlidesExporter(template_name="course_reveal", extra_template_basedirs=[str(templates)],
                              exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.reveal_url_prefix = REVEAL_FOLDER
    exporter.reveal_theme = "white"
    return exporter


_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_LESSON_LINK = re.compile(r"^(?:\./)?(\d\d_[A-Za-z0-9_]+)\.ipynb(#.*)?$")


def relink(soup: BeautifulSoup) -> None:
    """A link to another lesson goes to its deck; a link to any other repository file keeps only its text."""
    for link in soup.find_all("a", href=True):
        href = link["href"]
        if _EXTERNAL.match(href) or href.startswith("#"):
            continue
        lesson = _LESSON_LINK.match(href)
        if lesson:
            link["href"] = f"{lesson.group(1)}.html"  # the deck's start: a heading anchor means nothing in another deck
        else:
            link.name = "span"
            link.attrs = {"class": "repository-file", "title": f"{href} in the course repository"}


def deck_html(notebook: nbformat.NotebookNode, name: str, exporter: SlidesExporter | None = None) -> tuple[str, int, int]:
    """One lesson's deck as HTML, with how many slides and quiz-question slides it has."""
    exporter = exporter or make_exporter()
    prepared, questions = deck_notebook(notebook, name)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IPython3 lexer unavailable")
        body, _ = exporter.from_notebook_node(prepared, resources={"metadata": {"name": name}})
    soup = BeautifulSoup(body, "html.parser")
    relink(soup)
    try:
        convert_math(soup, f"{name}.ipynb")
    except SiteError as error:
        raise SlidesError(str(error)) from None
    slides = len(soup.select("div.slides section section"))
    return str(soup), slides, questions


def _empty(out: Path) -> None:
    if out.exists():
        if any(out.iterdir()) and not (out / BUILD_MARKER).exists():
            raise SlidesError(f"{out} is not empty and was not made by the slides builder; refusing to delete it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / BUILD_MARKER).write_text("made by the course slides builder; emptied on every build\n", encoding="utf-8")


def build_decks(root: Path, out: Path, course_lessons: Sequence[Lesson] | None = None) -> DeckReport:
    """Write one deck per available lesson into ``out`` (emptied first) with reveal.js beside them."""
    started = time.perf_counter()
    vendor = vendored_reveal(root)
    chosen = [lesson for lesson in (manifest_lessons() if course_lessons is None else course_lessons) if lesson.available]
    _empty(out)
    shutil.copytree(vendor, out / REVEAL_FOLDER, ignore=shutil.ignore_patterns("SHA256SUMS"))
    exporter = make_exporter()
    report = DeckReport(len(chosen), 0, 0, 0, 0.0)
    for lesson in chosen:
        path = root / "notebooks" / lesson.filename
        if not path.exists():
            raise SlidesError(f"the lesson manifest lists {lesson.filename}, but {path} does not exist")
        notebook = nbformat.read(path, as_version=4)
        markup, slides, questions = deck_html(notebook, lesson.name, exporter)
        target = out / f"{lesson.name}.html"
        target.write_text(markup, encoding="utf-8")
        report.decks.append(target)
        report.slides += slides
        report.quiz_slides += questions
        report.figures += sum(_has_figure(cell) for cell in notebook.cells)
    report.seconds = time.perf_counter() - started
    return report


def vendor_digest(root: Path) -> dict[str, str]:
    """SHA-256 of every vendored reveal.js file, by path relative to ``vendor/reveal.js`` (checked against SHA256SUMS)."""
    folder = root / VENDOR_FOLDER
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != "SHA256SUMS"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course.py slides",
                                     description="Build a reveal.js slide deck per lesson (no execution, no network).")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: the current folder)")
    parser.add_argument("--out", type=Path, help="where to write the decks (default: ROOT/build/slides)")
    options = parser.parse_args(argv)
    root = options.root.resolve()
    out = options.out or root / "build" / "slides"
    try:
        report = build_decks(root, out)
    except SlidesError as error:
        print(f"slides: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    print(f"Open {out / report.decks[0].name} in a browser (arrow keys move, S opens the speaker view); "
          "the course website links every lesson to its deck too (python3 course.py site)." if report.decks else "No lessons.")
    return 0
