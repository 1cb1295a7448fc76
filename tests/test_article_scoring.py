"""The article scorecard: totals, bands at their boundaries, weak points and bad ratings."""

from __future__ import annotations

import pytest

from isotretinoin_course.models.article_scoring import CRITERIA, RatingError, score_article
from isotretinoin_course.widgets import ArticleScorecard


def ratings(value: int, **overrides: int) -> dict[str, int]:
    return {key: overrides.get(key, value) for key, _question in CRITERIA}


@pytest.mark.parametrize(("value", "band"), [(5, "high"), (4, "high"), (3, "moderate"), (2, "low"), (1, "low")])
def test_bands(value, band):
    assert score_article(ratings(value)).band == band


def test_band_boundaries_are_shares_of_the_maximum():
    assert score_article(ratings(4, aims=2)).total == 30 and score_article(ratings(4, aims=2)).band == "high"  # 30/40 = 75%
    assert score_article(ratings(4, aims=1)).band == "moderate"  # 29/40
    assert score_article(ratings(3, aims=1)).band == "moderate"  # 22/40 = 55%
    assert score_article(ratings(2, aims=5)).band == "low"  # 19/40 = 47.5%


def test_weak_points_are_the_criteria_rated_one_or_two():
    score = score_article(ratings(4, sources=1, interests=2))
    assert score.weak_points == (dict(CRITERIA)["sources"], dict(CRITERIA)["interests"])


@pytest.mark.parametrize(("bad", "message"), [({"aims": 0}, "aims of 0 is outside the rating scale \\(1–5\\)"),
                                               ({"dates": 6}, "dates of 6 is outside"), ({"balance": 2.5}, "balance: 2.5 is not a whole number")])
def test_bad_ratings_are_refused(bad, message):
    with pytest.raises(RatingError, match=message):
        score_article({**ratings(3), **bad})
    incomplete = ratings(3)
    del incomplete["dates"]
    with pytest.raises(RatingError, match="missing: dates"):
        score_article(incomplete)


def test_scorecard_widget_scores_only_when_every_criterion_is_rated():
    card = ArticleScorecard("A sales page")
    assert "0 of 8 criteria rated" in card.result.value and "of 40" not in card.result.value
    for choice in card.choices.values():
        choice.value = 3
    assert "24 of 40" in card.result.value
    card.choices["interests"].value = 1
    assert "22 of 40" in card.result.value and "who benefits" in card.result.value
    assert card._repr_mimebundle_()["text/plain"] == "Scorecard for A sales page (interactive: run the notebook to use it)"
