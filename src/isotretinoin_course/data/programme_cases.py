"""Synthetic patients as programme timelines: the cohort for the engine's check, and the patients of the
dispensing simulator that show one record under three programmes.

- :func:`cohort_timelines` turns each cohort patient (``datasets/synthetic_*.csv``) into a timeline the rules
  engine can judge. The cohort records no contraception and no test settings: each patient who can get
  pregnant is taken to use :data:`COHORT_CONTRACEPTION` throughout, and every test to be a laboratory test,
  so the check (``tests/test_programme_check.py``) tests what the cohort does record.
- :func:`comparison_patients` gives one synthetic record three times: as a patient of iPLEDGE (US), of the
  EU programme and of the UK programme. The second visit is decided differently by each.
- :func:`missed_first_window` builds the notebook's example of a missed first collection window inside any
  rule set's dates.

Every patient here is invented.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..core.inputs import checked_arguments
from ..content.rule_sets import RuleSet, resolve_rule_set
from ..core.inputs import read_date, read_number, read_tables
from ..models.risk_management import Contraception, Pickup, PregnancyTest, Prescription, Timeline

COHORT_CONTRACEPTION = ("combined oral contraceptive", "male latex condom")
CONTRACEPTION_LEAD_DAYS = 60  # the cohort's patients start contraception two months before their first dose


def _date(value: object) -> dt.date | None:
    return read_date(value, "cohort table date", optional=True)


@checked_arguments
def cohort_timelines(tables: dict[str, pd.DataFrame]) -> list[Timeline]:
    """Every cohort patient's programme timeline (US iPLEDGE), in patient order."""
    tables = read_tables(tables, "tables", {"patients": ("patient_id", "start_date", "pregnancy_risk_category"),
                                            "pregnancy_tests": ("patient_id", "date", "result"),
                                            "dispensing": ("patient_id", "prescription_date", "pickup_date", "days_supply")})
    tests = tables["pregnancy_tests"].groupby("patient_id")
    dispensing = tables["dispensing"].groupby("patient_id")
    result = []
    for patient in tables["patients"].itertuples():
        own_tests = tests.get_group(patient.patient_id).sort_values("date") if patient.patient_id in tests.groups else tables["pregnancy_tests"].iloc[0:0]
        own = dispensing.get_group(patient.patient_id) if patient.patient_id in dispensing.groups else tables["dispensing"].iloc[0:0]
        began = _date(patient.start_date) - dt.timedelta(days=CONTRACEPTION_LEAD_DAYS)
        result.append(Timeline(
            patient_id=patient.patient_id,
            category=patient.pregnancy_risk_category,
            pregnancy_tests=[PregnancyTest(_date(row.date), row.result, "lab") for row in own_tests.itertuples()],
            contraception=[Contraception(method, began) for method in COHORT_CONTRACEPTION] if patient.pregnancy_risk_category == "can_get_pregnant" else [],
            prescriptions=[Prescription(_date(row.prescription_date), int(row.days_supply)) for row in own.sort_values("prescription_date").itertuples()],
            pickups=[Pickup(_date(row.prescription_date), _date(row.pickup_date)) for row in own.sort_values("pickup_date").itertuples() if pd.notna(row.pickup_date)],
            programme="ipledge",
        ))
    return result


# One record, dated where all three programmes have a rule set in force (US: the discretion period; EU: 2018;
# UK: from 22 January 2026). Visit 2 is collected 8 days after a home test and 6 days after its prescription.
_START = dt.date(2026, 2, 2)
_TESTS = ((dt.date(2026, 1, 9), "office"), (dt.date(2026, 2, 2), "lab"), (dt.date(2026, 3, 2), "home"), (dt.date(2026, 4, 1), "office"),
          (dt.date(2026, 5, 1), "office"), (dt.date(2026, 6, 1), "office"))
_VISITS = ((dt.date(2026, 2, 2), dt.date(2026, 2, 4)), (dt.date(2026, 3, 4), dt.date(2026, 3, 10)), (dt.date(2026, 4, 1), dt.date(2026, 4, 3)))
COMPARISON_IDS = {"ipledge": "US-101", "eu": "EU-101", "uk": "UK-101"}


def comparison_patients() -> dict[str, Timeline]:
    """The same synthetic record as a US, an EU and a UK patient, by patient id."""
    patients = {}
    for programme, patient_id in COMPARISON_IDS.items():
        patients[patient_id] = Timeline(
            patient_id=patient_id, category="can_get_pregnant",
            pregnancy_tests=[PregnancyTest(day, "negative", setting) for day, setting in _TESTS],
            contraception=[Contraception("contraceptive implant", dt.date(2025, 12, 1)), Contraception("male latex condom", dt.date(2025, 12, 1))],
            prescriptions=[Prescription(written, 30) for written, _collected in _VISITS],
            pickups=[Pickup(written, collected) for written, collected in _VISITS],
            programme=programme,
            risk_acknowledgement=dt.date(2026, 1, 26),  # the UK's Acknowledgement of Risk Form (updated version)
        )
    return patients


@checked_arguments
def missed_first_window(rule_set: RuleSet | str, retest_after: int = 9) -> Timeline:
    """A patient who misses the first collection window (collecting on day 9) and has a new test and collection
    ``retest_after`` days after the missed window's test, dated inside the rule set's period."""
    rule_set = resolve_rule_set(rule_set)
    retest_after = read_number(retest_after, "retest_after", unit="days", minimum=1, maximum=60, integer=True)
    day_one = max(rule_set.applies_from + dt.timedelta(days=60), dt.date(2025, 3, 3))
    if rule_set.applies_until is not None and day_one + dt.timedelta(days=retest_after + 30) > rule_set.applies_until:
        day_one = rule_set.applies_from + dt.timedelta(days=60)  # a set that ended before 2025
    retest = day_one + dt.timedelta(days=retest_after)
    return Timeline(
        "SYN-EXAMPLE", "can_get_pregnant",
        pregnancy_tests=[PregnancyTest(day_one - dt.timedelta(days=25), "negative", "office"), PregnancyTest(day_one, "negative", "lab"),
                         PregnancyTest(retest, "negative", "lab")],
        contraception=[Contraception("contraceptive implant", day_one - dt.timedelta(days=60)), Contraception("male latex condom", day_one - dt.timedelta(days=60))],
        prescriptions=[Prescription(day_one, 30), Prescription(retest, 30)],
        pickups=[Pickup(day_one, day_one + dt.timedelta(days=8)), Pickup(retest, retest)],
        programme=rule_set.programme,
        risk_acknowledgement=day_one - dt.timedelta(days=1),
    )
