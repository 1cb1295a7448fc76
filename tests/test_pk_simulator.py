"""The PK simulator: input read with clear messages naming the field, exposure figures from the two-compartment model,
the label's and the patients' half-lives and the constructed slow eliminators, the plot updated in place, and the static
fallback."""

from __future__ import annotations

import math

import numpy as np
import pytest

from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.figures.pharmacokinetics import ConcentrationPlot, concentration_figure, envelope, single_dose_figure, washout_figure
from isotretinoin_course.models.isotretinoin_pk import model_for
from isotretinoin_course.models.pharmacokinetics import auc_accumulation_ratio, doses_to_steady_state, simulate, trough_after_doses
from isotretinoin_course.models.pk_scenario import SimulatorInputError, exposure, parse_missed, scenario_from_inputs
from isotretinoin_course.widgets import PKSimulator

INPUTS = dict(formulation="conventional", meal="fed", dose="40", schedule="twice daily", weight="70", days="28", missed="")


def test_parse_missed_numbers_and_ranges():
    assert parse_missed("3, 8-10", 20) == frozenset({3, 8, 9, 10})
    assert parse_missed("", 20) == frozenset()
    assert parse_missed(" 5 ;6 ", 20) == frozenset({5, 6})


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "'abc' is not a dose number"), ("9-7", "runs backwards"), ("0", "outside doses 1 to 20"), ("19-25", "outside doses 1 to 20"),
     ("1-20", "at least one dose must be taken")],
)
def test_parse_missed_refuses_bad_input(text, message):
    with pytest.raises(SimulatorInputError, match=message) as caught:
        parse_missed(text, 20)
    assert caught.value.field == "Missed doses"


@pytest.mark.parametrize(
    ("field", "value", "name", "message"),
    [
        ("dose", "-5", "Dose", "Dose must be a positive number of mg, got -5"),
        ("dose", "forty", "Dose", "'forty' is not a number of mg"),
        ("dose", "500", "Daily dose (500 mg twice daily)", "Daily dose (500 mg twice daily) of 1000 mg is outside what is plausible (8–200 mg)"),
        ("dose", "2", "Daily dose (2 mg twice daily)", "of 4 mg is outside what is plausible (8–200 mg)"),
        ("weight", "0", "Body weight", "Body weight of 0 kg is outside what is plausible (25–350 kg)"),
        ("weight", "700", "Body weight", "Body weight of 700 kg is outside what is plausible"),
        ("weight", "1,000", "Body weight", "Body weight: '1,000' is ambiguous"),
        ("days", "nan", "Course length", "Course length: 'nan' is not a finite number"),
        ("days", "5000", "Course length", "Course length of 5000 days is outside what is plausible (1–365 days)"),
        ("formulation", "absorika", "Formulation", "did you mean 'absorica'?"),
        ("schedule", "thrice daily", "Schedule", "is not one of"),
        ("eliminator", "fast", "Elimination", "'fast' is not one of 'typical', 'nulman_mean', 'slow', 'lognormal_95th', 'extreme'"),
        ("show_metabolite", "no", "Show 4-oxo-isotretinoin", "expected True or False"),
    ],
)
def test_bad_inputs_are_refused_with_messages_naming_the_field(field, value, name, message):
    with pytest.raises(SimulatorInputError) as caught:
        scenario_from_inputs(**(INPUTS | {field: value}))
    assert message in str(caught.value)
    assert caught.value.field == name


def test_exposure_figures_for_a_standard_course_come_from_the_two_compartment_model():
    scenario = scenario_from_inputs(**INPUTS)
    figures = exposure(scenario, simulate(scenario.model, scenario.regimen, 70, follow_up_days=35))
    assert figures.daily_dose_mg == 80
    assert figures.mg_per_kg_day == pytest.approx(80 / 70)
    assert figures.doses_taken == figures.doses_scheduled == 56
    model = scenario.model
    assert figures.accumulation_ratio == pytest.approx(auc_accumulation_ratio(model, 12))
    assert 1.5 < figures.accumulation_ratio < 1 / (1 - math.exp(-math.log(2) / 21 * 12))  # two phases accumulate less than one slow one
    assert figures.days_to_90_percent == pytest.approx(doses_to_steady_state(model, 12, 0.9) * 12 / 24)
    # At steady state the average over a day is F·daily dose / (CL·24 h): 80 mg / (8.0 L/h · 24 h) ≈ 417 ng/mL.
    assert figures.average_ng_ml == pytest.approx(80 / (80 / 10004 * 1000) / 24 * 1000, rel=0.01)
    assert figures.lowest_ng_ml < figures.average_ng_ml < figures.peak_ng_ml
    assert figures.peak_ng_ml == pytest.approx(577, abs=3) and figures.lowest_ng_ml == pytest.approx(222, abs=5)
    # Review I9: with food the lowest level of the day comes 2.1 h after a dose (absorption starts late), below the
    # level just before the next dose, which is what notebook 03's washout table calls the level at stopping.
    assert figures.lowest_after_dose_h == pytest.approx(2.1, abs=0.25)
    assert figures.predose_ng_ml == pytest.approx(trough_after_doses(model, 40, 12, 56, 70), rel=1e-6)
    assert figures.predose_ng_ml > figures.lowest_ng_ml
    assert figures.percent_left_after_month < 1e-8
    assert figures.days_to_one_percent == pytest.approx(4.8, abs=0.1)


def test_the_slow_eliminator_leaves_more_after_a_month_and_says_it_is_constructed():
    typical = scenario_from_inputs(**(INPUTS | {"days": "140"}))
    slow = scenario_from_inputs(**(INPUTS | {"days": "140", "eliminator": "slow"}))
    left = {s.eliminator: exposure(s, simulate(s.model, s.regimen, 70, follow_up_days=35)) for s in (typical, slow)}
    assert left["typical"].percent_left_after_month < 1e-8 < 1e-3 < left["slow"].percent_left_after_month < 0.1
    assert left["slow"].parent_after_month_ng_ml == pytest.approx(0.05, abs=0.01)
    assert left["slow"].days_to_one_percent > 2.5 * left["typical"].days_to_one_percent
    simulator = PKSimulator(days=28)
    simulator.eliminator.value = "slow"
    assert "constructed scenario" in simulator.summary.value and "not a measured patient" in simulator.summary.value
    assert "slow eliminator (constructed)" in simulator.plot_description.value
    simulator.eliminator.value = "extreme"
    assert "not a measured patient" in simulator.summary.value and "the body's own level is about 1.6 ng/mL" in simulator.summary.value


def test_the_widget_redraws_when_a_control_changes():
    simulator = PKSimulator(days=14)
    first_png = bytes(simulator.plot.value)
    assert first_png.startswith(b"\x89PNG")
    assert "usual label dose: 0.5–1 mg/kg/day" in simulator.summary.value and "label range" not in simulator.summary.value
    assert "Level when the next dose was due" in simulator.summary.value and "absorption starts late" in simulator.summary.value
    simulator.meal.value = "fasted"
    assert bytes(simulator.plot.value) != first_png
    assert "Conventional capsules (soybean-oil fill; Accutane-type generics), fasted" in simulator.summary.value
    simulator.missed.value = "3-4"
    assert "26 of 28 (2 missed)" in simulator.summary.value
    assert "Figure description" in simulator.plot_description.value
    before = bytes(simulator.plot.value)
    simulator.formulation.value = "absorica"
    assert bytes(simulator.plot.value) != before


def test_the_plot_is_updated_in_place_not_rebuilt():
    simulator = PKSimulator(days=14)
    figure, axes, line = simulator._plot.figure, simulator._plot.ax, simulator._plot.parent
    simulator.dose.value = "30"
    simulator.show_metabolite.value = False
    assert simulator._plot.figure is figure and simulator._plot.ax is axes and simulator._plot.parent is line
    assert not simulator._plot.metabolite.get_visible()
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["isotretinoin (model)", "one month after the last dose"]


def test_the_widget_shows_a_message_and_hides_the_stale_plot_on_bad_input():
    simulator = PKSimulator(days=14)
    good_png = bytes(simulator.plot.value)
    simulator.weight.value = "-70"
    assert "Check the input." in simulator.message.value
    assert "Body weight of -70 kg is outside what is plausible" in simulator.message.value
    assert simulator.stale and simulator.plot.layout.visibility == "hidden" and simulator.summary.layout.visibility == "hidden"
    assert bytes(simulator.plot.value) == good_png  # kept, hidden, until an update succeeds
    simulator.weight.value = "70"
    assert simulator.message.value == "" and not simulator.stale
    assert simulator.plot.layout.visibility is None


def test_static_fallback_shows_the_starting_figures():
    bundle = PKSimulator(days=14)._repr_mimebundle_()
    assert bundle["text/plain"] == "PK simulator (interactive: run the notebook to use it)"
    assert "Accumulation" in bundle["text/html"] and "Label mean after one dose" in bundle["text/html"]


def test_envelope_keeps_every_peak_and_trough():
    x = np.linspace(0, 180, 20_000)
    y = np.sin(x * 2 * math.pi) + x / 100
    small_x, small_y = envelope(x, y, 1000)
    assert small_x.size <= 2000 + 20 and np.all(np.diff(small_x) >= 0)
    assert small_y.max() == y.max() and small_y.min() == y.min()
    assert envelope(x[:100], y[:100])[0].size == 100


def test_figures_draw_both_models_and_every_eliminator_with_descriptions():
    figure, description = single_dose_figure()
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert {"two compartments + delay, with food", "one compartment, with food", "label mean peak, fasting"} <= set(labels)
    assert "about a third of the label" in description and "837 ng/mL at 5.3 h" in description
    figure, description = washout_figure()
    assert len([line for line in figure.axes[0].get_lines() if "half-life" in line.get_label()]) == 5
    assert "slow eliminator (constructed) (half-life 69 h), 0.04 ng/mL or 2 × 10⁻⁴ of the level at stopping" in description
    assert "very slow eliminator (constructed) (half-life 179 h), 2.9 ng/mL" in description
    assert "not measured patients" in description and "the body makes itself (about 1.6 ng/mL)" in description
    scenario = scenario_from_inputs(**INPUTS)
    figure = concentration_figure(scenario, simulate(scenario.model, scenario.regimen, 70, follow_up_days=35))
    assert "Conventional capsules, 40 mg twice daily with food, 70 kg, label's single-dose mean" in figure.axes[0].get_title()
    assert isinstance(ConcentrationPlot().png(), bytes)


def test_model_for_is_cached_so_an_update_does_not_rebuild_it():
    assert model_for("conventional", "fed") is model_for("conventional", "fed")


def test_a_huge_dose_number_is_a_clear_message_not_an_error_inside_the_widget():
    simulator = PKSimulator(days=28)
    simulator.missed.value = "9" * 5000  # bad-input review, item 3: int() of 5000 digits raised inside the observer
    assert "Check the input." in simulator.message.value and "is outside doses 1 to 56" in simulator.message.value


@pytest.mark.parametrize(("arguments", "field"), [
    ({"weight_kg": None}, "weight_kg"), ({"dose_mg": "forty"}, "dose_mg"), ({"days": -3}, "days"),
    ({"meal": "fasting"}, "meal"), ({"formulation": "generic"}, "formulation"), ({"eliminator_name": "fast"}, "eliminator_name"),
])
def test_constructor_arguments_a_student_edits_are_read_naming_the_argument(arguments, field):
    # Bad-input review, item 6: these raised "Unknown format code 'g'" or a TraitError naming no field.
    with pytest.raises(CourseInputError) as caught:
        PKSimulator(**arguments)
    assert caught.value.field == field


def test_text_arguments_that_are_numbers_are_accepted():
    assert PKSimulator(dose_mg="30", weight_kg="70 kg").dose.value == "30"


def test_small_numbers_are_written_as_powers_of_ten_never_in_e_notation():
    from isotretinoin_course.figures.pharmacokinetics import amount_text, power_of_ten
    from isotretinoin_course.widgets.pk_simulator import exposure_html

    assert power_of_ten(2.2e-9) == "2.2 × 10⁻⁹" and power_of_ten(5e-9, 0) == "5 × 10⁻⁹" and power_of_ten(0) == "0"
    assert amount_text(2.94) == "2.9" and amount_text(0.04) == "0.04" and amount_text(5e-9) == "5 × 10⁻⁹"
    scenario = scenario_from_inputs(**INPUTS)
    simulation = simulate(scenario.model, scenario.regimen, 70, follow_up_days=35)
    html = exposure_html(scenario, exposure(scenario, simulation))
    assert "e-0" not in html and "e-1" not in html and "× 10⁻" in html
