"""Notebook 09's capstone views: one quiz per case step, each reporting the student's first answer to the case and saving it
(with the patient's id) in the student's progress file, so the debrief still counts it after a kernel restart."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..core.markup import inline_markup
from ..core.progress_store import SavedResult
from ..models.capstone import CapstoneCase
from ..models.progress import capstone_source, lesson_for_bank
from ..models.quiz import AnswerResult
from .base import CourseWidget
from .quiz import Quiz


class CaseQuiz(Quiz):
    """A one-question quiz that also reports to the case (first attempts only), saved per patient as a capstone result."""

    progress_kind = "capstone"

    @checked_arguments
    def __init__(self, case: CapstoneCase, key: str) -> None:
        self.case, self.key = case, key
        super().__init__(case.bank, [key], title=case.step(key).stage)

    def progress_place(self) -> tuple[str, str]:
        return lesson_for_bank(self.case.bank.notebook), capstone_source(self.case.patient_id)

    def _restored(self, question_id: str, saved: SavedResult) -> None:
        self.case.record(question_id, saved.correct_first_time)  # so the debrief counts steps answered before a restart

    def _record(self, question_id: str, result: AnswerResult) -> None:
        super()._record(question_id, result)
        if result.valid:
            self.case.record(question_id, result.correct)


class CaseStepView(CourseWidget):
    """One step of the case: its scenario, then its question. ``CaseStepView(case, "eligibility")``."""

    @checked_arguments
    def __init__(self, case: CapstoneCase, key: str) -> None:
        self.step = case.step(key)
        self.quiz = CaseQuiz(case, key)
        self.title = f"Case step: {self.step.stage}"
        super().__init__([widgets.HTML(f"<p><em>{inline_markup(self.step.scenario)}</em></p>"), self.quiz])

    def static_text(self) -> str:
        return f"{self.title} (interactive: run the notebook to answer)"

    def static_html(self) -> str:
        return f"<p><em>{inline_markup(self.step.scenario)}</em></p>" + self.quiz.static_html()


class CaseDebrief(CourseWidget):
    """The debrief of the case as it stands: press the button after answering steps. ``CaseDebrief(case)``.

    A printed debrief is written once, when the cell runs (after *Run All*, before any answer); the button reads
    the case again each time.
    """

    title = "Capstone debrief"

    def __init__(self, case: CapstoneCase) -> None:
        self.case = case
        self.button = widgets.Button(description="Show my debrief", icon="list-check", layout=widgets.Layout(width="auto"))
        self.text = widgets.HTML()
        self.on_click_guarded(self.button, lambda _button: self.refresh())
        super().__init__([self.button, self.text], outputs=[self.text])
        self.refresh()

    def refresh(self) -> None:
        """Show the debrief for the answers given so far."""
        self.text.value = f'<pre role="status" style="white-space: pre-wrap">{html.escape(self.case.debrief())}</pre>'

    def static_text(self) -> str:
        return "Capstone debrief (interactive: run the notebook, answer the steps, then press the button)"

    def static_html(self) -> str:
        steps = "".join(f"<li>{inline_markup(self.case.step_name(key))}</li>" for key in self.case.steps)
        return ("<p><em>The debrief is interactive when the notebook runs: answer the steps, then press <strong>Show my debrief</strong>. "
                "It counts the questions you answered right first time, lists the ones you missed and names the notebooks to revisit. "
                f"The case's {len(self.case.steps)} questions:</em></p><ol>{steps}</ol>")
