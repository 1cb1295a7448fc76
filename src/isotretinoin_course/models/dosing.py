"""Dosing arithmetic: mg/kg/day, regimens built from real capsule strengths, cumulative dose.

Everything here is arithmetic a pharmacist does by hand; the functions exist so
that notebooks, widgets, the synthetic cohort, the capstone and the graded
exercises share one tested implementation. Bad input raises :class:`DosingError`
with a message a student can act on. The usual escalation (a lower dose for the
first month, then the label's usual dose) and the length of one supply are
defined here once, for every module that needs them. Each product's labelled
dose range and ceiling are content (``content/label_dosing.yml``, with their
sources); :meth:`CapsuleRegimen.label_note` says when a regimen falls outside them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..content.label_dosing import LabelDosing, label_dosing
from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_number
from .isotretinoin_pk import FORMULATIONS

MAX_CAPSULES_PER_DOSE = 2
# One dispensing is a month's supply: the most the programmes allow at once (their rule sets hold that
# rule, with its source); the cohort, the calculator and the capstone count courses in these supplies.
SUPPLY_DAYS = 30
# The escalation taught in notebook 04: the UK product information starts at 0.5 mg/kg/day (Roaccutane SmPC
# 4.2); raising it to 1 mg/kg/day after a month is a common pattern (e.g. the NCT02457520 protocol), not a US
# label rule: the US labels give only the 0.5–1 mg/kg/day range.
STARTING_MG_PER_KG_DAY = 0.5
MAINTENANCE_MG_PER_KG_DAY = 1.0
# The cumulative targets notebook 04 discusses (mg/kg over a course); the synthetic cohort draws from them.
CUMULATIVE_TARGETS_MG_PER_KG = (120.0, 150.0)


class DosingError(CourseInputError):
    """Input that cannot describe a real patient or regimen."""


def _positive(name: str, value: object, unit: str, upper: float | None = None) -> float:
    return read_number(value, name, unit=unit, positive=True, maximum=upper,
                       range_note="what is plausible for a patient" if upper is not None else "", error=DosingError)


def check_weight(weight_kg: object) -> float:
    """A body weight in kg, refused if it cannot be a patient's."""
    return _positive("body weight", weight_kg, "kg", upper=350)


def mg_per_kg_per_day(daily_dose_mg: float, weight_kg: float) -> float:
    """Daily dose normalised to body weight."""
    return _positive("daily dose", daily_dose_mg, "mg") / check_weight(weight_kg)


def label_ceiling_mg_per_kg_day() -> float:
    """The highest daily dose any US label allows (2 mg/kg/day, for particular adults only): above it a
    target is refused as a likely slip rather than computed."""
    return max(product.maximum_mg_per_kg_day for product in label_dosing().values())


def daily_dose_mg(target_mg_per_kg: float, weight_kg: float) -> float:
    """The exact daily dose for a target in mg/kg/day (before rounding to capsules).

    A target above every label's maximum is refused with a message; one above a product's usual range is
    computed, and :meth:`CapsuleRegimen.label_note` flags it.
    """
    ceiling = label_ceiling_mg_per_kg_day()
    target = read_number(target_mg_per_kg, "target dose", unit="mg/kg/day", positive=True, error=DosingError)
    if target > ceiling:
        raise DosingError("target dose", target_mg_per_kg, f"at most {ceiling:g} mg/kg/day",
                          message=f"target dose: {target:g} mg/kg/day is above the highest dose any US isotretinoin label allows "
                                  f"({ceiling:g} mg/kg/day, and that only for adults with very severe, scarring or truncal acne); "
                                  "the usual range is 0.5–1 mg/kg/day: check the number")
    return target * check_weight(weight_kg)


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

    @property
    def label(self) -> LabelDosing:
        """What the product's US label says about the daily dose."""
        return label_dosing()[self.formulation]

    def label_note(self) -> str:
        """Empty inside the label's usual range; otherwise a sentence a pharmacist would act on."""
        label, dose = self.label, round(self.mg_per_kg_per_day, 2)
        low, high = label.usual_mg_per_kg_day
        if dose > label.maximum_mg_per_kg_day:
            return (f"{dose:.2f} mg/kg/day is above the label's maximum of {label.maximum_mg_per_kg_day:g} mg/kg/day: "
                    "query the prescription with the prescriber")
        if dose > high:
            return (f"{dose:.2f} mg/kg/day is above the label's usual {low:g}–{high:g} mg/kg/day; the label allows up to "
                    f"{label.maximum_mg_per_kg_day:g} mg/kg/day only for {label.maximum_for}: check with the prescriber that this is intended")
        if dose < low:
            return f"{dose:.2f} mg/kg/day is below the label's usual {low:g}–{high:g} mg/kg/day: check that this is intended"
        return ""

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


ROUNDINGS = ("nearest", "at_least", "at_most")


def build_regimen(target_mg_per_kg: float, weight_kg: float, formulation: str = "conventional", rounding: str = "nearest") -> CapsuleRegimen:
    """The twice-daily regimen from real capsule strengths closest to a target mg/kg/day.

    Always two doses a day, as the US labels give the dose (the UK product information also allows once
    daily). ``rounding`` chooses among the regimens: ``"nearest"`` the closest (it may fall just outside the
    label's range: :meth:`CapsuleRegimen.label_note`), ``"at_least"`` the lowest that reaches the target
    (e.g. to stay inside the range from below), ``"at_most"`` the highest that does not exceed it. Ties
    are broken towards the lower daily dose (the conservative rounding), then fewer capsules, then equal
    morning and evening doses (simple regimens are taken more reliably); when doses differ, the larger is
    in the morning.
    """
    formulation = read_choice(formulation, "formulation", FORMULATIONS, error=DosingError)
    rounding = read_choice(rounding, "rounding", ROUNDINGS, error=DosingError)
    weight = check_weight(weight_kg)
    target_daily = daily_dose_mg(target_mg_per_kg, weight)
    doses = _single_doses(FORMULATIONS[formulation].strengths_mg)
    pairs = [(morning, evening) for morning in doses for evening in doses if sum(morning) >= sum(evening)]
    if rounding == "at_least":
        pairs = [pair for pair in pairs if sum(pair[0]) + sum(pair[1]) >= target_daily - 1e-9]
    elif rounding == "at_most":
        pairs = [pair for pair in pairs if sum(pair[0]) + sum(pair[1]) <= target_daily + 1e-9]
    if not pairs:
        largest = 2 * MAX_CAPSULES_PER_DOSE * max(FORMULATIONS[formulation].strengths_mg)
        raise DosingError(f"no twice-daily regimen of {FORMULATIONS[formulation].name} is "
                          f"{'at least' if rounding == 'at_least' else 'at most'} {target_daily:g} mg/day "
                          f"(the regimens run from {2 * min(FORMULATIONS[formulation].strengths_mg):g} to {largest:g} mg/day)")
    best = min(
        pairs,
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
        total += read_number(dose, f"day {day}: daily dose", unit="mg", minimum=0, error=DosingError)
    return total / weight


def days_to_target(target_mg_per_kg: float, daily_dose: float, weight_kg: float, already_mg_per_kg: float = 0.0) -> int:
    """Whole days of treatment to reach a cumulative target, at a constant daily dose."""
    target = _positive("cumulative target", target_mg_per_kg, "mg/kg", upper=1000)
    already_mg_per_kg = read_number(already_mg_per_kg, "the cumulative dose so far", unit="mg/kg", minimum=0, error=DosingError)
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
    missed_days = read_number(missed_days, "missed days", minimum=0, integer=True, error=DosingError)
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


def daily_doses(dispensing: pd.DataFrame, patient_id: str) -> pd.Series:
    """Daily dose in mg on each calendar day, from what was collected (uncollected prescriptions add nothing).

    ``dispensing`` is the cohort's dispensing table. A new supply is started when the previous one runs
    out, so supplies collected a few days early are not counted twice.
    """
    rows = dispensing[(dispensing["patient_id"] == patient_id) & dispensing["pickup_date"].notna()].sort_values("pickup_date")
    if rows.empty:
        raise DosingError(f"no collected dispensing for {patient_id}")
    # Whole supplies at a time (a day at a time cost the patient explorer a tenth of its update): each supply starts
    # on its collection day or the day after the previous one ends, whichever is later, so supplies never overlap.
    supplies, next_free = [], rows["pickup_date"].iloc[0]
    for pickup, days_supply, daily_mg in zip(rows["pickup_date"], rows["days_supply"].astype(int), rows["daily_dose_mg"].astype(float)):
        first_day = max(pickup, next_free)
        if days_supply > 0:
            supplies.append((first_day, days_supply, daily_mg))
        next_free = first_day + pd.Timedelta(days=days_supply)
    if not supplies:
        raise DosingError(f"no collected dispensing for {patient_id}")
    start = supplies[0][0]
    doses = np.zeros((supplies[-1][0] - start).days + supplies[-1][1])
    for first_day, days_supply, daily_mg in supplies:
        offset = (first_day - start).days
        doses[offset:offset + days_supply] = daily_mg
    return pd.Series(doses, index=pd.date_range(start, periods=len(doses), freq="D", unit="us"))  # the unit the day-by-day version gave
