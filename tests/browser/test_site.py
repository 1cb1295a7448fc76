"""The course website in a real browser: Debian's Chromium, headless, driven by Playwright.

The site built by the session fixture ``built_site`` (tests/conftest.py) is served on 127.0.0.1 (a
port the system picks) for the length of this module and stopped after it. Every page is opened; any
request to another host fails the test, so the site is proved to work offline. Expected feedback and
scores are computed here with the course's Python quiz code, so the checks hold whatever the banks say.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
from chromium import base_url, launched_chromium, require_chromium  # noqa: F401 - base_url is a fixture (the site, served)

from isotretinoin_course.authoring.site.build import lesson_title
from isotretinoin_course.authoring.site.quiz_html import judging_data
from isotretinoin_course.content.lessons import lessons
from isotretinoin_course.content.quiz_banks import Question, bank_names, load_bank
from isotretinoin_course.models.quiz import QuizProgress, check_answer
from isotretinoin_course.widgets.quiz import feedback_html, quiz_for

CHROMIUM = require_chromium()
PHONE_WIDTH = 390


@pytest.fixture(scope="module")
def browser():
    with launched_chromium(CHROMIUM) as chromium:
        yield chromium


def all_pages(site: Path) -> list[str]:
    """The site's pages; the reveal.js decks under slides/ are opened by tests/browser/test_slide_decks_in_chromium.py."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html") if path.relative_to(site).parts[0] != "slides")


class PageWatch:
    """Everything a page did wrong: console errors, script errors, failed requests, HTTP errors, requests elsewhere."""

    def __init__(self, page, base_url: str) -> None:
        self.problems: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        # ERR_ABORTED is a load cancelled because the test moved on; a missing file shows as an HTTP error instead.
        page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED"
                and self.problems.append(f"request failed ({request.failure}): {request.url}"))
        page.on("response", lambda response: response.status >= 400 and self.problems.append(f"HTTP {response.status}: {response.url}"))

        def outside(route):
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

        page.route(lambda url: not url.startswith(base_url) and not url.startswith("data:"), outside)


IMAGES = """async () => {
    const images = [...document.images];
    images.forEach(img => { img.loading = "eager"; });
    await Promise.all(images.map(img => img.decode().catch(() => null)));
    return [images.length, images.filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src),
            images.filter(img => !img.alt.trim()).map(img => img.src)];
}"""


def test_every_page_loads_cleanly_with_its_images_and_no_broken_internal_link(built_site, base_url, browser):
    site, report = built_site
    pages = all_pages(site)
    assert len(pages) == report.pages
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(page, base_url)
    anchors: dict[str, set[str]] = {}
    links: dict[str, set[str]] = {}
    images_seen = 0
    for path in pages:
        response = page.goto(base_url + path, wait_until="load")
        assert response.ok, path
        count, broken, without_alt = page.evaluate(IMAGES)
        images_seen += count
        assert broken == [], f"{path}: images that did not load: {broken}"
        assert without_alt == [], f"{path}: images without alt text: {without_alt}"
        ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids)), f"{path}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}"
        anchors[path] = set(ids)
        links[path] = set(page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"))
        if path in {f"{item.name}.html" for item in lessons()}:
            assert page.evaluate("() => document.querySelectorAll('section.course-quiz.quiz-ready').length") >= 1, f"{path}: no working quiz"
    assert images_seen >= report.figures
    assert watch.problems == [], "\n".join(watch.problems)
    broken_links = []
    for path, hrefs in links.items():
        for href in hrefs:
            if not href.startswith(base_url):
                continue  # another site: not fetched (no network in tests); the pages we own are checked
            target, fragment = urldefrag(href)
            relative = target[len(base_url):].split("?")[0] or "index.html"
            if relative not in anchors:
                if relative.startswith("slides/") and (site / relative).is_file():
                    continue  # a lesson's deck (tests/browser/test_slide_decks_in_chromium.py)
                broken_links.append(f"{path} -> {href} (no such page)")
            elif fragment and fragment not in anchors[relative] and unquote(fragment) not in anchors[relative]:
                broken_links.append(f"{path} -> {href} (no element with id {fragment!r})")
    assert broken_links == [], "\n".join(sorted(broken_links))
    context.close()


def _first(question_type: str, questions) -> Question:
    return next(question for question in questions if question.type == question_type)


def test_a_quiz_answered_wrong_then_right_shows_the_courses_feedback_and_score(base_url, browser):
    quiz = quiz_for("03_pharmacokinetics")
    question = _first("single", quiz.questions)
    wrong = next(option for option in question.options if not option.correct)
    right = next(option for option in question.options if option.correct)
    progress = QuizProgress(tuple(q.id for q in quiz.questions))

    page = browser.new_page()
    watch = PageWatch(page, base_url)
    page.goto(base_url + "03_pharmacokinetics.html")
    item = page.locator(f'li.quiz-question[data-question="{question.id}"]')
    # 03's page has two quizzes (the simulator's questions and the lesson's): read the score of this one
    lesson_quiz = page.locator("section.course-quiz").filter(has=page.locator(f'li.quiz-question[data-question="{question.id}"]'))
    area, score = item.locator(".quiz-feedback-area"), lesson_quiz.locator(".quiz-score")
    fold = item.locator("details.quiz-answer-fold")
    assert not fold.locator(".quiz-answer").is_visible()  # folded until asked for
    for option in (wrong, right):
        item.locator(f'input[value="{option.id}"]').check()
        item.get_by_role("button", name="Check answer").click()
        result = check_answer(question, option.id)
        progress.record(question.id, result)
        assert area.inner_html() == feedback_html(result)  # the widget's own words
        assert score.inner_text() == progress.summary()
    assert "Correct" in area.inner_text() and "Not quite" not in area.inner_text()
    fold.locator("summary").click()
    assert fold.locator(".quiz-answer").is_visible() and right.text in fold.inner_text()
    assert watch.problems == []
    page.close()


def test_a_capstone_step_works_in_the_page(base_url, browser):
    from isotretinoin_course.data.loader import load_cohort
    from isotretinoin_course.models.capstone import CapstoneCase

    step = next(iter(CapstoneCase(load_cohort()).steps.values()))
    question = step.question
    wrong = next(option for option in question.options if not option.correct)
    page = browser.new_page()
    watch = PageWatch(page, base_url)
    page.goto(base_url + "09_capstone_case.html")
    item = page.locator(f'div.case-step li.quiz-question[data-question="{question.id}"]')
    item.locator(f'input[value="{wrong.id}"]').check()
    item.get_by_role("button", name="Check answer").click()
    area = item.locator(".quiz-feedback-area")
    assert area.inner_html() == feedback_html(check_answer(question, wrong.id))
    assert "Revisit notebook" in area.inner_text()
    assert watch.problems == []
    page.close()


def _responses(question: Question) -> list:
    """Answers to try on one question: every option and the usual mistakes; for numbers, the reader's edge cases."""
    if question.type == "single":
        return [None, *(option.id for option in question.options)]
    if question.type == "multiple":
        ids = [option.id for option in question.options]
        right = [option.id for option in question.options if option.correct]
        return [[], *([i] for i in ids), right, ids, right[:-1] + [i for i in ids if i not in right][:1]]
    answer = question.answer
    near = [f"{answer:g}", f"{answer:g}".replace(".", ","), f"{answer:g} {question.unit}", f" {answer} ", repr(answer + question.tolerance * 3 + 1)]
    return ["", "  ", *near, *(repr(item.value) for item in question.anticipated), "abc", "1,000", "12,500", "1.000,5", "1 000", "0,5",
            "nan", "-inf", "+-inf", "1e999", "3e2", ".5", "12,", "1,5,6", "it's", 'a"b', "**5**"]


def test_the_pages_judge_agrees_with_the_course_on_every_question(base_url, browser):
    """quiz.js gives exactly the widget's feedback HTML for every question of every bank and the capstone case."""
    from isotretinoin_course.data.loader import load_cohort
    from isotretinoin_course.models.capstone import CapstoneCase

    questions = [q for name in bank_names() for q in load_bank(name).questions] + list(CapstoneCase(load_cohort()).bank.questions)
    cases = [{"question": judging_data(q), "response": response, "expected": feedback_html(check_answer(q, response))}
             for q in questions for response in _responses(q)]
    page = browser.new_page()
    page.goto(base_url + "03_pharmacokinetics.html")
    got = page.evaluate("cases => cases.map(c => CourseQuiz.feedbackHtml(CourseQuiz.judge(c.question, c.response)))", cases)
    disagreements = [f"{case['response']!r}: page {html!r} != course {case['expected']!r}" for case, html in zip(cases, got) if html != case["expected"]]
    assert len(cases) > 500 and disagreements == [], "\n".join(disagreements[:10])
    page.close()


def test_no_page_scrolls_sideways_on_a_phone(built_site, base_url, browser):
    site, _ = built_site
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    too_wide = []
    for path in all_pages(site):
        page.goto(base_url + path)
        page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")  # opened answers must fit too
        # A mobile browser widens its layout viewport to fit overflowing content: compare with the phone's width too.
        content, window_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if max(content, window_width) > PHONE_WIDTH:
            too_wide.append(f"{path}: {content} px of content, layout viewport {window_width} px, on a {PHONE_WIDTH} px phone")
    assert too_wide == [], "\n".join(too_wide)
    assert page.evaluate("() => document.getElementById('nav-details').open") is False  # contents folded on a phone
    context.close()


def test_the_search_box_finds_a_lesson_section(base_url, browser):
    page = browser.new_page()
    watch = PageWatch(page, base_url)
    page.goto(base_url + "05_laboratory_monitoring.html")
    box = page.get_by_role("searchbox", name="Search the course")
    box.fill("half-life")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=half-life")
    results = page.locator("#search-results a")
    results.first.wait_for()
    title = lesson_title(next(item for item in lessons() if item.number == "03"))
    assert any(text.startswith(title) for text in results.all_inner_texts())
    results.filter(has_text=title).first.click()
    page.wait_for_url("**/03_pharmacokinetics.html*")
    page.go_back()
    page.get_by_label("Words to find").fill("zzzqqq")
    page.get_by_label("Words to find").press("Enter")
    page.locator("#search-status", has_text="Nothing found").wait_for()
    assert watch.problems == []
    page.close()
