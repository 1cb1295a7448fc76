"""The oral model against closed-form results (Bateman, AUC = F·D/CL, the characteristic equation, geometric series),
superposition, mass balance, steady state and washout; and the refusal of non-physical input, naming the field."""

from __future__ import annotations

import ast
import inspect
import math
import time

import numpy as np
import pytest

from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.models import pharmacokinetics as pk
from isotretinoin_course.models.pharmacokinetics import (
    OralModel,
    PKParameterError,
    Regimen,
    accumulation_ratio,
    auc_accumulation_ratio,
    doses_to_steady_state,
    elimination_rate_constant,
    fraction_of_steady_state,
    fraction_remaining,
    fraction_remaining_after_course,
    levels_after_course_ng_ml,
    metabolite_exponentials,
    parent_exponentials,
    peak_to_auc_per_h,
    simulate,
    single_dose_auc,
    single_dose_cmax,
    steady_state_average_ng_ml,
    superpose,
    time_to_fall_h,
    trough_after_doses,
)

ONE = OralModel.one_compartment(ka_per_h=0.9, half_life_h=20.0, volume_l_per_kg=1.2, bioavailability=0.8,
                                metabolite_half_life_h=25.0, metabolite_auc_ratio=3.0)
TWO = OralModel(ka_per_h=0.6, clearance_l_per_h_per_kg=0.11, central_volume_l_per_kg=0.4, peripheral_volume_l_per_kg=1.5,
                intercompartmental_clearance_l_per_h_per_kg=0.05, lag_h=1.5, bioavailability=0.8,
                metabolite_half_life_h=25.0, metabolite_auc_ratio=3.0)
WEIGHT = 60.0
MODELS = pytest.mark.parametrize("model", [ONE, TWO], ids=["one-compartment", "two-compartment+lag"])


def test_elimination_rate_constant_from_half_life():
    assert elimination_rate_constant(20.0) == pytest.approx(math.log(2) / 20.0)


def test_one_compartment_peak_is_the_bateman_closed_form():
    expected_tmax = math.log(ONE.ka_per_h / ONE.ke_per_h) / (ONE.ka_per_h - ONE.ke_per_h)
    assert ONE.tmax_h == pytest.approx(expected_tmax, rel=1e-9)
    volume = 1.2 * WEIGHT
    bateman = 0.8 * 40 * ONE.ka_per_h / (volume * (ONE.ka_per_h - ONE.ke_per_h)) * 1000 * (
        math.exp(-ONE.ke_per_h * expected_tmax) - math.exp(-ONE.ka_per_h * expected_tmax))
    assert single_dose_cmax(ONE, 40, WEIGHT) == pytest.approx(bateman, rel=1e-9)


def test_one_compartment_peak_to_auc_never_exceeds_the_elimination_rate_constant():
    # Why the label's peak needs a second compartment: Cmax/AUC <= k for any one-compartment curve.
    for ka in (0.05, 0.3, 3.0, 50.0):
        model = OralModel.one_compartment(ka, 21.0, 3.0)
        assert peak_to_auc_per_h(model) < model.ke_per_h
    assert peak_to_auc_per_h(TWO) > TWO.ke_per_h


@MODELS
def test_simulated_peak_matches_the_model_peak(model):
    simulation = simulate(model, Regimen(40, 24, 1), WEIGHT, step_h=0.005, follow_up_days=1)
    peak = simulation.parent_ng_ml.argmax()
    assert simulation.times_h[peak] == pytest.approx(model.tmax_h, abs=0.005)
    assert simulation.parent_ng_ml[peak] == pytest.approx(single_dose_cmax(model, 40, WEIGHT), rel=1e-6)


def test_nothing_is_absorbed_before_the_lag_and_the_curve_starts_at_zero():
    coefficients, _ = parent_exponentials(TWO, WEIGHT)
    assert coefficients.sum() == pytest.approx(0.0, abs=1e-9 * np.abs(coefficients).max())
    simulation = simulate(TWO, Regimen(40, 24, 1), WEIGHT, step_h=0.25)
    assert simulation.parent_ng_ml[simulation.times_h <= TWO.lag_h].max() == 0.0
    assert simulation.parent_ng_ml[simulation.times_h == TWO.lag_h + 0.25][0] > 0


@MODELS
def test_single_dose_auc_is_f_dose_over_clearance(model):
    clearance = model.clearance_l_per_h_per_kg * WEIGHT
    assert single_dose_auc(model, 40, WEIGHT) == pytest.approx(0.8 * 40 / clearance * 1000)
    simulation = simulate(model, Regimen(40, 24, 1), WEIGHT, step_h=0.02, follow_up_days=60)
    assert np.trapezoid(simulation.parent_ng_ml, simulation.times_h) == pytest.approx(single_dose_auc(model, 40, WEIGHT), rel=1e-4)


@MODELS
def test_metabolite_auc_ratio_is_honoured(model):
    simulation = simulate(model, Regimen(40, 24, 1), WEIGHT, step_h=0.02, follow_up_days=80)
    ratio = np.trapezoid(simulation.metabolite_ng_ml, simulation.times_h) / np.trapezoid(simulation.parent_ng_ml, simulation.times_h)
    assert ratio == pytest.approx(3.0, rel=1e-4)
    coefficients, _ = metabolite_exponentials(model, WEIGHT)
    assert coefficients.sum() == pytest.approx(0.0, abs=1e-9 * np.abs(coefficients).max())  # no metabolite at time zero


def test_metabolite_tail_follows_a_slower_parent():
    slow_parent = OralModel(0.6, 0.11, 0.4, 6.0, 0.02, metabolite_half_life_h=10.0, metabolite_auc_ratio=3.0)
    simulation = simulate(slow_parent, Regimen(40, 24, 1), WEIGHT, step_h=1.0, follow_up_days=40)
    late = simulation.metabolite_ng_ml[[24 * 30, 24 * 35]]
    assert late[1] / late[0] == pytest.approx(math.exp(-slow_parent.ke_per_h * 24 * 5), rel=1e-3)


def test_two_compartment_rates_satisfy_the_characteristic_equation():
    k10, k12, k21 = TWO.micro_rates_per_h
    alpha, beta = TWO.disposition_rates_per_h
    assert alpha + beta == pytest.approx(k10 + k12 + k21, rel=1e-12)
    assert alpha * beta == pytest.approx(k10 * k21, rel=1e-12)
    assert TWO.half_life_h == pytest.approx(math.log(2) / beta)
    assert TWO.distribution_half_life_h == pytest.approx(math.log(2) / alpha)
    assert ONE.distribution_half_life_h is None


def test_terminal_decline_follows_beta():
    simulation = simulate(TWO, Regimen(40, 24, 1), WEIGHT, step_h=1.0, follow_up_days=20)
    late = simulation.parent_ng_ml[[24 * 15, 24 * 20]]
    assert late[1] / late[0] == pytest.approx(math.exp(-TWO.ke_per_h * 24 * 5), rel=1e-6)


@MODELS
def test_superposition_in_log_space_equals_the_direct_sum(model):
    regimen = Regimen(30, 12, 3, missed=frozenset({2}))
    simulation = simulate(model, regimen, WEIGHT, step_h=0.1, follow_up_days=1)
    coefficients, exponents = parent_exponentials(model, WEIGHT)
    direct = np.zeros_like(simulation.times_h)
    for start in regimen.dose_times_h() + model.lag_h:  # the slow, obvious way, as a reference
        elapsed = simulation.times_h - start
        response = np.exp(-np.outer(np.clip(elapsed, 0, None), exponents)) @ coefficients * 30
        direct += np.where(elapsed >= 0, response, 0.0)
    assert simulation.parent_ng_ml == pytest.approx(np.clip(direct, 0, None), rel=1e-9, abs=1e-9)


def test_superpose_has_no_python_loop_over_doses_or_times():
    tree = ast.parse(inspect.getsource(pk.superpose))
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.For, ast.While, ast.ListComp, ast.GeneratorExp))]


@MODELS
def test_auc_over_an_interval_at_steady_state_equals_single_dose_auc(model):
    interval = 12.0
    simulation = simulate(model, Regimen(20, interval, 40), WEIGHT, step_h=0.01)
    last = (simulation.times_h >= 40 * 24 - interval) & (simulation.times_h <= 40 * 24)
    first = simulation.times_h <= interval
    auc_ss = np.trapezoid(simulation.parent_ng_ml[last], simulation.times_h[last])
    auc_first = np.trapezoid(simulation.parent_ng_ml[first], simulation.times_h[first])
    assert auc_ss == pytest.approx(single_dose_auc(model, 20, WEIGHT), rel=1e-4)
    assert auc_ss / auc_first == pytest.approx(auc_accumulation_ratio(model, interval), rel=1e-3)
    assert auc_ss / interval == pytest.approx(steady_state_average_ng_ml(model, 40, WEIGHT), rel=1e-4)


def test_auc_accumulation_of_one_compartment_with_fast_absorption_is_the_hand_formula():
    fast = OralModel.one_compartment(ka_per_h=50.0, half_life_h=21.0, volume_l_per_kg=3.0)
    assert auc_accumulation_ratio(fast, 12) == pytest.approx(accumulation_ratio(21.0, 12), rel=3e-3)  # absorption takes minutes


@MODELS
def test_troughs_match_the_geometric_series_closed_form(model):
    tau = 12.0
    simulation = simulate(model, Regimen(40, tau, 10), WEIGHT, step_h=0.25)
    for n in (1, 3, 19):
        at_dose = np.searchsorted(simulation.times_h, n * tau)  # dose n + 1 has not started to be absorbed
        assert simulation.parent_ng_ml[at_dose] == pytest.approx(trough_after_doses(model, 40, tau, n, WEIGHT), rel=1e-9)


def test_year_long_course_with_fast_absorption_stays_finite_and_reaches_the_steady_state_trough():
    fast = OralModel(50.0, 0.11, 0.4, 1.5, 0.05, 0.5)  # exp(ka·t) over a year would be about 10^190000
    simulation = simulate(fast, Regimen(40, 12, 365), 70, step_h=0.25)
    assert np.isfinite(simulation.parent_ng_ml).all()
    at_last_dose = np.searchsorted(simulation.times_h, simulation.dose_times_h[-1])
    assert simulation.parent_ng_ml[at_last_dose] == pytest.approx(trough_after_doses(fast, 40, 12, None, 70), rel=1e-9)


def test_five_half_lives_reach_about_97_percent_of_steady_state():
    assert fraction_of_steady_state(20.0, 5 * 20.0) == pytest.approx(0.96875)
    simulation = simulate(ONE, Regimen(20, 12, 30), WEIGHT, step_h=0.25)
    troughs = simulation.parent_ng_ml[np.isin(simulation.times_h, simulation.dose_times_h[1:])]
    assert troughs[int(5 * 20 / 12) - 1] / troughs[-1] == pytest.approx(0.97, abs=0.02)
    assert accumulation_ratio(20.0, 12) == pytest.approx(1 / (1 - math.exp(-ONE.ke_per_h * 12)))


@MODELS
def test_mass_balance_over_a_course_with_missed_doses(model):
    regimen = Regimen(40, 12, 14, missed=frozenset({3, 4, 10}))
    simulation = simulate(model, regimen, WEIGHT, step_h=0.02, follow_up_days=60)
    eliminated_mg = np.trapezoid(simulation.parent_ng_ml, simulation.times_h) / 1000 * model.clearance_l_per_h(WEIGHT)
    absorbed_mg = model.bioavailability * regimen.dose_mg * simulation.dose_times_h.size
    assert eliminated_mg == pytest.approx(absorbed_mg, rel=1e-4)
    assert simulation.dose_times_h.size == regimen.scheduled_doses - 3


def test_washout_fraction_after_a_month_one_compartment():
    assert fraction_remaining(20.0, 30 * 24) == pytest.approx(2 ** (-36))
    simulation = simulate(ONE, Regimen(40, 12, 30), WEIGHT, step_h=0.25, follow_up_days=30)
    at_stop = simulation.parent_ng_ml[np.searchsorted(simulation.times_h, 30 * 24 + 12)]
    assert simulation.parent_ng_ml[-1] / at_stop == pytest.approx(fraction_remaining(20.0, 30 * 24 - 12), rel=1e-3)


def test_fraction_remaining_after_course_one_compartment_is_the_hand_formula():
    fast = OralModel.one_compartment(ka_per_h=20.0, half_life_h=20.0, volume_l_per_kg=1.2)
    assert fraction_remaining_after_course(fast, Regimen(40, 12, 30), WEIGHT, 30) == pytest.approx(fraction_remaining(20.0, 30 * 24 - 12), rel=1e-6)


def test_levels_after_course_are_the_simulated_ones():
    regimen = Regimen(40, 12, 20, missed=frozenset({39}))
    simulation = simulate(TWO, regimen, WEIGHT, step_h=0.5, follow_up_days=31)
    last = simulation.dose_times_h[-1]
    at = np.searchsorted(simulation.times_h, [last + 12, last + 30 * 24])
    assert levels_after_course_ng_ml(TWO, regimen, WEIGHT, 30) == pytest.approx(tuple(simulation.parent_ng_ml[at]), rel=1e-9)


def test_time_to_fall_is_where_the_simulated_curve_crosses():
    regimen = Regimen(40, 12, 20)
    hours = time_to_fall_h(TWO, regimen, WEIGHT, 0.01)
    simulation = simulate(TWO, regimen, WEIGHT, step_h=0.05, follow_up_days=40)
    last = simulation.dose_times_h[-1]
    stop = simulation.parent_ng_ml[np.searchsorted(simulation.times_h, last + 12)]
    crossing = simulation.times_h[(simulation.times_h > last + 12) & (simulation.parent_ng_ml <= 0.01 * stop)][0] - last
    assert hours == pytest.approx(crossing, abs=0.06)


def test_doses_to_steady_state_matches_the_troughs():
    n = doses_to_steady_state(TWO, 12.0, 0.9)
    assert trough_after_doses(TWO, 40, 12, n, WEIGHT) >= 0.9 * trough_after_doses(TWO, 40, 12, None, WEIGHT)
    assert trough_after_doses(TWO, 40, 12, n - 1, WEIGHT) < 0.9 * trough_after_doses(TWO, 40, 12, None, WEIGHT)
    assert abs(doses_to_steady_state(ONE, 12.0, 0.9) - math.log(10) / ONE.ke_per_h / 12) <= 1  # ka >> k: ln 10 / k, give or take a dose


def test_missed_doses_lower_exposure_and_are_numbered_from_one():
    full = simulate(ONE, Regimen(40, 12, 7), WEIGHT)
    missed = simulate(ONE, Regimen(40, 12, 7, missed=frozenset({1})), WEIGHT)
    assert missed.parent_ng_ml[0:40].max() == 0.0  # nothing absorbed before the second dose
    assert missed.parent_ng_ml.sum() < full.parent_ng_ml.sum()
    assert Regimen(40, 12, 7).scheduled_doses == 14
    assert Regimen(40, 12, 7).daily_dose_mg == 80


def test_superpose_is_linear_in_dose():
    coefficients, exponents = parent_exponentials(TWO, WEIGHT)
    times = np.linspace(0, 72, 50)
    one = superpose(times, np.array([0.0, 12.0]), np.array([10.0, 10.0]), coefficients, exponents)
    double = superpose(times, np.array([0.0, 12.0]), np.array([20.0, 20.0]), coefficients, exponents)
    assert double == pytest.approx(2 * one, rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# Non-physical or implausible input: refused quickly, with a message naming the field

GOOD = dict(ka_per_h=0.6, clearance_l_per_h_per_kg=0.11, central_volume_l_per_kg=0.4, peripheral_volume_l_per_kg=1.5,
            intercompartmental_clearance_l_per_h_per_kg=0.05, lag_h=1.0)
MODEL = OralModel(**GOOD)
REGIMEN = Regimen(40, 12, 2)


def model_with(**changes):
    return OralModel(**(GOOD | changes))


CASES = [
    # kind of bad input, the call, the field named, words the message must contain
    ("zero rate", lambda: model_with(ka_per_h=0), "absorption rate constant ka", "must be a positive number of per hour, got 0"),
    ("negative rate", lambda: model_with(ka_per_h=-1), "absorption rate constant ka", "must be a positive number"),
    ("not a number", lambda: model_with(clearance_l_per_h_per_kg=float("nan")), "clearance", "is not a finite number"),
    ("infinite", lambda: model_with(central_volume_l_per_kg=math.inf), "central volume", "is not a finite number"),
    ("boolean for a number", lambda: model_with(ka_per_h=True), "absorption rate constant ka", "expected a number of per hour, got True"),
    ("text that is no number", lambda: model_with(lag_h="soon"), "lag time", "'soon' is not a number of hours"),
    ("negative time", lambda: model_with(lag_h=-0.5), "lag time", "cannot be negative"),
    ("implausibly long lag", lambda: model_with(lag_h=100), "lag time", "outside what the model covers"),
    ("half a compartment", lambda: model_with(intercompartmental_clearance_l_per_h_per_kg=0), None, "must both be positive"),
    ("zero bioavailability", lambda: model_with(bioavailability=0), "bioavailability", "must be a positive number"),
    ("metabolite half given", lambda: model_with(metabolite_half_life_h=24), None, "give both the metabolite half-life"),
    ("coinciding rates", lambda: model_with(ka_per_h=MODEL.disposition_rates_per_h[0]), None, "equals distribution rate constant alpha"),
    ("zero half-life", lambda: OralModel.one_compartment(0.9, 0, 1.0), "half-life", "must be a positive number of hours, got 0"),
    ("zero dose", lambda: Regimen(0, 12, 10), "Dose", "must be a positive number of mg, got 0"),
    ("negative dose", lambda: Regimen(-40, 12, 10), "Dose", "must be a positive number of mg, got -40"),
    ("absurd dose", lambda: Regimen(5000, 12, 10), "Dose", "Dose of 5000 mg is above what is plausible for one day (200 mg)"),
    ("absurd daily dose", lambda: Regimen(100, 6, 10), "daily dose", "daily dose of 400 mg (100 mg every 6 h) is above what is plausible"),
    ("too short an interval", lambda: Regimen(40, 0.1, 10), "dosing interval", "below what the model covers (0.5 hours)"),
    ("course too long (would hang)", lambda: Regimen(40, 12, 1e6), "treatment length", "above what the model covers (730 days)"),
    ("course shorter than a dose", lambda: Regimen(40, 12, 0.2), "treatment length", "shorter than one dosing interval"),
    ("fractional dose number", lambda: Regimen(40, 12, 2, missed=[1.5]), "missed doses", "whole dose numbers; got [1.5]"),
    ("missed doses as text", lambda: Regimen(40, 12, 2, missed="1,2"), "missed doses", "a set of whole dose numbers, got '1,2'"),
    ("dose number out of range", lambda: Regimen(40, 12, 2, missed=frozenset({9})), "missed doses", "numbered 1 to 4; got [9]"),
    ("every dose missed", lambda: Regimen(40, 12, 1, missed={1, 2}), "missed doses", "at least one dose must be taken"),
    ("zero weight", lambda: simulate(MODEL, REGIMEN, 0), "Body weight", "outside what is plausible (25–350 kg)"),
    ("negative weight", lambda: simulate(MODEL, REGIMEN, -70), "Body weight", "outside what is plausible"),
    ("weight that is no number", lambda: simulate(MODEL, REGIMEN, "seventy"), "Body weight", "'seventy' is not a number of kg"),
    ("implausible weight", lambda: single_dose_auc(MODEL, 80, 10_000), "Body weight", "Body weight of 10000 kg is outside what is plausible"),
    ("time step too fine (would hang)", lambda: simulate(MODEL, REGIMEN, 70, step_h=1e-6), "time step", "below the smallest supported step"),
    ("too many points (would hang)", lambda: simulate(MODEL, Regimen(40, 12, 700), 70, step_h=0.005), "time step", "needs more than 2,000,000 points"),
    ("nan follow-up", lambda: simulate(MODEL, REGIMEN, 70, follow_up_days=float("nan")), "follow-up", "is not a finite number"),
    ("negative follow-up", lambda: simulate(MODEL, REGIMEN, 70, follow_up_days=-1), "follow-up", "cannot be negative"),
    ("wrong object for the model", lambda: simulate("conventional", REGIMEN, 70), "model", "model: expected an OralModel, got 'conventional'"),
    ("negative elapsed time", lambda: fraction_remaining(20, -1), "time", "cannot be negative"),
    ("nan elapsed time", lambda: fraction_of_steady_state(21, float("nan")), "time", "is not a finite number"),
    ("unsorted dose times", lambda: superpose(np.arange(5.0), np.array([12.0, 0.0]), np.array([40.0, 40.0]), *parent_exponentials(MODEL, 70)),
     None, "dose times must be in increasing order"),
    ("dose list and times differ", lambda: superpose(np.arange(5.0), np.array([0.0, 12.0]), np.array([40.0]), *parent_exponentials(MODEL, 70)),
     None, "give one dose for each dose time"),
    ("interval shorter than the lag", lambda: trough_after_doses(model_with(lag_h=13), 40, 12, 3, 70), "dosing interval", "at least the lag time"),
    ("fractional number of doses", lambda: trough_after_doses(MODEL, 40, 12, 2.5, 70), "number of doses", "a whole number"),
    ("nothing absorbed in an interval", lambda: auc_accumulation_ratio(model_with(lag_h=13), 12), "dosing interval", "longer than the lag time"),
    ("fraction of 1", lambda: doses_to_steady_state(MODEL, 12, 1.0), "fraction of steady state", "must be below 1"),
    ("washout before a dose interval", lambda: fraction_remaining_after_course(MODEL, REGIMEN, 70, 0.1), "days after the last dose", "at least one dosing interval"),
]


@pytest.mark.parametrize(("kind", "make", "field", "message"), CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_refused_with_a_message_naming_the_field(kind, make, field, message):
    start = time.perf_counter()
    with pytest.raises(PKParameterError) as caught:
        make()
    assert message in str(caught.value)
    if field is not None:
        assert caught.value.field == field and str(caught.value).lower().startswith(field.lower()), str(caught.value)
    assert isinstance(caught.value, CourseInputError)
    assert time.perf_counter() - start < 0.5, "refusing must be quick, not after a long computation"
