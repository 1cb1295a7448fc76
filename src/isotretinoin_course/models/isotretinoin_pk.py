"""Isotretinoin's pharmacokinetic parameters by formulation and meal, each with its source.

The model is the one-compartment oral model of :mod:`pharmacokinetics`. Its
parameters are chosen so that it reproduces the label's single-dose figures for
the conventional capsule (80 mg, 74 healthy adults): the **AUC** fed and
fasted, and the **time to peak**. A one-compartment model cannot also match the
label's peak concentration: isotretinoin distributes into tissues during the
first hours (distribution half-life about 1.3 h), which a single compartment
leaves out, so the model's peaks are lower than measured ones. We match
exposure because exposure decides accumulation, steady state and washout, the
questions notebook 03 asks; the notebook shows the peak mismatch openly.

Sources (keys in the course bibliography): half-lives and the metabolite ratio
from the generic label's Clinical Pharmacology section (openfda-isotretinoin-0114567b,
dailymed-sotret wording) with Khoo 1982 and Nulman 1998; fed/fasted exposure
from the same label and Webster 2013; Absorica Tmax and food effect from the
Absorica label (fda-absorica-2023); Absorica LD from the same label and Madan 2020.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.inputs import read_choice
from .pharmacokinetics import OralModel, PKParameterError

HALF_LIFE_H = 21.0  # parent, label (74 adults, fed and fasted alike); Khoo 1982: about 20 h
METABOLITE_HALF_LIFE_H = 24.0  # 4-oxo-isotretinoin, label; Nulman 1998: 22 ± 10 h at steady state
METABOLITE_AUC_RATIO = 3.4  # 4-oxo : parent exposure at steady state, fed or fasted (label)
PROTEIN_BINDING = 0.999  # "more than 99.9%", mainly albumin (label)

# The label's single 80 mg dose of conventional capsules (2 x 40 mg), 74 healthy adults.
LABEL_DOSE_MG = 80.0
LABEL_FED = {"auc_ng_h_ml": 10004.0, "cmax_ng_ml": 862.0, "tmax_h": 5.3}
LABEL_FASTED = {"auc_ng_h_ml": 3703.0, "cmax_ng_ml": 301.0, "tmax_h": 3.2}
MEALS = ("fed", "fasted")
# Body weights were not reported; V/F is expressed per kg for an assumed 70 kg adult.
REFERENCE_WEIGHT_KG = 70.0


def ka_for_tmax(tmax_h: float, half_life_h: float = HALF_LIFE_H) -> float:
    """The absorption rate constant that puts a one-compartment peak at ``tmax_h``.

    Solves ln(ka/ke) / (ka − ke) = tmax for ka > ke by bisection (the left side
    falls steadily as ka rises, so the root is unique).
    """
    ke = math.log(2) / half_life_h
    if tmax_h <= 0 or tmax_h >= 1 / ke:
        raise PKParameterError(f"a peak at {tmax_h:g} h is impossible with a {half_life_h:g} h half-life")
    low, high = ke * (1 + 1e-9), 100.0
    for _ in range(200):
        middle = (low + high) / 2
        if math.log(middle / ke) / (middle - ke) > tmax_h:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _volume_l_per_kg() -> float:
    """V/F (fed, conventional capsule) = Dose / (AUC · ke), per kg of the assumed reference adult."""
    ke = math.log(2) / HALF_LIFE_H
    clearance_l_h = LABEL_DOSE_MG / LABEL_FED["auc_ng_h_ml"] * 1000.0
    return clearance_l_h / ke / REFERENCE_WEIGHT_KG


VOLUME_L_PER_KG = _volume_l_per_kg()


@dataclass(frozen=True)
class Formulation:
    """A marketed formulation: strengths, and exposure per mg relative to conventional capsules taken with food."""

    name: str
    strengths_mg: tuple[float, ...]
    relative_bioavailability: dict[str, float]  # "fed" / "fasted"
    tmax_h: dict[str, float]
    label_mg_per_kg_day: tuple[float, float]  # the label's usual daily dose range
    label_schedule: str  # how the label says to take it, after the dose range
    meal_advice: str  # for the patient, from the label's administration section
    note: str

    @property
    def label_dosing(self) -> str:
        """The label's dosing in one line, e.g. "0.5–1 mg/kg/day in two divided doses with food, 15–20 weeks"."""
        low, high = self.label_mg_per_kg_day
        return f"{low:g}–{high:g} mg/kg/day {self.label_schedule}"


FORMULATIONS: dict[str, Formulation] = {
    "conventional": Formulation(
        name="Conventional capsules (soybean-oil fill; Accutane-type generics)",
        strengths_mg=(10, 20, 30, 40),
        relative_bioavailability={"fed": 1.0, "fasted": LABEL_FASTED["auc_ng_h_ml"] / LABEL_FED["auc_ng_h_ml"]},
        tmax_h={"fed": LABEL_FED["tmax_h"], "fasted": LABEL_FASTED["tmax_h"]},
        label_mg_per_kg_day=(0.5, 1.0),
        label_schedule="in two divided doses with food, 15–20 weeks",
        meal_advice="with a meal",
        note="A high-fat meal more than doubled Cmax and AUC (label); fasted exposure 39.6% of fed (Webster 2013).",
    ),
    "absorica": Formulation(
        name="Absorica (Lidose formulation)",
        strengths_mg=(10, 20, 25, 30, 35, 40),
        # Bioequivalent to the conventional capsule with a high-fat meal (2017 Absorica label);
        # fed AUC about 50% above fasted (label), so fasted = 1/1.5 of fed (Webster 2013: 66.8%).
        relative_bioavailability={"fed": 1.0, "fasted": 1 / 1.5},
        tmax_h={"fed": 6.4, "fasted": 2.9},
        label_mg_per_kg_day=(0.5, 1.0),
        label_schedule="in two divided doses with or without meals, 15–20 weeks",
        meal_advice="with or without a meal",
        note="Less dependent on food than conventional capsules; not substitutable with Absorica LD.",
    ),
    "absorica_ld": Formulation(
        name="Absorica LD (micronised)",
        strengths_mg=(8, 16, 20, 24, 28, 32),
        # 32 mg fed is bioequivalent to Absorica 40 mg fed (Madan 2020): 40/32 = 1.25 per mg.
        # Food had only a marginal effect on the extent of absorption, so fasted is taken as equal.
        relative_bioavailability={"fed": 1.25, "fasted": 1.25},
        tmax_h={"fed": 5.0, "fasted": 3.5},
        label_mg_per_kg_day=(0.4, 0.8),
        label_schedule="in two divided doses with or without meals, 15–20 weeks",
        meal_advice="with or without a meal",
        note="Lower milligram strengths give exposure like Absorica's; the 20 mg strengths of the two are not interchangeable.",
    ),
}


def model_for(formulation: str, meal: str, with_metabolite: bool = True) -> OralModel:
    """The course's model for one formulation taken ``"fed"`` or ``"fasted"``."""
    formulation = read_choice(formulation, "formulation", FORMULATIONS, error=PKParameterError)
    meal = read_choice(meal, "meal", MEALS, error=PKParameterError)
    product = FORMULATIONS[formulation]
    return OralModel(
        ka_per_h=ka_for_tmax(product.tmax_h[meal]),
        half_life_h=HALF_LIFE_H,
        volume_l_per_kg=VOLUME_L_PER_KG,
        bioavailability=product.relative_bioavailability[meal],
        metabolite_half_life_h=METABOLITE_HALF_LIFE_H if with_metabolite else None,
        metabolite_auc_ratio=METABOLITE_AUC_RATIO if with_metabolite else None,
    )
