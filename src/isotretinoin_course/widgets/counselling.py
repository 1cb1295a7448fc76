"""The counselling checklist widget of notebook 07: tick the topics covered, see the summary and what is missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..content.rule_sets import CATEGORIES
from ..core.markup import inline_markup
from ..models.counselling import CounsellingSummary, Profile, condition_wording, counselling_summary, topic, topics
from ..models.isotretinoin_pk import FORMULATIONS
from .base import CourseWidget


class CounsellingChecklist(CourseWidget):
    """Tick the topics covered at the counter; see the printable summary and what is missing."""

    title = "Counselling checklist"

    @checked_arguments
    def __init__(self, profile: Profile, patient_label: str = "SYNTHETIC patient", on: dt.date | None = None) -> None:
        self.patient_label, self.on = patient_label, on
        self.category = widgets.Dropdown(options=[(c.replace("_", " "), c) for c in CATEGORIES], value=profile.category, description="Patient")
        self.formulation = widgets.Dropdown(options=[(FORMULATIONS[f].name, f) for f in FORMULATIONS], value=profile.formulation,
                                            description="Product", layout=widgets.Layout(width="34em"))
        self.hormonal = widgets.Checkbox(value=profile.hormonal_contraception, description="uses hormonal contraception", indent=False)
        self.lenses = widgets.Checkbox(value=profile.contact_lenses, description="wears contact lenses", indent=False)
        self.boxes = {item.key: widgets.Checkbox(value=False, description=item.title, indent=False,
                                                 layout=widgets.Layout(width="24em")) for item in topics()}
        self.status = widgets.HTML()
        self.printable = widgets.HTML()
        for control in (self.category, self.formulation, self.hormonal, self.lenses, *self.boxes.values()):
            self.observe_guarded(control, self._update)
        grid = widgets.GridBox(list(self.boxes.values()), layout=widgets.Layout(grid_template_columns="repeat(2, 24em)"))
        super().__init__([
            widgets.HTML("<p><strong>Counselling checklist</strong> — describe the patient, then tick what you covered.</p>"),
            widgets.HBox([self.category, self.formulation]), widgets.HBox([self.hormonal, self.lenses]),
            grid, self.status, self.printable,
        ], outputs=[self.status, self.printable])
        self._update()

    def profile(self) -> Profile:
        can_get_pregnant = self.category.value == "can_get_pregnant"
        self.hormonal.disabled = not can_get_pregnant
        return Profile(self.category.value, self.formulation.value, self.hormonal.value and can_get_pregnant, self.lenses.value)

    def choose(self, keys: Iterable[str]) -> None:
        """Tick exactly these topics (for demonstrations and tests)."""
        keys = set(keys)
        for key in keys:
            topic(key)
        for key, box in self.boxes.items():
            box.value = key in keys

    def summary(self) -> CounsellingSummary:
        chosen = [key for key, box in self.boxes.items() if box.value]
        return counselling_summary(self.profile(), chosen, self.patient_label, self.on)

    def _update(self, _change: object = None) -> None:
        summary = self.summary()
        self.status.value = status_html(summary)
        self.printable.value = f"<pre style='white-space:pre-wrap'>{inline_markup(summary.text)}</pre>"

    def static_html(self) -> str:
        def who(item) -> str:  # "recommended, not essential" is not a group of patients
            wording = condition_wording(item.essential_for)
            return wording if item.essential_for == "recommended" else f"essential for {wording}"

        items = "".join(f"<li>{inline_markup(item.title)} — {who(item)}</li>" for item in topics())
        return f"<p><strong>Counselling checklist</strong> (interactive when the notebook runs). Topics:</p><ul>{items}</ul>"


@checked_arguments
def status_html(summary: CounsellingSummary) -> str:
    """What is missing, for the pharmacist (not part of the patient's summary)."""
    if summary.missing_essentials:
        items = "".join(f"<li><strong>{inline_markup(item.title)}</strong>: {inline_markup(item.reason)}</li>" for item in summary.missing_essentials)
        text = f"<p>⚠ <strong>{len(summary.missing_essentials)} essential topic(s) missing for this patient:</strong></p><ul>{items}</ul>"
    else:
        text = "<p>✔ Every essential topic for this patient is covered.</p>"
    if summary.missing_recommended:
        text += "<p>Also worth covering: " + ", ".join(inline_markup(item.title) for item in summary.missing_recommended) + ".</p>"
    return f'<div role="status">{text}</div>'
