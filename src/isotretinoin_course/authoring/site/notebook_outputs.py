"""Turn a committed notebook's stored outputs into what a static page can show.

Three kinds of output change on the way to the site, in a copy of the notebook:

* a figure (``image/png``) followed by its ``*Figure description ...`` Markdown (what
  ``figures.show_figure`` prints) becomes one ``<figure>`` whose image carries the description as its
  alt text, with the image saved as a file;
* the output of a quiz or case-step cell becomes the quiz the page checks itself (:mod:`.views`);
* any other widget output becomes the widget's own static fallback (the ``text/html`` it stores for
  its starting inputs) plus a line saying where the live version runs.

The References cell also lists what the stored outputs cite (a table of rules, say), so that every
citation on the page reaches its entry; ``python3 course.py execute`` builds that cell from the
Markdown cells only, and the build reports the keys it had to add.

Everything else (Markdown, tables, printed text) passes through nbconvert unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import struct
from dataclasses import dataclass, field

import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from ...content.bibliography import REFERENCES_HEADING, BibliographyError, cited_keys, load_bibliography, references_markdown
from ..lint import citing_texts
from ...core.constants import FIGURE_DESCRIPTION_PREFIX
from . import SiteError
from .quiz_html import view_html
from .views import ViewMaker, check_matches_stored, find_cases, read_view_call

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_DESCRIPTION_LABEL = re.compile(r"^\*Figure description[^*]*\*\s*")


@dataclass
class PageAssets:
    """What preparing one notebook produced besides the notebook itself."""

    figures: dict[str, bytes] = field(default_factory=dict)  # path under the site root -> PNG bytes
    quizzes: int = 0  # quizzes and case steps, checked in the page
    widgets: int = 0  # other widgets, shown by their static fallback
    added_references: list[str] = field(default_factory=list)  # cited in outputs, missing from the References cell


@dataclass(frozen=True)
class LiveNote:
    """Where the live version of a widget runs, for the line under its fallback."""

    binder_url: str | None

    def html(self) -> str:
        if self.binder_url:
            where = (f'on Binder (<a class="binder-link" href="{html.escape(self.binder_url)}">open this lesson on Binder</a>, nothing to '
                     "install) or in JupyterLab on your course's hub or computer")
        else:
            # A site built without a repository has no Binder link: send the student to whoever runs the course.
            where = "JupyterLab, on your course's hub or computer (your instructor will say where; the course README says how to set it up)"
        return ('<p class="live-note"><strong>Live version:</strong> this part of the lesson is interactive. Above is what it '
                f"shows for its starting inputs; to change them, open the notebook in {where}.</p>")


def plain_text(markdown: str) -> str:
    """Markdown emphasis and code marks removed, white space collapsed: text fit for an ``alt``."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return " ".join(text.replace("`", "").split())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header (so a page reserves the space before the image loads)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", data[16:24])


_STYLER_TABLE = re.compile(r'<table id="(T_[A-Za-z0-9_-]+)"')


def unique_styler_ids(markup: str, suffix: str) -> str:
    """Give a pandas Styler table's ids (``T_<uuid>``, ``T_<uuid>_row0_col1``...) a per-output suffix.

    The course fixes Styler uuids so that outputs reproduce; two such tables on one page would then
    share ids, which is invalid HTML and lets one table's style rules reach the other.
    """
    for table_id in set(_STYLER_TABLE.findall(markup)):
        markup = re.sub(rf"\b{re.escape(table_id)}(?=[_\"\s{{,.:])", f"{table_id}-{suffix}", markup)
    return markup


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _html_output(markup: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/html": markup})


def _figure_html(src: str, data: bytes, description_md: str, figure_id: str) -> str:
    width, height = png_size(data)
    alt = plain_text(_DESCRIPTION_LABEL.sub("", description_md.strip()))
    return (f'<figure class="course-figure" id="{figure_id}">'
            f'<img src="{src}" alt="{html.escape(alt)}" width="{width}" height="{height}" loading="lazy">'
            f"<figcaption>{markdown2html_mistune(description_md)}</figcaption></figure>")


def _widget_name(plain: str) -> str:
    """'PK simulator (interactive: run the notebook to use it)' -> 'PK simulator'."""
    return plain.split(" (interactive")[0].strip() or "Interactive tool"


def _widget_fallback(output, where: str, live_note: LiveNote) -> nbformat.NotebookNode:
    data = output["data"]
    shown = _text(data.get("text/html", "")).strip()
    if not shown:
        raise SiteError(f"{where}: the widget stores no static fallback (text/html) for the site to show")
    name = _widget_name(_text(data.get("text/plain", "interactive tool")))
    return _html_output(f'<div class="widget-fallback" role="group" aria-label="{html.escape(name)}">{shown}{live_note.html()}</div>')


_ANCHOR = re.compile(r'<a id="ref-([^"]+)"></a>')


def complete_references(notebook: nbformat.NotebookNode, name: str) -> list[str]:
    """Add to the References cell the keys that stored outputs cite and it lacks; return those keys.

    The entries are written as ``course.py execute`` writes them (same format, same order). A key the
    bibliography lacks is refused: the page would carry a citation that leads nowhere.
    """
    cells = [cell for cell in notebook.cells if cell.cell_type == "markdown" and cell.source.startswith(REFERENCES_HEADING)]
    if len(cells) != 1:
        return []
    listed = _ANCHOR.findall(cells[0].source)
    missing = [key for key in cited_keys(citing_texts(notebook, cells[0])) if key not in listed]
    if missing:
        try:
            cells[0].source = references_markdown(listed + missing, load_bibliography())
        except BibliographyError as error:
            raise SiteError(f"{name}.ipynb: {error}") from None
    return missing


def prepare_notebook(notebook: nbformat.NotebookNode, name: str, live_note: LiveNote) -> tuple[nbformat.NotebookNode, PageAssets]:
    """A copy of ``notebook`` whose outputs a static page can show, and the files it needs.

    Raises :class:`SiteError` naming the notebook and cell for a figure without a description, a widget
    without a static fallback, or a quiz or case step the package cannot rebuild as the notebook showed it.
    """
    notebook = nbformat.from_dict(notebook)  # a deep copy: the committed notebook stays as it is
    assets = PageAssets(added_references=complete_references(notebook, name))
    code = [(f"{name}.ipynb, cell {number}", cell.source) for number, cell in enumerate(notebook.cells, 1) if cell.cell_type == "code"]
    maker = ViewMaker(find_cases(code))
    for cell_number, cell in enumerate(notebook.cells, 1):
        if cell.cell_type != "code":
            continue
        where = f"{name}.ipynb, cell {cell_number}"
        outputs, new_outputs, index = list(cell.get("outputs", [])), [], 0
        while index < len(outputs):
            output = outputs[index]
            data = output.get("data", {})
            if WIDGET_MIME in data:
                call = read_view_call(cell.source, where)
                if call is not None:
                    view = maker.make(call, where)
                    check_matches_stored(view, data, where)
                    assets.quizzes += 1
                    new_outputs.append(_html_output(view_html(view, f"quiz-{assets.quizzes}")))
                else:
                    new_outputs.append(_widget_fallback(output, where, live_note))
                    assets.widgets += 1
            elif "image/png" in data:
                following = outputs[index + 1] if index + 1 < len(outputs) else None
                description = _text(following.get("data", {}).get("text/markdown", "")) if following else ""
                if not description.startswith(FIGURE_DESCRIPTION_PREFIX):
                    raise SiteError(f"{where}: a figure has no '{FIGURE_DESCRIPTION_PREFIX}' Markdown right after it; "
                                    "the site needs it as the image's alt text (show figures with figures.show_figure)")
                png = base64.b64decode(_text(data["image/png"]))
                number = len(assets.figures) + 1
                src = f"figures/{name}/figure-{number}-{hashlib.sha256(png).hexdigest()[:10]}.png"
                assets.figures[src] = png
                new_outputs.append(_html_output(_figure_html(src, png, description, f"figure-{number}")))
                index += 1  # the description is now the figure's caption
            else:
                if "text/html" in data:
                    data["text/html"] = unique_styler_ids(_text(data["text/html"]), f"c{cell_number}o{index}")
                new_outputs.append(output)
            index += 1
        cell.outputs = new_outputs
    return notebook, assets
