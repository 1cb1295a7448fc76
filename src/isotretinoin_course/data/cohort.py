"""The synthetic patient cohort: seeded generation of the cohort's tables in ``datasets/``.

``python3 course.py datasets`` regenerates the CSV files and ``datapackage.json``
(:mod:`regenerate`); a test regenerates them into a temporary folder and checks
the result is byte-identical to what is committed. Every patient is invented.

The generator follows one patient at a time through monthly visits: a dose plan
built from real capsule strengths, a dispensing per month, laboratory tests at
baseline and on treatment, lesion counts, pregnancy tests for patients who can
get pregnant, and adverse events. Rates and timings that the course teaches
(how often triglycerides and ALT rise, when they peak, how lesions fall, how
often acne relapses) are constants below, each with the source it mimics; the
data dictionary (``datasets/README.md``) cites them. A few patients carry
planted, teachable events, listed in :data:`PLANTED`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.inputs import checked_arguments
from ..models.acne import LesionCounts, classify_severity
from ..models.dosing import CUMULATIVE_TARGETS_MG_PER_KG, STARTING_MG_PER_KG_DAY, SUPPLY_DAYS, build_regimen, days_to_target
from ..models.isotretinoin_pk import FORMULATIONS
from ..models.monitoring import ALT_ACTION_MULTIPLE, ALT_UPPER_LIMIT_U_L, TRIGLYCERIDES_VERY_HIGH_MG_DL
from ..core.errors import CourseInputError
from ..core.inputs import read_count, read_seed
from .demo import LESION_TIME_CONSTANT_SPREAD, LESION_TIME_CONSTANT_WEEKS, MAX_PATIENTS
from .schema import SCHEMAS

COHORT_SEED = 20261122
N_PATIENTS = 240
ENROLMENT_START = dt.date(2025, 1, 6)
ENROLMENT_DAYS = 300
CYCLE_DAYS = SUPPLY_DAYS  # one dispensing a cycle, of one month's supply

# ---- shares chosen for the synthetic population (illustrative, not shaped after a study)
SHARE_FEMALE = 0.5
SHARE_FEMALE_CANNOT_GET_PREGNANT = 0.1
FORMULATION_SHARES = {"conventional": 0.7, "absorica": 0.2, "absorica_ld": 0.1}
# The first month at the usual starting dose, then the top of each product's label range.
MAINTENANCE_MG_PER_KG = {name: product.label_mg_per_kg_day[1] for name, product in FORMULATIONS.items()}

# ---- laboratory values: the on-treatment changes the cohort mimics (reference limits: models/monitoring.py)
TRIGLYCERIDE_ACTION_MG_DL = TRIGLYCERIDES_VERY_HIGH_MG_DL  # a planted result past it reduces the dose
ALT_ACTION_MULTIPLE_OF_ULN = ALT_ACTION_MULTIPLE
# Calibrated so that, among patients normal at baseline, new abnormalities during the course occur in about
# 44% (triglycerides > 150 mg/dL), 31% (total cholesterol > 200 mg/dL) and 11% (ALT > 40 U/L), as in Zane et al.
# 2006 (retrospective cohort, 13,772 patients). Zane graded against each laboratory's limits with CTCAE v3.0; the
# cohort uses these fixed cut-offs, so the match is approximate. The synthetic rises were set to peak at month 2,
# consistent with abnormalities being detected at a mean of 50-62 days in one centre (Hansen et al. 2016, 515
# patients; detection times under varying test schedules, not peak times). Grade 3 or worse triglycerides stay under
# 1% (Barbieri et al. 2020, 1,863 patients). tests/test_cohort.py checks it.
PUBLISHED_NEW_ABNORMALITY = {"triglycerides_mg_dl": 0.44, "total_cholesterol_mg_dl": 0.31, "alt_u_l": 0.11}
BASELINE_MEDIANS = {"triglycerides_mg_dl": 85.0, "total_cholesterol_mg_dl": 165.0, "hdl_mg_dl": 52.0, "alt_u_l": 18.0, "ast_u_l": 20.0}
BASELINE_SPREAD = {"triglycerides_mg_dl": 0.35, "total_cholesterol_mg_dl": 0.15, "hdl_mg_dl": 0.18, "alt_u_l": 0.35, "ast_u_l": 0.25}
ON_TREATMENT_RISE = {"triglycerides_mg_dl": (0.52, 0.35), "total_cholesterol_mg_dl": (0.14, 0.1), "hdl_mg_dl": (-0.05, 0.08), "alt_u_l": (0.15, 0.3), "ast_u_l": (0.08, 0.25)}
PEAK_MONTH = 2
LAB_MONTHS = (1, 2)

# ---- response and relapse
# Lesions fall with the shape of notebook 02's synthetic curves (data/demo.py: LESION_TIME_CONSTANT_WEEKS and its spread).
# The share who relapse mimics Lai and Barbieri 2025 (retrospective claims cohort, 19,907 patients: 22.5% needed a new
# ORAL acne treatment; about 35% any new acne prescription). The cohort has no prescriptions after the course, so here
# "relapse" means lesions coming back, a teaching choice: how far they come back (RELAPSE_RETURN_SHARE) is invented.
RELAPSE_SHARE = 0.225
RELAPSE_RETURN_SHARE = {1: 0.15, 3: 0.35}  # fraction of baseline lesions by months after the course (invented)
FOLLOW_UP_MONTHS = (1, 3)


@dataclass
class PlantedEvents:
    """Patients who carry the teachable events, chosen by position so they are stable across versions."""

    triglycerides_past_action: tuple[int, ...] = (7, 131)
    alt_rise: tuple[int, ...] = (23, 164)
    missed_pickup: tuple[int, ...] = (12, 88, 150)
    relapse_after_course: tuple[int, ...] = (3, 77, 142, 215)
    positive_pregnancy_test: tuple[int, ...] = ()


PLANTED = PlantedEvents()


@dataclass
class CohortTables:
    patients: list[dict] = field(default_factory=list)
    dispensing: list[dict] = field(default_factory=list)
    labs: list[dict] = field(default_factory=list)
    lesion_counts: list[dict] = field(default_factory=list)
    pregnancy_tests: list[dict] = field(default_factory=list)
    adverse_events: list[dict] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: pd.DataFrame(rows, columns=[f["name"] for f in SCHEMAS[name]["fields"]]) for name, rows in vars(self).items()}


def _baseline_lesions(rng: np.random.Generator, severity: str) -> LesionCounts:
    """Lesion counts drawn to fall inside the band of the requested grade (checked by classify_severity)."""
    while True:
        if severity == "severe":
            counts = LesionCounts(int(rng.integers(20, 90)), int(rng.integers(25, 70)), int(rng.integers(3, 12)))
        else:
            counts = LesionCounts(int(rng.integers(20, 70)), int(rng.integers(15, 45)), int(rng.integers(0, 4)))
        if classify_severity(counts).grade == severity:
            return counts


def _iso(date: dt.date | None) -> str:
    return "" if date is None else date.isoformat()


@checked_arguments
def generate(n: int = N_PATIENTS, seed: int = COHORT_SEED) -> CohortTables:
    """Generate the whole cohort. Same ``n`` and ``seed`` → the same tables, to the byte."""
    n = read_count(n, "n", maximum=MAX_PATIENTS, what="patients")
    rng = np.random.default_rng(read_seed(seed))
    tables = CohortTables()
    dispense_number = 0
    for index in range(n):
        number = index + 1
        patient_id = f"SYN-{number:04d}"
        female = rng.random() < SHARE_FEMALE
        age = int(rng.integers(14, 36))
        weight = float(np.clip(rng.normal(62 if female else 74, 10), 40, 130).round(1))
        category = "can_get_pregnant" if female and rng.random() >= SHARE_FEMALE_CANNOT_GET_PREGNANT else "cannot_get_pregnant"
        severity = "severe" if rng.random() < 0.6 else "moderate"
        formulation = str(rng.choice(list(FORMULATION_SHARES), p=list(FORMULATION_SHARES.values())))
        target = float(rng.choice(CUMULATIVE_TARGETS_MG_PER_KG))
        start = ENROLMENT_START + dt.timedelta(days=int(rng.integers(0, ENROLMENT_DAYS)))
        baseline = _baseline_lesions(rng, severity)

        starting = build_regimen(STARTING_MG_PER_KG_DAY, weight, formulation)
        maintenance = build_regimen(MAINTENANCE_MG_PER_KG[formulation], weight, formulation)
        reduced = starting  # the dose a planted abnormal result drops the patient back to

        # Laboratory course: baseline draws, then a multiplicative rise that peaks at PEAK_MONTH.
        base_labs = {name: BASELINE_MEDIANS[name] * math.exp(rng.normal(0, BASELINE_SPREAD[name])) for name in BASELINE_MEDIANS}
        rise = {name: rng.normal(*ON_TREATMENT_RISE[name]) for name in ON_TREATMENT_RISE}
        if index in PLANTED.triglycerides_past_action:
            rise["triglycerides_mg_dl"] = math.log(TRIGLYCERIDE_ACTION_MG_DL * rng.uniform(1.1, 1.5) / base_labs["triglycerides_mg_dl"])
        if index in PLANTED.alt_rise:
            rise["alt_u_l"] = math.log(ALT_UPPER_LIMIT_U_L * ALT_ACTION_MULTIPLE_OF_ULN * rng.uniform(1.05, 1.4) / base_labs["alt_u_l"])

        def lab_values(month: int, on_reduced_dose: bool) -> dict[str, float]:
            values = {}
            for name, value in base_labs.items():
                fraction = min(month, PEAK_MONTH) / PEAK_MONTH if month > 0 else 0.0
                factor = math.exp(max(rise[name], -0.3) * fraction * (0.45 if on_reduced_dose else 1.0))
                values[name] = value * factor * math.exp(rng.normal(0, 0.05))
            return values

        def add_labs(date: dt.date, visit: str, values: dict[str, float]) -> None:
            tables.labs.append(
                {
                    "patient_id": patient_id, "date": _iso(date), "visit": visit, "fasting": "true",
                    "triglycerides_mg_dl": round(values["triglycerides_mg_dl"]),
                    "total_cholesterol_mg_dl": round(values["total_cholesterol_mg_dl"]),
                    "hdl_mg_dl": round(values["hdl_mg_dl"]),
                    "alt_u_l": max(5, round(values["alt_u_l"])),
                    "ast_u_l": max(5, round(values["ast_u_l"])),
                }
            )

        add_labs(start - dt.timedelta(days=int(rng.integers(7, 15))), "baseline", lab_values(0, False))
        if category == "can_get_pregnant":
            tables.pregnancy_tests.append({"patient_id": patient_id, "date": _iso(start - dt.timedelta(days=30)), "purpose": "screening", "result": "negative"})
            tables.pregnancy_tests.append({"patient_id": patient_id, "date": _iso(start - dt.timedelta(days=2)), "purpose": "confirmation", "result": "negative"})

        # Monthly cycles until the cumulative target is reached.
        cumulative_mg = 0.0
        month, cycle_start, dose_reduced, held = 0, start, False, False
        lesion_tau_weeks = LESION_TIME_CONSTANT_WEEKS * math.exp(rng.normal(0, LESION_TIME_CONSTANT_SPREAD))
        tables.lesion_counts.append(
            {"patient_id": patient_id, "date": _iso(start), "visit": "baseline", "comedones": baseline.comedones,
             "inflammatory": baseline.inflammatory, "nodules": baseline.nodules}
        )
        while cumulative_mg < target * weight - 1e-6 and month < 12:
            month += 1
            regimen = reduced if dose_reduced else (starting if month == 1 else maintenance)
            visit_date = cycle_start
            if month > 1:
                lesions_factor = math.exp(-((visit_date - start).days / 7) / lesion_tau_weeks)
                tables.lesion_counts.append(
                    {"patient_id": patient_id, "date": _iso(visit_date), "visit": f"month_{month - 1}",
                     "comedones": round(baseline.comedones * lesions_factor), "inflammatory": round(baseline.inflammatory * lesions_factor),
                     "nodules": round(baseline.nodules * lesions_factor)}
                )
            if category == "can_get_pregnant" and month > 1:
                tables.pregnancy_tests.append({"patient_id": patient_id, "date": _iso(visit_date), "purpose": "monthly", "result": "negative"})
            remaining_days = days_to_target(target, regimen.daily_mg, weight, cumulative_mg / weight)
            supply = min(CYCLE_DAYS, remaining_days)
            pickup_delay = int(rng.integers(0, 4))
            missed = index in PLANTED.missed_pickup and month == 3

            def dispense(prescribed: dt.date, collected: dt.date | None) -> None:
                nonlocal dispense_number
                dispense_number += 1
                tables.dispensing.append(
                    {
                        "dispense_id": f"DSP-{dispense_number:05d}", "patient_id": patient_id, "prescription_date": _iso(prescribed),
                        "pickup_date": _iso(collected), "formulation": formulation,
                        "morning_mg": "+".join(f"{mg:g}" for mg in regimen.morning_mg),
                        "evening_mg": "+".join(f"{mg:g}" for mg in regimen.evening_mg), "daily_dose_mg": f"{regimen.daily_mg:g}",
                        "capsules": regimen.capsules_per_day * supply, "days_supply": supply,
                    }
                )

            collected = visit_date + dt.timedelta(days=pickup_delay)
            dispense(visit_date, None if missed else collected)
            if missed:
                # Nothing taken this cycle: the prescription is written again a week later and picked up the next day. By then
                # the 7-day window of the visit's pregnancy test has closed, so a patient who can get pregnant has a repeat test
                # on the day of the new prescription (tests/test_programme_check.py runs the rules engine over every patient).
                retry = visit_date + dt.timedelta(days=7)
                if category == "can_get_pregnant":
                    tables.pregnancy_tests.append({"patient_id": patient_id, "date": _iso(retry), "purpose": "repeat", "result": "negative"})
                collected = retry + dt.timedelta(days=1)
                dispense(retry, collected)
                cycle_start = retry + dt.timedelta(days=1)
            # The course ends when the last supply runs out, which a short final supply brings forward.
            supply_runs_out = collected + dt.timedelta(days=supply)
            cumulative_mg += regimen.daily_mg * supply
            lab_month = month if month <= max(LAB_MONTHS) else None
            if lab_month in LAB_MONTHS or dose_reduced and month == 4:
                lab_date = visit_date + dt.timedelta(days=CYCLE_DAYS - 2)
                values = lab_values(month, dose_reduced)
                add_labs(lab_date, f"month_{month}", values)
                too_high = values["triglycerides_mg_dl"] >= TRIGLYCERIDE_ACTION_MG_DL or values["alt_u_l"] >= ALT_ACTION_MULTIPLE_OF_ULN * ALT_UPPER_LIMIT_U_L
                if too_high and not dose_reduced:
                    dose_reduced = True
                    tables.adverse_events.append(
                        {"patient_id": patient_id, "date": _iso(lab_date), "event": "laboratory abnormality",
                         "detail": "triglycerides above the action threshold" if values["triglycerides_mg_dl"] >= TRIGLYCERIDE_ACTION_MG_DL else "ALT above three times the upper limit",
                         "severity": "moderate", "action": "dose reduced; laboratory tests repeated"}
                    )
            cycle_start = cycle_start + dt.timedelta(days=CYCLE_DAYS)
        end = supply_runs_out
        # Follow-up after the course: lesions (some relapse) and the post-course pregnancy test.
        relapses = index in PLANTED.relapse_after_course or (rng.random() < RELAPSE_SHARE - len(PLANTED.relapse_after_course) / n)
        end_factor = math.exp(-((end - start).days / 7) / lesion_tau_weeks)
        for months_after in FOLLOW_UP_MONTHS:
            # A relapsing patient's inflammatory lesions come back towards a share of baseline.
            factor = max(end_factor, RELAPSE_RETURN_SHARE[months_after]) if relapses else end_factor
            tables.lesion_counts.append(
                {"patient_id": patient_id, "date": _iso(end + dt.timedelta(days=30 * months_after)), "visit": f"follow_up_{months_after}",
                 "comedones": round(baseline.comedones * factor), "inflammatory": round(baseline.inflammatory * factor),
                 "nodules": round(baseline.nodules * factor * (0.5 if relapses else 1.0))}
            )
        if category == "can_get_pregnant":  # the label asks for a test at the end of the course and one month after (section 5.15)
            tables.pregnancy_tests.append({"patient_id": patient_id, "date": _iso(end), "purpose": "end_of_treatment", "result": "negative"})
            tables.pregnancy_tests.append({"patient_id": patient_id, "date": _iso(end + dt.timedelta(days=30)), "purpose": "post_treatment", "result": "negative"})
        if rng.random() < 0.9:
            tables.adverse_events.append({"patient_id": patient_id, "date": _iso(start + dt.timedelta(days=int(rng.integers(7, 28)))), "event": "cheilitis", "detail": "dry, cracked lips", "severity": "mild", "action": "lip balm advised"})
        if rng.random() < 0.5:
            tables.adverse_events.append({"patient_id": patient_id, "date": _iso(start + dt.timedelta(days=int(rng.integers(10, 60)))), "event": "dry skin", "detail": "xerosis", "severity": "mild", "action": "emollient advised"})
        tables.patients.append(
            {
                "patient_id": patient_id, "age_years": age, "sex": "female" if female else "male", "weight_kg": f"{weight:.1f}",
                "pregnancy_risk_category": category, "baseline_severity": severity, "formulation": formulation,
                "start_date": _iso(start), "end_date": _iso(end), "cumulative_target_mg_per_kg": f"{target:g}",
            }
        )
    return tables


PLANTED_DESCRIPTIONS = {  # what each kind of planted event is called in the patient explorer's list
    "triglycerides_past_action": f"triglycerides past {TRIGLYCERIDE_ACTION_MG_DL:g}",
    "alt_rise": "ALT rise",
    "missed_pickup": "missed pick-up",
    "relapse_after_course": "relapse after the course",
}


def planted_labels() -> dict[str, str]:
    """Patient ids that carry a teachable event, with what it is."""
    labels: dict[str, list[str]] = {}
    for field_name, text in PLANTED_DESCRIPTIONS.items():
        for index in getattr(PLANTED, field_name):
            labels.setdefault(f"SYN-{index + 1:04d}", []).append(text)
    return {patient: ", ".join(items) for patient, items in labels.items()}
