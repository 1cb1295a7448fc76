"""The synthetic data checked by the rules engine: every patient of the cohort and of the audit log is judged,
each collection under the iPLEDGE rule set in force on its date (the audit log as a log: every collection counted as
dispensed), and the engine finds exactly the planted events, no more."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest

from isotretinoin_course.data import audit_log, cohort
from isotretinoin_course.data.loader import load_audit, load_cohort
from isotretinoin_course.data.programme_cases import cohort_timelines
from isotretinoin_course.models.risk_management import evaluate

# The rules each planted violation breaks (the engine's rule names), by audit patient number.
EXPECTED_AUDIT_RULES = {
    3: {"pick-up window"},
    9: {"supply limit"},
    12: {"contraception"},
    14: {"no refills"},
    20: {"pick-up window"},
    24: {"pregnancy test at the end of the course"},
    27: {"contraception"},
    33: {"positive pregnancy test"},
    44: {"pick-up window"},
    51: {"contraception during treatment"},  # the pill stopped at the last collection: a condom alone for the last month (review W2)
    57: {"pre-treatment pregnancy tests"},
}


@pytest.fixture(scope="module")
def cohort_evaluations():
    tables = load_cohort()
    return {timeline.patient_id: evaluate(timeline, "ipledge") for timeline in cohort_timelines(tables)}


@pytest.fixture(scope="module")
def audit_evaluations():
    return {timeline.patient_id: evaluate(timeline, "ipledge", dispensed=True) for timeline in audit_log.timelines(load_audit())}


def test_every_cohort_patient_is_judged(cohort_evaluations):
    assert len(cohort_evaluations) == cohort.N_PATIENTS
    collections = sum(len(evaluation.decisions) for evaluation in cohort_evaluations.values())
    assert collections == len(load_cohort()["dispensing"].dropna(subset=["pickup_date"]))
    used = {decision.rule_set_key for evaluation in cohort_evaluations.values() for decision in evaluation.decisions}
    assert used == {"ipledge_discretion_2023"}  # every collection falls between January 2025 and April 2026


def test_the_cohort_holds_exactly_its_planted_events(cohort_evaluations):
    """No refusal and no compliance gap anywhere; the only notes are the planted missed collections."""
    refused = [(patient, decision.date, decision.reason) for patient, evaluation in cohort_evaluations.items()
               for decision in evaluation.decisions if not decision.allowed]
    assert refused == []
    gaps = [(patient, gap.rule, gap.date) for patient, evaluation in cohort_evaluations.items() for gap in evaluation.gaps]
    assert gaps == []
    notes = {(patient, note.rule) for patient, evaluation in cohort_evaluations.items() for note in evaluation.notes}
    planted = {(f"SYN-{index + 1:04d}", "prescription not collected") for index in cohort.PLANTED.missed_pickup}
    assert notes == planted


def test_syn_0089_collects_the_reissued_prescription_after_a_repeat_test(cohort_evaluations):
    """Review item 8: the re-issued prescription was collected 8 days after the last test; the generator now adds a repeat test."""
    decisions = cohort_evaluations["SYN-0089"].decisions
    reissued = next(decision for decision in decisions if str(decision.date) == "2025-04-23")
    assert reissued.allowed and "from the pregnancy test (2025-04-22)" in reissued.reason


def test_the_audit_log_holds_exactly_its_planted_violations(audit_evaluations):
    found: dict[str, set[str]] = defaultdict(set)
    for patient, evaluation in audit_evaluations.items():
        for gap in evaluation.gaps:
            found[patient].add(gap.rule)
    expected = {f"AUD-{number:03d}": rules for number, rules in EXPECTED_AUDIT_RULES.items()}
    assert dict(found) == expected
    assert set(expected) == {f"AUD-{number:03d}" for number in audit_log.PLANTED_VIOLATIONS}
    assert all(not evaluation.notes for evaluation in audit_evaluations.values())


@pytest.mark.parametrize(("number", "teaching"), [(38, "home"), (47, "continuous abstinence")])
def test_the_teaching_cases_are_allowed(audit_evaluations, number, teaching):
    patient = f"AUD-{number:03d}"
    evaluation = audit_evaluations[patient]
    assert all(decision.allowed for decision in evaluation.decisions) and not evaluation.gaps
    tables = load_audit()
    record = tables["audit_pregnancy_tests"].query("patient_id == @patient")["setting"].tolist() + \
        tables["audit_contraception"].query("patient_id == @patient")["method"].tolist()
    assert teaching in record


def test_aud_038_was_a_violation_only_under_the_2021_text():
    """Review item 1: the home test in 2025 fell under FDA's enforcement discretion."""
    timeline = next(item for item in audit_log.timelines(load_audit()) if item.patient_id == "AUD-038")
    assert all(decision.allowed for decision in evaluate(timeline, "ipledge").decisions)
    strict = evaluate(timeline, "ipledge_2021")  # the 2021 text does not govern 2025: not judged, and no gap
    assert {(decision.rule, decision.outcome) for decision in strict.decisions} == {("outside this rule set", "not judged")}
    assert strict.gaps == ()


def test_aud_051_lacked_a_primary_form_for_the_last_month_of_treatment():
    """Review W2: the combined pill ended on the last collection day; the gap starts the next day, during treatment."""
    tables = load_audit()
    last = tables["audit_dispensing_log"].query("patient_id == 'AUD-051'")["pickup_date"].max()
    pill_end = tables["audit_contraception"].query("patient_id == 'AUD-051' and method == 'combined oral contraceptive'")["end"].iloc[0]
    assert pill_end == last
    gaps = audit_evaluations_for("AUD-051").gaps
    assert [(gap.rule, str(gap.date)) for gap in gaps] == [("contraception during treatment", str((last + pd.Timedelta(days=1)).date()))]


def test_aud_033_stops_at_the_positive_test():
    """Review I8: after the positive test there are no more collections and no later negative tests."""
    tables = load_audit()
    tests = tables["audit_pregnancy_tests"].query("patient_id == 'AUD-033'").sort_values("date")
    positive = tests.loc[tests["result"] == "positive", "date"].iloc[0]
    assert tests["date"].max() == positive
    assert tables["audit_dispensing_log"].query("patient_id == 'AUD-033'")["pickup_date"].max() == positive


def audit_evaluations_for(patient: str):
    timeline = next(item for item in audit_log.timelines(load_audit()) if item.patient_id == patient)
    return evaluate(timeline, "ipledge", dispensed=True)
