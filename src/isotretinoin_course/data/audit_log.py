"""A synthetic pharmacy dispensing log with planted violations, for the audit exercise of notebook 06.

Sixty invented patients collect isotretinoin in 2025. On those dates the iPLEDGE
rules in force are the December 2021 requirements under FDA's enforcement
discretion of October 2023 (rule set ``ipledge_discretion_2023``): home pregnancy
tests during and after treatment count. Most collections follow the rules; a few
break one rule each (:data:`PLANTED_VIOLATIONS`), and two records look odd but are
allowed (:data:`TEACHING_CASES`). Students look for the violations with pandas;
:func:`answer_key` audits the same tables with the rules engine, each collection
under the rule set in force that day and counted as dispensed (it is in the log),
and its findings ("dispensed although ...") and gaps are the answer key. Written to ``datasets/`` by ``python3 course.py datasets`` together with the
cohort; the tables' schema is :data:`isotretinoin_course.data.schema.AUDIT_SCHEMAS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..core.inputs import checked_arguments
from ..content.rule_sets import RuleSet
from ..core.inputs import read_date, read_tables
from ..models.risk_management import Contraception, Pickup, PregnancyTest, Prescription, Timeline, evaluate

AUDIT_SEED = 20250301
N_AUDIT_PATIENTS = 60
FIRST_START = dt.date(2025, 2, 3)
PROGRAMME = "ipledge"  # each collection is judged under the iPLEDGE rule set in force on its date
METHODS = ("combined oral contraceptive", "male latex condom")  # names from content/contraceptive_methods.yml

# patient number (1-based) → the one violation planted in that patient's record
PLANTED_VIOLATIONS = {
    3: "collected after the 7-day window",
    9: "35-day supply dispensed",
    12: "progestin-only pill with a condom: no primary form of contraception",
    14: "prescription with a refill",
    20: "no pregnancy test before a monthly collection",
    24: "no pregnancy test at the end of the course",
    27: "contraception started 20 days before the first dose",
    33: "dispensed on the day of a positive pregnancy test",
    44: "collected after the 30-day window (patient who cannot get pregnant)",
    51: "combined pill stopped at the last collection: a condom alone for the last month of treatment",
    57: "confirmation pregnancy test done at home",
}
# patient number → a record that looks like a violation but is not one under the rules in force in 2025
TEACHING_CASES = {
    38: "home pregnancy test during treatment (accepted under FDA's enforcement discretion since October 2023)",
    47: "continuous abstinence instead of contraception (accepted by iPLEDGE)",
}


def generate(seed: int = AUDIT_SEED, n: int = N_AUDIT_PATIENTS, planted: dict[int, str] | None = None,
             teaching: dict[int, str] | None = None, prefix: str = "AUD") -> dict[str, pd.DataFrame]:
    """The four audit tables. Same seed → the same rows.

    The defaults make notebook 06's log; the graded assignments' unseen log (:mod:`assessment`) passes its own seed,
    size, planted records (same wording as :data:`PLANTED_VIOLATIONS`) and identifier prefix.
    """
    planted = PLANTED_VIOLATIONS if planted is None else planted
    teaching = TEACHING_CASES if teaching is None else teaching
    rng = np.random.default_rng(seed)
    patients, tests, methods, log = [], [], [], []
    for number in range(1, n + 1):
        patient_id = f"{prefix}-{number:03d}"
        violation = planted.get(number, "") or teaching.get(number, "")
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
            pill_end = visits[-1] + dt.timedelta(days=delays[-1]) if "stopped" in violation else last_supply_end + dt.timedelta(days=int(rng.integers(31, 60)))
            if "abstinence" in violation:
                methods.append({"patient_id": patient_id, "method": "continuous abstinence", "start": contraception_start, "end": None})
            else:
                pill = "progestin-only pill" if "progestin-only" in violation else METHODS[0]
                methods.append({"patient_id": patient_id, "method": pill, "start": contraception_start, "end": pill_end})
                methods.append({"patient_id": patient_id, "method": METHODS[1], "start": contraception_start, "end": None})
            tests.append({"patient_id": patient_id, "date": start - dt.timedelta(days=int(rng.integers(20, 30))), "result": "negative", "setting": "lab"})
        for month, visit in enumerate(visits):
            if "positive" in violation and month > 3:
                break  # after the positive test treatment stops and the patient is referred: no more tests or collections
            delay = delays[month]
            if category == "can_get_pregnant":
                skip_test = "before a monthly collection" in violation and month == 2
                if not skip_test:
                    result = "positive" if "positive" in violation and month == 3 else "negative"
                    setting = "home" if ("home pregnancy test during" in violation and month == 2) or ("at home" in violation and month == 0) else "lab"
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
        if category == "can_get_pregnant" and "positive" not in violation:
            last_dose = visits[-1] + dt.timedelta(days=delays[-1] + 29)  # the last collection's 30 days, that day included
            if "end of the course" not in violation:
                tests.append({"patient_id": patient_id, "date": last_dose, "result": "negative", "setting": "lab"})
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


def _rows_by_patient(frame: pd.DataFrame) -> Callable[[str], pd.DataFrame]:
    """A function giving one patient's rows of ``frame`` in the table's order (none for a patient without rows)."""
    positions = frame.groupby("patient_id", sort=False).indices
    return lambda patient_id: frame.iloc[positions.get(patient_id, [])]


# The audit tables a timeline is rebuilt from, with the columns it reads (load_audit() gives them).
AUDIT_COLUMNS = {
    "audit_patients": ("patient_id", "category"),
    "audit_pregnancy_tests": ("patient_id", "date", "result", "setting"),
    "audit_contraception": ("patient_id", "method", "start", "end"),
    "audit_dispensing_log": ("patient_id", "prescription_date", "pickup_date", "days_supply", "refills"),
}


@checked_arguments
def timelines(tables: dict[str, pd.DataFrame]) -> list[Timeline]:
    """Rebuild each patient's timeline from the (loaded, validated) audit tables."""
    tables = read_tables(tables, "tables", AUDIT_COLUMNS)
    # Each table split by patient once: a query per patient and table cost notebook 06 about a third of a second.
    by_patient = {name: _rows_by_patient(tables[name]) for name in ("audit_pregnancy_tests", "audit_contraception", "audit_dispensing_log")}
    result = []
    for patient in tables["audit_patients"].itertuples():
        pid = patient.patient_id
        tests = by_patient["audit_pregnancy_tests"](pid).sort_values("date")
        methods = by_patient["audit_contraception"](pid)
        log = by_patient["audit_dispensing_log"](pid).sort_values("pickup_date")
        result.append(Timeline(
            patient_id=pid,
            category=patient.category,
            pregnancy_tests=[PregnancyTest(_date(row.date), row.result, row.setting) for row in tests.itertuples()],
            contraception=[Contraception(row.method, _date(row.start), _date(row.end)) for row in methods.itertuples()],
            prescriptions=[Prescription(_date(row.prescription_date), int(row.days_supply), int(row.refills)) for row in log.sort_values("prescription_date").itertuples()],
            pickups=[Pickup(_date(row.prescription_date), _date(row.pickup_date)) for row in log.itertuples()],
            programme=PROGRAMME,
        ))
    return result


@checked_arguments
def answer_key(tables: dict[str, pd.DataFrame], rule_set: RuleSet | str = PROGRAMME) -> pd.DataFrame:
    """Every logged collection the rules would have refused ("dispensed although ..."), and every gap in the timeline,
    one row each.

    Each collection counts as dispensed, because the log says it was. By default each is judged under the iPLEDGE
    rule set in force on its date; pass a rule set (or its key) to judge every collection under that one set instead.
    """
    rows = []
    for timeline in timelines(tables):
        evaluation = evaluate(timeline, rule_set, dispensed=True)
        for gap in evaluation.gaps:
            rows.append({"patient_id": timeline.patient_id, "date": gap.date, "rule": gap.rule, "finding": gap.description})
    return pd.DataFrame(rows, columns=["patient_id", "date", "rule", "finding"]).sort_values(["patient_id", "date"], ignore_index=True)
