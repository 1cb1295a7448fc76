"""Figures of the small demonstration data (``data.demo``): notebook 00's roster and notebook 02's response curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from ..core.inputs import checked_arguments
from ..content.bibliography import load_bibliography, short_citation
from ..core.errors import CourseInputError
from ..core.inputs import read_frame
from ..data.demo import LESION_ANCHORS, SEBUM_ANCHORS
from .style import OKABE_ITO, mark_synthetic, use_course_style


@checked_arguments
def demo_weight_figure(frame: pd.DataFrame) -> tuple[Figure, str]:
    """Histogram of the demo roster's body weights, stamped as synthetic."""
    frame = read_frame(frame, "frame", ("weight_kg",), rows=True)
    if not pd.api.types.is_numeric_dtype(frame["weight_kg"]) or frame["weight_kg"].isna().any():
        raise CourseInputError("frame['weight_kg']", str(frame["weight_kg"].dtype), "a number for every patient",
                               message="frame['weight_kg']: every patient needs a weight in kg (numbers, none missing)")
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


@checked_arguments
def response_time_course_figure(frame: pd.DataFrame) -> tuple[Figure, str]:
    """Median and 10th–90th percentile band of sebum and lesions over a course, with the published anchor points.

    ``frame`` is :func:`~isotretinoin_course.data.demo.treatment_response`'s table, for a course of any length.
    """
    frame = read_frame(frame, "frame", ("patient_id", "week", "sebum_pct_of_baseline", "lesions_pct_of_baseline"), rows=True)
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
        ax.legend(loc="upper right", fontsize=10)
    axes[0].set_ylabel("Percent of baseline (%)")
    mark_synthetic(figure)
    figure.tight_layout()
    median = summary.xs(0.5, axis=1, level=1)
    last = int(weeks.max())

    def at(column: str, week: int) -> str:
        return f"{median.loc[week, column]:.0f}%"

    if last >= 16:  # the usual course: the weeks the text of notebook 02 discusses
        sebum = (f"the median falls steeply to {at('sebum_pct_of_baseline', 2)} by week 2 and {at('sebum_pct_of_baseline', 4)} by week 4, "
                 f"then stays flat near {at('sebum_pct_of_baseline', 16)}")
        lesions = (f"the median falls slowly and steadily, to {at('lesions_pct_of_baseline', 8)} at week 8 and "
                   f"{at('lesions_pct_of_baseline', 16)} at week 16")
        points = "the published points sit on that plateau"
    else:  # a short course: the weeks it has
        shown = sorted({week for week in (1, 2, 4, 8) if week < last} | {last})
        sebum = "the median is " + ", ".join(f"{at('sebum_pct_of_baseline', week)} at week {week}" for week in shown)
        lesions = "the median is " + ", ".join(f"{at('lesions_pct_of_baseline', week)} at week {week}" for week in shown)
        points = "the published points come from later in a course"
    description = (
        f"Two panels for {frame['patient_id'].nunique()} synthetic patients over {last} weeks, as percent of each "
        f"patient's baseline. Left, sebum output: {sebum}; "
        f"{points}: {_anchor_sentence(SEBUM_ANCHORS)}. Right, inflammatory lesions: {lesions}, "
        f"with a wide band between patients. The published points: "
        f"{_anchor_sentence(LESION_ANCHORS)}. Both panels are marked as synthetic data."
    )
    return figure, description


def _anchor_sentence(anchors: tuple[tuple[float, float, str, str], ...]) -> str:
    """The published anchor points in words, each with its study, so a screen-reader user meets every one."""
    bibliography = load_bibliography()
    return "; ".join(f"{percent:g}% at week {week:g} ({short_citation(bibliography.entry(key))}: {what})"
                     for week, percent, what, key in anchors)
