"""A dated rules engine for isotretinoin dispensing under a pregnancy risk-management programme.

Rule sets are content (``content/rule_sets/*.yml``, read by :mod:`isotretinoin_course.content.rule_sets`):
each is one programme's rules over a period, every rule with its source and how far it was verified. Given
a patient's timeline — category, pregnancy tests (with where each was done), contraceptive methods (by the
names of ``content/contraceptive_methods.yml``), prescriptions and collections — :func:`evaluate` returns
one decision per collection (dispense or not, the rule that decides, a reason a student can read, and the
authorisation's last day to dispense where the programme has one), the compliance gaps found in the
timeline, and notes (a prescription never collected).

``evaluate(timeline, "ipledge")`` judges each collection under the iPLEDGE set in force that day;
``evaluate(timeline, "ipledge_2021")`` (or the rule set itself) judges every collection under that one set
and refuses collections outside its dates. A timeline that cannot be judged — a method the programme's
list does not know, abstinence recorded beside a method for the same days, a UK patient under a US rule
set — is refused with a :class:`TimelineError` naming the patient, the entry and the field.

This is a teaching model of the programmes' main checks, not an implementation of any official system:
each rule set lists what it requires that the engine does not check (``RuleSet.not_modelled``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..content.contraception import Method, contraceptive_methods, find_method
from ..content.programmes import programme as programme_info
from ..content.programmes import setting_words
from ..content.rule_sets import CATEGORIES, PROGRAMMES, SETTINGS, RuleSet, RuleSetError, programme_of, resolve_rule_set, rule_set_for, rule_sets
from ..core.errors import CourseInputError
from ..core.inputs import read_date

DAY = dt.timedelta(days=1)


class TimelineError(CourseInputError):
    """A patient timeline that cannot be evaluated (out of order, unknown category or method, wrong programme, missing fields)."""


# --------------------------------------------------------------------------- timelines


@dataclass(frozen=True)
class PregnancyTest:
    date: dt.date
    result: str  # "negative" / "positive"
    setting: str = "lab"  # "lab", "office", "home", "remote" (supervised at a distance)


@dataclass(frozen=True)
class Contraception:
    """A method (or continuous abstinence) in use from ``start`` to ``end`` (both included; ``None``: still in use)."""

    method: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class Prescription:
    date: dt.date
    days_supply: int
    refills: int = 0
    authorised: dt.date | None = None  # the day the pharmacy obtained an authorisation, if recorded
    authorisation_reversed: dt.date | None = None  # the day the pharmacy reversed it, if it did


@dataclass(frozen=True)
class Pickup:
    """An attempt to collect the prescription written on ``prescription_date``."""

    prescription_date: dt.date
    date: dt.date


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


TIMELINE_FIELDS = ("patient_id", "category", "pregnancy_tests", "contraception", "prescriptions", "pickups")


def timeline_from_dict(data: dict) -> Timeline:
    """Build a timeline from plain data (e.g. JSON or YAML), naming any missing field or malformed entry."""
    if not isinstance(data, dict):
        raise TimelineError(f"a timeline must be a mapping with the fields {TIMELINE_FIELDS}")
    who = data.get("patient_id", "(no patient id)")
    missing = [name for name in TIMELINE_FIELDS if name not in data]
    if missing:
        raise TimelineError(f"{who}: missing field(s) {missing}")

    def day(value, where: str) -> dt.date | None:
        try:
            return read_date(value, f"{who}: {where}", optional=True)
        except CourseInputError as error:
            raise TimelineError(str(error)) from None

    def items(name: str, keys: tuple[str, ...]):
        for number, entry in enumerate(data[name], 1):
            absent = [key for key in keys if key not in entry]
            if absent:
                raise TimelineError(f"{who}: {name} entry {number}: missing {absent}")
            yield number, entry

    def whole(value, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TimelineError(where, value, "a whole number", message=f"{who}: {where}: expected a whole number, got {value!r}")
        return value

    return Timeline(
        patient_id=str(data["patient_id"]),
        category=str(data["category"]),
        pregnancy_tests=[PregnancyTest(day(e["date"], f"pregnancy test {n}"), e["result"], e.get("setting", "lab")) for n, e in items("pregnancy_tests", ("date", "result"))],
        contraception=[Contraception(e["method"], day(e["start"], f"contraception {n} start"), day(e.get("end"), f"contraception {n} end")) for n, e in items("contraception", ("method", "start"))],
        prescriptions=[Prescription(day(e["date"], f"prescription {n}"), whole(e["days_supply"], f"prescription {n} days_supply"), whole(e.get("refills", 0), f"prescription {n} refills"),
                                    day(e.get("authorised"), f"prescription {n} authorised"), day(e.get("authorisation_reversed"), f"prescription {n} authorisation_reversed"))
                       for n, e in items("prescriptions", ("date", "days_supply"))],
        pickups=[Pickup(day(e["prescription_date"], f"pick-up {n}"), day(e["date"], f"pick-up {n}")) for n, e in items("pickups", ("prescription_date", "date"))],
        programme=data.get("programme"),
        registered=data.get("registered", True),
        risk_acknowledgement=day(data.get("risk_acknowledgement"), "risk_acknowledgement"),
    )


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


def validate_timeline(timeline: Timeline, programme: str | None = None) -> None:
    """Refuse a timeline that cannot be judged, naming the patient, the entry and the field.

    With ``programme``, the timeline must belong to it (a UK patient is never judged under a US rule set).
    """
    who = timeline.patient_id or "(no patient id)"
    if not timeline.patient_id:
        raise TimelineError("patient_id", timeline.patient_id, "an identifier", message="the timeline has no patient_id")
    if timeline.category not in CATEGORIES:
        raise _refuse(who, "the timeline", "category", timeline.category, f"one of {CATEGORIES}", f"unknown category {timeline.category!r}; expected one of {CATEGORIES}")
    if timeline.programme is not None and timeline.programme not in PROGRAMMES:
        raise _refuse(who, "the timeline", "programme", timeline.programme, f"one of {PROGRAMMES}", f"unknown programme {timeline.programme!r}; expected one of {PROGRAMMES}")
    if programme is not None and timeline.programme is not None and timeline.programme != programme:
        raise _refuse(who, "the timeline", "programme", timeline.programme, f"a {timeline.programme} rule set",
                      f"this is a patient of the {programme_info(timeline.programme).name} ({programme_info(timeline.programme).region}); "
                      f"a rule set of the {programme_info(programme).name} ({programme_info(programme).region}) cannot judge them. "
                      f"Use a {timeline.programme} rule set, e.g. rule_set_for({timeline.programme!r}, day)")
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


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Decision:
    date: dt.date
    prescription_date: dt.date
    allowed: bool
    rule: str
    reason: str
    rule_set: str  # the rule set's name
    rule_set_key: str = ""
    last_day_to_dispense: dt.date | None = None  # the authorisation's last day, where the programme has authorisations
    flags: tuple[str, ...] = ()  # concerns that do not stop this supply (e.g. an EU follow-up test missing)
    window: tuple[dt.date, dt.date] | None = None  # the collection window this collection was judged against: first and last day


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


def _words(settings: Iterable[str]) -> str:
    return " or ".join(setting_words(setting) for setting in settings)


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
    listed = ", ".join(method.name for method in methods) or "none"
    why = f"in use: {listed}" + (f" ({', '.join(repr(name) for name in uncounted)} does not count in this programme)" if uncounted else "")
    return f"{contraceptive_methods().lists[programme].plain[0].lower()}{contraceptive_methods().lists[programme].plain[1:].rstrip('.')}; {why}"


def _contraception_failure(timeline: Timeline, methods: Sequence[Method], start: dt.date, end: dt.date,
                           rule_set: RuleSet) -> tuple[dt.date, str] | None:
    """The first day from ``start`` to ``end`` on which the methods in use fail the rule, with why; None if every day passes."""
    entries = list(zip(methods, timeline.contraception))
    points = {start, end + DAY}
    for _method, entry in entries:
        points |= {day for day in (entry.start, (entry.end or dt.date.max - DAY) + DAY) if start < day <= end}
    ordered = sorted(points)
    for segment_start, next_start in zip(ordered, ordered[1:]):
        active = [(method, entry) for method, entry in entries if entry.start <= segment_start and (entry.end is None or entry.end >= next_start - DAY)]
        problem = _contraception_problem(active, rule_set)
        if problem:
            return segment_start, problem
    return None


RuleSetOn = Callable[[dt.date], RuleSet | None]


def _rules_on(rule_set: object) -> tuple[RuleSetOn, RuleSet | None, str]:
    """How to find the rules for a day: a fixed set (refusing days outside it) or the programme's set in force."""
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


def evaluate(timeline: Timeline, rule_set: RuleSet | str) -> Evaluation:
    """Judge every collection in order and list the compliance gaps and notes.

    ``rule_set`` is a rule set (the object, its key or its name): every collection is judged under it, and a
    collection outside its dates is refused. Or it is a programme ("ipledge", "eu", "uk"): each collection is
    judged under that programme's set in force on its date.
    """
    rules_on, fixed, programme = _rules_on(rule_set)
    validate_timeline(timeline, programme)
    methods = _methods(timeline, timeline.patient_id, programme)
    prescriptions = {prescription.date: prescription for prescription in timeline.prescriptions}
    category = timeline.category
    can_get_pregnant = category == "can_get_pregnant"
    decisions: list[Decision] = []
    gaps: list[Gap] = []
    first_dispense: dt.date | None = None
    last_dose: dt.date | None = None
    lockout_until: dt.date | None = None

    for pickup in timeline.pickups:
        prescription = prescriptions[pickup.prescription_date]
        rules = rules_on(pickup.date)

        def decide(allowed: bool, rule: str, reason: str, last_day: dt.date | None = None, flags: tuple[str, ...] = (), window_days=None,
                   rules=rules, pickup=pickup) -> None:
            decisions.append(Decision(pickup.date, pickup.prescription_date, allowed, rule, reason, rules.name if rules else (fixed.name if fixed else programme),
                                      rules.key if rules else (fixed.key if fixed else ""), last_day, flags, window_days))

        if rules is None:
            if fixed is not None:
                decide(False, "rule set in force", f"{fixed.name} applies {fixed.period_words()}; it does not govern a collection on {pickup.date}")
            else:
                decide(False, "rule set in force", f"no {programme} rule set in this course applies on {pickup.date}")
            continue
        if rules.registration_required() and not timeline.registered:
            decide(False, "registration", "the patient is not registered in the programme, so no authorisation can be given; every patient is registered, "
                                          "whatever their category")
            continue
        limit = rules.max_days_supply(category)
        if limit is not None and prescription.days_supply > limit:
            decide(False, "supply limit", f"{prescription.days_supply} days prescribed; at most {limit} days may be dispensed at once")
            continue
        if prescription.refills and rules.refills_allowed(category) is False:
            decide(False, "no refills", f"the prescription carries {prescription.refills} refill(s); refills are not allowed")
            continue
        acknowledgement = rules.risk_acknowledgement()
        if acknowledgement and category in acknowledgement[0] and first_dispense is None:
            form, updated_from = timeline.risk_acknowledgement, acknowledgement[1]
            if form is None or form > prescription.date:
                decide(False, "risk acknowledgement form", f"no Acknowledgement of Risk Form is recorded on or before the first prescription ({prescription.date}); "
                                                           "hold the supply and contact the prescriber")
                continue
            if updated_from and prescription.date >= updated_from and form < updated_from:
                decide(False, "risk acknowledgement form", f"the form was completed on {form}, before the updated form of {updated_from} that a course "
                                                           "starting from that day should use; contact the prescriber")
                continue

        window_test: PregnancyTest | None = None
        flagged = ""  # a concern that does not stop this supply but is a compliance gap (an EU/UK follow-up test)
        aside = ""  # a fact worth showing with the decision (a later test in a setting this set does not accept)
        if can_get_pregnant:
            tests_so_far = [test for test in timeline.pregnancy_tests if test.date <= pickup.date]
            positives = [test for test in tests_so_far if test.result == "positive"]
            if positives:
                decide(False, "positive pregnancy test", f"the pregnancy test of {positives[-1].date} was positive: isotretinoin must not be dispensed")
                continue
            negatives = [test for test in tests_so_far if test.result == "negative"]
            if lockout_until and pickup.date <= lockout_until:
                decide(False, "lockout after a missed window",
                       f"the first collection window was missed; a new confirmation test and a collection must wait until after {lockout_until} "
                       f"({rules.lockout_days() or 'the'} days from the missed window's test)")
                continue
            if first_dispense is None:
                count, least_gap = rules.pretreatment_tests()
                confirmations = [test for test in negatives if test.setting in rules.settings("confirmation")]
                if lockout_until and confirmations and confirmations[-1].date <= lockout_until:
                    decide(False, "lockout after a missed window",
                           f"after the missed first window, a new confirmation test is needed after {lockout_until}; the latest is from {confirmations[-1].date}")
                    continue
                if not confirmations:
                    decide(False, "pre-treatment pregnancy tests",
                           f"{count} negative test(s) before the first dose are required, the last done in {_words(rules.settings('confirmation'))}; none found"
                           + (f" (a test of {negatives[-1].date} was done {setting_words(negatives[-1].setting)}, which does not count here)" if negatives else ""))
                    continue
                window_test = confirmations[-1]
                if count == 2:
                    screenings = [test for test in negatives if test.setting in rules.settings("screening") and test.date < window_test.date]
                    if not screenings:
                        decide(False, "pre-treatment pregnancy tests",
                               f"2 negative tests before the first dose are required: a screening test ({_words(rules.settings('screening'))}) and, at least "
                               f"{least_gap} days later, a confirmation test ({_words(rules.settings('confirmation'))}); only the confirmation test of {window_test.date} counts")
                        continue
                    spread = (window_test.date - screenings[0].date).days
                    if least_gap is not None and spread < least_gap:
                        decide(False, "pre-treatment pregnancy tests",
                               f"the confirmation test must come at least {least_gap} days after the screening test; they are {spread} days apart")
                        continue
            else:
                accepted = [test for test in negatives if test.setting in rules.settings("during")]
                window_test = accepted[-1] if accepted else None
                later = [test for test in negatives if test.setting not in rules.settings("during") and (window_test is None or test.date > window_test.date)]
                within, if_missing = rules.followup_test()
                if within is not None:
                    fits = [test for test in accepted if 0 <= (prescription.date - test.date).days <= within]
                    if not fits:
                        problem = (f"no negative test in {_words(rules.settings('during'))} on the day of the prescription of {prescription.date} or in the "
                                   f"{within} days before" + (f" (latest accepted: {window_test.date})" if window_test else "")
                                   + (f"; the test of {later[-1].date} was done {setting_words(later[-1].setting)}, which does not count" if later else ""))
                        if if_missing == "refuse":
                            decide(False, "pregnancy test before prescribing", problem)
                            continue
                        flagged = f"{problem}; testing is ideally monthly and local practice decides, so query it with the prescriber"
                elif window_test is None:
                    decide(False, "monthly pregnancy test", f"no negative test in {_words(rules.settings('during'))} before this collection"
                           + (f"; the test of {later[-1].date} was done {setting_words(later[-1].setting)}, which does not count under this rule set" if later else ""))
                    continue
                if later and within is None:
                    aside = f"the test of {later[-1].date} was done {setting_words(later[-1].setting)}, which does not count under this rule set"
            days_before, _after = rules.contraception_days()
            needed_from = (first_dispense or pickup.date) - dt.timedelta(days=days_before)
            failure = _contraception_failure(timeline, methods, needed_from, pickup.date, rules)
            if failure:
                day, problem = failure
                decide(False, "contraception", f"contraception is needed from {needed_from} ({days_before} days before the first dose) to today; "
                                               f"from {day}: {problem}")
                continue

        window = rules.pickup_window(category)
        window_note = "no collection window applies"
        last_day: dt.date | None = None
        if window is not None:
            if window.counted_from == "pregnancy_test" and can_get_pregnant:
                if window_test is None:
                    decide(False, "monthly pregnancy test", "no negative test in an accepted setting opens a collection window")
                    continue
                start, anchor = window_test.date, f"the pregnancy test ({window_test.date})"
            else:
                start, anchor = prescription.date, f"the prescription ({prescription.date})"
            last_day = start + dt.timedelta(days=window.days - 1)  # day 1 is the start date, so a 7-day window ends on day 7
            if pickup.date > last_day:
                decide(False, "pick-up window", f"the {window.days}-day window from {anchor} ended on {last_day}" + (f"; {aside}" if aside else ""),
                       last_day if rules.authorisation() else None, window_days=(start, last_day))
                if can_get_pregnant and first_dispense is None and rules.lockout_days():
                    lockout_until = start + dt.timedelta(days=rules.lockout_days() - 1)
                continue
            window_note = f"within the {window.days}-day window from {anchor}, which ends {last_day}"
        authorised_to = last_day if rules.authorisation() and rules.authorisation()["required"] else None
        flags = tuple(text for text in (f"pregnancy test before prescribing: {flagged}" if flagged else "", aside) if text)
        decide(True, "all checks passed", window_note + ("; negative test and contraception in place" if can_get_pregnant else ""), authorised_to, flags,
               window_days=(start, last_day) if window is not None else None)
        first_dispense = first_dispense or pickup.date
        last_dose = max(last_dose or pickup.date, pickup.date + dt.timedelta(days=prescription.days_supply - 1))
        if flagged:
            gaps.append(Gap(pickup.date, "pregnancy test before prescribing", flagged))

    notes = _uncollected(timeline, rules_on, gaps)
    pregnant = any(test.result == "positive" for test in timeline.pregnancy_tests)
    if can_get_pregnant and last_dose is not None and not pregnant:  # after a positive test the course stops and the patient is referred
        gaps.extend(_after_the_course(timeline, methods, last_dose, rules_on(last_dose) or fixed or rules_on(first_dispense)))  # type: ignore[arg-type]
    for decision in decisions:
        if not decision.allowed:
            gaps.append(Gap(decision.date, decision.rule, f"dispensing refused: {decision.reason}"))
    return Evaluation(fixed, tuple(decisions), tuple(sorted(gaps, key=lambda gap: gap.date)), notes, programme)


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
            gaps.append(Gap(prescription.authorised, "authorisation not reversed",
                            f"the authorisation obtained on {prescription.authorised} for the prescription of {prescription.date} was not reversed, "
                            f"although the prescription was never collected ({rules.name})"))
    return tuple(notes)


def _after_the_course(timeline: Timeline, methods: Sequence[Method], last_dose: dt.date, rules: RuleSet) -> list[Gap]:
    """Contraception for the month after the last dose, the test at the end of the course and the one a month after."""
    gaps = []
    _before, days_after = rules.contraception_days()
    needed_until = last_dose + dt.timedelta(days=days_after)
    failure = _contraception_failure(timeline, methods, last_dose, needed_until, rules)
    if failure:
        day, problem = failure
        gaps.append(Gap(day, "contraception after treatment",
                        f"contraception is needed until {needed_until}, {days_after} days after the last dose ({last_dose}); from {day}: {problem}"))
    negatives = [test for test in timeline.pregnancy_tests if test.result == "negative" and test.setting in rules.settings("after")]
    within = rules.end_of_treatment_within_days()
    if within is not None and not any(abs((test.date - last_dose).days) <= within for test in negatives):
        gaps.append(Gap(last_dose, "pregnancy test at the end of the course",
                        f"a negative test in {_words(rules.settings('after'))} is due at the end of the course (within {within} days of the last dose, "
                        f"{last_dose}); none is recorded"))
    after = rules.post_treatment_test()
    if after is not None:
        due = last_dose + dt.timedelta(days=after[0])
        accepted_from = due - dt.timedelta(days=after[1])
        if not any(test.date >= accepted_from for test in negatives):
            gaps.append(Gap(due, "pregnancy test one month after the course",
                            f"a negative test in {_words(rules.settings('after'))} is due about {due}, {after[0]} days after the last dose "
                            f"({last_dose}; accepted from {accepted_from}); none is recorded"))
    return gaps


def _short_name(decision: Decision) -> str:
    found = rule_sets().get(decision.rule_set_key)
    return found.short_name if found else decision.rule_set


def explain(evaluation: Evaluation) -> str:
    """The decisions, gaps and notes as plain text, for notebooks and feedback."""
    if evaluation.rule_set is not None:
        lines = [f"Rule set: {evaluation.rule_set.name} ({evaluation.rule_set.period_words()})"]
    else:
        lines = [f"Programme: {programme_info(evaluation.programme).name}, each visit under the rule set in force that day"]
    for decision in evaluation.decisions:
        verdict = "DISPENSE" if decision.allowed else "DO NOT DISPENSE"
        under = f" [{_short_name(decision)}]" if evaluation.rule_set is None else ""
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


def as_patient_of(timeline: Timeline, programme: str, patient_id: str | None = None) -> Timeline:
    """The same record as a patient of another programme (a teaching comparison: one visit, three sets of rules)."""
    programme = programme_of(programme)
    return dataclasses.replace(timeline, programme=programme, patient_id=patient_id or timeline.patient_id)


def decisions_by_programme(timeline: Timeline, programmes: Sequence[str] = PROGRAMMES) -> dict[str, Evaluation | str]:
    """The same record judged under each programme's rules in force on each date; a programme that cannot judge
    it (no set on those dates, a method its list does not class) gives the reason instead of an evaluation."""
    result: dict[str, Evaluation | str] = {}
    for programme in programmes:
        try:
            result[programme] = evaluate(as_patient_of(timeline, programme), programme)
        except CourseInputError as error:
            result[programme] = str(error)
    return result
