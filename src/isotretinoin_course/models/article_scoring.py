"""Scoring a piece of consumer drug information against DISCERN-style criteria (notebook 08).

The criteria paraphrase the reliability and treatment-information questions of
DISCERN (Charnock et al. 1999) and add one of the course's own: whether the
page discloses who benefits from it (sales intent, conflicts of interest).
Each criterion is rated 1 (no) to 5 (yes, fully). The score is the share of the
maximum; the bands are the course's teaching convention, not DISCERN's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.inputs import checked_arguments
from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_mapping, read_number

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


class RatingError(CourseInputError):
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


@checked_arguments
def score_article(ratings: dict[str, int]) -> ArticleScore:
    """Total, band and the criteria rated 1 or 2 (the page's weak points)."""
    ratings = read_mapping(ratings, "ratings", what="a mapping of criterion to rating (1–5)", error=RatingError)
    for key in ratings:
        read_choice(key, "criterion", [name for name, _question in CRITERIA], what="criteria", error=RatingError)
    missing = [key for key, _question in CRITERIA if key not in ratings]
    if missing:
        raise RatingError("ratings", sorted(ratings), "a rating for every criterion", message=f"ratings: rate every criterion; missing: {', '.join(missing)}")
    values = {key: read_number(ratings[key], key, minimum=1, maximum=5, integer=True, range_note="the rating scale", error=RatingError)
              for key, _question in CRITERIA}
    total = sum(values.values())
    maximum = 5 * len(CRITERIA)
    band = next(name for threshold, name in BANDS if total / maximum >= threshold)
    weak = tuple(question for key, question in CRITERIA if values[key] <= 2)
    return ArticleScore(total, maximum, band, weak)
