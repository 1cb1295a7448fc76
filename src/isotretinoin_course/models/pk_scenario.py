"""A PK simulator scenario and the exposure figures reported for it (notebook 03's simulator, without the widget).

A :class:`Scenario` is what the student chose (formulation, meal, dose, schedule, weight, course length,
missed doses), read from typed text by :func:`scenario_from_inputs` with the course's readers;
:func:`exposure` computes the figures the simulator reports from a simulation of
:mod:`pharmacokinetics` with the parameters of :mod:`isotretinoin_pk`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_number
from .isotretinoin_pk import FORMULATIONS, MEALS, model_for
from .pharmacokinetics import HOURS_PER_DAY, OralModel, Regimen, Simulation, accumulation_ratio, fraction_remaining

SCHEDULES = {"twice daily": 12.0, "once daily": 24.0}
LIMITS = {"dose_mg": (1.0, 200.0), "weight_kg": (20.0, 250.0), "days": (1.0, 365.0)}
WASHOUT_DAYS = 35.0
ONE_MONTH_DAYS = 30.0


class SimulatorInputError(CourseInputError):
    """What a student typed into the PK simulator cannot make a scenario."""


@dataclass(frozen=True)
class Scenario:
    formulation: str
    meal: str
    dose_mg: float
    interval_h: float
    weight_kg: float
    days: float
    missed: frozenset[int]
    show_metabolite: bool = True

    @property
    def model(self) -> OralModel:
        return model_for(self.formulation, self.meal, with_metabolite=self.show_metabolite)

    @property
    def regimen(self) -> Regimen:
        return Regimen(self.dose_mg, self.interval_h, self.days, self.missed)


def _number(text: object, label: str, unit: str) -> float:
    name = {"dose_mg": "Dose", "weight_kg": "Body weight", "days": "Course length"}[label]
    low, high = LIMITS[label]
    return read_number(text, name, unit=unit, positive=True, minimum=low, maximum=high, range_note="what this simulator covers",
                       error=SimulatorInputError)


def parse_missed(text: str, scheduled: int) -> frozenset[int]:
    """Read missed doses typed as ``"3, 8-10"`` (1-based dose numbers; ranges allowed)."""
    numbers: set[int] = set()
    for part in filter(None, (piece.strip() for piece in re.split(r"[,;\s]+", text or ""))):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise SimulatorInputError(f"Missed doses: '{part}' is not a dose number or a range like 8-10.")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first > last:
            raise SimulatorInputError(f"Missed doses: the range {part} runs backwards.")
        if first < 1 or last > scheduled:
            raise SimulatorInputError(f"Missed doses: {part} is outside doses 1 to {scheduled} of this course.")
        numbers.update(range(first, last + 1))
    if len(numbers) >= scheduled:
        raise SimulatorInputError("Missed doses: at least one dose must be taken.")
    return frozenset(numbers)


def scenario_from_inputs(
    formulation: str, meal: str, dose: object, schedule: str, weight: object, days: object, missed: str, show_metabolite: bool = True
) -> Scenario:
    """Turn what the student typed into a :class:`Scenario`, or raise :class:`SimulatorInputError`."""
    formulation = read_choice(formulation, "Formulation", FORMULATIONS, error=SimulatorInputError)
    meal = read_choice(meal, "Taken", MEALS, error=SimulatorInputError)
    schedule = read_choice(schedule, "Schedule", SCHEDULES, error=SimulatorInputError)
    dose_mg = _number(dose, "dose_mg", "mg")
    weight_kg = _number(weight, "weight_kg", "kg")
    course_days = _number(days, "days", "days")
    interval_h = SCHEDULES[schedule]
    scheduled = int(math.floor(course_days * HOURS_PER_DAY / interval_h + 1e-9))
    return Scenario(formulation, meal, dose_mg, interval_h, weight_kg, course_days, parse_missed(missed, scheduled), show_metabolite)


@dataclass(frozen=True)
class Exposure:
    """The figures the simulator reports for one scenario."""

    daily_dose_mg: float
    mg_per_kg_day: float
    doses_taken: int
    doses_scheduled: int
    peak_ng_ml: float
    trough_ng_ml: float
    average_ng_ml: float
    auc_per_day_ng_h_ml: float
    accumulation_ratio: float
    days_to_90_percent: float
    percent_left_after_month: float
    days_to_one_percent: float


def exposure(scenario: Scenario, simulation: Simulation) -> Exposure:
    """Exposure over the last full day of dosing, plus the closed-form accumulation and washout figures."""
    model, regimen = scenario.model, scenario.regimen
    end_h = regimen.days * HOURS_PER_DAY
    window = (simulation.times_h >= end_h - HOURS_PER_DAY) & (simulation.times_h <= end_h)
    times, values = simulation.times_h[window], simulation.parent_ng_ml[window]
    auc_day = float(((values[1:] + values[:-1]) / 2 * (times[1:] - times[:-1])).sum())
    ke = model.ke_per_h
    return Exposure(
        daily_dose_mg=regimen.daily_dose_mg,
        mg_per_kg_day=regimen.daily_dose_mg / scenario.weight_kg,
        doses_taken=int(simulation.dose_times_h.size),
        doses_scheduled=regimen.scheduled_doses,
        peak_ng_ml=float(values.max()),
        trough_ng_ml=float(values.min()),
        average_ng_ml=auc_day / HOURS_PER_DAY,
        auc_per_day_ng_h_ml=auc_day,
        accumulation_ratio=accumulation_ratio(model.half_life_h, regimen.interval_h),
        days_to_90_percent=math.log(10) / ke / HOURS_PER_DAY,
        percent_left_after_month=100 * fraction_remaining(model.half_life_h, ONE_MONTH_DAYS * HOURS_PER_DAY),
        days_to_one_percent=math.log(100) / ke / HOURS_PER_DAY,
    )
