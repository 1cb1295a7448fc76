"""A dated rules engine for isotretinoin dispensing under a pregnancy risk-management programme.

Rule sets are content (``content/rule_sets/*.yml``, read by :mod:`isotretinoin_course.content.rule_sets`):
each is one programme's rules over a period, every rule with its source and how far it was verified. Given
a patient's timeline — category, pregnancy tests (with where each was done), contraceptive methods (by the
names of ``content/contraceptive_methods.yml``), prescriptions and collections — :func:`evaluate` returns
one decision per collection (its outcome: dispense, hold and query the prescriber, do not dispense, or not
judged; the rule that decides, a reason a student can read, notes, and the authorisation's last day to
dispense where the programme has one), the compliance gaps found in the timeline, and notes (a prescription
never collected).

``evaluate(timeline, "ipledge")`` judges each collection under the iPLEDGE set in force that day, and says
where a verdict under a set whose start is not confirmed (the 2026 modification) would differ under the set
before it; ``evaluate(timeline, "ipledge_2021")`` (or the rule set itself) judges every collection under that
one set and does not judge collections outside its dates. ``evaluate(..., dispensed=True)`` audits a log of
collections that happened. A timeline that cannot be judged — a method the programme's list does not know,
abstinence recorded beside a method for the same days, a UK patient under a US rule set — is refused with a
:class:`TimelineError` naming the patient, the entry and the field.

Contraception is judged period by period: before the first supply, the month before it; at each later supply,
the days since the previous one; after the course, the last supply to a month after the last dose, each day
under the rule set in force that day. A lapse that has ended is recorded once as a gap; it stops a supply only
while it goes on, or until a negative test done after it (the course's convention, said in the rules).

This is a teaching model of the programmes' main checks, not an implementation of any official system:
each rule set lists what it requires that the engine does not check (``RuleSet.not_modelled``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..core.inputs import checked_arguments
from ..content.contraception import Method, contraceptive_methods, find_method
from ..content.programmes import programme as programme_info
from ..content.programmes import setting_words
from ..content.rule_sets import CATEGORIES, PROGRAMMES, SETTINGS, RuleSet, RuleSetError, programme_of, resolve_rule_set, rule_set_for, rule_sets
from ..content.ranges import read_plausible
from ..core.errors import CourseInputError
from ..core.inputs import read_bool, read_choice, read_date, read_instance, read_mapping, read_number, read_sequence, read_text

DAY = dt.timedelta(days=1)


class TimelineError(CourseInputError):
    """A patient timeline that cannot be evaluated (out of order, unknown category or method, wrong programme, missing fields)."""


# --------------------------------------------------------------------------- timelines


# The entries of a timeline read their fields when they are made: a date may be given as a date, a datetime or
# Timestamp, or ISO text; a whole number as a number or text ("30"); text such as "no" is never a boolean.
def _date_field(entry: object, name: str, optional: bool = False) -> None:
    object.__setattr__(entry, name, read_date(getattr(entry, name), name, optional=optional, error=TimelineError))


def _whole_field(entry: object, name: str, minimum: int, maximum: int) -> None:
    object.__setattr__(entry, name, read_number(getattr(entry, name), name, minimum=minimum, maximum=maximum, integer=True, error=TimelineError))


@dataclass(frozen=True)
class PregnancyTest:
    date: dt.date
    result: str  # "negative" / "positive"
    setting: str = "lab"  # "lab", "office", "home", "remote" (supervised at a distance)

    def __post_init__(self) -> None:
        _date_field(self, "date")
        read_choice(self.result, "result", ("negative", "positive"), error=TimelineError)
        read_choice(self.setting, "setting", SETTINGS, error=TimelineError)


@dataclass(frozen=True)
class Contraception:
    """A method (or continuous abstinence) in use from ``start`` to ``end`` (both included; ``None``: still in use)."""

    method: str
    start: dt.date
    end: dt.date | None = None

    def __post_init__(self) -> None:
        read_text(self.method, "method", empty=False, max_length=200, error=TimelineError)
        _date_field(self, "start")
        _date_field(self, "end", optional=True)


@dataclass(frozen=True)
class Prescription:
    date: dt.date
    days_supply: int
    refills: int = 0
    authorised: dt.date | None = None  # the day the pharmacy obtained an authorisation, if recorded
    authorisation_reversed: dt.date | None = None  # the day the pharmacy reversed it, if it did

    def __post_init__(self) -> None:
        _date_field(self, "date")
        object.__setattr__(self, "days_supply", int(read_plausible(self.days_supply, "days_supply", "course_days", integer=True, error=TimelineError)))
        _whole_field(self, "refills", 0, MAX_REFILLS)
        _date_field(self, "authorised", optional=True)
        _date_field(self, "authorisation_reversed", optional=True)


@dataclass(frozen=True)
class Pickup:
    """An attempt to collect the prescription written on ``prescription_date``."""

    prescription_date: dt.date
    date: dt.date

    def __post_init__(self) -> None:
        _date_field(self, "prescription_date")
        _date_field(self, "date")


@dataclass
class Timeline:
    patient_id: str
    category: str
    pregnancy_tests: list[PregnancyTest] = field(default_factory=list)
    contraception: list[Contraception] = field(default_factory=list)
    prescriptions: list[Prescription] = field(default_factory=list)
    pickups: list[Pickup] = field(default_factory=list)
    programme: str | None = None  # "ipledge", "eu", "uk"; None: judged under whichever rule set is given
    registered: bool = True  # enrolled in the programme's registry, where it has one (iPLEDGE)
    risk_acknowledgement: dt.date | None = None  # the day a risk form was completed (the UK's Acknowledgement of Risk Form)

    def __post_init__(self) -> None:
        who = self.patient_id if isinstance(self.patient_id, str) and self.patient_id.strip() else "(no patient id)"
        try:
            self.patient_id = read_text(self.patient_id, "patient_id", empty=False, max_length=100, error=TimelineError)
            self.category = read_choice(self.category, "category", CATEGORIES, error=TimelineError)
            for name, kind in _ENTRIES.items():
                setattr(self, name, read_sequence(getattr(self, name), name, lambda entry, where, kind=kind: read_instance(
                    entry, where, kind, f"a {kind.__name__}", error=TimelineError), error=TimelineError))
            if self.programme is not None:
                self.programme = read_choice(self.programme, "programme", PROGRAMMES, error=TimelineError)
            self.registered = read_bool(self.registered, "registered", error=TimelineError)
            self.risk_acknowledgement = read_date(self.risk_acknowledgement, "risk_acknowledgement", optional=True, error=TimelineError)
        except TimelineError as error:
            raise _in_timeline(who, "the timeline", error) from None


def _in_timeline(who: str, where: str, error: CourseInputError) -> TimelineError:
    """``error`` (a field of a timeline or of one of its entries) reworded to name the patient and the entry too."""
    problem = str(error)
    if error.field and problem.startswith(f"{error.field}: "):
        problem = problem[len(error.field) + 2:]
    elif error.field and problem.startswith(error.field):
        problem = problem[len(error.field):].lstrip()
    return TimelineError(error.field or where, error.value, error.allowed,
                         message=f"{who}: {where}, field '{error.field}': {problem}" if error.field else f"{who}: {where}: {problem}")


_ENTRIES = {"pregnancy_tests": PregnancyTest, "contraception": Contraception, "prescriptions": Prescription, "pickups": Pickup}
MAX_REFILLS = 12  # more refills than months in a year is a slip; the rules refuse any refill where they forbid them


TIMELINE_FIELDS = ("patient_id", "category", "pregnancy_tests", "contraception", "prescriptions", "pickups")


@checked_arguments
def timeline_from_dict(data: dict) -> Timeline:
    """Build a timeline from plain data (e.g. JSON or YAML), naming any missing field or malformed entry."""
    data = read_mapping(data, "timeline", what=f"a mapping with the fields {', '.join(TIMELINE_FIELDS)}", error=TimelineError)
    who = data.get("patient_id") if isinstance(data.get("patient_id"), str) and data["patient_id"].strip() else "(no patient id)"
    missing = [name for name in TIMELINE_FIELDS if name not in data]
    if missing:
        raise TimelineError("timeline", sorted(data, key=str), f"the fields {', '.join(TIMELINE_FIELDS)}", message=f"{who}: missing field(s) {missing}")

    def entries(name: str, kind: type, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> list:
        made = []
        for number, entry in enumerate(read_sequence(data[name], f"{who}: {name}", error=TimelineError), 1):
            where = f"{who}: {name} entry {number}"
            entry = read_mapping(entry, where, keys=keys, what=f"a mapping with {', '.join(keys)}", error=TimelineError)
            try:
                made.append(kind(**{key: entry[key] for key in keys}, **{key: entry[key] for key in optional if key in entry}))
            except CourseInputError as error:
                raise TimelineError(f"{where}, field '{error.field}'", error.value, error.allowed, message=f"{where}: {error}") from None
        return made

    try:
        return Timeline(
            patient_id=data["patient_id"],
            category=data["category"],
            pregnancy_tests=entries("pregnancy_tests", PregnancyTest, ("date", "result"), ("setting",)),
            contraception=entries("contraception", Contraception, ("method", "start"), ("end",)),
            prescriptions=entries("prescriptions", Prescription, ("date", "days_supply"), ("refills", "authorised", "authorisation_reversed")),
            pickups=entries("pickups", Pickup, ("prescription_date", "date")),
            programme=data.get("programme"),
            registered=data.get("registered", True),
            risk_acknowledgement=data.get("risk_acknowledgement"),
        )
    except TimelineError as error:
        if error.field and error.field.startswith(who):
            raise
        raise TimelineError(f"{who}: {error.field}", error.value, error.allowed, message=f"{who}: {error}") from None


def _refuse(who: str, where: str, field_name: str, value: object, allowed: str, problem: str) -> TimelineError:
    return TimelineError(field_name, value, allowed, message=f"{who}: {where}, field '{field_name}': {problem}")


def _methods(timeline: Timeline, who: str, programme: str | None = None) -> list[Method]:
    """Each contraception entry's method, found in the course's list; an unknown name is refused naming the entry."""
    found = []
    listed = f"the {programme_info(programme).name} method list the course holds" if programme else "the course's method lists"
    for number, entry in enumerate(timeline.contraception, 1):
        try:
            found.append(find_method(entry.method, "method"))
        except CourseInputError as error:
            problem = str(error).removeprefix("method: ").replace("is not a contraceptive method in the course's list", f"is not a method in {listed}")
            raise _refuse(who, f"contraception entry {number}", "method", entry.method, "a method in contraceptive_methods.yml", problem) from None
    return found


def _read_again(timeline: Timeline) -> Timeline:
    """The timeline with every field and entry read again, as when it was made: code may have changed a field since."""
    who = timeline.patient_id if isinstance(timeline.patient_id, str) and timeline.patient_id.strip() else "(no patient id)"
    where = "the timeline"
    try:
        fields = {item.name: getattr(timeline, item.name) for item in dataclasses.fields(Timeline)}
        for name in _ENTRIES:
            value = fields[name]
            if isinstance(value, (list, tuple)):
                rebuilt = []
                for number, entry in enumerate(value, 1):
                    where = f"{name} entry {number}"
                    rebuilt.append(type(entry)(**{item.name: getattr(entry, item.name) for item in dataclasses.fields(entry)})
                                   if dataclasses.is_dataclass(entry) else entry)
                fields[name] = rebuilt
        where = "the timeline"
        return Timeline(**fields)
    except TimelineError as error:
        raise TimelineError(f"{who}: {where}, field '{error.field}'", error.value, error.allowed, message=f"{who}: {where}: {error}") from None


@checked_arguments
def validate_timeline(timeline: Timeline, programme: str | None = None) -> Timeline:
    """Refuse a timeline that cannot be judged, naming the patient, the entry and the field; return it as read.

    With ``programme``, the timeline must belong to it (a UK patient is never judged under a US rule set).
    """
    timeline = _read_again(read_instance(timeline, "timeline", Timeline, "a Timeline", error=TimelineError))
    if programme is not None:
        programme = read_choice(programme, "programme", PROGRAMMES, error=TimelineError)
    who = timeline.patient_id
    if timeline.category not in CATEGORIES:
        raise _refuse(who, "the timeline", "category", timeline.category, f"one of {CATEGORIES}", f"unknown category {timeline.category!r}; expected one of {CATEGORIES}")
    if timeline.programme is not None and timeline.programme not in PROGRAMMES:
        raise _refuse(who, "the timeline", "programme", timeline.programme, f"one of {PROGRAMMES}", f"unknown programme {timeline.programme!r}; expected one of {PROGRAMMES}")
    if programme is not None and timeline.programme is not None and timeline.programme != programme:
        raise _refuse(who, "the timeline", "programme", timeline.programme, f"a {timeline.programme} rule set",
                      f"this is a patient of the {programme_info(timeline.programme).name} ({programme_info(timeline.programme).region}); "
                      f"a rule set of the {programme_info(programme).name} ({programme_info(programme).region}) cannot judge them. "
                      f"Judge them under their own programme's rules, e.g. evaluate(timeline, {timeline.programme!r})")
    if not isinstance(timeline.registered, bool):
        raise _refuse(who, "the timeline", "registered", timeline.registered, "True or False", f"expected True or False, got {timeline.registered!r}")
    if timeline.risk_acknowledgement is not None and not isinstance(timeline.risk_acknowledgement, dt.date):
        raise _refuse(who, "the timeline", "risk_acknowledgement", timeline.risk_acknowledgement, "a date", f"{timeline.risk_acknowledgement!r} is not a date")
    for name, entries, attribute in (("pregnancy test", timeline.pregnancy_tests, "date"), ("prescription", timeline.prescriptions, "date"),
                                     ("pick-up", timeline.pickups, "date")):
        for number, entry in enumerate(entries, 1):
            if not isinstance(getattr(entry, attribute), dt.date):
                raise _refuse(who, f"{name} {number}", attribute, getattr(entry, attribute), "a date", f"{getattr(entry, attribute)!r} is not a date")
        dates = [getattr(entry, attribute) for entry in entries]
        for number, (earlier, later) in enumerate(zip(dates, dates[1:]), 2):
            if later < earlier:
                raise _refuse(who, f"{name} {number}", attribute, later, f"a date from {earlier}", f"{name}s are out of order ({later} comes after {earlier})")
    for number, test in enumerate(timeline.pregnancy_tests, 1):
        if test.result not in ("negative", "positive"):
            raise _refuse(who, f"pregnancy test {number} ({test.date})", "result", test.result, "'negative' or 'positive'", f"result must be 'negative' or 'positive', got {test.result!r}")
        if test.setting not in SETTINGS:
            raise _refuse(who, f"pregnancy test {number} ({test.date})", "setting", test.setting, f"one of {SETTINGS}", f"setting must be one of {', '.join(SETTINGS)}, got {test.setting!r}")
    for number, entry in enumerate(timeline.contraception, 1):
        for attribute in ("start", "end"):
            value = getattr(entry, attribute)
            if not isinstance(value, dt.date) and not (attribute == "end" and value is None):
                raise _refuse(who, f"contraception entry {number}", attribute, value, "a date", f"{value!r} is not a date")
        if entry.end is not None and entry.end < entry.start:
            raise _refuse(who, f"contraception entry {number} ({entry.method!r})", "end", entry.end, f"a date from {entry.start}",
                          f"it ends ({entry.end}) before it starts ({entry.start})")
    methods = _methods(timeline, who, programme or timeline.programme)
    for first, (method, entry) in enumerate(zip(methods, timeline.contraception), 1):
        for second, (other_method, other) in enumerate(zip(methods, timeline.contraception), 1):
            if second <= first or not (method.is_abstinence or other_method.is_abstinence):
                continue
            overlap_start, overlap_end = max(entry.start, other.start), min(entry.end or dt.date.max, other.end or dt.date.max)
            if overlap_start <= overlap_end:
                until = "onwards" if overlap_end == dt.date.max else f"to {overlap_end}"
                raise _refuse(who, f"contraception entries {first} ({entry.method!r}) and {second} ({other.method!r})", "start", other.start,
                              "periods that do not overlap",
                              f"abstinence and a contraceptive method are recorded for the same days (from {overlap_start} {until}); abstinence "
                              f"replaces contraception, so record it alone: end one entry before the other starts")
    prescribed: dict[dt.date, int] = {}
    for number, prescription in enumerate(timeline.prescriptions, 1):
        where = f"prescription {number} ({prescription.date})"
        if prescription.date in prescribed:
            raise _refuse(who, where, "date", prescription.date, "one prescription a day", f"prescription {prescribed[prescription.date]} has the same date")
        prescribed[prescription.date] = number
        if isinstance(prescription.days_supply, bool) or not isinstance(prescription.days_supply, int) or prescription.days_supply < 1:
            raise _refuse(who, where, "days_supply", prescription.days_supply, "a whole number of at least 1", f"days_supply must be a whole number of at least 1, got {prescription.days_supply!r}")
        if isinstance(prescription.refills, bool) or not isinstance(prescription.refills, int) or prescription.refills < 0:
            raise _refuse(who, where, "refills", prescription.refills, "a whole number of at least 0", f"refills must be a whole number of at least 0, got {prescription.refills!r}")
        if prescription.authorisation_reversed is not None and (prescription.authorised is None or prescription.authorisation_reversed < prescription.authorised):
            raise _refuse(who, where, "authorisation_reversed", prescription.authorisation_reversed, "a date on or after 'authorised'",
                          "a reversal needs an authorisation recorded on or before it")
    for number, pickup in enumerate(timeline.pickups, 1):
        if pickup.prescription_date not in prescribed:
            raise _refuse(who, f"pick-up {number} ({pickup.date})", "prescription_date", pickup.prescription_date, "the date of a prescription in the timeline",
                          f"pick-up on {pickup.date} refers to a prescription of {pickup.prescription_date} that is not in the timeline")
        if pickup.date < pickup.prescription_date:
            raise _refuse(who, f"pick-up {number}", "date", pickup.date, f"a date from {pickup.prescription_date}",
                          f"pick-up on {pickup.date} is before its prescription of {pickup.prescription_date}")
    return timeline


# --------------------------------------------------------------------------- decisions

OUTCOMES = ("dispense", "query", "refuse", "not judged")
OUTCOME_WORDS = {"dispense": "dispense", "query": "hold and query the prescriber", "refuse": "do not dispense", "not judged": "not judged"}


@dataclass(frozen=True)
class Decision:
    """The verdict on one collection.

    ``allowed`` is True when no rule of the set forbids the supply. ``outcome`` says what the pharmacist does:
    "dispense"; "query" (no rule refuses it, but a required check is missing or out of date: hold the supply and
    query the prescriber first); "refuse"; or "not judged" (no rule set the course models governs that day, which is
    neither an approval nor a refusal).
    """

    date: dt.date
    prescription_date: dt.date
    allowed: bool
    rule: str
    reason: str
    rule_set: str  # the rule set's name
    rule_set_key: str = ""
    last_day_to_dispense: dt.date | None = None  # the authorisation's last day, where the programme has authorisations
    flags: tuple[str, ...] = ()  # notes shown with the verdict (a caveat on the source, a lapse recorded as a gap)
    window: tuple[dt.date, dt.date] | None = None  # the collection window this collection was judged against: first and last day
    outcome: str = ""  # one of OUTCOMES; by default "dispense" when allowed, else "refuse"

    def __post_init__(self) -> None:
        allowed = read_bool(self.allowed, "allowed", error=TimelineError)
        outcome = read_choice(self.outcome or ("dispense" if allowed else "refuse"), "outcome", OUTCOMES, error=TimelineError)
        if allowed != (outcome in ("dispense", "query")):
            raise TimelineError("outcome", outcome, f"an outcome that fits allowed={allowed}",
                                message=f"outcome: {outcome!r} does not fit allowed={allowed}; outcomes: {OUTCOMES}")
        for name in ("date", "prescription_date"):
            _date_field(self, name)
        _date_field(self, "last_day_to_dispense", optional=True)
        object.__setattr__(self, "outcome", outcome)


@dataclass(frozen=True)
class Gap:
    date: dt.date
    rule: str
    description: str


@dataclass(frozen=True)
class Evaluation:
    rule_set: RuleSet | None  # the one set given, or None when each date was judged under the set in force
    decisions: tuple[Decision, ...]
    gaps: tuple[Gap, ...]
    notes: tuple[Gap, ...] = ()  # events that are not violations: a prescription never collected
    programme: str = ""
    dispensed: bool = False  # True for an audit of a log: every collection happened, and the gaps say what it broke


def _words(settings: Iterable[str]) -> str:
    """Settings as words that follow "done": "in a laboratory or in the prescriber's clinic or office"."""
    words = [setting_words(setting) for setting in settings]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _contraception_problem(active: Sequence[tuple[Method, Contraception]], rule_set: RuleSet) -> str | None:
    """Why the methods in use fail the set's contraception rule, or None if they meet it."""
    rule = rule_set.contraception_rule()
    programme = rule["list"]
    methods = [method for method, _entry in active]
    if any(method.is_abstinence for method in methods):
        return None if rule_set.abstinence_accepted() else "continuous abstinence does not replace contraception under this rule set"
    counted = [method for method in methods if method.counts_in(programme)]
    for combination in rule["combinations"]:
        met = all((len(counted) if klass == "counted" else sum(method.classes[programme].klass == klass for method in counted)) >= number
                  for klass, number in combination["at_least"].items())
        if met and combination["complementary"]:
            met = len({method.works_by for method in counted}) >= combination["at_least"].get("counted", 2)
        if met:
            return None
    uncounted = [method.name for method in methods if not method.counts_in(programme)]
    listed = ", ".join(method.name for method in methods) or "no method"
    why = f"in use: {listed}" + (f" ({', '.join(repr(name) for name in uncounted)} does not count in this programme)" if uncounted else "")
    plain = contraceptive_methods().lists[programme].plain
    return f"{why}, which does not meet the rule: {plain[0].lower()}{plain[1:].rstrip('.')}"


@dataclass(frozen=True)
class _Lapse:
    """Days on which the methods in use failed the contraception rule: first and last day (within the span checked)."""

    start: dt.date
    end: dt.date
    problem: str


RuleSetOn = Callable[[dt.date], RuleSet | None]


def _lapses(timeline: Timeline, methods: Sequence[Method], start: dt.date, end: dt.date, rules_for: Callable[[dt.date], RuleSet],
            boundaries: Iterable[dt.date] = ()) -> list[_Lapse]:
    """Every stretch from ``start`` to ``end`` (both included) on which the methods in use fail the contraception rule
    of the set in force that day; ``boundaries`` are the days a new rule set starts."""
    entries = list(zip(methods, timeline.contraception))
    points = {start, end + DAY} | {day for day in boundaries if start < day <= end}
    for _method, entry in entries:
        points |= {day for day in (entry.start, (entry.end or dt.date.max - DAY) + DAY) if start < day <= end}
    ordered = sorted(points)
    found: list[_Lapse] = []
    for segment_start, next_start in zip(ordered, ordered[1:]):
        active = [(method, entry) for method, entry in entries if entry.start <= segment_start and (entry.end is None or entry.end >= next_start - DAY)]
        problem = _contraception_problem(active, rules_for(segment_start))
        if not problem:
            continue
        if found and found[-1].end + DAY == segment_start:  # the same lapse goes on (its first reason is kept)
            found[-1] = _Lapse(found[-1].start, next_start - DAY, found[-1].problem)
        else:
            found.append(_Lapse(segment_start, next_start - DAY, problem))
    return found


def _rules_on(rule_set: object) -> tuple[RuleSetOn, RuleSet | None, str]:
    """How to find the rules for a day: a fixed set (None outside its dates) or the programme's set in force."""
    if isinstance(rule_set, str) and rule_set in PROGRAMMES:
        programme = rule_set

        def in_force(day: dt.date) -> RuleSet | None:
            try:
                return rule_set_for(programme, day)
            except RuleSetError:
                return None
        return in_force, None, programme
    try:
        fixed = resolve_rule_set(rule_set)
    except RuleSetError as error:
        raise RuleSetError("rule set", rule_set, error.allowed,
                           message=f"{error}; or name a programme ({', '.join(PROGRAMMES)}) to use the set in force on each date") from None
    return (lambda day: fixed if fixed.applies_on(day) else None), fixed, fixed.programme


@dataclass
class _Course:
    """What the engine knows of the course so far, collection by collection."""

    first_dispense: dt.date | None = None
    last_dose: dt.date | None = None
    previous_supply: dt.date | None = None  # the last collection supplied (in an audit: the last one logged)
    lockout_until: dt.date | None = None
    reported_lapses: set[dt.date] = field(default_factory=set)  # first days of contraception lapses already recorded
    failing_on: set[dt.date] = field(default_factory=set)  # collection days on which contraception was found failing


@dataclass
class _Verdict:
    outcome: str
    rule: str
    reason: str
    last_day: dt.date | None = None
    flags: tuple[str, ...] = ()
    window: tuple[dt.date, dt.date] | None = None
    gaps: tuple[Gap, ...] = ()
    lockout_until: dt.date | None = None
    contraception_failing: bool = False  # contraception failed on the collection day itself


def _setting_caveat(rules: RuleSet, tests: Sequence[PregnancyTest], phase: str) -> str:
    """The set's caveat for a test that did not count because of where it was done (e.g. a 2022 home test), if any."""
    for test in tests:
        note = rules.setting_note(test.setting, phase)
        if note is not None:
            return note.plain
    return ""


def _verdict(timeline: Timeline, methods: Sequence[Method], prescription: Prescription, pickup: Pickup, rules: RuleSet,
             rules_for: Callable[[dt.date], RuleSet], boundaries: Sequence[dt.date], course: _Course, dispensed: bool) -> _Verdict:
    """Judge one collection under ``rules``, given what is known of the course so far."""
    category = timeline.category
    can_get_pregnant = category == "can_get_pregnant"
    notes: list[str] = []
    gaps: list[Gap] = []

    def refuse(rule: str, reason: str, **extra) -> _Verdict:
        return _Verdict("refuse", rule, reason, flags=tuple(notes), gaps=tuple(gaps), **extra)

    if rules.registration_required() and not timeline.registered:
        return refuse("registration", "the patient is not registered in the programme, so no authorisation can be given; every patient is "
                                      "registered, whatever their category")
    limit = rules.max_days_supply(category)
    if limit is not None and prescription.days_supply > limit:
        return refuse("supply limit", f"{prescription.days_supply} days prescribed; at most {limit} days may be dispensed at once")
    if prescription.refills and rules.refills_allowed(category) is False:
        return refuse("no refills", f"the prescription carries {prescription.refills} refill(s); refills are not allowed")
    acknowledgement = rules.risk_acknowledgement()
    if acknowledgement and category in acknowledgement[0] and course.first_dispense is None:
        form, updated_from = timeline.risk_acknowledgement, acknowledgement[1]
        if form is None or form > prescription.date:
            return refuse("risk acknowledgement form", f"no Acknowledgement of Risk Form is recorded on or before this prescription ({prescription.date}), the first "
                                                       "to be dispensed; "
                                                       "do not supply yet: contact the prescriber (the course's cautious choice)")
        if updated_from and prescription.date >= updated_from and form < updated_from:
            notes.append(f"the risk form recorded is dated {form}, before the updated form of {_day(updated_from)}; the MHRA allowed services time "
                         "to change over, so the course only suggests confirming with the prescriber that the updated form is used")

    window_test: PregnancyTest | None = None
    aside = ""  # a later test in a setting this set does not accept: named if the window refuses the supply
    query = ""  # why the pharmacist should hold the supply and query the prescriber (a check no rule makes a refusal)
    if can_get_pregnant:
        tests_so_far = [test for test in timeline.pregnancy_tests if test.date <= pickup.date]
        positives = [test for test in tests_so_far if test.result == "positive"]
        if positives:
            return refuse("positive pregnancy test", f"the pregnancy test of {positives[-1].date} was positive: isotretinoin must not be dispensed")
        negatives = [test for test in tests_so_far if test.result == "negative"]
        if course.lockout_until and pickup.date <= course.lockout_until:
            return refuse("lockout after a missed window",
                          f"the first collection window was missed; a new confirmation test and a collection must wait until after {course.lockout_until} "
                          f"({rules.lockout_days() or 'the'} days from the missed window's test)")
        if course.first_dispense is None:
            count, least_gap = rules.pretreatment_tests()
            accepted = rules.settings("confirmation")
            confirmations = [test for test in negatives if test.setting in accepted]
            if course.lockout_until and confirmations and confirmations[-1].date <= course.lockout_until:
                return refuse("lockout after a missed window",
                              f"after the missed first window, a new confirmation test is needed after {course.lockout_until}; the latest is from {confirmations[-1].date}")
            if negatives and negatives[-1].setting not in accepted and (not confirmations or negatives[-1].date > confirmations[-1].date):
                latest = negatives[-1]
                return refuse("pre-treatment pregnancy tests",
                              f"the latest test, of {latest.date}, was done {setting_words(latest.setting)}; before the first dose it must be done "
                              f"{_words(accepted)}" + (f" (the latest test done there is of {confirmations[-1].date})" if confirmations else ""))
            if not confirmations:
                return refuse("pre-treatment pregnancy tests",
                              f"{count} negative test(s) before the first dose are required, the last one done {_words(accepted)}; none is recorded")
            window_test = confirmations[-1]
            if count == 2:
                screenings = [test for test in negatives if test.setting in rules.settings("screening") and test.date < window_test.date]
                if not screenings:
                    return refuse("pre-treatment pregnancy tests",
                                  f"2 negative tests before the first dose are required: a screening test (done {_words(rules.settings('screening'))}) and, at "
                                  f"least {least_gap} days later, a confirmation test (done {_words(accepted)}); only one is recorded, of {window_test.date}")
                spread = (window_test.date - screenings[0].date).days
                if least_gap is not None and spread < least_gap:
                    return refuse("pre-treatment pregnancy tests",
                                  f"the confirmation test must come at least {least_gap} days after the screening test; they are {spread} days apart")
            within = rules.pretreatment_recency()
            age = (prescription.date - window_test.date).days
            if within is not None and not 0 <= age <= within:
                when = f"{age} days before" if age > 0 else f"{-age} day(s) after"
                query = (f"the test before the first dose, of {window_test.date}, was done {when} the first prescription ({prescription.date}); "
                         f"the course expects it on the day of the prescription or in the {within} days before")
        else:
            during = rules.settings("during")
            accepted_tests = [test for test in negatives if test.setting in during]
            window_test = accepted_tests[-1] if accepted_tests else None
            later = [test for test in negatives if test.setting not in during and (window_test is None or test.date > window_test.date)]
            not_counted = (f"the test of {later[-1].date} was done {setting_words(later[-1].setting)}, which does not count under this rule set"
                           if later else "")
            caveat = _setting_caveat(rules, later, "during")
            within, if_missing = rules.followup_test()
            if within is not None:
                if not any(0 <= (prescription.date - test.date).days <= within for test in accepted_tests):
                    problem = (f"no negative test done {_words(during)} on the day of the prescription ({prescription.date}) or in the {within} days before"
                               + (f" (the latest is of {window_test.date})" if window_test else "") + (f"; {not_counted}" if not_counted else ""))
                    if if_missing == "refuse":
                        return refuse("pregnancy test before prescribing", problem)
                    query = problem
            elif window_test is None:
                notes += [caveat] if caveat else []
                return refuse("monthly pregnancy test", f"no negative test done {_words(during)} before this collection" + (f"; {not_counted}" if not_counted else ""))
            elif not_counted:
                aside = not_counted
            if caveat and window_test is not None:
                notes.append(caveat)
        days_before, _after = rules.contraception_days()
        if course.first_dispense is None:
            needed_from = pickup.date - dt.timedelta(days=days_before)
            lapses = _lapses(timeline, methods, needed_from, pickup.date, rules_for, boundaries)
            if lapses:
                return refuse("contraception", f"contraception is needed from {needed_from} ({days_before} days before the first dose) to the day of the "
                                               f"first supply; from {lapses[0].start}: {lapses[0].problem}", contraception_failing=lapses[-1].end == pickup.date)
        else:
            start = course.previous_supply or course.first_dispense
            lapses = _lapses(timeline, methods, start, pickup.date, rules_for, boundaries)
            if lapses and lapses[-1].end == pickup.date:
                since = _lapses(timeline, methods, course.first_dispense - dt.timedelta(days=days_before), pickup.date, rules_for, boundaries)[-1].start
                return refuse("contraception", f"contraception has failed the rule since {since}, and still does on the day of this collection: "
                                               f"{lapses[-1].problem}", contraception_failing=True)
            during = rules.settings("during")
            for lapse in lapses:
                if lapse.start in course.reported_lapses or (lapse.start == start and start in course.failing_on):
                    continue  # already recorded, or the tail of a failure found at the previous collection
                after = [test for test in negatives if test.setting in during and test.date > lapse.end]
                if not after:
                    return refuse("contraception", f"contraception lapsed from {lapse.start} to {lapse.end} ({lapse.problem}); no negative test done "
                                                   f"{_words(during)} since it ended, so a pregnancy has not been ruled out (the course's convention)")
                course.reported_lapses.add(lapse.start)
                gaps.append(Gap(lapse.start, "contraception during treatment",
                                f"contraception lapsed from {lapse.start} to {lapse.end}: {lapse.problem}; a negative test of {after[0].date} was done "
                                "after it ended (the course's convention: a past lapse is a gap, not a bar to later supplies)"))
                notes.append(f"contraception lapsed from {lapse.start} to {lapse.end} and a negative test followed: recorded as a compliance gap")

    window = rules.pickup_window(category)
    window_note = "no collection window applies"
    last_day: dt.date | None = None
    span: tuple[dt.date, dt.date] | None = None
    if window is not None:
        if window.counted_from == "pregnancy_test" and can_get_pregnant:
            if window_test is None:
                return refuse("monthly pregnancy test", "no negative test in an accepted setting opens a collection window")
            start_day, anchor = window_test.date, f"the pregnancy test ({window_test.date})"
        else:
            start_day, anchor = prescription.date, f"the prescription ({prescription.date})"
        last_day = start_day + dt.timedelta(days=window.days - 1)  # day 1 is the start date, so a 7-day window ends on day 7
        span = (start_day, last_day)
        if pickup.date > last_day:
            lockout = None
            if can_get_pregnant and course.first_dispense is None and rules.lockout_days() and not dispensed:
                lockout = start_day + dt.timedelta(days=rules.lockout_days() - 1)
            return refuse("pick-up window", f"the {window.days}-day window from {anchor} ended on {last_day}" + (f"; {aside}" if aside else ""),
                          last_day=last_day if rules.authorisation() else None, window=span, lockout_until=lockout)
        window_note = f"within the {window.days}-day window from {anchor}, which ends {last_day}"
    authorisation = rules.authorisation()
    authorised_to = last_day if authorisation and authorisation["required"] else None
    if query:
        gaps.append(Gap(pickup.date, "pregnancy test before prescribing", query))
        return _Verdict("query", "pregnancy test before prescribing", f"{query}. No rule of this set refuses the supply, so hold it and query "
                        "the prescriber before supplying", authorised_to, tuple(notes), span, tuple(gaps))
    if aside:
        notes.insert(0, aside)
    in_place = ""
    if can_get_pregnant:
        abstinent = any(method.is_abstinence and entry.start <= pickup.date and (entry.end is None or entry.end >= pickup.date)
                        for method, entry in zip(methods, timeline.contraception))
        in_place = "; a negative test and " + ("a commitment to continuous abstinence" if abstinent else "contraception") + " in place"
    return _Verdict("dispense", "all checks passed", window_note + in_place, authorised_to, tuple(notes), span, tuple(gaps))


def _not_judged(pickup: Pickup, fixed: RuleSet | None, programme: str) -> tuple[str, str]:
    """The rule and reason for a collection no modelled rule set governs: neither approved nor refused."""
    if fixed is not None:
        return "outside this rule set", (f"{fixed.name} applies {fixed.period_words()}; a collection on {pickup.date} is outside it, so it is not "
                                         "judged under this set")
    starts = [rule_set.applies_from for rule_set in rule_sets().values() if rule_set.programme == programme]
    return "not modelled", (f"the course models the {programme_info(programme).name} from {_day(min(starts))}; a collection on {pickup.date} is "
                            "not judged (this is not a refusal, and not a gap in the patient's record)")


def _judge(timeline: Timeline, rules_on: RuleSetOn, fixed: RuleSet | None, programme: str, dispensed: bool) -> Evaluation:
    """Judge a timeline that :func:`validate_timeline` has read (``evaluate`` does so first)."""
    methods = _methods(timeline, timeline.patient_id, programme)
    prescriptions = {prescription.date: prescription for prescription in timeline.prescriptions}
    boundaries = sorted({rule_set.applies_from for rule_set in rule_sets().values() if rule_set.programme == programme})
    course = _Course()
    decisions: list[Decision] = []
    gaps: list[Gap] = []
    fallback: RuleSet | None = None
    for pickup in timeline.pickups:
        prescription = prescriptions[pickup.prescription_date]
        rules = rules_on(pickup.date)
        if rules is None:
            rule, reason = _not_judged(pickup, fixed, programme)
            decision = Decision(pickup.date, pickup.prescription_date, False, rule, reason, fixed.name if fixed else programme_info(programme).name,
                                fixed.key if fixed else "", outcome="not judged")
        else:
            fallback = fallback or rules
            verdict = _verdict(timeline, methods, prescription, pickup, rules, lambda day, rules=rules: rules_on(day) or rules, boundaries, course,
                               dispensed)
            decision = Decision(pickup.date, pickup.prescription_date, verdict.outcome in ("dispense", "query"), verdict.rule, verdict.reason, rules.name,
                                rules.key, verdict.last_day, verdict.flags, verdict.window, verdict.outcome)
            gaps.extend(verdict.gaps)
            if verdict.outcome == "refuse":
                gaps.append(Gap(pickup.date, verdict.rule, ("dispensed although " if dispensed else "dispensing refused: ") + verdict.reason))
            if verdict.contraception_failing:
                course.failing_on.add(pickup.date)
            course.lockout_until = verdict.lockout_until or course.lockout_until
        decisions.append(decision)
        if dispensed or decision.outcome in ("dispense", "query"):  # a held supply is taken as supplied once the prescriber has answered
            course.first_dispense = course.first_dispense or pickup.date
            course.previous_supply = pickup.date
            course.last_dose = max(course.last_dose or pickup.date, pickup.date + dt.timedelta(days=prescription.days_supply - 1))

    notes = _uncollected(timeline, rules_on, gaps)
    pregnant = any(test.result == "positive" for test in timeline.pregnancy_tests)
    if timeline.category == "can_get_pregnant" and course.last_dose is not None and not pregnant and fallback is not None:
        # after a positive test the course stops and the patient is referred, not followed up for tests
        gaps.extend(_after_the_course(timeline, methods, course, rules_on, rules_on(course.last_dose) or fallback, boundaries))
    return Evaluation(fixed, tuple(decisions), tuple(sorted(gaps, key=lambda gap: gap.date)), notes, programme, dispensed)


def _predecessor(rule_set: RuleSet) -> RuleSet | None:
    """The set of the same programme that ends the day before ``rule_set`` starts, kept in force with no end."""
    for other in rule_sets().values():
        if other.programme == rule_set.programme and other.applies_until == rule_set.applies_from - DAY:
            return dataclasses.replace(other, applies_until=None)
    return None


def _with_unconfirmed_dates(evaluation: Evaluation, timeline: Timeline, rules_on: RuleSetOn, programme: str) -> Evaluation:
    """Note on each verdict decided under a set whose start is not confirmed what the set before it would have decided,
    where the two differ (the 2026 iPLEDGE modification: scheduled for 8 August 2026, not confirmed)."""
    sets = rule_sets()
    assumed = {decision.rule_set_key for decision in evaluation.decisions
               if decision.rule_set_key in sets and not sets[decision.rule_set_key].date_detail.confirmed}
    replaced = {key: found for key in assumed if (found := _predecessor(sets[key])) is not None}
    if not replaced:
        return evaluation

    def as_if_not_started(day: dt.date) -> RuleSet | None:
        found = rules_on(day)
        return replaced.get(found.key, found) if found is not None else None

    other = _judge(timeline, as_if_not_started, None, programme, evaluation.dispensed)
    decisions = []
    for mine, theirs in zip(evaluation.decisions, other.decisions):
        if mine.rule_set_key in replaced and mine.outcome != theirs.outcome:
            assumed_set, earlier = sets[mine.rule_set_key], replaced[mine.rule_set_key]
            mine = dataclasses.replace(mine, flags=mine.flags + (
                f"this verdict comes from {assumed_set.short_name}, whose start on {_day(assumed_set.applies_from)} is scheduled, not confirmed; if the "
                f"{earlier.short_name} rules still applied, the verdict would be '{OUTCOME_WORDS[theirs.outcome]}' ({theirs.rule}: {theirs.reason})",))
        decisions.append(mine)
    return dataclasses.replace(evaluation, decisions=tuple(decisions))


@checked_arguments
def evaluate(timeline: Timeline, rule_set: RuleSet | str, *, dispensed: bool = False) -> Evaluation:
    """Judge every collection in order and list the compliance gaps and notes.

    ``rule_set`` is a rule set (the object, its key or its name): every collection is judged under it, and a
    collection outside its dates is not judged. Or it is a programme ("ipledge", "eu", "uk"): each collection is
    judged under that programme's set in force on its date, and a verdict under a set whose start is not confirmed
    says what the set before it would have decided, where that differs.

    With ``dispensed=True`` the timeline is a log of collections that happened (an audit): each counts as supplied
    whatever the verdict, and each refusal becomes a gap worded "dispensed although ...".
    """
    rules_on, fixed, programme = _rules_on(rule_set)
    timeline = validate_timeline(timeline, programme)
    dispensed = read_bool(dispensed, "dispensed", error=TimelineError)
    evaluation = _judge(timeline, rules_on, fixed, programme, dispensed)
    return evaluation if fixed is not None else _with_unconfirmed_dates(evaluation, timeline, rules_on, programme)


def _uncollected(timeline: Timeline, rules_on: RuleSetOn, gaps: list[Gap]) -> tuple[Gap, ...]:
    """Prescriptions nobody tried to collect: a note each, and a gap where an authorisation should have been reversed."""
    attempted = {pickup.prescription_date for pickup in timeline.pickups}
    notes = []
    for prescription in timeline.prescriptions:
        if prescription.date in attempted:
            continue
        notes.append(Gap(prescription.date, "prescription not collected", f"the prescription of {prescription.date} was never collected"))
        rules = rules_on(prescription.date)
        authorisation = rules.authorisation() if rules else None
        if authorisation and authorisation["reverse_if_not_collected"] and prescription.authorised and prescription.authorisation_reversed is None:
            assumed = "" if rules.date_detail.confirmed else f"; {rules.short_name}'s start, {_day(rules.applies_from)}, is scheduled, not confirmed"
            gaps.append(Gap(prescription.authorised, "authorisation not reversed",
                            f"the authorisation obtained on {prescription.authorised} for the prescription of {prescription.date} was not reversed, "
                            f"although the prescription was never collected ({rules.name}{assumed})"))
    return tuple(notes)


def _after_the_course(timeline: Timeline, methods: Sequence[Method], course: _Course, rules_on: RuleSetOn, rules: RuleSet,
                      boundaries: Sequence[dt.date]) -> list[Gap]:
    """Contraception from the last supply to a month after the last dose, the test at the end of the course and the one a month after.

    ``rules`` is the set in force on the last dose; each test is judged by the set in force on its own date.
    """
    gaps = []
    last_dose, start = course.last_dose, course.previous_supply
    assert last_dose is not None and start is not None
    _before, days_after = rules.contraception_days()
    needed_until = last_dose + dt.timedelta(days=days_after)
    for lapse in _lapses(timeline, methods, start, needed_until, lambda day: rules_on(day) or rules, boundaries):
        if lapse.start in course.reported_lapses or (lapse.start == start and start in course.failing_on):
            continue
        gaps.append(Gap(lapse.start, "contraception during treatment" if lapse.start <= last_dose else "contraception after treatment",
                        f"contraception is needed until {needed_until}, {days_after} days after the last dose ({last_dose}); from {lapse.start} to "
                        f"{lapse.end}: {lapse.problem}"))

    def accepted(test: PregnancyTest) -> bool:
        return test.result == "negative" and test.setting in (rules_on(test.date) or rules).settings("after")

    negatives = [test for test in timeline.pregnancy_tests if accepted(test)]
    refused_settings = [test for test in timeline.pregnancy_tests if test.result == "negative" and not accepted(test) and test.date >= start]
    caveat = _setting_caveat(rules, refused_settings, "after")
    within = rules.end_of_treatment_within_days()
    if within is not None and not any(abs((test.date - last_dose).days) <= within for test in negatives):
        gaps.append(Gap(last_dose, "pregnancy test at the end of the course",
                        f"a negative test done {_words(rules.settings('after'))} is due at the end of the course (within {within} days of the last dose, "
                        f"{last_dose}); none is recorded" + (f". Note: {caveat}" if caveat else "")))
    after = rules.post_treatment_test()
    if after is not None:
        due = last_dose + dt.timedelta(days=after[0])
        accepted_from = due - dt.timedelta(days=after[1])
        if not any(test.date >= accepted_from for test in negatives):
            gaps.append(Gap(due, "pregnancy test one month after the course",
                            f"a negative test done {_words(rules.settings('after'))} is due about {due}, {after[0]} days after the last dose "
                            f"({last_dose}; accepted from {accepted_from}); none is recorded" + (f". Note: {caveat}" if caveat else "")))
    return gaps


def _short_name(decision: Decision) -> str:
    found = rule_sets().get(decision.rule_set_key)
    if found is None:
        return decision.rule_set
    return found.short_name + ("" if found.date_detail.confirmed else ", start date assumed")


@checked_arguments
def explain(evaluation: Evaluation) -> str:
    """The decisions, gaps and notes as plain text, for notebooks and feedback."""
    evaluation = read_instance(evaluation, "evaluation", Evaluation, "an Evaluation (evaluate(timeline, rule_set))", error=TimelineError)
    if evaluation.rule_set is not None:
        lines = [f"Rule set: {evaluation.rule_set.name}, applies {evaluation.rule_set.period_words()}"]
    else:
        lines = [f"Programme: {programme_info(evaluation.programme).name}, each visit under the rule set in force that day"]
    if evaluation.dispensed:
        lines.append("Audit of a dispensing log: every collection below was dispensed.")
    for decision in evaluation.decisions:
        verdict = OUTCOME_WORDS[decision.outcome].upper()
        under = f" [{_short_name(decision)}]" if evaluation.rule_set is None and decision.rule_set_key else ""
        last = f" (authorisation: dispense by {decision.last_day_to_dispense})" if decision.allowed and decision.last_day_to_dispense else ""
        lines.append(f"{decision.date}: {verdict} — {decision.rule}: {decision.reason}{last}{under}")
        lines += [f"    note: {flag}" for flag in decision.flags]
    if evaluation.gaps:
        lines.append("Compliance gaps:")
        lines += [f"  {gap.date}: {gap.rule}: {gap.description}" for gap in evaluation.gaps]
    if evaluation.notes:
        lines.append("Notes:")
        lines += [f"  {note.date}: {note.description}" for note in evaluation.notes]
    return "\n".join(lines)


@checked_arguments
def as_patient_of(timeline: Timeline, programme: str, patient_id: str | None = None) -> Timeline:
    """The same record as a patient of another programme (a teaching comparison: one visit, three sets of rules)."""
    timeline = read_instance(timeline, "timeline", Timeline, "a Timeline", error=TimelineError)
    programme = programme_of(programme)
    if patient_id is not None:
        patient_id = read_text(patient_id, "patient_id", empty=False, max_length=100, error=TimelineError)
    return dataclasses.replace(timeline, programme=programme, patient_id=patient_id or timeline.patient_id)


@checked_arguments
def decisions_by_programme(timeline: Timeline, programmes: Sequence[str] = PROGRAMMES) -> dict[str, Evaluation | str]:
    """The same record judged under each programme's rules in force on each date; a programme that cannot judge
    it (no set on those dates, a method its list does not class) gives the reason instead of an evaluation."""
    timeline = read_instance(timeline, "timeline", Timeline, "a Timeline", error=TimelineError)
    programmes = read_sequence(programmes, "programmes", lambda item, where: read_choice(item, where, PROGRAMMES, error=TimelineError),
                               unique=True, error=TimelineError)
    result: dict[str, Evaluation | str] = {}
    for programme in programmes:
        try:
            result[programme] = evaluate(as_patient_of(timeline, programme), programme)
        except CourseInputError as error:
            result[programme] = str(error)
    return result
