"""Every notebook in a real JupyterLab, driven through Debian's Chromium with Playwright.

The test starts JupyterLab on 127.0.0.1 with a temporary token and a temporary root (a copy of
``notebooks/``), opens each notebook, runs all cells, waits for the kernel, and checks that no cell
shows an error and that every widget and quiz renders (DOM checks, no pixel comparisons). It clicks
a quiz answer and moves a simulator control. Screenshots go to ``build/browser/`` (git-ignored).
Outside CI the test is skipped, with the reason, when no Chromium is installed; with CI=true it
must run. The server and the browser are stopped even when a check fails.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from chromium import launched_chromium, require_chromium

from isotretinoin_course.content.quiz_banks import load_bank
from isotretinoin_course.models.quiz import presented_questions

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = require_chromium()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server in a temporary root; stopped, and its port checked closed, at the end."""
    workdir = Path(tempfile.mkdtemp(prefix="course-browser-"))
    shutil.copytree(ROOT / "notebooks", workdir / "root" / "notebooks")
    settings = workdir / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    env = dict(os.environ)
    for variable, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                             ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "matplotlib")):
        env[variable] = str(workdir / folder)
    env["JUPYTERLAB_SETTINGS_DIR"] = str(workdir / "settings")
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir / 'root'}",
               "--LabServerApp.expose_app_in_browser=True", "--LabApp.news_url=", "--allow-root"]
    log = open(workdir / "lab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: {(workdir / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
        assert not listening(port), f"port {port} still listening after the server stopped"


@pytest.fixture(scope="module")
def browser():
    with launched_chromium(CHROMIUM) as chromium:
        yield chromium


KERNEL_IDLE = """() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = widget && widget.sessionContext && widget.sessionContext.session && widget.sessionContext.session.kernel;
    return Boolean(kernel) && kernel.status === 'idle';
}"""
ALL_EXECUTED = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
    const widget = window.jupyterapp.shell.currentWidget;
    const kernel = widget.sessionContext.session.kernel;
    return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p)) && kernel.status === 'idle';
}"""


def run_notebook(page, base: str, token: str, name: str) -> None:
    """Open a notebook, wait for its kernel, run all cells and wait until every cell has run and the kernel is idle.

    Each wait has its own limit and, when it runs out, fails naming the notebook and the step that was slow.
    """
    started = time.monotonic()

    def step(what: str, wait, timeout_ms: int) -> None:
        try:
            wait(timeout_ms)
        except Exception:
            raise AssertionError(f"{name}: {what} not within {timeout_ms / 1000:.0f} s "
                                 f"({time.monotonic() - started:.0f} s after opening the notebook)") from None

    page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
    step("the notebook's cells did not appear", lambda ms: page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=ms), 90_000)
    step("the kernel was not idle", lambda ms: page.wait_for_function(KERNEL_IDLE, timeout=ms), 90_000)
    for attempt in range(2):  # a Run All sent while the kernel is still settling can be lost; send it once more
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.wait_for_function(ALL_EXECUTED, timeout=150_000 if attempt else 90_000)
            return
        except Exception:
            if attempt:
                prompts = page.evaluate("() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim())")
                raise AssertionError(f"{name}: not every cell ran after Run All ({time.monotonic() - started:.0f} s after opening "
                                     f"the notebook); prompts: {prompts}") from None


def expected_widgets(notebook: Path) -> int:
    """How many widget views the notebook's stored outputs contain (each must render in the browser)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for cell in nb.cells for output in cell.get("outputs", []))


def assert_clean(page, name: str) -> None:
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"{name}: {errors.first.inner_text()[:500]}"
    assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count() == 0, f"{name}: a cell raised"
    assert page.get_by_text("Error displaying widget").count() == 0, f"{name}: a widget failed to render"
    # Every picture shown in an output has loaded (06's simulator once showed a broken-image icon before its timeline;
    # a hidden image widget waiting for its first picture is not shown, so it does not count).
    broken = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output img')].filter(img => img.getAttribute('src') "
                           "&& img.complete && img.naturalWidth === 0 && img.getBoundingClientRect().width > 0).length")
    assert broken == 0, f"{name}: {broken} broken image(s) in the outputs"
    quizzes = page.locator(".quiz-score")
    assert quizzes.count() >= 1, f"{name}: the quiz did not render as a widget"
    assert page.locator(".jupyter-widgets").count() >= 1


# Notebooks that tests below also interact with, and how many of them use the page: it stays open after the
# notebook's own test, so that each of those tests reuses it instead of running the whole notebook again (about five
# seconds each). Tests that share a page touch different parts of it (03: the simulator's meal control, then the
# quiz's layout).
INTERACTED = {"01_acne_pathophysiology.ipynb": 1, "02_isotretinoin_mechanism.ipynb": 1, "03_pharmacokinetics.ipynb": 2,
              "06_pregnancy_risk_management.ipynb": 1, "07_adverse_effects_and_counselling.ipynb": 1,
              "08_evaluating_online_drug_information.ipynb": 1, "09_capstone_case.ipynb": 1}


@pytest.fixture(scope="module")
def kept_pages():
    """Pages of the notebooks in INTERACTED that ran cleanly: name -> [page, uses left]; closed when the module ends."""
    pages: dict[str, list] = {}
    yield pages
    for page, _ in pages.values():
        page.close()


@contextmanager
def executed(lab, browser, name: str, kept: dict | None = None):
    """A browser page with notebook ``name`` run to the end: the page kept from an earlier test if there is one.

    A kept page serves as many tests as INTERACTED says, then closes; a test that fails on it closes it (the next test
    to ask runs the notebook afresh). Without ``kept`` the page is always fresh and closed afterwards.
    """
    if kept is not None and name in kept:
        page, uses = kept.pop(name)
        try:
            yield page
        except BaseException:
            page.close()
            raise
        if uses > 1:
            kept[name] = [page, uses - 1]
        else:
            page.close()
        return
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    keep = False
    try:
        run_notebook(page, base, token, name)
        yield page
        keep = kept is not None and name in INTERACTED
    finally:
        if keep:
            kept[name] = [page, INTERACTED[name]]
        else:
            page.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(lab, browser, kept_pages, notebook):
    with executed(lab, browser, notebook.name, kept_pages) as page:
        assert_clean(page, notebook.name)
        outputs = page.locator(".jp-OutputArea-output > .jupyter-widgets")  # the root of each rendered widget view
        assert outputs.count() == expected_widgets(notebook), f"{notebook.name}: {outputs.count()} widget outputs, {expected_widgets(notebook)} expected"
        for index in range(outputs.count()):
            assert outputs.nth(index).locator(".widget-box, .widget-html, .widget-vbox").count() > 0, f"{notebook.name}: widget {index + 1} is empty"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"), full_page=False)


def test_quiz_click_gives_feedback_and_changes_the_score(lab, browser, kept_pages):
    with executed(lab, browser, "01_acne_pathophysiology.ipynb", kept_pages) as page:
        # the lesson's own quiz, found by its title (the classifier's numeric questions are another quiz, earlier in the notebook)
        bank = load_bank("01_acne_pathophysiology")
        quiz = page.locator(".jp-OutputArea-output > .jupyter-widgets", has_text=bank.title).first
        quiz.scroll_into_view_if_needed()
        score = quiz.locator(".quiz-score")
        before = score.inner_text()
        first = presented_questions(bank)[0]  # the fixed order conftest.py asks for
        wrong = next(position for position, option in enumerate(first.options) if not option.correct)
        quiz.locator(".widget-radio-box").first.locator("label").nth(wrong).click()  # a wrong answer to question 1
        quiz.get_by_role("button", name="Check answer").first.click()
        quiz.locator(".quiz-feedback").first.wait_for(timeout=20_000)
        assert "Not quite" in quiz.locator(".quiz-feedback").first.inner_text()
        page.wait_for_function("([element, before]) => element.innerText !== before", arg=[score.element_handle(), before], timeout=20_000)
        assert "attempts: 1" in score.inner_text()


def test_moving_a_simulator_control_redraws_the_figure(lab, browser, kept_pages):
    with executed(lab, browser, "03_pharmacokinetics.ipynb", kept_pages) as page:
        image = page.locator(".widget-image").first
        image.scroll_into_view_if_needed()
        before = image.get_attribute("src")
        page.locator(".widget-toggle-buttons button", has_text="fasting").first.click()
        page.wait_for_function("(before) => document.querySelector('.widget-image').getAttribute('src') !== before", arg=before, timeout=20_000)
        assert "fasted" in page.locator("text=Conventional capsules (soybean-oil fill; Accutane-type generics), fasted").first.inner_text()


def test_ticking_a_counselling_topic_updates_the_printable_summary(lab, browser, kept_pages):
    with executed(lab, browser, "07_adverse_effects_and_counselling.ipynb", kept_pages) as page:
        checklist = page.locator(".jp-OutputArea-output > .jupyter-widgets", has_text="Counselling checklist").first
        checklist.scroll_into_view_if_needed()
        summary = checklist.locator("pre")
        summary.scroll_into_view_if_needed()
        assert "(No topics chosen yet.)" in summary.text_content()  # text_content: independent of what is painted
        checklist.locator(".widget-checkbox", has_text="Preventing pregnancy").locator("input").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jupyter-widgets pre')].some(p => p.textContent.includes('1. Preventing pregnancy'))",
            timeout=20_000)
        status = checklist.locator("[role=status]").text_content()
        assert "essential topic(s) missing" in status
        assert "Preventing pregnancy" not in status and "Mood and mental health" in status


def test_a_wrong_case_decision_names_the_notebook_to_revisit(lab, browser, kept_pages):
    with executed(lab, browser, "09_capstone_case.ipynb", kept_pages) as page:
        step = page.locator(".jp-OutputArea-output > .jupyter-widgets").first
        step.scroll_into_view_if_needed()
        step.locator(".widget-radio-box label", has_text="Neither the label's indication nor").click()
        step.get_by_role("button", name="Check answer").click()
        page.wait_for_selector(".quiz-feedback", timeout=20_000)
        assert "Revisit notebook 01 (Acne pathophysiology)" in step.locator(".quiz-feedback").text_content()
        # The debrief once read "0 of 0 answered" after Run All: its button reads the case as it now stands.
        debrief = page.get_by_role("button", name="Show my debrief")
        debrief.scroll_into_view_if_needed()
        debrief.click()
        page.wait_for_function("() => [...document.querySelectorAll('pre[role=status]')].some(p => p.textContent.includes('0 of 1 answered'))",
                               timeout=20_000)
        assert "Notebooks to revisit: 01" in page.locator("pre[role=status]", has_text="0 of 1 answered").text_content()


def test_the_scorecard_starts_unrated_and_scores_once_every_criterion_is_rated(lab, browser, kept_pages):
    # The scorecard once showed a score before the student rated anything (sliders preset to 3).
    with executed(lab, browser, "08_evaluating_online_drug_information.ipynb", kept_pages) as page:
        # Found by its text content: Lab skips rendering cells off screen, so a has_text filter (rendered text) misses it.
        roots = page.locator(".jp-OutputArea-output > .jupyter-widgets")
        card = roots.nth(next(index for index, text in enumerate(roots.all_text_contents()) if "criteria rated" in text))
        card.scroll_into_view_if_needed()
        assert "0 of 8 criteria rated" in card.text_content()
        for row in range(8):
            card.locator(".widget-toggle-buttons").nth(row).get_by_role("button", name="4", exact=True).click()
        page.wait_for_function("(el) => !el.textContent.includes('criteria rated')", arg=card.element_handle(), timeout=20_000)
        assert "Weak points" in card.text_content() or "No criterion rated 1 or 2" in card.text_content()


# Every quiz option of the page: its box, its control's box and where its text starts. Labels of zero size
# (ipywidgets' hidden description labels) are left out.
OPTION_BOXES = """() => [...document.querySelectorAll('.course-quiz-choices .widget-radio-box label, .course-quiz-choice label')]
    .filter(label => label.querySelector('input') && label.getBoundingClientRect().height > 0)
    .map(label => {
        const box = label.getBoundingClientRect(), control = label.querySelector('input').getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(label);
        const text = [...range.getClientRects()].filter(r => r.width > 0 && r.left >= control.right - 1);
        const parent = label.closest('.jp-OutputArea-output').getBoundingClientRect();
        return {text: label.innerText.slice(0, 60), box: [box.left, box.top, box.right, box.bottom],
                control: [control.left, control.top, control.right, control.bottom],
                textTop: text.length ? Math.min(...text.map(r => r.top)) : null,
                textBottom: text.length ? Math.max(...text.map(r => r.bottom)) : null,
                textRight: text.length ? Math.max(...text.map(r => r.right)) : null, outputRight: parent.right};
    })"""


def layout_problems(options: list[dict]) -> list[str]:
    """Overlapping option labels, controls outside their own label or not level with its first line, text off the output."""
    problems = []
    for index, option in enumerate(options):
        left, top, right, bottom = option["box"]
        c_left, c_top, c_right, c_bottom = option["control"]
        if not (left - 1 <= c_left and c_right <= right + 1 and top - 1 <= c_top and c_bottom <= bottom + 1):
            problems.append(f"the control of {option['text']!r} lies outside its label")
        if option["textTop"] is None or abs((c_top + c_bottom) / 2 - option["textTop"]) > (c_bottom - c_top) + 4:
            problems.append(f"the control of {option['text']!r} is not level with the first line of its text")
        if option["textBottom"] is not None and option["textBottom"] > bottom + 1:
            problems.append(f"the text of {option['text']!r} spills below its label, over the next option")
        if max(right, option["textRight"] or right) > option["outputRight"] + 1:
            problems.append(f"{option['text']!r} runs past the edge of the output")
        for other in options[index + 1:]:
            o_left, o_top, o_right, o_bottom = other["box"]
            if min(right, o_right) - max(left, o_left) > 1 and min(bottom, o_bottom) - max(top, o_top) > 1:
                problems.append(f"{option['text']!r} overlaps {other['text']!r}")
    return problems


SELECTED_VISIBLE = """(index) => {
    const inputs = [...document.querySelectorAll('.course-quiz-choices input[type=radio]')];
    const input = inputs[index];
    const box = input.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {checked: input.checked, size: [box.width, box.height], onTop: hit === input || input.closest('label').contains(hit),
            inView: box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth};
}"""


@pytest.mark.parametrize("notebook", ["03_pharmacokinetics", "06_pregnancy_risk_management"])
def test_long_quiz_options_wrap_without_overlap_and_the_chosen_one_stays_visible(lab, browser, kept_pages, notebook):
    """Notebook 03 has the course's longest single-answer options (up to about 260 characters), 06 the longest
    multiple-answer ones (up to about 95) and the most questions.

    At each width every option label keeps its own box (no overlap), its control sits inside it, level with the
    first line of its text, and nothing runs off the output; the option chosen last, the longest of all, shows
    its control checked, on top and on screen.
    """
    with executed(lab, browser, f"{notebook}.ipynb", kept_pages) as page:
        shown = presented_questions(load_bank(notebook))
        questions = [q for q in shown if q.type == "single"]
        longest = max(((qi, oi, len(o.text)) for qi, q in enumerate(questions) for oi, o in enumerate(q.options)), key=lambda t: t[2])
        radio_index = sum(len(q.options) for q in questions[:longest[0]]) + longest[1]
        for width in (1024, 1280, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(500)  # let Lab lay the notebook out again
            options = page.evaluate(OPTION_BOXES)
            assert len(options) >= sum(len(q.options) for q in shown), f"{width} px: {len(options)} options drawn"
            problems = layout_problems(options)
            assert not problems, f"{width} px: " + "; ".join(problems[:5])
            label = page.locator(".course-quiz-choices input[type=radio]").nth(radio_index).locator("xpath=..")
            label.scroll_into_view_if_needed()
            label.click()
            state = page.evaluate(SELECTED_VISIBLE, radio_index)
            assert state["checked"] and state["onTop"] and state["inView"] and min(state["size"]) > 4, f"{width} px: {state}"
            page.screenshot(path=str(SCREENSHOTS / f"quiz-layout-{notebook[:2]}-{width}.png"), full_page=False)


RESTART_KERNEL = """async () => {
    const widget = window.jupyterapp.shell.currentWidget;
    await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
    await widget.sessionContext.session.kernel.restart();
}"""


def test_a_quiz_answer_survives_a_kernel_restart(lab, browser, kept_pages):
    """Saved progress (issue 18): answer a question, restart the kernel, run all: the answer and the score are back."""
    with executed(lab, browser, "02_isotretinoin_mechanism.ipynb", kept_pages) as page:  # a quiz no other test answers
        quiz = page.locator(".jp-OutputArea-output > .jupyter-widgets", has=page.locator(".quiz-score")).first
        quiz.scroll_into_view_if_needed()
        quiz.locator(".widget-radio-box label").first.click()
        quiz.get_by_role("button", name="Check answer").first.click()
        page.wait_for_function("() => document.querySelector('.quiz-score').innerText.includes('attempts: 1')", timeout=20_000)
        score = quiz.locator(".quiz-score").inner_text()
        page.evaluate(RESTART_KERNEL)
        page.wait_for_function(KERNEL_IDLE, timeout=90_000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(ALL_EXECUTED, timeout=150_000)
        assert_clean(page, "02_isotretinoin_mechanism.ipynb after a restart")
        # a new kernel counts from 1 again (the same kernel would have gone on counting): the restart happened
        assert page.evaluate("() => document.querySelector('.jp-CodeCell .jp-InputPrompt').textContent.trim()") == "[1]:"
        quiz = page.locator(".jp-OutputArea-output > .jupyter-widgets", has=page.locator(".quiz-score")).first
        assert quiz.locator(".quiz-score").inner_text() == score
        assert "saved in an earlier session are shown (1 of" in quiz.inner_text()
        assert "Saved from an earlier session: checked once" in quiz.inner_text()
