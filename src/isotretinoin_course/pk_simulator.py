"""The interactive isotretinoin PK simulator: controls, exposure figures and the concentration plot.

The widget redraws its figure into an ``Image`` widget (PNG bytes) rather than
printing into an ``Output`` widget, so an executed notebook stores no
callback output and stays reproducible. Every figure is computed by
:mod:`pharmacokinetics` with the parameters of :mod:`isotretinoin_pk`.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import ipywidgets as widgets
from matplotlib.figure import Figure  # drawn without pyplot, so the notebook's backend is untouched

from .isotretinoin_pk import FORMULATIONS, LABEL_DOSE_MG, LABEL_FASTED, LABEL_FED, REFERENCE_WEIGHT_KG, model_for
from .inputs import InputError, read_positive_number
from .markup import inline_markup
from .pharmacokinetics import (
    HOURS_PER_DAY,
    OralModel,
    PKParameterError,
    Regimen,
    Simulation,
    accumulation_ratio,
    fraction_remaining,
    simulate,
)
from .plots import FIGURE_DESCRIPTION_PREFIX, OKABE_ITO, use_course_style

SCHEDULES = {"twice daily": 12.0, "once daily": 24.0}
LIMITS = {"dose_mg": (1.0, 200.0), "weight_kg": (20.0, 250.0), "days": (1.0, 365.0)}
WASHOUT_DAYS = 35.0
ONE_MONTH_DAYS = 30.0


SimulatorInputError = InputError  # the simulator's input errors are the course's common kind


@dataclass(frozen=True)
class Scenario:
    formulation: str
    meal: str
    dose_mg: float
    interval_h: float
    weight_kg: float
    days: float
    missed: frozenset[int]
    show_metabolite: bool = True

    @property
    def model(self) -> OralModel:
        return model_for(self.formulation, self.meal, with_metabolite=self.show_metabolite)

    @property
    def regimen(self) -> Regimen:
        return Regimen(self.dose_mg, self.interval_h, self.days, self.missed)


def _number(text: object, label: str, unit: str) -> float:
    name = {"dose_mg": "Dose", "weight_kg": "Body weight", "days": "Course length"}[label]
    return read_positive_number(text, name, unit, *LIMITS[label], range_note="what this simulator covers")


def parse_missed(text: str, scheduled: int) -> frozenset[int]:
    """Read missed doses typed as ``"3, 8-10"`` (1-based dose numbers; ranges allowed)."""
    numbers: set[int] = set()
    for part in filter(None, (piece.strip() for piece in re.split(r"[,;\s]+", text or ""))):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise SimulatorInputError(f"Missed doses: '{part}' is not a dose number or a range like 8-10.")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first > last:
            raise SimulatorInputError(f"Missed doses: the range {part} runs backwards.")
        if first < 1 or last > scheduled:
            raise SimulatorInputError(f"Missed doses: {part} is outside doses 1 to {scheduled} of this course.")
        numbers.update(range(first, last + 1))
    if len(numbers) >= scheduled:
        raise SimulatorInputError("Missed doses: at least one dose must be taken.")
    return frozenset(numbers)


def scenario_from_inputs(
    formulation: str, meal: str, dose: object, schedule: str, weight: object, days: object, missed: str, show_metabolite: bool = True
) -> Scenario:
    """Turn what the student typed into a :class:`Scenario`, or raise :class:`SimulatorInputError`."""
    if formulation not in FORMULATIONS:
        raise SimulatorInputError(f"Unknown formulation {formulation!r}.")
    if meal not in ("fed", "fasted"):
        raise SimulatorInputError(f"Unknown meal choice {meal!r}.")
    if schedule not in SCHEDULES:
        raise SimulatorInputError(f"Unknown schedule {schedule!r}.")
    dose_mg = _number(dose, "dose_mg", "mg")
    weight_kg = _number(weight, "weight_kg", "kg")
    course_days = _number(days, "days", "days")
    interval_h = SCHEDULES[schedule]
    scheduled = int(math.floor(course_days * HOURS_PER_DAY / interval_h + 1e-9))
    return Scenario(formulation, meal, dose_mg, interval_h, weight_kg, course_days, parse_missed(missed, scheduled), show_metabolite)


@dataclass(frozen=True)
class Exposure:
    """The figures the simulator reports for one scenario."""

    daily_dose_mg: float
    mg_per_kg_day: float
    doses_taken: int
    doses_scheduled: int
    peak_ng_ml: float
    trough_ng_ml: float
    average_ng_ml: float
    auc_per_day_ng_h_ml: float
    accumulation_ratio: float
    days_to_90_percent: float
    percent_left_after_month: float
    days_to_one_percent: float


def exposure(scenario: Scenario, simulation: Simulation) -> Exposure:
    """Exposure over the last full day of dosing, plus the closed-form accumulation and washout figures."""
    model, regimen = scenario.model, scenario.regimen
    end_h = regimen.days * HOURS_PER_DAY
    window = (simulation.times_h >= end_h - HOURS_PER_DAY) & (simulation.times_h <= end_h)
    times, values = simulation.times_h[window], simulation.parent_ng_ml[window]
    auc_day = float(((values[1:] + values[:-1]) / 2 * (times[1:] - times[:-1])).sum())
    ke = model.ke_per_h
    return Exposure(
        daily_dose_mg=regimen.daily_dose_mg,
        mg_per_kg_day=regimen.daily_dose_mg / scenario.weight_kg,
        doses_taken=int(simulation.dose_times_h.size),
        doses_scheduled=regimen.scheduled_doses,
        peak_ng_ml=float(values.max()),
        trough_ng_ml=float(values.min()),
        average_ng_ml=auc_day / HOURS_PER_DAY,
        auc_per_day_ng_h_ml=auc_day,
        accumulation_ratio=accumulation_ratio(model.half_life_h, regimen.interval_h),
        days_to_90_percent=math.log(10) / ke / HOURS_PER_DAY,
        percent_left_after_month=100 * fraction_remaining(model.half_life_h, ONE_MONTH_DAYS * HOURS_PER_DAY),
        days_to_one_percent=math.log(100) / ke / HOURS_PER_DAY,
    )


def exposure_html(scenario: Scenario, figures: Exposure) -> str:
    product = FORMULATIONS[scenario.formulation]
    missed = figures.doses_scheduled - figures.doses_taken
    rows = [
        ("Daily dose", f"{figures.daily_dose_mg:g} mg/day = {figures.mg_per_kg_day:.2f} mg/kg/day (label range: {product.label_dosing})"),
        ("Doses taken", f"{figures.doses_taken} of {figures.doses_scheduled}" + (f" ({missed} missed)" if missed else "")),
        ("Last day of dosing", f"peak {figures.peak_ng_ml:.0f} ng/mL, trough {figures.trough_ng_ml:.0f} ng/mL, average {figures.average_ng_ml:.0f} ng/mL"),
        ("AUC over the last day", f"{figures.auc_per_day_ng_h_ml:,.0f} ng·h/mL"),
        ("Accumulation ratio", f"{figures.accumulation_ratio:.2f} (steady state over one dose, 1/(1 − e<sup>−kτ</sup>))"),
        ("Time to 90% of steady state", f"{figures.days_to_90_percent:.1f} days"),
        ("Left one month after the last dose", f"{figures.percent_left_after_month:.1e} % of the level at stopping (parent drug)"),
        ("Time to fall to 1%", f"{figures.days_to_one_percent:.1f} days after the last dose"),
    ]
    body = "".join(f"<tr><th style='text-align:left'>{name}</th><td style='text-align:left'>{value}</td></tr>" for name, value in rows)
    return (
        f"<p><strong>{inline_markup(product.name)}, {scenario.meal}</strong> — model figures for a "
        f"{scenario.weight_kg:g} kg patient (teaching model; see the notebook for its limits).</p><table>{body}</table>"
    )


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


def figure_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def describe_simulation(scenario: Scenario, figures: Exposure) -> str:
    """A text description of the simulator's plot, for readers who cannot see it."""
    return (
        f"Model plasma concentrations over {scenario.days:g} days of {scenario.dose_mg:g} mg every {scenario.interval_h:g} h "
        f"and {WASHOUT_DAYS:g} days after. The parent drug rises over the first days and levels off between a trough of "
        f"{figures.trough_ng_ml:.0f} and a peak of {figures.peak_ng_ml:.0f} ng/mL; the metabolite curve, when shown, lies above it. "
        f"After the last dose the parent drug falls below 1% of its level at stopping within about {figures.days_to_one_percent:.0f} days "
        "(the metabolite a little later), well inside the shaded month after the last dose."
    )


class PKSimulator(widgets.VBox):
    """Choose a formulation, meal, dose, schedule, weight, course length and missed doses; see the curve and figures."""

    def __init__(self, dose_mg: float = 40, weight_kg: float = 70, days: float = 28, formulation: str = "conventional", meal: str = "fed") -> None:
        style = {"description_width": "13em"}
        wide = widgets.Layout(width="38em")
        self.formulation = widgets.Dropdown(options=[(product.name, key) for key, product in FORMULATIONS.items()], value=formulation, description="Formulation", style=style, layout=wide)
        self.meal = widgets.ToggleButtons(options=[("with food", "fed"), ("fasting", "fasted")], value=meal, description="Taken", style=style)
        self.dose = widgets.Text(value=f"{dose_mg:g}", description="Dose per intake (mg)", style=style)
        self.schedule = widgets.Dropdown(options=list(SCHEDULES), value="twice daily", description="Schedule", style=style)
        self.weight = widgets.Text(value=f"{weight_kg:g}", description="Body weight (kg)", style=style)
        self.days = widgets.Text(value=f"{days:g}", description="Course length (days)", style=style)
        self.missed = widgets.Text(value="", placeholder="e.g. 5, 9-12", description="Missed doses (numbers)", style=style)
        self.show_metabolite = widgets.Checkbox(value=True, description="Show 4-oxo-isotretinoin", indent=False)
        self.message = widgets.HTML()
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="950px"))
        self.plot_description = widgets.HTML()
        self.summary = widgets.HTML()
        self._figure = Figure(figsize=(9.5, 4.2), dpi=100)
        controls = [self.formulation, self.meal, self.dose, self.schedule, self.weight, self.days, self.missed, self.show_metabolite]
        for control in controls:
            control.observe(self.update, names="value")
        super().__init__([widgets.HTML("<p><strong>Isotretinoin PK simulator (teaching model)</strong></p>"), *controls, self.message, self.plot, self.plot_description, self.summary])
        self.update()

    def scenario(self) -> Scenario:
        return scenario_from_inputs(
            self.formulation.value, self.meal.value, self.dose.value, self.schedule.value,
            self.weight.value, self.days.value, self.missed.value, self.show_metabolite.value,
        )

    def update(self, _change: object = None) -> None:
        """Recompute and redraw; on bad input keep the last good plot and say what to fix."""
        try:
            scenario = self.scenario()
            simulation = simulate(scenario.model, scenario.regimen, scenario.weight_kg, step_h=0.25, follow_up_days=WASHOUT_DAYS)
        except (SimulatorInputError, PKParameterError) as error:
            self.message.value = f'<p role="status">⚠ <strong>Check the input.</strong> {inline_markup(str(error))}</p>'
            return
        figures = exposure(scenario, simulation)
        concentration_figure(scenario, simulation, self._figure)
        self.plot.value = figure_png(self._figure)
        self.plot_description.value = f"<p><small>{inline_markup(FIGURE_DESCRIPTION_PREFIX + ':*')} {describe_simulation(scenario, figures)}</small></p>"
        self.summary.value = exposure_html(scenario, figures)
        self.message.value = ""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "PK simulator (interactive: run the notebook to use it)"
        bundle["text/html"] = (
            "<p><em>The PK simulator is interactive when the notebook runs. Its starting scenario:</em></p>" + self.summary.value
        )
        return bundle


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
