"""Notebook 04's dosing and cumulative-dose calculator: weight, doses, product, target and dates in; a regimen out."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..content.ranges import read_plausible
from ..core.inputs import read_choice, read_date
from ..core.markup import inline_markup
from ..models.dosing import (
    MAINTENANCE_MG_PER_KG_DAY, STARTING_MG_PER_KG_DAY, SUPPLY_DAYS, Phase, build_regimen, course_days_to_target,
)
from ..models.isotretinoin_pk import FORMULATIONS
from .base import CourseWidget


# Start dates the calculator accepts: any real course, and far enough from the calendar's end that the date the target is
# reached can always be computed (a start of 9999-12-01 once overflowed).
EARLIEST_START = dt.date(1990, 1, 1)
LATEST_START = dt.date(2100, 12, 31)


@checked_arguments
def dosing_plan_html(weight: object, starting: object, maintenance: object, formulation: object, target: object,
                     start: object, missed_days: object) -> str:
    """The calculator's answer for what was typed, as HTML; :class:`CourseInputError` naming the box to fix otherwise.

    Every number is read within its plausible range (``content/plausible_ranges.yml``), the fields named as the boxes are.
    """
    weight_kg = read_plausible(weight, "Body weight", "weight_kg")
    labels = "what any US label allows"  # the range's maximum is the labels' highest dose (a test holds them equal)
    start_mg_kg = read_plausible(starting, "First-month dose", "dose_mg_per_kg_day", range_note=labels)
    maintenance_mg_kg = read_plausible(maintenance, "Dose from month 2", "dose_mg_per_kg_day", range_note=labels)
    formulation = read_choice(formulation, "Formulation", FORMULATIONS)
    target_mg_kg = read_plausible(target, "Cumulative target", "cumulative_target_mg_per_kg")
    start_date = read_date(start, "Start date", minimum=EARLIEST_START, maximum=LATEST_START)
    missed = read_plausible(missed_days if not isinstance(missed_days, str) or missed_days.strip() else 0, "Missed days", "missed_days", integer=True)
    first = build_regimen(start_mg_kg, weight_kg, formulation)
    later = build_regimen(maintenance_mg_kg, weight_kg, formulation)
    days = course_days_to_target([Phase(SUPPLY_DAYS, first.daily_mg), Phase(SUPPLY_DAYS, later.daily_mg)], target_mg_kg, weight_kg, missed)
    notes = [f"The {label} dose: {regimen.label_note()}." for label, regimen in (("first-month", first), ("month-2", later)) if regimen.label_note()]
    end = start_date + dt.timedelta(days=days)
    rows = [
        ("First month", first.describe()),
        ("From month 2", later.describe()),
        (f"Capsules per {SUPPLY_DAYS} days", f"{first.capsules_per_day * SUPPLY_DAYS} in month 1, then {later.capsules_per_day * SUPPLY_DAYS}"),
        ("Days to reach the target", f"{days} days ({days / 30.4:.1f} months)" + (f", including {missed} missed days" if missed else "")),
        ("Target reached on", end.isoformat()),
    ]
    body = "".join(f"<tr><th style='text-align:left'>{name}</th><td style='text-align:left'>{inline_markup(value)}</td></tr>" for name, value in rows)
    warning = "".join(f"<p>⚠ {inline_markup(note)}</p>" for note in notes)
    return (
        f"<div role='status'><p><strong>{inline_markup(FORMULATIONS[formulation].name)}</strong>, target "
        f"{target_mg_kg:g} mg/kg for a {weight_kg:g} kg patient</p><table>{body}</table>{warning}"
        "<p><small>A teaching calculator: real regimens are set by the prescriber.</small></p></div>"
    )


class DosingCalculator(CourseWidget):
    """Weight, doses, formulation, cumulative target, start date and missed days in; a regimen and dates out."""

    title = "Dosing calculator"

    @checked_arguments
    def __init__(self, weight_kg: float = 60, formulation: str = "conventional") -> None:
        weight_kg = read_plausible(weight_kg, "weight_kg", "weight_kg")
        formulation = read_choice(formulation, "formulation", FORMULATIONS)
        style = {"description_width": "17em"}
        self.weight = widgets.Text(value=f"{weight_kg:g}", description="Body weight (kg)", style=style, layout=widgets.Layout(width="30em"))
        self.starting = widgets.Text(value=f"{STARTING_MG_PER_KG_DAY:.1f}", description="First-month dose (mg/kg/day)", style=style, layout=widgets.Layout(width="30em"))
        self.maintenance = widgets.Text(value=f"{MAINTENANCE_MG_PER_KG_DAY:.1f}", description="Dose from month 2 (mg/kg/day)", style=style, layout=widgets.Layout(width="30em"))
        self.formulation = widgets.Dropdown(options=[(product.name, key) for key, product in FORMULATIONS.items()], value=formulation,
                                            description="Formulation", style=style, layout=widgets.Layout(width="40em"))
        self.target = widgets.Text(value="120", description="Cumulative target (mg/kg)", style=style, layout=widgets.Layout(width="30em"))
        self.start = widgets.Text(value="2026-01-05", description="Start date (YYYY-MM-DD)", style=style, layout=widgets.Layout(width="30em"))
        self.missed = widgets.Text(value="0", description="Missed days", style=style, layout=widgets.Layout(width="30em"))
        self.result = widgets.HTML()
        controls = [self.weight, self.starting, self.maintenance, self.formulation, self.target, self.start, self.missed]
        for control in controls:
            self.observe_guarded(control, self._update)
        super().__init__([widgets.HTML("<p><strong>Dosing and cumulative-dose calculator</strong></p>"), *controls, self.result],
                         outputs=[self.result])
        self.guard(self._update)()

    def _update(self, _change: object = None) -> None:
        self.result.value = dosing_plan_html(self.weight.value, self.starting.value, self.maintenance.value, self.formulation.value,
                                             self.target.value, self.start.value, self.missed.value)

    def static_html(self) -> str:
        return "<p><em>The dosing calculator is interactive when the notebook runs. Its starting example:</em></p>" + self.result.value
