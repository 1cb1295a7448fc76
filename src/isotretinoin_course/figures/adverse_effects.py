"""Notebook 07's figure: the pooled psychiatric risk ratios of Tan et al. 2024 as a forest plot."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..content.adverse_effects import adverse_effects
from .style import OKABE_ITO, number_word, use_course_style


def risk_ratio_figure() -> tuple[Figure, str]:
    """A forest plot of the pooled risk ratios, with the line of no difference at 1."""
    use_course_style()
    figure = Figure(figsize=(8, 3.2))
    ax = figure.add_subplot()
    ratios = [(row.outcome, row.ratio, row.low, row.high) for row in adverse_effects().psychiatric_risk_ratios]
    rows = list(reversed(ratios))
    for position, (label, ratio, low, high) in enumerate(rows):
        ax.plot([low, high], [position, position], color=OKABE_ITO["blue"], linewidth=2)
        ax.plot([ratio], [position], "s", color=OKABE_ITO["blue"], markersize=8)
        ax.text(1.24, position, f"{ratio:.2f} ({low:.2f}–{high:.2f})", va="center", fontsize=10)
    ax.axvline(1.0, color=OKABE_ITO["black"], linestyle="--", linewidth=1)
    ax.set_yticks(range(len(rows)), [row[0] for row in rows])
    ax.set_xlim(0.6, 1.45)
    ax.set_xlabel("Risk ratio, isotretinoin users vs non-users (95% CI); below 1 = lower risk")
    ax.set_title("Psychiatric outcomes in a 2024 meta-analysis (Tan et al.)")
    figure.subplots_adjust(left=0.3, right=0.97, bottom=0.2)
    description = (
        f"A forest plot of {number_word(len(ratios))} pooled risk ratios with 95% confidence intervals, against a dashed line at 1 (no difference). "
        + "; ".join(f"{label}: {ratio:.2f} ({low:.2f} to {high:.2f})" for label, ratio, low, high in ratios)
        + ". The suicide-attempt intervals lie at or below 1; the interval for any psychiatric disorder crosses 1. "
        "None lies wholly above 1: the pooled studies found no increased risk."
    )
    return figure, description
