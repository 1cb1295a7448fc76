"""A dated rules engine for isotretinoin dispensing under a pregnancy risk-management programme.

Rule sets are content (``content/rule_sets/*.yml``, read by :mod:`isotretinoin_course.content.rule_sets`):
each has a name, the date it applies from (and until, if replaced), its sources, and the parameters of
its rules. Given a patient's timeline — category, pregnancy tests, contraception, prescriptions and
pick-up attempts — :func:`evaluate` returns one decision per pick-up attempt (allowed or not, the rule
that decides it, a reason a student can read) and the compliance gaps found in the timeline.

This is a teaching model of the programmes' main checks, not an
implementation of any official system: the real programmes have more steps
(registration, comprehension questions, authorisations) than a timeline shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..content.rule_sets import CATEGORIES, RuleSet
from ..core.errors import CourseInputError
from ..core.inputs import read_date


class TimelineError(CourseInputError):
    """A patient timeline that cannot be evaluated (out of order, unknown category, missing fields)."""


# --------------------------------------------------------------------------- timelines


@dataclass(frozen=True)
class PregnancyTest:
    date: dt.date
    result: str  # "negative" / "positive"
    setting: str = "lab"  # "lab", "office", "home"


@dataclass(frozen=True)
class Contraception:
    method: str
    start: dt.date
    end: dt.date | None = None  # None: still in use


@dataclass(frozen=True)
class Prescription:
    date: dt.date
    days_supply: int
    refills: int = 0


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


TIMELINE_FIELDS = ("patient_id", "category", "pregnancy_tests", "contraception", "prescriptions", "pickups")


def timeline_from_dict(data: dict) -> Timeline:
    """Build a timeline from plain data (e.g. JSON), naming any missing field or malformed entry."""
    if not isinstance(data, dict):
        raise TimelineError(f"a timeline must be a mapping with the fields {TIMELINE_FIELDS}")
    missing = [name for name in TIMELINE_FIELDS if name not in data]
    if missing:
        raise TimelineError(f"{data.get('patient_id', '(no patient id)')}: missing field(s) {missing}")

    def day(value, where: str) -> dt.date | None:
        try:
            return read_date(value, f"{data['patient_id']}: {where}", optional=True)
        except CourseInputError as error:
            raise TimelineError(str(error)) from None

    def items(name: str, keys: tuple[str, ...]):
        for number, entry in enumerate(data[name], 1):
            absent = [key for key in keys if key not in entry]
            if absent:
                raise TimelineError(f"{data['patient_id']}: {name} entry {number}: missing {absent}")
            yield number, entry

    return Timeline(
        patient_id=str(data["patient_id"]),
        category=str(data["category"]),
        pregnancy_tests=[PregnancyTest(day(e["date"], f"pregnancy test {n}"), e["result"], e.get("setting", "lab")) for n, e in items("pregnancy_tests", ("date", "result"))],
        contraception=[Contraception(e["method"], day(e["start"], f"contraception {n} start"), day(e.get("end"), f"contraception {n} end")) for n, e in items("contraception", ("method", "start"))],
        prescriptions=[Prescription(day(e["date"], f"prescription {n}"), int(e["days_supply"]), int(e.get("refills", 0))) for n, e in items("prescriptions", ("date", "days_supply"))],
        pickups=[Pickup(day(e["prescription_date"], f"pick-up {n}"), day(e["date"], f"pick-up {n}")) for n, e in items("pickups", ("prescription_date", "date"))],
    )


def validate_timeline(timeline: Timeline) -> None:
    """Refuse a timeline that cannot be judged, saying exactly what is wrong."""
    who = timeline.patient_id or "(no patient id)"
    if not timeline.patient_id:
        raise TimelineError("the timeline has no patient_id")
    if timeline.category not in CATEGORIES:
        raise TimelineError(f"{who}: unknown category {timeline.category!r}; expected one of {CATEGORIES}")
    for name, items, key in (("pregnancy tests", timeline.pregnancy_tests, lambda item: item.date),
                             ("prescriptions", timeline.prescriptions, lambda item: item.date),
                             ("pick-ups", timeline.pickups, lambda item: item.date)):
        dates = [key(item) for item in items]
        for item_date in dates:
            if not isinstance(item_date, dt.date):
                raise TimelineError(f"{who}: {name}: {item_date!r} is not a date")
        for earlier, later in zip(dates, dates[1:]):
            if later < earlier:
                raise TimelineError(f"{who}: {name} are out of order ({later} comes after {earlier})")
    for test in timeline.pregnancy_tests:
        if test.result not in ("negative", "positive"):
            raise TimelineError(f"{who}: pregnancy test on {test.date}: result must be 'negative' or 'positive', got {test.result!r}")
        if test.setting not in ("lab", "office", "home"):
            raise TimelineError(f"{who}: pregnancy test on {test.date}: setting must be 'lab', 'office' or 'home', got {test.setting!r}")
    for method in timeline.contraception:
        if method.end is not None and method.end < method.start:
            raise TimelineError(f"{who}: contraception {method.method!r} ends ({method.end}) before it starts ({method.start})")
    prescribed = {prescription.date for prescription in timeline.prescriptions}
    for pickup in timeline.pickups:
        if pickup.prescription_date not in prescribed:
            raise TimelineError(f"{who}: pick-up on {pickup.date} refers to a prescription of {pickup.prescription_date} that is not in the timeline")
        if pickup.date < pickup.prescription_date:
            raise TimelineError(f"{who}: pick-up on {pickup.date} is before its prescription of {pickup.prescription_date}")
    for prescription in timeline.prescriptions:
        if prescription.days_supply < 1:
            raise TimelineError(f"{who}: prescription of {prescription.date}: days_supply must be at least 1, got {prescription.days_supply}")


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Decision:
    date: dt.date
    prescription_date: dt.date
    allowed: bool
    rule: str
    reason: str
    rule_set: str


@dataclass(frozen=True)
class Gap:
    date: dt.date
    rule: str
    description: str


@dataclass(frozen=True)
class Evaluation:
    rule_set: RuleSet
    decisions: tuple[Decision, ...]
    gaps: tuple[Gap, ...]


def _methods_covering(timeline: Timeline, start: dt.date, end: dt.date) -> list[str]:
    """Contraceptive methods in use on every day from ``start`` to ``end``."""
    return [method.method for method in timeline.contraception
            if method.start <= start and (method.end is None or method.end >= end)]


def _phase(day: dt.date, first_dispense: dt.date | None) -> str:
    return "before" if first_dispense is None or day < first_dispense else "during"


def evaluate(timeline: Timeline, rule_set: RuleSet) -> Evaluation:
    """Judge every pick-up attempt in order and list the compliance gaps."""
    validate_timeline(timeline)
    prescriptions = {prescription.date: prescription for prescription in timeline.prescriptions}
    decisions: list[Decision] = []
    gaps: list[Gap] = []
    first_dispense: dt.date | None = None
    last_supply_end: dt.date | None = None
    lockout_until: dt.date | None = None
    can_get_pregnant = timeline.category == "can_get_pregnant"

    def decide(pickup: Pickup, allowed: bool, rule: str, reason: str) -> None:
        decisions.append(Decision(pickup.date, pickup.prescription_date, allowed, rule, reason, rule_set.name))

    for pickup in timeline.pickups:
        prescription = prescriptions[pickup.prescription_date]
        if not rule_set.applies_on(pickup.date):
            decide(pickup, False, "rule set in force",
                   f"{rule_set.name} applies from {rule_set.applies_from}" + (f" until {rule_set.applies_until}" if rule_set.applies_until else "")
                   + f"; it does not govern a pick-up on {pickup.date}")
            continue
        if prescription.days_supply > rule_set.max_days_supply:
            decide(pickup, False, "supply limit", f"{prescription.days_supply} days prescribed; at most {rule_set.max_days_supply} days may be dispensed at once")
            continue
        if prescription.refills and not rule_set.refills_allowed:
            decide(pickup, False, "no refills", f"the prescription carries {prescription.refills} refill(s); refills are not allowed")
            continue
        if lockout_until and pickup.date <= lockout_until:
            decide(pickup, False, "lockout after a missed window",
                   f"the first pick-up window was missed; a new confirmation test and dispensing must wait until after {lockout_until} "
                   f"({rule_set.lockout_days_after_missed_window} days from the missed window's test)")
            continue
        tests_so_far = [test for test in timeline.pregnancy_tests if test.date <= pickup.date]
        if can_get_pregnant and lockout_until and tests_so_far and tests_so_far[-1].date <= lockout_until:
            decide(pickup, False, "lockout after a missed window",
                   f"after the missed first window, a new confirmation test is needed after {lockout_until}; the latest test is from {tests_so_far[-1].date}")
            continue
        if can_get_pregnant:
            positives = [test for test in tests_so_far if test.result == "positive"]
            if positives:
                decide(pickup, False, "positive pregnancy test", f"pregnancy test on {positives[-1].date} was positive: isotretinoin must not be dispensed")
                continue
            phase = _phase(pickup.date, first_dispense)
            accepted = rule_set.accepted_test_settings[phase]
            valid_tests = [test for test in tests_so_far if test.setting in accepted]
            if first_dispense is None:
                if len(valid_tests) < rule_set.pretreatment_tests:
                    decide(pickup, False, "pre-treatment pregnancy tests",
                           f"{rule_set.pretreatment_tests} negative pre-treatment tests are required ({', '.join(accepted)}); {len(valid_tests)} found")
                    continue
                spread = (valid_tests[-1].date - valid_tests[0].date).days  # screening test to the latest (confirmation) test
                if spread < rule_set.days_between_pretreatment_tests:
                    decide(pickup, False, "pre-treatment pregnancy tests",
                           f"the confirmation test must come at least {rule_set.days_between_pretreatment_tests} days after the screening test; they are {spread} days apart")
                    continue
            if not valid_tests:
                decide(pickup, False, "monthly pregnancy test", f"no negative pregnancy test in an accepted setting ({', '.join(accepted)}) before this pick-up")
                continue
            latest = valid_tests[-1]
            if rule_set.test_before_prescription_within_days is not None:
                gap_days = (pickup.prescription_date - latest.date).days
                if gap_days > rule_set.test_before_prescription_within_days or gap_days < 0:
                    decide(pickup, False, "pregnancy test before prescribing",
                           f"the latest test ({latest.date}) must be within {rule_set.test_before_prescription_within_days} days before the prescription of {pickup.prescription_date}")
                    continue
            needed_from = (first_dispense or pickup.date) - dt.timedelta(days=rule_set.contraception_days_before)
            methods = _methods_covering(timeline, needed_from, pickup.date)
            if len(methods) < rule_set.contraception_methods:
                decide(pickup, False, "contraception",
                       f"{rule_set.contraception_methods} methods must be in use from {needed_from} (that is {rule_set.contraception_days_before} days before "
                       f"the first dose) to today; {len(methods)} cover that period" + (f" ({', '.join(methods)})" if methods else ""))
                continue
        window_days = rule_set.pickup_window_days[timeline.category]
        window_note = "no pick-up window applies to this category"
        if window_days is not None:
            window_start = pickup.prescription_date
            anchor = "the prescription"
            if rule_set.pickup_window_starts[timeline.category] == "pregnancy_test" and can_get_pregnant:
                window_start = latest.date  # the latest negative test in an accepted setting
                anchor = "the pregnancy test"
            # Day 1 of the window is its start date, so a 7-day window ends on day 7.
            window_end = window_start + dt.timedelta(days=window_days - 1)
            if pickup.date > window_end:
                decide(pickup, False, "pick-up window", f"the {window_days}-day window from {anchor} ({window_start}) ended on {window_end}")
                if rule_set.lockout_days_after_missed_window and (first_dispense is None or not rule_set.lockout_first_window_only):
                    lockout_until = window_start + dt.timedelta(days=rule_set.lockout_days_after_missed_window - 1)
                continue
            window_note = f"within the {window_days}-day window from {anchor} ending {window_end}"
        decide(pickup, True, "all checks passed", window_note + ("; negative test and contraception in place" if can_get_pregnant else ""))
        first_dispense = first_dispense or pickup.date
        last_supply_end = pickup.date + dt.timedelta(days=prescription.days_supply)

    if can_get_pregnant and last_supply_end is not None:
        needed_until = last_supply_end + dt.timedelta(days=rule_set.contraception_days_after)
        covering_to_end = [method for method in timeline.contraception if method.end is None or method.end >= needed_until]
        if len(covering_to_end) < rule_set.contraception_methods:
            stopped = sorted((method for method in timeline.contraception if method.end is not None and method.end < needed_until), key=lambda m: m.end)
            when = stopped[0].end if stopped else last_supply_end
            gaps.append(Gap(when, "contraception after treatment",
                            f"{rule_set.contraception_methods} methods are required until {needed_until} ({rule_set.contraception_days_after} days after the last supply ends); "
                            f"only {len(covering_to_end)} continue that long"))
        if rule_set.post_treatment_test_days_after is not None:
            due = last_supply_end + dt.timedelta(days=rule_set.post_treatment_test_days_after)
            if not any(test.date >= due - dt.timedelta(days=7) for test in timeline.pregnancy_tests):
                gaps.append(Gap(due, "pregnancy test after treatment", f"a pregnancy test is due about {due}, {rule_set.post_treatment_test_days_after} days after the last supply ends; none is recorded"))
    for decision in decisions:
        if not decision.allowed:
            gaps.append(Gap(decision.date, decision.rule, f"dispensing refused: {decision.reason}"))
    return Evaluation(rule_set, tuple(decisions), tuple(sorted(gaps, key=lambda gap: gap.date)))


def explain(evaluation: Evaluation) -> str:
    """The decisions and gaps as plain text, for notebooks and feedback."""
    lines = [f"Rule set: {evaluation.rule_set.name} (applies from {evaluation.rule_set.applies_from})"]
    for decision in evaluation.decisions:
        verdict = "DISPENSE" if decision.allowed else "DO NOT DISPENSE"
        lines.append(f"{decision.date}: {verdict} — {decision.rule}: {decision.reason}")
    if evaluation.gaps:
        lines.append("Compliance gaps:")
        lines += [f"  {gap.date}: {gap.rule}: {gap.description}" for gap in evaluation.gaps]
    return "\n".join(lines)
