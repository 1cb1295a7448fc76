"""Build the course website: ``python3 course.py site`` (``python -m isotretinoin_course.authoring.site``).

Reads the committed, executed notebooks (never runs them) in the lesson manifest's order, and the
instructor notes in ``docs/instructor/*.md`` (whatever files are there), and writes a static site to
``build/site/``: ``index.html`` (the course contents), one page per lesson, ``instructor/`` (its own
section), ``search.html``, ``404.html``, ``figures/``, ``static/`` and ``slides/`` (a reveal.js deck per lesson, made by
:mod:`isotretinoin_course.authoring.slides`, each linked from its lesson page). No network is used, nothing is
fetched at build time or when the site is read, and every link between pages is relative, so the
folder works under any URL prefix (GitHub Pages serves ``/REPO/``) and opened from disk.

With a repository configured (``--repository OWNER/REPO``, ``$COURSE_REPOSITORY`` or a GitHub
``Repository`` URL in ``pyproject.toml``'s ``[project.urls]``), every lesson page and widget links to
Binder, and a link to another file of the repository goes to that file on GitHub; without one, the
pages say how to run the lessons and such links keep only their text.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
import tomllib
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

import jinja2
import nbformat
from markupsafe import Markup, escape
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pygments.formatters import HtmlFormatter

from ...content.lessons import Lesson, lessons as manifest_lessons
from ...core.identity import request_fixed_order
from ..slides import SlidesError
from ..slides.build import build_decks
from . import SiteError
from .html_post import Section, finish_page
from .notebook_outputs import LiveNote, PageAssets, prepare_notebook

PACKAGE = __package__
SLIDES_FOLDER = "slides"
BUILD_MARKER = ".course-site"  # only a folder holding this file is ever emptied by a rebuild
BINDER_URL = "https://mybinder.org/v2/gh/{repository}/{ref}?urlpath=lab/tree/notebooks/{filename}"
GITHUB_FILE_URL = "https://github.com/{repository}/{kind}/{ref}/{path}"
REPOSITORY_VARIABLE = "COURSE_REPOSITORY"
_GITHUB_REPOSITORY = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")
_OWNER_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass
class SiteConfig:
    """Where the course is, where the site goes, and where the repository is published (if it is)."""

    root: Path  # the repository: notebooks/, docs/instructor/
    out_dir: Path
    lessons: tuple[Lesson, ...] = field(default_factory=manifest_lessons)
    title: str = "Isotretinoin for pharmacy students"
    repository: str | None = None  # "OWNER/REPO" on GitHub, for Binder links and links to repository files
    ref: str = "HEAD"  # the branch, tag or commit Binder builds and repository links point at
    commit: str | None = None  # shown in the footer

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def instructor_dir(self) -> Path:
        return self.root / "docs" / "instructor"


@dataclass
class Page:
    kind: str  # lesson, instructor, index, instructor-index, search, notfound
    url: str  # path under the site root, e.g. "03_pharmacokinetics.html"
    title: str
    body: str = ""
    sections: list[Section] = field(default_factory=list)
    binder_url: str | None = None
    slides_url: str | None = None  # the lesson's deck, relative to the site root
    has_quiz: bool = False
    prev: Page | None = None
    next: Page | None = None


@dataclass
class BuildReport:
    pages: int
    lessons: int
    instructor_notes: int
    figures: int
    quizzes: int
    widgets: int
    seconds: float
    notes: list[str] = field(default_factory=list)  # what the build had to mend, for the author to fix at the source
    slide_decks: int = 0  # in slides/, one per lesson

    def summary(self) -> str:
        return (f"Built {self.pages} pages ({self.lessons} lessons, {self.instructor_notes} instructor notes) with {self.figures} figures, "
                f"{self.quizzes} quizzes and case steps, and {self.widgets} widget fallbacks, and {self.slide_decks} slide decks "
                f"in {self.seconds:.1f} s")


def binder_url(repository: str | None, ref: str, filename: str) -> str | None:
    """The Binder launch link that opens one lesson notebook in JupyterLab, or ``None`` without a repository."""
    return BINDER_URL.format(repository=repository, ref=ref, filename=filename) if repository else None


def first_heading(markdown: str, where: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise SiteError(f"{where}: no level-1 heading ('# Title') to name the page by")


def _relative(from_url: str, to_url: str) -> str:
    return posixpath.relpath(to_url, posixpath.dirname(from_url) or ".")


def lesson_title(lesson: Lesson) -> str:
    return f"{lesson.number} · {lesson.title}"


class SiteBuilder:
    """Turns a :class:`SiteConfig` into files under ``out_dir``."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        if config.repository and not _OWNER_REPO.fullmatch(config.repository):
            raise SiteError(f"repository: {config.repository!r} is not OWNER/REPO (e.g. my-school/isotretinoin-course)")
        self.lessons = [lesson for lesson in config.lessons if lesson.available]
        self.exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True)
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader(PACKAGE, "templates"),
                                            autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined)
        notes = config.instructor_dir
        self.note_paths = sorted(notes.glob("*.md")) if notes.is_dir() else []
        # repository-relative file -> site page, for links written in notebooks and notes
        self.pages_by_file = {f"notebooks/{lesson.filename}": f"{lesson.name}.html" for lesson in self.lessons}
        self.pages_by_file |= {path.relative_to(config.root).as_posix(): f"instructor/{path.stem}.html" for path in self.note_paths}

    # ------------------------------------------------------------------ links

    def link_resolver(self, page_url: str, source: Path):
        """Map a relative link written in ``source`` (a notebook or note) to what the page at ``page_url`` links to."""
        root = self.config.root.resolve()
        source_dir = source.resolve().parent.relative_to(root).as_posix()

        def resolve(href: str) -> str | None:
            path, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(source_dir, unquote(path)))
            if target.startswith("../") or target == "..":
                return None  # outside the repository: nothing a reader could follow
            if target in self.pages_by_file:
                return _relative(page_url, self.pages_by_file[target]) + (f"#{fragment}" if fragment else "")
            file = root / target
            if not file.exists():
                return None
            if not self.config.repository:
                return ""
            kind = "tree" if file.is_dir() else "blob"
            return GITHUB_FILE_URL.format(repository=self.config.repository, kind=kind, ref=self.config.ref, path=target) + (
                f"#{fragment}" if fragment else "")

        return resolve

    # ------------------------------------------------------------------ pages

    def lesson_page(self, lesson: Lesson) -> tuple[Page, PageAssets]:
        path = self.config.notebooks_dir / lesson.filename
        if not path.exists():
            raise SiteError(f"the lesson manifest lists {lesson.filename}, but {path} does not exist")
        notebook = nbformat.read(path, as_version=4)
        link = binder_url(self.config.repository, self.config.ref, lesson.filename)
        prepared, assets = prepare_notebook(notebook, lesson.name, LiveNote(link))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="IPython3 lexer unavailable")
            body, _ = self.exporter.from_notebook_node(prepared)
        url = f"{lesson.name}.html"
        content = finish_page(body, path.name, self.link_resolver(url, path))
        page = Page("lesson", url, lesson_title(lesson), content.body, content.sections, link,
                    slides_url=f"{SLIDES_FOLDER}/{lesson.name}.html", has_quiz=assets.quizzes > 0)
        return page, assets

    def instructor_pages(self) -> list[Page]:
        pages = []
        for path in self.note_paths:
            text = path.read_text(encoding="utf-8")
            url = f"instructor/{path.stem}.html"
            content = finish_page(markdown2html_mistune(text), str(path.relative_to(self.config.root)), self.link_resolver(url, path))
            pages.append(Page("instructor", url, first_heading(text, str(path)), content.body, content.sections))
        return pages

    def render(self, page: Page, site: dict) -> str:
        root = _relative(page.url, "index.html")[: -len("index.html")]
        return self.templates.get_template("page.html.j2").render(page=page, site=site, root=root)

    # ------------------------------------------------------------------ the whole site

    def build(self) -> BuildReport:
        started = time.perf_counter()
        out = self.config.out_dir
        self._empty(out)
        lessons, figures, quizzes, widgets, notes_for_authors = [], {}, 0, 0, []
        for lesson in self.lessons:
            page, assets = self.lesson_page(lesson)
            lessons.append(page)
            figures.update(assets.figures)
            quizzes += assets.quizzes
            widgets += assets.widgets
            if assets.added_references:
                notes_for_authors.append(
                    f"{lesson.filename}: stored outputs cite {', '.join(assets.added_references)}, which its References cell lacks "
                    "(course.py execute builds that cell from the Markdown cells only); the site lists them")
        for before, after in zip(lessons, lessons[1:]):
            before.next, after.prev = after, before
        notes = self.instructor_pages()
        pages = [self._index_page(), *lessons, self._instructor_index(notes), *notes, self._search_page(), self._not_found_page()]
        site = {
            "title": self.config.title, "commit": self.config.commit,
            "lessons": [{"url": page.url, "title": page.title} for page in lessons],
            "instructor": [{"url": page.url, "title": page.title} for page in notes],
        }
        for page in pages:
            target = out / page.url
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(self.render(page, site), encoding="utf-8")
        for relative, data in figures.items():
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            (out / relative).write_bytes(data)
        static = out / "static"
        static.mkdir()
        for entry in resources.files(PACKAGE).joinpath("static").iterdir():
            if entry.is_file():
                (static / entry.name).write_bytes(entry.read_bytes())
        (static / "pygments.css").write_text(HtmlFormatter(style="default").get_style_defs(".highlight"), encoding="utf-8")
        (out / "search_index.js").write_text(self._search_index(pages), encoding="utf-8")
        (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve every file as it is
        try:
            decks = build_decks(self.config.root, out / SLIDES_FOLDER, self.lessons)
        except SlidesError as error:
            raise SiteError(f"slides: {error}") from None
        return BuildReport(len(pages), len(lessons), len(notes), len(figures), quizzes, widgets, time.perf_counter() - started,
                           notes_for_authors, len(decks.decks))

    def _empty(self, out: Path) -> None:
        if out.exists():
            if any(out.iterdir()) and not (out / BUILD_MARKER).exists():
                raise SiteError(f"{out} is not empty and was not made by this builder; refusing to delete it")
            shutil.rmtree(out)
        out.mkdir(parents=True)
        (out / BUILD_MARKER).write_text("made by the course site builder; emptied on every build\n", encoding="utf-8")

    def _index_page(self) -> Page:
        rows = []
        for lesson in self.config.lessons:
            title = (Markup('<a href="{}">{}</a>').format(f"{lesson.name}.html", lesson.title) if lesson.available
                     else Markup("{} <em>(planned)</em>").format(lesson.title))
            rows.append(Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
                lesson.number, title, lesson.question, lesson.time, ", ".join(lesson.builds_on) or "—"))
        binder = ""
        if self.config.repository and self.lessons:
            link = binder_url(self.config.repository, self.config.ref, self.lessons[0].filename)
            binder = Markup(' or <a class="binder-link" href="{}">launch the course on Binder</a> (free, in the browser)').format(link)
        body = Markup(
            '<h1 id="top">{title}</h1>'
            "<p>Teaching notebooks that take a pharmacy student from acne pathophysiology to the pharmacy counter: how "
            "isotretinoin works, its pharmacokinetics and dosing, laboratory monitoring, and the pregnancy risk-management "
            "programmes. This site shows every lesson with its figures, tables and references, and its quizzes and the "
            "capstone case work here too. The simulators and other interactive tools are shown for their starting inputs.</p>"
            "<p>To run the lessons, open them in JupyterLab: on your course's JupyterHub, or on your own computer with the "
            "README's first command (<code>python3 course.py lab</code>){binder}.</p>"
            '<h2 id="lessons">Lessons</h2>'
            '<div class="table-wrap" tabindex="0" role="region" aria-label="Lessons (scroll sideways on a narrow screen)">'
            '<table class="lesson-table"><thead><tr><th scope="col">#</th><th scope="col">Lesson</th>'
            '<th scope="col">The question it answers</th><th scope="col">Estimated time</th><th scope="col">Builds on</th></tr></thead>'
            "<tbody>{rows}</tbody></table></div>"
            '<h2 id="instructors">For instructors</h2><p><a href="instructor/index.html">Instructor notes</a>: '
            "lesson plans, discussion prompts and common errors.</p>"
        ).format(title=self.config.title, binder=binder, rows=Markup("").join(rows))
        return Page("index", "index.html", "Course contents", str(body), [Section("top", self.config.title, ["Course contents"])])

    def _instructor_index(self, notes: list[Page]) -> Page:
        if notes:
            items = Markup("").join(Markup('<li><a href="{}">{}</a></li>').format(_relative("instructor/index.html", page.url), page.title)
                                    for page in notes)
            listing = Markup("<ul>{}</ul>").format(items)
        else:
            listing = Markup("<p>No instructor notes yet.</p>")
        body = Markup('<h1 id="instructor-notes">Instructor notes</h1><p>Notes for teaching each lesson, from the '
                      "repository's <code>docs/instructor/</code> folder.</p>{}").format(listing)
        return Page("instructor-index", "instructor/index.html", "Instructor notes", str(body))

    def _search_page(self) -> Page:
        body = ('<h1 id="search">Search the course</h1>'
                '<form class="search-page-form" role="search"><label for="search-page-box" class="visually-hidden">Words to find</label>'
                '<input id="search-page-box" type="search" name="q" autocomplete="off"><button type="submit">Search</button></form>'
                '<p id="search-status" role="status" aria-live="polite"></p><ol id="search-results"></ol>'
                "<noscript><p>Search needs JavaScript. The course contents are listed on every page.</p></noscript>")
        return Page("search", "search.html", "Search", body)

    def _not_found_page(self) -> Page:
        body = '<h1 id="not-found">Page not found</h1><p>That page is not part of the course. <a href="index.html">See the course contents.</a></p>'
        return Page("notfound", "404.html", "Page not found", body)

    def _search_index(self, pages: list[Page]) -> str:
        entries = []
        for page in pages:
            for section in page.sections:
                entries.append({
                    "page": page.title, "section": section.title if section.title != page.title else "",
                    "url": page.url + (f"#{section.anchor}" if section.anchor else ""), "text": " ".join(section.text)[:4000],
                })
        return "window.COURSE_SEARCH_INDEX = " + json.dumps(entries, ensure_ascii=False).replace("</", "<\\/") + ";\n"


# ---------------------------------------------------------------------- command line


def configured_repository(root: Path) -> str | None:
    """OWNER/REPO from ``$COURSE_REPOSITORY``, else from a GitHub ``Repository`` URL in pyproject.toml's [project.urls]."""
    if os.environ.get(REPOSITORY_VARIABLE):
        return os.environ[REPOSITORY_VARIABLE]
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        urls = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("urls", {})
        match = _GITHUB_REPOSITORY.match(urls.get("Repository", ""))
        if match:
            return match.group(1)
    return None


def current_commit(root: Path) -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course.py site", description="Build the static course website (no execution, no network).")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: the current folder)")
    parser.add_argument("--out", type=Path, help="where to write the site (default: ROOT/build/site)")
    parser.add_argument("--repository", help=f"OWNER/REPO on GitHub, for Binder links (default: ${REPOSITORY_VARIABLE} or pyproject.toml)")
    parser.add_argument("--ref", default="HEAD", help="branch, tag or commit for Binder and repository links (default HEAD)")
    options = parser.parse_args(argv)
    request_fixed_order()  # the pages must show the order stored in the executed notebooks, whoever builds them
    root = options.root.resolve()
    config = SiteConfig(root=root, out_dir=options.out or root / "build" / "site",
                        repository=options.repository or configured_repository(root), ref=options.ref, commit=current_commit(root))
    try:
        report = SiteBuilder(config).build()
    except SiteError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    for note in report.notes:
        print(f"site: note: {note}", file=sys.stderr)
    if not config.repository:
        print(f"site: no repository configured (--repository OWNER/REPO or ${REPOSITORY_VARIABLE}), so the pages carry no Binder link",
              file=sys.stderr)
    print(f"Open {config.out_dir / 'index.html'} or serve the folder: python3 -m http.server -d {config.out_dir} --bind 127.0.0.1")
    return 0
