"""Risk-management rule sets (``content/rule_sets/*.yml``): dated, sourced rules, read into frozen dataclasses.

A rule set is one programme's requirements over a period: a name, the programme (``ipledge``, ``eu``,
``uk``), the day it applies from (with how precisely that day is known and whether it is confirmed), the
last day it applies, and each rule's value with what it requires in plain words, its source, the section
read and how far it was verified (schema: ``schemas/rule_set.schema.json``). Every set also lists what it
requires that the engine does not check (``not_modelled``).

Two conventions keep each fact in one file:

- ``based_on: other_key``: the set keeps the other set's rules and not-modelled list, except the rules it
  names (``not_modelled`` adds to the list, ``not_modelled_dropped`` removes topics). The iPLEDGE
  discretion set is the 2021 set with new test settings; the 2026 set is the discretion set with its changes.
- ``applies_until: {day_before: other_key}``: the set ends the day before the other starts, so a start
  date (the 2026 modification's, for instance) is written once; if that start is not confirmed, the end says so.

A set may also carry ``setting_notes`` (not inherited): a caveat the engine shows with a verdict in which a test
did not count because of where it was done, although practice at the time accepted it.

The engine that applies a rule set to a patient's timeline is :mod:`isotretinoin_course.models.risk_management`.
:func:`rule_set_for` picks the set of a programme in force on a day. The course's rule sets are parsed once
and cached.
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
from .validation import ContentError, content_path, read_structured, refusal, validate_data

RULE_SET_DIRECTORY = content_file("rule_sets")
CATEGORIES = ("can_get_pregnant", "cannot_get_pregnant")  # the two patient categories (iPLEDGE's since December 2021)
PROGRAMMES = ("ipledge", "eu", "uk")
SETTINGS = ("lab", "office", "home", "remote")
TEST_PHASES = ("screening", "confirmation", "during", "after")
RULE_NAMES = (
    "registration", "authorisation", "max_days_supply", "refills_allowed", "pickup_window", "lockout_after_missed_first_window_days",
    "pretreatment_tests", "test_settings", "followup_test", "contraception_methods", "abstinence_instead_of_contraception",
    "contraception_days_before", "contraception_days_after", "end_of_treatment_test", "post_treatment_test", "risk_acknowledgement",
)


class RuleSetError(ContentError):
    """A rule-set file with a missing or malformed rule, or a rule set that does not exist."""


@dataclass(frozen=True)
class Rule:
    """One rule: its value (``None``: the set has no such rule), its plain wording and where it comes from."""

    name: str
    value: object
    plain: str
    source: str  # bibliography key
    section: str  # what was read in the source
    status: str  # verified-primary, primary-copy, verified-secondary, to-check, course-convention, not-applicable
    note: str = ""  # for maintainers: what could not be read


@dataclass(frozen=True)
class NotModelled:
    """Something a rule set requires that the engine does not check, and why."""

    topic: str
    plain: str
    source: str
    status: str


@dataclass(frozen=True)
class SettingNote:
    """A caveat shown with a verdict when a test in one of ``settings`` did not count under the set, although
    practice at the time accepted it (iPLEDGE's COVID-19 home tests under the 2021 text)."""

    settings: tuple[str, ...]
    phases: tuple[str, ...]
    plain: str
    source: str
    status: str


@dataclass(frozen=True)
class DateDetail:
    """How precisely a set's start date is known and whether it is confirmed, in words for students."""

    precision: str  # "day" or "month"
    confirmed: bool
    plain: str
    source: str


@dataclass(frozen=True)
class Window:
    """A collection window: ``days`` counted from the test or the prescription, that day being day 1."""

    days: int
    counted_from: str  # "pregnancy_test" or "prescription"


@dataclass(frozen=True, eq=False)
class RuleSet:
    key: str
    name: str
    short_name: str
    programme: str
    based_on: str | None
    applies_from: dt.date
    date_detail: DateDetail
    applies_until: dt.date | None
    change: str
    sources: tuple[str, ...]
    summary: str
    rules: Mapping[str, Rule]
    not_modelled: tuple[NotModelled, ...]
    setting_notes: tuple[SettingNote, ...] = ()
    end_confirmed: bool = True  # False when the set ends the day before a set whose start is not confirmed

    def applies_on(self, day: dt.date) -> bool:
        return self.applies_from <= day and (self.applies_until is None or day <= self.applies_until)

    def value(self, name: str) -> object:
        return self.rules[name].value

    # ---- typed views of the rules, as the engine uses them
    def registration_required(self) -> bool:
        registration = self.value("registration")
        return bool(registration and registration["all_patients"])  # type: ignore[index]

    def authorisation(self) -> Mapping | None:
        return self.value("authorisation")  # type: ignore[return-value]

    def max_days_supply(self, category: str) -> int | None:
        return self.value("max_days_supply")[category]  # type: ignore[index]

    def refills_allowed(self, category: str) -> bool | None:
        return self.value("refills_allowed")[category]  # type: ignore[index]

    def pickup_window(self, category: str) -> Window | None:
        window = self.value("pickup_window")[category]  # type: ignore[index]
        return None if window is None else Window(int(window["days"]), window["counted_from"])

    def lockout_days(self) -> int | None:
        return self.value("lockout_after_missed_first_window_days")  # type: ignore[return-value]

    def pretreatment_tests(self) -> tuple[int, int | None]:
        """How many negative tests before the first dose, and the least number of days between the first and the last."""
        value = self.value("pretreatment_tests")
        return int(value["count"]), value["min_days_between"]  # type: ignore[index]

    def pretreatment_recency(self) -> int | None:
        """How many days before the first prescription the last pre-treatment test may be (older: hold and query); None: no such check."""
        return self.value("pretreatment_tests").get("within_days_before_first_prescription")  # type: ignore[union-attr]

    def setting_note(self, setting: str, phase: str) -> SettingNote | None:
        """The caveat for a test in ``setting`` during ``phase`` that this set does not accept, if it has one."""
        return next((note for note in self.setting_notes if setting in note.settings and phase in note.phases), None)

    def settings(self, phase: str) -> tuple[str, ...]:
        """Where a test of this phase (screening, confirmation, during, after) may be done; () if the set has no such test."""
        return tuple(self.value("test_settings")[phase] or ())  # type: ignore[index]

    def followup_test(self) -> tuple[int | None, str]:
        value = self.value("followup_test")
        return value["within_days_before_prescription"], value["if_missing"]  # type: ignore[index]

    def contraception_rule(self) -> Mapping:
        return self.value("contraception_methods")  # type: ignore[return-value]

    def abstinence_accepted(self) -> bool:
        return bool(self.value("abstinence_instead_of_contraception"))

    def contraception_days(self) -> tuple[int, int]:
        """Days of contraception needed before the first dose and after the last."""
        return int(self.value("contraception_days_before")), int(self.value("contraception_days_after"))  # type: ignore[arg-type]

    def end_of_treatment_within_days(self) -> int | None:
        value = self.value("end_of_treatment_test")
        return None if value is None else int(value["within_days"])  # type: ignore[index]

    def post_treatment_test(self) -> tuple[int, int] | None:
        """Days after the last dose the test is due, and how many days early the course accepts it."""
        value = self.value("post_treatment_test")
        return None if value is None else (int(value["days_after"]), int(value["accepted_from_days_before"]))  # type: ignore[index]

    def risk_acknowledgement(self) -> tuple[tuple[str, ...], dt.date | None] | None:
        value = self.value("risk_acknowledgement")
        if value is None:
            return None
        updated = value["updated_form_from"]  # type: ignore[index]
        return tuple(value["categories"]), (None if updated is None else read_date(updated, "updated_form_from"))  # type: ignore[index]

    def period_words(self) -> str:
        """When the set applies, as students read it ("from October 2023 to 7 August 2026")."""
        start = self.applies_from.strftime("%B %Y") if self.date_detail.precision == "month" else _day_words(self.applies_from)
        if not self.date_detail.confirmed:
            start += " (scheduled, not confirmed)"
        end = ""
        if self.applies_until:
            end = f" to {_day_words(self.applies_until)}" + ("" if self.end_confirmed else " (the end depends on an unconfirmed date)")
        return f"from {start}{end}"


def _day_words(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


# --------------------------------------------------------------------------- reading files


def _date(value: object, where: str) -> dt.date | None:
    try:
        return read_date(value, where, optional=True)
    except CourseInputError as error:
        raise RuleSetError(where, value, error.allowed, message=str(error)) from None


def _merged(key: str, raws: Mapping[str, Mapping], source: str, seen: tuple[str, ...] = ()) -> dict:
    """The file's data with its ``based_on`` set's rules and not-modelled list folded in (recursively)."""
    raw = dict(raws[key])
    base_key = raw.get("based_on")
    if base_key is None:
        return raw
    if base_key not in raws:
        raise refusal(RuleSetError, f"{source}: field 'based_on'", base_key, "a rule set beside it", f"there is no rule set {base_key!r} beside it")
    if base_key in seen + (key,):
        raise refusal(RuleSetError, f"{source}: field 'based_on'", base_key, "a set not based on itself",
                      f"the sets {' → '.join(seen + (key, base_key))} are based on each other in a circle")
    base = _merged(base_key, raws, f"{base_key}.yml", seen + (key,))
    dropped = list(raw.get("not_modelled_dropped", []))
    unknown = [topic for topic in dropped if topic not in {item["topic"] for item in base["not_modelled"]}]
    if unknown:
        raise refusal(RuleSetError, f"{source}: field 'not_modelled_dropped'", unknown[0], f"a topic of {base_key!r}'s not-modelled list",
                      f"{unknown[0]!r} is not in the not-modelled list of {base_key!r}")
    raw["rules"] = {**base["rules"], **raw["rules"]}
    raw["not_modelled"] = [item for item in base["not_modelled"] if item["topic"] not in dropped] + list(raw.get("not_modelled", []))
    return raw


def _rule_set(key: str, raw: Mapping, starts: Mapping[str, dt.date], source: str, confirmed: Mapping[str, bool] | None = None) -> RuleSet:
    missing = [name for name in RULE_NAMES if name not in raw["rules"]]
    if missing:
        raise refusal(RuleSetError, f"{source}: field 'rules'", missing[0], "every rule",
                      f"{missing[0]!r} is a required property (neither this set nor its base gives it)")
    applies_from = _date(raw["applies_from"], f"{source}: applies_from")
    until = raw.get("applies_until")
    if isinstance(until, Mapping):
        other = until["day_before"]
        if other not in starts:
            raise refusal(RuleSetError, f"{source}: field 'applies_until'", other, "a rule set beside it",
                          f"there is no rule set {other!r} to end the day before")
        applies_until = starts[other] - dt.timedelta(days=1)
        end_confirmed = (confirmed or {}).get(other, True)
    else:
        end_confirmed = True
        applies_until = _date(until, f"{source}: applies_until")
    if applies_until is not None and applies_until < applies_from:
        raise refusal(RuleSetError, f"{source}: field 'applies_until'", applies_until, f"a date from {applies_from}",
                      f"{applies_until} is before applies_from {applies_from}")
    detail = raw["date_detail"]
    return RuleSet(
        key=key, name=raw["name"], short_name=raw["short_name"], programme=raw["programme"], based_on=raw.get("based_on"),
        applies_from=applies_from, date_detail=DateDetail(detail["precision"], bool(detail["confirmed"]), " ".join(detail["plain"].split()), detail["source"]),
        applies_until=applies_until, change=raw["change"], sources=tuple(raw["sources"]), summary=" ".join(str(raw["summary"]).split()),
        rules={name: Rule(name, raw["rules"][name]["value"], " ".join(raw["rules"][name]["plain"].split()), raw["rules"][name]["source"],
                          raw["rules"][name]["section"], raw["rules"][name]["status"], " ".join(raw["rules"][name].get("note", "").split()))
               for name in RULE_NAMES},
        not_modelled=tuple(NotModelled(item["topic"], " ".join(item["plain"].split()), item["source"], item["status"]) for item in raw["not_modelled"]),
        setting_notes=tuple(SettingNote(tuple(item["settings"]), tuple(item["phases"]), " ".join(item["plain"].split()), item["source"], item["status"])
                            for item in raw.get("setting_notes", [])),
        end_confirmed=end_confirmed,
    )


def _read(entries: list[Traversable | Path], validate: bool) -> dict[str, RuleSet]:
    raws: dict[str, Mapping] = {}
    for entry in entries:
        raw = read_structured(entry, RuleSetError)
        if validate:
            validate_data(raw, "rule_set", entry.name, RuleSetError)
        raws[entry.name.removesuffix(".yml")] = raw  # type: ignore[assignment]
    starts = {key: _date(raw["applies_from"], f"{key}.yml: applies_from") for key, raw in raws.items()}
    confirmed = {key: bool(raw["date_detail"]["confirmed"]) for key, raw in raws.items()}
    return {key: _rule_set(key, _merged(key, raws, f"{key}.yml"), starts, f"{key}.yml", confirmed) for key in raws}  # type: ignore[misc]


def load_rule_set(path: str | Path | Traversable) -> RuleSet:
    """Read one rule set, with the sets beside it that it is based on or ends before, and refuse it, naming the
    file, the rule and the field, if a rule, its source or its status is missing or malformed."""
    if isinstance(path, str) and (path in rule_sets() or path in {rule_set.name for rule_set in rule_sets().values()}):
        return resolve_rule_set(path)  # a course rule set named by its key or name
    path = content_path(path, "path", RuleSetError)
    key = path.name.removesuffix(".yml")
    parent = getattr(path, "parent", None)
    siblings = ([entry for entry in parent.iterdir() if entry.name.endswith(".yml") and entry.name != path.name]
                if parent is not None and parent.is_dir() else [])
    raw = read_structured(path, RuleSetError)
    validate_data(raw, "rule_set", path.name, RuleSetError)
    needed = _references(raw)
    related = [entry for entry in siblings if entry.name.removesuffix(".yml") in needed]
    return _read([path, *_with_bases(related, siblings)], validate=True)[key]


def _references(raw: object) -> set[str]:
    found = set()
    if isinstance(raw, Mapping):
        if raw.get("based_on"):
            found.add(raw["based_on"])
        if isinstance(raw.get("applies_until"), Mapping):
            found.add(raw["applies_until"].get("day_before"))
    return found


def _with_bases(related: list, siblings: list) -> list:
    """The related files and, recursively, the files they refer to."""
    chosen = {entry.name: entry for entry in related}
    queue = list(related)
    while queue:
        entry = queue.pop()
        for name in _references(read_structured(entry, RuleSetError)):
            match = next((other for other in siblings if other.name == f"{name}.yml"), None)
            if match is not None and match.name not in chosen:
                chosen[match.name] = match
                queue.append(match)
    return list(chosen.values())


def _no_overlaps(found: Mapping[str, RuleSet]) -> None:
    """Within a programme, one set at a time: each set starts after the previous one ends."""
    for programme in {rule_set.programme for rule_set in found.values()}:
        ordered = sorted((rule_set for rule_set in found.values() if rule_set.programme == programme), key=lambda rule_set: rule_set.applies_from)
        for earlier, later in zip(ordered, ordered[1:]):
            if earlier.applies_until is None or earlier.applies_until >= later.applies_from:
                raise refusal(RuleSetError, f"{earlier.key}.yml: field 'applies_until'", earlier.applies_until, f"a day before {later.applies_from}",
                              f"{programme} sets overlap: {earlier.key} runs to "
                                   f"{earlier.applies_until or 'no end date'}, {later.key} starts {later.applies_from}")


@cache
def _course_rule_sets() -> tuple[RuleSet, ...]:
    found = _read(content_files("rule_sets", ".yml"), validate=False)
    _no_overlaps(found)
    return tuple(sorted(found.values(), key=lambda rule_set: (rule_set.applies_from, rule_set.key)))


class UnknownRuleSetError(RuleSetError, KeyError):
    """A rule set looked up by a key the course does not have (also a ``KeyError``, as a missing key of a mapping is)."""

    def __str__(self) -> str:
        return ValueError.__str__(self)


class _RuleSets(dict):
    """The course's rule sets by key; an unknown key is refused naming the keys and the closest, not a bare ``KeyError``."""

    def __missing__(self, key: object) -> RuleSet:
        try:
            read_choice(key, "rule set", list(self), what="rule sets")
        except CourseInputError as error:
            raise UnknownRuleSetError("rule set", key, error.allowed, message=str(error)) from None
        raise AssertionError(key)


def rule_sets() -> dict[str, RuleSet]:
    """Every rule set the course ships, by key (file name), oldest first."""
    return _RuleSets((rule_set.key, rule_set) for rule_set in _course_rule_sets())


def resolve_rule_set(value: object, field: str = "rule set") -> RuleSet:
    """A rule set given as the object itself, its key ("ipledge_2021") or its name; anything else is refused."""
    if isinstance(value, RuleSet):
        return value
    known = rule_sets()
    if isinstance(value, str):
        by_name = {rule_set.name: rule_set for rule_set in known.values()}
        if value in known or value in by_name:
            return known.get(value) or by_name[value]
    try:
        read_choice(value, field, list(known))
    except CourseInputError as error:
        raise RuleSetError(field, value, error.allowed, message=str(error)) from None
    raise AssertionError(value)  # read_choice accepts only known keys, which returned above


def programme_of(value: object, field: str = "programme") -> str:
    """The programme meant by ``value``: a programme ("ipledge", "eu", "uk"), a rule set, or a rule set's key or name."""
    if isinstance(value, str) and value in PROGRAMMES:
        return value
    if isinstance(value, RuleSet):
        return value.programme
    if isinstance(value, str) and (value in rule_sets() or value in {rule_set.name for rule_set in rule_sets().values()}):
        return resolve_rule_set(value).programme
    try:
        return read_choice(value, field, PROGRAMMES)
    except CourseInputError as error:
        raise RuleSetError(field, value, error.allowed, message=f"{error}; a rule set's key or name is accepted too") from None


def rule_set_for(programme: object, day: object) -> RuleSet:
    """The rule set of a programme in force on ``day``.

    ``programme`` is a programme ("ipledge", "eu", "uk") or any rule set of it (the object, its key or its name);
    ``day`` is anything the course's date reader accepts (a date, a datetime or Timestamp, ISO text).
    """
    name = programme_of(programme)
    try:
        day = read_date(day, "day")
    except CourseInputError as error:
        raise RuleSetError("day", day, error.allowed, message=str(error)) from None
    candidates = [rule_set for rule_set in _course_rule_sets() if rule_set.programme == name and rule_set.applies_on(day)]
    if not candidates:
        first = min((rule_set.applies_from for rule_set in _course_rule_sets() if rule_set.programme == name), default=None)
        raise RuleSetError("day", day, f"a date from {first}",
                           message=f"no {name} rule set in this course applies on {day}" + (f"; the first starts on {first}" if first else ""))
    return candidates[-1]
