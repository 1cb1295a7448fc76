"""Notebook 09's capstone views: one quiz per case step, each reporting the student's first answer to the case."""

from __future__ import annotations

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..core.markup import inline_markup
from ..models.capstone import CapstoneCase
from ..models.quiz import AnswerResult
from .base import CourseWidget
from .quiz import Quiz


class CaseQuiz(Quiz):
    """A one-question quiz that also reports to the case (first attempts only)."""

    @checked_arguments
    def __init__(self, case: CapstoneCase, key: str) -> None:
        self.case, self.key = case, key
        super().__init__(case.bank, [key], title=case.step(key).stage)

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
