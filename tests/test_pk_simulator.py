"""The PK simulator: input parsing with clear messages, exposure figures, and redraws on change."""

from __future__ import annotations

import math

import pytest

from isotretinoin_course.models.pharmacokinetics import simulate
from isotretinoin_course.models.pk_scenario import SimulatorInputError, exposure, parse_missed, scenario_from_inputs
from isotretinoin_course.widgets import PKSimulator


def test_parse_missed_numbers_and_ranges():
    assert parse_missed("3, 8-10", 20) == frozenset({3, 8, 9, 10})
    assert parse_missed("", 20) == frozenset()
    assert parse_missed(" 5 ;6 ", 20) == frozenset({5, 6})


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "'abc' is not a dose number"), ("9-7", "runs backwards"), ("0", "outside doses 1 to 20"), ("19-25", "outside doses 1 to 20"), ("1-20", "at least one dose must be taken")],
)
def test_parse_missed_refuses_bad_input(text, message):
    with pytest.raises(SimulatorInputError, match=message):
        parse_missed(text, 20)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dose", "-5", "Dose must be a positive number of mg, got -5"),
        ("dose", "forty", "'forty' is not a number of mg"),
        ("dose", "500", "outside what this simulator covers (1–200 mg)"),
        ("weight", "0", "Body weight must be a positive number of kg"),
        ("weight", "700", "Body weight of 700 kg is outside"),
        ("days", "nan", "Course length: 'nan' is not a finite number"),
        ("weight", "1,000", "Body weight: '1,000' is ambiguous"),
    ],
)
def test_out_of_range_inputs_are_refused_with_messages(field, value, message):
    inputs = dict(formulation="conventional", meal="fed", dose="40", schedule="twice daily", weight="70", days="28", missed="")
    inputs[field] = value
    with pytest.raises(SimulatorInputError) as caught:
        scenario_from_inputs(**inputs)
    assert message in str(caught.value)


def test_exposure_figures_for_a_standard_course():
    scenario = scenario_from_inputs("conventional", "fed", "40", "twice daily", "70", "28", "")
    figures = exposure(scenario, simulate(scenario.model, scenario.regimen, 70, follow_up_days=35))
    assert figures.daily_dose_mg == 80
    assert figures.mg_per_kg_day == pytest.approx(80 / 70)
    assert figures.doses_taken == figures.doses_scheduled == 56
    assert figures.accumulation_ratio == pytest.approx(1 / (1 - math.exp(-math.log(2) / 21 * 12)))
    assert figures.days_to_90_percent == pytest.approx(21 * math.log2(10) / 24)
    # At steady state the average over a day is F·daily dose / (CL·24 h): 80 mg / (8.0 L/h · 24 h) ≈ 417 ng/mL.
    assert figures.average_ng_ml == pytest.approx(80 / (80 / 10004 * 1000) / 24 * 1000, rel=0.01)
    assert figures.trough_ng_ml < figures.average_ng_ml < figures.peak_ng_ml
    assert figures.percent_left_after_month < 1e-8


def test_widget_redraws_when_a_control_changes():
    simulator = PKSimulator(days=14)
    first_png = bytes(simulator.plot.value)
    assert first_png.startswith(b"\x89PNG")
    assert "0.5–1 mg/kg/day" in simulator.summary.value
    simulator.meal.value = "fasted"
    assert bytes(simulator.plot.value) != first_png
    assert "Conventional capsules (soybean-oil fill; Accutane-type generics), fasted" in simulator.summary.value
    simulator.missed.value = "3-4"
    assert "26 of 28 (2 missed)" in simulator.summary.value
    assert "Figure description" in simulator.plot_description.value


def test_widget_shows_a_message_and_hides_the_stale_plot_on_bad_input():
    simulator = PKSimulator(days=14)
    good_png = bytes(simulator.plot.value)
    simulator.weight.value = "-70"
    assert "Check the input." in simulator.message.value
    assert "Body weight must be a positive number of kg" in simulator.message.value
    assert simulator.stale and simulator.plot.layout.visibility == "hidden" and simulator.summary.layout.visibility == "hidden"
    assert bytes(simulator.plot.value) == good_png  # kept, hidden, until an update succeeds
    simulator.weight.value = "70"
    assert simulator.message.value == "" and not simulator.stale
    assert simulator.plot.layout.visibility is None


def test_static_fallback_shows_the_starting_figures():
    bundle = PKSimulator(days=14)._repr_mimebundle_()
    assert bundle["text/plain"] == "PK simulator (interactive: run the notebook to use it)"
    assert "Accumulation ratio" in bundle["text/html"]
