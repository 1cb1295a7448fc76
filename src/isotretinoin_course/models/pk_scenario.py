"""A PK simulator scenario and the exposure figures reported for it (notebook 03's simulator, without the widget).

A :class:`Scenario` is what the student chose (formulation, meal, dose, schedule, weight, course length, missed
doses, elimination scenario), read from typed text by :func:`scenario_from_inputs` with the course's readers and
the plausible ranges of ``content/plausible_ranges.yml``; :func:`exposure` computes the figures the simulator
reports from a simulation of :mod:`pharmacokinetics` with the parameters of :mod:`isotretinoin_pk`, using the
model's closed forms for accumulation, steady state and washout.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..core.inputs import checked_arguments
from ..content.ranges import read_plausible
from ..core.errors import CourseInputError
from ..core.inputs import read_bool, read_choice, read_number
from .isotretinoin_pk import ELIMINATORS, FORMULATIONS, MEALS, model_for
from .pharmacokinetics import (
    HOURS_PER_DAY,
    OralModel,
    Regimen,
    Simulation,
    auc_accumulation_ratio,
    doses_to_steady_state,
    levels_after_course_ng_ml,
    time_to_fall_h,
)

SCHEDULES = {"twice daily": 12.0, "once daily": 24.0}
WASHOUT_DAYS = 35.0
ONE_MONTH_DAYS = 30.0
STEP_H = 0.25


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
    eliminator: str = "typical"

    @property
    def model(self) -> OralModel:
        return model_for(self.formulation, self.meal, with_metabolite=self.show_metabolite, eliminator=self.eliminator)

    @property
    def regimen(self) -> Regimen:
        return Regimen(self.dose_mg, self.interval_h, self.days, self.missed)

    @property
    def schedule(self) -> str:
        return next(name for name, hours in SCHEDULES.items() if hours == self.interval_h)


@checked_arguments
def parse_missed(text: str, scheduled: int) -> frozenset[int]:
    """Read missed doses typed as ``"3, 8-10"`` (1-based dose numbers; ranges allowed)."""
    if not isinstance(text, str):
        raise SimulatorInputError("Missed doses", text, "dose numbers such as 3, 8-10", message=f"Missed doses: expected text such as '3, 8-10', got {text!r}")
    scheduled = read_number(scheduled, "scheduled", unit="doses", minimum=1, maximum=10_000, integer=True, error=SimulatorInputError)
    numbers: set[int] = set()
    for part in filter(None, (piece.strip() for piece in re.split(r"[,;\s]+", text))):
        match = re.fullmatch(r"(\d{1,6})(?:-(\d{1,6}))?", part)
        if not match and re.fullmatch(r"\d+(-\d+)?", part):
            raise SimulatorInputError("Missed doses", part, f"doses 1 to {scheduled}", message=f"Missed doses: {part[:12]}… is outside doses 1 to {scheduled} of this course.")
        if not match:
            raise SimulatorInputError("Missed doses", part, "a dose number or a range", message=f"Missed doses: '{part}' is not a dose number or a range like 8-10.")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first > last:
            raise SimulatorInputError("Missed doses", part, "a range from low to high", message=f"Missed doses: the range {part} runs backwards.")
        if first < 1 or last > scheduled:
            raise SimulatorInputError("Missed doses", part, f"doses 1 to {scheduled}", message=f"Missed doses: {part} is outside doses 1 to {scheduled} of this course.")
        numbers.update(range(first, last + 1))
    if len(numbers) >= scheduled:
        raise SimulatorInputError("Missed doses", text, "fewer than every dose", message="Missed doses: at least one dose must be taken.")
    return frozenset(numbers)


@checked_arguments
def scenario_from_inputs(formulation: str, meal: str, dose: object, schedule: str, weight: object, days: object, missed: str,
                         show_metabolite: bool = True, eliminator: str = "typical") -> Scenario:
    """Turn what the student typed into a :class:`Scenario`, or raise :class:`SimulatorInputError` naming the field."""
    formulation = read_choice(formulation, "Formulation", FORMULATIONS, error=SimulatorInputError)
    meal = read_choice(meal, "Taken", MEALS, error=SimulatorInputError)
    schedule = read_choice(schedule, "Schedule", SCHEDULES, error=SimulatorInputError)
    elimination = read_choice(eliminator, "Elimination", ELIMINATORS, error=SimulatorInputError)
    metabolite = read_bool(show_metabolite, "Show 4-oxo-isotretinoin", error=SimulatorInputError)
    dose_mg = read_number(dose, "Dose", unit="mg", positive=True, error=SimulatorInputError)
    interval_h = SCHEDULES[schedule]
    daily = dose_mg * HOURS_PER_DAY / interval_h
    read_plausible(daily, f"Daily dose ({dose_mg:g} mg {schedule})", "daily_dose_mg", error=SimulatorInputError)
    weight_kg = read_plausible(weight, "Body weight", "weight_kg", error=SimulatorInputError)
    course_days = read_plausible(days, "Course length", "course_days", error=SimulatorInputError)
    scheduled = int(math.floor(course_days * HOURS_PER_DAY / interval_h + 1e-9))
    if scheduled < 1:
        raise SimulatorInputError("Course length", days, "at least one dosing interval",
                                  message=f"Course length: {course_days:g} days is shorter than one dose interval ({interval_h:g} h)")
    return Scenario(formulation, meal, dose_mg, interval_h, float(weight_kg), float(course_days), parse_missed(missed, scheduled), metabolite, elimination)


@dataclass(frozen=True)
class Exposure:
    """The figures the simulator reports for one scenario."""

    daily_dose_mg: float
    mg_per_kg_day: float
    doses_taken: int
    doses_scheduled: int
    peak_ng_ml: float
    lowest_ng_ml: float  # the lowest level of the last day of dosing
    lowest_after_dose_h: float  # how long after a dose that lowest level comes (later than 0 when absorption starts late)
    predose_ng_ml: float  # the level when the next dose was due after the last one taken ("at stopping" in notebook 03)
    average_ng_ml: float
    auc_per_day_ng_h_ml: float
    accumulation_ratio: float
    days_to_90_percent: float
    percent_left_after_month: float
    parent_after_month_ng_ml: float
    days_to_one_percent: float


@checked_arguments
def exposure(scenario: Scenario, simulation: Simulation) -> Exposure:
    """Exposure over the last full day of dosing, plus the model's closed-form accumulation, steady-state and washout figures."""
    model, regimen = scenario.model, scenario.regimen
    end_h = regimen.days * HOURS_PER_DAY
    first, last = np.searchsorted(simulation.times_h, [end_h - HOURS_PER_DAY - 1e-9, end_h + 1e-9])
    times, values = simulation.times_h[first:last], simulation.parent_ng_ml[first:last]
    auc_day = float(((values[1:] + values[:-1]) / 2 * (times[1:] - times[:-1])).sum())
    lowest_at = int(values.argmin())
    taken = simulation.dose_times_h
    previous_doses = taken[taken <= times[lowest_at] + 1e-9]
    # With a food delay the lowest level of the day comes after a dose, before its absorption starts; without a
    # dose on the last day (all missed) it is measured from the start of that day.
    lowest_after = float(times[lowest_at] - previous_doses[-1]) if previous_doses.size else float(times[lowest_at] - times[0])
    at_stop, after_month = levels_after_course_ng_ml(model, regimen, scenario.weight_kg, ONE_MONTH_DAYS)
    return Exposure(
        daily_dose_mg=regimen.daily_dose_mg,
        mg_per_kg_day=regimen.daily_dose_mg / scenario.weight_kg,
        doses_taken=int(simulation.dose_times_h.size),
        doses_scheduled=regimen.scheduled_doses,
        peak_ng_ml=float(values.max()),
        lowest_ng_ml=float(values[lowest_at]),
        lowest_after_dose_h=lowest_after,
        predose_ng_ml=at_stop,
        average_ng_ml=auc_day / (times[-1] - times[0]),
        auc_per_day_ng_h_ml=auc_day,
        accumulation_ratio=auc_accumulation_ratio(model, regimen.interval_h),
        days_to_90_percent=doses_to_steady_state(model, regimen.interval_h, 0.9) * regimen.interval_h / HOURS_PER_DAY,
        percent_left_after_month=100 * after_month / at_stop,
        parent_after_month_ng_ml=after_month,
        days_to_one_percent=time_to_fall_h(model, regimen, scenario.weight_kg, 0.01) / HOURS_PER_DAY,
    )
