"""Quizzes drawn with ipywidgets: answer, see feedback at once, retry, keep score.

Every judgement comes from :func:`isotretinoin_course.models.quiz.check_answer`; this
module only lays out controls and writes feedback into HTML widgets (never
``print`` into an Output widget, so executed notebooks stay reproducible).

When a notebook is read without a running kernel (static HTML, a repository
viewer), the widget cannot be drawn; the quiz then falls back to a static HTML
rendering with its answers folded in a ``<details>`` section.
"""

from __future__ import annotations

import html
from typing import Sequence

import ipywidgets as widgets

from ..content.bibliography import BibliographyError, entry_link, load_bibliography, short_citation
from ..content.quiz_banks import Question, QuizBank, load_bank
from ..core.markup import inline_markup, paragraphs
from ..models.quiz import AnswerResult, QuizProgress, check_answer, correct_answer_text, presented_questions
from .base import CourseWidget

TYPE_HINT = {
    "single": "Choose one answer.",
    "multiple": "Tick every answer that applies.",
    "numeric": "Type a number.",
}


def feedback_html(result: AnswerResult) -> str:
    """The verdict and feedback for one checked answer, as the widget shows it (the course website's quiz.js
    writes the same HTML; ``tests/browser/test_site.py`` compares the two for every question of the course)."""
    if not result.valid:
        return f'<div class="quiz-feedback quiz-invalid" role="status"><p>⚠ {inline_markup(result.message)}</p></div>'
    verdict = "✔ Correct." if result.correct else "✘ Not quite — read the feedback and try again."
    css = "quiz-correct" if result.correct else "quiz-incorrect"
    items = "".join(f"<li>{inline_markup(text)}</li>" for text in result.feedback)
    probes = "".join(
        f"<li><em>The mistaken belief behind this answer:</em> {inline_markup(text)}</li>" for text in result.misconceptions
    )
    return f'<div class="quiz-feedback {css}" role="status"><p><strong>{verdict}</strong></p><ul>{items}{probes}</ul></div>'


def sources_html(keys: Sequence[str]) -> str:
    """The sources of a question as linked author–year citations, e.g. "Sources: Titus and Hodge 2012".

    Each key is looked up in the course bibliography; a citation links to the entry's DOI or URL when it
    has one. A key the bibliography lacks (which the bank validator refuses) is shown as itself rather
    than breaking the quiz.
    """
    if not keys:
        return ""
    bibliography = load_bibliography()
    items = []
    for key in keys:
        try:
            entry = bibliography.entry(key)
        except BibliographyError:
            items.append(html.escape(key))
            continue
        label, link = html.escape(short_citation(entry)), entry_link(entry)
        title = html.escape(entry["title"], quote=True)
        items.append(f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener" title="{title}">{label}</a>'
                     if link else f'<span title="{title}">{label}</span>')
    word = "Source" if len(items) == 1 else "Sources"
    return f'<p class="quiz-sources"><small>{word}: {"; ".join(items)}</small></p>'


def answer_html(question: Question) -> str:
    """The right answer, the explanation and the sources of one question (folded until asked for)."""
    return (
        f'<div class="quiz-answer"><p><strong>Answer:</strong> {inline_markup(correct_answer_text(question))}</p>'
        f"{paragraphs(question.explanation)}{sources_html(question.sources)}</div>"
    )


class QuestionCard(CourseWidget):
    """One question: prompt, answer control, a Check button and the feedback area."""

    def __init__(self, question: Question, number: int, on_result) -> None:
        self.question, self.number = question, number
        self.title = f"Question {number}"
        self._on_result = on_result
        prompt = widgets.HTML(
            f"<p><strong>Question {number}.</strong> {inline_markup(question.prompt)}</p>"
            f"<p><em>{TYPE_HINT[question.type]}</em> <small>(assesses {question.objective})</small></p>"
        )
        self.answer_control = self._make_control(question)
        self.check_button = widgets.Button(description="Check answer", button_style="primary", tooltip="Check your answer")
        self.on_click_guarded(self.check_button, lambda _button: self.check())
        self.feedback = widgets.HTML("")
        self.answer = widgets.HTML("", layout=widgets.Layout(display="none"))
        super().__init__(
            [prompt, self.answer_control, self.check_button, self.feedback, self.answer],
            outputs=[self.feedback],
            layout=widgets.Layout(border="1px solid #bbbbbb", padding="6px", margin="0 0 8px 0"),
        )

    @staticmethod
    def _make_control(question: Question) -> widgets.Widget:
        layout = widgets.Layout(width="auto")
        if question.type == "single":
            return widgets.RadioButtons(
                options=[(f"{option.id}) {option.text}", option.id) for option in question.options],
                value=None,
                layout=layout,
            )
        if question.type == "multiple":
            boxes = [
                widgets.Checkbox(value=False, description=f"{option.id}) {option.text}", indent=False, layout=layout)
                for option in question.options
            ]
            return widgets.VBox(boxes)
        return widgets.HBox(
            [widgets.Text(placeholder="your answer", layout=widgets.Layout(width="12em")), widgets.Label(question.unit)]
        )

    def response(self) -> object:
        """What the student has entered, in the form :func:`check_answer` takes."""
        if self.question.type == "single":
            return self.answer_control.value
        if self.question.type == "multiple":
            return [
                option.id
                for option, box in zip(self.question.options, self.answer_control.children)
                if box.value
            ]
        return self.answer_control.children[0].value

    def set_response(self, response: object) -> None:
        """Fill in an answer as a student would (used by tests and demonstrations)."""
        if self.question.type == "single":
            self.answer_control.value = response
        elif self.question.type == "multiple":
            chosen = set(response)  # type: ignore[arg-type]
            for option, box in zip(self.question.options, self.answer_control.children):
                box.value = option.id in chosen
        else:
            self.answer_control.children[0].value = str(response)

    def check(self) -> AnswerResult:
        result = check_answer(self.question, self.response())
        self.feedback.value = feedback_html(result)
        self._on_result(self.question.id, result)
        return result

    def reveal(self, shown: bool) -> None:
        self.answer.value = answer_html(self.question) if shown else ""
        self.answer.layout.display = None if shown else "none"

    def static_html(self) -> str:
        return static_quiz_html([self.question], self.title)


class Quiz(CourseWidget):
    """A set of questions from one bank with a running score and a 'reveal answers' switch."""

    def __init__(self, bank: QuizBank, question_ids: Sequence[str] | None = None, title: str | None = None) -> None:
        self.bank = bank
        self.questions = presented_questions(bank, question_ids)  # the order every rendering shows
        self.title = title or bank.title
        self.progress = QuizProgress(tuple(question.id for question in self.questions))
        self.score = widgets.HTML(self._score_html())
        self.reveal_toggle = widgets.ToggleButton(
            value=False, description="Reveal answers", icon="eye", tooltip="Show every answer with its explanation (for review)"
        )
        self.observe_guarded(self.reveal_toggle, self._on_reveal)
        self.cards = [QuestionCard(question, number, self._record) for number, question in enumerate(self.questions, 1)]
        header = widgets.HTML(f"<p><strong>{inline_markup(self.title)}</strong></p>")
        super().__init__([header, self.score, *self.cards, self.reveal_toggle], outputs=[self.score])

    def _score_html(self) -> str:
        return f'<p class="quiz-score" role="status">{self.progress.summary()}</p>'

    def _record(self, question_id: str, result: AnswerResult) -> None:
        self.progress.record(question_id, result)
        self.score.value = self._score_html()

    def _on_reveal(self, change: dict) -> None:
        for card in self.cards:
            card.reveal(bool(change["new"]))

    def card(self, question_id: str) -> QuestionCard:
        for card in self.cards:
            if card.question.id == question_id:
                return card
        raise KeyError(question_id)

    # A fixed text repr keeps stored outputs reproducible; the HTML is what static viewers show when no
    # widget state is saved.
    def static_text(self) -> str:
        return f"Quiz: {self.title} ({len(self.questions)} questions; run the notebook to answer)"

    def static_html(self) -> str:
        return static_quiz_html(self.questions, self.title)


def static_quiz_html(questions: Sequence[Question], title: str) -> str:
    """The quiz as static HTML: questions first, answers folded away below."""
    items = []
    for question in questions:
        if question.type == "numeric":
            body = f"<p><em>Answer as a number in {inline_markup(question.unit)}.</em></p>"
        else:
            choices = "".join(f"<li>{option.id}) {inline_markup(option.text)}</li>" for option in question.options)
            body = f"<p><em>{TYPE_HINT[question.type]}</em></p><ul>{choices}</ul>"
        items.append(f"<li><p>{inline_markup(question.prompt)}</p>{body}</li>")
    answers = "".join(f"<li>{answer_html(question)}</li>" for question in questions)
    return (
        f'<div class="course-quiz"><p><strong>{inline_markup(title)}</strong></p>'
        "<p><em>This quiz is interactive when the notebook runs in Jupyter; here it is shown as text.</em></p>"
        f"<ol>{''.join(items)}</ol>"
        f"<details><summary>Show answers and explanations</summary><ol>{answers}</ol></details></div>"
    )


def quiz_for(notebook: str, question_ids: Sequence[str] | None = None, title: str | None = None) -> Quiz:
    """The quiz for a notebook, e.g. ``quiz_for("01_acne_pathophysiology")``.

    Pass ``question_ids`` to show only some questions (a short check inside a
    section), in the order given.
    """
    return Quiz(load_bank(notebook), question_ids, title)
