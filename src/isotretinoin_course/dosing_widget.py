"""The dosing calculator widget and the cumulative-dose figure for notebook 04."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .dosing import DosingError, Phase, build_regimen, check_weight, course_days_to_target
from .isotretinoin_pk import FORMULATIONS
from .inputs import InputError, read_positive_number
from .markup import inline_markup
from .plots import OKABE_ITO, use_course_style

LABEL_RANGES = {"conventional": (0.5, 1.0), "absorica": (0.5, 1.0), "absorica_ld": (0.4, 0.8)}  # mg/kg/day (labels)
SUPPLY_DAYS = 30


CalculatorInputError = InputError  # the calculator's input errors are the course's common kind
_read_number = read_positive_number


def dosing_plan_html(weight: object, starting: object, maintenance: object, formulation: str, target: object,
                     start: object, missed_days: object) -> str:
    """The calculator's answer for what was typed, or a message saying what to fix."""
    try:
        weight_kg = _read_number(weight, "Body weight", "kg", 30, 200)
        start_mg_kg = _read_number(starting, "First-month dose", "mg/kg/day", 0.1, 2.0)
        maintenance_mg_kg = _read_number(maintenance, "Dose from month 2", "mg/kg/day", 0.1, 2.0)
        target_mg_kg = _read_number(target, "Cumulative target", "mg/kg", 30, 400)
        try:
            start_date = dt.date.fromisoformat(str(start).strip())
        except ValueError:
            raise CalculatorInputError(f"Start date: '{start}' is not a date in YYYY-MM-DD form.") from None
        missed = str(missed_days).strip() or "0"
        if not missed.isdigit():
            raise CalculatorInputError(f"Missed days: '{missed_days}' is not a whole number of days (0 or more).")
        first = build_regimen(start_mg_kg, weight_kg, formulation)
        later = build_regimen(maintenance_mg_kg, weight_kg, formulation)
        days = course_days_to_target([Phase(SUPPLY_DAYS, first.daily_mg), Phase(10_000, later.daily_mg)], target_mg_kg, weight_kg, int(missed))
    except (CalculatorInputError, DosingError) as error:
        message = str(error)
        return f'<div role="status"><p>⚠ <strong>Check the input.</strong> {inline_markup(message[:1].upper() + message[1:])}</p></div>'
    low, high = LABEL_RANGES[formulation]
    notes = []
    for label, regimen in (("first month", first), ("from month 2", later)):
        if not low - 1e-9 <= regimen.mg_per_kg_per_day <= high + 1e-9:
            notes.append(f"The {label} dose, {regimen.mg_per_kg_per_day:.2f} mg/kg/day, is outside the label's usual range of {low:g}–{high:g} mg/kg/day.")
    end = start_date + dt.timedelta(days=days)
    rows = [
        ("First month", first.describe()),
        ("From month 2", later.describe()),
        ("Capsules per 30 days", f"{first.capsules_per_day * SUPPLY_DAYS} in month 1, then {later.capsules_per_day * SUPPLY_DAYS}"),
        ("Days to reach the target", f"{days} days ({days / 30.4:.1f} months)" + (f", including {int(missed)} missed days" if int(missed) else "")),
        ("Target reached on", end.isoformat()),
    ]
    body = "".join(f"<tr><th style='text-align:left'>{name}</th><td style='text-align:left'>{inline_markup(value)}</td></tr>" for name, value in rows)
    warning = "".join(f"<p>⚠ {inline_markup(note)}</p>" for note in notes)
    return (
        f"<div role='status'><p><strong>{inline_markup(FORMULATIONS[formulation].name)}</strong>, target "
        f"{target_mg_kg:g} mg/kg for a {weight_kg:g} kg patient</p><table>{body}</table>{warning}"
        "<p><small>A teaching calculator: real regimens are set by the prescriber.</small></p></div>"
    )


class DosingCalculator(widgets.VBox):
    """Weight, doses, formulation, cumulative target, start date and missed days in; a regimen and dates out."""

    def __init__(self, weight_kg: float = 60, formulation: str = "conventional") -> None:
        style = {"description_width": "14em"}
        self.weight = widgets.Text(value=f"{weight_kg:g}", description="Body weight (kg)", style=style)
        self.starting = widgets.Text(value="0.5", description="First-month dose (mg/kg/day)", style=style)
        self.maintenance = widgets.Text(value="1.0", description="Dose from month 2 (mg/kg/day)", style=style)
        self.formulation = widgets.Dropdown(options=[(product.name, key) for key, product in FORMULATIONS.items()], value=formulation,
                                            description="Formulation", style=style, layout=widgets.Layout(width="40em"))
        self.target = widgets.Text(value="120", description="Cumulative target (mg/kg)", style=style)
        self.start = widgets.Text(value="2026-01-05", description="Start date (YYYY-MM-DD)", style=style)
        self.missed = widgets.Text(value="0", description="Missed days", style=style)
        self.result = widgets.HTML()
        controls = [self.weight, self.starting, self.maintenance, self.formulation, self.target, self.start, self.missed]
        for control in controls:
            control.observe(self._update, names="value")
        super().__init__([widgets.HTML("<p><strong>Dosing and cumulative-dose calculator</strong></p>"), *controls, self.result])
        self._update()

    def _update(self, _change: object = None) -> None:
        self.result.value = dosing_plan_html(self.weight.value, self.starting.value, self.maintenance.value, self.formulation.value,
                                             self.target.value, self.start.value, self.missed.value)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Dosing calculator (interactive: run the notebook to use it)"
        bundle["text/html"] = "<p><em>The dosing calculator is interactive when the notebook runs. Its starting example:</em></p>" + self.result.value
        return bundle


def cumulative_dose_figure(weight_kg: float = 60.0, days: int = 260) -> tuple[Figure, str]:
    """Cumulative mg/kg over a course for three regimens, with the 120 and 150 mg/kg lines."""
    check_weight(weight_kg)
    use_course_style()
    figure, ax = plt.subplots(figsize=(9, 4.6))
    day = np.arange(days + 1)
    regimens = [
        ("0.5 mg/kg/day throughout", lambda d: 0.5 * d, OKABE_ITO["orange"], "--"),
        ("0.5 for 30 days, then 1.0 mg/kg/day", lambda d: np.where(d <= 30, 0.5 * d, 15 + 1.0 * (d - 30)), OKABE_ITO["blue"], "-"),
        ("1.0 mg/kg/day throughout", lambda d: 1.0 * d, OKABE_ITO["bluish_green"], ":"),
    ]
    crossings = []
    for label, curve, colour, style in regimens:
        values = curve(day)
        ax.plot(day, values, color=colour, linestyle=style, linewidth=2.2, label=label)
        crossings.append((label, int(np.argmax(values >= 120)) if values.max() >= 120 else None))
    for target in (120, 150):
        ax.axhline(target, color="#555555", linewidth=1, linestyle="-.")
        ax.text(days, target + 3, f"{target} mg/kg", ha="right", va="bottom", fontsize=9)
    ax.set_xlabel("Days of treatment")
    ax.set_ylabel("Cumulative dose (mg/kg)")
    ax.set_xlim(0, days)
    ax.set_ylim(0, 210)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title("Cumulative dose over a course: three regimens (arithmetic, no patient data)")
    figure.tight_layout()
    reached = "; ".join(f"{label}: day {crossing}" if crossing is not None else f"{label}: not within {days} days" for label, crossing in crossings)
    description = (
        f"Three straight or bent lines of cumulative dose in mg/kg against days of treatment, with horizontal lines at 120 and "
        f"150 mg/kg. The 120 mg/kg line is crossed on these days — {reached}. The escalating regimen (blue, solid) bends upward "
        "after day 30."
    )
    return figure, description
