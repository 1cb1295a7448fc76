"""A synthetic pharmacy dispensing log with planted violations, for the audit exercise of notebook 06.

Sixty invented patients collect isotretinoin in 2025, when the December 2021
iPLEDGE requirements applied. Most collections follow the rules; a few break
one rule each (listed in :data:`PLANTED_VIOLATIONS`). Students look for the
violations with pandas; :func:`answer_key` runs the rules engine over the same
tables, and its refusals are the answer key. Written to ``datasets/`` by
``python3 course.py datasets`` together with the cohort; the tables' schema is
:data:`isotretinoin_course.data.schema.AUDIT_SCHEMAS`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..content.rule_sets import RuleSet, rule_sets
from ..core.inputs import read_date
from ..models.risk_management import Contraception, Pickup, PregnancyTest, Prescription, Timeline, evaluate

AUDIT_SEED = 20250301
N_AUDIT_PATIENTS = 60
FIRST_START = dt.date(2025, 2, 3)
RULE_SET_KEY = "ipledge_2021"

# patient number (1-based) → the one violation planted in that patient's record
PLANTED_VIOLATIONS = {
    3: "collected after the 7-day window",
    9: "35-day supply dispensed",
    14: "prescription with a refill",
    20: "no pregnancy test before a monthly collection",
    27: "contraception started 20 days before the first dose",
    33: "dispensed after a positive pregnancy test",
    38: "home pregnancy test used during treatment",
    44: "collected after the 30-day window (patient who cannot get pregnant)",
    51: "contraception stopped at the last collection",
}


def generate() -> dict[str, pd.DataFrame]:
    """The four audit tables. Same seed → the same rows."""
    rng = np.random.default_rng(AUDIT_SEED)
    patients, tests, methods, log = [], [], [], []
    for number in range(1, N_AUDIT_PATIENTS + 1):
        patient_id = f"AUD-{number:03d}"
        violation = PLANTED_VIOLATIONS.get(number, "")
        draw = rng.random()
        if violation:
            category = "cannot_get_pregnant" if "cannot get pregnant" in violation else "can_get_pregnant"
        else:
            category = "cannot_get_pregnant" if draw < 0.2 else "can_get_pregnant"
        patients.append({"patient_id": patient_id, "category": category})
        start = FIRST_START + dt.timedelta(days=int(rng.integers(0, 150)))
        months = int(rng.integers(4, 7))
        visits = [start + dt.timedelta(days=30 * month) for month in range(months)]
        delays = [int(rng.integers(0, 5)) for _ in visits]
        if category == "can_get_pregnant":
            contraception_start = start - dt.timedelta(days=20 if "20 days" in violation else int(rng.integers(35, 70)))
            last_supply_end = visits[-1] + dt.timedelta(days=delays[-1] + 30)
            pill_end = visits[-1] if "stopped" in violation else last_supply_end + dt.timedelta(days=int(rng.integers(31, 60)))
            methods.append({"patient_id": patient_id, "method": "combined pill", "start": contraception_start, "end": pill_end})
            methods.append({"patient_id": patient_id, "method": "condoms", "start": contraception_start, "end": None})
            tests.append({"patient_id": patient_id, "date": start - dt.timedelta(days=int(rng.integers(20, 30))), "result": "negative", "setting": "lab"})
        for month, visit in enumerate(visits):
            delay = delays[month]
            if category == "can_get_pregnant":
                skip_test = "no pregnancy test" in violation and month == 2
                if not skip_test:
                    result = "positive" if "positive" in violation and month == 3 else "negative"
                    setting = "home" if "home" in violation and month == 2 else "lab"
                    tests.append({"patient_id": patient_id, "date": visit, "result": result, "setting": setting})
                if "7-day window" in violation and month == 1:
                    delay = 9
            elif "30-day window" in violation and month == 2:
                delay = 33
            log.append({
                "patient_id": patient_id, "prescription_date": visit, "pickup_date": visit + dt.timedelta(days=delay),
                "days_supply": 35 if "35-day" in violation and month == 1 else 30,
                "refills": 1 if "refill" in violation and month == 0 else 0,
            })
        if category == "can_get_pregnant":
            post = visits[-1] + dt.timedelta(days=60)
            tests.append({"patient_id": patient_id, "date": post, "result": "negative", "setting": "lab"})
    frames = {
        "audit_patients": pd.DataFrame(patients),
        "audit_pregnancy_tests": pd.DataFrame(tests),
        "audit_contraception": pd.DataFrame(methods),
        "audit_dispensing_log": pd.DataFrame(log),
    }
    for frame in frames.values():
        for column in frame.columns:
            if frame[column].map(lambda value: isinstance(value, dt.date)).any():
                frame[column] = frame[column].map(lambda value: value.isoformat() if isinstance(value, dt.date) else "")
    return frames


def _date(value: object) -> dt.date | None:
    return read_date(value, "audit table date", optional=True)


def timelines(tables: dict[str, pd.DataFrame]) -> list[Timeline]:
    """Rebuild each patient's timeline from the (loaded, validated) audit tables."""
    result = []
    for patient in tables["audit_patients"].itertuples():
        pid = patient.patient_id
        tests = tables["audit_pregnancy_tests"].query("patient_id == @pid").sort_values("date")
        methods = tables["audit_contraception"].query("patient_id == @pid")
        log = tables["audit_dispensing_log"].query("patient_id == @pid").sort_values("pickup_date")
        result.append(Timeline(
            patient_id=pid,
            category=patient.category,
            pregnancy_tests=[PregnancyTest(_date(row.date), row.result, row.setting) for row in tests.itertuples()],
            contraception=[Contraception(row.method, _date(row.start), _date(row.end)) for row in methods.itertuples()],
            prescriptions=[Prescription(_date(row.prescription_date), int(row.days_supply), int(row.refills)) for row in log.sort_values("prescription_date").itertuples()],
            pickups=[Pickup(_date(row.prescription_date), _date(row.pickup_date)) for row in log.itertuples()],
        ))
    return result


def answer_key(tables: dict[str, pd.DataFrame], rule_set: RuleSet | None = None) -> pd.DataFrame:
    """Every dispensing the rules engine would have refused, and every gap after treatment, one row each."""
    rule_set = rule_set or rule_sets()[RULE_SET_KEY]
    rows = []
    for timeline in timelines(tables):
        evaluation = evaluate(timeline, rule_set)
        for gap in evaluation.gaps:
            rows.append({"patient_id": timeline.patient_id, "date": gap.date, "rule": gap.rule, "finding": gap.description})
    return pd.DataFrame(rows, columns=["patient_id", "date", "rule", "finding"]).sort_values(["patient_id", "date"], ignore_index=True)
