"""Notebook 01's acne severity classifier: type lesion counts, tick the context, read the grade and where isotretinoin fits.

The logic is :mod:`isotretinoin_course.models.acne`; this widget only turns its answers into HTML, so it
can be tested by setting values, as a student would, and reading the HTML it shows. Impossible counts
are answered with a message in the widget, never a traceback.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..core.markup import inline_markup
from ..models.acne import NODULES_SEVERE_ABOVE, THRESHOLDS, LesionCountError, LesionCounts, classify_severity, isotretinoin_fit
from .base import CourseWidget


class SeverityClassifier(CourseWidget):
    """Type lesion counts and tick the clinical context; see the grade and where isotretinoin fits."""

    title = "Severity classifier"

    FIELDS = (
        ("comedones", "Comedones (number)", "open and closed (blackheads and whiteheads)"),
        ("inflammatory", "Papules + pustules (number)", "inflamed lesions under 5 mm"),
        ("nodules", "Nodules (number)", "inflamed lesions of 5 mm or more"),
    )
    CONTEXT = (
        ("scarring", "Acne is scarring"),
        ("psychosocial_burden", "Acne causes psychosocial burden"),
        ("failed_standard_therapy", "Failed standard oral or topical therapy"),
    )
    # Three states, because "not ticked" must not turn into "not tried": the label needs to know.
    ANTIBIOTICS = (("not known", None), ("tried, acne did not respond", True), ("not tried", False))

    @checked_arguments
    def __init__(self, comedones: int = 0, inflammatory: int = 0, nodules: int = 0) -> None:
        style = {"description_width": "14em"}
        self.count_inputs = {
            name: widgets.Text(value=str(value), description=label, tooltip=hint, style=style, layout=widgets.Layout(width="24em"))
            for (name, label, hint), value in zip(self.FIELDS, (comedones, inflammatory, nodules))
        }
        self.context_inputs: dict[str, widgets.Widget] = {
            name: widgets.Checkbox(value=False, description=label, indent=False, layout=widgets.Layout(width="auto"))
            for name, label in self.CONTEXT
        }
        self.context_inputs["failed_systemic_antibiotics"] = widgets.Dropdown(
            options=self.ANTIBIOTICS, value=None, description="Systemic antibiotics", style=style, layout=widgets.Layout(width="28em"))
        self.result = widgets.HTML()
        for control in [*self.count_inputs.values(), *self.context_inputs.values()]:
            self.observe_guarded(control, self._update)
        hints = widgets.HTML(
            "<p><em>Counts for the face at one visit: "
            + "; ".join(f"{label.lower()}: {hint}" for _name, label, hint in self.FIELDS)
            + ".</em></p>"
        )
        super().__init__(
            [
                widgets.HTML("<p><strong>Acne severity from lesion counts (a teaching scheme)</strong></p>"),
                hints,
                *self.count_inputs.values(),
                *self.context_inputs.values(),
                self.result,
            ],
            outputs=[self.result],
        )
        self._update()

    def set_counts(self, comedones: object, inflammatory: object, nodules: object) -> None:
        """Type counts into the boxes, as a student would."""
        for name, value in zip(("comedones", "inflammatory", "nodules"), (comedones, inflammatory, nodules)):
            self.count_inputs[name].value = str(value)

    def _update(self, _change: object = None) -> None:
        self.result.value = severity_report_html(
            {name: control.value for name, control in self.count_inputs.items()},
            {name: control.value for name, control in self.context_inputs.items()},
        )

    def static_html(self) -> str:
        return severity_scheme_html()


@checked_arguments
def severity_report_html(typed_counts: dict[str, object], context: dict[str, bool | None]) -> str:
    """The classifier's answer for what the student typed, or a message saying what to fix."""
    try:
        counts = LesionCounts(**typed_counts)  # type: ignore[arg-type]
    except LesionCountError as error:
        message = str(error)
        return f'<div role="status"><p>⚠ <strong>Check the counts.</strong> {inline_markup(message[:1].upper() + message[1:])}</p></div>'
    assessment = classify_severity(counts)
    fit = isotretinoin_fit(counts, **context)
    reasons = "".join(f"<li>{inline_markup(reason)}</li>" for reason in assessment.reasons)
    notes = "".join(f"<p><em>Note:</em> {inline_markup(note)}</p>" for note in assessment.notes)
    label_verdict = {True: "meets", False: "does not meet", None: "may or may not meet (the case cannot settle it)"}[fit.meets_label_indication]
    aad_verdict = "recommends isotretinoin" if fit.aad_2024_recommends else "does not point to isotretinoin"
    return (
        '<div role="status">'
        f"<p><strong>Grade: {assessment.grade}</strong> ({counts.total} lesions in total). Because:</p><ul>{reasons}</ul>{notes}"
        f"<p><strong>US label (isotretinoin capsules):</strong> this presentation {label_verdict} the indication — "
        f"{inline_markup('; '.join(fit.label_reasons))}.</p>"
        f"<p><strong>AAD 2024 guideline:</strong> {aad_verdict} — {inline_markup('; '.join(fit.aad_reasons))}.</p>"
        "<p><small>A teaching aid, not a prescribing tool: a real decision also weighs pregnancy status, age, "
        "contraindications, the risk-management programme and the patient's wishes.</small></p></div>"
    )


def severity_scheme_html() -> str:
    """The scheme as a static table, for viewers without a running kernel."""
    rows = "".join(
        f"<tr><td>{name}</td><td>&lt; {low}</td><td>{low}–{high}</td><td>&gt; {high}</td></tr>"
        for name, (low, high) in (
            ("Comedones", THRESHOLDS["comedones"]),
            ("Papules + pustules", THRESHOLDS["inflammatory"]),
            ("Total lesions", THRESHOLDS["total"]),
        )
    )
    rows += f"<tr><td>Nodules</td><td>0</td><td>1–{NODULES_SEVERE_ABOVE}</td><td>&gt; {NODULES_SEVERE_ABOVE}</td></tr>"
    return (
        "<p><strong>Acne severity from lesion counts (a teaching scheme)</strong> — interactive when the notebook runs; "
        "the grade is the highest band that any single count reaches.</p>"
        "<table><thead><tr><th>Count</th><th>Mild</th><th>Moderate</th><th>Severe</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
