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

from ..core.errors import CourseInputError

DEFAULT_SEED = 2026


def generator(seed: int = DEFAULT_SEED) -> np.random.Generator:
    """The course's random number generator: always seeded, so results reproduce."""
    return np.random.default_rng(seed)


def demo_patients(n: int = 200, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A small invented roster (age and body weight) used only to show how synthetic data is marked.

    The distributions are chosen for illustration and are not shaped after any
    study; the course's clinical cohort (in ``datasets/``) documents its sources.
    """
    if n < 1:
        raise CourseInputError(f"n must be at least 1 patient, got {n}")
    rng = generator(seed)
    ages = rng.integers(14, 36, size=n)
    weights = np.clip(rng.normal(68, 12, size=n), 40, 130).round(1)
    frame = pd.DataFrame(
        {"patient_id": [f"SYN-{number:04d}" for number in range(1, n + 1)], "age_years": ages, "weight_kg": weights}
    )
    frame.attrs["synthetic"] = True
    return frame


# Published points the synthetic response curves are shaped after (notebook 02 cites each source).
# (week, percent of baseline, what was measured, citation key)
SEBUM_ANCHORS = (
    (16, 11.6, "sebum production, 1 mg/kg/day, 7 men (88.4% decrease)", "goldstein1982"),
    (17, 10.0, "sebum excretion rate after 4 months, 1 mg/kg/day (90% decrease)", "cunliffe1987"),
)
LESION_ANCHORS = (
    (16, 63.8, "nodulocystic lesions, 7 men (36.2% reduction)", "goldstein1982"),
    (17, 0.0, "complete clearing in 13 of 14 patients after about 4 months", "peck1979"),
)


def treatment_response(n: int = 40, weeks: int = 20, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Weekly sebum output and inflammatory lesion count, as % of baseline, for ``n`` synthetic patients.

    Sebum falls fast to a low plateau (time constant about one week, plateau
    about 11% of baseline); lesions fall slowly (median time constant about 13
    weeks, spread so that week-16 values span the published range from a 36%
    reduction to complete clearing). Illustrative shapes, not a model fitted to
    any trial.
    """
    if n < 1 or weeks < 1:
        raise CourseInputError(f"need at least 1 patient and 1 week, got n={n}, weeks={weeks}")
    rng = generator(seed)
    plateau = np.clip(11.0 * rng.lognormal(0.0, 0.35, n), 3.0, 40.0)
    sebum_tau = 1.0 * rng.lognormal(0.0, 0.3, n)
    lesion_tau = 13.3 * rng.lognormal(0.0, 0.9, n)
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
