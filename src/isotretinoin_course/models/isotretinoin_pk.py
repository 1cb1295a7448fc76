"""Isotretinoin's pharmacokinetic model by formulation, meal and eliminator, from ``content/pk_parameters.yml``.

The model is the two-compartment oral model with an absorption lag of :mod:`pharmacokinetics`. Its constants
are fitted (``authoring/pk_fit.py``) to one 80 mg dose of conventional capsules: the label's mean peak
concentration, time to peak and AUC, with food and fasting (74 adults), with the label's 21 h terminal half-life
and a 1.3 h distribution half-life (Colburn, Vane & Shorter 1983). The model has as many adjustable constants as
those six means, so matching them is by construction, not a test. Other parameter sets keep the same first-day
curve and clearance but a slower tail, from Nulman 1998's steady-state half-lives (29 ± 40 h): the patients' mean,
and constructed what-if scenarios (mean + 1 SD; a log-normal 95th percentile; the slowest single patient those two
summary numbers allow), which are not measured patients. Every number, with its source and kind (reported,
derived, fitted, assumed, constructed), is in the parameter file, the one home for these facts; this module only
reads it, and compares the model with measurements the fit did not use (:func:`check_against_patients`).

The earlier course model (one compartment, matching AUC and Tmax only) is :func:`one_compartment_for`, so that
notebook 03 can show both against the label.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..core.inputs import checked_arguments
from ..content.bibliography import load_bibliography
from ..content.pk_parameters import pk_parameters
from ..core.inputs import read_bool, read_choice, read_number
from ..content.ranges import read_plausible
from .pharmacokinetics import (
    HOURS_PER_DAY,
    OralModel,
    PKParameterError,
    Regimen,
    body_weight,
    parent_exponentials,
    metabolite_exponentials,
    single_dose_auc,
    single_dose_cmax,
    steady_state_average_ng_ml,
    superpose,
)

PARAMETERS: Mapping = pk_parameters()
MEALS = ("fed", "fasted")
ELIMINATORS: tuple[str, ...] = tuple(PARAMETERS["eliminators"])
KIND_WORDS = {
    "reported": "reported in the source",
    "derived": "calculated from reported numbers",
    "fitted": "fitted to the label's means",
    "assumed": "assumed (a modelling choice)",
    "constructed": "constructed for a scenario (not measured)",
}


def _value(*path: str) -> float:
    node: object = PARAMETERS
    for key in path:
        node = node[key]  # type: ignore[index]
    return float(node["value"])  # type: ignore[index]


REFERENCE_WEIGHT_KG = _value("reference_weight_kg")
LABEL_DOSE_MG = float(PARAMETERS["label_single_dose"]["dose_mg"])
LABEL: dict[str, dict[str, float]] = {
    meal: {key: float(PARAMETERS["label_single_dose"][meal][key]) for key in ("auc_ng_h_ml", "cmax_ng_ml", "tmax_h")} for meal in MEALS
}
LABEL_FED, LABEL_FASTED = LABEL["fed"], LABEL["fasted"]
LABEL_TMAX_CV_PERCENT = {meal: float(PARAMETERS["label_single_dose"][meal]["cv_percent"]["tmax"]) for meal in MEALS}
HALF_LIFE_H = _value("eliminators", "typical", "terminal_half_life_h")
METABOLITE_HALF_LIFE_H = _value("eliminators", "typical", "metabolite_half_life_h")
METABOLITE_AUC_RATIO = _value("disposition", "metabolite_auc_ratio")
DISTRIBUTION_HALF_LIFE_H = _value("disposition", "distribution_half_life_h")
PROTEIN_BINDING = _value("disposition", "protein_binding_fraction")
ENDOGENOUS_NG_ML = _value("observations", "endogenous", "isotretinoin_ng_ml")  # the body's own isotretinoin, from vitamin A
ENDOGENOUS_METABOLITE_NG_ML = _value("observations", "endogenous", "metabolite_ng_ml")


@dataclass(frozen=True)
class Eliminator:
    """One elimination scenario: its student-facing label, half-lives, how the half-life was obtained, and its caveat."""

    key: str
    label: str
    short_label: str
    terminal_half_life_h: float
    metabolite_half_life_h: float
    kind: str  # reported / constructed
    uncertainty: str

    @property
    def constructed(self) -> bool:
        return self.kind == "constructed"


@checked_arguments
def eliminator(name: object) -> Eliminator:
    """The elimination scenario ``name`` (``typical``, ``nulman_mean`` or ``slow``)."""
    key = read_choice(name, "elimination", ELIMINATORS, error=PKParameterError)
    entry = PARAMETERS["eliminators"][key]
    return Eliminator(key, entry["label"], entry["short_label"], float(entry["terminal_half_life_h"]["value"]), float(entry["metabolite_half_life_h"]["value"]),
                      entry["terminal_half_life_h"]["kind"], entry["uncertainty"])


@lru_cache(maxsize=64)
def _model(formulation: str, meal: str, with_metabolite: bool, name: str) -> OralModel:
    fitted = PARAMETERS["fitted"][name]
    product = PARAMETERS["formulations"][formulation]["meals"][meal]
    absorption = fitted["absorption"][product["absorption"]]
    disposition = fitted["disposition"]
    return OralModel(
        ka_per_h=float(absorption["ka_per_h"]["value"]),
        clearance_l_per_h_per_kg=float(disposition["clearance_l_per_h_per_kg"]["value"]),
        central_volume_l_per_kg=float(disposition["central_volume_l_per_kg"]["value"]),
        peripheral_volume_l_per_kg=float(disposition["peripheral_volume_l_per_kg"]["value"]),
        intercompartmental_clearance_l_per_h_per_kg=float(disposition["intercompartmental_clearance_l_per_h_per_kg"]["value"]),
        lag_h=float(absorption["lag_h"]["value"]),
        bioavailability=float(product["relative_bioavailability"]["value"]),
        metabolite_half_life_h=_value("eliminators", name, "metabolite_half_life_h") if with_metabolite else None,
        metabolite_auc_ratio=METABOLITE_AUC_RATIO if with_metabolite else None,
    )


@checked_arguments
def model_for(formulation: str, meal: str, with_metabolite: bool = True, eliminator: str = "typical") -> OralModel:
    """The course's model for one formulation taken ``"fed"`` or ``"fasted"``, for a typical or slower eliminator."""
    formulation = read_choice(formulation, "formulation", PARAMETERS["formulations"], error=PKParameterError)
    meal = read_choice(meal, "meal", MEALS, error=PKParameterError)
    name = read_choice(eliminator, "elimination", ELIMINATORS, error=PKParameterError)
    return _model(formulation, meal, read_bool(with_metabolite, "with_metabolite", error=PKParameterError), name)


@dataclass(frozen=True)
class Formulation:
    """A marketed formulation: strengths, exposure per mg relative to conventional capsules with food, the model's peak times."""

    name: str
    strengths_mg: tuple[float, ...]
    relative_bioavailability: dict[str, float]  # "fed" / "fasted"
    tmax_h: dict[str, float]  # the model's single-dose peak time (typical eliminator), not a measured value
    label_mg_per_kg_day: tuple[float, float]  # the label's usual daily dose range
    label_schedule: str  # how the label says to take it, after the dose range
    meal_advice: str  # for the patient, from the label's administration section
    note: str

    @property
    def label_dosing(self) -> str:
        """The label's dosing in one line, e.g. "0.5–1 mg/kg/day in two divided doses with food, 15–20 weeks"."""
        low, high = self.label_mg_per_kg_day
        return f"{low:g}–{high:g} mg/kg/day {self.label_schedule}"


def _formulations() -> dict[str, Formulation]:
    products = {}
    for key, entry in PARAMETERS["formulations"].items():
        meals = entry["meals"]
        low, high = entry["label_mg_per_kg_day"]
        products[key] = Formulation(
            name=entry["name"],
            strengths_mg=tuple(float(strength) for strength in entry["strengths_mg"]),
            relative_bioavailability={meal: float(meals[meal]["relative_bioavailability"]["value"]) for meal in MEALS},
            tmax_h={meal: model_for(key, meal, with_metabolite=False).tmax_h for meal in MEALS},
            label_mg_per_kg_day=(float(low), float(high)),
            label_schedule=entry["label_schedule"],
            meal_advice=entry["meal_advice"],
            note=entry["note"],
        )
    return products


FORMULATIONS: dict[str, Formulation] = _formulations()


# ---------------------------------------------------------------------------------------------
# The earlier one-compartment model, for comparison


@checked_arguments
def ka_for_tmax(tmax_h: float, half_life_h: float = HALF_LIFE_H) -> float:
    """The ka that puts a one-compartment peak at ``tmax_h``: ln(ka/k)/(ka − k) = tmax, solved by bisection."""
    peak = read_number(tmax_h, "time to peak", unit="hours", positive=True, error=PKParameterError)
    k = OralModel.one_compartment(1.0, half_life_h, 1.0).ke_per_h  # validates the half-life
    if peak >= 1 / k:
        raise PKParameterError("time to peak", peak, f"below {1 / k:.3g} hours",
                               message=f"a peak at {peak:g} h is impossible with a {half_life_h:g} h half-life")
    low, high = k * (1 + 1e-9), 100.0
    for _ in range(200):  # ln(ka/k)/(ka − k) falls steadily as ka rises, so the root is unique
        middle = (low + high) / 2
        if math.log(middle / k) / (middle - k) > peak:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@lru_cache(maxsize=2)
def _one_compartment(meal: str) -> OralModel:
    label = LABEL[meal]
    k = math.log(2) / HALF_LIFE_H
    volume = LABEL_DOSE_MG * 1000.0 / LABEL_FED["auc_ng_h_ml"] / k / REFERENCE_WEIGHT_KG
    return OralModel.one_compartment(ka_for_tmax(label["tmax_h"]), HALF_LIFE_H, volume,
                                     bioavailability=label["auc_ng_h_ml"] / LABEL_FED["auc_ng_h_ml"])


@checked_arguments
def one_compartment_for(meal: str) -> OralModel:
    """The earlier course model for conventional capsules: the label's Tmax and AUC, a 21 h half-life, one compartment."""
    return _one_compartment(read_choice(meal, "meal", MEALS, error=PKParameterError))


# ---------------------------------------------------------------------------------------------
# The model against its sources


def label_comparison() -> list[dict[str, object]]:
    """The label's single-dose means beside both models' values, with food and fasting (80 mg, reference adult)."""
    rows = []
    for meal, words in (("fed", "with food"), ("fasted", "fasting")):
        models = {"two compartments + delay": model_for("conventional", meal, with_metabolite=False), "one compartment": one_compartment_for(meal)}
        measures = (("Cmax (ng/mL)", "cmax_ng_ml", lambda m: single_dose_cmax(m, LABEL_DOSE_MG, REFERENCE_WEIGHT_KG)),
                    ("Tmax (h)", "tmax_h", lambda m: m.tmax_h),
                    ("AUC (ng·h/mL)", "auc_ng_h_ml", lambda m: single_dose_auc(m, LABEL_DOSE_MG, REFERENCE_WEIGHT_KG)))
        for title, key, compute in measures:
            row: dict[str, object] = {"taken": words, "measure": title, "label mean": LABEL[meal][key]}
            for name, model in models.items():
                row[name] = compute(model)
                row[f"{name}: difference"] = compute(model) / LABEL[meal][key] - 1
            rows.append(row)
    return rows


def formulation_checks() -> list[tuple[str, float, float]]:
    """(what is compared, the model's ratio, the source's ratio) for every exposure ratio a source reports."""
    def auc(formulation: str, meal: str, mg: float) -> float:
        return single_dose_auc(model_for(formulation, meal, with_metabolite=False), mg, REFERENCE_WEIGHT_KG)

    def cmax(formulation: str, meal: str, mg: float) -> float:
        return single_dose_cmax(model_for(formulation, meal, with_metabolite=False), mg, REFERENCE_WEIGHT_KG)

    return [
        ("conventional fasting / with food, AUC (label: 0.37; Webster 2013: 0.396)", auc("conventional", "fasted", 80) / auc("conventional", "fed", 80), 0.396),
        ("Absorica 40 / conventional 40 with food, AUC (bioequivalent, Absorica label 2017)", auc("absorica", "fed", 40) / auc("conventional", "fed", 40), 1.0),
        ("Absorica with food / fasting, AUC (Absorica label 2017: about 1.50)", auc("absorica", "fed", 40) / auc("absorica", "fasted", 40), 1.50),
        ("Absorica with food / fasting, Cmax (Absorica label 2017: about 1.26)", cmax("absorica", "fed", 40) / cmax("absorica", "fasted", 40), 1.26),
        ("Absorica / conventional fasting, AUC (Absorica label 2017: about 1.83)", auc("absorica", "fasted", 40) / auc("conventional", "fasted", 40), 1.83),
        ("Absorica LD 32 / Absorica 40 with food, AUC (Madan 2020: bioequivalent)", auc("absorica_ld", "fed", 32) / auc("absorica", "fed", 40), 1.0),
        ("Absorica LD 32 / Absorica 40 with food, Cmax (Madan 2020: bioequivalent)", cmax("absorica_ld", "fed", 32) / cmax("absorica", "fed", 40), 1.0),
        ("Absorica LD 32 / Absorica 40 fasting, AUC (Madan 2020: about 2)", auc("absorica_ld", "fasted", 32) / auc("absorica", "fasted", 40), 2.0),
        ("Absorica LD fasting / with food, AUC (Madan 2020: 'marginal' food effect)", auc("absorica_ld", "fasted", 32) / auc("absorica_ld", "fed", 32), 1.0),
        ("Absorica LD fasting / with food, time to peak (Madan 2020: food did not change the rate)",
         model_for("absorica_ld", "fasted", with_metabolite=False).tmax_h / model_for("absorica_ld", "fed", with_metabolite=False).tmax_h, 1.0),
    ]


@dataclass(frozen=True)
class PatientCheck:
    """The model's average at steady state beside the level measured in patients (Almond-Roesler 1998), which the fit did not use."""

    daily_dose_mg: float
    weight_kg: float
    model_average_ng_ml: float
    model_range_ng_ml: tuple[float, float]  # at the two ends of the patients' dose range, same weight
    patients_dose_mg_per_kg_day: tuple[float, float]
    patients_mean_ng_ml: float
    patients_sd_ng_ml: float
    source: str  # a readable citation

    @property
    def mg_per_kg_day(self) -> float:
        return self.daily_dose_mg / self.weight_kg

    @property
    def difference(self) -> float:
        """The model's average relative to the patients' mean (negative: below)."""
        return self.model_average_ng_ml / self.patients_mean_ng_ml - 1

    @property
    def within_one_sd(self) -> bool:
        return abs(self.model_average_ng_ml - self.patients_mean_ng_ml) <= self.patients_sd_ng_ml

    def text(self) -> str:
        low, high = self.patients_dose_mg_per_kg_day
        spread = "within one standard deviation of it" if self.within_one_sd else "outside one standard deviation of it"
        return (f"Model average at steady state, {self.daily_dose_mg:g} mg a day with food for {self.weight_kg:g} kg "
                f"({self.mg_per_kg_day:.2f} mg/kg/day): {self.model_average_ng_ml:.0f} ng/mL "
                f"({self.model_range_ng_ml[0]:.0f}–{self.model_range_ng_ml[1]:.0f} ng/mL across {low:g}–{high:g} mg/kg/day).\n"
                f"Patients on {low:g}–{high:g} mg/kg/day ({self.source}): {self.patients_mean_ng_ml:.0f} ± {self.patients_sd_ng_ml:.0f} ng/mL "
                f"(mean ± SD).\nThe model is {abs(self.difference):.0%} {'below' if self.difference < 0 else 'above'} the patients' mean, {spread}.")


@checked_arguments
def check_against_patients(daily_dose_mg: float = 60.0, weight_kg: float = REFERENCE_WEIGHT_KG) -> PatientCheck:
    """The model (conventional capsules with food) against the steady-state levels measured in patients."""
    daily_dose_mg = read_plausible(daily_dose_mg, "daily dose", "daily_dose_mg", error=PKParameterError)
    observed = PARAMETERS["observations"]["patients_on_treatment"]
    low, high = (float(value) for value in observed["dose_mg_per_kg_day"])
    weight = body_weight(weight_kg)
    return PatientCheck(
        daily_dose_mg=float(daily_dose_mg),
        weight_kg=weight,
        model_average_ng_ml=steady_state_average("conventional", "fed", daily_dose_mg, weight),
        model_range_ng_ml=(steady_state_average("conventional", "fed", low * weight, weight), steady_state_average("conventional", "fed", high * weight, weight)),
        patients_dose_mg_per_kg_day=(low, high),
        patients_mean_ng_ml=float(observed["isotretinoin_mean_ng_ml"]["value"]),
        patients_sd_ng_ml=float(observed["isotretinoin_sd_ng_ml"]["value"]),
        source=citation(observed["source"]),
    )


@checked_arguments
def citation(key: str) -> str:
    """A bibliography key as a short author–year citation a student can read ("Nulman et al. 1998")."""
    entry = load_bibliography().entry(key)
    people = [person.get("literal") or person.get("family", "") for person in entry.get("author") or []]
    year = entry["issued"]["date-parts"][0][0]
    if not people:
        return f"{entry['title']} ({year})"
    if len(people) > 3 or any(name.startswith("et al") for name in people):
        return f"{people[0]} et al. {year}"
    names = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " & " + people[-1]
    return f"{names} {year}"


# Rows of the readable parameter table: (what it is, path in the parameter file).
_TABLE_ROWS = (
    ("apparent clearance CL/F", ("disposition", "clearance_l_per_h_per_kg")),
    ("distribution half-life", ("disposition", "distribution_half_life_h")),
    ("terminal half-life, label's single-dose mean", ("eliminators", "typical", "terminal_half_life_h")),
    ("terminal half-life, mean of 16 patients after a course", ("eliminators", "nulman_mean", "terminal_half_life_h")),
    ("terminal half-life, slow eliminator (mean + 1 SD)", ("eliminators", "slow", "terminal_half_life_h")),
    ("terminal half-life, log-normal 95th percentile", ("eliminators", "lognormal_95th", "terminal_half_life_h")),
    ("terminal half-life, slowest single patient 29 ± 40 h allows", ("eliminators", "extreme", "terminal_half_life_h")),
    ("4-oxo-isotretinoin half-life, label's single-dose mean", ("eliminators", "typical", "metabolite_half_life_h")),
    ("4-oxo-isotretinoin exposure / isotretinoin exposure", ("disposition", "metabolite_auc_ratio")),
    ("central volume V1/F (label's single-dose mean)", ("fitted", "typical", "disposition", "central_volume_l_per_kg")),
    ("peripheral volume V2/F (label's single-dose mean)", ("fitted", "typical", "disposition", "peripheral_volume_l_per_kg")),
    ("exchange clearance Q/F (label's single-dose mean)", ("fitted", "typical", "disposition", "intercompartmental_clearance_l_per_h_per_kg")),
    ("absorption rate constant ka", ("fitted", "typical", "absorption", "fed", "ka_per_h")),
    ("delay before absorption, with food", ("fitted", "typical", "absorption", "fed", "lag_h")),
    ("delay before absorption, fasting", ("absorption", "fasted_lag_h")),
    ("delay before absorption, Absorica LD with or without food", ("fitted", "typical", "absorption", "absorica_ld", "lag_h")),
    ("exposure per mg, conventional fasting", ("formulations", "conventional", "meals", "fasted", "relative_bioavailability")),
    ("exposure per mg, Absorica fasting", ("formulations", "absorica", "meals", "fasted", "relative_bioavailability")),
    ("exposure per mg, Absorica LD with food", ("formulations", "absorica_ld", "meals", "fed", "relative_bioavailability")),
    ("exposure per mg, Absorica LD fasting", ("formulations", "absorica_ld", "meals", "fasted", "relative_bioavailability")),
    ("reference body weight", ("reference_weight_kg",)),
)


def parameter_table() -> list[dict[str, str]]:
    """The model's main parameters with their value, how each was obtained and its source, in words a student reads."""
    rows = []
    for name, path in _TABLE_ROWS:
        entry: object = PARAMETERS
        for key in path:
            entry = entry[key]  # type: ignore[index]
        source = entry["source"]  # type: ignore[index]
        rows.append({
            "parameter": name,
            "value": f"{entry['value']:.3g} {entry['unit']}",  # type: ignore[index]
            "how it was obtained": KIND_WORDS[entry["kind"]],  # type: ignore[index]
            "source": citation(source) if source else "none (a modelling choice)",
            "where in the source": entry["section"] or "—",  # type: ignore[index]
        })
    return rows


# ---------------------------------------------------------------------------------------------
# Washout after the last dose


@dataclass(frozen=True)
class Washout:
    """Concentrations when dosing stops and ``days_after`` days after the last dose, for one eliminator."""

    eliminator: Eliminator
    days_after: float
    parent_at_stop_ng_ml: float  # when the next dose would have been due
    parent_after_ng_ml: float
    metabolite_at_stop_ng_ml: float
    metabolite_after_ng_ml: float

    @property
    def terminal_half_life_h(self) -> float:
        return self.eliminator.terminal_half_life_h

    @property
    def parent_fraction_remaining(self) -> float:
        return self.parent_after_ng_ml / self.parent_at_stop_ng_ml

    @property
    def metabolite_fraction_remaining(self) -> float:
        return self.metabolite_after_ng_ml / self.metabolite_at_stop_ng_ml

    @property
    def half_lives_elapsed(self) -> float:
        return self.days_after * HOURS_PER_DAY / self.terminal_half_life_h


@checked_arguments
def washout(eliminator_name: str = "typical", days_after: float = 30.0, formulation: str = "conventional", meal: str = "fed",
            dose_mg: float = 30.0, interval_h: float = 12.0, course_days: float = 140.0, weight_kg: float = REFERENCE_WEIGHT_KG) -> Washout:
    """Parent and 4-oxo concentrations when a course stops and ``days_after`` days after its last dose.

    Evaluated in closed form at the two instants only, so the tiny values of a typical eliminator are computed,
    not read off a plot. The default course is 20 weeks of 30 mg twice daily with food for a 70 kg adult (0.86 mg/kg/day, within the
    label's usual 0.5–1 mg/kg/day).
    """
    scenario = eliminator(eliminator_name)
    days = read_number(days_after, "days after the last dose", unit="days", minimum=1, maximum=365, error=PKParameterError)
    model = model_for(formulation, meal, with_metabolite=True, eliminator=scenario.key)
    regimen = Regimen(dose_mg, interval_h, course_days)
    weight = body_weight(weight_kg)
    dose_times = regimen.dose_times_h()
    starts, doses = dose_times + model.lag_h, np.full(dose_times.size, regimen.dose_mg)
    instants = np.array([dose_times[-1] + regimen.interval_h, dose_times[-1] + days * HOURS_PER_DAY])
    parent = superpose(instants, starts, doses, *parent_exponentials(model, weight))
    metabolite = superpose(instants, starts, doses, *metabolite_exponentials(model, weight))
    return Washout(scenario, days, float(parent[0]), float(parent[1]), float(metabolite[0]), float(metabolite[1]))


@checked_arguments
def washout_table(days_after: float = 30.0, **course: object) -> list[Washout]:
    """:func:`washout` for every eliminator in the parameter file, typical first."""
    return [washout(name, days_after, **course) for name in ELIMINATORS]  # type: ignore[arg-type]


@checked_arguments
def steady_state_average(formulation: str, meal: str, daily_dose_mg: float, weight_kg: float, eliminator_name: str = "typical") -> float:
    """Average concentration at steady state (ng/mL): F·daily dose / (CL·24 h), whatever the model's shape."""
    return steady_state_average_ng_ml(model_for(formulation, meal, with_metabolite=False, eliminator=eliminator_name), daily_dose_mg, weight_kg)


@checked_arguments
def lognormal_quantile(mean: float, sd: float, quantile: float) -> float:
    """The ``quantile`` of a log-normal distribution with this arithmetic mean and SD.

    Used to show what a lopsided spread such as 29 ± 40 h could mean; that the half-lives follow a log-normal
    distribution is an assumption (the paper's individual values were not read), not a finding.
    """
    m = read_number(mean, "mean", positive=True, error=PKParameterError)
    s = read_number(sd, "standard deviation", positive=True, error=PKParameterError)
    q = read_number(quantile, "quantile", minimum=1e-6, maximum=1 - 1e-6, error=PKParameterError)
    sigma = math.sqrt(math.log1p((s / m) ** 2))
    mu = math.log(m) - sigma**2 / 2
    return math.exp(mu + sigma * _normal_quantile(q))


def _normal_quantile(q: float) -> float:
    """Inverse of the standard normal distribution, by bisection on math.erf (no scipy at run time)."""
    low, high = -10.0, 10.0
    for _ in range(100):
        middle = (low + high) / 2
        if 0.5 * (1 + math.erf(middle / math.sqrt(2))) < q:
            low = middle
        else:
            high = middle
    return (low + high) / 2
