"""Notebook 03's figures: one dose in both models against the label, the washout for each eliminator, and the
simulator's concentration plot.

Every figure is drawn on a :class:`matplotlib.figure.Figure` without pyplot, so redrawing one in a widget leaves
the notebook's backend untouched. The simulator's plot is a :class:`ConcentrationPlot`: its axes, lines and
shaded month are made once and only their data change on an update, because rebuilding a figure costs more than
drawing it (issue 21: a widget update within 100 ms).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..core.errors import CourseInputError
from ..core.inputs import checked_arguments, read_number
from ..models.isotretinoin_pk import (
    ELIMINATORS,
    ENDOGENOUS_NG_ML,
    FORMULATIONS,
    LABEL,
    LABEL_DOSE_MG,
    REFERENCE_WEIGHT_KG,
    eliminator,
    label_comparison,
    model_for,
    one_compartment_for,
    washout_table,
)
from ..models.pharmacokinetics import HOURS_PER_DAY, Regimen, Simulation, body_weight, simulate, single_dose_cmax
from ..models.pk_scenario import ONE_MONTH_DAYS, WASHOUT_DAYS, Exposure, Scenario
from .style import OKABE_ITO, quick_png, use_course_style

PLOT_BUCKETS = 1000  # a 950-pixel-wide plot shows at most about this many distinct columns
WASHOUT_FLOOR_NG_ML = 1e-3  # below this a log axis shows arithmetic, not anything measurable
ELIMINATOR_COLOURS = {"typical": OKABE_ITO["sky_blue"], "nulman_mean": OKABE_ITO["blue"], "slow": OKABE_ITO["bluish_green"],
                      "lognormal_95th": OKABE_ITO["orange"], "extreme": OKABE_ITO["vermillion"]}


def _numbers(value: object, field: str) -> np.ndarray:
    try:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CourseInputError(field, value, "numbers (a list or an array)", message=f"{field}: expected numbers (a list or an array), got {value!r:.40}") from None


@checked_arguments
def envelope(x: np.ndarray, y: np.ndarray, buckets: int = PLOT_BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``2 × buckets`` points that draw like ``(x, y)`` at screen resolution: each bucket's minimum and maximum.

    Daily peaks and troughs stay visible however long the course (a plain every-n-th point would skip them).
    """
    x, y = _numbers(x, "x"), _numbers(y, "y")
    if x.shape != y.shape or x.ndim != 1:
        raise CourseInputError("y", y.shape, f"one value for each of the {x.size} times",
                               message=f"y: give one value for each time ({y.size} values, {x.size} times)")
    buckets = read_number(buckets, "buckets", minimum=1, maximum=100_000, integer=True)
    if x.size <= 2 * buckets:
        return x, y
    size = x.size // buckets
    used = size * buckets
    shaped = y[:used].reshape(buckets, size)
    xs = x[:used].reshape(buckets, size)
    lows, highs = shaped.argmin(axis=1), shaped.argmax(axis=1)
    rows = np.arange(buckets)
    first = np.minimum(lows, highs)
    second = np.maximum(lows, highs)
    out_x = np.column_stack([xs[rows, first], xs[rows, second]]).ravel()
    out_y = np.column_stack([shaped[rows, first], shaped[rows, second]]).ravel()
    return np.append(out_x, x[used:]), np.append(out_y, y[used:])


class ConcentrationPlot:
    """The simulator's concentration–time plot, built once and updated in place; :meth:`png` draws and encodes it."""

    def __init__(self) -> None:
        use_course_style()
        self.figure = Figure(figsize=(9.5, 4.2), dpi=100)
        ax = self.ax = self.figure.add_subplot()
        (self.parent,) = ax.plot([], [], color=OKABE_ITO["blue"], linewidth=1.2, label="isotretinoin (model)")
        (self.metabolite,) = ax.plot([], [], color=OKABE_ITO["orange"], linewidth=1.2, linestyle="--", label="4-oxo-isotretinoin (model)")
        self.month = Rectangle((0, 0), ONE_MONTH_DAYS, 1, transform=ax.get_xaxis_transform(), color=OKABE_ITO["bluish_green"], alpha=0.15,
                               label="one month after the last dose")
        ax.add_patch(self.month)
        (self.missed,) = ax.plot([], [], "x", color=OKABE_ITO["vermillion"], markersize=7, clip_on=False, label="missed dose")
        ax.set_xlabel("Time since the first dose (days)")
        ax.set_ylabel("Plasma concentration (ng/mL)")
        ax.grid(alpha=0.3)
        self._legend_key: tuple[bool, bool] | None = None
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9)  # fixed margins: tight_layout costs ~20 ms a redraw

    def update(self, scenario: Scenario, simulation: Simulation) -> None:
        days = simulation.times_h / HOURS_PER_DAY
        self.parent.set_data(*envelope(days, simulation.parent_ng_ml))
        has_metabolite = simulation.metabolite_ng_ml is not None
        if has_metabolite:
            self.metabolite.set_data(*envelope(days, simulation.metabolite_ng_ml))
        self.metabolite.set_visible(has_metabolite)
        self.month.set_x(simulation.dose_times_h[-1] / HOURS_PER_DAY)
        missed = sorted(scenario.missed)
        self.missed.set_data([(number - 1) * scenario.interval_h / HOURS_PER_DAY for number in missed], [0.0] * len(missed))
        top = max(float(simulation.parent_ng_ml.max()), float(simulation.metabolite_ng_ml.max()) if has_metabolite else 0.0)
        self.ax.set_xlim(0, float(days[-1]))
        self.ax.set_ylim(0, top * 1.05)
        key = (has_metabolite, bool(missed))
        if key != self._legend_key:  # a legend costs a few ms to build: only when its entries change
            handles = [self.parent] + [self.metabolite] * has_metabolite + [self.month] + [self.missed] * bool(missed)
            self.ax.legend(handles=handles, loc="center right", fontsize=10)
            self._legend_key = key
        product = FORMULATIONS[scenario.formulation].name.split(" (")[0]
        meal = "with food" if scenario.meal == "fed" else "fasting"
        self.ax.set_title(f"{product}, {scenario.dose_mg:g} mg {scenario.schedule} {meal}, {scenario.weight_kg:g} kg, "
                          f"{eliminator(scenario.eliminator).short_label}", fontsize=11)

    def png(self) -> bytes:
        return quick_png(self.figure)


@checked_arguments
def concentration_figure(scenario: Scenario, simulation: Simulation) -> Figure:
    """The simulator's plot for one scenario as a figure of its own (for a static view or a test)."""
    plot = ConcentrationPlot()
    plot.update(scenario, simulation)
    return plot.figure


@checked_arguments
def describe_simulation(scenario: Scenario, figures: Exposure) -> str:
    """A text description of the simulator's plot, for readers who cannot see it."""
    scenario_words = eliminator(scenario.eliminator)
    metabolite = " The metabolite's curve lies above the parent's." if scenario.show_metabolite else ""
    return (
        f"Model plasma isotretinoin over {scenario.days:g} days of {scenario.dose_mg:g} mg {scenario.schedule} and {WASHOUT_DAYS:g} days after, "
        f"for a {scenario.weight_kg:g} kg patient ({scenario_words.short_label}). It rises over the first days and then swings between a low of "
        f"{figures.lowest_ng_ml:.0f} and a peak of {figures.peak_ng_ml:.0f} ng/mL on the last day of dosing.{metabolite} "
        f"After the last dose it falls below 1% of its level at stopping after about {figures.days_to_one_percent:.1f} days; "
        f"the shaded band is the month after the last dose, at whose end the model leaves {figures.parent_after_month_ng_ml:.1g} ng/mL."
    )


def single_dose_figure() -> tuple[Figure, str]:
    """One 80 mg dose of conventional capsules with food and fasting: the two-compartment model, the earlier
    one-compartment model, and the label's measured mean peaks (74 adults)."""
    use_course_style()
    figure = Figure(figsize=(9, 4.6), dpi=100)
    ax = figure.add_subplot()
    peaks = {}
    for meal, words, colour in (("fed", "with food", OKABE_ITO["blue"]), ("fasted", "fasting", OKABE_ITO["vermillion"])):
        for name, model, style in (("two compartments + delay", model_for("conventional", meal, with_metabolite=False), "-"),
                                   ("one compartment", one_compartment_for(meal), ":")):
            simulation = simulate(model, Regimen(LABEL_DOSE_MG, 72, 3), REFERENCE_WEIGHT_KG, step_h=0.05)
            ax.plot(simulation.times_h, simulation.parent_ng_ml, color=colour, linestyle=style, linewidth=2, label=f"{name}, {words}")
            peaks[meal, name] = (single_dose_cmax(model, LABEL_DOSE_MG, REFERENCE_WEIGHT_KG), model.tmax_h)
        ax.plot([LABEL[meal]["tmax_h"]], [LABEL[meal]["cmax_ng_ml"]], "D", color=colour, markersize=8, label=f"label mean peak, {words}")
    ax.set_xlabel("Time after the dose (hours)")
    ax.set_ylabel("Plasma isotretinoin (ng/mL)")
    ax.set_xlim(0, 48)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=10, ncol=2)
    ax.set_title("One 80 mg dose of conventional capsules: two models against the label's means")
    figure.tight_layout()
    two_fed, one_fed = peaks["fed", "two compartments + delay"], peaks["fed", "one compartment"]
    two_fasted, one_fasted = peaks["fasted", "two compartments + delay"], peaks["fasted", "one compartment"]
    fed, fasted = LABEL["fed"], LABEL["fasted"]
    description = (
        "Concentration against time for 48 hours after one 80 mg dose. Diamonds mark the label's mean peaks: "
        f"{fed['cmax_ng_ml']:.0f} ng/mL at {fed['tmax_h']:g} h with food and {fasted['cmax_ng_ml']:.0f} ng/mL at {fasted['tmax_h']:g} h fasting. "
        "Solid curves, the two-compartment model with a delay before absorption, peak at "
        f"{two_fed[0]:.0f} ng/mL at {two_fed[1]:.1f} h with food and {two_fasted[0]:.0f} ng/mL at {two_fasted[1]:.1f} h fasting, "
        "close to the diamonds, then fall quickly for a few hours and slowly after. Dotted curves, the one-compartment model, "
        f"peak at the right times but only at {one_fed[0]:.0f} and {one_fasted[0]:.0f} ng/mL, about a third of the label's. "
        "All four curves have the label's areas under the curve."
    )
    return figure, description


@checked_arguments
def washout_figure(dose_mg: float = 30, interval_h: float = 12, course_days: float = 140, weight_kg: float = REFERENCE_WEIGHT_KG,
                   days_after: float = 35) -> tuple[Figure, str]:
    """Parent concentration from the last dose of a course to ``days_after`` days later, log scale, one curve per eliminator."""
    days_after = read_number(days_after, "days after the last dose", unit="days", minimum=1, maximum=400)
    regimen = Regimen(dose_mg, interval_h, course_days)
    dose_mg, interval_h, course_days, weight_kg = regimen.dose_mg, regimen.interval_h, regimen.days, body_weight(weight_kg)
    use_course_style()
    figure = Figure(figsize=(9, 4.6), dpi=100)
    ax = figure.add_subplot()
    last = regimen.dose_times_h()[-1]
    for name in ELIMINATORS:
        scenario = eliminator(name)
        model = model_for("conventional", "fed", with_metabolite=False, eliminator=name)
        simulation = simulate(model, regimen, weight_kg, step_h=0.5, follow_up_days=days_after)
        after = simulation.times_h >= last
        days = (simulation.times_h[after] - last) / HOURS_PER_DAY
        values = np.where(simulation.parent_ng_ml[after] > WASHOUT_FLOOR_NG_ML, simulation.parent_ng_ml[after], np.nan)
        ax.plot(days, values, "--" if scenario.constructed else "-", color=ELIMINATOR_COLOURS.get(name, OKABE_ITO["black"]), linewidth=2,
                label=f"{scenario.short_label}, half-life {scenario.terminal_half_life_h:g} h")
    ax.axvline(ONE_MONTH_DAYS, color="grey", linewidth=1)
    ax.text(ONE_MONTH_DAYS + 0.3, 2e-3, "one month after\nthe last dose", fontsize=10, va="bottom")
    # The body's own isotretinoin (from vitamin A): the model adds to it and leaves it out of every curve.
    ax.axhline(ENDOGENOUS_NG_ML, color=OKABE_ITO["black"], linewidth=1, linestyle=":")
    ax.text(0.3, ENDOGENOUS_NG_ML * 1.25, f"the body's own level, about {ENDOGENOUS_NG_ML:.1f} ng/mL", fontsize=10)
    ax.set_yscale("log")
    ax.set_ylim(WASHOUT_FLOOR_NG_ML, 1000)
    ax.set_xlim(0, days_after)
    ax.set_xlabel("Days after the last dose")
    ax.set_ylabel("Plasma isotretinoin (ng/mL, log scale)")
    ax.set_title(f"After {course_days:g} days of {dose_mg:g} mg twice daily with food, {weight_kg:g} kg: model washout (teaching model)", fontsize=11)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=10, loc="upper right")
    figure.tight_layout()
    rows = washout_table(ONE_MONTH_DAYS, dose_mg=dose_mg, interval_h=interval_h, course_days=course_days, weight_kg=weight_kg)
    parts = [f"{row.eliminator.short_label} (half-life {row.terminal_half_life_h:g} h), {amount_text(row.parent_after_ng_ml)} ng/mL or "
             f"{power_of_ten(row.parent_fraction_remaining, 0)} of the level at stopping" for row in rows]
    description = (
        "Model plasma isotretinoin on a log scale from the last dose of a 20-week course to five weeks later, one curve per "
        "elimination scenario; a vertical line marks one month and a dotted horizontal line the isotretinoin the body makes itself "
        f"(about {ENDOGENOUS_NG_ML:.1f} ng/mL), which the model leaves out. All curves rise to the last dose's peak, are near "
        f"{rows[0].parent_at_stop_ng_ml:.0f} ng/mL when the next dose would have been due (the level at stopping), fall steeply for about a "
        "day, then decline along their terminal half-lives. At 30 days: " + "; ".join(parts) + ". Curves stop at 0.001 ng/mL. The dashed "
        "curves are constructed what-if scenarios built from a mean and a standard deviation, not measured patients."
    )
    return figure, description


def label_comparison_table() -> pd.DataFrame:
    """The label's single-dose means beside both models' values, as a table to show (differences in per cent)."""

    def number(value: float) -> str:
        return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"

    def change(value: float) -> str:
        return "±0%" if abs(value) < 0.005 else f"{value:+.0%}"

    rows = []
    for row in label_comparison():
        shown = {"taken": row["taken"], "measure": row["measure"], "label mean (74 adults)": number(row["label mean"])}  # type: ignore[arg-type]
        for name in ("two compartments + delay", "one compartment"):
            shown[name] = f"{number(row[name])} ({change(row[f'{name}: difference'])})"  # type: ignore[arg-type]
        rows.append(shown)
    return pd.DataFrame(rows)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float, digits: int = 1) -> str:
    """A very small number as a student writes it: 2.2e-09 becomes "2.2 × 10⁻⁹" (Python's e-notation is not for students)."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def amount_text(value: float) -> str:
    """A concentration for a table: two significant figures from 1 up ("2.9", "10"), one below ("0.04"), powers of ten under 0.01."""
    if value >= 1:
        return f"{value:.2g}"
    return f"{value:.1g}" if value >= 0.01 else power_of_ten(value, 0)


def _one_figure(value: float) -> str:
    """A ratio to one significant figure, in powers of ten below 0.01."""
    return f"{value:.1g}" if value >= 0.01 else power_of_ten(value, 0)


def formulation_table() -> pd.DataFrame:
    """The three US formulations as the model holds them: strengths, exposure per mg and the model's time to peak."""
    rows = []
    for product in FORMULATIONS.values():
        rows.append({
            "formulation": product.name,
            "strengths (mg)": ", ".join(f"{strength:g}" for strength in product.strengths_mg),
            "exposure per mg, with food (× conventional with food)": f"{product.relative_bioavailability['fed']:.2f}",
            "exposure per mg, fasting (× conventional with food)": f"{product.relative_bioavailability['fasted']:.2f}",
            "model's time to peak, with food / fasting (h)": f"{product.tmax_h['fed']:.1f} / {product.tmax_h['fasted']:.1f}",
        })
    return pd.DataFrame(rows)


def show_model_table(frame: pd.DataFrame, caption: str) -> None:
    """Show a table of label or model figures (not patient data) with a caption and without pandas' row numbers.

    The id comes from the caption, so the HTML is the same on every run and two tables on a page never share one.
    """
    slug = "".join(character if character.isalnum() else "-" for character in caption.lower())[:40].strip("-")
    display(HTML(frame.style.set_uuid(slug).set_caption(caption).hide(axis="index").to_html()))


@checked_arguments
def washout_frame(days_after: float = ONE_MONTH_DAYS) -> pd.DataFrame:
    """The model's washout after a 20-week course for every eliminator, as a table to show.

    "At stopping" is the level when the next dose would have been due (just before it), not the lowest level of a day.
    """
    days_after = read_number(days_after, "days after the last dose", unit="days", minimum=1, maximum=400)
    rows = []
    for row in washout_table(days_after):
        rows.append({
            "scenario": row.eliminator.label,
            "terminal half-life (h)": f"{row.terminal_half_life_h:g}",
            f"half-lives in {days_after:g} days": f"{row.half_lives_elapsed:.0f}",
            "isotretinoin at stopping, when the next dose was due (ng/mL)": f"{row.parent_at_stop_ng_ml:.0f}",
            f"isotretinoin after {days_after:g} days (ng/mL)": amount_text(row.parent_after_ng_ml),
            "fraction of the level at stopping": power_of_ten(row.parent_fraction_remaining, 0),
            f"after {days_after:g} days ÷ the body's own isotretinoin ({ENDOGENOUS_NG_ML:.1f} ng/mL)": _one_figure(row.parent_after_ng_ml / ENDOGENOUS_NG_ML),
            f"4-oxo-isotretinoin after {days_after:g} days (ng/mL; rests on the 3.4 ratio)": amount_text(row.metabolite_after_ng_ml),
        })
    return pd.DataFrame(rows)
