"""Notebook 05's patient explorer: pick a synthetic patient, see the aligned timeline and the flags of every blood draw."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure

from ..core.inputs import checked_arguments
from ..core.constants import SYNTHETIC_LABEL
from ..core.inputs import read_choice, read_tables
from ..core.markup import inline_markup
from ..data.cohort import planted_labels
from ..figures.monitoring import PatientTimeline
from ..figures.style import StaticLayer, figure_png
from ..models.monitoring import flag_panel, visit_words
from .base import CourseWidget


_NEEDED = {"patients": ("patient_id",),
           "labs": ("patient_id", "date", "visit", "triglycerides_mg_dl", "total_cholesterol_mg_dl", "hdl_mg_dl", "alt_u_l")}


def _patient(tables: object, patient_id: object) -> tuple[dict[str, pd.DataFrame], str]:
    """The cohort's tables and one of its patient ids (a close match suggested: 'syn-0008' → 'SYN-0008')."""
    tables = read_tables(tables, "tables", _NEEDED)
    ids = [str(pid) for pid in tables["patients"]["patient_id"]]
    return tables, read_choice(patient_id, "patient_id", ids, what="patient ids of the synthetic cohort")  # type: ignore[return-value]


@checked_arguments
def patient_flags_html(tables: dict[str, pd.DataFrame], patient_id: str) -> str:
    """Each blood draw of one patient, with its flags (most urgent first)."""
    tables, patient_id = _patient(tables, patient_id)
    labs = tables["labs"][tables["labs"]["patient_id"] == patient_id]
    rows = []
    for row in labs.itertuples():
        flags = [flag for flag in flag_panel(row.triglycerides_mg_dl, row.total_cholesterol_mg_dl, row.hdl_mg_dl, row.alt_u_l) if flag.abnormal]
        text = "; ".join(flag.describe() for flag in flags) if flags else "all within reference ranges"
        rows.append(f"<tr><td>{row.date:%Y-%m-%d}</td><td>{visit_words(row.visit)}</td><td style='text-align:left'>{inline_markup(text)}</td></tr>")
    return f"<table><thead><tr><th>Date</th><th>Visit</th><th>Flags</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"


class PatientExplorer(CourseWidget):
    """Pick a synthetic patient; see the aligned timeline and the flags of every blood draw."""

    title = "Synthetic patient explorer"

    @checked_arguments
    def __init__(self, tables: dict[str, pd.DataFrame], patient_id: str = "SYN-0008") -> None:
        tables, patient_id = _patient(tables, patient_id)
        self.tables = tables
        planted = planted_labels()
        options = [(f"{pid} — {planted[pid]}" if pid in planted else pid, pid) for pid in tables["patients"]["patient_id"]]
        self.picker = widgets.Dropdown(options=options, value=patient_id, description="Patient", layout=widgets.Layout(width="30em"))
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="900px"))
        self.description = widgets.HTML()
        self.flags = widgets.HTML()
        # One figure for the widget's life: a new patient updates its lines rather than rebuilding five panels.
        self._timeline = PatientTimeline(tables, Figure(figsize=(10, 9.5), dpi=90))
        self._layer: StaticLayer | None = None  # legends and axis labels, drawn once (after the first patient's layout)
        self.observe_guarded(self.picker, self._update)
        super().__init__([widgets.HTML(f"<p><strong>Synthetic patient explorer</strong> — {SYNTHETIC_LABEL}</p>"), self.picker, self.plot, self.description, self.flags],
                         outputs=[self.plot, self.description, self.flags])
        self._update()

    def _update(self, _change: object = None) -> None:
        description = self._timeline.show(self.picker.value)
        if self._layer is None:
            self._layer = StaticLayer(self._timeline.figure, self._timeline.static_artists())
        self.plot.value = figure_png(self._timeline.figure, layer=self._layer)
        self.description.value = f"<p><small><em>Figure description:</em> {inline_markup(description)}</small></p>"
        self.flags.value = patient_flags_html(self.tables, self.picker.value)

    def static_html(self) -> str:
        return f"<p><em>The patient explorer is interactive when the notebook runs. Flags for {self.picker.value} (synthetic):</em></p>" + self.flags.value
