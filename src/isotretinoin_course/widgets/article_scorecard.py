"""Notebook 08's scorecard widget: rate a page of consumer drug information on DISCERN-style criteria."""

from __future__ import annotations

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..core.inputs import read_text
from ..core.markup import inline_markup
from ..models.article_scoring import CRITERIA, score_article
from .base import CourseWidget


class ArticleScorecard(CourseWidget):
    """Rate a page on each criterion from 1 to 5 and see its score and weak points once every criterion is rated."""

    @checked_arguments
    def __init__(self, title: str) -> None:
        self.title = title = read_text(title, "title", empty=False, max_length=300)
        # Buttons that start with nothing chosen: a slider preset to 3 showed a score before the student rated anything.
        self.choices = {key: widgets.ToggleButtons(options=[1, 2, 3, 4, 5], value=None, style={"button_width": "2.6em"},
                                                   layout=widgets.Layout(width="auto")) for key, _question in CRITERIA}
        rows = [widgets.HBox([widgets.Label(question, layout=widgets.Layout(width="34em")), self.choices[key]]) for key, question in CRITERIA]
        self.result = widgets.HTML()
        for choice in self.choices.values():
            self.observe_guarded(choice, self._update)
        super().__init__([widgets.HTML(f"<p><strong>Scorecard: {inline_markup(title)}</strong> (1 = no, 5 = yes, fully)</p>"), *rows, self.result],
                         outputs=[self.result])
        self._update()

    def ratings(self) -> dict[str, int]:
        """The criteria rated so far (key → 1 to 5)."""
        return {key: choice.value for key, choice in self.choices.items() if choice.value is not None}

    def _update(self, _change: object = None) -> None:
        rated = self.ratings()
        if len(rated) < len(CRITERIA):
            self.result.value = (f'<p role="status">{len(rated)} of {len(CRITERIA)} criteria rated: rate every criterion to see the '
                                 "page's score and weak points.</p>")
            return
        score = score_article(rated)
        weak = "".join(f"<li>{inline_markup(point)}</li>" for point in score.weak_points)
        self.result.value = (
            f'<p role="status"><strong>{score.total} of {score.maximum}</strong> ({score.share:.0%}): {score.band} quality by this scorecard.</p>'
            + (f"<p>Weak points:</p><ul>{weak}</ul>" if weak else "<p>No criterion rated 1 or 2.</p>")
        )

    def static_text(self) -> str:
        return f"Scorecard for {self.title} (interactive: run the notebook to use it)"

    def static_html(self) -> str:
        items = "".join(f"<li>{inline_markup(question)}</li>" for _key, question in CRITERIA)
        return f"<p><strong>Scorecard: {inline_markup(self.title)}</strong> — rate each from 1 (no) to 5 (yes, fully):</p><ol>{items}</ol>"
