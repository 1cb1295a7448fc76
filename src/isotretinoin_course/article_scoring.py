"""Scoring a piece of consumer drug information against DISCERN-style criteria (notebook 08).

The criteria paraphrase the reliability and treatment-information questions of
DISCERN (Charnock et al. 1999) and add one of the course's own: whether the
page discloses who benefits from it (sales intent, conflicts of interest).
Each criterion is rated 1 (no) to 5 (yes, fully). The score is the share of the
maximum; the bands are the course's teaching convention, not DISCERN's.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from .markup import inline_markup

CRITERIA = (
    ("aims", "Are its aims clear, and does it meet them?"),
    ("sources", "Does it say which sources its facts come from?"),
    ("dates", "Does it say when it was written or last checked?"),
    ("balance", "Is it balanced: benefits and harms, without exaggeration?"),
    ("uncertainty", "Does it admit what is uncertain or disputed?"),
    ("how_it_works", "Does it explain how the treatment works, accurately?"),
    ("alternatives", "Does it mention other options, and what happens without treatment?"),
    ("interests", "Does it disclose who benefits from it (sales, sponsorship, conflicts)?"),
)
BANDS = ((0.75, "high"), (0.5, "moderate"), (0.0, "low"))


class RatingError(ValueError):
    """A rating outside 1–5 or a missing criterion."""


@dataclass(frozen=True)
class ArticleScore:
    total: int
    maximum: int
    band: str
    weak_points: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.total / self.maximum


def score_article(ratings: dict[str, int]) -> ArticleScore:
    """Total, band and the criteria rated 1 or 2 (the page's weak points)."""
    missing = [key for key, _question in CRITERIA if key not in ratings]
    if missing:
        raise RatingError(f"rate every criterion; missing: {', '.join(missing)}")
    for key, value in ratings.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise RatingError(f"{key}: a rating is a whole number from 1 to 5, got {value!r}")
    total = sum(ratings[key] for key, _question in CRITERIA)
    maximum = 5 * len(CRITERIA)
    band = next(name for threshold, name in BANDS if total / maximum >= threshold)
    weak = tuple(question for key, question in CRITERIA if ratings[key] <= 2)
    return ArticleScore(total, maximum, band, weak)


class ArticleScorecard(widgets.VBox):
    """Rate a page on each criterion with a 1–5 slider and see its score and weak points."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.sliders = {key: widgets.IntSlider(value=3, min=1, max=5, description="", continuous_update=False,
                                               layout=widgets.Layout(width="14em")) for key, _question in CRITERIA}
        rows = [widgets.HBox([widgets.Label(question, layout=widgets.Layout(width="34em")), self.sliders[key]]) for key, question in CRITERIA]
        self.result = widgets.HTML()
        for slider in self.sliders.values():
            slider.observe(self._update, names="value")
        super().__init__([widgets.HTML(f"<p><strong>Scorecard: {inline_markup(title)}</strong> (1 = no, 5 = yes, fully)</p>"), *rows, self.result])
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

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"Scorecard for {self.title} (interactive: run the notebook to use it)"
        items = "".join(f"<li>{inline_markup(question)}</li>" for _key, question in CRITERIA)
        bundle["text/html"] = f"<p><strong>Scorecard: {inline_markup(self.title)}</strong> — rate each from 1 (no) to 5 (yes, fully):</p><ol>{items}</ol>"
        return bundle
