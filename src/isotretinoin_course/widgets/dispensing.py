"""Notebook 06's dispensing simulator: decide at each pharmacy visit, get the engine's explained verdict.

The student picks a synthetic patient — US patients from the audit log, and one record as a US, an EU and a
UK patient — and steps through their collections. At each one the card shows what a pharmacist can check
(the programme and its rule set in force that day, the prescription, the latest pregnancy test and where it
was done, the contraception in use, the UK's risk form); the student chooses to dispense, to hold the supply
and query the prescriber, or not to dispense; the feedback is the rules engine's decision with its rule and
reason, and how the same visit is decided under each programme. When every visit is decided, the timeline figure shows the tests, windows, supplies and
contraception.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..core.inputs import checked_arguments
from ..content.programmes import category_words, programme, setting_words
from ..content.rule_sets import PROGRAMMES, RuleSet, rule_sets
from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_instance, read_mapping, read_number
from ..core.markup import inline_markup
from ..figures.risk_management import timeline_figure
from ..figures.style import figure_png
from ..models.risk_management import OUTCOME_WORDS, Decision, Evaluation, Timeline, decisions_by_programme, evaluate
from .base import CourseWidget


CHOICES = ("dispense", "hold", "refuse")  # dispense; hold the supply and query the prescriber; do not dispense
# What the pharmacist's choice means, where the engine's outcome differs from it, as a sentence of feedback.
_NOT_JUDGED = "The course models no rule set for this day, so it does not judge the choice."
_ADVICE = {
    ("query", "dispense"): "No rule refuses this supply, but a required check is missing or out of date: hold it and query the prescriber first.",
    ("query", "refuse"): "No rule of this set refuses this supply: hold it and query the prescriber rather than turn the patient away.",
    ("refuse", "hold"): "Not supplying today is right. The rules refuse this collection, so a query will not make it dispensable as it stands.",
    ("not judged", "dispense"): _NOT_JUDGED, ("not judged", "hold"): _NOT_JUDGED, ("not judged", "refuse"): _NOT_JUDGED,
}


@checked_arguments
def judge(choice: str | bool, decision: Decision) -> tuple[bool, str]:
    """Compare a student's choice with the engine's decision; return (correct, feedback).

    ``choice`` is "dispense", "hold" (hold the supply and query the prescriber) or "refuse"; True and False mean
    dispense and refuse. Holding is right where the engine holds; it is also right where the engine refuses, since
    nothing is supplied either way.
    """
    if isinstance(choice, bool):
        choice = "dispense" if choice else "refuse"
    if choice not in CHOICES:
        raise CourseInputError("choice", choice, f"one of {CHOICES}", message=f"choice: {choice!r} is not one of {', '.join(CHOICES)}")
    right = {"dispense": {"dispense"}, "query": {"hold"}, "refuse": {"refuse", "hold"}, "not judged": set(CHOICES)}[decision.outcome]
    correct = choice in right
    opening = "✔ Right" if correct else "✘ Not this time"
    text = f"{opening}: the rules say {OUTCOME_WORDS[decision.outcome]} — {decision.rule}: {decision.reason}."
    if (decision.outcome, choice) in _ADVICE:
        text += " " + _ADVICE[(decision.outcome, choice)]
    if decision.flags:
        text += " Note: " + "; ".join(decision.flags) + "."
    return correct, text


def _rule_set_words(decision: Decision) -> str:
    found = rule_sets().get(decision.rule_set_key)
    return f"{found.name}, {found.period_words()}" if found else decision.rule_set


@checked_arguments
def visit_card_html(timeline: Timeline, decision: Decision) -> str:
    """What the pharmacist sees at one visit (facts only, no verdict)."""
    prescription = next((p for p in timeline.prescriptions if p.date == decision.prescription_date), None)
    if prescription is None:
        raise CourseInputError("decision", decision.prescription_date, f"a decision about one of {timeline.patient_id}'s prescriptions",
                               message=f"decision: its prescription of {decision.prescription_date} is not one of {timeline.patient_id}'s")
    tests = [t for t in timeline.pregnancy_tests if t.date <= decision.date]
    latest = f"{tests[-1].date} — {tests[-1].result}, {setting_words(tests[-1].setting)}" if tests else "none recorded"
    methods = [m for m in timeline.contraception if m.start <= decision.date and (m.end is None or m.end >= decision.date)]
    in_use = ", ".join(f"{m.method} since {m.start}" for m in methods) or "none in use today"
    where = programme(timeline.programme).name + f" ({programme(timeline.programme).region})" if timeline.programme else "—"
    rows = [
        ("Patient", f"{timeline.patient_id} (SYNTHETIC), {category_words(timeline.category)}"),
        ("Programme", where),
        ("Rules in force today", _rule_set_words(decision)),
        ("Today", str(decision.date)),
        ("Prescription", f"written {prescription.date}, {prescription.days_supply} days, {prescription.refills} refill(s)"),
    ]
    if timeline.category == "can_get_pregnant":
        rows += [("Latest pregnancy test", latest), ("Contraception", in_use)]
    if timeline.programme == "uk":
        rows.append(("Acknowledgement of Risk Form", f"completed {timeline.risk_acknowledgement}" if timeline.risk_acknowledgement else "none recorded"))
    if timeline.programme == "ipledge":
        rows.append(("Registered in iPLEDGE", "yes" if timeline.registered else "no"))
    body = "".join(f"<tr><th style='text-align:left'>{name}</th><td style='text-align:left'>{inline_markup(value)}</td></tr>" for name, value in rows)
    return f"<table>{body}</table>"


@checked_arguments
def comparison_html(results: dict[str, Evaluation | str], position: int) -> str:
    """One visit decided under each programme (the record relabelled as each programme's patient)."""
    results = read_mapping(results, "results", what="decisions_by_programme(timeline)")
    position = read_number(position, "position", minimum=0, integer=True)
    cells = []
    for key in PROGRAMMES:
        result = results.get(key)
        if isinstance(result, Evaluation) and position < len(result.decisions):
            decision = result.decisions[position]
            text = f"<strong>{OUTCOME_WORDS[decision.outcome]}</strong> — {html.escape(decision.rule)}"
            if decision.outcome != "dispense":
                text += f": {html.escape(decision.reason)}"
            text += "".join(f"<br><em>Note:</em> {html.escape(flag)}" for flag in decision.flags)
        else:
            text = f"cannot be judged here: {html.escape(str(result))}" if result else "—"
        cells.append(f"<tr><th style='text-align:left'>{html.escape(programme(key).region)}</th><td style='text-align:left'>{text}</td></tr>")
    return "<p><strong>The same visit under each programme</strong> (the same record, judged under each programme's rules in force that day):</p>" \
        f"<table>{''.join(cells)}</table>"


class DispensingSimulator(CourseWidget):
    """Step through one synthetic patient's collections, deciding each time whether to dispense."""

    title = "Dispensing simulator"

    @checked_arguments
    def __init__(self, patients: dict[str, Timeline], patient_id: str, rule_set: RuleSet | str | None = None) -> None:
        """``patients`` by id; each is judged under its own programme's rules in force on each date, or under
        ``rule_set`` (a rule set or its key) for every patient if given."""
        patients = dict(read_mapping(patients, "patients", what="a mapping of patient id to Timeline"))
        for key, timeline in patients.items():
            read_instance(timeline, f"patients[{key!r}]", Timeline, "a Timeline")
            if not timeline.pickups:
                raise CourseInputError(f"patients[{key!r}].pickups", [], "at least one pick-up to decide",
                                       message=f"patients[{key!r}].pickups: {key} has no pick-up, so there is no visit to decide")
        patient_id = read_choice(patient_id, "patient_id", sorted(patients), what="patients of the simulator")
        self.patients, self.rule_set = patients, rule_set
        self.picker = widgets.Dropdown(options=sorted(patients), value=patient_id, description="Patient")
        self.card = widgets.HTML()
        self.dispense = widgets.Button(description="Dispense", button_style="success", icon="check")
        self.hold = widgets.Button(description="Hold and query the prescriber", button_style="warning", icon="phone",
                                   layout=widgets.Layout(width="auto"))
        self.refuse = widgets.Button(description="Do not dispense", button_style="danger", icon="times")
        self.next_visit = widgets.Button(description="Next visit", icon="arrow-right", disabled=True)
        self.feedback = widgets.HTML()
        self.comparison = widgets.HTML()
        self.score = widgets.HTML()
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="900px"))
        self.plot_description = widgets.HTML()
        self._figure = Figure(figsize=(10, 4.6), dpi=90)
        self.on_click_guarded(self.dispense, lambda _button: self.choose("dispense"))
        self.on_click_guarded(self.hold, lambda _button: self.choose("hold"))
        self.on_click_guarded(self.refuse, lambda _button: self.choose("refuse"))
        self.on_click_guarded(self.next_visit, lambda _button: self.advance())
        self.observe_guarded(self.picker, lambda _change: self.start())
        super().__init__([
            widgets.HTML("<p><strong>Dispensing simulator</strong> — each patient is judged under their own programme's rules in force on the "
                         "day of the visit.</p>"),
            self.picker, self.card, widgets.HBox([self.dispense, self.hold, self.refuse, self.next_visit]), self.feedback, self.comparison, self.score,
            self.plot, self.plot_description,
        ], outputs=[self.card, self.feedback, self.comparison, self.score, self.plot, self.plot_description])
        self.start()

    def _judged_by(self) -> RuleSet | str:
        return self.rule_set if self.rule_set is not None else (self.timeline.programme or "ipledge")

    def start(self) -> None:
        self.timeline = self.patients[self.picker.value]
        self.decisions = evaluate(self.timeline, self._judged_by()).decisions
        self.others = decisions_by_programme(self.timeline)
        self.position, self.correct, self.answered = 0, 0, 0
        self.feedback.value = self.comparison.value = ""
        # An Image with no picture draws a broken-image icon: keep it out of the layout until there is a timeline.
        self.plot.value = b""
        self.plot.layout.display = "none"
        self.plot_description.value = "<p><em>The timeline appears when you have decided every visit.</em></p>"
        self._show_visit()

    def _show_visit(self) -> None:
        decision = self.decisions[self.position]
        self.card.value = f"<p><strong>Visit {self.position + 1} of {len(self.decisions)}</strong></p>" + visit_card_html(self.timeline, decision)
        self.dispense.disabled = self.hold.disabled = self.refuse.disabled = False
        self.next_visit.disabled = True
        self.score.value = f"<p>Decisions right so far: {self.correct} of {self.answered}</p>"

    def choose(self, choice: str | bool) -> bool:
        """Decide the current visit: "dispense", "hold" (hold and query the prescriber) or "refuse" (True/False: dispense/refuse)."""
        correct, text = judge(choice, self.decisions[self.position])
        self.correct += int(correct)
        self.answered += 1
        self.feedback.value = f'<p role="status">{inline_markup(text)}</p>'
        self.comparison.value = comparison_html(self.others, self.position)
        self.score.value = f"<p>Decisions right so far: {self.correct} of {self.answered}</p>"
        self.dispense.disabled = self.hold.disabled = self.refuse.disabled = True
        last = self.position == len(self.decisions) - 1
        self.next_visit.disabled = last
        if last:
            self._show_timeline()
        return correct

    def advance(self) -> None:
        """Go to the next visit, once the current one has been decided."""
        if not self.next_visit.disabled and self.position < len(self.decisions) - 1:
            self.position += 1
            self.feedback.value = self.comparison.value = ""
            self._show_visit()

    def _show_timeline(self) -> None:
        figure, description = timeline_figure(self.timeline, self.rule_set, self._figure)
        self.plot.value = figure_png(figure)
        self.plot.layout.display = None
        self.plot_description.value = f"<p><small><em>Figure description:</em> {inline_markup(description)}</small></p>"

    def static_html(self) -> str:
        return "<p><em>The dispensing simulator is interactive when the notebook runs. First visit:</em></p>" + self.card.value
