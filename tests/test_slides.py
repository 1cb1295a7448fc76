"""The class slides (``python3 course.py slides``): one reveal.js deck per lesson, built offline from the stored outputs.

The decks are built once for this module with every network connection refused, so a build that reached for the
network would fail here. The browser test that opens a deck is tests/browser/test_slide_decks_in_chromium.py.
"""

from __future__ import annotations

import hashlib
import re
import socket
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

from isotretinoin_course.authoring.build import clean_metadata
from isotretinoin_course.authoring.lint import ALLOWED_CELL_METADATA, check_structure
from isotretinoin_course.authoring.site.views import read_view_call
from isotretinoin_course.authoring.slides import SlidesError
from isotretinoin_course.authoring.slides.build import (
    BUILD_MARKER, REVEAL_FOLDER, build_decks, deck_notebook, slide_types, vendor_digest,
)
from isotretinoin_course.content.lessons import lessons
from isotretinoin_course.widgets.quiz import quiz_for

LESSONS = [item for item in lessons() if item.available]
VENDOR = ROOT / "vendor" / "reveal.js"


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> tuple[Path, object]:
    """Every deck, built with the network unplugged: any connection attempt raises."""
    out = tmp_path_factory.mktemp("slides") / "slides"
    refused = []

    def no_network(*args, **kwargs):
        refused.append(args)
        raise OSError("the slides build must not use the network")

    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "connect", no_network)
    patch.setattr(socket.socket, "connect_ex", no_network)
    patch.setattr(socket, "getaddrinfo", no_network)
    patch.setattr(socket, "create_connection", no_network)
    try:
        report = build_decks(ROOT, out)
    finally:
        patch.undo()
    assert refused == []
    return out, report


def deck(out: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((out / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


# --------------------------------------------------------------------------- vendored reveal.js


def test_reveal_js_is_vendored_whole_with_its_licence_and_recorded_version():
    listed = {}
    for line in (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.removeprefix("./")] = digest
    assert listed == vendor_digest(ROOT), "vendor/reveal.js differs from its SHA256SUMS (update both, see vendor/README.md)"
    assert "Permission is hereby granted, free of charge" in (VENDOR / "LICENSE").read_text(encoding="utf-8")  # MIT
    assert "Open Font License" in (VENDOR / "dist" / "theme" / "fonts" / "source-sans-pro" / "LICENSE").read_text(encoding="utf-8")
    banner = re.search(r"reveal\.js (\d+\.\d+\.\d+)", (VENDOR / "dist" / "reveal.js").read_text(encoding="utf-8")[:200]).group(1)
    recorded = re.search(r"\| Version \| \*\*(\d+\.\d+\.\d+)\*\*", (ROOT / "vendor" / "README.md").read_text(encoding="utf-8")).group(1)
    assert banner == recorded == "4.6.0"


# --------------------------------------------------------------------------- the decks


def test_every_lesson_gives_a_deck_built_without_network(decks):
    out, report = decks
    assert sorted(path.name for path in out.glob("*.html")) == sorted(f"{lesson.name}.html" for lesson in LESSONS)
    assert report.lessons == len(LESSONS) and report.slides >= 10 * len(LESSONS)
    for lesson in LESSONS:
        soup = deck(out, lesson.name)
        slides = soup.select("div.reveal div.slides > section")
        assert len(slides) >= 3, f"{lesson.name}: only {len(slides)} slides"
        assert lesson.title.lower() in soup.select_one("div.slides section h1").get_text(" ").lower()
        assert soup.select(".jp-CodeCell .jp-InputArea, .jp-CodeCell .highlight") == [], f"{lesson.name}: code on a slide"


def test_a_deck_loads_nothing_from_another_host_and_what_it_loads_is_there(decks):
    out, _ = decks
    for lesson in LESSONS:
        soup = deck(out, lesson.name)
        loaded = [tag.get("src") for tag in soup.find_all(["script", "img"]) if tag.get("src")]
        loaded += [tag["href"] for tag in soup.find_all("link", href=True)]
        for address in loaded:
            if address.startswith("data:"):
                continue
            assert not re.match(r"^[a-z]+:", address), f"{lesson.name}: loads {address}"
            assert (out / address).is_file(), f"{lesson.name}: {address} is missing"
        text = str(soup)
        for cdn in ("unpkg.com", "cdnjs", "cdn.jsdelivr", "MathJax.js", "require.js"):
            assert cdn not in text, f"{lesson.name}: mentions {cdn}"
        assert {"reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js"} <= set(loaded)
    assert (out / REVEAL_FOLDER / "LICENSE").is_file()


def test_every_quiz_question_shown_in_a_lesson_has_its_slide_with_the_answer_as_a_fragment(decks):
    out, report = decks
    total = 0
    for lesson in LESSONS:
        notebook = nbformat.read(ROOT / "notebooks" / lesson.filename, as_version=4)
        expected = []
        for cell in notebook.cells:
            call = read_view_call(cell.source, lesson.name) if cell.cell_type == "code" else None
            if call is not None and call.function == "quiz_for":
                expected += [question.prompt for question in quiz_for(*call.args, **dict(call.kwargs)).questions]
        shown = deck(out, lesson.name).select(".course-slide-quiz")
        assert len(shown) >= len(expected), lesson.name
        texts = " ".join(" ".join(slide.get_text(" ").split()) for slide in shown)
        for slide in shown:
            assert slide.select_one(".fragment .quiz-answer"), f"{lesson.name}: a question slide without its answer fragment"
        missing = [prompt for prompt in expected if " ".join(prompt.replace("*", "").replace("`", "").split())[:40] not in texts]
        assert missing == [], f"{lesson.name}: questions without a slide: {missing}"
        total += len(shown)
    assert total == report.quiz_slides > 0


def test_figures_keep_their_description_as_alt_text_and_formulas_are_mathml(decks):
    out, report = decks
    images = [image for lesson in LESSONS for image in deck(out, lesson.name).find_all("img")]
    assert len(images) >= report.figures > 0
    assert all(image.get("alt", "").strip() for image in images)
    assert deck(out, "03_pharmacokinetics").find("math") is not None
    assert "$" not in " ".join(deck(out, "03_pharmacokinetics").select_one("div.slides").find_all(string=True, recursive=True)
                               ).replace("US$", "")


def test_links_to_other_lessons_go_to_their_decks(decks):
    out, _ = decks
    for lesson in LESSONS:
        for link in deck(out, lesson.name).find_all("a", href=True):
            href = link["href"]
            if re.match(r"^[a-z]+:", href) or href.startswith("#"):
                continue
            assert (out / href).is_file(), f"{lesson.name}: link to {href}"


def test_a_rebuild_replaces_its_own_folder_but_never_a_foreign_one(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("not the builder's")
    with pytest.raises(SlidesError, match="refusing to delete"):
        build_decks(ROOT, foreign, LESSONS[:1])
    out = tmp_path / "slides"
    build_decks(ROOT, out, LESSONS[:1])
    (out / "stale.html").write_text("from an earlier build")
    build_decks(ROOT, out, LESSONS[:1])
    assert not (out / "stale.html").exists() and (out / BUILD_MARKER).exists()


# --------------------------------------------------------------------------- where slides start


def md(source: str, slide_type: str | None = None):
    cell = nbformat.v4.new_markdown_cell(source)
    if slide_type:
        cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def code(outputs: list, slide_type: str | None = None):
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = outputs
    if slide_type:
        cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


FIGURE = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})
TABLE = nbformat.v4.new_output("display_data", data={"text/html": "<table></table>"})


def test_slides_start_at_headings_figures_get_their_own_and_silent_code_is_skipped():
    cells = [md("# 01 · Title\n\nintro"), md("Some text."), md("## Learning objectives\n- one"), md("### A detail"), md("More."),
             code([]), code([TABLE]), code([FIGURE]), md("#hashtag is not a heading")]
    assert slide_types(cells) == ["slide", "-", "slide", "subslide", "-", "skip", "-", "subslide", "-"]


def test_an_authors_slideshow_metadata_wins_and_a_wrong_value_is_refused():
    cells = [md("# Title"), md("## Section", "subslide"), code([FIGURE], "fragment"), md("Speaker hint", "notes")]
    assert slide_types(cells) == ["slide", "subslide", "fragment", "notes"]
    with pytest.raises(SlidesError, match="cell 2: slideshow slide_type 'new-slide' is not one of"):
        slide_types([md("# Title"), md("text", "new-slide")])


def test_a_long_stretch_of_text_continues_on_a_sub_slide():
    paragraph = "word " * 80  # 400 characters: two fit under the title, the third starts a sub-slide
    assert slide_types([md("# Title"), *[md(paragraph)] * 4]) == ["slide", "-", "-", "subslide", "-"]


def test_deck_notebook_leaves_the_committed_notebook_alone():
    path = ROOT / "notebooks" / LESSONS[1].filename
    before = path.read_bytes()
    notebook = nbformat.read(path, as_version=4)
    prepared, questions = deck_notebook(notebook, LESSONS[1].name)
    assert questions > 0 and all("slideshow" in cell.metadata for cell in prepared.cells)
    assert notebook == nbformat.read(path, as_version=4)  # the object passed in is not changed either
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- the notebook build keeps slide metadata


def test_the_build_keeps_slideshow_metadata_and_the_lint_checks_it():
    assert "slideshow" in ALLOWED_CELL_METADATA
    notebook = nbformat.v4.new_notebook(cells=[md("# Title", "slide"), md("text")])
    notebook.cells[1].metadata["slideshow"] = {"slide_type": "subslide"}
    notebook.cells[1].metadata["collapsed"] = True  # editor noise: dropped
    clean_metadata(notebook)
    assert [dict(cell.metadata) for cell in notebook.cells] == [{"slideshow": {"slide_type": "slide"}},
                                                                {"slideshow": {"slide_type": "subslide"}}]
    assert not [problem for problem in check_structure(notebook) if "slideshow" in problem or "noise" in problem]
    notebook.cells[1].metadata["slideshow"] = {"slide_type": "sideways"}
    assert any("cell 2: slideshow metadata must be" in problem for problem in check_structure(notebook))


def test_the_site_links_each_lesson_page_to_its_deck(built_site):
    site, report = built_site
    assert report.slide_decks == len(LESSONS) and f"{len(LESSONS)} slide decks" in report.summary()
    for lesson in LESSONS:
        page = BeautifulSoup((site / f"{lesson.name}.html").read_text(encoding="utf-8"), "html.parser")
        link = page.select_one("a.slides-link")
        assert link is not None and link["href"] == f"slides/{lesson.name}.html", lesson.name
        assert (site / "slides" / f"{lesson.name}.html").is_file()
    assert (site / "slides" / REVEAL_FOLDER / "dist" / "reveal.js").read_bytes() == (VENDOR / "dist" / "reveal.js").read_bytes()
    assert hashlib.sha256((site / "slides" / REVEAL_FOLDER / "LICENSE").read_bytes()).hexdigest() == vendor_digest(ROOT)["LICENSE"]
