"""The course benchmark's own logic, and that every control it drives still exists (a renamed control would break it)."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import pytest  # noqa: E402
from conftest import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import course_benchmark as bench  # noqa: E402


def test_p90_is_the_nearest_rank():
    assert bench.p90(list(range(1, 16))) == 14  # of 15 values, the 14th smallest
    assert bench.p90([5.0]) == 5.0


def test_a_lessons_floor_imports_what_the_lesson_used():
    assert bench.floor_cells(()) == ["pass"]
    assert bench.floor_cells(("matplotlib", "pandas")) == ["%matplotlib inline\nimport matplotlib, pandas"]


def test_the_summary_shows_each_widgets_slowest_control_and_whether_all_met_the_target():
    report = bench.Report()
    for control, values in (("fast", [1.0] * 15), ("slow", [120.0] * 15)):
        bench.widget_row(report, "05 patient explorer", control, values, floor_ms=1.0)
    report.add(bench.Row("lesson", "05 Run All", "1.50 s", "1.00 s", "1.50", "≤ floor + 1 s", True))
    summary = report.summary(["header"])
    explorer = next(line for line in summary.splitlines() if "explorer" in line)
    assert "slowest of 2 controls, slow" in explorer and "120 ms" in explorer and explorer.endswith("**no** |")
    assert "05 Run All" in summary
    assert len(report.markdown(["header"]).splitlines()) == len(summary.splitlines()) + 1  # the full table: one line per control


@pytest.mark.parametrize("widget, setup, controls", bench.widget_scenarios(), ids=[name for name, _setup, _controls in bench.widget_scenarios()])
def test_every_control_the_benchmark_drives_exists(widget, setup, controls):
    namespace: dict = {}
    exec(setup, namespace)  # noqa: S102 - the benchmark's own set-up code
    for control in controls:
        target = eval(control.expression, namespace)  # noqa: S307
        assert isinstance(target, ipywidgets.Widget), f"{widget}: {control.label}"
        if control.trait == "index":
            assert len(target.options) > 1, f"{widget}: {control.label} has nothing to choose"
        elif control.trait != "click":
            assert target.has_trait(control.trait), f"{widget}: {control.label} has no {control.trait!r}"


@pytest.mark.parametrize("setup", [bench.QUIZ_SETUP.format(bank="05_laboratory_monitoring"), bench.CAPSTONE_SETUP], ids=["quiz", "capstone"])
def test_the_quiz_set_ups_find_every_answer_control_and_check_button(setup, capsys):
    import json

    namespace: dict = {}
    exec(setup, namespace)  # noqa: S102 - the benchmark's own set-up code
    facts = json.loads(capsys.readouterr().out)
    cards = namespace["Q"].cards if "Q" in namespace else [view.quiz.cards[0] for view in namespace["views"]]
    assert len(facts["cards"]) == len(cards) and facts["reveal"]
    for fact, card in zip(facts["cards"], cards):
        assert fact["check"] == card.check_button.model_id
        control = card.answer_control
        expected = [box.model_id for box in control.children] if fact["type"] == "multiple" else (
            control.children[0].model_id if fact["type"] == "numeric" else control.model_id)
        assert fact["answer"] == expected


def _controls_inside(widget: ipywidgets.Widget) -> set[str]:
    """Model ids of everything a student can change or press inside ``widget`` (walking its boxes)."""
    found, todo = set(), [widget]
    while todo:
        current = todo.pop()
        todo.extend(child for child in getattr(current, "children", ()) if isinstance(child, ipywidgets.Widget))
        if isinstance(current, (ipywidgets.Button, ipywidgets.ValueWidget)) and not isinstance(
                current, (ipywidgets.HTML, ipywidgets.HTMLMath, ipywidgets.Label, ipywidgets.Image)) and not getattr(current, "disabled", False):
            found.add(current.model_id)
    return found


@pytest.mark.parametrize("widget, setup, controls", bench.widget_scenarios(), ids=[name for name, _setup, _controls in bench.widget_scenarios()])
def test_the_benchmark_drives_every_control_of_each_widget(widget, setup, controls):
    """A control added to a widget must be added to the benchmark too (issue 21: each control of each widget)."""
    namespace: dict = {}
    exec(setup, namespace)  # noqa: S102 - the benchmark's own set-up code
    driven = {eval(control.expression, namespace).model_id for control in controls}  # noqa: S307
    assert _controls_inside(namespace["W"]) <= driven, f"{widget}: controls the benchmark does not time"


@pytest.mark.parametrize("setup, expected", [(bench.EXPLORER_SETUP, "explorer"), (bench.DISPENSING_SETUP, "dispensing")], ids=["explorer", "dispensing"])
def test_the_explorer_and_dispensing_set_ups_name_the_widgets_controls(setup, expected, capsys):
    import json

    namespace: dict = {}
    exec(setup, namespace)  # noqa: S102 - the benchmark's own set-up code
    facts = json.loads(capsys.readouterr().out)
    W = namespace["W"]
    if expected == "explorer":
        assert facts == [W.picker.model_id, len(W.picker.options)] and facts[1] > 15
        assert _controls_inside(W) == {facts[0]}
    else:
        assert (facts["picker"], facts["dispense"], facts["hold"], facts["refuse"], facts["next"]) == (
            W.picker.model_id, W.dispense.model_id, W.hold.model_id, W.refuse.model_id, W.next_visit.model_id)
        assert len(facts["visits"]) == len(W.picker.options) and len(W.decisions) == facts["visits"][W.picker.options.index(W.picker.value)]
        assert _controls_inside(W) <= {facts["picker"], facts["dispense"], facts["hold"], facts["refuse"], facts["next"]}
