"""Notebook 04's figure: cumulative dose over a course for three regimens (arithmetic, no patient data)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..core.inputs import checked_arguments
from ..content.ranges import read_plausible
from ..models.dosing import CUMULATIVE_TARGETS_MG_PER_KG, MAINTENANCE_MG_PER_KG_DAY, STARTING_MG_PER_KG_DAY, SUPPLY_DAYS, check_weight
from .style import OKABE_ITO, use_course_style


@checked_arguments
def cumulative_dose_figure(weight_kg: float = 60.0, days: int = 260) -> tuple[Figure, str]:
    """Cumulative mg/kg over a course for three regimens, with lines at the cumulative targets (120 and 150 mg/kg)."""
    check_weight(weight_kg)
    days = int(read_plausible(days, "days", "course_days", integer=True))
    use_course_style()
    figure, ax = plt.subplots(figsize=(9, 4.6))
    day = np.arange(days + 1)
    low, high, month = STARTING_MG_PER_KG_DAY, MAINTENANCE_MG_PER_KG_DAY, SUPPLY_DAYS
    first_target, last_target = CUMULATIVE_TARGETS_MG_PER_KG
    regimens = [
        (f"{low:.1f} mg/kg/day throughout", lambda d: low * d, OKABE_ITO["orange"], "--"),
        (f"{low:.1f} for {month} days, then {high:.1f} mg/kg/day", lambda d: np.where(d <= month, low * d, low * month + high * (d - month)),
         OKABE_ITO["blue"], "-"),
        (f"{high:.1f} mg/kg/day throughout", lambda d: high * d, OKABE_ITO["bluish_green"], ":"),
    ]
    crossings = []
    for label, curve, colour, style in regimens:
        values = curve(day)
        ax.plot(day, values, color=colour, linestyle=style, linewidth=2.2, label=label)
        crossings.append((label, int(np.argmax(values >= first_target)) if values.max() >= first_target else None))
    for target in CUMULATIVE_TARGETS_MG_PER_KG:
        ax.axhline(target, color="#555555", linewidth=1, linestyle="-.")
        ax.text(days * 0.99, target + 3, f"{target:g} mg/kg", ha="right", va="bottom", fontsize=10)
    ax.set_xlabel("Days of treatment")
    ax.set_ylabel("Cumulative dose (mg/kg)")
    ax.set_xlim(0, days)
    ax.set_ylim(0, 210)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=10)
    ax.set_title("Cumulative dose over a course: three regimens (arithmetic, no patient data)")
    figure.tight_layout()
    reached = "; ".join(f"{label}: day {crossing}" if crossing is not None else f"{label}: not within {days} days" for label, crossing in crossings)
    description = (
        f"Three straight or bent lines of cumulative dose in mg/kg against days of treatment, with horizontal lines at {first_target:g} and "
        f"{last_target:g} mg/kg. The {first_target:g} mg/kg line is crossed on these days — {reached}. The escalating regimen (blue, solid) bends upward "
        f"after day {month}."
    )
    return figure, description
