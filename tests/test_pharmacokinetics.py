"""The PK model against closed-form results, mass balance, and refusal of non-physical parameters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from isotretinoin_course.models.pharmacokinetics import (
    OralModel,
    PKParameterError,
    Regimen,
    accumulation_ratio,
    elimination_rate_constant,
    fraction_of_steady_state,
    fraction_remaining,
    simulate,
    single_dose_auc,
    single_dose_cmax,
)

MODEL = OralModel(ka_per_h=0.9, half_life_h=20.0, volume_l_per_kg=1.2, bioavailability=0.8,
                  metabolite_half_life_h=25.0, metabolite_auc_ratio=3.0)
WEIGHT = 60.0


def test_elimination_rate_constant_from_half_life():
    assert elimination_rate_constant(20.0) == pytest.approx(math.log(2) / 20.0)


def test_single_dose_peak_matches_closed_form_tmax_and_cmax():
    simulation = simulate(MODEL, Regimen(dose_mg=40, interval_h=24, days=1), WEIGHT, step_h=0.01, follow_up_days=2)
    peak = simulation.parent_ng_ml.argmax()
    expected_tmax = math.log(MODEL.ka_per_h / MODEL.ke_per_h) / (MODEL.ka_per_h - MODEL.ke_per_h)
    assert MODEL.tmax_h == pytest.approx(expected_tmax)
    assert simulation.times_h[peak] == pytest.approx(expected_tmax, abs=0.01)
    assert simulation.parent_ng_ml[peak] == pytest.approx(single_dose_cmax(MODEL, 40, WEIGHT), rel=1e-6)


def test_single_dose_auc_is_f_dose_over_clearance():
    clearance = MODEL.ke_per_h * MODEL.volume_l_per_kg * WEIGHT
    assert single_dose_auc(MODEL, 40, WEIGHT) == pytest.approx(0.8 * 40 / clearance * 1000)
    simulation = simulate(MODEL, Regimen(40, 24, 1), WEIGHT, step_h=0.02, follow_up_days=30)
    assert np.trapezoid(simulation.parent_ng_ml, simulation.times_h) == pytest.approx(single_dose_auc(MODEL, 40, WEIGHT), rel=1e-3)


def test_metabolite_auc_ratio_is_honoured():
    simulation = simulate(MODEL, Regimen(40, 24, 1), WEIGHT, step_h=0.02, follow_up_days=40)
    ratio = np.trapezoid(simulation.metabolite_ng_ml, simulation.times_h) / np.trapezoid(simulation.parent_ng_ml, simulation.times_h)
    assert ratio == pytest.approx(3.0, rel=1e-3)


def test_accumulation_ratio_matches_simulated_steady_state():
    interval = 12.0
    simulation = simulate(MODEL, Regimen(20, interval, 20), WEIGHT, step_h=0.05)
    first = (simulation.times_h >= 0) & (simulation.times_h <= interval)
    last = (simulation.times_h >= 20 * 24 - interval) & (simulation.times_h <= 20 * 24)
    auc_first = np.trapezoid(simulation.parent_ng_ml[first], simulation.times_h[first])
    auc_ss = np.trapezoid(simulation.parent_ng_ml[last], simulation.times_h[last])
    # At steady state, AUC over one interval equals the single-dose AUC(0–∞).
    assert auc_ss == pytest.approx(single_dose_auc(MODEL, 20, WEIGHT), rel=2e-3)
    assert accumulation_ratio(MODEL.half_life_h, interval) == pytest.approx(1 / (1 - math.exp(-MODEL.ke_per_h * interval)))
    # The trough ratio (last trough / first trough) tends to the same accumulation ratio when ka >> ke.
    assert auc_ss / auc_first > 2.5


def test_five_half_lives_reach_about_97_percent_of_steady_state():
    assert fraction_of_steady_state(20.0, 5 * 20.0) == pytest.approx(0.96875)
    simulation = simulate(MODEL, Regimen(20, 12, 30), WEIGHT, step_h=0.25)
    troughs = simulation.parent_ng_ml[np.isin(simulation.times_h, simulation.dose_times_h[1:])]
    steady_trough = troughs[-1]
    after_five_half_lives = troughs[int(5 * 20 / 12) - 1]
    assert after_five_half_lives / steady_trough == pytest.approx(0.97, abs=0.02)


def test_mass_balance_over_a_course():
    regimen = Regimen(40, 12, 14, missed=frozenset({3, 4, 10}))
    simulation = simulate(MODEL, regimen, WEIGHT, step_h=0.05, follow_up_days=30)
    eliminated_mg = np.trapezoid(simulation.parent_ng_ml, simulation.times_h) / 1000 * MODEL.clearance_l_per_h(WEIGHT)
    absorbed_mg = MODEL.bioavailability * regimen.dose_mg * simulation.dose_times_h.size
    assert eliminated_mg == pytest.approx(absorbed_mg, rel=1e-3)
    assert simulation.dose_times_h.size == regimen.scheduled_doses - 3


def test_washout_fraction_after_a_month():
    assert fraction_remaining(20.0, 30 * 24) == pytest.approx(2 ** (-36))
    simulation = simulate(MODEL, Regimen(40, 12, 30), WEIGHT, step_h=0.25, follow_up_days=30)
    at_stop = simulation.parent_ng_ml[np.searchsorted(simulation.times_h, 30 * 24 + 12)]
    month_later = simulation.parent_ng_ml[-1]
    assert month_later / at_stop == pytest.approx(fraction_remaining(20.0, 30 * 24 - 12), rel=1e-3)


def test_missed_doses_lower_exposure_and_are_numbered_from_one():
    full = simulate(MODEL, Regimen(40, 12, 7), WEIGHT)
    missed = simulate(MODEL, Regimen(40, 12, 7, missed=frozenset({1})), WEIGHT)
    assert missed.parent_ng_ml[0:40].max() == 0.0  # nothing absorbed before the second dose
    assert missed.parent_ng_ml.sum() < full.parent_ng_ml.sum()
    assert Regimen(40, 12, 7).scheduled_doses == 14
    assert Regimen(40, 12, 7).daily_dose_mg == 80


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: OralModel(0.9, 0.0, 1.0), "half-life must be a positive number of hours, got 0"),
        (lambda: OralModel(0.9, -5, 1.0), "half-life must be a positive number of hours, got -5"),
        (lambda: OralModel(-1, 20, 1.0), "absorption rate constant ka must be a positive"),
        (lambda: OralModel(0.9, 20, float("nan")), "apparent volume: nan is not a finite number"),
        (lambda: OralModel(math.log(2) / 20, 20, 1.0), "ka equals ke"),
        (lambda: OralModel(0.9, 20, 1.0, metabolite_half_life_h=24), "give both"),
        (lambda: Regimen(0, 12, 10), "dose must be a positive number of mg, got 0"),
        (lambda: Regimen(-40, 12, 10), "dose must be a positive number of mg, got -40"),
        (lambda: Regimen(40, 12, 0.2), "shorter than one dosing interval"),
        (lambda: Regimen(40, 12, 2, missed=frozenset({9})), "missed doses must be numbered 1 to 4; got [9]"),
        (lambda: simulate(MODEL, Regimen(40, 12, 2), 0), "body weight must be a positive number of kg, got 0"),
        (lambda: simulate(MODEL, Regimen(40, 12, 2), -70), "body weight must be a positive number of kg, got -70"),
        (lambda: single_dose_auc(MODEL, "forty", 60), "dose: 'forty' is not a number of mg"),
        (lambda: elimination_rate_constant(0), "half-life must be a positive"),
        (lambda: fraction_remaining(20, -1), "time must not be negative"),
    ],
)
def test_non_physical_parameters_raise_clear_errors(make, message):
    with pytest.raises(PKParameterError) as caught:
        make()
    assert message in str(caught.value)


def test_year_long_course_stays_finite_and_matches_closed_form_steady_state_trough():
    model = OralModel(ka_per_h=1.3, half_life_h=21.0, volume_l_per_kg=3.46)
    dose, tau = 40.0, 12.0
    simulation = simulate(model, Regimen(dose, tau, 365), 70, step_h=0.25)
    assert np.isfinite(simulation.parent_ng_ml).all()
    ka, ke, volume = model.ka_per_h, model.ke_per_h, 3.46 * 70
    scale = dose * ka / (volume * (ka - ke)) * 1000
    trough = scale * (math.exp(-ke * tau) / (1 - math.exp(-ke * tau)) - math.exp(-ka * tau) / (1 - math.exp(-ka * tau)))
    # At the moment of a dose the new dose has not been absorbed yet: the value there is the trough.
    at_last_dose = np.searchsorted(simulation.times_h, simulation.dose_times_h[-1])
    assert simulation.parent_ng_ml[at_last_dose] == pytest.approx(trough, rel=1e-9)


def test_superpose_refuses_zero_or_negative_doses():
    from isotretinoin_course.models.pharmacokinetics import parent_exponentials, superpose

    with pytest.raises(PKParameterError, match="every dose given must be a positive number of mg"):
        superpose(np.arange(10.0), np.array([0.0, 12.0]), np.array([40.0, 0.0]), *parent_exponentials(MODEL, WEIGHT))
