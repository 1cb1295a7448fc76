"""Property-based tests (Hypothesis) of every public function, class and widget entry point of the package.

The property, for any input: the call returns a valid result, or raises the project's error
(:class:`~isotretinoin_course.core.errors.CourseInputError`) naming its field, within the time limit (a
Hypothesis deadline per example, and a hard limit that turns a hang into a failure). Widgets never let an error
escape an observer or a button handler, never show the notice of a bug, and hide stale output under a problem.

- ``property_registry.py``: the strategies (junk for every parameter, sensible values per parameter) and what a
  valid result is; ``property_entries.py``: one entry per public name.
- :func:`test_every_public_name_has_a_property_test` fails when a public name (any function or class a module of
  the package defines without a leading underscore) has no entry.
- Profiles (conftest.py): ``ci`` (the default: a bounded, derandomized run), ``dev`` (more examples, random) and
  ``census`` (records every call instead of stopping at the first failure: how many inputs were tried and how many
  failed; ``COURSE_PROPERTY_CENSUS=file.jsonl``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import inspect
import json
import os
import pickle
import pkgutil
import signal
import time
from pathlib import Path

import ipywidgets as widgets
import matplotlib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from input_checks import check_refusal, cohort

import property_entries  # noqa: F401 - fills the registry
from property_registry import JUNK, PACKAGE, REGISTRY, Entry, close_figures, dates, numbers, qualified

import isotretinoin_course
from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.widgets.base import CourseWidget

matplotlib.use("Agg")
CENSUS = os.environ.get("COURSE_PROPERTY_CENSUS")
HARD_LIMIT_S = float(os.environ.get("COURSE_PROPERTY_HARD_LIMIT", "30"))  # a call still running after this long is a hang


class Hang(Exception):
    """A call that ran past the hard time limit."""


@contextlib.contextmanager
def hard_limit(seconds: float):
    """Interrupt the call after ``seconds`` (SIGALRM: tests run in the main thread of each pytest process)."""
    def interrupt(_signum, _frame):
        raise Hang(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    outer_delay, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)  # pytest-timeout's own alarm, if it set one
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            signal.setitimer(signal.ITIMER_REAL, max(outer_delay - (time.monotonic() - started), 0.001))


def record(entry_name: str, outcome: str, detail: str = "", seconds: float = 0.0) -> None:
    with open(CENSUS, "a", encoding="utf-8") as log:  # type: ignore[arg-type]
        log.write(json.dumps({"name": entry_name, "outcome": outcome, "detail": detail[:200], "seconds": round(seconds, 3)}) + "\n")


def mixed(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """A parameter's sensible values three times in four, junk otherwise."""
    return st.integers(0, 3).flatmap(lambda pick: JUNK if pick == 0 else strategy)


def examples_for(entry: Entry) -> int:
    return max(1, round(settings.default.max_examples * entry.examples))


def judge(entry: Entry, call) -> None:
    """Run one call and hold the property; in census mode, record the outcome instead of failing."""
    started = time.perf_counter()
    try:
        with hard_limit(HARD_LIMIT_S):
            result = call()
            if entry.valid is not None and not isinstance(result, CourseInputError):
                entry.valid(result, {})
    except CourseInputError as error:
        if CENSUS:
            try:
                check_refusal(error)
            except AssertionError as problem:
                record(entry.name, "failure", f"unclear refusal: {problem}", time.perf_counter() - started)
                return
            record(entry.name, "refused", str(error), time.perf_counter() - started)
            return
        check_refusal(error)
    except SystemExit as error:
        # A command line (``main``) refusing its arguments: argparse prints the usage and what is wrong, and exits 2.
        if not entry.name.endswith(".main") or not isinstance(error.code, int):
            if not CENSUS:
                raise
            record(entry.name, "failure", f"SystemExit: {error.code!r}", time.perf_counter() - started)
            return
        if CENSUS:
            record(entry.name, "refused", f"exit {error.code}", time.perf_counter() - started)
            return
    except Exception as error:  # noqa: BLE001 - in census mode every failure is counted, not raised
        if not CENSUS:
            raise
        kind = "hang" if isinstance(error, Hang) else type(error).__name__
        record(entry.name, "failure", f"{kind}: {error}", time.perf_counter() - started)
        return
    finally:
        if entry.after is not None:
            entry.after(None)
    elapsed = time.perf_counter() - started
    if CENSUS:
        record(entry.name, "slow" if elapsed * 1000 > entry.deadline_ms else "ok", "", elapsed)


def run_entry(entry: Entry) -> None:
    options = dict(max_examples=examples_for(entry), deadline=None if CENSUS else dt.timedelta(milliseconds=entry.deadline_ms))

    @settings(**options)
    @given(st.data())
    def property_of(data):
        if entry.driver is not None:
            judge(entry, lambda: entry.driver(data))
            return
        arguments = {name: data.draw(strategy if name in entry.no_junk else mixed(strategy), label=name) for name, strategy in entry.params.items()}
        judge(entry, lambda: entry.target(**arguments))

    property_of()


# --------------------------------------------------------------------------- widgets: any control, any value, any order

CONTROL_TYPES = (widgets.Text, widgets.Textarea, widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons, widgets.Checkbox,
                 widgets.ToggleButton, widgets.IntSlider, widgets.FloatSlider, widgets.Button)


def widget_tree(root: widgets.Widget) -> list[widgets.Widget]:
    found, queue = [], [root]
    while queue:
        item = queue.pop(0)
        found.append(item)
        queue.extend(getattr(item, "children", ()))
    return found


def typed_text() -> st.SearchStrategy:
    return st.one_of(numbers(-100, 3000).map(str), st.floats(0, 200).map(lambda x: f"{x:g}".replace(".", ",")), st.text(max_size=10), dates().map(str),
                     JUNK.map(str))


def act(control: widgets.Widget, data) -> None:
    """Do to ``control`` what a student can: type anything, choose an option, tick, slide, click."""
    if isinstance(control, widgets.Button):
        control.click()
    elif isinstance(control, (widgets.Text, widgets.Textarea)):
        control.value = data.draw(typed_text(), label=control.description or "text")
    elif isinstance(control, (widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons)):
        control.value = data.draw(st.sampled_from(list(control._options_values)), label=control.description or "choice")
    elif isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        control.value = data.draw(st.booleans(), label=control.description or "tick")
    elif isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        control.value = data.draw(st.integers(int(control.min), int(control.max)), label=control.description or "slider")


def check_widget_state(root: widgets.Widget) -> None:
    for item in widget_tree(root):
        if not isinstance(item, CourseWidget):
            continue
        assert "could not update" not in item.message.value, f"{type(item).__name__} hit a bug: {item.message.value}"
        for output in item._outputs:
            hidden = output.layout.visibility == "hidden"
            assert hidden == item.stale, f"{type(item).__name__}: output {'hidden without a problem' if hidden else 'shown under a problem'}"


def interaction(make, most_steps: int = 6):
    def driver(data) -> None:
        widget = make()
        check_widget_state(widget)
        for _step in range(data.draw(st.integers(1, most_steps), label="steps")):
            controls = [item for item in widget_tree(widget) if isinstance(item, CONTROL_TYPES) and not getattr(item, "disabled", False)]
            if not controls:
                break
            act(data.draw(st.sampled_from(controls), label="control"), data)
            check_widget_state(widget)
        close_figures(None)

    return driver


def _widgets():
    from isotretinoin_course.data import audit_log
    from isotretinoin_course.data.programme_cases import comparison_patients
    from isotretinoin_course.models.counselling import Profile
    from isotretinoin_course.widgets import (
        ArticleScorecard, CaseStepView, CounsellingChecklist, DispensingSimulator, DosingCalculator, PatientExplorer, PKSimulator,
        SeverityClassifier, quiz_for,
    )
    from isotretinoin_course.widgets.capstone import CaseQuiz
    from isotretinoin_course.widgets.quiz import QuestionCard
    from property_registry import all_questions, capstone_case
    from input_checks import audit

    patients = {t.patient_id: t for t in list(audit_log.timelines(audit()))[:4] + list(comparison_patients().values())}
    return {
        "widgets.article_scorecard.ArticleScorecard.interaction": (lambda: ArticleScorecard("A page"), 0.5),
        "widgets.capstone.CaseQuiz.interaction": (lambda: CaseQuiz(capstone_case(), "first_dose"), 0.5),
        "widgets.capstone.CaseStepView.interaction": (lambda: CaseStepView(capstone_case(), "eligibility"), 0.5),
        "widgets.counselling.CounsellingChecklist.interaction": (lambda: CounsellingChecklist(Profile()), 0.5),
        "widgets.dispensing.DispensingSimulator.interaction": (lambda: DispensingSimulator(patients, "UK-101"), 0.4),
        "widgets.dosing.DosingCalculator.interaction": (DosingCalculator, 1.0),
        "widgets.patient_explorer.PatientExplorer.interaction": (lambda: PatientExplorer(cohort()), 0.05),
        "widgets.pk_simulator.PKSimulator.interaction": (PKSimulator, 0.5),
        "widgets.quiz.Quiz.interaction": (lambda: quiz_for("04_dosing_and_cumulative_dose"), 0.5),
        "widgets.quiz.QuestionCard.interaction": (lambda: QuestionCard(all_questions()[7], 1, lambda *args: None), 0.5),
        "widgets.severity.SeverityClassifier.interaction": (SeverityClassifier, 1.0),
    }


# Each step of the patient explorer draws a full-page figure (seconds on a shared CI core): two steps are enough to
# change patient and come back.
_MOST_STEPS = {"widgets.patient_explorer.PatientExplorer.interaction": 2}
for _name, (_make, _share) in _widgets().items():
    REGISTRY[_name] = Entry(_name, None, examples=_share, deadline_ms=15000, driver=interaction(_make, _MOST_STEPS.get(_name, 6)))


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_property(name):
    run_entry(REGISTRY[name])


# --------------------------------------------------------------------------- every public name has an entry


def public_names() -> dict[str, object]:
    """Every function and class a module of the package defines without a leading underscore, by ``module.name``."""
    names = {}
    for info in pkgutil.walk_packages(isotretinoin_course.__path__, f"{PACKAGE}."):
        if info.name.startswith(f"{PACKAGE}.datasets") or info.name.endswith(".__main__"):
            continue  # data only; a __main__ module runs its command line when imported
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            function = inspect.unwrap(value) if callable(value) and hasattr(value, "__wrapped__") else value  # functools.cache wraps
            if not name.startswith("_") and (inspect.isfunction(function) or inspect.isclass(value)) and getattr(value, "__module__", None) == info.name:
                names[qualified(value)] = value
    return names


# Instructor and author tools that take no student input and start processes or change the process they run in:
# grading runs students' code in sandboxes (dropping privileges, installing guards, launching kernels) and has its own
# hostile-class tests (tests/hostile_class.py, tests/test_exercises*.py); the website builder renders the committed
# notebooks (tests/test_site_build.py, tests/browser/test_site.py). Only the grading command line is driven here.
NOT_PROPERTY_TESTED = ("grading.", "authoring.site.")


def test_every_public_name_has_a_property_test():
    names = {name: value for name, value in public_names().items()
             if not name.startswith(NOT_PROPERTY_TESTED) or name == "grading.driver.main"}
    errors = {name for name, value in names.items() if inspect.isclass(value) and issubclass(value, BaseException)}
    missing = sorted(set(names) - errors - set(REGISTRY))
    assert not missing, f"public names without a property test (add them to tests/property_entries.py): {missing}"
    stale = sorted(name for name in REGISTRY if not name.endswith(".interaction") and name not in names)
    assert not stale, f"property entries for names that no longer exist: {stale}"
    widget_classes = sorted(name for name, value in names.items() if inspect.isclass(value) and issubclass(value, CourseWidget) and value is not CourseWidget)
    assert all(f"{name}.interaction" in REGISTRY for name in widget_classes), [name for name in widget_classes if f"{name}.interaction" not in REGISTRY]


# The grading package's own exceptions (a stuck cell, a kernel gone, no sandbox) are events of a grading run, not refusals of input.
ERROR_CLASSES = sorted((name, value) for name, value in public_names().items()
                       if inspect.isclass(value) and issubclass(value, BaseException) and not name.startswith(NOT_PROPERTY_TESTED))


@pytest.mark.parametrize(("name", "error"), ERROR_CLASSES, ids=[name for name, _ in ERROR_CLASSES])
def test_every_error_is_the_projects_and_names_its_field(name, error):
    assert issubclass(error, CourseInputError), f"{name} does not derive from CourseInputError"

    @settings(max_examples=10)
    @given(field=st.text(min_size=1, max_size=20).filter(str.strip), value=JUNK, allowed=st.text(max_size=20))
    def named(field, value, allowed):
        raised = error(field, value, allowed or None)
        assert raised.field == field and field in str(raised)
        copy = pickle.loads(pickle.dumps(raised))
        assert type(copy) is error and copy.field == field and str(copy) == str(raised)

    named()


# --------------------------------------------------------------------------- the guard is the only way to observe


def test_every_observer_and_handler_goes_through_the_guard():
    """No module of the package calls ``observe`` or ``on_click`` except the guard itself, and every handler that a
    built widget holds is a guarded one."""
    import ast

    source = Path(isotretinoin_course.__file__).parent
    offenders = []
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("observe", "on_click", "on_submit", "interact"):
                if path.name != "base.py":
                    offenders.append(f"{path.relative_to(source)}:{node.lineno} calls .{node.func.attr}()")
    assert not offenders, offenders
    for name, (make, _share) in _widgets().items():
        widget = make()
        for item in widget_tree(widget):
            for handlers in getattr(item, "_trait_notifiers", {}).values():
                for callbacks in handlers.values():
                    for callback in callbacks:
                        function = getattr(callback, "__func__", callback)
                        owner = getattr(function, "__module__", "") or ""
                        if owner.startswith(PACKAGE):
                            assert getattr(function, "__course_guarded__", False), f"{name}: {function!r} is not guarded"
            if isinstance(item, widgets.Button):
                for callback in item._click_handlers.callbacks:
                    assert getattr(callback, "__course_guarded__", False), f"{name}: a button handler {callback!r} is not guarded"
        close_figures(None)


# --------------------------------------------------------------------------- the capstone for every cohort patient


def test_the_capstone_builds_or_refuses_clearly_for_every_cohort_patient():
    from isotretinoin_course.models.capstone import CapstoneCase

    built, refused = 0, []
    for patient_id in cohort()["patients"]["patient_id"]:
        try:
            case = CapstoneCase(cohort(), patient_id)
        except CourseInputError as error:
            check_refusal(error, "patient_id")
            assert patient_id in str(error)
            refused.append(patient_id)
        else:
            assert len(case.steps) == 12 and case.bank.questions
            built += 1
    assert built + len(refused) == len(cohort()["patients"])
    # On main of 2026-11-30, 72 of the 240 make a case: the others cannot get pregnant, lack a fact a step asks about, or have
    # acne none of the case's eligibility verdicts fits (each refused above, naming the patient).
    assert built >= 70, f"only {built} cohort patients make a case"
