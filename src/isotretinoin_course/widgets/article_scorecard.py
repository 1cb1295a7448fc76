"""Notebook 08's scorecard widget: rate a page of consumer drug information on DISCERN-style criteria."""

from __future__ import annotations

import ipywidgets as widgets

from ..core.inputs import checked_arguments
from ..core.inputs import read_text
from ..core.markup import inline_markup
from ..models.article_scoring import CRITERIA, score_article
from .base import CourseWidget


class ArticleScorecard(CourseWidget):
    """Rate a page on each criterion with a 1–5 slider and see its score and weak points."""

    @checked_arguments
    def __init__(self, title: str) -> None:
        self.title = title = read_text(title, "title", empty=False, max_length=300)
        self.sliders = {key: widgets.IntSlider(value=3, min=1, max=5, description="", continuous_update=False,
                                               layout=widgets.Layout(width="14em")) for key, _question in CRITERIA}
        rows = [widgets.HBox([widgets.Label(question, layout=widgets.Layout(width="34em")), self.sliders[key]]) for key, question in CRITERIA]
        self.result = widgets.HTML()
        for slider in self.sliders.values():
            self.observe_guarded(slider, self._update)
        super().__init__([widgets.HTML(f"<p><strong>Scorecard: {inline_markup(title)}</strong> (1 = no, 5 = yes, fully)</p>"), *rows, self.result],
                         outputs=[self.result])
        self._update()

    def ratings(self) -> dict[str, int]:
        return {key: slider.value for key, slider in self.sliders.items()}

    def _update(self, _change: object = None) -> None:
        score = score_article(self.ratings())
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
