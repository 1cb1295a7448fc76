"""Notebook 03's PK simulator widget: controls in; the concentration plot, its description and the exposure figures out.

The widget shows its plot in an ``Image`` widget (PNG bytes) rather than printing into an ``Output`` widget, so
an executed notebook stores no callback output and stays reproducible. The scenario and its figures are
:mod:`isotretinoin_course.models.pk_scenario`; the plot is a
:class:`~isotretinoin_course.figures.pharmacokinetics.ConcentrationPlot`, built once and updated in place, so an
update (read the inputs, simulate, compute, redraw, encode) stays within issue 21's 100 ms.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..core.constants import FIGURE_DESCRIPTION_PREFIX
from ..core.inputs import read_choice, read_number
from ..core.markup import inline_markup
from ..figures.pharmacokinetics import ConcentrationPlot, amount_text, describe_simulation, power_of_ten
from ..models.isotretinoin_pk import ELIMINATORS, ENDOGENOUS_NG_ML, FORMULATIONS, eliminator
from ..models.pharmacokinetics import simulate
from ..models.pk_scenario import SCHEDULES, STEP_H, WASHOUT_DAYS, Exposure, Scenario, exposure, scenario_from_inputs
from .base import CourseWidget


@checked_arguments
def exposure_html(scenario: Scenario, figures: Exposure) -> str:
    product = FORMULATIONS[scenario.formulation]
    elimination = eliminator(scenario.eliminator)
    missed = figures.doses_scheduled - figures.doses_taken
    rows = [
        ("Daily dose", f"{figures.daily_dose_mg:g} mg/day = {figures.mg_per_kg_day:.2f} mg/kg/day (usual label dose: {product.label_dosing})"),
        ("Doses taken", f"{figures.doses_taken} of {figures.doses_scheduled}" + (f" ({missed} missed)" if missed else "")),
        ("Last day of dosing", f"peak {figures.peak_ng_ml:.0f} ng/mL, average {figures.average_ng_ml:.0f} ng/mL, lowest {figures.lowest_ng_ml:.0f} ng/mL"
                               + (f" ({figures.lowest_after_dose_h:.1f} h after a dose: absorption starts late)" if figures.lowest_after_dose_h >= 0.5 else "")),
        ("Level when the next dose was due", f"{figures.predose_ng_ml:.0f} ng/mL after the last dose (the level at stopping)"),
        ("AUC over the last day", f"{figures.auc_per_day_ng_h_ml:,.0f} ng·h/mL"),
        ("Accumulation", f"{figures.accumulation_ratio:.2f}-fold (AUC over one dosing interval at steady state ÷ over the first)"),
        ("Time to 90% of steady state", f"{figures.days_to_90_percent:.1f} days (levels just before a dose, regular dosing)"),
        ("Left one month after the last dose", f"{amount_text(figures.parent_after_month_ng_ml)} ng/mL, {power_of_ten(figures.percent_left_after_month)} % of the level "
                                                f"at stopping (isotretinoin; the body's own level is about {ENDOGENOUS_NG_ML:.1f} ng/mL)"),
        ("Time to fall to 1%", f"{figures.days_to_one_percent:.1f} days after the last dose"),
    ]
    body = "".join(f"<tr><th style='text-align:left'>{name}</th><td style='text-align:left'>{value}</td></tr>" for name, value in rows)
    caveat = f"<p><small>{html.escape(elimination.uncertainty)}</small></p>" if elimination.key != "typical" else ""
    return (
        f"<p><strong>{inline_markup(product.name)}, {scenario.meal}</strong> — model figures for a {scenario.weight_kg:g} kg patient, "
        f"{html.escape(elimination.label)} (teaching model; see the notebook for its limits).</p><table>{body}</table>{caveat}"
    )


class PKSimulator(CourseWidget):
    """Choose a formulation, meal, dose, schedule, weight, course length, missed doses and elimination; see the curve and figures."""

    title = "PK simulator"

    @checked_arguments
    def __init__(self, dose_mg: float = 30, weight_kg: float = 70, days: float = 28, formulation: str = "conventional", meal: str = "fed",
                 eliminator_name: str = "typical") -> None:
        # Read what a notebook passes in before building anything: a bad argument names its field here.
        dose_mg = read_number(dose_mg, "dose_mg", unit="mg", positive=True)
        weight_kg = read_number(weight_kg, "weight_kg", unit="kg", positive=True)
        days = read_number(days, "days", unit="days", positive=True)
        formulation = read_choice(formulation, "formulation", FORMULATIONS)
        meal = read_choice(meal, "meal", ("fed", "fasted"))
        eliminator_name = read_choice(eliminator_name, "eliminator_name", ELIMINATORS)
        style = {"description_width": "13em"}
        wide = widgets.Layout(width="44em")
        self.formulation = widgets.Dropdown(options=[(product.name, key) for key, product in FORMULATIONS.items()], value=formulation,
                                            description="Formulation", style=style, layout=wide)
        self.meal = widgets.ToggleButtons(options=[("with food", "fed"), ("fasting", "fasted")], value=meal, description="Taken", style=style)
        self.dose = widgets.Text(value=f"{dose_mg:g}", description="Dose per intake (mg)", style=style)
        self.schedule = widgets.Dropdown(options=list(SCHEDULES), value="twice daily", description="Schedule", style=style)
        self.weight = widgets.Text(value=f"{weight_kg:g}", description="Body weight (kg)", style=style)
        self.days = widgets.Text(value=f"{days:g}", description="Course length (days)", style=style)
        self.missed = widgets.Text(value="", placeholder="e.g. 5, 9-12", description="Missed doses (numbers)", style=style)
        self.eliminator = widgets.Dropdown(options=[(eliminator(name).label, name) for name in ELIMINATORS], value=eliminator_name,
                                           description="Elimination", style=style, layout=wide)
        self.show_metabolite = widgets.Checkbox(value=True, description="Show 4-oxo-isotretinoin", indent=False)
        self.message = widgets.HTML()
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="950px"))
        self.plot_description = widgets.HTML()
        self.summary = widgets.HTML()
        self._plot = ConcentrationPlot()
        controls = [self.formulation, self.meal, self.dose, self.schedule, self.weight, self.days, self.missed, self.eliminator, self.show_metabolite]
        for control in controls:
            self.observe_guarded(control, self.update)
        super().__init__([widgets.HTML("<p><strong>Isotretinoin PK simulator (teaching model)</strong></p>"), *controls, self.message, self.plot,
                          self.plot_description, self.summary], message=self.message, outputs=[self.plot, self.plot_description, self.summary])
        self.update()

    def scenario(self) -> Scenario:
        return scenario_from_inputs(
            self.formulation.value, self.meal.value, self.dose.value, self.schedule.value,
            self.weight.value, self.days.value, self.missed.value, self.show_metabolite.value, self.eliminator.value,
        )

    def update(self, _change: object = None) -> None:
        """Recompute and redraw. Called through the guard, bad input shows what to fix and hides the stale plot."""
        scenario = self.scenario()
        simulation = simulate(scenario.model, scenario.regimen, scenario.weight_kg, step_h=STEP_H, follow_up_days=WASHOUT_DAYS)
        figures = exposure(scenario, simulation)
        self._plot.update(scenario, simulation)
        self.plot.value = self._plot.png()
        self.plot_description.value = f"<p><small>{inline_markup(FIGURE_DESCRIPTION_PREFIX + ':*')} {describe_simulation(scenario, figures)}</small></p>"
        self.summary.value = exposure_html(scenario, figures)

    def static_html(self) -> str:
        return "<p><em>The PK simulator is interactive when the notebook runs. Its starting scenario:</em></p>" + self.summary.value
