"""Dosing arithmetic: mg/kg/day, regimens from real strengths, cumulative dose and days to a target."""

from __future__ import annotations

import pytest

from isotretinoin_course.models.dosing import (
    DosingError,
    Phase,
    build_regimen,
    course_days_to_target,
    cumulative_dose_mg_per_kg,
    daily_dose_mg,
    days_to_target,
    mg_per_kg_per_day,
)
from isotretinoin_course.models.isotretinoin_pk import FORMULATIONS


def test_mg_per_kg_and_back():
    assert mg_per_kg_per_day(60, 60) == 1.0
    assert daily_dose_mg(0.5, 70) == 35.0


@pytest.mark.parametrize(
    ("target", "weight", "formulation", "morning", "evening"),
    [
        (1.0, 70, "conventional", (40,), (30,)),  # exactly 70 mg
        (1.0, 60, "conventional", (30,), (30,)),  # exactly 60 mg, balanced
        (0.5, 70, "conventional", (20,), (20,)),  # 35 mg: 30 (0.43) and 40 (0.57) are equally far; the one in the usual range wins
        (0.5, 90, "conventional", (30,), (20,)),  # 45 mg: 40 (0.44) and 50 (0.56) tie the same way (review of 04, M2)
        (0.75, 100, "conventional", (40,), (30,)),  # 75 mg: 70 (0.7) and 80 (0.8) both in range; the lower wins
        (0.6, 80, "absorica_ld", (24,), (24,)),  # 48 mg from LD strengths
        (1.0, 100, "conventional", (40, 20), (40,)),  # 100 mg: three capsules beat four balanced ones
    ],
)
def test_build_regimen_uses_real_strengths(target, weight, formulation, morning, evening):
    regimen = build_regimen(target, weight, formulation)
    assert (regimen.morning_mg, regimen.evening_mg) == (morning, evening)
    strengths = set(FORMULATIONS[formulation].strengths_mg)
    assert set(regimen.morning_mg + regimen.evening_mg) <= strengths
    assert regimen.capsules_per_day <= 4


def test_regimen_description():
    assert build_regimen(1.0, 70).describe() == "morning 40 mg, evening 30 mg: 70 mg/day = 1.00 mg/kg/day for 70 kg"


def test_cumulative_dose_and_days_to_target():
    assert cumulative_dose_mg_per_kg([60] * 140, 60) == 140.0
    assert days_to_target(120, 60, 60) == 120
    assert days_to_target(120, 70, 60) == 103  # 7200 mg / 70 mg = 102.9 → day 103
    assert days_to_target(120, 60, 60, already_mg_per_kg=100) == 20
    assert days_to_target(120, 60, 60, already_mg_per_kg=130) == 0


def test_escalation_and_missed_days_delay_the_target():
    phases = [Phase(28, 40), Phase(365, 60)]  # 28 days at 40 mg, then 60 mg
    # 60 kg × 120 mg/kg = 7200 mg; 28 × 40 = 1120 mg; (7200 − 1120) / 60 = 101.3 → 28 + 102 = 130
    assert course_days_to_target(phases, 120, 60) == 130
    assert course_days_to_target(phases, 120, 60, missed_days=7) == 137
    assert course_days_to_target([Phase(10, 60)], 120, 60) == 120  # the last phase continues
    assert course_days_to_target([], 120, 60) is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mg_per_kg_per_day(60, -70), "body weight of -70 kg is outside what is plausible (25–350 kg)"),
        (lambda: mg_per_kg_per_day(60, 0), "body weight of 0 kg is outside what is plausible (25–350 kg)"),
        (lambda: mg_per_kg_per_day(60, 700), "body weight of 700 kg is outside what is plausible (25–350 kg)"),
        (lambda: daily_dose_mg(5, 70), "target dose: 5 mg/kg/day is above the highest dose any US isotretinoin label allows (2 mg/kg/day"),
        (lambda: daily_dose_mg(2.5, 70), "only for adults with very severe, scarring or truncal acne"),
        (lambda: build_regimen(1, 70, rounding="up"), "rounding: 'up' is not one of 'nearest', 'at_least', 'at_most'"),
        (lambda: build_regimen(0.2, 45, rounding="at_most"), "no twice-daily regimen of Conventional capsules"),
        (lambda: build_regimen(1, 70, "syrup"), "formulation: 'syrup' is not one of 'conventional', 'absorica', 'absorica_ld'"),
        (lambda: build_regimen(1, 70, "Absorica"), "did you mean 'absorica'?"),
        (lambda: cumulative_dose_mg_per_kg([60, -20], 60), "daily doses[1] cannot be negative, got -20 mg"),
        (lambda: days_to_target(120, 0, 60), "daily dose of 0 mg is outside what is plausible (8–200 mg)"),
        (lambda: days_to_target(120, 60, 60, already_mg_per_kg=-1), "cannot be negative"),
        (lambda: course_days_to_target([Phase(0, 40)], 120, 60), "Phase days of 0 days is outside what is plausible (1–365 days)"),
        (lambda: course_days_to_target([Phase(10, 40)], 120, 60, missed_days=-2), "missed days cannot be negative"),
        (lambda: mg_per_kg_per_day("sixty", 60), "daily dose: 'sixty' is not a number of mg"),
        (lambda: mg_per_kg_per_day(True, 60), "daily dose: expected a number of mg, got True"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(DosingError) as caught:
        call()
    assert message in str(caught.value)
    assert caught.value.field and caught.value.field in str(caught.value)


def test_calculator_answers_and_refuses_bad_input():
    import re

    from isotretinoin_course.widgets import DosingCalculator

    def text(widget):
        return re.sub("<[^>]+>", " ", widget.result.value)

    calculator = DosingCalculator(weight_kg=60)
    assert "135 days" in text(calculator) and "2026-05-20" in text(calculator)
    calculator.missed.value = "7"
    assert "142 days" in text(calculator)
    for field, typed, message in (("weight", "-60", "Body weight of -60 kg is outside what is plausible (25–350 kg)"),
                                  ("start", "2026-02-30", "is not a date in YYYY-MM-DD form"),
                                  ("missed", "-1", "Missed days cannot be negative, got -1 days"),
                                  ("missed", "2.5", "Missed days: 2.5 is not a whole number"),
                                  ("weight", "1,000", "is ambiguous"),
                                  ("target", "5000", "outside what is plausible (30–300 mg/kg)"),
                                  ("start", "9999-12-01", "Start date: 9999-12-01 is after 2100-12-31"),
                                  ("missed", "²", "Missed days: '²' is not a number of days"),
                                  ("missed", "3000000", "Missed days of 3000000 days is outside what is plausible (0–365 days)")):
        getattr(calculator, field).value = typed
        # the guard shows the refusal and hides the plan that no longer matches what was typed
        assert "Check the input." in calculator.message.value and message in calculator.message.value, (field, calculator.message.value)
        assert calculator.stale and calculator.result.layout.visibility == "hidden"
        getattr(calculator, field).value = {"weight": "60", "start": "2026-01-05", "missed": "0", "target": "120"}[field]
    calculator.formulation.value = "absorica_ld"
    assert "above the label's usual 0.4–0.8 mg/kg/day" in text(calculator)  # 1.0 mg/kg/day from month 2
    assert "up to 1.6 mg/kg/day only for adults" in text(calculator)
    calculator.maintenance.value = "2.5"  # above every label's maximum: refused, not computed
    assert "Check the input." in calculator.message.value and "outside what any US label allows (0.1–2 mg/kg/day)" in calculator.message.value
