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

from ..core.inputs import checked_arguments
from ..content.counselling import Topic, counselling_topics
from ..content.rule_sets import CATEGORIES
from ..core.errors import CourseInputError
from ..core.inputs import read_bool, read_choice, read_date, read_instance, read_number, read_sequence, read_text
from .isotretinoin_pk import FORMULATIONS


class CounsellingError(CourseInputError):
    """A profile or a choice of topics the checklist cannot use."""


def topics() -> tuple[Topic, ...]:
    """Every counselling topic, in the course's order."""
    return counselling_topics().topics


def topic_keys() -> tuple[str, ...]:
    return tuple(item.key for item in topics())


@checked_arguments
def condition_wording(condition: str) -> str:
    """How the checklist words who a topic is essential for ("patients who can get pregnant")."""
    conditions = counselling_topics().conditions
    return conditions[read_choice(condition, "condition", list(conditions), what="conditions", error=CounsellingError)]


@dataclass(frozen=True)
class Profile:
    """What the pharmacist knows about the patient that changes the essentials."""

    category: str = "can_get_pregnant"
    formulation: str = "conventional"
    hormonal_contraception: bool = False
    contact_lenses: bool = False

    def __post_init__(self) -> None:
        read_choice(self.category, "category", CATEGORIES, error=CounsellingError)
        read_choice(self.formulation, "formulation", FORMULATIONS, error=CounsellingError)
        read_bool(self.hormonal_contraception, "hormonal_contraception", error=CounsellingError)
        read_bool(self.contact_lenses, "contact_lenses", error=CounsellingError)
        if self.hormonal_contraception and self.category != "can_get_pregnant":
            raise CounsellingError("hormonal_contraception", True, "False for a patient who cannot get pregnant",
                                   message="hormonal_contraception: as a pregnancy-prevention method it applies only to a patient who can get pregnant")


@checked_arguments
def topic(key: str) -> Topic:
    """The topic with this key; an unknown key is refused with the topics listed and the closest one suggested."""
    try:
        key = read_choice(key, "topic", topic_keys())
    except CourseInputError as error:
        raise CounsellingError("topic", key, error.allowed, message=str(error)) from None
    return next(item for item in topics() if item.key == key)


def _topic_of(item: object) -> Topic:
    return read_instance(item, "item", Topic, "a counselling topic (topic('pregnancy'))", error=CounsellingError)


def _profile(profile: object) -> Profile:
    return read_instance(profile, "profile", Profile, "a Profile (Profile(category=..., formulation=...))", error=CounsellingError)


@checked_arguments
def topic_advice(item: Topic, profile: Profile) -> str:
    """The advice for this patient: the dosing advice depends on the formulation's label."""
    item, profile = _topic_of(item), _profile(profile)
    return item.advice.format(meal_advice=FORMULATIONS[profile.formulation].meal_advice)


@checked_arguments
def is_essential(item: Topic, profile: Profile) -> bool:
    """Whether leaving this topic out is an omission for this patient."""
    item, profile = _topic_of(item), _profile(profile)
    applies = {
        "always": True,
        "can_get_pregnant": profile.category == "can_get_pregnant",
        "hormonal_contraception": profile.hormonal_contraception,
        "contact_lenses": profile.contact_lenses,
        "recommended": False,
    }
    return applies[item.essential_for]


@checked_arguments
def essential_topics(profile: Profile) -> tuple[Topic, ...]:
    profile = _profile(profile)
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


@checked_arguments
def counselling_summary(profile: Profile, chosen: Iterable[str], patient_label: str = "SYNTHETIC patient",
                        on: dt.date | None = None, width: int = 88) -> CounsellingSummary:
    """A printable summary of the chosen topics, in the course's order, and what essential topics are missing."""
    profile = _profile(profile)
    chosen = read_sequence(chosen, "chosen", lambda key, where: topic(key).key, unique=True, error=CounsellingError)
    patient_label = read_text(patient_label, "patient_label", max_length=200, error=CounsellingError)
    on = read_date(on, "on", optional=True, error=CounsellingError)
    width = read_number(width, "width", unit="characters", minimum=30, maximum=200, integer=True, error=CounsellingError)
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
