"""Lesion counts, the severity scheme at every band boundary, and the label-versus-guideline contrast."""

from __future__ import annotations

import pytest

from isotretinoin_course.models.acne import LesionCountError, LesionCounts, classify_severity, isotretinoin_fit, validate_count


def grade(comedones: int, inflammatory: int, nodules: int) -> str:
    return classify_severity(LesionCounts(comedones, inflammatory, nodules)).grade


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((0, 0, 0), "clear"),
        ((1, 0, 0), "mild"),
        ((19, 10, 0), "mild"),  # total 29: still mild
        ((19, 11, 0), "moderate"),  # total 30: the total reaches the moderate band
        ((20, 0, 0), "moderate"),  # comedones: 20 is the first moderate count
        ((0, 14, 0), "mild"),
        ((0, 15, 0), "moderate"),  # inflammatory: 15 is the first moderate count
        ((100, 0, 0), "moderate"),  # comedones: 100 is still moderate
        ((101, 0, 0), "severe"),
        ((0, 50, 0), "moderate"),
        ((0, 51, 0), "severe"),
        ((75, 50, 0), "moderate"),  # total 125: still moderate
        ((76, 50, 0), "severe"),  # total 126
        ((0, 0, 1), "moderate"),  # any nodule is at least moderate
        ((0, 0, 5), "moderate"),  # the gap in the published table, counted as moderate
        ((0, 0, 6), "severe"),
        ((12, 8, 6), "severe"),  # the notebook's exercise: nodules decide although the total is 26
    ],
)
def test_severity_band_boundaries(counts, expected):
    assert grade(*counts) == expected


def test_reasons_name_the_counts_that_decided():
    assessment = classify_severity(LesionCounts(comedones=45, inflammatory=6, nodules=0))
    assert assessment.grade == "moderate"
    assert assessment.reasons == ("45 comedones (20–100)", "51 lesions in total (30–125)")
    assert assessment.summary().splitlines()[0] == "Grade: moderate"


def test_five_nodules_gap_is_explained():
    assessment = classify_severity(LesionCounts(0, 0, 5))
    assert "exactly 5 falls in a gap" in assessment.notes[0]
    assert "note: The published table" in assessment.summary()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-3, "cannot be negative, got -3"),
        (2.5, "2.5 is not a whole number"),
        ("", "enter a number of lesions"),
        ("many", "'many' is not a number"),
        (float("nan"), "nan is not a finite number"),
        (True, "expected a number of lesions, got True"),
        (None, "enter a number of lesions"),
        (5000, "outside what is plausible (0–1000 lesions)"),
        ("1,000", "is ambiguous"),
    ],
)
def test_impossible_counts_are_refused_with_a_message(value, message):
    with pytest.raises(LesionCountError) as caught:
        validate_count(value, "nodules")
    assert str(caught.value).startswith("nodules")
    assert message in str(caught.value)


@pytest.mark.parametrize(("typed", "value"), [("7", 7), (" 12 ", 12), ("3.0", 3), (4.0, 4), (0, 0)])
def test_counts_typed_as_text_are_accepted(typed, value):
    assert validate_count(typed, "comedones") == value


def test_lesion_counts_validate_on_creation():
    with pytest.raises(LesionCountError, match="inflammatory cannot be negative"):
        LesionCounts(comedones=1, inflammatory=-1, nodules=0)
    assert LesionCounts("3", "4", "0").total == 7


def test_label_indication_needs_severe_nodular_acne_and_failed_antibiotics():
    nodular = LesionCounts(comedones=30, inflammatory=30, nodules=8)
    assert isotretinoin_fit(nodular, failed_systemic_antibiotics=False).meets_label_indication is False
    fit = isotretinoin_fit(nodular, failed_systemic_antibiotics=True)
    assert fit.meets_label_indication is True
    assert fit.aad_2024_recommends
    assert fit.aad_reasons == ("severe acne (by the course's lesion-count scheme)", "acne failing standard oral or topical therapy")
    single_nodule = isotretinoin_fit(LesionCounts(10, 10, 1), failed_systemic_antibiotics=True)
    assert single_nodule.meets_label_indication is False
    assert "one nodule is not" in single_nodule.label_reasons[0]


def test_moderate_acne_with_a_few_nodules_never_meets_the_label_by_arithmetic():
    # Review item 16: 2 nodules in moderate acne used to "meet" the label. Now it is a judgement, never True.
    fit = isotretinoin_fit(LesionCounts(0, 3, 2), failed_systemic_antibiotics=True)
    assert fit.meets_label_indication is None
    assert fit.label_verdict == "cannot tell from the case"
    assert "prescriber's judgement" in fit.label_reasons[0]
    assert isotretinoin_fit(LesionCounts(0, 3, 5), failed_systemic_antibiotics=True).meets_label_indication is None


def test_an_untold_antibiotic_history_is_never_asserted():
    fit = isotretinoin_fit(LesionCounts(30, 30, 8))
    assert fit.meets_label_indication is None
    assert fit.label_reasons[1] == "cannot tell: the case does not say whether systemic antibiotics were tried, which the label requires first"
    assert all("not yet tried" not in reason and "have not been tried" not in reason for reason in fit.label_reasons)
    assert "have not been tried" in isotretinoin_fit(LesionCounts(30, 30, 8), failed_systemic_antibiotics=False).label_reasons[1]


def test_guideline_reaches_moderate_scarring_acne_that_the_label_does_not():
    fit = isotretinoin_fit(LesionCounts(30, 20, 1), scarring=True, failed_standard_therapy=True, failed_systemic_antibiotics=True)
    assert fit.meets_label_indication is False
    assert fit.aad_2024_recommends
    assert fit.aad_reasons == ("acne causing scarring", "acne failing standard oral or topical therapy")


def test_mild_acne_without_context_points_nowhere():
    fit = isotretinoin_fit(LesionCounts(5, 3, 0))
    assert not fit.aad_2024_recommends
    assert not fit.meets_label_indication
    assert fit.aad_reasons[0].startswith("none of")


def test_each_label_reason_says_whether_its_criterion_is_met():
    # A met criterion printed beside a "no" must not read as a reason for the "no" (clinical review F20).
    fit = isotretinoin_fit(LesionCounts(30, 20, 1), scarring=True, failed_systemic_antibiotics=True)
    assert fit.label_verdict == "no"
    assert fit.label_reasons[0].startswith("not met: one nodule")
    assert fit.label_reasons[1].startswith("met: unresponsive")
    assert isotretinoin_fit(LesionCounts(0, 3, 2), failed_systemic_antibiotics=True).label_reasons[0].startswith("cannot tell: ")
    assert isotretinoin_fit(LesionCounts(30, 30, 8), failed_systemic_antibiotics=True).label_reasons[0].startswith("met: ")
    assert (fit.aad_verdict, isotretinoin_fit(LesionCounts(5, 3, 0)).aad_verdict) == ("yes", "no")
