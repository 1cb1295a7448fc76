"""Synthetic (invented) patient data and how the course marks it.

Every table and figure of patient data in the course is synthetic: generated
here by seeded code, so it is the same on every run and on every machine, and
labelled so that nobody mistakes it for real patients. No real patient data
is used anywhere in the course.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from .plots import OKABE_ITO, SYNTHETIC_LABEL, mark_synthetic, use_course_style

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
        raise ValueError(f"n must be at least 1 patient, got {n}")
    rng = generator(seed)
    ages = rng.integers(14, 36, size=n)
    weights = np.clip(rng.normal(68, 12, size=n), 40, 130).round(1)
    frame = pd.DataFrame(
        {"patient_id": [f"SYN-{number:04d}" for number in range(1, n + 1)], "age_years": ages, "weight_kg": weights}
    )
    frame.attrs["synthetic"] = True
    return frame


def show_table(frame: pd.DataFrame, title: str, rows: int = 10) -> None:
    """Display the first ``rows`` of a table with a caption that marks it synthetic.

    A fixed table id keeps the HTML identical from run to run (pandas would
    otherwise add a random one), so stored outputs can be checked.
    """
    styled = frame.head(rows).style.set_uuid("synthetic").set_caption(f"{title} — {SYNTHETIC_LABEL}").hide(axis="index")
    styled = styled.format(precision=1)
    display(HTML(styled.to_html()))


def demo_weight_figure(frame: pd.DataFrame) -> tuple[Figure, str]:
    """Histogram of the demo roster's body weights, stamped as synthetic."""
    use_course_style()
    figure, ax = plt.subplots(figsize=(7, 3.8))
    ax.hist(frame["weight_kg"], bins=range(40, 135, 5), color=OKABE_ITO["blue"], edgecolor="white")
    ax.set_xlabel("Body weight (kg)")
    ax.set_ylabel("Number of synthetic patients")
    ax.set_title(f"Body weight of {len(frame)} synthetic patients (SYNTHETIC DATA)")
    mark_synthetic(figure)
    figure.tight_layout()
    low, high = frame["weight_kg"].min(), frame["weight_kg"].max()
    peak_bin = int(frame["weight_kg"].floordiv(5).mul(5).mode().iloc[0])
    description = (
        f"A histogram of body weight in 5 kg bins for {len(frame)} synthetic patients. Weights run from "
        f"{low:.1f} to {high:.1f} kg and the tallest bar is the {peak_bin}–{peak_bin + 5} kg bin. The title and a "
        "stamp in the lower right corner say that the data are synthetic."
    )
    return figure, description


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
        raise ValueError(f"need at least 1 patient and 1 week, got n={n}, weeks={weeks}")
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


def response_time_course_figure(frame: pd.DataFrame) -> tuple[Figure, str]:
    """Median and 10th–90th percentile band of sebum and lesions over a course, with the published anchor points."""
    use_course_style()
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
    summary = frame.groupby("week").quantile([0.1, 0.5, 0.9], numeric_only=True).unstack()
    weeks = summary.index.to_numpy()
    panels = (
        (axes[0], "sebum_pct_of_baseline", "Sebum output", SEBUM_ANCHORS, OKABE_ITO["orange"]),
        (axes[1], "lesions_pct_of_baseline", "Inflammatory lesion count", LESION_ANCHORS, OKABE_ITO["blue"]),
    )
    for ax, column, label, anchors, colour in panels:
        ax.fill_between(weeks, summary[(column, 0.1)], summary[(column, 0.9)], color=colour, alpha=0.25, label="10th–90th percentile (synthetic)")
        ax.plot(weeks, summary[(column, 0.5)], color=colour, linewidth=2.5, label="median (synthetic)")
        ax.plot([a[0] for a in anchors], [a[1] for a in anchors], "kD", markersize=7, label="published figures (see text)")
        ax.set_title(f"{label} (SYNTHETIC DATA)")
        ax.set_xlabel("Weeks of treatment")
        ax.set_xlim(0, weeks.max())
        ax.set_ylim(0, 105)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=9)
    axes[0].set_ylabel("Percent of baseline (%)")
    mark_synthetic(figure)
    figure.tight_layout()
    median = summary.xs(0.5, axis=1, level=1)
    description = (
        f"Two panels for {frame['patient_id'].nunique()} synthetic patients over {int(weeks.max())} weeks, as percent of each "
        f"patient's baseline. Left, sebum output: the median falls steeply to {median.loc[2, 'sebum_pct_of_baseline']:.0f}% by week 2 "
        f"and {median.loc[4, 'sebum_pct_of_baseline']:.0f}% by week 4, then stays flat near {median.loc[16, 'sebum_pct_of_baseline']:.0f}%; "
        f"published points at weeks 16 and 17 (about 12% and 10%) sit on that plateau. Right, inflammatory lesions: the median "
        f"falls slowly and steadily, to {median.loc[8, 'lesions_pct_of_baseline']:.0f}% at week 8 and "
        f"{median.loc[16, 'lesions_pct_of_baseline']:.0f}% at week 16, with a wide band between patients; the published points at "
        "weeks 16 and 17 (64% and 0%) lie near the top and bottom of that band. Both panels are marked as synthetic data."
    )
    return figure, description
