"""The counselling checklist's topics (``content/counselling_topics.yml``), read into frozen dataclasses.

Each topic has the advice in plain words for the patient, a one-line reason for the pharmacist, the
bibliography keys it rests on, and the patients for whom it is *essential*. Which topics are essential
for a given patient, and the printable summary, are :mod:`isotretinoin_course.models.counselling`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.resources import content_file
from .validation import ContentError, load_checked, refusal, shape_checked, where

TOPICS_FILE = content_file("counselling_topics.yml")


class TopicsError(ContentError):
    """A counselling-topics file that cannot be used; the message names the file, the topic and the field."""


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    advice: str  # to the patient, in plain words; "{meal_advice}" is filled per product
    reason: str  # to the pharmacist: why it matters
    sources: tuple[str, ...]  # bibliography keys
    essential_for: str  # a key of the file's conditions


@dataclass(frozen=True)
class CounsellingTopics:
    conditions: Mapping[str, str]  # condition key → how the checklist words it
    topics: tuple[Topic, ...]


@shape_checked("counselling_topics", TopicsError)
def topics_problems(raw: object, source: str) -> None:
    """Rules the schema cannot express: unique topic keys, and only the placeholder the checklist fills."""
    seen: set[str] = set()
    for position, item in enumerate(raw["topics"]):  # type: ignore[index]
        if item["key"] in seen:
            raise refusal(TopicsError, where(source, raw, ['topics', position, 'key']), item["key"], "each topic once", f"topic {item['key']!r} is listed twice")
        seen.add(item["key"])
        try:
            item["advice"].format(meal_advice="")
        except (KeyError, IndexError, ValueError) as error:
            raise refusal(TopicsError, where(source, raw, ['topics', position, 'advice']), str(error), "the placeholder {meal_advice}",
                          f"only {{meal_advice}} can be filled in, not {error}") from None


def _from_data(raw: Mapping) -> CounsellingTopics:
    return CounsellingTopics(
        conditions=dict(raw["conditions"]),
        topics=tuple(Topic(item["key"], item["title"], item["advice"], item["reason"], tuple(item["sources"]), item["essential_for"])
                     for item in raw["topics"]),
    )


def load_topics(path: str | Path | Traversable) -> CounsellingTopics:
    """Read and validate a counselling-topics file (the course's own: :func:`counselling_topics`)."""
    return _from_data(load_checked(path, "counselling_topics", topics_problems, TopicsError))


@cache
def counselling_topics() -> CounsellingTopics:
    """The course's counselling topics, as validated by the tests."""
    return _from_data(load_checked(TOPICS_FILE, "counselling_topics", topics_problems, TopicsError, validate=False))
