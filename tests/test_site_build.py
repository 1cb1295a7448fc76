"""The course website without a browser: what each page holds, and the mistakes the builder refuses to hide.

The site is built once per session by the ``built_site`` fixture (tests/conftest.py); the refusal tests
build one lesson from a copy of the notebooks. The browser test is tests/browser/test_site.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SITE_REF, SITE_REPOSITORY

from isotretinoin_course.authoring.site import SiteError
from isotretinoin_course.authoring.site.build import SiteBuilder, SiteConfig, binder_url, configured_repository, lesson_title
from isotretinoin_course.authoring.site.quiz_html import view_html
from isotretinoin_course.authoring.site.views import ViewCall, read_view_call
from isotretinoin_course.content.lessons import lesson, lessons
from isotretinoin_course.content.quiz_banks import load_bank
from isotretinoin_course.models.quiz import presented_questions
from isotretinoin_course.widgets.quiz import quiz_for

LESSONS = [item for item in lessons() if item.available]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
NOTES = sorted((ROOT / "docs" / "instructor").glob("*.md"))


def page(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")


def stored_notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def test_the_whole_course_builds_quickly_with_a_page_per_lesson_and_note(built_site):
    site, report = built_site
    assert report.lessons == len(LESSONS) and report.instructor_notes == len(NOTES) >= 1
    assert report.seconds < 60, report.summary()  # acceptance: the whole CI build (install included) under 2 minutes
    assert sorted(p.name for p in site.glob("*.html")) == sorted([f"{item.name}.html" for item in LESSONS] + ["404.html", "index.html", "search.html"])
    assert sorted(p.name for p in (site / "instructor").glob("*.html")) == sorted(["index.html", *(f"{p.stem}.html" for p in NOTES)])
    assert (site / ".nojekyll").exists() and (site / "static" / "quiz.js").exists()


def test_navigation_follows_the_manifest_order_and_titles_then_the_instructor_section(built_site):
    site, _ = built_site
    soup = page(site, "05_laboratory_monitoring.html")
    nav = soup.select_one("nav.site-nav")
    assert [a["href"] for a in nav.select(".nav-lessons a")] == [f"{item.name}.html" for item in LESSONS]
    assert [a.get_text() for a in nav.select(".nav-lessons a")] == [lesson_title(item) for item in LESSONS]
    assert nav.select_one('a[aria-current="page"]')["href"] == "05_laboratory_monitoring.html"
    assert [a["href"] for a in nav.select(".nav-instructor a")] == ["instructor/index.html", *(f"instructor/{p.stem}.html" for p in NOTES)]
    assert soup.title.get_text().startswith(lesson_title(lesson("05")))
    position = [item.number for item in LESSONS].index("05")
    pager = soup.select_one("nav.pager")
    assert pager.select_one("a[rel=prev]")["href"] == f"{LESSONS[position - 1].name}.html"
    assert pager.select_one("a[rel=next]")["href"] == f"{LESSONS[position + 1].name}.html"
    note = page(site, f"instructor/{NOTES[0].stem}.html")
    assert note.select_one(".nav-lessons a")["href"] == f"../{LESSONS[0].name}.html"
    index = page(site, "index.html")
    assert [row.select("td")[2].get_text() for row in index.select("table.lesson-table tbody tr")] == [item.question for item in lessons()]


def _figure_descriptions(name: str) -> list[str]:
    return [output["data"]["text/markdown"] for cell in stored_notebook(name).cells for output in cell.get("outputs", [])
            if output.get("data", {}).get("text/markdown", "").startswith("*Figure description")]


@pytest.mark.parametrize("name", [item.name for item in LESSONS])
def test_every_figure_carries_its_whole_description_as_alt_text(built_site, name):
    site, _ = built_site
    figures = page(site, f"{name}.html").select("figure.course-figure")
    descriptions = _figure_descriptions(name)
    assert len(figures) == len(descriptions)
    for figure, description in zip(figures, descriptions):
        alt = figure.img["alt"]
        body = re.sub(r"^\*Figure description[^*]*\*\s*", "", description)
        assert len(alt.split()) >= 8 and "*" not in alt and "Figure description" not in alt
        assert " ".join(body.replace("*", "").replace("`", "").split()) == alt
        assert (site / figure.img["src"]).stat().st_size > 1000
        assert int(figure.img["width"]) > 0 and int(figure.img["height"]) > 0


@pytest.mark.parametrize("name", [item.name for item in LESSONS])
def test_no_widget_placeholder_survives_and_every_fallback_says_where_the_live_version_runs(built_site, name):
    site, _ = built_site
    text = (site / f"{name}.html").read_text(encoding="utf-8")
    assert WIDGET_MIME not in text and "Loading widget" not in text and "Error displaying widget" not in text
    widget_cells = [cell for cell in stored_notebook(name).cells if any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", []))]
    rebuilt = [cell for cell in widget_cells if read_view_call(cell.source, name) is not None]
    soup = page(site, f"{name}.html")
    assert len(soup.select("section.course-quiz[data-quiz]")) == len(rebuilt)
    fallbacks = soup.select("div.widget-fallback")
    assert len(fallbacks) == len(widget_cells) - len(rebuilt)
    for fallback in fallbacks:
        note = fallback.select_one("p.live-note")
        assert "JupyterLab" in note.get_text() and "Binder" in note.get_text()
        assert note.select_one(f'a.binder-link[href="{binder_url(SITE_REPOSITORY, SITE_REF, f"{name}.ipynb")}"]')
        assert len(fallback.get_text(" ", strip=True)) > len(note.get_text(" ", strip=True)) + 100  # the stored table or text, not an empty box
    assert soup.select_one(f'p.run-this a.binder-link[href="{binder_url(SITE_REPOSITORY, SITE_REF, f"{name}.ipynb")}"]')


def _quiz_sections(soup: BeautifulSoup) -> list:
    return soup.select("section.course-quiz[data-quiz]")


def _shown(section) -> list[tuple[str, list[str]]]:
    """(question id, option values in page order) of a quiz section."""
    return [(item["data-question"], [box["value"] for box in item.select("input[type=radio], input[type=checkbox]")])
            for item in section.select("li.quiz-question")]


def test_a_lesson_quiz_is_the_widgets_quiz_in_place_with_folded_answers_and_cited_sources(built_site):
    site, _ = built_site
    soup = page(site, "03_pharmacokinetics.html")
    simulator_questions, section = _quiz_sections(soup)  # the questions under the simulator, then the lesson's quiz
    assert simulator_questions.select_one(".quiz-title").get_text() == "Questions for the PK simulator"
    quiz = quiz_for("03_pharmacokinetics")
    assert _shown(section) == [(q.id, [o.id for o in q.options]) for q in quiz.questions]
    assert section.find_previous("h2")["id"] == "Check-your-understanding" and section.find_next("h2")["id"] == "Key-points"
    assert section.select_one(".quiz-score").get_text() == "Score: 0 of {0} correct · right first time: 0 · answered: 0 of {0} · attempts: 0".format(
        len(quiz.questions))
    data = json.loads(section.select_one("script.quiz-data").string)
    assert data["order"] == [q.id for q in quiz.questions]
    for question, item in zip(quiz.questions, section.select("li.quiz-question")):
        fold = item.select_one("details.quiz-answer-fold")
        assert not fold.has_attr("open")  # folded until asked for
        sources = fold.select_one(".quiz-sources")
        assert question.sources and sources is not None and len(sources.select("a, span")) == len(question.sources)
        judged = data["questions"][question.id]
        if question.type == "numeric":
            assert (judged["answer"], judged["tolerance"]) == (question.answer, question.tolerance)
        else:
            assert [o["correct"] for o in judged["options"]] == [o.correct for o in question.options]


def test_titled_and_second_quizzes_on_one_page(built_site):
    site, _ = built_site
    sections = _quiz_sections(page(site, "08_evaluating_online_drug_information.html"))
    assert [s.select_one(".quiz-title").get_text() for s in sections] == [
        "Give each claim a verdict", load_bank("08_evaluating_online_drug_information").title]
    assert len({s["id"] for s in sections}) == 2  # the controls of two quizzes never share a name


def test_the_capstone_steps_are_built_from_the_cohort_by_the_package(built_site):
    from isotretinoin_course.data.loader import load_cohort
    from isotretinoin_course.models.capstone import CapstoneCase

    site, _ = built_site
    case = CapstoneCase(load_cohort())
    steps = page(site, "09_capstone_case.html").select("div.case-step")
    assert len(steps) == len(case.steps)
    for step_html, step in zip(steps, case.steps.values()):
        assert step.stage in step_html["aria-label"]
        (section,) = _quiz_sections(step_html)
        (shown,) = presented_questions(case.bank, [step.question.id])  # the widget's (shuffled) order
        assert _shown(section) == [(shown.id, [o.id for o in shown.options])]
        assert sorted(o.id for o in shown.options) == sorted(o.id for o in step.question.options)
        judged = json.loads(section.select_one("script.quiz-data").string)["questions"][step.question.id]
        if step.question.type == "numeric":
            assert judged["answer"] == step.question.answer  # computed from the cohort, not copied from the notebook
        else:
            assert [(o["id"], o["correct"]) for o in judged["options"]] == [(o.id, o.correct) for o in shown.options]


def test_option_order_comes_from_the_course_quiz_code(monkeypatch):
    """A change of order in models.quiz.presented_questions (say, a per-student shuffle) reaches the site's quiz."""
    from isotretinoin_course.content.quiz_banks import Question
    from isotretinoin_course.widgets import quiz as quiz_widgets

    def reversed_options(bank, question_ids=None, student=None) -> tuple[Question, ...]:
        return tuple(Question(**{**q.__dict__, "options": q.options[::-1]}) for q in bank.select(question_ids))

    monkeypatch.setattr(quiz_widgets, "presented_questions", reversed_options)
    quiz = quiz_for("01_acne_pathophysiology")
    (section,) = _quiz_sections(BeautifulSoup(view_html(quiz, "quiz-1"), "html.parser"))
    expected = [(q.id, [o.id for o in q.options[::-1]]) for q in load_bank("01_acne_pathophysiology").questions]
    assert _shown(section) == expected and any(len(ids) > 1 for _, ids in expected)


def test_maths_becomes_mathml(built_site):
    site, _ = built_site
    soup = page(site, "03_pharmacokinetics.html")
    assert soup.find_all("math")
    assert not re.search(r"\$[^$\s][^$]*\$", soup.select_one("main").get_text().replace("$$", ""))


def test_links_between_lessons_and_notes_point_to_site_pages(built_site):
    site, _ = built_site
    hrefs = [a["href"] for a in page(site, "00_start_here.html").select("main a[href]")]
    assert "03_pharmacokinetics.html" in hrefs and not any(".ipynb" in h and "mybinder" not in h for h in hrefs)
    note = [a["href"] for a in page(site, f"instructor/{NOTES[0].stem}.html").select("main a[href]")]
    assert any(h.startswith("../") and h.endswith(".html") and "instructor" not in h for h in note)


def test_every_fragment_link_on_a_page_reaches_an_element_of_that_page(built_site):
    """Citations included: [Author Year](#ref-key) must reach the entry in the page's References."""
    site, _ = built_site
    missing = []
    for path in site.rglob("*.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        ids = {element["id"] for element in soup.find_all(id=True)}
        # a browser tries the fragment as written, then percent-decoded (nbconvert's heading ids keep the %-escapes)
        missing += [f"{path.name}: {a['href']}" for a in soup.select('a[href^="#"]') if not {a["href"][1:], unquote(a["href"][1:])} & ids]
    assert missing == []


def test_citations_in_stored_outputs_are_added_to_the_references_and_unknown_keys_refused():
    from isotretinoin_course.authoring.site.notebook_outputs import complete_references
    from isotretinoin_course.content.bibliography import load_bibliography, references_markdown

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("As [Reynolds et al. 2024](#ref-reynolds2024) says."),
        nbformat.v4.new_code_cell("show()", outputs=[nbformat.v4.new_output("display_data", data={
            "text/markdown": "A rule ([Titus and Hodge 2012](#ref-titus2012))."})]),
        nbformat.v4.new_markdown_cell(references_markdown(["reynolds2024"], load_bibliography())),
    ])
    assert complete_references(notebook, "nb") == ["titus2012"]
    assert notebook.cells[-1].source == references_markdown(["reynolds2024", "titus2012"], load_bibliography())
    assert complete_references(notebook, "nb") == []
    notebook.cells[1].outputs[0]["data"]["text/markdown"] = "[X](#ref-no-such-key)"
    notebook.cells[-1].source = references_markdown(["reynolds2024"], load_bibliography())
    with pytest.raises(SiteError, match="nb.ipynb: keys: cited but not in .*no-such-key"):
        complete_references(notebook, "nb")


def test_search_index_covers_every_lesson_and_skips_code(built_site):
    site, _ = built_site
    raw = (site / "search_index.js").read_text(encoding="utf-8")
    entries = json.loads(raw[raw.index("["): raw.rindex("]") + 1])
    assert {e["url"].split("#")[0] for e in entries} >= {f"{item.name}.html" for item in LESSONS}
    assert not any("import pandas" in e["text"] for e in entries)


def test_pages_link_relatively_and_load_nothing_from_elsewhere(built_site):
    site, _ = built_site
    for path in site.rglob("*.html"):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in (("a", "href"), ("img", "src"), ("script", "src"), ("link", "href")):
            for element in soup.find_all(tag, attrs={attribute: True}):
                value = element[attribute]
                assert not value.startswith("/"), f"{path.name}: {value}"
                if tag != "a":  # images, scripts and styles come from the site itself: no CDN, no fonts
                    assert not re.match(r"^[a-z]+://", value), f"{path.name}: {tag} loads {value}"


def test_binder_link_pattern_and_where_the_repository_comes_from(tmp_path, monkeypatch):
    assert binder_url("owner/repo", "main", "03_pharmacokinetics.ipynb") == (
        "https://mybinder.org/v2/gh/owner/repo/main?urlpath=lab/tree/notebooks/03_pharmacokinetics.ipynb")
    assert binder_url(None, "main", "03_pharmacokinetics.ipynb") is None
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "https://mybinder.org/v2/gh/OWNER/REPO/HEAD?urlpath=lab/tree/notebooks/00_start_here.ipynb" in readme
    monkeypatch.delenv("COURSE_REPOSITORY", raising=False)
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://github.com/my-school/iso-course.git"\n')
    assert configured_repository(tmp_path) == "my-school/iso-course"
    monkeypatch.setenv("COURSE_REPOSITORY", "other/place")
    assert configured_repository(tmp_path) == "other/place"


# ------------------------------------------------------------------ refusals and edge cases


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """A copy of the notebooks in a repository-like folder, to break on purpose."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "root" / "notebooks")
    shutil.copytree(ROOT / "vendor", tmp_path / "root" / "vendor")  # the site's slides need the vendored reveal.js
    return tmp_path / "root"


def _build(root: Path, out: Path, name: str = "03", **changes):
    return SiteBuilder(SiteConfig(root=root, out_dir=out, lessons=(lesson(name),), **changes)).build()


def _edit(root: Path, name: str, change) -> None:
    path = root / "notebooks" / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    change(notebook)
    nbformat.write(notebook, path)


def test_a_figure_without_its_description_is_refused(course_copy, tmp_path):
    def drop_descriptions(notebook):
        for cell in notebook.cells:
            cell["outputs"] = [o for o in cell.get("outputs", []) if not o.get("data", {}).get("text/markdown", "").startswith("*Figure")]

    _edit(course_copy, "03_pharmacokinetics", drop_descriptions)
    with pytest.raises(SiteError, match=r"03_pharmacokinetics.ipynb, cell \d+: a figure has no '\*Figure description'"):
        _build(course_copy, tmp_path / "out")


def test_a_widget_without_static_fallback_is_refused(course_copy, tmp_path):
    def drop_fallback(notebook):
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if "PKSimulator" in cell.source and WIDGET_MIME in output.get("data", {}):
                    del output["data"]["text/html"]

    _edit(course_copy, "03_pharmacokinetics", drop_fallback)
    with pytest.raises(SiteError, match=r"cell \d+: the widget stores no static fallback"):
        _build(course_copy, tmp_path / "out")


def test_a_quiz_output_out_of_date_with_its_bank_is_refused(course_copy, tmp_path):
    def stale(notebook):
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if "quiz_for(" in cell.source and WIDGET_MIME in output.get("data", {}):
                    output["data"]["text/html"] = output["data"]["text/html"].replace("Question", "Q", 1) + " "

    _edit(course_copy, "03_pharmacokinetics", stale)
    with pytest.raises(SiteError, match=r"cell \d+: the stored output \(text/html\) differs .* python3 course.py execute"):
        _build(course_copy, tmp_path / "out")


def test_a_quiz_call_the_site_cannot_read_is_refused(course_copy, tmp_path):
    _edit(course_copy, "03_pharmacokinetics",
          lambda nb: [setattr(c, "source", c.source.replace('quiz_for("03_pharmacokinetics")', 'quiz_for("03_" + "pharmacokinetics")'))
                      for c in nb.cells])
    with pytest.raises(SiteError, match=r"cell \d+: quiz_for\(\.\.\.\) must be called with literal arguments"):
        _build(course_copy, tmp_path / "out")


def test_links_to_other_repository_files_go_to_the_repository_or_keep_their_text(course_copy, tmp_path):
    (course_copy / "datasets").mkdir()
    (course_copy / "datasets" / "README.md").write_text("# Data\n")
    _edit(course_copy, "03_pharmacokinetics", lambda nb: setattr(nb.cells[1], "source", nb.cells[1].source + "\n\nSee [the data](../datasets/README.md)."))
    _build(course_copy, tmp_path / "plain")
    spans = page(tmp_path / "plain", "03_pharmacokinetics.html").select("span.repository-file")
    assert "the data" in [span.get_text() for span in spans]  # (so is the link to lesson 02, not on this one-lesson site)
    _build(course_copy, tmp_path / "linked", repository="my-school/iso-course", ref="v1")
    assert page(tmp_path / "linked", "03_pharmacokinetics.html").select_one(
        'a[href="https://github.com/my-school/iso-course/blob/v1/datasets/README.md"]')


def test_a_link_to_a_missing_file_is_refused(course_copy, tmp_path):
    _edit(course_copy, "03_pharmacokinetics", lambda nb: setattr(nb.cells[1], "source", nb.cells[1].source + "\n\nSee [notes](../nowhere.md)."))
    with pytest.raises(SiteError, match=r"03_pharmacokinetics.ipynb: the link to '../nowhere.md' points to a file that does not exist"):
        _build(course_copy, tmp_path / "out")


def test_the_builder_never_empties_a_folder_it_did_not_make(course_copy, tmp_path):
    foreign = tmp_path / "out"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    with pytest.raises(SiteError, match="refusing to delete it"):
        _build(course_copy, foreign)
    assert (foreign / "precious.txt").exists()


def test_a_repository_that_is_not_owner_slash_repo_is_refused(course_copy, tmp_path):
    with pytest.raises(SiteError, match=r"repository: 'https://github.com/a/b' is not OWNER/REPO"):
        _build(course_copy, tmp_path / "out", repository="https://github.com/a/b")


@pytest.mark.parametrize(
    "source, expected",
    [
        ('quiz_for("03_pharmacokinetics")', ViewCall("quiz_for", ("03_pharmacokinetics",))),
        ('quiz_for("08_claim_verdicts", title="Give each claim a verdict")',
         ViewCall("quiz_for", ("08_claim_verdicts",), (("title", "Give each claim a verdict"),))),
        ('%matplotlib inline\nx = 1\nquiz_for("01_a", question_ids=["q1", "q2"])', ViewCall("quiz_for", ("01_a",), (("question_ids", ["q1", "q2"]),))),
        ('CaseStepView(case, "eligibility")', ViewCall("CaseStepView", ("eligibility",), case="case")),
        ("PKSimulator(dose_mg=40)", None),
        ("%matplotlib inline", None),
    ],
)
def test_reading_view_calls(source, expected):
    assert read_view_call(source, "nb, cell 1") == expected


def test_the_browser_tests_skip_without_chromium_but_refuse_to_under_ci(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("chromium_helper", ROOT / "tests" / "browser" / "chromium.py")
    helper = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helper)
    monkeypatch.setattr(helper.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(RuntimeError, match="CI=true but no Chromium"):
        helper.require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        helper.require_chromium()
