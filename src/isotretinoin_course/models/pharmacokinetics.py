"""A one-compartment oral pharmacokinetic model, computed in closed form by superposition.

After one oral dose with first-order absorption (rate ``ka``) and elimination
(rate ``ke``), the plasma concentration is the Bateman function

    C(t) = F·D·ka / (V·(ka − ke)) · (exp(−ke·t) − exp(−ka·t)).

Any number of doses adds up (superposition). Every unit response here is a sum
of exponentials, ``Σ c_j·exp(−λ_j·τ)``, so the concentration at time t depends
only on the time since the last dose, τ, and on one running sum per exponent,
``S_j(k) = Σ_{i≤k} D_i·exp(−λ_j·(t_k − t_i))``. Those sums are a cumulative
log-sum-exp over doses (numpy's ``logaddexp.accumulate``), and the curve is
evaluated for all times at once: no Python loop runs over doses or time steps,
and no exponential grows large enough to overflow.

The metabolite (4-oxo-isotretinoin) follows the same scheme with a third
exponential; see :func:`metabolite_exponentials`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.errors import CourseInputError
from ..core.inputs import read_number

HOURS_PER_DAY = 24.0


class PKParameterError(CourseInputError):
    """A parameter that is not physical (zero or negative rate, dose, weight...)."""


def _require_positive(name: str, value: float, unit: str) -> float:
    return read_number(value, name, unit=unit, positive=True, error=PKParameterError)


def elimination_rate_constant(half_life_h: float) -> float:
    """ke = ln 2 / t½ (per hour)."""
    return math.log(2) / _require_positive("half-life", half_life_h, "hours")


def accumulation_ratio(half_life_h: float, interval_h: float) -> float:
    """R = 1 / (1 − exp(−ke·τ)): steady-state exposure over one interval relative to the first dose."""
    ke = elimination_rate_constant(half_life_h)
    return 1.0 / (1.0 - math.exp(-ke * _require_positive("dosing interval", interval_h, "hours")))


def fraction_of_steady_state(half_life_h: float, time_h: float) -> float:
    """1 − exp(−ke·t): how close regular dosing has come to steady state after ``time_h`` hours."""
    if time_h < 0:
        raise PKParameterError(f"time must not be negative, got {time_h:g} h")
    return 1.0 - math.exp(-elimination_rate_constant(half_life_h) * time_h)


def fraction_remaining(half_life_h: float, time_h: float) -> float:
    """exp(−ke·t): the fraction of drug left ``time_h`` hours after dosing stops (elimination phase)."""
    if time_h < 0:
        raise PKParameterError(f"time must not be negative, got {time_h:g} h")
    return math.exp(-elimination_rate_constant(half_life_h) * time_h)


@dataclass(frozen=True)
class OralModel:
    """Parameters of the one-compartment oral model.

    ``volume_l_per_kg`` is the apparent volume V/F per kilogram of body weight,
    and ``bioavailability`` is the fraction absorbed relative to the reference
    condition in which V/F was estimated (1.0 for the reference).
    """

    ka_per_h: float
    half_life_h: float
    volume_l_per_kg: float
    bioavailability: float = 1.0
    metabolite_half_life_h: float | None = None
    metabolite_auc_ratio: float | None = None

    def __post_init__(self) -> None:
        _require_positive("absorption rate constant ka", self.ka_per_h, "per hour")
        _require_positive("half-life", self.half_life_h, "hours")
        _require_positive("apparent volume", self.volume_l_per_kg, "L/kg")
        _require_positive("bioavailability", self.bioavailability, "(fraction)")
        if (self.metabolite_half_life_h is None) != (self.metabolite_auc_ratio is None):
            raise PKParameterError("give both the metabolite half-life and its AUC ratio, or neither")
        if self.metabolite_half_life_h is not None:
            _require_positive("metabolite half-life", self.metabolite_half_life_h, "hours")
            _require_positive("metabolite AUC ratio", self.metabolite_auc_ratio, "(ratio)")
        if math.isclose(self.ka_per_h, self.ke_per_h, rel_tol=1e-9):
            raise PKParameterError("ka equals ke: the Bateman function needs different absorption and elimination rates")

    @property
    def ke_per_h(self) -> float:
        return math.log(2) / self.half_life_h

    @property
    def tmax_h(self) -> float:
        """Time of the peak after a single dose: ln(ka/ke) / (ka − ke)."""
        return math.log(self.ka_per_h / self.ke_per_h) / (self.ka_per_h - self.ke_per_h)

    def clearance_l_per_h(self, weight_kg: float) -> float:
        """Apparent clearance CL/F = ke · V/F."""
        return self.ke_per_h * self.volume_l_per_kg * _require_positive("body weight", weight_kg, "kg")


def parent_exponentials(model: OralModel, weight_kg: float) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients c_j (ng/mL per mg) and exponents λ_j (per h) of the parent's single-dose curve."""
    volume_l = model.volume_l_per_kg * _require_positive("body weight", weight_kg, "kg")
    ka, ke = model.ka_per_h, model.ke_per_h
    scale = model.bioavailability * ka / (volume_l * (ka - ke)) * 1000.0  # mg/L → ng/mL
    return np.array([scale, -scale]), np.array([ke, ka])


def metabolite_exponentials(model: OralModel, weight_kg: float) -> tuple[np.ndarray, np.ndarray]:
    """The metabolite's single-dose curve, scaled so that AUC(metabolite)/AUC(parent) = the given ratio.

    The metabolite is formed from the parent at the parent's elimination rate
    and eliminated with its own half-life. Its volume is not known, so instead
    of guessing one the curve is scaled to the AUC ratio measured in patients:
    the shape comes from the rate constants, the height from that ratio.
    """
    if model.metabolite_half_life_h is None or model.metabolite_auc_ratio is None:
        raise PKParameterError("this model has no metabolite parameters")
    ka, ke, km = model.ka_per_h, model.ke_per_h, math.log(2) / model.metabolite_half_life_h
    if math.isclose(km, ke, rel_tol=1e-9) or math.isclose(km, ka, rel_tol=1e-9):
        raise PKParameterError("the metabolite's elimination rate must differ from the parent's rates")
    # Amount of metabolite per unit amount absorbed (before scaling), a sum of three exponentials.
    shape = np.array([1.0 / ((ke - ka) * (km - ka)), 1.0 / ((ka - ke) * (km - ke)), 1.0 / ((ka - km) * (ke - km))]) * ka * ke
    exponents = np.array([ka, ke, km])
    parent_c, parent_l = parent_exponentials(model, weight_kg)
    parent_auc = float(np.sum(parent_c / parent_l))
    shape_auc = float(np.sum(shape / exponents))
    return shape * (model.metabolite_auc_ratio * parent_auc / shape_auc), exponents


def superpose(
    times_h: np.ndarray, dose_times_h: np.ndarray, doses_mg: np.ndarray, coefficients: np.ndarray, exponents: np.ndarray
) -> np.ndarray:
    """Concentration at ``times_h`` after doses ``doses_mg`` given at ``dose_times_h`` (sorted, ascending).

    ``coefficients`` and ``exponents`` describe the single-dose response per mg.
    """
    times_h = np.asarray(times_h, dtype=float)
    dose_times_h = np.asarray(dose_times_h, dtype=float)
    doses_mg = np.asarray(doses_mg, dtype=float)
    if dose_times_h.size == 0:
        return np.zeros_like(times_h)
    if np.any(np.diff(dose_times_h) < 0):
        raise PKParameterError("dose times must be in increasing order")
    if np.any(doses_mg <= 0):
        raise PKParameterError("every dose given must be a positive number of mg")
    # S[k, j] = Σ_{i≤k} D_i·exp(−λ_j (t_k − t_i)) = exp(−λ_j t_k) · Σ_{i≤k} exp(ln D_i + λ_j t_i).
    # The running sum is taken in log space (logaddexp.accumulate), so exp(λ_j t_i) never overflows.
    growth = dose_times_h[:, None] * exponents[None, :]
    running = np.exp(np.logaddexp.accumulate(np.log(doses_mg)[:, None] + growth, axis=0) - growth)
    last = np.searchsorted(dose_times_h, times_h, side="right") - 1
    before_first = last < 0
    last = np.clip(last, 0, None)
    elapsed = times_h - dose_times_h[last]
    concentration = np.sum(coefficients * np.exp(-elapsed[:, None] * exponents) * running[last], axis=1)
    concentration[before_first] = 0.0
    return np.clip(concentration, 0.0, None)  # round-off can leave −1e−15 just after a dose


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
        _require_positive("dose", self.dose_mg, "mg")
        _require_positive("dosing interval", self.interval_h, "hours")
        _require_positive("treatment length", self.days, "days")
        if self.scheduled_doses < 1:
            raise PKParameterError(f"a treatment of {self.days:g} days is shorter than one dosing interval ({self.interval_h:g} h)")
        bad = sorted(number for number in self.missed if not 1 <= number <= self.scheduled_doses)
        if bad:
            raise PKParameterError(f"missed doses must be numbered 1 to {self.scheduled_doses}; got {bad}")

    @property
    def scheduled_doses(self) -> int:
        return int(math.floor(self.days * HOURS_PER_DAY / self.interval_h + 1e-9))

    def dose_times_h(self) -> np.ndarray:
        """Times of the doses actually taken, in hours from the first scheduled dose."""
        numbers = np.arange(1, self.scheduled_doses + 1)
        taken = ~np.isin(numbers, list(self.missed)) if self.missed else np.ones(numbers.size, dtype=bool)
        return (numbers[taken] - 1) * self.interval_h

    @property
    def daily_dose_mg(self) -> float:
        return self.dose_mg * HOURS_PER_DAY / self.interval_h


@dataclass(frozen=True)
class Simulation:
    times_h: np.ndarray
    parent_ng_ml: np.ndarray
    metabolite_ng_ml: np.ndarray | None
    dose_times_h: np.ndarray


def simulate(
    model: OralModel, regimen: Regimen, weight_kg: float, step_h: float = 0.25, follow_up_days: float = 0.0
) -> Simulation:
    """Concentrations on a regular time grid from the first dose to ``follow_up_days`` after the last."""
    _require_positive("time step", step_h, "hours")
    if follow_up_days < 0:
        raise PKParameterError(f"follow-up must not be negative, got {follow_up_days:g} days")
    end_h = regimen.days * HOURS_PER_DAY + follow_up_days * HOURS_PER_DAY
    times = np.arange(0.0, end_h + step_h / 2, step_h)
    dose_times = regimen.dose_times_h()
    doses = np.full(dose_times.size, regimen.dose_mg)
    parent = superpose(times, dose_times, doses, *parent_exponentials(model, weight_kg))
    metabolite = None
    if model.metabolite_half_life_h is not None:
        metabolite = superpose(times, dose_times, doses, *metabolite_exponentials(model, weight_kg))
    return Simulation(times, parent, metabolite, dose_times)


def single_dose_auc(model: OralModel, dose_mg: float, weight_kg: float) -> float:
    """AUC(0–∞) of one dose in ng·h/mL: F·Dose / CL (closed form)."""
    dose = _require_positive("dose", dose_mg, "mg")
    return model.bioavailability * dose / model.clearance_l_per_h(weight_kg) * 1000.0


def single_dose_cmax(model: OralModel, dose_mg: float, weight_kg: float) -> float:
    """Peak concentration of one dose in ng/mL, at :attr:`OralModel.tmax_h`."""
    coefficients, exponents = parent_exponentials(model, weight_kg)
    return float(_require_positive("dose", dose_mg, "mg") * np.sum(coefficients * np.exp(-exponents * model.tmax_h)))
