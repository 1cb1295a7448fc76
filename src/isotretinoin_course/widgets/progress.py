"""Saved progress in the widgets: notebook 00's table with its reset button, and the calls a widget's question makes.

Quizzes and capstone steps save and restore through :mod:`.quiz` and :mod:`.capstone`. Any other widget with a
question the student can check uses two functions, so its result counts in the same table::

    previous = saved_widget_result("03", "pk_simulator", "peak-time")      # None, or the SavedResult
    notice = save_widget_result("03", "pk_simulator", "peak-time", "LO2", correct=True, response="4")
    feedback.value = verdict_html + notice                                   # notice is "" when all went well

The progress file and its rules are :mod:`isotretinoin_course.core.progress_store`'s; the sums are
:mod:`isotretinoin_course.models.progress`'s. What is saved is shown only while the notebook runs: the static
fallback a saved notebook carries says how the table works and shows no one's results.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..core.inputs import read_bool, read_instance, read_sequence, read_text
from ..core.markup import inline_markup
from ..core.progress_store import ProgressFileProblem, ProgressRecordError, SavedResult, progress_store
from ..models.progress import ObjectiveProgress, objective_progress, widget_source
from .base import CourseWidget


def progress_notice_html(problem: str) -> str:
    """A problem of the progress file as a notice inside a widget ("" when there is none)."""
    problem = read_text(problem, "problem")
    if not problem.strip():
        return ""
    return f'<p class="progress-notice" role="status"><small>⚠ {inline_markup(problem)}</small></p>'


def saved_widget_result(lesson: str, widget: str, question: str) -> SavedResult | None:
    """The student's saved result on a widget's own question (``None`` if never checked, or unreadable)."""
    return progress_store().result(lesson, widget_source(widget), question)


def save_widget_result(lesson: str, widget: str, question: str, objective: str, correct: bool,
                       response: str | list[str] | None = None) -> str:
    """Save one checked answer to a widget's own question; return the notice to show (``""`` when it was saved).

    ``correct`` must be a real boolean (text such as "no" is refused, never read as right); a bad lesson, question or
    objective is refused naming it, before anything is saved.
    """
    correct = read_bool(correct, "correct", error=ProgressRecordError)
    store = progress_store()
    store.record(lesson, widget_source(widget), question, objective, correct, response, kind="widget")
    return progress_notice_html(store.problem)


# --------------------------------------------------------------------------- notebook 00's table


def progress_table_html(rows: list[ObjectiveProgress]) -> str:
    """The rows as a plain HTML table, in words: no index column, no raw data."""
    rows = read_sequence(rows, "rows", lambda item, where: read_instance(item, where, ObjectiveProgress, "a row of the progress table"))
    body = []
    for position, row in enumerate(rows):
        cell = 'style="padding:2px 10px 2px 0; border-top:1px solid #bbbbbb"'
        lesson = ""
        if position == 0 or rows[position - 1].lesson != row.lesson:  # the lesson's name once, across its rows
            span = sum(1 for other in rows if other.lesson == row.lesson)
            lesson = f'<td rowspan="{span}" {cell}>{html.escape(row.lesson)} {html.escape(row.lesson_title)}</td>'
        if not row.objective:
            body.append(f"<tr>{lesson}<td {cell}>—</td><td {cell}>not started ({row.questions} questions)</td><td {cell}></td>"
                        f"<td {cell}></td></tr>")
            continue
        body.append(f"<tr>{lesson}<td {cell}>{html.escape(row.objective)}</td><td {cell}>{row.answered} of {row.questions}</td>"
                    f"<td {cell}>{row.correct_now}</td><td {cell}>{row.right_first_time}</td></tr>")
    head = "".join(f'<th style="text-align:left; padding:2px 10px 2px 0">{title}</th>'
                   for title in ("Lesson", "Objective", "Questions answered", "Correct now", "Right first time"))
    return (f'<table class="course-progress-table" style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


class ProgressPanel(CourseWidget):
    """The student's saved results per lesson and learning objective, with Refresh and a reset that asks first."""

    title = "Your saved progress"

    def __init__(self) -> None:
        self.store = progress_store()
        self.where = widgets.HTML()
        self.table = widgets.HTML()
        self.status = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh table", icon="refresh", tooltip="Read the saved progress again")
        self.reset_button = widgets.Button(description="Reset my progress…", icon="trash", button_style="warning",
                                           tooltip="Delete every saved answer (asks first)")
        self.confirm_button = widgets.Button(description="Yes, delete my progress", button_style="danger",
                                             layout=widgets.Layout(width="auto"))
        self.cancel_button = widgets.Button(description="Cancel")
        self.confirmation = widgets.VBox(
            [widgets.HTML("<p><strong>Delete every saved answer of every lesson on this computer?</strong> "
                          "Quiz scores and capstone results start again from nothing. This cannot be undone.</p>"),
             widgets.HBox([self.confirm_button, self.cancel_button])],
            layout=widgets.Layout(display="none", border="1px solid #d55e00", padding="6px"))
        self.on_click_guarded(self.refresh_button, lambda _button: self.refresh())
        self.on_click_guarded(self.reset_button, lambda _button: self.ask_to_reset())
        self.on_click_guarded(self.confirm_button, lambda _button: self.reset())
        self.on_click_guarded(self.cancel_button, lambda _button: self.cancel_reset())
        super().__init__([widgets.HTML(f"<p><strong>{self.title}</strong></p>"), self.where, self.table, self.status,
                          widgets.HBox([self.refresh_button, self.reset_button]), self.confirmation], outputs=[self.table])
        self.refresh()

    def refresh(self) -> None:
        """Read the progress file again and redraw the table."""
        results = self.store.results()
        self.where.value = (f"<p>Saved on this computer only, in <code>{html.escape(str(self.store.path))}</code>. "
                            "Nothing is sent anywhere. LO1, LO2 … are the learning objectives listed at the top of each notebook.</p>")
        self.table.value = progress_table_html(objective_progress(results))
        self.status.value = progress_notice_html(self.store.problem)

    def ask_to_reset(self) -> None:
        self.confirmation.layout.display = None
        self.status.value = ""

    def cancel_reset(self) -> None:
        self.confirmation.layout.display = "none"
        self.status.value = "<p><small>Nothing was deleted.</small></p>"

    def reset(self) -> None:
        """Delete the saved progress (after the student confirmed) and redraw the table."""
        self.confirmation.layout.display = "none"
        try:
            self.store.reset()
        except ProgressFileProblem as problem:
            self.status.value = progress_notice_html(str(problem))
            return
        self.refresh()
        self.status.value = ("<p role=\"status\"><small>Your saved progress was deleted. Quizzes already on screen in other "
                             "notebooks still show their answers until you re-run them.</small></p>")

    def static_html(self) -> str:
        # Nobody's results: a saved copy of notebook 00 must not carry them.
        return ("<p><em>Your saved progress appears here as a table (per lesson and learning objective) when the notebook runs "
                "in Jupyter, with a button to reset it. It is saved only on the computer you use, for this copy of the course.</em></p>")


def progress_panel() -> ProgressPanel:
    """Notebook 00's progress table: ``progress_panel()``."""
    return ProgressPanel()
