"""The synthetic cohort: regenerates byte-identically, validates against its schema, and is teachable."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from isotretinoin_course.data import cohort, regenerate
from isotretinoin_course.data.loader import load_table
from isotretinoin_course.data.schema import AUDIT_SCHEMAS, SCHEMAS
from isotretinoin_course.models.acne import LesionCounts, classify_severity
from isotretinoin_course.models.monitoring import REFERENCE_RANGES

DATASETS = ROOT / "datasets"
TABLES = list(SCHEMAS)


def test_regeneration_is_byte_identical_to_the_committed_files(tmp_path):
    written = regenerate.write(tmp_path)
    every_table = list(TABLES) + list(AUDIT_SCHEMAS)
    assert {path.name for path in written} == {f"synthetic_{name}.csv" for name in every_table} | {"datapackage.json"}
    for path in written:
        committed = DATASETS / path.name
        assert committed.exists(), f"{path.name} is not committed: run python3 course.py datasets"
        assert path.read_bytes() == committed.read_bytes(), f"{path.name} differs from a fresh regeneration"


@pytest.fixture(scope="module")
def tables():
    return {name: load_table(name, DATASETS) for name in TABLES}


def test_every_table_loads_and_says_it_is_synthetic(tables):
    for name, frame in tables.items():
        assert frame.attrs["synthetic"] is True
        assert frame.attrs["source"].startswith("synthetic_")
    assert "SYNTHETIC" in regenerate.data_package()["title"]


def test_cohort_size_and_course_length(tables):
    patients = tables["patients"]
    assert len(patients) >= 200
    months = (patients["end_date"] - patients["start_date"]).dt.days / 30
    assert months.median() == pytest.approx(6, abs=1)
    assert (months.between(4, 8)).mean() > 0.95


def test_course_ends_when_the_last_supply_runs_out(tables):
    """A short final supply ends the course early; the post-course test falls 30 days after that end."""
    collected = tables["dispensing"].dropna(subset=["pickup_date"])
    last = collected.sort_values("pickup_date").groupby("patient_id").last()
    runs_out = last["pickup_date"] + pd.to_timedelta(last["days_supply"], unit="D")
    ends = tables["patients"].set_index("patient_id")["end_date"]
    assert (ends == runs_out.reindex(ends.index)).all()
    post = tables["pregnancy_tests"].query("purpose == 'post_treatment'").set_index("patient_id")["date"]
    assert ((post - ends.reindex(post.index)).dt.days == 30).all()
    assert (last["days_supply"] < 30).any(), "some courses should end on a short final supply"


def test_baseline_lesions_match_the_recorded_severity(tables):
    baseline = tables["lesion_counts"].query("visit == 'baseline'").set_index("patient_id")
    for patient in tables["patients"].itertuples():
        row = baseline.loc[patient.patient_id]
        grade = classify_severity(LesionCounts(row.comedones, row.inflammatory, row.nodules)).grade
        assert grade == patient.baseline_severity, patient.patient_id


def test_pregnancy_tests_only_for_patients_who_can_get_pregnant(tables):
    tested = set(tables["pregnancy_tests"]["patient_id"])
    can = set(tables["patients"].query("pregnancy_risk_category == 'can_get_pregnant'")["patient_id"])
    assert tested == can
    assert (tables["patients"].query("sex == 'male'")["pregnancy_risk_category"] == "cannot_get_pregnant").all()


def test_dispensing_never_exceeds_a_30_day_supply(tables):
    assert tables["dispensing"]["days_supply"].max() <= 30


def test_planted_events_are_present(tables):
    labs, dispensing = tables["labs"], tables["dispensing"]
    for index in cohort.PLANTED.triglycerides_past_action:
        patient = f"SYN-{index + 1:04d}"
        assert labs.query("patient_id == @patient")["triglycerides_mg_dl"].max() >= cohort.TRIGLYCERIDE_ACTION_MG_DL
    for index in cohort.PLANTED.alt_rise:
        patient = f"SYN-{index + 1:04d}"
        assert labs.query("patient_id == @patient")["alt_u_l"].max() >= 120
    for index in cohort.PLANTED.missed_pickup:
        patient = f"SYN-{index + 1:04d}"
        assert dispensing.query("patient_id == @patient")["pickup_date"].isna().sum() == 1
    follow = tables["lesion_counts"]
    for index in cohort.PLANTED.relapse_after_course:
        patient = f"SYN-{index + 1:04d}"
        rows = follow.query("patient_id == @patient").set_index("visit")
        assert rows.loc["follow_up_3", "inflammatory"] > rows.loc["follow_up_1", "inflammatory"]


def test_generation_refuses_an_empty_cohort():
    with pytest.raises(ValueError, match="n of 0 patients is outside 1–10000 patients"):
        cohort.generate(0)


def test_different_seed_gives_different_patients():
    first = pd.DataFrame(cohort.generate(5, seed=1).patients)
    second = pd.DataFrame(cohort.generate(5, seed=2).patients)
    assert not first.equals(second)


def test_new_laboratory_abnormalities_mimic_the_published_rates(tables):
    labs = tables["labs"]
    baseline = labs.query("visit == 'baseline'").set_index("patient_id")
    on_treatment = labs.query("visit != 'baseline'").groupby("patient_id").max(numeric_only=True)
    for column, published in cohort.PUBLISHED_NEW_ABNORMALITY.items():
        upper = REFERENCE_RANGES[column][1]
        normal_at_baseline = baseline.index[baseline[column] <= upper]
        share = (on_treatment.loc[on_treatment.index.intersection(normal_at_baseline), column] > upper).mean()
        assert share == pytest.approx(published, abs=0.06), column
    very_high = (on_treatment["triglycerides_mg_dl"] >= cohort.TRIGLYCERIDE_ACTION_MG_DL).mean()
    assert 0 < very_high < 0.01  # grade 3 or worse in under 1% (Barbieri 2020), but present for teaching


def test_laboratory_changes_peak_at_month_two(tables):
    medians = tables["labs"].groupby("visit")["triglycerides_mg_dl"].median()
    assert medians["baseline"] < medians["month_1"] < medians["month_2"]


def test_where_the_synthetic_courses_depart_from_the_labels_is_what_the_data_dictionary_says(tables):
    # datasets/README.md, "Where the synthetic courses depart from the labels": doses a little above the usual
    # range but never above a label's maximum, most courses longer than 20 weeks, a part supply at the end.
    from isotretinoin_course.content.label_dosing import label_dosing

    dispensing, patients = tables["dispensing"], tables["patients"].set_index("patient_id")
    mg_per_kg = dispensing["daily_dose_mg"].astype(float) / dispensing["patient_id"].map(patients["weight_kg"].astype(float))
    for formulation, doses in mg_per_kg.groupby(dispensing["formulation"]):
        label = label_dosing()[formulation]
        assert doses.max() <= label.maximum_mg_per_kg_day
        assert doses.max() <= label.usual_mg_per_kg_day[1] + 0.1  # at most a rounding step above the usual range
    weeks = (pd.to_datetime(patients["end_date"]) - pd.to_datetime(patients["start_date"])).dt.days / 7
    assert 0.6 < (weeks > 20).mean() < 0.8 and weeks.max() < 40
    last = dispensing.sort_values("prescription_date").groupby("patient_id").tail(1)
    assert (last["days_supply"] < 30).mean() > 0.9


def test_lesions_fall_as_notebook_02_teaches(tables):
    # The middle patient is near 15% of baseline inflammatory lesions four months in (Layton 1993's typical response).
    lesions = tables["lesion_counts"]
    baseline = lesions[lesions["visit"] == "baseline"].set_index("patient_id")["inflammatory"]
    month_4 = lesions[lesions["visit"] == "month_4"].set_index("patient_id")["inflammatory"]
    share = (month_4 / baseline.reindex(month_4.index)).median()
    assert 0.05 < share < 0.3
