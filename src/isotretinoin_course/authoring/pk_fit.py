"""Fit the course's PK model to the label's single-dose means and write the constants into ``content/pk_parameters.yml``.

An authoring tool: run it when a reported, derived or assumed number in the parameter file changes; notebooks never
run it, they read the fitted block it writes. Usage::

    python -m isotretinoin_course.authoring.pk_fit            # fit and print the fit against every target
    python -m isotretinoin_course.authoring.pk_fit --write    # also rewrite the ``fitted:`` block of the file
    python -m isotretinoin_course.authoring.pk_fit --check    # exit 1 if the file's fitted values differ from a fresh fit

What the sources give (each number's source is in the parameter file): mean Cmax, Tmax and AUC after 80 mg of
conventional capsules with food and fasting (label, 74 adults); a terminal half-life (label 21 h, or Nulman 1998's
29 h and the constructed 69 h); a distribution half-life of 1.3 h (Colburn, Vane & Shorter 1983). Summary means
cannot identify every constant of a two-compartment model, so the fit adds two stated assumptions:

1. food changes how much is absorbed (F) and when absorption starts (the lag), not how fast it proceeds once
   started (one ka with and without food), since the label reports the elimination unchanged by food;
2. absorption starts at once when fasting: the smallest delay the data need.

With those, every step is closed or one-dimensional (bisection; no optimiser, no random start, deterministic):

* CL/F from the AUC with food (AUC = F·D/CL); F fasting = AUC fasting / AUC with food;
* α and β from the two half-lives; the remaining disposition constant k21 and the shared ka are solved so that
  the fasting peak falls at the fasting Tmax and Cmax/AUC equals the geometric mean of the label's fed and fasting
  ratios (one ka cannot match both, which differ by 6%: each ends about 3% off);
* the lag with food is the difference of the label's Tmax values (the same curve shape, shifted).

Other products reuse that disposition; where a product's peak-to-AUC ratio is reported (Absorica fasting: AUC and
Cmax 50% and 26% below fed), its ka is solved from that ratio. Absorica LD gets one absorption profile for both
meals, because food did not change its rate of absorption (Madan 2020): the shared ka without a delay.

Matching the label's six means is a construction, not a test: CL/F and F fasting make the AUCs exact, ka puts the
fasting peak at its Tmax, the lag makes the fed Tmax exact, and k21 splits the two Cmax/AUC ratios. The 1.3 h
distribution half-life is an input from another study; refitting with 2 h or 3 h matches the same means equally well
(with a faster ka). Only the block after the ``fitted:`` line is rewritten, so the comments above it stay.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ..core.inputs import checked_arguments, read_number
from ..content.pk_parameters import PK_PARAMETERS_FILE
from ..content.validation import read_structured
from ..models.pharmacokinetics import OralModel, PKParameterError, peak_to_auc_per_h

MARKER = "\nfitted:"
SIGNIFICANT_DIGITS = 6
FIT_NOTE = "authoring/pk_fit.py"
WRITTEN_BY = "# Written by python -m isotretinoin_course.authoring.pk_fit --write; do not edit by hand."


@dataclass(frozen=True)
class Disposition:
    clearance_l_per_h_per_kg: float
    central_volume_l_per_kg: float
    peripheral_volume_l_per_kg: float
    intercompartmental_clearance_l_per_h_per_kg: float

    def model(self, ka_per_h: float, lag_h: float = 0.0, bioavailability: float = 1.0) -> OralModel:
        return OralModel(ka_per_h, self.clearance_l_per_h_per_kg, self.central_volume_l_per_kg, self.peripheral_volume_l_per_kg,
                         self.intercompartmental_clearance_l_per_h_per_kg, lag_h, bioavailability)


@dataclass(frozen=True)
class SingleDose:
    """Mean single-dose figures: AUC(0–∞) in ng·h/mL, Cmax in ng/mL, Tmax in h."""

    auc_ng_h_ml: float
    cmax_ng_ml: float
    tmax_h: float

    def __post_init__(self) -> None:
        for name in ("auc_ng_h_ml", "cmax_ng_ml", "tmax_h"):
            object.__setattr__(self, name, _rate(getattr(self, name), name))

    @property
    def peak_to_auc(self) -> float:
        return self.cmax_ng_ml / self.auc_ng_h_ml


@dataclass(frozen=True)
class Fit:
    disposition: Disposition
    ka_per_h: float
    lag_fed_h: float
    lag_fasted_h: float



def _rate(value: object, field: str) -> float:
    """A positive, finite parameter of the fit (a rate, a time, a dose), or a refusal naming it."""
    return float(read_number(value, field, positive=True, maximum=1e6, error=PKParameterError))

@checked_arguments
def disposition_from_rates(clearance_l_per_h_per_kg: float, alpha: float, beta: float, k21: float) -> Disposition:
    """The volumes and clearances that give rate constants α > β and return rate k21 (β < k21 < α)."""
    clearance_l_per_h_per_kg, alpha, beta, k21 = (_rate(value, name) for value, name in (
        (clearance_l_per_h_per_kg, "clearance_l_per_h_per_kg"), (alpha, "alpha"), (beta, "beta"), (k21, "k21")))
    if not beta < k21 < alpha:
        raise PKParameterError("k21", k21, f"between beta ({beta:.4g}) and alpha ({alpha:.4g})",
                               message=f"k21: {k21:.4g} must lie between beta = {beta:.4g} and alpha = {alpha:.4g}")
    k10 = alpha * beta / k21
    k12 = alpha + beta - k21 - k10  # positive exactly when β < k21 < α
    v1 = clearance_l_per_h_per_kg / k10
    q = k12 * v1
    return Disposition(clearance_l_per_h_per_kg, v1, q / k21, q)


def _model_or_nudged(disposition: Disposition, ka: float) -> OralModel:
    """A bisection can land on ka = α or β, where the closed form has a removable singularity: step aside."""
    try:
        return disposition.model(ka)
    except PKParameterError:
        return disposition.model(ka * (1 + 1e-5))


def _bisect(function: Callable[[float], float], low: float, high: float, iterations: int = 56) -> float:
    """Root of a function that changes sign between ``low`` and ``high`` (geometric bisection, positive arguments)."""
    f_low = function(low)
    if f_low * function(high) > 0:
        raise PKParameterError("ka", (low, high), "a target reachable with an absorption rate in the searched range",
                               message=f"ka: no solution between {low:g} and {high:g} per hour: the targets are not reachable with these half-lives")
    for _ in range(iterations):
        middle = math.sqrt(low * high)
        f_middle = function(middle)
        if f_middle * f_low > 0:
            low, f_low = middle, f_middle
        else:
            high = middle
    return math.sqrt(low * high)


@checked_arguments
def ka_for_peak_time(disposition: Disposition, peak_time_h: float) -> float:
    """The ka that puts the peak (no lag) at ``peak_time_h``; the peak comes earlier as ka rises."""
    peak_time_h = _rate(peak_time_h, "peak_time_h")
    return _bisect(lambda ka: _model_or_nudged(disposition, ka).tmax_h - peak_time_h, 1e-3, 50.0)


@checked_arguments
def ka_for_peak_to_auc(disposition: Disposition, ratio_per_h: float) -> float:
    """The ka that gives Cmax/AUC = ``ratio_per_h``; faster absorption gives a sharper, higher peak."""
    ratio_per_h = _rate(ratio_per_h, "ratio_per_h")
    return _bisect(lambda ka: peak_to_auc_per_h(_model_or_nudged(disposition, ka)) - ratio_per_h, 1e-3, 50.0)


@checked_arguments
def fit_conventional(fed: SingleDose, fasted: SingleDose, dose_mg: float, weight_kg: float, terminal_half_life_h: float,
                     distribution_half_life_h: float) -> Fit:
    """Fit the disposition, the shared ka and the two lags to the label's fed and fasting means (see the module text)."""
    dose_mg, weight_kg, terminal_half_life_h, distribution_half_life_h = (_rate(value, name) for value, name in (
        (dose_mg, "dose_mg"), (weight_kg, "weight_kg"), (terminal_half_life_h, "terminal_half_life_h"),
        (distribution_half_life_h, "distribution_half_life_h")))
    return _fit(fed, fasted, dose_mg, weight_kg, terminal_half_life_h, distribution_half_life_h)


@functools.lru_cache(maxsize=64)
def _fit(fed: SingleDose, fasted: SingleDose, dose_mg: float, weight_kg: float, terminal_half_life_h: float,
         distribution_half_life_h: float) -> Fit:
    """The fit of checked inputs, remembered: one fit takes about a third of a second, and a check, a write and a
    report of the same file fit the same five eliminators (a Fit is frozen, so sharing it is safe)."""
    clearance = dose_mg * 1000.0 / fed.auc_ng_h_ml / weight_kg  # µg / (µg·h/L) = L/h, per kg
    alpha = math.log(2) / distribution_half_life_h
    beta = math.log(2) / terminal_half_life_h
    if not alpha > beta:
        raise PKParameterError("distribution_half_life_h", distribution_half_life_h, f"shorter than the terminal half-life ({terminal_half_life_h:g} h)",
                               message="distribution_half_life_h: the distribution half-life must be shorter than the terminal half-life")
    target_ratio = math.sqrt(fed.peak_to_auc * fasted.peak_to_auc)

    def mismatch(k21: float) -> float:
        disposition = disposition_from_rates(clearance, alpha, beta, k21)
        ka = ka_for_peak_time(disposition, fasted.tmax_h)
        return peak_to_auc_per_h(_model_or_nudged(disposition, ka)) - target_ratio

    # Scan k21 across (β, α) for a sign change, then bisect: deterministic, no starting guess.
    grid = np.geomspace(beta * (1 + 1e-3), alpha * (1 - 1e-3), 24)
    values = []
    for k21 in grid:
        try:
            values.append(mismatch(float(k21)))
        except PKParameterError:
            values.append(math.nan)
    crossings = [i for i in range(len(grid) - 1) if np.isfinite(values[i]) and np.isfinite(values[i + 1]) and values[i] * values[i + 1] < 0]
    if not crossings:
        raise PKParameterError("terminal_half_life_h", terminal_half_life_h, "a half-life with which a two-compartment fit reaches the label's peaks",
                               message=f"terminal_half_life_h: no two-compartment fit reaches the label's peaks with a {terminal_half_life_h:g} h terminal half-life")
    k21 = _bisect(mismatch, float(grid[crossings[0]]), float(grid[crossings[0] + 1]))
    disposition = disposition_from_rates(clearance, alpha, beta, k21)
    ka = ka_for_peak_time(disposition, fasted.tmax_h)
    lag_fed = fed.tmax_h - fasted.tmax_h
    if lag_fed < 0:
        raise PKParameterError("fed.tmax_h", fed.tmax_h, f"at least the fasting Tmax ({fasted.tmax_h:g} h)",
                               message="fed.tmax_h: the fed peak comes before the fasting peak: a food lag cannot describe that")
    return Fit(disposition, ka, lag_fed, 0.0)


def _entry(value: float, unit: str, source: str, section: str, note: str, kind: str = "fitted") -> dict:
    done_by = f"fitted by {FIT_NOTE}" if kind == "fitted" else f"written by {FIT_NOTE}"
    return {"value": float(f"{value:.{SIGNIFICANT_DIGITS}g}"), "unit": unit, "source": source, "section": section, "kind": kind,
            "note": f"{note} ({done_by})"}


@checked_arguments
def fit_parameter_set(parameters: Mapping) -> dict:
    """The ``fitted`` block of the parameter file, for every eliminator, from the file's reported, derived and assumed inputs."""
    label = parameters["label_single_dose"]
    dose = float(label["dose_mg"])
    weight = float(parameters["reference_weight_kg"]["value"])
    fed = SingleDose(label["fed"]["auc_ng_h_ml"], label["fed"]["cmax_ng_ml"], label["fed"]["tmax_h"])
    fasted = SingleDose(label["fasted"]["auc_ng_h_ml"], label["fasted"]["cmax_ng_ml"], label["fasted"]["tmax_h"])
    distribution = float(parameters["disposition"]["distribution_half_life_h"]["value"])
    fasted_lag = float(parameters["absorption"]["fasted_lag_h"]["value"])
    if fasted_lag != 0:
        raise PKParameterError("absorption.fasted_lag_h", fasted_lag, "0", message="the fit assumes no lag when fasting (absorption.fasted_lag_h = 0)")
    absorica = parameters["formulations"]["absorica"]["meals"]
    cmax_ratio = float(absorica["fasted"]["fed_to_fasted_cmax_ratio"]["value"])
    auc_ratio = float(absorica["fed"]["relative_bioavailability"]["value"]) / float(absorica["fasted"]["relative_bioavailability"]["value"])
    where = f"{label['section']}; fitted to the means with food and fasting"
    block = {}
    for name, eliminator in parameters["eliminators"].items():
        terminal = float(eliminator["terminal_half_life_h"]["value"])
        fit = fit_conventional(fed, fasted, dose, weight, terminal, distribution)
        d = fit.disposition
        # Absorica fasting: Absorica with food has the conventional fed curve (bioequivalent); fasting, its
        # Cmax/AUC is higher by the ratio of the two reported changes (AUC 1.50, Cmax 1.26).
        fed_ratio = peak_to_auc_per_h(d.model(fit.ka_per_h, fit.lag_fed_h))
        ka_absorica = ka_for_peak_to_auc(d, fed_ratio * auc_ratio / cmax_ratio)
        context = f"with a {terminal:g} h terminal and a {distribution:g} h distribution half-life"
        source = label["source"]
        block[name] = {
            "disposition": {
                "clearance_l_per_h_per_kg": _entry(d.clearance_l_per_h_per_kg, "L/h per kg", source, where, f"CL/F {context}; equals the derived value"),
                "central_volume_l_per_kg": _entry(d.central_volume_l_per_kg, "L/kg", source, where, f"V1/F {context}"),
                "peripheral_volume_l_per_kg": _entry(d.peripheral_volume_l_per_kg, "L/kg", source, where, f"V2/F {context}"),
                "intercompartmental_clearance_l_per_h_per_kg": _entry(d.intercompartmental_clearance_l_per_h_per_kg, "L/h per kg", source, where,
                                                                      f"Q/F {context}"),
            },
            "absorption": {
                "fed": {
                    "ka_per_h": _entry(fit.ka_per_h, "per h", source, where, "shared with fasting; puts the fasting peak at the fasting Tmax"),
                    "lag_h": _entry(fit.lag_fed_h, "h", source, where, "Tmax with food minus Tmax fasting: the delay food adds"),
                },
                "fasted": {
                    "ka_per_h": _entry(fit.ka_per_h, "per h", source, where, "shared with food"),
                    "lag_h": _entry(fit.lag_fasted_h, "h", source, where, "zero by assumption (absorption.fasted_lag_h)", kind="assumed"),
                },
                "absorica_fasted": {
                    "ka_per_h": _entry(ka_absorica, "per h", "fda-absorica-2017", "Clinical Pharmacology, Pharmacokinetics",
                                       "solved so that AUC and Cmax with food are 50% and 26% above fasting"),
                    "lag_h": _entry(0.0, "h", "fda-absorica-2017", "Clinical Pharmacology, Pharmacokinetics",
                                    "no food delay, as for conventional capsules fasting", kind="assumed"),
                },
                # Absorica LD: one curve shape with and without food (Madan 2020: food did not change its rate of
                # absorption). The conventional capsule's ka without a delay keeps its Cmax/AUC equal to Absorica's with
                # food, so LD 32 mg and Absorica 40 mg with food stay bioequivalent in Cmax as well as AUC.
                "absorica_ld": {
                    "ka_per_h": _entry(fit.ka_per_h, "per h", source, where,
                                       "the conventional capsule's absorption rate, used for Absorica LD with and without food"),
                    "lag_h": _entry(0.0, "h", "madan2020", "Abstract",
                                    "no food delay with or without food: food did not change Absorica LD's rate of absorption", kind="assumed"),
                },
            },
        }
    return block


def _values(block: object) -> list[float]:
    """Every ``value`` in a nested block, in a fixed order."""
    if isinstance(block, Mapping):
        if "value" in block and "kind" in block:
            return [float(block["value"])]
        return [value for key in sorted(block) for value in _values(block[key])]
    return []


@checked_arguments
def stale(parameters: Mapping) -> bool:
    """True when the file's fitted values differ from a fresh fit of its inputs."""
    stored, fresh = _values(parameters.get("fitted") or {}), _values(fit_parameter_set(parameters))
    return not (len(stored) == len(fresh) and all(math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9) for a, b in zip(stored, fresh)))


@checked_arguments
def write(block: dict, path: Path) -> None:
    """Replace the ``fitted:`` block at the end of the file (or append one), keeping everything above it."""
    text = path.read_text(encoding="utf-8")
    head = (text[: text.index(MARKER)] if MARKER in text else text).rstrip("\n")
    if not head.endswith(WRITTEN_BY):
        head += "\n\n" + WRITTEN_BY
    body = yaml.safe_dump({"fitted": block}, sort_keys=False, width=110, allow_unicode=True)
    path.write_text(head + "\n" + body, encoding="utf-8")


def report() -> None:
    """Print the fitted model's single-dose figures against the label's, and the ratios the other sources give."""
    from ..models import isotretinoin_pk as pk
    from ..models.pharmacokinetics import single_dose_auc, single_dose_cmax

    weight, dose = pk.REFERENCE_WEIGHT_KG, pk.LABEL_DOSE_MG
    print(f"{'eliminator':14s} {'meal':6s} {'Cmax model/label':>20s} {'Tmax model/label':>20s} {'AUC model/label':>22s}  t1/2")
    for name in pk.ELIMINATORS:
        for meal in pk.MEALS:
            model = pk.model_for("conventional", meal, with_metabolite=False, eliminator=name)
            target = pk.LABEL[meal]
            cmax, auc = single_dose_cmax(model, dose, weight), single_dose_auc(model, dose, weight)
            print(f"{name:14s} {meal:6s} {cmax:7.0f}/{target['cmax_ng_ml']:<5g} ({cmax / target['cmax_ng_ml'] - 1:+5.1%})"
                  f" {model.tmax_h:6.2f}/{target['tmax_h']:<4g} ({model.tmax_h / target['tmax_h'] - 1:+5.1%})"
                  f" {auc:7.0f}/{target['auc_ng_h_ml']:<6g} ({auc / target['auc_ng_h_ml'] - 1:+5.1%})  {model.half_life_h:5.1f} h")
    print()
    for text, model_value, target in pk.formulation_checks():
        print(f"{text:72s} model {model_value:5.2f}  source {target:4.2f}  ({model_value / target - 1:+5.1%})")


@checked_arguments
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m isotretinoin_course.authoring.pk_fit", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="rewrite the fitted block of content/pk_parameters.yml")
    group.add_argument("--check", action="store_true", help="fail if the file's fitted values differ from a fresh fit")
    parser.add_argument("--file", type=Path, default=None, help="another parameter file (default: the course's own)")
    arguments = parser.parse_args(argv)
    path = arguments.file or Path(str(PK_PARAMETERS_FILE))
    parameters = read_structured(path)
    if arguments.check:
        if stale(parameters):  # type: ignore[arg-type]
            print(f"{path.name}: the fitted values are stale: run python -m isotretinoin_course.authoring.pk_fit --write")
            return 1
        print(f"{path.name}: the fitted values match a fresh fit")
        return 0
    if arguments.write:
        write(fit_parameter_set(parameters), path)  # type: ignore[arg-type]
        print(f"wrote the fitted block of {path}")
        if arguments.file is not None:
            return 0
    report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
