"""A class slide deck in a real browser (Debian's Chromium, headless, through Playwright), served with the website.

The deck of lesson 05 (it has a figure and a quiz) is opened from the site built by the session fixture
``built_site``, served on 127.0.0.1; any request to another host fails the test, so the deck is proved to work
offline with the vendored reveal.js. A quiz question's answer stays hidden until the presenter presses the right
arrow key, and the speaker-notes plugin is loaded.
"""

from __future__ import annotations


import pytest
from chromium import base_url, launched_chromium, require_chromium  # noqa: F401 - base_url is a fixture (the site, served)

CHROMIUM = require_chromium()
DECK = "slides/05_laboratory_monitoring.html"


FIRST_QUIZ_SLIDE = """() => {
    for (const slide of Reveal.getSlides()) {
        if (slide.querySelector('.course-slide-quiz')) { return Reveal.getIndices(slide); }
    }
    return null;
}"""

FIRST_FIGURE_SLIDE = """() => {
    for (const slide of Reveal.getSlides()) {
        const image = slide.querySelector('figure img');
        if (image) { return [Reveal.getIndices(slide), image.alt.length]; }
    }
    return null;
}"""


def test_a_deck_opens_offline_from_the_site_with_its_figure_and_a_quiz_question_to_reveal(built_site, base_url):
    site, _ = built_site
    problems: list[str] = []
    with launched_chromium(CHROMIUM) as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("response", lambda response: response.status >= 400 and problems.append(f"HTTP {response.status}: {response.url}"))

        def outside(route):
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

        page.route(lambda url: not url.startswith(base_url) and not url.startswith("data:"), outside)
        # from the lesson page's own link, as an instructor would
        page.goto(base_url + "05_laboratory_monitoring.html", wait_until="load")
        page.click("a.slides-link")
        page.wait_for_url(base_url + DECK + "*")
        page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=15000)
        assert page.evaluate("() => typeof RevealNotes") == "function"  # the speaker view (key S) is there
        total = page.evaluate("() => Reveal.getTotalSlides()")
        assert total == page.evaluate("() => document.querySelectorAll('.slides section section').length") >= 10
        heading = page.locator(".slides section.present h1").first.inner_text()
        assert "laboratory monitoring" in heading.lower()

        indices, alt_length = page.evaluate(FIRST_FIGURE_SLIDE)
        page.evaluate(f"() => Reveal.slide({indices['h']}, {indices['v']})")
        page.locator("section.present figure img").first.wait_for(state="visible", timeout=5000)
        assert alt_length > 40
        assert page.evaluate("() => { const i = document.querySelector('section.present figure img'); "
                             "return i.complete && i.naturalWidth > 0; }")

        quiz = page.evaluate(FIRST_QUIZ_SLIDE)
        page.evaluate(f"() => Reveal.slide({quiz['h']}, {quiz['v']})")
        answer = page.locator("section.present .course-slide-quiz .fragment").first
        assert page.locator("section.present .course-slide-quiz").first.is_visible()
        assert "visible" not in (answer.get_attribute("class") or "")
        assert answer.evaluate("element => getComputedStyle(element).opacity") == "0"  # the class answers first
        page.keyboard.press("ArrowRight")
        # Wait for the fragment's fade-in to end: until then its text is still hidden from inner_text.
        page.wait_for_function("() => { const f = document.querySelector('section.present .course-slide-quiz .fragment'); "
                               "return f.classList.contains('visible') && getComputedStyle(f).opacity === '1' "
                               "&& getComputedStyle(f).visibility === 'visible'; }", timeout=10000)
        assert "Answer:" in answer.inner_text()
        context.close()
    assert problems == [], "\n".join(problems)
