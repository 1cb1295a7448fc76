"""Small synthetic (invented) demonstration data: a roster for notebook 00 and response curves for notebook 02.

Every table and figure of patient data in the course is synthetic: generated
here by seeded code, so it is the same on every run and on every machine, and
labelled so that nobody mistakes it for real patients (``figures.style``
stamps figures and captions tables). No real patient data is used anywhere
in the course. The clinical cohort is :mod:`isotretinoin_course.data.cohort`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.inputs import checked_arguments
from ..core.errors import CourseInputError
from ..core.inputs import read_count, read_seed

DEFAULT_SEED = 2026


MAX_PATIENTS = 10_000  # more than any lesson needs; bounds the time a call can take
MAX_WEEKS = 104  # two years: longer than any course the curves illustrate


@checked_arguments
def generator(seed: int = DEFAULT_SEED) -> np.random.Generator:
    """The course's random number generator: always seeded, so results reproduce."""
    return np.random.default_rng(read_seed(seed))


@checked_arguments
def demo_patients(n: int = 200, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A small invented roster (age and body weight) used only to show how synthetic data is marked.

    The distributions are chosen for illustration and are not shaped after any
    study; the course's clinical cohort (in ``datasets/``) documents its sources.
    """
    n = read_count(n, "n", maximum=MAX_PATIENTS, what="patients")
    rng = generator(read_seed(seed))
    ages = rng.integers(14, 36, size=n)
    weights = np.clip(rng.normal(68, 12, size=n), 40, 130).round(1)
    frame = pd.DataFrame(
        {"patient_id": [f"SYN-{number:04d}" for number in range(1, n + 1)], "age_years": ages, "weight_kg": weights}
    )
    frame.attrs["synthetic"] = True
    return frame


# Published points the synthetic response curves are shaped after (notebook 02 cites each source), with the
# size and design of each study. (week, percent of baseline, what was measured, citation key)
SEBUM_ANCHORS = (
    (16, 11.6, "sebum production, 1 mg/kg/day, 7 men, open study (88.4% decrease)", "goldstein1982"),
    (17, 10.0, "sebum excretion rate after 4 months, 1 mg/kg/day (90% decrease; group size not in the abstract)", "cunliffe1987"),
)
LESION_ANCHORS = (
    (16, 15.0, "clinical improvement of at least 85% after about 4 months, most of 88 patients (single-centre follow-up)", "layton1993"),
    (16, 63.8, "nodulocystic lesions, 7 men, 2 of whom did not improve (36.2% reduction): a low outlier", "goldstein1982"),
    (17, 0.0, "complete clearing in 13 of 14 patients after about 4 months at about 2 mg/kg/day", "peck1979"),
)
# Lesions: median time constant chosen so the middle synthetic patient is at about 15% of baseline at week 16
# (Layton 1993's typical response: 16 / ln(1 / 0.15) = 8.4 weeks); the spread puts the Goldstein and Peck
# points near the two ends. The synthetic cohort (data/cohort.py) uses the same shape.
LESION_TIME_CONSTANT_WEEKS = 8.4
LESION_TIME_CONSTANT_SPREAD = 0.9


@checked_arguments
def treatment_response(n: int = 40, weeks: int = 20, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Weekly sebum output and inflammatory lesion count, as % of baseline, for ``n`` synthetic patients.

    Sebum falls fast to a low plateau (time constant about one week, plateau
    about 11% of baseline); lesions fall slowly (median time constant about 8
    weeks, so the middle patient is near 15% of baseline at week 16, with a
    spread wide enough to reach from a 36% reduction to complete clearing).
    Illustrative shapes, not a model fitted to any trial.
    """
    n = read_count(n, "n", maximum=MAX_PATIENTS, what="patients")
    weeks = read_count(weeks, "weeks", maximum=MAX_WEEKS, what="weeks")
    rng = generator(read_seed(seed))
    plateau = np.clip(11.0 * rng.lognormal(0.0, 0.35, n), 3.0, 40.0)
    sebum_tau = 1.0 * rng.lognormal(0.0, 0.3, n)
    lesion_tau = LESION_TIME_CONSTANT_WEEKS * rng.lognormal(0.0, LESION_TIME_CONSTANT_SPREAD, n)
    week = np.arange(weeks + 1)
    sebum = plateau[:, None] + (100.0 - plateau[:, None]) * np.exp(-week[None, :] / sebum_tau[:, None])
    lesions = 100.0 * np.exp(-week[None, :] / lesion_tau[:, None])
    frame = pd.DataFrame(
        {
            "patient_id": np.repeat([f"SYN-{number:04d}" for number in range(1, n + 1)], week.size),
            "week": np.tile(week, n),
            "sebum_pct_of_baseline": sebum.ravel().round(1),
            "lesions_pct_of_baseline": lesions.ravel().round(1),
        }
    )
    frame.attrs["synthetic"] = True
    return frame
