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
     (51, "contraception after treatment"), (57, "pre-treatment pregnancy tests")],
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
