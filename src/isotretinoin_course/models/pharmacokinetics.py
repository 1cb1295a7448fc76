"""Oral pharmacokinetic models in closed form: two compartments (or one), first-order absorption after a lag.

The course's model has a central compartment (what plasma samples measure), a peripheral compartment that
exchanges drug with it, first-order absorption that starts after a lag time and first-order elimination from
the central compartment. After one dose D taken at time 0 the plasma concentration is a sum of three
exponentials of the time since absorption began, τ = t − t_lag:

    C(τ) = F·D·ka/V1 · Σ_i (k21 − λ_i) / Π_{j≠i}(λ_j − λ_i) · exp(−λ_i·τ),   τ ≥ 0,

with λ ∈ {ka, α, β}; α and β (distribution and terminal rate constants) are the roots of
s² − (k10 + k12 + k21)·s + k10·k21. With no peripheral compartment the same formula, numerator 1 and
λ ∈ {ka, k10}, is the one-compartment Bateman function, so the earlier course model is the special case
:meth:`OralModel.one_compartment`.

Doses add up (superposition). The concentration at time t depends on the time since the last absorption
began and on one running sum per exponent, ``S_j(k) = Σ_{i≤k} D_i·exp(−λ_j·(s_k − s_i))`` over the absorption
start times s_i. :func:`superpose` takes those sums in log space (numpy's ``logaddexp.accumulate``) and
evaluates every time point at once: no Python loop runs over doses or time points, and no exponential grows
large enough to overflow, even over a year of dosing with fast absorption.

The metabolite is formed from the parent and eliminated with its own half-life; its curve is
``ratio·km·∫ C_parent(s)·exp(−km·(t − s)) ds`` (:func:`metabolite_exponentials`), so its AUC is exactly
``ratio`` times the parent's: its height comes from the exposure ratio measured in patients, not from a
metabolite volume nobody has measured.

Inputs are read with the course's readers and refused with :class:`PKParameterError` (a
:class:`~isotretinoin_course.core.errors.CourseInputError`) naming the field. Body weight and dose take their
plausible ranges from ``content/plausible_ranges.yml``; the other limits below only keep a computation short
and finite.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..core.inputs import checked_arguments
from ..content.ranges import plausible_range, read_plausible
from ..core.errors import CourseInputError
from ..core.inputs import read_number

HOURS_PER_DAY = 24.0

# Limits that keep a computation finite and quick; beyond them an input is a typing slip, not a regimen.
MIN_INTERVAL_H = 0.5
MAX_INTERVAL_H = 24.0 * 7
MAX_COURSE_DAYS = 730.0
MAX_FOLLOW_UP_DAYS = 365.0
MIN_STEP_H = 0.001
MAX_TIME_POINTS = 2_000_000  # a year at one-minute steps is about half a million points
MAX_RATE_PER_H = 100.0
MAX_HALF_LIFE_H = 24.0 * 365
MIN_HALF_LIFE_H = 0.01  # 36 seconds: shorter is a slip (a half-life typed in days or minutes), not a drug the course models
MAX_LAG_H = 48.0
MAX_RELATIVE_BIOAVAILABILITY = 10.0  # exposure per mg relative to a reference product, not an absolute fraction
MAX_METABOLITE_RATIO = 100.0
DISTINCT_RATES = 1e-6  # relative gap below which two rate constants count as equal


class PKParameterError(CourseInputError):
    """A pharmacokinetic parameter or input that is not physical or not plausible; the message names the field."""


def _positive(value: object, field: str, unit: str, maximum: float | None = None, note: str = "what the model covers") -> float:
    return read_number(value, field, unit=unit, positive=True, maximum=maximum, range_note=note if maximum else "", error=PKParameterError)


def _non_negative(value: object, field: str, unit: str, maximum: float | None = None) -> float:
    return read_number(value, field, unit=unit, minimum=0, maximum=maximum, range_note="what the model covers" if maximum else "",
                       error=PKParameterError)


def _fraction_below_one(value: object, field: str) -> float:
    share = _positive(value, field, "(fraction)")
    if share >= 1:
        raise PKParameterError(field, value, "a fraction between 0 and 1", message=f"{field} must be below 1, got {share:g}")
    return share


@checked_arguments
def dosing_interval(interval_h: object) -> float:
    """A dosing interval in hours, between :data:`MIN_INTERVAL_H` and :data:`MAX_INTERVAL_H`."""
    interval = _positive(interval_h, "dosing interval", "hours", MAX_INTERVAL_H)
    if interval < MIN_INTERVAL_H:
        raise PKParameterError("dosing interval", interval, f"at least {MIN_INTERVAL_H:g} hours",
                               message=f"dosing interval of {interval:g} hours is below what the model covers ({MIN_INTERVAL_H:g} hours)")
    return interval


@checked_arguments
def body_weight(weight_kg: object) -> float:
    """A body weight in kg within the course's plausible range (``weight_kg`` in ``plausible_ranges.yml``)."""
    return float(read_plausible(weight_kg, "Body weight", "weight_kg", error=PKParameterError))


@checked_arguments
def single_dose(dose_mg: object, field: str = "Dose") -> float:
    """One dose in mg: positive, and no more than the plausible daily maximum (``daily_dose_mg``)."""
    return _positive(dose_mg, field, "mg", plausible_range("daily_dose_mg").maximum, "what is plausible for one day")


# ---------------------------------------------------------------------------------------------
# Hand formulas of a single exponential (the terminal phase), for the notebook's paper exercises.


@checked_arguments
def elimination_rate_constant(half_life_h: float) -> float:
    """k = ln 2 / t½ (per hour)."""
    half_life = read_number(half_life_h, "half-life", unit="hours", positive=True, minimum=MIN_HALF_LIFE_H, maximum=MAX_HALF_LIFE_H,
                            range_note="what the model covers", error=PKParameterError)
    return math.log(2) / half_life


@checked_arguments
def accumulation_ratio(half_life_h: float, interval_h: float) -> float:
    """R = 1 / (1 − exp(−k·τ)) for a single exponential: steady-state exposure over an interval relative to the first dose."""
    k = elimination_rate_constant(half_life_h)
    tau = dosing_interval(interval_h)
    return 1.0 / -math.expm1(-k * tau)


@checked_arguments
def fraction_of_steady_state(half_life_h: float, time_h: float) -> float:
    """1 − exp(−k·t): how close regular dosing has come to steady state after ``time_h`` hours (single exponential)."""
    k = elimination_rate_constant(half_life_h)
    return -math.expm1(-k * _non_negative(time_h, "time", "hours"))


@checked_arguments
def fraction_remaining(half_life_h: float, time_h: float) -> float:
    """exp(−k·t): the fraction left ``time_h`` hours into a single-exponential decline."""
    k = elimination_rate_constant(half_life_h)
    return math.exp(-k * _non_negative(time_h, "time", "hours"))


# ---------------------------------------------------------------------------------------------
# The model


def _check_distinct(rates: dict[str, float]) -> None:
    """The closed form divides by differences of rate constants; equal ones would need another formula."""
    names = list(rates)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = rates[first], rates[second]
            if abs(a - b) <= DISTINCT_RATES * max(a, b):
                raise PKParameterError(f"{first} ({a:.6g} per h) equals {second} ({b:.6g} per h); "
                                       "the closed-form model needs different rate constants")


@dataclass(frozen=True)
class OralModel:
    """Parameters of the oral model, per kilogram of body weight.

    Clearances and volumes are apparent values (divided by the bioavailability of the reference condition they
    were estimated in), so ``bioavailability`` is exposure per mg *relative to that reference* (1.0 for the
    reference itself; above 1 for a better-absorbed product). A peripheral volume and an intercompartmental
    clearance of zero give the one-compartment model.
    """

    ka_per_h: float
    clearance_l_per_h_per_kg: float
    central_volume_l_per_kg: float
    peripheral_volume_l_per_kg: float = 0.0
    intercompartmental_clearance_l_per_h_per_kg: float = 0.0
    lag_h: float = 0.0
    bioavailability: float = 1.0
    metabolite_half_life_h: float | None = None
    metabolite_auc_ratio: float | None = None

    def __post_init__(self) -> None:
        _positive(self.ka_per_h, "absorption rate constant ka", "per hour", MAX_RATE_PER_H)
        _positive(self.clearance_l_per_h_per_kg, "clearance", "L/h per kg")
        _positive(self.central_volume_l_per_kg, "central volume", "L/kg")
        peripheral = _non_negative(self.peripheral_volume_l_per_kg, "peripheral volume", "L/kg")
        exchange = _non_negative(self.intercompartmental_clearance_l_per_h_per_kg, "intercompartmental clearance", "L/h per kg")
        if (peripheral == 0) != (exchange == 0):
            raise PKParameterError("peripheral volume", self.peripheral_volume_l_per_kg,
                                   "positive together with the intercompartmental clearance, or both zero",
                                   message="peripheral volume: it and the intercompartmental clearance must both be positive (two compartments) "
                                           "or both zero (one compartment)")
        _non_negative(self.lag_h, "lag time", "hours", MAX_LAG_H)
        _positive(self.bioavailability, "bioavailability", "(ratio to the reference)", MAX_RELATIVE_BIOAVAILABILITY)
        if (self.metabolite_half_life_h is None) != (self.metabolite_auc_ratio is None):
            raise PKParameterError("metabolite_auc_ratio", self.metabolite_auc_ratio, "given together with metabolite_half_life_h",
                                   message="metabolite_auc_ratio: give both the metabolite half-life and the metabolite AUC ratio, or neither")
        rates = {"absorption rate constant ka": self.ka_per_h}
        names = ("distribution rate constant alpha", "terminal rate constant beta") if self.two_compartment else ("elimination rate constant",)
        rates |= dict(zip(names, self.disposition_rates_per_h))
        if min(rates.values()) < math.log(2) / MAX_HALF_LIFE_H:
            raise PKParameterError("terminal half-life", round(self.half_life_h, 3), f"at most {MAX_HALF_LIFE_H:g} hours",
                                   message=f"terminal half-life of {self.half_life_h:.3g} h is above what the model covers ({MAX_HALF_LIFE_H:g} h)")
        if self.metabolite_half_life_h is not None:
            _positive(self.metabolite_half_life_h, "metabolite half-life", "hours", MAX_HALF_LIFE_H)
            _positive(self.metabolite_auc_ratio, "metabolite AUC ratio", "(ratio)", MAX_METABOLITE_RATIO)
            rates["metabolite elimination rate constant"] = math.log(2) / self.metabolite_half_life_h
        _check_distinct(rates)

    @classmethod
    def one_compartment(cls, ka_per_h: float, half_life_h: float, volume_l_per_kg: float, bioavailability: float = 1.0,
                        lag_h: float = 0.0, metabolite_half_life_h: float | None = None,
                        metabolite_auc_ratio: float | None = None) -> OralModel:
        """The one-compartment model of the earlier course, from its half-life and apparent volume V/F."""
        volume = _positive(volume_l_per_kg, "apparent volume", "L/kg")
        clearance = elimination_rate_constant(half_life_h) * volume
        return cls(ka_per_h, clearance, volume, 0.0, 0.0, lag_h, bioavailability, metabolite_half_life_h, metabolite_auc_ratio)

    @property
    def two_compartment(self) -> bool:
        return self.peripheral_volume_l_per_kg > 0

    @property
    def micro_rates_per_h(self) -> tuple[float, float, float]:
        """(k10, k12, k21): elimination from, transfer out of and transfer back into the central compartment."""
        v1 = self.central_volume_l_per_kg
        k10 = self.clearance_l_per_h_per_kg / v1
        if not self.two_compartment:
            return k10, 0.0, 0.0
        q = self.intercompartmental_clearance_l_per_h_per_kg
        return k10, q / v1, q / self.peripheral_volume_l_per_kg

    @property
    def disposition_rates_per_h(self) -> tuple[float, ...]:
        """(α, β) for two compartments (α > β), (k10,) for one."""
        k10, k12, k21 = self.micro_rates_per_h
        if not self.two_compartment:
            return (k10,)
        total, product = k10 + k12 + k21, k10 * k21
        alpha = (total + math.sqrt(total * total - 4 * product)) / 2
        return alpha, product / alpha  # β = product / α avoids cancellation

    @property
    def half_life_h(self) -> float:
        """Terminal half-life, ln 2 / β (ln 2 / k10 for one compartment)."""
        return math.log(2) / self.disposition_rates_per_h[-1]

    @property
    def distribution_half_life_h(self) -> float | None:
        return math.log(2) / self.disposition_rates_per_h[0] if self.two_compartment else None

    @property
    def ke_per_h(self) -> float:
        """The terminal rate constant (the earlier course's name for it)."""
        return self.disposition_rates_per_h[-1]

    @cached_property
    def unit_response(self) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (per mg, per kg of weight, in mg/L, before F) and exponents of one dose's curve after absorption starts."""
        ka = self.ka_per_h
        exponents = np.array([ka, *self.disposition_rates_per_h])
        k21 = self.micro_rates_per_h[2]
        numerator = (k21 - exponents) if self.two_compartment else np.ones_like(exponents)
        differences = exponents[None, :] - exponents[:, None]  # [i, j] = λ_j − λ_i
        np.fill_diagonal(differences, 1.0)
        coefficients = ka * numerator / np.prod(differences, axis=1) / self.central_volume_l_per_kg
        return coefficients, exponents

    @cached_property
    def tmax_h(self) -> float:
        """Time of the peak after one dose, lag included (numerical for two compartments)."""
        return self.lag_h + _peak_time(*self.unit_response)

    def clearance_l_per_h(self, weight_kg: float) -> float:
        """Apparent clearance CL/F in L/h for a patient of ``weight_kg``."""
        return self.clearance_l_per_h_per_kg * body_weight(weight_kg)


def _peak_time(coefficients: np.ndarray, exponents: np.ndarray) -> float:
    """Time after absorption starts at which Σ c·exp(−λt) peaks: a grid, then bisection on the slope."""
    horizon = 20.0 / float(exponents.min())
    grid = np.concatenate([[0.0], np.geomspace(1e-4, horizon, 600)])
    values = np.exp(-np.outer(grid, exponents)) @ coefficients
    i = int(values.argmax())
    low, high = float(grid[max(i - 1, 0)]), float(grid[min(i + 1, grid.size - 1)])
    terms = list(zip((coefficients * exponents).tolist(), exponents.tolist()))
    for _ in range(60):
        middle = (low + high) / 2
        if -sum(c * math.exp(-rate * middle) for c, rate in terms) > 0:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@checked_arguments
def parent_exponentials(model: OralModel, weight_kg: float) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients c_j (ng/mL per mg) and exponents λ_j (per h) of the parent's curve after absorption starts."""
    coefficients, exponents = model.unit_response
    return coefficients * (model.bioavailability / body_weight(weight_kg) * 1000.0), exponents  # mg/L → ng/mL


def _metabolite_from(parent_c: np.ndarray, parent_l: np.ndarray, model: OralModel) -> tuple[np.ndarray, np.ndarray]:
    km = math.log(2) / model.metabolite_half_life_h  # type: ignore[operator]
    terms = parent_c / (km - parent_l)
    return np.append(terms, -terms.sum()) * (model.metabolite_auc_ratio * km), np.append(parent_l, km)


@checked_arguments
def metabolite_exponentials(model: OralModel, weight_kg: float) -> tuple[np.ndarray, np.ndarray]:
    """The metabolite's single-dose curve: ratio·km·∫ C_parent(s)·exp(−km(t − s)) ds, so AUC_m = ratio·AUC_parent.

    Each parent term c·exp(−λt) contributes c/(km − λ)·(exp(−λt) − exp(−km·t)). When the parent's terminal phase
    is slower than the metabolite's own elimination, the metabolite's tail follows the parent's: it cannot fall
    faster than it is formed.
    """
    if model.metabolite_half_life_h is None or model.metabolite_auc_ratio is None:
        raise PKParameterError("model", model, "a model with metabolite parameters",
                               message="model: this model has no metabolite parameters (use model_for(..., with_metabolite=True))")
    return _metabolite_from(*parent_exponentials(model, weight_kg), model)


def _array(value: object, field: str) -> np.ndarray:
    """Numbers as a float array (a list, a tuple or an array), or a refusal naming the field."""
    if isinstance(value, (str, bytes)) or value is None:
        raise PKParameterError(field, value, "numbers (a list or an array)", message=f"{field}: expected numbers (a list or an array), got {value!r:.40}")
    try:
        return np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        raise PKParameterError(field, value, "numbers (a list or an array)", message=f"{field}: expected numbers (a list or an array), got {value!r:.40}") from None


@checked_arguments
def superpose(times_h: np.ndarray, start_times_h: np.ndarray, doses_mg: np.ndarray, coefficients: np.ndarray,
              exponents: np.ndarray) -> np.ndarray:
    """Concentration at ``times_h`` from doses whose absorption starts at ``start_times_h`` (sorted, ascending).

    ``coefficients`` and ``exponents`` describe one mg's response as a function of the time since absorption
    started. Vectorised over doses and times; the running sums are taken in log space, so nothing overflows.
    """
    times_h, start_times_h, doses_mg = _array(times_h, "times_h"), _array(start_times_h, "start_times_h"), _array(doses_mg, "doses_mg")
    coefficients, exponents = _array(coefficients, "coefficients"), _array(exponents, "exponents")
    if start_times_h.size == 0:
        return np.zeros_like(times_h)
    if start_times_h.shape != doses_mg.shape:
        raise PKParameterError("doses_mg", doses_mg.shape, f"one dose for each of the {start_times_h.size} dose times",
                               message=f"doses_mg: give one dose for each dose time ({doses_mg.size} doses, {start_times_h.size} times)")
    if not np.isfinite(start_times_h).all():
        raise PKParameterError("start_times_h", start_times_h, "finite numbers of hours", message="start_times_h: times must be finite numbers of hours")
    if not np.isfinite(times_h).all():
        raise PKParameterError("times_h", times_h, "finite numbers of hours", message="times_h: times must be finite numbers of hours")
    if np.any(np.diff(start_times_h) < 0):
        raise PKParameterError("start_times_h", start_times_h, "times in increasing order", message="start_times_h: dose times must be in increasing order")
    if not np.isfinite(doses_mg).all() or np.any(doses_mg <= 0):
        raise PKParameterError("doses_mg", doses_mg, "positive numbers of mg", message="doses_mg: every dose given must be a positive number of mg")
    if coefficients.shape != exponents.shape or not (np.isfinite(coefficients).all() and np.isfinite(exponents).all()):
        raise PKParameterError("exponents", exponents, "one finite exponent for each finite coefficient",
                               message="exponents: give one finite exponent for each finite coefficient")
    # S[k, j] = Σ_{i≤k} D_i·exp(−λ_j (s_k − s_i)) = exp(−λ_j s_k) · Σ_{i≤k} exp(ln D_i + λ_j s_i).
    # Taken in log space (logaddexp.accumulate), exp(λ_j s_i) is never formed, so it cannot overflow.
    growth = start_times_h[:, None] * exponents[None, :]
    running = np.exp(np.logaddexp.accumulate(np.log(doses_mg)[:, None] + growth, axis=0) - growth) * coefficients
    last = np.searchsorted(start_times_h, times_h, side="right") - 1
    before_first = last < 0
    last = np.clip(last, 0, None)
    elapsed = times_h - start_times_h[last]
    concentration = np.einsum("tj,tj->t", np.exp(-elapsed[:, None] * exponents), running[last])
    concentration[before_first] = 0.0
    return np.clip(concentration, 0.0, None)  # round-off can leave −1e−15 just after absorption starts


# ---------------------------------------------------------------------------------------------
# Regimens and simulation


def _dose_numbers(missed: object) -> frozenset[int]:
    if isinstance(missed, (str, bytes)) or not isinstance(missed, Iterable):
        raise PKParameterError("missed doses", missed, "a set of whole dose numbers",
                               message=f"missed doses must be a set of whole dose numbers, got {missed!r}")
    numbers_ = list(missed)
    bad = [n for n in numbers_ if isinstance(n, bool) or not isinstance(n, numbers.Integral)]
    if bad:
        raise PKParameterError("missed doses", bad, "whole dose numbers", message=f"missed doses must be whole dose numbers; got {bad!r}")
    return frozenset(int(n) for n in numbers_)


@dataclass(frozen=True)
class Regimen:
    """A dosing schedule: ``dose_mg`` every ``interval_h`` hours for ``days``, some doses missed.

    ``missed`` holds the 1-based numbers of the doses not taken (dose 1 is the first).
    """

    dose_mg: float
    interval_h: float
    days: float
    missed: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        # Keep the values as read ("30" typed is 30.0), so every computation after this uses numbers.
        object.__setattr__(self, "dose_mg", float(single_dose(self.dose_mg)))
        interval = dosing_interval(self.interval_h)
        object.__setattr__(self, "interval_h", float(interval))
        daily = self.daily_dose_mg
        maximum = plausible_range("daily_dose_mg").maximum
        if daily > maximum:
            raise PKParameterError("daily dose", daily, f"at most {maximum:g} mg",
                                   message=f"daily dose of {daily:g} mg ({self.dose_mg:g} mg every {interval:g} h) is above what is plausible ({maximum:g} mg)")
        object.__setattr__(self, "days", float(_positive(self.days, "treatment length", "days", MAX_COURSE_DAYS)))
        object.__setattr__(self, "missed", _dose_numbers(self.missed))
        if self.scheduled_doses < 1:
            raise PKParameterError("treatment length", self.days, "at least one dosing interval",
                                   message=f"treatment length of {self.days:g} days is shorter than one dosing interval ({interval:g} h)")
        bad = sorted(number for number in self.missed if not 1 <= number <= self.scheduled_doses)
        if bad:
            raise PKParameterError("missed doses", bad, f"dose numbers 1 to {self.scheduled_doses}",
                                   message=f"missed doses must be numbered 1 to {self.scheduled_doses}; got {bad}")
        if len(self.missed) >= self.scheduled_doses:
            raise PKParameterError("missed doses", len(self.missed), "fewer than all doses", message="missed doses: at least one dose must be taken")

    @property
    def scheduled_doses(self) -> int:
        return int(math.floor(self.days * HOURS_PER_DAY / self.interval_h + 1e-9))

    def dose_times_h(self) -> np.ndarray:
        """Times of the doses actually taken, in hours from the first scheduled dose."""
        numbers_ = np.arange(1, self.scheduled_doses + 1)
        taken = ~np.isin(numbers_, list(self.missed)) if self.missed else np.ones(numbers_.size, dtype=bool)
        return (numbers_[taken] - 1) * self.interval_h

    @property
    def daily_dose_mg(self) -> float:
        return self.dose_mg * HOURS_PER_DAY / self.interval_h


@dataclass(frozen=True)
class Simulation:
    times_h: np.ndarray
    parent_ng_ml: np.ndarray
    metabolite_ng_ml: np.ndarray | None
    dose_times_h: np.ndarray


@checked_arguments
def simulate(model: OralModel, regimen: Regimen, weight_kg: float, step_h: float = 0.25, follow_up_days: float = 0.0) -> Simulation:
    """Concentrations on a regular time grid from the first dose to ``follow_up_days`` after the end of the course."""
    if not isinstance(model, OralModel):
        raise PKParameterError("model", type(model).__name__, "an OralModel", message=f"model must be an OralModel, got {type(model).__name__}")
    if not isinstance(regimen, Regimen):
        raise PKParameterError("regimen", type(regimen).__name__, "a Regimen", message=f"regimen must be a Regimen, got {type(regimen).__name__}")
    weight = body_weight(weight_kg)
    step = _positive(step_h, "time step", "hours", HOURS_PER_DAY)
    if step < MIN_STEP_H:
        raise PKParameterError("time step", step, f"at least {MIN_STEP_H:g} hours",
                               message=f"time step of {step:g} hours is below the smallest supported step of {MIN_STEP_H:g} hours")
    follow_up = _non_negative(follow_up_days, "follow-up", "days", MAX_FOLLOW_UP_DAYS)
    end_h = (regimen.days + follow_up) * HOURS_PER_DAY
    if end_h / step + 1 > MAX_TIME_POINTS:
        raise PKParameterError("time step", step, "a larger step",
                               message=f"time step of {step:g} hours over {end_h / HOURS_PER_DAY:g} days needs more than "
                                       f"{MAX_TIME_POINTS:,} points; use a larger step")
    times = np.arange(0.0, end_h + step / 2, step)
    dose_times = regimen.dose_times_h()
    starts = dose_times + model.lag_h
    doses = np.full(dose_times.size, regimen.dose_mg)
    parent_terms = parent_exponentials(model, weight)
    parent = superpose(times, starts, doses, *parent_terms)
    metabolite = None
    if model.metabolite_half_life_h is not None:
        metabolite = superpose(times, starts, doses, *_metabolite_from(*parent_terms, model))
    return Simulation(times, parent, metabolite, dose_times)


# ---------------------------------------------------------------------------------------------
# Closed-form summaries


@checked_arguments
def single_dose_auc(model: OralModel, dose_mg: float, weight_kg: float) -> float:
    """AUC(0–∞) of one dose in ng·h/mL: F·Dose / CL."""
    return model.bioavailability * single_dose(dose_mg) / model.clearance_l_per_h(weight_kg) * 1000.0


@checked_arguments
def single_dose_cmax(model: OralModel, dose_mg: float, weight_kg: float) -> float:
    """Peak concentration of one dose in ng/mL, at :attr:`OralModel.tmax_h`."""
    coefficients, exponents = parent_exponentials(model, weight_kg)
    tau = model.tmax_h - model.lag_h
    return float(single_dose(dose_mg) * np.sum(coefficients * np.exp(-exponents * tau)))


@checked_arguments
def peak_to_auc_per_h(model: OralModel) -> float:
    """Cmax / AUC of one dose (per hour): the curve's shape only, whatever the dose, weight and bioavailability.

    In a one-compartment model it can never exceed the elimination rate constant; a high early peak needs a
    distribution phase.
    """
    coefficients, exponents = model.unit_response
    tau = model.tmax_h - model.lag_h
    return float(np.sum(coefficients * np.exp(-exponents * tau)) / np.sum(coefficients / exponents))


@checked_arguments
def trough_after_doses(model: OralModel, dose_mg: float, interval_h: float, doses: int | None, weight_kg: float) -> float:
    """Concentration just before dose n + 1 after ``doses`` = n regular doses (``None``: at steady state).

    Needs interval ≥ lag, so that the next dose has not started to be absorbed: each exponent's terms form a
    geometric series, Σ_{m=1..n} exp(−λ(mτ − lag)).
    """
    dose = single_dose(dose_mg)
    tau = dosing_interval(interval_h)
    if tau < model.lag_h:
        raise PKParameterError("dosing interval", tau, "at least the lag time", message="dosing interval must be at least the lag time for this closed form")
    coefficients, exponents = parent_exponentials(model, weight_kg)
    if doses is None:
        series = 1.0 / -np.expm1(-exponents * tau)
    else:
        if isinstance(doses, bool) or not isinstance(doses, numbers.Integral) or doses < 1:
            raise PKParameterError("number of doses", doses, "a whole number of at least 1",
                                   message=f"number of doses must be a whole number of at least 1, got {doses!r}")
        series = np.expm1(-exponents * tau * doses) / np.expm1(-exponents * tau)
    return float(dose * np.sum(coefficients * np.exp(-exponents * (tau - model.lag_h)) * series))


@checked_arguments
def auc_accumulation_ratio(model: OralModel, interval_h: float) -> float:
    """AUC over one interval at steady state (= single-dose AUC∞) divided by the AUC over the first interval."""
    tau = dosing_interval(interval_h)
    window = tau - model.lag_h
    if window <= 0:
        raise PKParameterError("dosing interval", tau, "longer than the lag time",
                               message="dosing interval must be longer than the lag time: nothing is absorbed in the first interval")
    coefficients, exponents = model.unit_response
    first = float(np.sum(coefficients / exponents * -np.expm1(-exponents * window)))
    return float(np.sum(coefficients / exponents)) / first


@checked_arguments
def doses_to_steady_state(model: OralModel, interval_h: float, fraction: float = 0.9) -> int:
    """Fewest regular doses after which the trough has reached ``fraction`` of its steady-state value (closed form)."""
    tau = dosing_interval(interval_h)
    share = _fraction_below_one(fraction, "fraction of steady state")
    if tau < model.lag_h:
        raise PKParameterError("dosing interval", tau, "at least the lag time", message="dosing interval must be at least the lag time for this closed form")
    coefficients, exponents = model.unit_response
    per_term = coefficients * np.exp(-exponents * (tau - model.lag_h)) / -np.expm1(-exponents * tau)
    steady = float(per_term.sum())
    n = np.arange(1, int(MAX_COURSE_DAYS * HOURS_PER_DAY / tau) + 1)
    partial = -np.expm1(-np.outer(n, exponents * tau)) @ per_term
    reached = np.flatnonzero(partial >= share * steady)
    if reached.size == 0:
        raise PKParameterError("fraction of steady state", share, "a level reached within the model's range",
                               message=f"steady state is not approached within {MAX_COURSE_DAYS:g} days")
    return int(n[reached[0]])


def _after_last_dose(model: OralModel, regimen: Regimen, weight_kg: float) -> tuple[float, list[tuple[float, float]]]:
    """The parent curve after the last absorption starts, as (start time, [(A_j, λ_j)]): C(t) = Σ A_j·exp(−λ_j (t − start)).

    Each A_j is the dose-weighted sum of every earlier dose's term, evaluated at the last start: exponents
    are never positive, so this is overflow-safe too.
    """
    coefficients, exponents = parent_exponentials(model, weight_kg)
    starts = regimen.dose_times_h() + model.lag_h
    weights = np.exp(-np.outer(starts[-1] - starts, exponents)).sum(axis=0) * regimen.dose_mg
    return float(starts[-1]), list(zip((coefficients * weights).tolist(), exponents.tolist()))


def _level(terms: list[tuple[float, float]], elapsed_h: float) -> float:
    return max(0.0, sum(a * math.exp(-rate * elapsed_h) for a, rate in terms))


def _stopping_level(model: OralModel, regimen: Regimen, weight_kg: float) -> tuple[float, float, list[tuple[float, float]]]:
    """(time the next dose was due, the concentration then, the tail) after the last dose taken."""
    start, terms = _after_last_dose(model, regimen, weight_kg)
    due = float(regimen.dose_times_h()[-1] + regimen.interval_h)
    if due >= start:
        level = _level(terms, due - start)
    else:  # the last dose's absorption has not begun when the next is due (interval shorter than the lag)
        coefficients, exponents = parent_exponentials(model, weight_kg)
        dose_times = regimen.dose_times_h()
        level = float(superpose(np.array([due]), dose_times + model.lag_h, np.full(dose_times.size, regimen.dose_mg), coefficients, exponents)[0])
    return due, level, terms


@checked_arguments
def levels_after_course_ng_ml(model: OralModel, regimen: Regimen, weight_kg: float, days_after: float) -> tuple[float, float]:
    """Parent concentration when the next dose was due after the last one taken, and ``days_after`` days after that last dose."""
    days = _positive(days_after, "days after the last dose", "days", MAX_FOLLOW_UP_DAYS)
    due, level, terms = _stopping_level(model, regimen, weight_kg)
    last = due - regimen.interval_h
    if days * HOURS_PER_DAY < regimen.interval_h:
        raise PKParameterError("days after the last dose", days, "at least one dosing interval",
                               message="days after the last dose must be at least one dosing interval")
    return level, _level(terms, last + days * HOURS_PER_DAY - (last + model.lag_h))


@checked_arguments
def fraction_remaining_after_course(model: OralModel, regimen: Regimen, weight_kg: float, days_after: float) -> float:
    """Parent concentration ``days_after`` days after the last dose, as a fraction of its value when the next dose was due."""
    at_stop, after = levels_after_course_ng_ml(model, regimen, weight_kg, days_after)
    return after / at_stop


@checked_arguments
def time_to_fall_h(model: OralModel, regimen: Regimen, weight_kg: float, fraction: float) -> float:
    """Hours after the last dose until the parent concentration falls to ``fraction`` of its value when the next dose was due."""
    share = _fraction_below_one(fraction, "fraction remaining")
    due, level, terms = _stopping_level(model, regimen, weight_kg)
    last = due - regimen.interval_h
    start = last + model.lag_h
    target = share * level
    low, high = max(due, start), last + MAX_FOLLOW_UP_DAYS * HOURS_PER_DAY
    if _level(terms, high - start) > target:
        raise PKParameterError("fraction remaining", share, "a level reached within the model's range",
                               message=f"the concentration does not fall to {share:g} of its level within {MAX_FOLLOW_UP_DAYS:g} days")
    for _ in range(60):  # after the last peak the curve only falls
        middle = (low + high) / 2
        low, high = (middle, high) if _level(terms, middle - start) > target else (low, middle)
    return (low + high) / 2 - last


@checked_arguments
def steady_state_average_ng_ml(model: OralModel, daily_dose_mg: float, weight_kg: float) -> float:
    """Average concentration at steady state, F·daily dose / (CL·24 h), in ng/mL: the same for any model shape."""
    daily = _positive(daily_dose_mg, "daily dose", "mg", plausible_range("daily_dose_mg").maximum, "what is plausible")
    return model.bioavailability * daily / (model.clearance_l_per_h(weight_kg) * HOURS_PER_DAY) * 1000.0
