"""The synthetic dispensing log: it loads, and the engine's answer key finds exactly the planted violations."""

from __future__ import annotations

import pytest

from isotretinoin_course.data import audit_log
from isotretinoin_course.data.loader import load_audit


@pytest.fixture(scope="module")
def tables():
    return load_audit()


def test_tables_load_and_are_synthetic(tables):
    assert len(tables["audit_patients"]) == audit_log.N_AUDIT_PATIENTS
    assert all(frame.attrs["source"].startswith("synthetic_audit_") for frame in tables.values())


def test_answer_key_finds_exactly_the_planted_violations(tables):
    key = audit_log.answer_key(tables)
    planted = {f"AUD-{number:03d}" for number in audit_log.PLANTED_VIOLATIONS}
    assert set(key["patient_id"]) == planted


@pytest.mark.parametrize(
    ("number", "rule"),
    [(3, "pick-up window"), (9, "supply limit"), (12, "contraception"), (14, "no refills"), (20, "pick-up window"),
     (24, "pregnancy test at the end of the course"), (27, "contraception"), (33, "positive pregnancy test"), (44, "pick-up window"),
     (51, "contraception during treatment"), (57, "pre-treatment pregnancy tests")],
)
def test_each_planted_violation_is_explained_by_the_right_rule(tables, number, rule):
    key = audit_log.answer_key(tables)
    assert set(key.loc[key["patient_id"] == f"AUD-{number:03d}", "rule"]) == {rule}


def test_the_teaching_cases_are_not_in_the_answer_key(tables):
    key = audit_log.answer_key(tables)
    assert not set(key["patient_id"]) & {f"AUD-{number:03d}" for number in audit_log.TEACHING_CASES}


def test_timelines_rebuild_every_collection(tables):
    rebuilt = audit_log.timelines(tables)
    assert sum(len(timeline.pickups) for timeline in rebuilt) == len(tables["audit_dispensing_log"])
    cannot = [timeline for timeline in rebuilt if timeline.category == "cannot_get_pregnant"]
    assert cannot and all(not timeline.pregnancy_tests for timeline in cannot)


def test_the_key_words_logged_collections_as_dispensed(tables):
    """Review I6: the log records collections that happened; the key says what each broke, never 'dispensing refused'."""
    key = audit_log.answer_key(tables)
    assert not key["finding"].str.contains("dispensing refused").any()
    refusals = key[key["rule"].isin(["pick-up window", "supply limit", "no refills", "positive pregnancy test", "contraception",
                                     "pre-treatment pregnancy tests"])]
    assert len(refusals) and refusals["finding"].str.startswith("dispensed although").all()
    aud_012 = key[key["patient_id"] == "AUD-012"]
    first = tables["audit_dispensing_log"].query("patient_id == 'AUD-012'")["pickup_date"].min()
    assert aud_012["finding"].str.contains("30 days before the first dose").sum() == 1  # only the first supply is the first dose
    assert str(first.date()) == str(aud_012["date"].min())


def test_aud_057_is_keyed_by_its_home_confirmation_test(tables):
    """Review I5: the finding names the home test, not the laboratory screening test."""
    finding = audit_log.answer_key(tables).query("patient_id == 'AUD-057'")["finding"].iloc[0]
    assert "was done at home, without supervision" in finding
