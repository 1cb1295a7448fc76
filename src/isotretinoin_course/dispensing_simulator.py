"""The dispensing simulator of notebook 06: decide at each pharmacy visit, get the engine's explained verdict.

The student steps through a synthetic patient's collections. At each one the
card shows what a pharmacist would check (prescription, latest pregnancy test,
contraception); the student chooses to dispense or not; the feedback is the
rules engine's decision with its rule and reason. A timeline figure shows the
tests, pick-up windows, supplies and contraception coverage.
"""

from __future__ import annotations

import datetime as dt
import io

import ipywidgets as widgets
import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .markup import inline_markup
from .plots import OKABE_ITO, mark_synthetic, use_course_style
from .risk_management import Decision, RuleSet, Timeline, evaluate


def judge(choice_dispense: bool, decision: Decision) -> tuple[bool, str]:
    """Compare a student's choice with the engine's decision; return (correct, feedback)."""
    correct = choice_dispense == decision.allowed
    verdict = "dispense" if decision.allowed else "not dispense"
    opening = "✔ Right" if correct else "✘ Not this time"
    return correct, f"{opening}: the rules say {verdict} — {decision.rule}: {decision.reason}."


def visit_card_html(timeline: Timeline, decision: Decision) -> str:
    """What the pharmacist sees at one visit (facts only, no verdict)."""
    prescription = next(p for p in timeline.prescriptions if p.date == decision.prescription_date)
    tests = [t for t in timeline.pregnancy_tests if t.date <= decision.date]
    latest = f"{tests[-1].date} — {tests[-1].result} ({tests[-1].setting})" if tests else "none recorded"
    methods = [m for m in timeline.contraception if m.start <= decision.date and (m.end is None or m.end >= decision.date)]
    in_use = ", ".join(f"{m.method} since {m.start}" for m in methods) or "none in use today"
    rows = [
        ("Patient", f"{timeline.patient_id} (SYNTHETIC), category: {timeline.category.replace('_', ' ')}"),
        ("Today", str(decision.date)),
        ("Prescription", f"written {prescription.date}, {prescription.days_supply} days, {prescription.refills} refill(s)"),
    ]
    if timeline.category == "can_get_pregnant":
        rows += [("Latest pregnancy test", latest), ("Contraception", in_use)]
    body = "".join(f"<tr><th style='text-align:left'>{name}</th><td style='text-align:left'>{inline_markup(value)}</td></tr>" for name, value in rows)
    return f"<table>{body}</table>"


def timeline_figure(timeline: Timeline, rule_set: RuleSet, figure: Figure | None = None) -> tuple[Figure, str]:
    """Tests, 7-day windows, supplies and contraception coverage on one date axis."""
    use_course_style()
    figure = figure or Figure(figsize=(10, 3.8), dpi=90)
    figure.clear()
    ax = figure.add_subplot()
    evaluation = evaluate(timeline, rule_set)
    lanes = {"contraception": 3, "tests": 2, "windows": 1, "supplies": 0}
    for offset, method in enumerate(timeline.contraception):
        end = method.end or max(p.date for p in timeline.pickups) + dt.timedelta(days=60)
        ax.plot([method.start, end], [lanes["contraception"] + 0.15 * offset] * 2, color=OKABE_ITO["bluish_green"], linewidth=4, solid_capstyle="butt")
    window_days = rule_set.pickup_window_days[timeline.category]
    for test in timeline.pregnancy_tests:
        marker, colour = ("X", OKABE_ITO["vermillion"]) if test.result == "positive" else ({"lab": "o", "office": "s", "home": "^"}[test.setting], OKABE_ITO["blue"])
        ax.plot([test.date], [lanes["tests"]], marker, color=colour, markersize=8)
        if window_days and rule_set.pickup_window_starts[timeline.category] == "pregnancy_test" and test.result == "negative":
            ax.barh(lanes["windows"], window_days, left=test.date, height=0.35, color=OKABE_ITO["sky_blue"], alpha=0.6)
    if window_days and rule_set.pickup_window_starts[timeline.category] == "prescription":
        for prescription in timeline.prescriptions:
            ax.barh(lanes["windows"], window_days, left=prescription.date, height=0.35, color=OKABE_ITO["sky_blue"], alpha=0.6)
    supplies = {p.date: p.days_supply for p in timeline.prescriptions}
    for decision in evaluation.decisions:
        colour = OKABE_ITO["orange"] if decision.allowed else OKABE_ITO["vermillion"]
        ax.barh(lanes["supplies"], supplies[decision.prescription_date], left=decision.date, height=0.35, color=colour,
                hatch="" if decision.allowed else "//", edgecolor="white")
    ax.set_yticks(list(lanes.values()), ["contraception\n(a line per method)", "pregnancy tests", "pick-up windows", "supplies collected"])
    ax.set_ylim(-0.6, 3.9)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.set_xlabel("Date")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color=OKABE_ITO["orange"], label="supply the rules allow"),
                       Patch(facecolor=OKABE_ITO["vermillion"], hatch="//", edgecolor="white", label="supply the rules refuse"),
                       Patch(color=OKABE_ITO["sky_blue"], alpha=0.6, label=f"{window_days}-day pick-up window" if window_days else "no window")],
              loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, fontsize=8, frameon=False)
    ax.set_title(f"{timeline.patient_id} under {rule_set.name} (SYNTHETIC DATA)", fontsize=11)
    mark_synthetic(figure)
    figure.subplots_adjust(left=0.2, right=0.98, top=0.88, bottom=0.34)
    refused = [d for d in evaluation.decisions if not d.allowed]
    description = (
        f"A timeline for synthetic patient {timeline.patient_id} with four lanes: contraception methods as green lines, pregnancy "
        f"tests as markers ({len(timeline.pregnancy_tests)} tests), pick-up windows as blue bars, and each collected supply as a bar "
        f"starting on its collection day ({len(evaluation.decisions)} collections). "
        + (f"{len(refused)} supply bar(s) are hatched red because the rules refuse them: "
           + "; ".join(f"{d.date} ({d.rule})" for d in refused) + "." if refused else "Every supply is allowed by the rules.")
    )
    return figure, description


class DispensingSimulator(widgets.VBox):
    """Step through one synthetic patient's collections, deciding each time whether to dispense."""

    def __init__(self, patients: dict[str, Timeline], rule_set: RuleSet, patient_id: str) -> None:
        self.patients, self.rule_set = patients, rule_set
        self.picker = widgets.Dropdown(options=sorted(patients), value=patient_id, description="Patient")
        self.card = widgets.HTML()
        self.dispense = widgets.Button(description="Dispense", button_style="success", icon="check")
        self.refuse = widgets.Button(description="Do not dispense", button_style="danger", icon="times")
        self.next_visit = widgets.Button(description="Next visit", icon="arrow-right", disabled=True)
        self.feedback = widgets.HTML()
        self.score = widgets.HTML()
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="900px"))
        self.plot_description = widgets.HTML()
        self._figure = Figure(figsize=(10, 3.8), dpi=90)
        self.dispense.on_click(lambda _b: self.choose(True))
        self.refuse.on_click(lambda _b: self.choose(False))
        self.next_visit.on_click(lambda _b: self.advance())
        self.picker.observe(lambda _change: self.start(), names="value")
        super().__init__([
            widgets.HTML(f"<p><strong>Dispensing simulator</strong> — {inline_markup(rule_set.name)} (applies from {rule_set.applies_from})</p>"),
            self.picker, self.card, widgets.HBox([self.dispense, self.refuse, self.next_visit]), self.feedback, self.score,
            self.plot, self.plot_description,
        ])
        self.start()

    def start(self) -> None:
        self.timeline = self.patients[self.picker.value]
        self.decisions = evaluate(self.timeline, self.rule_set).decisions
        self.position, self.correct, self.answered = 0, 0, 0
        self.feedback.value = ""
        self.plot.value = b""
        self.plot_description.value = "<p><em>The timeline appears when you have decided every visit.</em></p>"
        self._show_visit()

    def _show_visit(self) -> None:
        decision = self.decisions[self.position]
        self.card.value = f"<p><strong>Visit {self.position + 1} of {len(self.decisions)}</strong></p>" + visit_card_html(self.timeline, decision)
        self.dispense.disabled = self.refuse.disabled = False
        self.next_visit.disabled = True
        self.score.value = f"<p>Decisions right so far: {self.correct} of {self.answered}</p>"

    def choose(self, dispense: bool) -> bool:
        correct, text = judge(dispense, self.decisions[self.position])
        self.correct += int(correct)
        self.answered += 1
        self.feedback.value = f'<p role="status">{inline_markup(text)}</p>'
        self.score.value = f"<p>Decisions right so far: {self.correct} of {self.answered}</p>"
        self.dispense.disabled = self.refuse.disabled = True
        last = self.position == len(self.decisions) - 1
        self.next_visit.disabled = last
        if last:
            self._show_timeline()
        return correct

    def advance(self) -> None:
        """Go to the next visit, once the current one has been decided."""
        if not self.next_visit.disabled and self.position < len(self.decisions) - 1:
            self.position += 1
            self.feedback.value = ""
            self._show_visit()

    def _show_timeline(self) -> None:
        figure, description = timeline_figure(self.timeline, self.rule_set, self._figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        self.plot.value = buffer.getvalue()
        self.plot_description.value = f"<p><small><em>Figure description:</em> {inline_markup(description)}</small></p>"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Dispensing simulator (interactive: run the notebook to use it)"
        bundle["text/html"] = "<p><em>The dispensing simulator is interactive when the notebook runs. First visit:</em></p>" + self.card.value
        return bundle
