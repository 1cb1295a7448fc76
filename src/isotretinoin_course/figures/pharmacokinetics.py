"""Notebook 03's figures: the model's single dose against the label, and the simulator's concentration plot.

The simulator's plot is drawn on a :class:`matplotlib.figure.Figure` without pyplot, so redrawing it in
a widget leaves the notebook's backend untouched.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..models.isotretinoin_pk import LABEL_DOSE_MG, LABEL_FASTED, LABEL_FED, REFERENCE_WEIGHT_KG, model_for
from ..models.pharmacokinetics import HOURS_PER_DAY, Regimen, Simulation, simulate
from ..models.pk_scenario import ONE_MONTH_DAYS, WASHOUT_DAYS, Exposure, Scenario
from .style import OKABE_ITO, use_course_style


def concentration_figure(scenario: Scenario, simulation: Simulation, figure: Figure | None = None) -> Figure:
    """Concentration–time plot of the course and the month after it; reuses ``figure`` when given."""
    use_course_style()
    if figure is None:
        figure = Figure(figsize=(9.5, 4.2), dpi=100)
    figure.clear()
    ax = figure.add_subplot()
    # Long courses have more points than pixels; every n-th point keeps the daily swings visible.
    stride = max(1, simulation.times_h.size // 5000)
    days = simulation.times_h[::stride] / HOURS_PER_DAY
    ax.plot(days, simulation.parent_ng_ml[::stride], color=OKABE_ITO["blue"], linewidth=1.2, label="isotretinoin (model)")
    if simulation.metabolite_ng_ml is not None:
        ax.plot(days, simulation.metabolite_ng_ml[::stride], color=OKABE_ITO["orange"], linewidth=1.2, linestyle="--", label="4-oxo-isotretinoin (model)")
    last_dose_day = simulation.dose_times_h[-1] / HOURS_PER_DAY
    ax.axvspan(last_dose_day, last_dose_day + ONE_MONTH_DAYS, color=OKABE_ITO["bluish_green"], alpha=0.15, label="one month after the last dose")
    missed = sorted(scenario.missed)
    if missed:
        missed_days = [(number - 1) * scenario.interval_h / HOURS_PER_DAY for number in missed]
        ax.plot(missed_days, [0] * len(missed_days), "x", color=OKABE_ITO["vermillion"], markersize=7, label="missed dose")
    ax.set_xlabel("Time since the first dose (days)")
    ax.set_ylabel("Plasma concentration (ng/mL)")
    ax.set_xlim(0, days.max())
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="center right", fontsize=9)
    schedule = "twice daily" if scenario.interval_h == 12 else "once daily"
    ax.set_title(f"{scenario.dose_mg:g} mg {schedule}, {scenario.meal}, {scenario.weight_kg:g} kg: model concentrations (illustrative)")
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9)  # fixed margins: tight_layout costs ~20 ms a redraw
    return figure


def describe_simulation(scenario: Scenario, figures: Exposure) -> str:
    """A text description of the simulator's plot, for readers who cannot see it."""
    return (
        f"Model plasma concentrations over {scenario.days:g} days of {scenario.dose_mg:g} mg every {scenario.interval_h:g} h "
        f"and {WASHOUT_DAYS:g} days after. The parent drug rises over the first days and levels off between a trough of "
        f"{figures.trough_ng_ml:.0f} and a peak of {figures.peak_ng_ml:.0f} ng/mL; the metabolite curve, when shown, lies above it. "
        f"After the last dose the parent drug falls below 1% of its level at stopping within about {figures.days_to_one_percent:.0f} days "
        "(the metabolite a little later), well inside the shaded month after the last dose."
    )


def single_dose_figure() -> tuple[Figure, str]:
    """The model's single 80 mg dose of conventional capsules, fed and fasted, beside the label's measured means."""
    use_course_style()
    figure = Figure(figsize=(9, 4.4), dpi=100)
    ax = figure.add_subplot()
    summary = []
    for meal, label, colour, style in (("fed", LABEL_FED, OKABE_ITO["blue"], "-"), ("fasted", LABEL_FASTED, OKABE_ITO["vermillion"], "--")):
        model = model_for("conventional", meal, with_metabolite=False)
        simulation = simulate(model, Regimen(LABEL_DOSE_MG, 72, 3), REFERENCE_WEIGHT_KG, step_h=0.1)
        ax.plot(simulation.times_h, simulation.parent_ng_ml, color=colour, linestyle=style, linewidth=2, label=f"model, {meal}")
        ax.plot([label["tmax_h"]], [label["cmax_ng_ml"]], "D", color=colour, markersize=8, label=f"label mean peak, {meal}")
        summary.append((meal, float(simulation.parent_ng_ml.max()), label["cmax_ng_ml"]))
    ax.set_xlabel("Time after the dose (hours)")
    ax.set_ylabel("Plasma isotretinoin (ng/mL)")
    ax.set_xlim(0, 72)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title("One 80 mg dose of conventional capsules: one-compartment model versus the label's means")
    figure.tight_layout()
    (_, fed_model, fed_label), (_, fasted_model, fasted_label) = summary
    description = (
        "Concentration against time for 72 hours after one 80 mg dose. Two model curves: with food (solid), peaking at "
        f"5.3 h at {fed_model:.0f} ng/mL, and fasting (dashed), peaking at 3.2 h at {fasted_model:.0f} ng/mL; both then fall slowly. "
        f"Diamonds mark the label's mean measured peaks: {fed_label:.0f} ng/mL fed and {fasted_label:.0f} ng/mL fasted, about three "
        "times higher than the model's peaks, at the same times. The areas under the model curves equal the label's AUCs."
    )
    return figure, description
