"""Risk-management rule sets (``content/rule_sets/*.yml``): dated, sourced rules, read into frozen dataclasses.

Each rule set has a name, the date it applies from (and until, if replaced), its sources, and the value
of each rule with the source it comes from and how far it was verified (schema:
``schemas/rule_set.schema.json``). The engine that applies them to a patient's timeline is
:mod:`isotretinoin_course.models.risk_management`. The course's rule sets are parsed once and cached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_date
from ..core.resources import content_file, content_files
from .validation import ContentError, load_checked

RULE_SET_DIRECTORY = content_file("rule_sets")
CATEGORIES = ("can_get_pregnant", "cannot_get_pregnant")  # iPLEDGE's two patient categories since December 2021
RULE_NAMES = (
    "max_days_supply", "refills_allowed", "pickup_window_days", "pickup_window_starts", "lockout_days_after_missed_window",
    "lockout_first_window_only", "pretreatment_tests", "days_between_pretreatment_tests", "test_before_prescription_within_days",
    "accepted_test_settings", "contraception_methods", "contraception_days_before", "contraception_days_after",
    "post_treatment_test_days_after",
)


class RuleSetError(ContentError):
    """A rule-set file with a missing or malformed rule, or a rule set that does not exist."""


@dataclass(frozen=True)
class Provenance:
    """Where a rule's value comes from and how far it was verified."""

    source: str
    status: str


@dataclass(frozen=True)
class RuleSet:
    key: str
    name: str
    programme: str
    applies_from: dt.date
    applies_until: dt.date | None
    sources: tuple[str, ...]
    summary: str
    max_days_supply: int
    refills_allowed: bool
    pickup_window_days: dict[str, int | None]  # None: no pick-up window for that category
    pickup_window_starts: dict[str, str]  # "pregnancy_test" or "prescription"
    lockout_days_after_missed_window: int
    lockout_first_window_only: bool
    pretreatment_tests: int
    days_between_pretreatment_tests: int
    test_before_prescription_within_days: int | None
    accepted_test_settings: dict[str, tuple[str, ...]]  # "before" / "during" / "after" → settings
    contraception_methods: int
    contraception_days_before: int
    contraception_days_after: int
    post_treatment_test_days_after: int | None
    provenance: dict[str, Provenance]

    def applies_on(self, day: dt.date) -> bool:
        return self.applies_from <= day and (self.applies_until is None or day <= self.applies_until)


def _date(value: object, where: str) -> dt.date | None:
    try:
        return read_date(value, where, optional=True)
    except CourseInputError as error:
        raise RuleSetError(str(error)) from None


def rule_set_from_data(raw: Mapping, key: str, source: str) -> RuleSet:
    rules = raw["rules"]
    values = {name: rules[name]["value"] for name in RULE_NAMES}
    applies_from = _date(raw["applies_from"], f"{source}: applies_from")
    if applies_from is None:
        raise RuleSetError(f"{source}: field 'applies_from': a rule set needs the date it applies from")
    return RuleSet(
        key=key,
        name=raw["name"],
        programme=raw["programme"],
        applies_from=applies_from,
        applies_until=_date(raw.get("applies_until"), f"{source}: applies_until"),
        sources=tuple(raw["sources"]),
        summary=" ".join(str(raw["summary"]).split()),
        max_days_supply=int(values["max_days_supply"]),
        refills_allowed=bool(values["refills_allowed"]),
        pickup_window_days={category: None if value is None else int(value) for category, value in values["pickup_window_days"].items()},
        pickup_window_starts=dict(values["pickup_window_starts"]),
        lockout_days_after_missed_window=int(values["lockout_days_after_missed_window"]),
        lockout_first_window_only=bool(values["lockout_first_window_only"]),
        pretreatment_tests=int(values["pretreatment_tests"]),
        days_between_pretreatment_tests=int(values["days_between_pretreatment_tests"]),
        test_before_prescription_within_days=values["test_before_prescription_within_days"],
        accepted_test_settings={phase: tuple(settings) for phase, settings in values["accepted_test_settings"].items()},
        contraception_methods=int(values["contraception_methods"]),
        contraception_days_before=int(values["contraception_days_before"]),
        contraception_days_after=int(values["contraception_days_after"]),
        post_treatment_test_days_after=values["post_treatment_test_days_after"],
        provenance={name: Provenance(rules[name]["source"], rules[name]["status"]) for name in RULE_NAMES},
    )


def _dates_in_order(raw: object, source: str) -> None:
    start, end = _date(raw["applies_from"], f"{source}: applies_from"), _date(raw.get("applies_until"), f"{source}: applies_until")  # type: ignore[index, union-attr]
    if start and end and end < start:
        raise RuleSetError(f"{source}: field 'applies_until': {end} is before applies_from {start}")


def load_rule_set(path: str | Path | Traversable) -> RuleSet:
    """Read one rule set and refuse it, naming the file, the rule and the field, if a rule, its source or its status is missing."""
    path = Path(path) if isinstance(path, str) else path  # its name is used below
    raw = load_checked(path, "rule_set", _dates_in_order, RuleSetError)
    return rule_set_from_data(raw, path.name.removesuffix(".yml"), path.name)


@cache
def _course_rule_sets() -> tuple[RuleSet, ...]:
    found = [rule_set_from_data(load_checked(entry, "rule_set", _dates_in_order, RuleSetError, validate=False), entry.name.removesuffix(".yml"), entry.name)
             for entry in content_files("rule_sets", ".yml")]
    return tuple(sorted(found, key=lambda rule_set: rule_set.applies_from))


def rule_sets() -> dict[str, RuleSet]:
    """Every rule set the course ships, by key (file name), oldest first."""
    return {rule_set.key: rule_set for rule_set in _course_rule_sets()}


def rule_set_for(programme: str, day: object) -> RuleSet:
    """The rule set of a programme ("ipledge", "eu") in force on ``day``."""
    try:
        programme = read_choice(programme, "programme", sorted({rule_set.programme for rule_set in _course_rule_sets()}))
        day = read_date(day, "day")
    except CourseInputError as error:
        raise RuleSetError(str(error)) from None
    candidates = [rule_set for rule_set in _course_rule_sets() if rule_set.programme == programme and rule_set.applies_on(day)]
    if not candidates:
        raise RuleSetError(f"no {programme} rule set in this course applies on {day}")
    return candidates[-1]
