"""Dosing arithmetic: mg/kg/day, regimens built from real capsule strengths, cumulative dose.

Everything here is arithmetic a pharmacist does by hand; the functions exist so
that notebooks, widgets, the synthetic cohort and the graded exercises share one
tested implementation. Bad input raises :class:`DosingError` with a message a
student can act on.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from .isotretinoin_pk import FORMULATIONS

MAX_CAPSULES_PER_DOSE = 2


class DosingError(ValueError):
    """Input that cannot describe a real patient or regimen."""


def _positive(name: str, value: object, unit: str, upper: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DosingError(f"{name} must be a number of {unit}, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise DosingError(f"{name} must be a positive number of {unit}, got {number:g}")
    if upper is not None and number > upper:
        raise DosingError(f"{name} of {number:g} {unit} is not plausible (above {upper:g} {unit}); check the value")
    return number


def check_weight(weight_kg: object) -> float:
    """A body weight in kg, refused if it cannot be a patient's."""
    return _positive("body weight", weight_kg, "kg", upper=350)


def mg_per_kg_per_day(daily_dose_mg: float, weight_kg: float) -> float:
    """Daily dose normalised to body weight."""
    return _positive("daily dose", daily_dose_mg, "mg") / check_weight(weight_kg)


def daily_dose_mg(target_mg_per_kg: float, weight_kg: float) -> float:
    """The exact daily dose for a target in mg/kg/day (before rounding to capsules)."""
    return _positive("target dose", target_mg_per_kg, "mg/kg/day", upper=3) * check_weight(weight_kg)


@dataclass(frozen=True)
class CapsuleRegimen:
    """Two doses a day, each made of one or two capsules of the product's strengths."""

    formulation: str
    morning_mg: tuple[float, ...]
    evening_mg: tuple[float, ...]
    weight_kg: float

    @property
    def daily_mg(self) -> float:
        return sum(self.morning_mg) + sum(self.evening_mg)

    @property
    def mg_per_kg_per_day(self) -> float:
        return self.daily_mg / self.weight_kg

    @property
    def capsules_per_day(self) -> int:
        return len(self.morning_mg) + len(self.evening_mg)

    def describe(self) -> str:
        def dose(capsules: tuple[float, ...]) -> str:
            return " + ".join(f"{mg:g} mg" for mg in capsules)

        return (
            f"morning {dose(self.morning_mg)}, evening {dose(self.evening_mg)}: {self.daily_mg:g} mg/day "
            f"= {self.mg_per_kg_per_day:.2f} mg/kg/day for {self.weight_kg:g} kg"
        )


def _single_doses(strengths: Sequence[float]) -> list[tuple[float, ...]]:
    """Every way to make one dose from one or two capsules."""
    doses = [(strength,) for strength in strengths]
    doses += [pair for pair in itertools.combinations_with_replacement(sorted(strengths), MAX_CAPSULES_PER_DOSE)]
    return doses


def build_regimen(target_mg_per_kg: float, weight_kg: float, formulation: str = "conventional") -> CapsuleRegimen:
    """The twice-daily regimen from real capsule strengths closest to a target mg/kg/day.

    Ties are broken towards the lower daily dose (the conservative rounding),
    then fewer capsules, then equal morning and evening doses (simple regimens
    are taken more reliably); when doses differ, the larger is in the morning.
    """
    if formulation not in FORMULATIONS:
        raise DosingError(f"unknown formulation {formulation!r}; choose one of {', '.join(FORMULATIONS)}")
    weight = check_weight(weight_kg)
    target_daily = daily_dose_mg(target_mg_per_kg, weight)
    doses = _single_doses(FORMULATIONS[formulation].strengths_mg)
    best = min(
        ((morning, evening) for morning in doses for evening in doses if sum(morning) >= sum(evening)),
        key=lambda pair: (
            round(abs(sum(pair[0]) + sum(pair[1]) - target_daily), 6),
            sum(pair[0]) + sum(pair[1]),
            len(pair[0]) + len(pair[1]),
            sum(pair[0]) - sum(pair[1]),
        ),
    )
    return CapsuleRegimen(formulation, tuple(sorted(best[0], reverse=True)), tuple(sorted(best[1], reverse=True)), weight)


def cumulative_dose_mg_per_kg(daily_doses_mg: Iterable[float], weight_kg: float) -> float:
    """Total dose taken over a course, per kg of body weight."""
    weight = check_weight(weight_kg)
    total = 0.0
    for day, dose in enumerate(daily_doses_mg, 1):
        if isinstance(dose, bool) or not isinstance(dose, (int, float)) or not math.isfinite(dose) or dose < 0:
            raise DosingError(f"day {day}: a daily dose must be zero or a positive number of mg, got {dose!r}")
        total += dose
    return total / weight


def days_to_target(target_mg_per_kg: float, daily_dose: float, weight_kg: float, already_mg_per_kg: float = 0.0) -> int:
    """Whole days of treatment to reach a cumulative target, at a constant daily dose."""
    target = _positive("cumulative target", target_mg_per_kg, "mg/kg", upper=1000)
    if already_mg_per_kg < 0:
        raise DosingError(f"the cumulative dose so far cannot be negative, got {already_mg_per_kg:g} mg/kg")
    remaining_mg = max(0.0, target - already_mg_per_kg) * check_weight(weight_kg)
    return math.ceil(remaining_mg / _positive("daily dose", daily_dose, "mg") - 1e-9)


@dataclass(frozen=True)
class Phase:
    """A stretch of a course at one daily dose (for escalation schedules)."""

    days: int
    daily_mg: float


def course_days_to_target(phases: Sequence[Phase], target_mg_per_kg: float, weight_kg: float, missed_days: int = 0) -> int | None:
    """Day on which the cumulative target is reached following ``phases`` (the last phase continues).

    Each missed day delays the target by one day at the dose of the day it was
    missed in; here missed days are taken from the final phase, which is what
    matters when the question is "how much longer?". Returns ``None`` if there
    are no phases.
    """
    if not phases:
        return None
    if missed_days < 0:
        raise DosingError(f"missed days cannot be negative, got {missed_days}")
    target_mg = _positive("cumulative target", target_mg_per_kg, "mg/kg", upper=1000) * check_weight(weight_kg)
    total, day = 0.0, 0
    for phase in phases:
        if phase.days <= 0:
            raise DosingError(f"a phase must last at least one day, got {phase.days}")
        _positive("daily dose", phase.daily_mg, "mg")
        if total + phase.days * phase.daily_mg >= target_mg - 1e-9:
            return day + math.ceil((target_mg - total) / phase.daily_mg - 1e-9) + missed_days
        total += phase.days * phase.daily_mg
        day += phase.days
    return day + math.ceil((target_mg - total) / phases[-1].daily_mg - 1e-9) + missed_days
