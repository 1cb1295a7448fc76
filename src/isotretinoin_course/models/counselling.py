"""The counselling checklist's logic (notebook 07): which topics are essential for a patient, and the printable summary.

The topics themselves (advice, reason, sources, for whom each is essential) are content:
``content/counselling_topics.yml``. :func:`counselling_summary` turns the topics a pharmacist ticked
into a printable summary and lists the essential topics left out.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from ..content.counselling import Topic, counselling_topics
from ..content.rule_sets import CATEGORIES
from ..core.errors import CourseInputError
from ..core.inputs import read_choice
from .isotretinoin_pk import FORMULATIONS


class CounsellingError(CourseInputError):
    """A profile or a choice of topics the checklist cannot use."""


def topics() -> tuple[Topic, ...]:
    """Every counselling topic, in the course's order."""
    return counselling_topics().topics


def topic_keys() -> tuple[str, ...]:
    return tuple(item.key for item in topics())


def condition_wording(condition: str) -> str:
    """How the checklist words who a topic is essential for ("patients who can get pregnant")."""
    return counselling_topics().conditions[condition]


@dataclass(frozen=True)
class Profile:
    """What the pharmacist knows about the patient that changes the essentials."""

    category: str = "can_get_pregnant"
    formulation: str = "conventional"
    hormonal_contraception: bool = False
    contact_lenses: bool = False

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise CounsellingError(f"category must be one of {', '.join(CATEGORIES)}; got {self.category!r}")
        if self.formulation not in FORMULATIONS:
            raise CounsellingError(f"formulation must be one of {', '.join(FORMULATIONS)}; got {self.formulation!r}")
        if self.hormonal_contraception and self.category != "can_get_pregnant":
            raise CounsellingError("hormonal contraception as a pregnancy-prevention method applies only to a patient who can get pregnant")


def topic(key: str) -> Topic:
    """The topic with this key; an unknown key is refused with the topics listed and the closest one suggested."""
    try:
        key = read_choice(key, "topic", topic_keys())
    except CourseInputError as error:
        raise CounsellingError("topic", key, error.allowed, message=str(error)) from None
    return next(item for item in topics() if item.key == key)


def topic_advice(item: Topic, profile: Profile) -> str:
    """The advice for this patient: the dosing advice depends on the formulation's label."""
    return item.advice.format(meal_advice=FORMULATIONS[profile.formulation].meal_advice)


def is_essential(item: Topic, profile: Profile) -> bool:
    """Whether leaving this topic out is an omission for this patient."""
    applies = {
        "always": True,
        "can_get_pregnant": profile.category == "can_get_pregnant",
        "hormonal_contraception": profile.hormonal_contraception,
        "contact_lenses": profile.contact_lenses,
        "recommended": False,
    }
    return applies[item.essential_for]


def essential_topics(profile: Profile) -> tuple[Topic, ...]:
    return tuple(item for item in topics() if is_essential(item, profile))


@dataclass(frozen=True)
class CounsellingSummary:
    text: str  # printable, for the patient
    covered: tuple[Topic, ...]
    missing_essentials: tuple[Topic, ...]
    missing_recommended: tuple[Topic, ...]

    @property
    def complete(self) -> bool:
        return not self.missing_essentials


def counselling_summary(profile: Profile, chosen: Iterable[str], patient_label: str = "SYNTHETIC patient",
                        on: dt.date | None = None, width: int = 88) -> CounsellingSummary:
    """A printable summary of the chosen topics, in the course's order, and what essential topics are missing."""
    chosen = list(chosen)
    for key in chosen:
        topic(key)  # names an unknown key clearly
    if len(set(chosen)) != len(chosen):
        duplicates = sorted({key for key in chosen if chosen.count(key) > 1})
        raise CounsellingError(f"each topic can be chosen once; repeated: {', '.join(duplicates)}")
    covered = tuple(item for item in topics() if item.key in chosen)
    missing = tuple(item for item in essential_topics(profile) if item.key not in chosen)
    recommended = tuple(item for item in topics() if item.essential_for == "recommended" and item.key not in chosen)
    heading = f"Isotretinoin: what we discussed — {patient_label}"
    lines = [
        heading, "=" * len(heading),
        f"Date: {(on or dt.date.today()).isoformat()}    Product: {FORMULATIONS[profile.formulation].name}",
        "Teaching material with synthetic patients; not medical advice.", "",
    ]
    for number, item in enumerate(covered, 1):
        lines.append(f"{number}. {item.title}")
        lines.extend(textwrap.wrap(topic_advice(item, profile), width=width, initial_indent="   ", subsequent_indent="   "))
        lines.append("")
    if not covered:
        lines.append("(No topics chosen yet.)")
    return CounsellingSummary("\n".join(lines).rstrip() + "\n", covered, missing, recommended)
