"""The synthetic Data Package's schema: every table's fields, types, units, allowed values and keys.

This is the machine half of the data dictionary (``datasets/README.md`` is the human half). The
regeneration (:mod:`regenerate`) writes it to ``datasets/datapackage.json`` beside the CSV files; the
run-time loader (:mod:`loader`) reads that file back; the tests validate the tables against it with
frictionless. Numeric bounds come from the plausible-range table (``content/plausible_ranges.yml``) and
the laboratory reference limits from ``models/monitoring.py``, so each has one home.
"""

from __future__ import annotations

from ..core.inputs import checked_arguments
from ..content.contraception import contraceptive_methods
from ..content.ranges import plausible_range
from ..content.rule_sets import CATEGORIES
from ..models.dosing import SUPPLY_DAYS
from ..models.isotretinoin_pk import FORMULATIONS
from ..models.monitoring import ALT_UPPER_LIMIT_U_L, AST_UPPER_LIMIT_U_L, CHOLESTEROL_REFERENCE_MG_DL, HDL_LOW_BELOW, TRIGLYCERIDES_REFERENCE_MG_DL

FILE_PREFIX = "synthetic_"
DATE_MIN, DATE_MAX = "2024-11-01", "2027-06-30"  # the cohort's dates (enrolment from January 2025, follow-up into 2026)
AUDIT_DATES = {"minimum": "2024-10-01", "maximum": "2026-03-31"}


@checked_arguments
@checked_arguments
def tabular_data_package(name: str, title: str, description: str, schemas: dict[str, dict]) -> dict:
    """A Frictionless Data Package of synthetic CSV tables: one ``synthetic_<table>.csv`` resource per schema, CC-BY-4.0."""
    return {
        "name": name,
        "title": title,
        "description": description,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [
            {"name": table, "path": f"{FILE_PREFIX}{table}.csv", "profile": "tabular-data-resource", "format": "csv", "encoding": "utf-8", "schema": schema}
            for table, schema in schemas.items()
        ],
    }


def field_schema(name: str, kind: str, description: str, unit: str = "", **constraints) -> dict:
    """One Table Schema field; ``required`` defaults to True (pass ``required=False`` for optional columns)."""
    item = {"name": name, "type": kind, "description": description}
    if unit:
        item["unit"] = unit
    constraints.setdefault("required", True)
    if not constraints["required"]:
        del constraints["required"]
    item["constraints"] = constraints
    return item


@checked_arguments
def plausible(quantity: str) -> dict:
    """The ``minimum`` and ``maximum`` constraints of a quantity, from the plausible-range table."""
    bounds = plausible_range(quantity)
    return {"minimum": bounds.minimum, "maximum": bounds.maximum}


_field = field_schema
PATIENT_ID = _field("patient_id", "string", "Synthetic patient identifier", pattern="SYN-[0-9]{4}")
PATIENT_FOREIGN_KEY = [{"fields": "patient_id", "reference": {"resource": "patients", "fields": "patient_id"}}]

# The cohort (data/cohort.py).
SCHEMAS: dict[str, dict] = {
    "patients": {
        "fields": [
            PATIENT_ID,
            _field("age_years", "integer", "Age at the start of treatment", "years", **plausible("age_years")),
            _field("sex", "string", "Sex", enum=["female", "male"]),
            _field("weight_kg", "number", "Body weight at the start", "kg", **plausible("weight_kg")),
            _field("pregnancy_risk_category", "string", "iPLEDGE patient category (two categories since December 2021)", enum=list(CATEGORIES)),
            _field("baseline_severity", "string", "Grade from baseline lesion counts (notebook 01's teaching scheme)", enum=["moderate", "severe"]),
            _field("formulation", "string", "Product dispensed", enum=list(FORMULATIONS)),
            _field("start_date", "date", "First day of treatment", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("end_date", "date", "Day after the last supply ran out", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("cumulative_target_mg_per_kg", "number", "Planned cumulative dose", "mg/kg", **plausible("cumulative_target_mg_per_kg")),
        ],
        "primaryKey": "patient_id",
    },
    "dispensing": {
        "fields": [
            _field("dispense_id", "string", "Dispensing record", pattern="DSP-[0-9]{5}", unique=True),
            PATIENT_ID,
            _field("prescription_date", "date", "Date the prescription was written (the monthly visit)", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("pickup_date", "date", "Date the patient collected it; empty if never collected", minimum=DATE_MIN, maximum=DATE_MAX, required=False),
            _field("formulation", "string", "Product", enum=list(FORMULATIONS)),
            _field("morning_mg", "string", "Capsule strengths taken in the morning, e.g. 40 or 40+10", pattern="[0-9]+(\\+[0-9]+)?"),
            _field("evening_mg", "string", "Capsule strengths taken in the evening", pattern="[0-9]+(\\+[0-9]+)?"),
            _field("daily_dose_mg", "number", "Total daily dose", "mg", **plausible("daily_dose_mg")),
            _field("capsules", "integer", "Capsules dispensed", "capsules", **plausible("capsules_per_supply")),
            _field("days_supply", "integer", "Days the supply lasts", "days", minimum=1, maximum=SUPPLY_DAYS),
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
            _field("triglycerides_mg_dl", "integer", f"Fasting triglycerides (reference < {TRIGLYCERIDES_REFERENCE_MG_DL:g} mg/dL)", "mg/dL",
                   **plausible("triglycerides_mg_dl")),
            _field("total_cholesterol_mg_dl", "integer", f"Total cholesterol (reference < {CHOLESTEROL_REFERENCE_MG_DL:g} mg/dL)", "mg/dL",
                   **plausible("total_cholesterol_mg_dl")),
            _field("hdl_mg_dl", "integer", f"HDL cholesterol (reference ≥ {HDL_LOW_BELOW:g} mg/dL)", "mg/dL", **plausible("hdl_mg_dl")),
            _field("alt_u_l", "integer", f"Alanine aminotransferase (reference ≤ {ALT_UPPER_LIMIT_U_L:g} U/L)", "U/L", **plausible("alt_u_l")),
            _field("ast_u_l", "integer", f"Aspartate aminotransferase (reference ≤ {AST_UPPER_LIMIT_U_L:g} U/L)", "U/L", **plausible("ast_u_l")),
        ],
        "primaryKey": ["patient_id", "date"],
        "foreignKeys": PATIENT_FOREIGN_KEY,
    },
    "lesion_counts": {
        "fields": [
            PATIENT_ID,
            _field("date", "date", "Visit date", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("visit", "string", "baseline, month_N of treatment or follow_up_N months after", pattern="baseline|month_[0-9]+|follow_up_[0-9]+"),
            _field("comedones", "integer", "Open and closed comedones (face)", "lesions", **plausible("lesion_count")),
            _field("inflammatory", "integer", "Papules and pustules (face)", "lesions", **plausible("lesion_count")),
            _field("nodules", "integer", "Inflammatory nodules of 5 mm or more (face)", "lesions", **plausible("nodule_count")),
        ],
        "primaryKey": ["patient_id", "date"],
        "foreignKeys": PATIENT_FOREIGN_KEY,
    },
    "pregnancy_tests": {
        "fields": [
            PATIENT_ID,
            _field("date", "date", "Date of the test", minimum=DATE_MIN, maximum=DATE_MAX),
            _field("purpose", "string", "Why the test was done: before treatment (screening, confirmation), before each later supply (monthly), "
                   "a repeat test for a re-issued prescription (repeat), at the end of the course (end_of_treatment) and one month after (post_treatment)",
                   enum=["screening", "confirmation", "monthly", "repeat", "end_of_treatment", "post_treatment"]),
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

# The audit log of notebook 06 (data/audit_log.py). A log may record what should never have been dispensed
# (a 35-day supply, a refill), so its bounds are wider than the rules'.
_AUDIT_PATIENT = _field("patient_id", "string", "Synthetic patient identifier", pattern="AUD-[0-9]{3}")
_AUDIT_FOREIGN_KEY = [{"fields": "patient_id", "reference": {"resource": "audit_patients", "fields": "patient_id"}}]
AUDIT_SCHEMAS: dict[str, dict] = {
    "audit_patients": {
        "fields": [_AUDIT_PATIENT, _field("category", "string", "iPLEDGE patient category", enum=list(CATEGORIES))],
        "primaryKey": "patient_id",
    },
    "audit_pregnancy_tests": {
        "fields": [_AUDIT_PATIENT, _field("date", "date", "Date the specimen was collected", **AUDIT_DATES),
                   _field("result", "string", "Result", enum=["negative", "positive"]),
                   _field("setting", "string", "Where the test was done", enum=["lab", "office", "home"])],
        "primaryKey": ["patient_id", "date"], "foreignKeys": _AUDIT_FOREIGN_KEY,
    },
    "audit_contraception": {
        "fields": [_AUDIT_PATIENT, _field("method", "string", "Contraceptive method, or continuous abstinence (names from the course's method list)",
                                          enum=[method.name for method in contraceptive_methods().methods]),
                   _field("start", "date", "First day of use", **AUDIT_DATES),
                   _field("end", "date", "Last day of use; empty if continuing", required=False, **AUDIT_DATES)],
        "primaryKey": ["patient_id", "method"], "foreignKeys": _AUDIT_FOREIGN_KEY,
    },
    "audit_dispensing_log": {
        "fields": [_AUDIT_PATIENT, _field("prescription_date", "date", "Date the prescription was written", **AUDIT_DATES),
                   _field("pickup_date", "date", "Date the pharmacy dispensed it", **AUDIT_DATES),
                   _field("days_supply", "integer", "Days supplied", minimum=1, maximum=90),
                   _field("refills", "integer", "Refills on the prescription", minimum=0, maximum=5)],
        "primaryKey": ["patient_id", "prescription_date"], "foreignKeys": _AUDIT_FOREIGN_KEY,
    },
}
COHORT_TABLES = tuple(SCHEMAS)
AUDIT_TABLES = tuple(AUDIT_SCHEMAS)
