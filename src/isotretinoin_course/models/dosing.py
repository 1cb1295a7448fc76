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

from ..core.inputs import checked_arguments
from ..content.label_dosing import LabelDosing, label_dosing
from ..content.ranges import plausible_range, read_plausible
from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_frame, read_instance, read_number, read_sequence
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


def _plausible(value: object, field: str, quantity: str, *, integer: bool = False) -> float:
    """``value`` within the plausible range of ``quantity`` (``content/plausible_ranges.yml``), or a DosingError."""
    return read_plausible(value, field, quantity, integer=integer, error=DosingError)


@checked_arguments
def check_weight(weight_kg: object) -> float:
    """A body weight in kg, refused if it cannot be a patient's (the plausible range of ``weight_kg``)."""
    return float(_plausible(weight_kg, "body weight", "weight_kg"))


@checked_arguments
def mg_per_kg_per_day(daily_dose_mg: float, weight_kg: float) -> float:
    """Daily dose normalised to body weight."""
    return _plausible(daily_dose_mg, "daily dose", "daily_dose_mg") / check_weight(weight_kg)


def label_ceiling_mg_per_kg_day() -> float:
    """The highest daily dose any US label allows (2 mg/kg/day, for particular adults only): above it a
    target is refused as a likely slip rather than computed."""
    return max(product.maximum_mg_per_kg_day for product in label_dosing().values())


@checked_arguments
def daily_dose_mg(target_mg_per_kg: float, weight_kg: float) -> float:
    """The exact daily dose for a target in mg/kg/day (before rounding to capsules).

    A target above every label's maximum is refused with a message; one above a product's usual range is
    computed, and :meth:`CapsuleRegimen.label_note` flags it.
    """
    return _target_dose(target_mg_per_kg) * check_weight(weight_kg)


def _target_dose(target_mg_per_kg: object, field: str = "target dose") -> float:
    """A daily dose per kg within the plausible range; above every label's maximum, a message that says so."""
    ceiling = label_ceiling_mg_per_kg_day()
    target = read_number(target_mg_per_kg, field, unit="mg/kg/day", positive=True, error=DosingError)
    if target > ceiling:
        raise DosingError("target dose", target_mg_per_kg, f"at most {ceiling:g} mg/kg/day",
                          message=f"target dose: {target:g} mg/kg/day is above the highest dose any US isotretinoin label allows "
                                  f"({ceiling:g} mg/kg/day, and that only for adults with very severe, scarring or truncal acne); "
                                  "the usual range is 0.5–1 mg/kg/day: check the number")
    return float(_plausible(target, field, "dose_mg_per_kg_day"))


@dataclass(frozen=True)
class CapsuleRegimen:
    """Two doses a day, each made of one or two capsules of the product's strengths."""

    formulation: str
    morning_mg: tuple[float, ...]
    evening_mg: tuple[float, ...]
    weight_kg: float
    target_mg_per_kg_day: float | None = None  # the dose asked for, when the regimen was built for one

    def __post_init__(self) -> None:
        formulation = read_choice(self.formulation, "formulation", FORMULATIONS, error=DosingError)
        strengths = FORMULATIONS[formulation].strengths_mg

        def dose(value: object, field: str) -> tuple[float, ...]:
            capsules = read_sequence(value, field, lambda mg, where: _strength(mg, where, strengths), error=DosingError)
            if not 1 <= len(capsules) <= MAX_CAPSULES_PER_DOSE:
                raise DosingError(field, value, f"1 to {MAX_CAPSULES_PER_DOSE} capsules",
                                  message=f"{field}: a dose is 1 to {MAX_CAPSULES_PER_DOSE} capsules, got {len(capsules)}")
            return tuple(capsules)

        object.__setattr__(self, "formulation", formulation)
        object.__setattr__(self, "morning_mg", dose(self.morning_mg, "morning_mg"))
        object.__setattr__(self, "evening_mg", dose(self.evening_mg, "evening_mg"))
        object.__setattr__(self, "weight_kg", check_weight(self.weight_kg))
        if self.target_mg_per_kg_day is not None:
            object.__setattr__(self, "target_mg_per_kg_day", _target_dose(self.target_mg_per_kg_day, "target_mg_per_kg_day"))

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

    def target_note(self) -> str:
        """Empty when the capsules can make the dose asked for (to within rounding); otherwise why they cannot."""
        if self.target_mg_per_kg_day is None:
            return ""
        asked = self.target_mg_per_kg_day * self.weight_kg
        smallest, largest = regimen_limits_mg(self.formulation)
        if smallest - 1e-9 <= asked <= largest + 1e-9:
            return ""
        bound, word = (smallest, "lowest") if asked < smallest else (largest, "highest")
        return (f"the capsules cannot reach the {self.target_mg_per_kg_day:g} mg/kg/day asked for ({asked:.0f} mg/day for {self.weight_kg:g} kg): "
                f"the {word} twice-daily regimen of {FORMULATIONS[self.formulation].name} is {bound:g} mg/day, "
                f"{bound / self.weight_kg:.2f} mg/kg/day")

    def describe(self) -> str:
        def dose(capsules: tuple[float, ...]) -> str:
            return " + ".join(f"{mg:g} mg" for mg in capsules)

        text = (
            f"morning {dose(self.morning_mg)}, evening {dose(self.evening_mg)}: {self.daily_mg:g} mg/day "
            f"= {self.mg_per_kg_per_day:.2f} mg/kg/day for {self.weight_kg:g} kg"
        )
        return f"{text} ({self.target_note()})" if self.target_note() else text


def _strength(value: object, field: str, strengths: Sequence[float]) -> float:
    mg = read_number(value, field, unit="mg", positive=True, error=DosingError)
    if mg not in strengths:
        raise DosingError(field, value, f"a capsule strength ({', '.join(f'{s:g}' for s in strengths)} mg)",
                          message=f"{field}: {mg:g} mg is not a capsule strength of this product ({', '.join(f'{s:g}' for s in strengths)} mg)")
    return mg


@checked_arguments
def regimen_limits_mg(formulation: str) -> tuple[float, float]:
    """The lowest and highest daily dose a twice-daily regimen of the product's capsules can make (one or two capsules a dose)."""
    strengths = FORMULATIONS[read_choice(formulation, "formulation", FORMULATIONS, error=DosingError)].strengths_mg
    return 2 * min(strengths), 2 * MAX_CAPSULES_PER_DOSE * max(strengths)


def _single_doses(strengths: Sequence[float]) -> list[tuple[float, ...]]:
    """Every way to make one dose from one or two capsules."""
    doses = [(strength,) for strength in strengths]
    doses += [pair for pair in itertools.combinations_with_replacement(sorted(strengths), MAX_CAPSULES_PER_DOSE)]
    return doses


ROUNDINGS = ("nearest", "at_least", "at_most")


@checked_arguments
def build_regimen(target_mg_per_kg: float, weight_kg: float, formulation: str = "conventional", rounding: str = "nearest") -> CapsuleRegimen:
    """The twice-daily regimen from real capsule strengths closest to a target mg/kg/day.

    Always two doses a day, as the US labels give the dose (the UK product information also allows once
    daily). When no regimen can make the dose asked for (a very low dose for a light patient, a high one for a heavy
    patient), the nearest is returned and :meth:`CapsuleRegimen.target_note` (and ``describe()``) says so. ``rounding`` chooses among the regimens: ``"nearest"`` the closest (it may fall just outside the
    label's range: :meth:`CapsuleRegimen.label_note`), ``"at_least"`` the lowest that reaches the target
    (e.g. to stay inside the range from below), ``"at_most"`` the highest that does not exceed it. Ties
    are broken towards the regimen inside the label's usual range (at 90 kg and 0.5 mg/kg/day, 50 mg rather than
    40 mg, which would be 0.44), then the lower daily dose (the conservative rounding), then fewer capsules, then equal
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
        smallest, largest = regimen_limits_mg(formulation)
        raise DosingError("rounding", rounding, "'nearest', or a dose the capsules can reach",
                          message=f"rounding: no twice-daily regimen of {FORMULATIONS[formulation].name} is "
                                  f"{'at least' if rounding == 'at_least' else 'at most'} {target_daily:g} mg/day "
                                  f"(the regimens run from {smallest:g} to {largest:g} mg/day); use rounding='nearest'")
    low, high = label_dosing()[formulation].usual_mg_per_kg_day

    def outside_usual_range(pair: tuple[tuple[float, ...], tuple[float, ...]]) -> bool:
        return not low - 1e-9 <= round((sum(pair[0]) + sum(pair[1])) / weight, 2) <= high + 1e-9

    best = min(
        pairs,
        key=lambda pair: (
            round(abs(sum(pair[0]) + sum(pair[1]) - target_daily), 6),
            outside_usual_range(pair),  # of two equally close regimens, the one inside the label's usual range
            sum(pair[0]) + sum(pair[1]),
            len(pair[0]) + len(pair[1]),
            sum(pair[0]) - sum(pair[1]),
        ),
    )
    return CapsuleRegimen(formulation, tuple(sorted(best[0], reverse=True)), tuple(sorted(best[1], reverse=True)), weight,
                          target_daily / weight)


@checked_arguments
def cumulative_dose_mg_per_kg(daily_doses_mg: Iterable[float], weight_kg: float) -> float:
    """Total dose taken over a course, per kg of body weight: ``daily_doses_mg`` is one dose per day (0 on a missed day)."""
    weight = check_weight(weight_kg)
    most = plausible_range("daily_dose_mg").maximum
    doses = read_sequence(daily_doses_mg, "daily doses", lambda dose, where: read_number(dose, where, unit="mg", minimum=0, maximum=most,
                                                                                         range_note="what is plausible for one day",
                                                                                         error=DosingError), error=DosingError)
    return sum(doses) / weight


@checked_arguments
def days_to_target(target_mg_per_kg: float, daily_dose: float, weight_kg: float, already_mg_per_kg: float = 0.0) -> int:
    """Whole days of treatment to reach a cumulative target, at a constant daily dose."""
    target = _plausible(target_mg_per_kg, "cumulative target", "cumulative_target_mg_per_kg")
    already = read_number(already_mg_per_kg, "the cumulative dose so far", unit="mg/kg", minimum=0,
                          maximum=plausible_range("cumulative_target_mg_per_kg").maximum, range_note="what is plausible", error=DosingError)
    remaining_mg = max(0.0, target - already) * check_weight(weight_kg)
    return max(0, math.ceil(remaining_mg / _plausible(daily_dose, "daily dose", "daily_dose_mg") - 1e-9))


@dataclass(frozen=True)
class Phase:
    """A stretch of a course at one daily dose (for escalation schedules)."""

    days: int
    daily_mg: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", int(_plausible(self.days, "Phase days", "course_days", integer=True)))
        object.__setattr__(self, "daily_mg", float(_plausible(self.daily_mg, "Phase daily_mg", "daily_dose_mg")))


def _phase(value: object, field: str) -> Phase:
    """A :class:`Phase`, or a pair ``(days, daily_mg)`` read as one."""
    if isinstance(value, Phase):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return Phase(*value)
    raise DosingError(field, value, "a Phase(days=..., daily_mg=...) or a pair (days, daily_mg)",
                      message=f"{field}: expected a Phase(days=..., daily_mg=...) or a pair (days, daily_mg), got {value!r:.60}")


@checked_arguments
def course_days_to_target(phases: Sequence[Phase], target_mg_per_kg: float, weight_kg: float, missed_days: int = 0) -> int | None:
    """Day on which the cumulative target is reached following ``phases`` (the last phase continues).

    Each missed day delays the target by one day at the dose of the day it was
    missed in; here missed days are taken from the final phase, which is what
    matters when the question is "how much longer?". Returns ``None`` if there
    are no phases.
    """
    phases = read_sequence(phases, "phases", _phase, error=DosingError)
    if not phases:
        return None
    missed_days = int(_plausible(missed_days, "missed days", "missed_days", integer=True))
    target_mg = _plausible(target_mg_per_kg, "cumulative target", "cumulative_target_mg_per_kg") * check_weight(weight_kg)
    total, day = 0.0, 0
    for phase in phases:
        if total + phase.days * phase.daily_mg >= target_mg - 1e-9:
            return day + math.ceil((target_mg - total) / phase.daily_mg - 1e-9) + missed_days
        total += phase.days * phase.daily_mg
        day += phase.days
    return day + math.ceil((target_mg - total) / phases[-1].daily_mg - 1e-9) + missed_days


@checked_arguments
def daily_doses(dispensing: pd.DataFrame, patient_id: str) -> pd.Series:
    """Daily dose in mg on each calendar day, from what was collected (uncollected prescriptions add nothing).

    ``dispensing`` is the cohort's dispensing table. A new supply is started when the previous one runs
    out, so supplies collected a few days early are not counted twice.
    """
    dispensing = read_frame(dispensing, "dispensing", ("patient_id", "pickup_date", "days_supply", "daily_dose_mg"), error=DosingError)
    patient_id = read_choice(patient_id, "patient_id", sorted(set(dispensing["patient_id"].dropna().astype(str))),  # type: ignore[index]
                             what="patient ids of the dispensing table", error=DosingError)
    rows = dispensing[(dispensing["patient_id"] == patient_id) & dispensing["pickup_date"].notna()].sort_values("pickup_date")  # type: ignore[index]
    if rows.empty:
        raise DosingError("patient_id", patient_id, "a patient who collected a supply", message=f"patient_id: {patient_id} never collected a supply")
    try:
        rows = rows.assign(pickup_date=pd.to_datetime(rows["pickup_date"]), days_supply=rows["days_supply"].astype(int),
                           daily_dose_mg=rows["daily_dose_mg"].astype(float))
    except (TypeError, ValueError) as problem:
        raise DosingError("dispensing", None, "the dispensing table as load_cohort() gives it",
                          message=f"dispensing: its dates and numbers cannot be read ({problem}); load it with load_cohort()") from None
    if (rows["days_supply"] < 1).any() or (rows["days_supply"] > plausible_range("course_days").maximum).any():
        raise DosingError("dispensing", None, "days_supply from 1 to 365", message="dispensing: a days_supply is outside 1–365 days")
    # Whole supplies at a time (a day at a time cost the patient explorer a tenth of its update): each supply starts
    # on its collection day or the day after the previous one ends, whichever is later, so supplies never overlap.
    supplies, next_free = [], rows["pickup_date"].iloc[0]
    for pickup, days_supply, daily_mg in zip(rows["pickup_date"], rows["days_supply"], rows["daily_dose_mg"]):
        first_day = max(pickup, next_free)
        supplies.append((first_day, int(days_supply), float(daily_mg)))
        next_free = first_day + pd.Timedelta(days=int(days_supply))
    start = supplies[0][0]
    doses = np.zeros((supplies[-1][0] - start).days + supplies[-1][1])
    for first_day, days_supply, daily_mg in supplies:
        offset = (first_day - start).days
        doses[offset:offset + days_supply] = daily_mg
    return pd.Series(doses, index=pd.date_range(start, periods=len(doses), freq="D", unit="us"))  # the unit the day-by-day version gave
