"""The synthetic patient cohort: seeded generation of every table in ``datasets/``.

Run ``python3 course.py datasets`` to regenerate the CSV files and
``datapackage.json``; a test regenerates them into a temporary folder and checks
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
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import audit_log
from .acne import LesionCounts, classify_severity
from .datasets import field_schema
from .dosing import build_regimen, days_to_target

COHORT_SEED = 20261122
N_PATIENTS = 240
ENROLMENT_START = dt.date(2025, 1, 6)
ENROLMENT_DAYS = 300
CYCLE_DAYS = 30  # one dispensing = a 30-day supply
FILE_PREFIX = "synthetic_"

# ---- shares chosen for the synthetic population (illustrative, not shaped after a study)
SHARE_FEMALE = 0.5
SHARE_FEMALE_CANNOT_GET_PREGNANT = 0.1
FORMULATION_SHARES = {"conventional": 0.7, "absorica": 0.2, "absorica_ld": 0.1}
STARTING_MG_PER_KG = 0.5  # first month, then the maintenance dose
MAINTENANCE_MG_PER_KG = {"conventional": 1.0, "absorica": 1.0, "absorica_ld": 0.8}
CUMULATIVE_TARGETS_MG_PER_KG = (120.0, 150.0)

# ---- laboratory values: reference ranges and the on-treatment changes the cohort mimics
REFERENCE_RANGES = {
    "triglycerides_mg_dl": (None, 150.0),
    "total_cholesterol_mg_dl": (None, 200.0),
    "hdl_mg_dl": (40.0, None),
    "alt_u_l": (None, 40.0),
    "ast_u_l": (None, 40.0),
}
TRIGLYCERIDE_ACTION_MG_DL = 500.0
ALT_ACTION_MULTIPLE_OF_ULN = 3.0
# Calibrated so that, among patients normal at baseline, new abnormalities during the course occur in about
# 44% (triglycerides > 150 mg/dL), 31% (total cholesterol > 200 mg/dL) and 11% (ALT > 40 U/L), as in Zane et al.
# 2006 (13,772 patients); changes peak at month 2, where Hansen et al. 2016 found abnormalities detected
# (mean day 50-62); grade 3 or worse triglycerides stay under 1% (Barbieri et al. 2020). tests/test_cohort.py checks it.
PUBLISHED_NEW_ABNORMALITY = {"triglycerides_mg_dl": 0.44, "total_cholesterol_mg_dl": 0.31, "alt_u_l": 0.11}
BASELINE_MEDIANS = {"triglycerides_mg_dl": 85.0, "total_cholesterol_mg_dl": 165.0, "hdl_mg_dl": 52.0, "alt_u_l": 18.0, "ast_u_l": 20.0}
BASELINE_SPREAD = {"triglycerides_mg_dl": 0.35, "total_cholesterol_mg_dl": 0.15, "hdl_mg_dl": 0.18, "alt_u_l": 0.35, "ast_u_l": 0.25}
ON_TREATMENT_RISE = {"triglycerides_mg_dl": (0.52, 0.35), "total_cholesterol_mg_dl": (0.14, 0.1), "hdl_mg_dl": (-0.05, 0.08), "alt_u_l": (0.15, 0.3), "ast_u_l": (0.08, 0.25)}
PEAK_MONTH = 2
LAB_MONTHS = (1, 2)

# ---- response and relapse
LESION_TIME_CONSTANT_WEEKS = 13.3
LESION_TIME_CONSTANT_SPREAD = 0.9
RELAPSE_SHARE = 0.225  # relapse after a course: 22.5% in 19,907 patients (Lai and Barbieri 2025)
RELAPSE_RETURN_SHARE = {1: 0.15, 3: 0.35}  # fraction of baseline lesions by months after the course
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


def generate(n: int = N_PATIENTS, seed: int = COHORT_SEED) -> CohortTables:
    """Generate the whole cohort. Same ``n`` and ``seed`` → the same tables, to the byte."""
    if n < 1:
        raise ValueError(f"the cohort needs at least one patient, got {n}")
    rng = np.random.default_rng(seed)
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

        starting = build_regimen(STARTING_MG_PER_KG, weight, formulation)
        maintenance = build_regimen(MAINTENANCE_MG_PER_KG[formulation], weight, formulation)
        reduced = starting  # the dose a planted abnormal result drops the patient back to

        # Laboratory course: baseline draws, then a multiplicative rise that peaks at PEAK_MONTH.
        base_labs = {name: BASELINE_MEDIANS[name] * math.exp(rng.normal(0, BASELINE_SPREAD[name])) for name in BASELINE_MEDIANS}
        rise = {name: rng.normal(*ON_TREATMENT_RISE[name]) for name in ON_TREATMENT_RISE}
        if index in PLANTED.triglycerides_past_action:
            rise["triglycerides_mg_dl"] = math.log(TRIGLYCERIDE_ACTION_MG_DL * rng.uniform(1.1, 1.5) / base_labs["triglycerides_mg_dl"])
        if index in PLANTED.alt_rise:
            rise["alt_u_l"] = math.log(REFERENCE_RANGES["alt_u_l"][1] * ALT_ACTION_MULTIPLE_OF_ULN * rng.uniform(1.05, 1.4) / base_labs["alt_u_l"])

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
                # Nothing taken this cycle: the prescription is written again a week later and picked up.
                retry = visit_date + dt.timedelta(days=7)
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
                too_high = values["triglycerides_mg_dl"] >= TRIGLYCERIDE_ACTION_MG_DL or values["alt_u_l"] >= ALT_ACTION_MULTIPLE_OF_ULN * REFERENCE_RANGES["alt_u_l"][1]
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
        if category == "can_get_pregnant":
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


# ---------------------------------------------------------------------------- schema (the data dictionary's machine half)

_field = field_schema


PATIENT_ID = _field("patient_id", "string", "Synthetic patient identifier", pattern="SYN-[0-9]{4}")
DATE_MIN, DATE_MAX = "2024-11-01", "2027-06-30"
PATIENT_FOREIGN_KEY = [{"fields": "patient_id", "reference": {"resource": "patients", "fields": "patient_id"}}]

SCHEMAS: dict[str, dict] = {
    "patients": {
        "fields": [
            PATIENT_ID,
            _field("age_years", "integer", "Age at the start of treatment", "years", minimum=12, maximum=60),
            _field("sex", "string", "Sex", enum=["female", "male"]),
            _field("weight_kg", "number", "Body weight at the start", "kg", minimum=35, maximum=150),
            _field("pregnancy_risk_category", "string", "iPLEDGE patient category (two categories since December 2021)", enum=["can_get_pregnant", "cannot_get_pregnant"]),
            _field("baseline_severity", "string", "Grade from baseline lesion counts (notebook 01's teaching scheme)", enum=["moderate", "severe"]),
            _field("formulation", "string", "Product dispensed", enum=list(FORMULATION_SHARES)),
            _field("start_date", "date", "First day of treatment", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("end_date", "date", "Day after the last supply ran out", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("cumulative_target_mg_per_kg", "number", "Planned cumulative dose", "mg/kg", minimum=60, maximum=300),
        ],
        "primaryKey": "patient_id",
    },
    "dispensing": {
        "fields": [
            _field("dispense_id", "string", "Dispensing record", pattern="DSP-[0-9]{5}", unique=True),
            PATIENT_ID,
            _field("prescription_date", "date", "Date the prescription was written (the monthly visit)", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("pickup_date", "date", "Date the patient collected it; empty if never collected", minimum=DATE_MIN, maximum=DATE_MAX, required=False),
            _field("formulation", "string", "Product", enum=list(FORMULATION_SHARES)),
            _field("morning_mg", "string", "Capsule strengths taken in the morning, e.g. 40 or 40+10", pattern="[0-9]+(\\+[0-9]+)?"),
            _field("evening_mg", "string", "Capsule strengths taken in the evening", pattern="[0-9]+(\\+[0-9]+)?"),
            _field("daily_dose_mg", "number", "Total daily dose", "mg", minimum=8, maximum=200),
            _field("capsules", "integer", "Capsules dispensed", "capsules", minimum=1, maximum=150),
            _field("days_supply", "integer", "Days the supply lasts", "days", minimum=1, maximum=30),
        ],
        "primaryKey": "dispense_id",
        "foreignKeys": PATIENT_FOREIGN_KEY,
    },
    "labs": {
        "fields": [
            PATIENT_ID,
            _field("date", "date", "Date the blood was drawn", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("visit", "string", "baseline or month_N of treatment", pattern="baseline|month_[0-9]+"),
            _field("fasting", "boolean", "Fasting sample"),
            _field("triglycerides_mg_dl", "integer", "Fasting triglycerides (reference < 150 mg/dL)", "mg/dL", minimum=20, maximum=3000),
            _field("total_cholesterol_mg_dl", "integer", "Total cholesterol (reference < 200 mg/dL)", "mg/dL", minimum=60, maximum=600),
            _field("hdl_mg_dl", "integer", "HDL cholesterol (reference ≥ 40 mg/dL)", "mg/dL", minimum=10, maximum=150),
            _field("alt_u_l", "integer", "Alanine aminotransferase (reference ≤ 40 U/L)", "U/L", minimum=3, maximum=2000),
            _field("ast_u_l", "integer", "Aspartate aminotransferase (reference ≤ 40 U/L)", "U/L", minimum=3, maximum=2000),
        ],
        "primaryKey": ["patient_id", "date"],
        "foreignKeys": PATIENT_FOREIGN_KEY,
    },
    "lesion_counts": {
        "fields": [
            PATIENT_ID,
            _field("date", "date", "Visit date", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("visit", "string", "baseline, month_N of treatment or follow_up_N months after", pattern="baseline|month_[0-9]+|follow_up_[0-9]+"),
            _field("comedones", "integer", "Open and closed comedones (face)", "lesions", minimum=0, maximum=1000),
            _field("inflammatory", "integer", "Papules and pustules (face)", "lesions", minimum=0, maximum=1000),
            _field("nodules", "integer", "Inflammatory nodules of 5 mm or more (face)", "lesions", minimum=0, maximum=200),
        ],
        "primaryKey": ["patient_id", "date"],
        "foreignKeys": PATIENT_FOREIGN_KEY,
    },
    "pregnancy_tests": {
        "fields": [
            PATIENT_ID,
            _field("date", "date", "Date of the test", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("purpose", "string", "Why the test was done", enum=["screening", "confirmation", "monthly", "post_treatment"]),
            _field("result", "string", "Result", enum=["negative", "positive"]),
        ],
        "primaryKey": ["patient_id", "date"],
        "foreignKeys": PATIENT_FOREIGN_KEY,
    },
    "adverse_events": {
        "fields": [
            PATIENT_ID,
            _field("date", "date", "Date reported", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("event", "string", "Event", enum=["cheilitis", "dry skin", "laboratory abnormality"]),
            _field("detail", "string", "What was seen"),
            _field("severity", "string", "Severity", enum=["mild", "moderate", "severe"]),
            _field("action", "string", "What was done"),
        ],
        "primaryKey": ["patient_id", "date", "event"],
        "foreignKeys": PATIENT_FOREIGN_KEY,
    },
}


def data_package() -> dict:
    return {
        "name": "isotretinoin-course-synthetic-cohort",
        "title": "SYNTHETIC isotretinoin patient cohort (teaching data, not real patients)",
        "description": (
            f"{N_PATIENTS} invented patients generated by isotretinoin_course.cohort (seed {COHORT_SEED}), and a pharmacy "
            f"dispensing log of {audit_log.N_AUDIT_PATIENTS} invented patients with planted violations (isotretinoin_course.audit_log). "
            "No real patient data. See datasets/README.md for the data dictionary and the sources each rate mimics."
        ),
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [
            {"name": name, "path": f"{FILE_PREFIX}{name}.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8", "schema": schema}
            for name, schema in {**SCHEMAS, **audit_log.AUDIT_SCHEMAS}.items()
        ],
    }


def write(directory: Path, n: int = N_PATIENTS, seed: int = COHORT_SEED) -> list[Path]:
    """Write every CSV and ``datapackage.json`` into ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in {**generate(n, seed).frames(), **audit_log.generate()}.items():
        sort_keys = [key for key in ("patient_id", "date", "prescription_date", "dispense_id") if key in frame.columns]
        frame = frame.sort_values(sort_keys, kind="stable")
        path = directory / f"{FILE_PREFIX}{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    package_path = directory / "datapackage.json"
    package_path.write_text(json.dumps(data_package(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(package_path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    directory = Path(args[0]) if args else Path("datasets")
    for path in write(directory):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
