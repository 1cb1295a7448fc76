"""The laboratory flags at every band boundary."""

from __future__ import annotations

import pytest

from isotretinoin_course.models.monitoring import (
    LabValueError, alt_grade, flag_alt, flag_cholesterol, flag_hdl, flag_panel, flag_triglycerides, to_mmol_l,
)


@pytest.mark.parametrize(
    ("value", "band", "abnormal"),
    [(149, "normal", False), (150, "borderline-high", True), (199, "borderline-high", True), (200, "high", True),
     (499, "high", True), (500, "very high", True), (1000, "very high", True), (1001, "above 1000: pancreatitis risk", True)],
)
def test_triglyceride_bands(value, band, abnormal):
    flag = flag_triglycerides(value)
    assert (flag.band, flag.abnormal) == (band, abnormal)


def test_triglyceride_actions_escalate():
    assert flag_triglycerides(120).action == "no action"
    assert flag_triglycerides(520).action.startswith("contact the prescriber")
    assert flag_triglycerides(1200).action.startswith("urgent")


@pytest.mark.parametrize(("value", "grade"), [(40, 0), (41, 1), (120, 1), (121, 2), (200, 2), (201, 3), (800, 3), (801, 4)])
def test_alt_grades_at_the_ctcae_boundaries(value, grade):
    assert alt_grade(value) == grade


def test_alt_grade_uses_the_laboratory_upper_limit():
    assert alt_grade(100, upper_limit=33) == 2  # 3.03 × ULN
    assert flag_alt(100, upper_limit=33).band == "CTCAE grade 2 (3.03× ULN)"
    assert flag_alt(30).band == "normal"


@pytest.mark.parametrize(("value", "band"), [(199, "desirable"), (200, "borderline-high"), (239, "borderline-high"), (240, "high")])
def test_cholesterol_bands(value, band):
    assert flag_cholesterol(value).band == band


def test_triglycerides_above_1000_ask_about_abdominal_pain():
    # Pancreatitis also occurs at lower values, so the urgent flag sends a patient with pain for same-day care (review F22).
    action = flag_triglycerides(1150).action
    assert action.startswith("urgent: contact the prescriber today")
    assert "abdominal pain" in action and "same-day medical care" in action


def test_hdl_low_below_40():
    assert flag_hdl(39).band == "low"
    assert flag_hdl(40).band == "normal"


def test_panel_puts_the_urgent_flag_first():
    flags = flag_panel(triglycerides_mg_dl=560, total_cholesterol_mg_dl=180, hdl_mg_dl=50, alt_u_l=30)
    assert flags[0].analyte == "Triglycerides"
    assert flags[0].describe() == (
        "Triglycerides 560 mg/dL (6.3 mmol/L): very high — contact the prescriber: the label reports reversal with dose reduction or diet; recheck promptly"
    )
    assert [flag.abnormal for flag in flags] == [True, False, False, False]


@pytest.mark.parametrize(("call", "message"), [
    (lambda: flag_triglycerides(-5), r"triglycerides of -5 mg/dL is outside what is plausible \(10–20000 mg/dL\)"),
    (lambda: flag_triglycerides(1e9), r"triglycerides of 1000000000 mg/dL is outside what is plausible"),
    (lambda: flag_triglycerides(1.7), r"triglycerides of 1.7 mg/dL is outside what is plausible"),  # a value in mmol/L
    (lambda: flag_hdl(500), r"HDL cholesterol of 500 mg/dL is outside what is plausible \(5–250 mg/dL\)"),
    (lambda: flag_cholesterol(18000), r"total cholesterol of 18000 mg/dL is outside what is plausible"),
    (lambda: flag_alt(1e7), r"ALT of 10000000 U/L is outside what is plausible \(1–20000 U/L\)"),
    (lambda: flag_triglycerides(float("nan")), "triglycerides: nan is not a finite number"),
    (lambda: flag_alt("high"), "ALT: 'high' is not a number of U/L"),
    (lambda: flag_alt(True), "ALT: expected a number of U/L, got True"),
    (lambda: alt_grade(50, upper_limit=0), r"upper limit of normal of 0 U/L is outside what is plausible \(10–100 U/L\)"),
])
def test_impossible_values_are_refused(call, message):
    with pytest.raises(LabValueError, match=message) as caught:
        call()
    assert caught.value.field and caught.value.field in str(caught.value)


def test_extreme_but_real_results_are_flagged_not_refused():
    assert flag_triglycerides(4500).band == "above 1000: pancreatitis risk"
    assert alt_grade(5000) == 4
    assert flag_hdl(8).band == "low"


@pytest.mark.parametrize(
    ("analyte", "mg_dl", "mmol_l"),
    # The published factors (× 0.02586 cholesterol, × 0.01129 triglycerides), as lesson 05 tells students to multiply:
    # 145 and 155 are values where factors recomputed from molar masses round to a different tenth.
    [("Total cholesterol", 145, 3.7), ("HDL cholesterol", 40, 1.0), ("Total cholesterol", 240, 6.2),
     ("Triglycerides", 155, 1.7), ("Triglycerides", 500, 5.6), ("Triglycerides", 1000, 11.3)],
)
def test_lipids_convert_with_the_published_factors(analyte, mg_dl, mmol_l):
    assert round(to_mmol_l(analyte, mg_dl), 1) == mmol_l
    # the other way round: 1 mmol/L is about 38.67 mg/dL of cholesterol and 88.57 mg/dL of triglycerides
    assert round(mg_dl / to_mmol_l(analyte, mg_dl), 2) == (88.57 if analyte == "Triglycerides" else 38.67)


@pytest.mark.parametrize(("analyte", "mg_dl", "field"), [
    ("HDL cholesterol", 500, "HDL cholesterol (mg/dL)"),  # an extra digit: refused, never converted
    ("Triglycerides", 1.7, "Triglycerides (mg/dL)"),  # a value in mmol/L already
    ("Total cholesterol", float("nan"), "Total cholesterol (mg/dL)"),
    ("Total cholesterol", "200", None),  # text a student typed is read
    ("LDL cholesterol", 100, "analyte"),
])
def test_a_lipid_value_that_cannot_be_real_is_refused_not_converted(analyte, mg_dl, field):
    if field is None:
        assert round(to_mmol_l(analyte, mg_dl), 1) == 5.2
        return
    with pytest.raises(LabValueError) as caught:
        to_mmol_l(analyte, mg_dl)
    assert caught.value.field == field


@pytest.mark.parametrize(("alt", "band"), [
    (50, "CTCAE grade 1 (1.25× ULN)"),  # two decimals: 1.25 no longer shows as 1.2
    (119.9, "CTCAE grade 1 (just under 3× ULN)"),  # rounding would print grade 2's limit for a grade 1 result
    (120, "CTCAE grade 1 (3× ULN)"),  # exactly 3× is still grade 1 (grade 2 is above 3×)
    (120.1, "CTCAE grade 2 (just over 3× ULN)"),
    (40.1, "CTCAE grade 1 (just over 1× ULN)"),
    (130, "CTCAE grade 2 (3.25× ULN)"),
])
def test_the_alt_multiple_never_prints_a_grade_limit_for_a_result_on_the_other_side(alt, band):
    assert flag_alt(alt).band == band
