"""Quizzes drawn with ipywidgets: answer, see feedback at once, retry, keep score.

Every judgement comes from :func:`isotretinoin_course.models.quiz.check_answer`; this
module only lays out controls and writes feedback into HTML widgets (never
``print`` into an Output widget, so executed notebooks stay reproducible).

When a notebook is read without a running kernel (static HTML, a repository
viewer), the widget cannot be drawn; the quiz then falls back to a static HTML
rendering with its answers folded in a ``<details>`` section.

Every checked answer is saved on the student's computer (:mod:`isotretinoin_course.core.progress_store`), and a
quiz shows the answers saved in an earlier session when it is drawn again, after a kernel restart for example;
a progress file that cannot be read or written gives a notice under the score, and the quiz works on in memory.
"""

from __future__ import annotations

import html
from typing import Sequence

import ipywidgets as widgets

from ..core.inputs import checked_arguments, read_choice, read_instance, read_sequence, read_text
from ..content.bibliography import BibliographyError, entry_link, load_bibliography, short_citation
from ..content.quiz_banks import Question, QuizBank, load_bank
from ..core.markup import inline_markup, paragraphs
from ..core.progress_store import SavedResult, progress_store
from ..models.progress import lesson_for_bank, quiz_source
from ..models.quiz import AnswerResult, QuizProgress, check_answer, correct_answer_text, option_label, presented_questions
from .base import CourseWidget
from .progress import progress_notice_html

# Options of any length wrap under their own text and keep their control at the first line, at any width.
# ipywidgets draws radio labels at a fixed height and checkbox descriptions on one clipped line, so a
# long option would overlap the next one (hiding which is selected) or lose its end. The rules are
# scoped to the quiz's own classes; the style element rides in the quiz's header.
OPTION_STYLE = """<style>
.course-quiz-choices, .course-quiz-choices .widget-radio-box { height: auto; overflow: visible; }
.course-quiz-choices .widget-radio-box label { height: auto; min-height: var(--jp-widgets-radio-item-height, 24px);
  line-height: 1.35; white-space: normal; display: flex; align-items: flex-start; gap: 0.4em; margin: 0 0 0.35em 0; }
.course-quiz-choices .widget-radio-box label input { order: -1; flex: none; float: none; margin: 0.2em 0 0 0; }
.course-quiz-choice.widget-checkbox { height: auto; width: auto; line-height: 1.35; }
.course-quiz-choice.widget-checkbox .widget-label-basic { height: auto; line-height: 1.35; white-space: normal;
  overflow: visible; display: flex; align-items: flex-start; gap: 0.4em; margin: 0 0 0.35em 0; }
.course-quiz-choice.widget-checkbox .widget-label-basic input[type='checkbox'] { flex: none; align-self: flex-start;
  margin: 0.2em 0 0 0; }
.course-quiz-choice.widget-checkbox .widget-label-basic span { white-space: normal; overflow: visible; text-overflow: clip; }
</style>"""

TYPE_HINT = {
    "single": "Choose one answer.",
    "multiple": "Tick every answer that applies.",
    "numeric": "Type a number.",
}


@checked_arguments
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


@checked_arguments
def sources_html(keys: Sequence[str]) -> str:
    """The sources of a question as linked author–year citations, e.g. "Sources: Titus and Hodge 2012".

    Each key is looked up in the course bibliography; a citation links to the entry's DOI or URL when it
    has one. A key the bibliography lacks (which the bank validator refuses) is shown as itself rather
    than breaking the quiz.
    """
    keys = read_sequence(keys, "keys", lambda item, where: read_text(item, where, empty=False, max_length=200))
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


@checked_arguments
def answer_html(question: Question) -> str:
    """The right answer, the explanation and the sources of one question (folded until asked for)."""
    return (
        f'<div class="quiz-answer"><p><strong>Answer:</strong> {inline_markup(correct_answer_text(question))}</p>'
        f"{paragraphs(question.explanation)}{sources_html(question.sources)}</div>"
    )


class QuestionCard(CourseWidget):
    """One question: prompt, answer control, a Check button and the feedback area."""

    @checked_arguments
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
        layout = widgets.Layout(width="auto", max_width="100%")
        if question.type == "single":
            control = widgets.RadioButtons(
                options=[(f"{option_label(position)} {option.text}", option.id) for position, option in enumerate(question.options)],
                value=None,
                layout=layout,
            )
            control.add_class("course-quiz-choices")
            return control
        if question.type == "multiple":
            boxes = []
            for position, option in enumerate(question.options):
                box = widgets.Checkbox(value=False, description=f"{option_label(position)} {option.text}", indent=False, layout=layout)
                box.add_class("course-quiz-choice")
                boxes.append(box)
            return widgets.VBox(boxes, layout=widgets.Layout(width="100%"))
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

    def restore(self, saved: SavedResult) -> None:
        """Show a result saved in an earlier session: the answer then given, its feedback, and a note (no new attempt)."""
        feedback = ""
        if self._can_show(saved.response):
            self.set_response(saved.response)
            result = check_answer(self.question, self.response())
            feedback = feedback_html(result) if result.valid else ""
        times = "once" if saved.attempts == 1 else f"{saved.attempts} times"
        first = "yes" if saved.correct_first_time else "no"
        self.feedback.value = (f'{feedback}<p class="quiz-saved"><small>Saved from an earlier session: checked {times}; '
                               f"right first time: {first}.</small></p>")

    def _can_show(self, response: object) -> bool:
        """Whether a saved response still fits this question (its options may have changed since)."""
        ids = {option.id for option in self.question.options}
        if self.question.type == "single":
            return isinstance(response, str) and response in ids
        if self.question.type == "multiple":
            return isinstance(response, list) and bool(response) and set(response) <= ids
        return isinstance(response, str)

    def reveal(self, shown: bool) -> None:
        self.answer.value = answer_html(self.question) if shown else ""
        self.answer.layout.display = None if shown else "none"

    def static_html(self) -> str:
        return static_quiz_html([self.question], self.title)


class Quiz(CourseWidget):
    """A set of questions from one bank with a running score, a 'reveal answers' switch and saved progress."""

    progress_kind = "quiz"  # how its results are filed in the progress file (the capstone's steps say "capstone")

    @checked_arguments
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
        header = widgets.HTML(f"{OPTION_STYLE}<p><strong>{inline_markup(self.title)}</strong></p>")
        self.progress_note = widgets.HTML("")
        super().__init__([header, self.score, self.progress_note, *self.cards, self.reveal_toggle], outputs=[self.score])
        self._restore_saved()

    # ------------------------------------------------------------------ saved progress
    def progress_place(self) -> tuple[str, str]:
        """(lesson number, source) under which this quiz's results are saved."""
        return lesson_for_bank(self.bank.notebook), quiz_source(self.bank.notebook)

    def _restore_saved(self) -> None:
        store = progress_store()
        lesson, source = self.progress_place()
        saved = {(result.source, result.question): result for result in store.results() if result.lesson == lesson}
        restored = 0
        for card in self.cards:
            result = saved.get((source, card.question.id))
            if result is None:
                continue
            card.restore(result)
            self.progress.restore(card.question.id, result.attempts, result.correct_first_time, result.correct_now)
            self._restored(card.question.id, result)
            restored += 1
        self.score.value = self._score_html()
        note = (f"<p class=\"quiz-saved\"><small>Your answers saved in an earlier session are shown ({restored} of "
                f"{len(self.cards)} questions); check again to change them.</small></p>") if restored else ""
        self.progress_note.value = note + progress_notice_html(store.problem)

    def _restored(self, question_id: str, saved: SavedResult) -> None:
        """A saved result was put back on screen (the capstone also tells its case)."""

    def _save(self, question_id: str, result: AnswerResult) -> None:
        store = progress_store()
        lesson, source = self.progress_place()
        card = self.card(question_id)
        store.record(lesson, source, question_id, card.question.objective, result.correct, card.response(), kind=self.progress_kind)
        self.progress_note.value = progress_notice_html(store.problem)

    def _score_html(self) -> str:
        return f'<p class="quiz-score" role="status">{self.progress.summary()}</p>'

    def _record(self, question_id: str, result: AnswerResult) -> None:
        self.progress.record(question_id, result)
        self.score.value = self._score_html()
        if result.valid:
            self._save(question_id, result)

    def _on_reveal(self, change: dict) -> None:
        for card in self.cards:
            card.reveal(bool(change["new"]))

    def card(self, question_id: str) -> QuestionCard:
        ids = [card.question.id for card in self.cards]
        return self.cards[ids.index(read_choice(question_id, "question_id", ids, what="questions of this quiz"))]

    # A fixed text repr keeps stored outputs reproducible; the HTML is what static viewers show when no
    # widget state is saved.
    def static_text(self) -> str:
        return f"Quiz: {self.title} ({len(self.questions)} questions; run the notebook to answer)"

    def static_html(self) -> str:
        return static_quiz_html(self.questions, self.title)


@checked_arguments
def static_quiz_html(questions: Sequence[Question], title: str) -> str:
    """The quiz as static HTML: questions first, answers folded away below."""
    questions = read_sequence(questions, "questions", lambda item, where: read_instance(item, where, Question, "a quiz Question"))
    title = read_text(title, "title", max_length=300)
    items = []
    for question in questions:
        if question.type == "numeric":
            body = f"<p><em>Answer as a number in {inline_markup(question.unit)}.</em></p>"
        else:
            choices = "".join(f"<li>{option_label(position)} {inline_markup(option.text)}</li>"
                              for position, option in enumerate(question.options))
            body = f"<p><em>{TYPE_HINT[question.type]}</em></p><ul>{choices}</ul>"
        items.append(f"<li><p>{inline_markup(question.prompt)}</p>{body}</li>")
    answers = "".join(f"<li>{answer_html(question)}</li>" for question in questions)
    return (
        f'<div class="course-quiz"><p><strong>{inline_markup(title)}</strong></p>'
        "<p><em>This quiz is interactive when the notebook runs in Jupyter; here it is shown as text.</em></p>"
        f"<ol>{''.join(items)}</ol>"
        f"<details><summary>Show answers and explanations</summary><ol>{answers}</ol></details></div>"
    )


@checked_arguments
def quiz_for(notebook: str, question_ids: Sequence[str] | None = None, title: str | None = None) -> Quiz:
    """The quiz for a notebook, e.g. ``quiz_for("01_acne_pathophysiology")``.

    Pass ``question_ids`` to show only some questions (a short check inside a
    section), in the order given.
    """
    return Quiz(load_bank(notebook), question_ids, title)
