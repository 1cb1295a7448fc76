"""Tables a pharmacy student can read: column names in words with their units, dates without clock times,
visits in words and lipids in both mg/dL and mmol/L.

The synthetic tables keep short machine names (``alt_u_l``, ``month_2``) because code and the data dictionary
need them; a lesson shows them through :func:`readable_table` and :func:`show_readable`.
"""

from __future__ import annotations

import hashlib

import pandas as pd
from IPython.display import HTML, display

from ..models.monitoring import to_mmol_l, visit_words
from .style import show_table

# Column of the synthetic tables → heading a student reads (with the unit where there is one).
HEADINGS = {
    "patient_id": "Patient",
    "age_years": "Age (years)",
    "sex": "Sex",
    "weight_kg": "Weight (kg)",
    "pregnancy_risk_category": "Can get pregnant?",
    "baseline_severity": "Acne severity at start",
    "formulation": "Product",
    "start_date": "First day",
    "end_date": "Last day",
    "cumulative_target_mg_per_kg": "Cumulative target (mg/kg)",
    "date": "Date",
    "visit": "Visit",
    "fasting": "Fasting sample?",
    "triglycerides_mg_dl": "Triglycerides (mg/dL)",
    "total_cholesterol_mg_dl": "Total cholesterol (mg/dL)",
    "hdl_mg_dl": "HDL cholesterol (mg/dL)",
    "alt_u_l": "ALT (U/L)",
    "ast_u_l": "AST (U/L)",
    "purpose": "Purpose",
    "result": "Result",
    "setting": "Where",
    "prescription_date": "Prescription written",
    "pickup_date": "Collected",
    "dispense_id": "Supply record",
    "morning_mg": "Morning dose (mg)",
    "evening_mg": "Evening dose (mg)",
    "capsules": "Capsules",
    "daily_dose_mg": "Daily dose (mg)",
    "days_supply": "Supply (days)",
    "refills": "Refills",
    "comedones": "Comedones (count)",
    "inflammatory": "Papules and pustules (count)",
    "nodules": "Nodules (count)",
    "event": "Event",
    "severity": "Severity",
    "action": "Action",
    "patients": "Patients",
    "rule": "Rule",
    "finding": "Finding",
    "latest_negative_test": "Latest negative test",
    "days_after_test": "Days after the test",
}
# mg/dL column → the analyte name the unit conversion knows.
LIPIDS = {"triglycerides_mg_dl": "Triglycerides", "total_cholesterol_mg_dl": "Total cholesterol", "hdl_mg_dl": "HDL cholesterol"}
WORDS = {
    "can_get_pregnant": "yes", "cannot_get_pregnant": "no", "conventional": "conventional capsules",
    "absorica": "Absorica", "absorica_ld": "Absorica LD", "lab": "laboratory", "office": "clinic or office", "home": "home",
}


def readable_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a synthetic table for reading: dates as YYYY-MM-DD (a missing date as a dash), visits and codes in words, yes/no for
    true/false, whole numbers without a decimal point, a mmol/L column after each lipid in mg/dL, and headings in words with units."""
    table = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d").fillna("—")  # a missing date (a supply never collected) as a dash
        elif pd.api.types.is_bool_dtype(values):
            values = values.map({True: "yes", False: "no"})
        elif column == "visit":
            values = values.map(visit_words)
        elif pd.api.types.is_float_dtype(values) and values.dropna().eq(values.dropna().round()).all():
            values = values.astype("Int64")  # whole numbers (a day count made float by a missing value) without ".0"
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.map(lambda value: WORDS.get(value, value) if isinstance(value, str) else value)
        table[HEADINGS.get(column, column.replace("_", " "))] = values
        if column in LIPIDS:
            analyte = LIPIDS[column]
            table[f"{analyte} (mmol/L)"] = frame[column].map(lambda mg_dl: round(to_mmol_l(analyte, mg_dl), 1))
    return table.reset_index(drop=True)


def show_readable(frame: pd.DataFrame, title: str, rows: int = 20) -> None:
    """Show a synthetic table as :func:`readable_table` makes it, captioned and marked SYNTHETIC, without its index."""
    show_table(readable_table(frame), title, rows=rows)


def show_reference(frame: pd.DataFrame, title: str) -> None:
    """Show a table of course content (not patient data) with a caption, its row labels as the first column and
    no row numbers; long cells wrap instead of running off the screen."""
    table = frame.reset_index() if frame.index.name else frame.reset_index(drop=True)
    # An id made from the title: stable from run to run (stored outputs are checked) and different for each table.
    uuid = "reference-" + hashlib.sha1(title.encode()).hexdigest()[:8]
    styled = table.style.set_uuid(uuid).set_caption(title).hide(axis="index")
    styled = styled.set_table_styles([{"selector": "td, th", "props": "text-align: left; vertical-align: top; white-space: normal;"}])
    display(HTML(styled.to_html()))
