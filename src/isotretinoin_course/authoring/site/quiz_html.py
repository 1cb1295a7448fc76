"""A quiz on the website: the widget's questions as a form, checked in the page by ``static/quiz.js``.

The questions come from the course's own quiz object (``Quiz.questions``: the bank's questions in the
order the widget and its static HTML show them, options in their order), never re-read or re-ordered
here. Each question's answer, explanation and sources are the widget's own
(:func:`~isotretinoin_course.widgets.quiz.answer_html`), folded in ``<details>`` until asked for. What
``quiz.js`` needs to judge an answer (which options are right, every feedback text already marked up,
the numeric answer and tolerance) is written as JSON inside the quiz. ``quiz.js`` mirrors
:func:`~isotretinoin_course.models.quiz.check_answer` and writes the HTML of
:func:`~isotretinoin_course.widgets.quiz.feedback_html`; the browser test compares the two on every
question of the course.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from ...content.quiz_banks import Question
from ...core.markup import inline_markup
from ...models.quiz import QuizProgress, option_label
from ...widgets.quiz import TYPE_HINT, answer_html

INTRO = ("Answer in this page: your answers stay in your browser and are not saved or sent anywhere. "
         "Each question's answer is folded under it until you open it.")
CASE_INTRO = ("Answer in this page (nothing is saved or sent). In the notebook, your first answer to each step also "
              "goes into the case's debrief at the end.")


def _marked(text: str | None) -> str | None:
    return inline_markup(text) if text else None


def judging_data(question: Question) -> dict[str, Any]:
    """What ``quiz.js`` needs to judge one question; every text is already HTML (``inline_markup``)."""
    if question.type == "numeric":
        return {
            "type": "numeric", "answer": question.answer, "tolerance": question.tolerance, "unit": question.unit,
            "feedback_correct": inline_markup(question.feedback_correct),
            "feedback_incorrect": inline_markup(question.feedback_incorrect),
            "anticipated": [{"value": item.value, "feedback": inline_markup(item.feedback), "misconception": _marked(item.misconception)}
                            for item in question.anticipated],
        }
    return {
        "type": question.type,
        "options": [{"id": option.id, "correct": option.correct, "feedback": inline_markup(option.feedback),
                     "misconception": _marked(option.misconception)} for option in question.options],
    }


def _control(question: Question, name: str) -> str:
    if question.type == "numeric":
        return (f'<p class="quiz-numeric"><label for="{name}">Your answer</label> '
                f'<input type="text" id="{name}" name="{name}" inputmode="decimal" autocomplete="off" size="10"> '
                f'<span class="quiz-unit">{inline_markup(question.unit)}</span></p>')
    kind = "radio" if question.type == "single" else "checkbox"
    return '<div class="quiz-options">' + "".join(
        f'<label class="quiz-option"><input type="{kind}" name="{name}" value="{html.escape(option.id)}"> '
        f"<span>{option_label(position)} {inline_markup(option.text)}</span></label>"
        for position, option in enumerate(question.options)
    ) + "</div>"


def _question_html(question: Question, number: int, key: str) -> str:
    return (
        f'<li class="quiz-question" data-question="{html.escape(question.id)}">'
        f"<fieldset><legend><strong>Question {number}.</strong> {inline_markup(question.prompt)}</legend>"
        f'<p class="quiz-hint"><em>{TYPE_HINT[question.type]}</em> <small>(assesses {html.escape(question.objective)})</small></p>'
        f"{_control(question, f'{key}-{question.id}')}"
        '<p><button type="button" class="quiz-check">Check answer</button></p>'
        '<div class="quiz-feedback-area" aria-live="polite"></div>'
        '<details class="quiz-answer-fold"><summary>Show the answer and explanation</summary>'
        f"{answer_html(question)}</details></fieldset></li>"
    )


def quiz_section(questions: Sequence[Question], title: str, key: str, intro: str = INTRO) -> str:
    """The quiz for one cell; ``key`` must be unique on the page (it prefixes every control's name)."""
    data = {"key": key, "order": [question.id for question in questions],
            "questions": {question.id: judging_data(question) for question in questions}}
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")  # "</" would end the script element early
    score = QuizProgress(tuple(question.id for question in questions)).summary()
    return (
        f'<section class="course-quiz" id="{key}" data-quiz aria-label="{html.escape(title)}">'
        f'<p class="quiz-title"><strong>{inline_markup(title)}</strong></p>'
        f'<p class="quiz-intro">{intro}</p>'
        f'<p class="quiz-score" role="status" aria-live="polite">{score}</p>'
        f'<ol class="quiz-questions">{"".join(_question_html(q, n, key) for n, q in enumerate(questions, 1))}</ol>'
        '<noscript><p class="quiz-noscript">Checking answers needs JavaScript; the answers are folded under each question.</p></noscript>'
        f'<script type="application/json" class="quiz-data">{payload}</script>'
        "</section>"
    )


def view_html(view, key: str) -> str:
    """The site's version of a rebuilt view: a quiz, or a case step (its scenario, then its one-question quiz)."""
    from ...widgets.capstone import CaseStepView

    if isinstance(view, CaseStepView):
        quiz = view.quiz
        return (f'<div class="case-step" role="group" aria-label="{html.escape(view.title)}">'
                f"<p><em>{inline_markup(view.step.scenario)}</em></p>"
                f"{quiz_section(quiz.questions, quiz.title, key, CASE_INTRO)}</div>")
    return quiz_section(view.questions, view.title, key)
