"""Notebook 05's views: dose reconstruction, the patient explorer and the cohort shares."""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from isotretinoin_course.core.errors import CourseInputError  # noqa: E402
from isotretinoin_course.core.constants import SYNTHETIC_LABEL  # noqa: E402
from isotretinoin_course.data.cohort import planted_labels  # noqa: E402
from isotretinoin_course.data.loader import load_cohort  # noqa: E402
from isotretinoin_course.figures import cohort_threshold_figure, patient_timeline_figure  # noqa: E402
from isotretinoin_course.figures.monitoring import PatientTimeline  # noqa: E402
from isotretinoin_course.figures.style import figure_png  # noqa: E402
from isotretinoin_course.models.dosing import daily_doses  # noqa: E402
from isotretinoin_course.models.monitoring import threshold_shares  # noqa: E402
from isotretinoin_course.widgets import PatientExplorer  # noqa: E402


@pytest.fixture(scope="module")
def cohort():
    return load_cohort()


def test_collected_doses_add_up_to_each_patients_target(cohort):
    patients = cohort["patients"].set_index("patient_id")
    for patient_id in patients.index[:60]:
        total = daily_doses(cohort["dispensing"], patient_id).sum() / patients.loc[patient_id, "weight_kg"]
        assert total == pytest.approx(patients.loc[patient_id, "cumulative_target_mg_per_kg"], abs=2)


def test_planted_patients_are_labelled():
    labels = planted_labels()
    assert labels["SYN-0008"] == "triglycerides past 500"
    assert labels["SYN-0013"] == "missed pick-up"


def test_timeline_is_marked_synthetic_and_described(cohort):
    figure, description = patient_timeline_figure(cohort, "SYN-0008")
    assert SYNTHETIC_LABEL in [text.get_text() for text in figure.texts]
    assert "SYNTHETIC DATA" in figure._suptitle.get_text()
    assert "peak of 7" in description and "mg/dL" in description
    with pytest.raises(CourseInputError, match="patient_id: 'SYN-9999' is not one of the 240 patient ids of the synthetic cohort"):
        patient_timeline_figure(cohort, "SYN-9999")


def test_explorer_redraws_and_lists_flags(cohort):
    explorer = PatientExplorer(cohort, "SYN-0008")
    first = bytes(explorer.plot.value)
    assert "very high" in explorer.flags.value
    explorer.picker.value = "SYN-0024"
    assert bytes(explorer.plot.value) != first
    assert "CTCAE grade 2" in re.sub("<[^>]+>", " ", explorer.flags.value)
    assert explorer._repr_mimebundle_()["text/plain"].startswith("Synthetic patient explorer")


def test_a_reused_timeline_draws_exactly_what_a_fresh_one_draws(cohort):
    """The explorer updates one figure's artists; nothing of the patient before may remain (lines, events, limits)."""
    reused = PatientTimeline(cohort, Figure(figsize=(10, 9.5), dpi=90))
    for patient_id in ("SYN-0008", "SYN-0013", "SYN-0024"):  # very high triglycerides; a missed pick-up; ALT grade 2
        described = reused.show(patient_id)
        fresh, fresh_description = patient_timeline_figure(cohort, patient_id, Figure(figsize=(10, 9.5), dpi=90))
        assert described == fresh_description
        assert figure_png(reused.figure) == figure_png(fresh), patient_id
    assert np.isfinite(reused.axes[-1].get_xlim()).all()


def test_threshold_shares_rise_to_month_two(cohort):
    shares = threshold_shares(cohort["labs"])
    assert shares.loc["baseline", "patients tested"] == len(cohort["patients"])
    assert shares.loc["month_2", "triglycerides > 150 mg/dL (1.7 mmol/L)"] > shares.loc["baseline", "triglycerides > 150 mg/dL (1.7 mmol/L)"] + 20
    figure, description = cohort_threshold_figure(cohort["labs"])
    assert "SYNTHETIC DATA" in figure.axes[0].get_title()
    assert figure.axes[0].get_ylabel() == "Patients above the threshold (%)"
    assert "month 2" in description


def test_the_explorers_image_is_the_full_figure_with_its_static_layer(cohort):
    """The explorer draws legends and axis labels once (a StaticLayer) and lays them over each redraw; the image must
    match a fresh figure drawn whole, to rounding in the blend, and the layer must not be in the figure itself."""
    from matplotlib.image import imread

    explorer = PatientExplorer(cohort, "SYN-0008")
    for patient_id in ("SYN-0013", "SYN-0024"):
        explorer.picker.value = patient_id
        fresh, _description = patient_timeline_figure(cohort, patient_id, Figure(figsize=(10, 9.5), dpi=90))
        shown = imread(io.BytesIO(bytes(explorer.plot.value)))
        whole = imread(io.BytesIO(figure_png(fresh)))
        assert shown.shape == whole.shape
        assert np.abs(shown - whole).max() <= 2 / 255, patient_id
    assert not any(artist.get_visible() for artist in explorer._timeline.static_artists())
