"""The graded assignments' own SYNTHETIC data, which no lesson loads: an assessment cohort, an assessment audit log
and the visit cards of "At the counter".

The lessons teach on the cohort (:mod:`cohort`, seed 20261122) and notebook 06's audit log (:mod:`audit_log`, seed
20250301). Graded work that reused them would ask students for answers the lessons print, so the assignments read
tables made by the same generators with seeds of their own (below), new identifiers (``ASM-``, ``ASA-``, card ids
``C01``...) and, for the cohort, patient numbers shuffled by the seed, so that no lesson patient's number points to an
assessment patient. ``python3 course.py datasets`` writes them to ``datasets/assessment/`` (:func:`write`); a test
regenerates them into a temporary folder and compares bytes, and another checks that no lesson notebook loads them or
prints a graded answer.

Every patient and card here is invented. The cards are timelines the rules engine judges
(:mod:`isotretinoin_course.models.risk_management`); each is built so that its last visit tests one rule, and
:func:`write` refuses to write a card the engine does not judge as intended.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from ..content.rule_sets import resolve_rule_set
from ..core.errors import CourseInputError
from ..core.inputs import checked_arguments, read_instance, read_mapping, read_path, read_text
from ..core.resources import datasets_directory
from ..models.risk_management import Timeline, evaluate, timeline_from_dict, validate_timeline
from . import audit_log, cohort
from .loader import load_tables
from .schema import AUDIT_SCHEMAS, FILE_PREFIX, SCHEMAS, tabular_data_package

FOLDER = "assessment"

# ---- the assessment cohort: the lesson cohort's generator, another seed, fewer patients, other identifiers
COHORT_SEED = 20261130  # the lessons' cohort uses 20261122
N_COHORT_PATIENTS = 60
COHORT_PREFIX = "ASM"
COHORT_TABLES = ("patients", "dispensing", "labs")

# ---- the assessment audit log: notebook 06's generator, another seed, other planted records
AUDIT_SEED = 20261207  # notebook 06's log uses 20250301
N_AUDIT_PATIENTS = 40
AUDIT_PREFIX = "ASA"
AUDIT_PLANTED = {  # same wording as audit_log.PLANTED_VIOLATIONS, which the generator reads
    4: "collected after the 7-day window",
    10: "prescription with a refill",
    15: "progestin-only pill with a condom: no primary form of contraception",
    19: "no pregnancy test before a monthly collection",
    23: "no pregnancy test at the end of the course",
    28: "confirmation pregnancy test done at home",
    31: "combined pill stopped at the last collection: a condom alone for the last month of treatment",
    36: "35-day supply dispensed",
}
AUDIT_TEACHING = {
    8: "home pregnancy test during treatment (accepted under FDA's enforcement discretion since October 2023)",
    33: "continuous abstinence instead of contraception (accepted by iPLEDGE)",
}

# ---- the visit cards of "At the counter"
CARDS_SEED = 20261214
CARDS_FILE = "visit_cards.json"
# What the student answers for each card, and the engine's outcome each word stands for.
DECISIONS = {"dispense": "dispense", "hold": "query", "refuse": "refuse"}
# The rules the engine names in a verdict (models/risk_management.py), as the student writes them.
COUNTER_RULES = ("all checks passed", "supply limit", "no refills", "risk acknowledgement form", "positive pregnancy test",
                 "pre-treatment pregnancy tests", "pregnancy test before prescribing", "monthly pregnancy test", "contraception",
                 "pick-up window")


class AssessmentDataError(CourseInputError):
    """The assessment data is missing or a card cannot be built as intended."""


# --------------------------------------------------------------------------- cohort and audit log


def _renumbered(frames: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """The cohort's tables with each SYN- number replaced by a shuffled ASM- number (same seed, same shuffle)."""
    numbers = np.random.default_rng(seed + 1).permutation(N_COHORT_PATIENTS) + 1
    mapping = {f"SYN-{index + 1:04d}": f"{COHORT_PREFIX}-{number:04d}" for index, number in enumerate(numbers)}
    result = {}
    for name in COHORT_TABLES:
        frame = frames[name].copy()
        frame["patient_id"] = frame["patient_id"].map(mapping)
        result[f"assessment_{name}"] = frame
    return result


def generate_cohort() -> dict[str, pd.DataFrame]:
    """The assessment cohort's tables (patients, dispensing, labs). Same seed → the same rows."""
    return _renumbered(cohort.generate(N_COHORT_PATIENTS, COHORT_SEED).frames(), COHORT_SEED)


def generate_audit() -> dict[str, pd.DataFrame]:
    """The assessment audit log's four tables. Same seed → the same rows."""
    frames = audit_log.generate(AUDIT_SEED, N_AUDIT_PATIENTS, AUDIT_PLANTED, AUDIT_TEACHING, AUDIT_PREFIX)
    return {f"assessment_{name}": frame for name, frame in frames.items()}


def _schema_with_prefix(schema: dict, old: str, new: str) -> dict:
    schema = copy.deepcopy(schema)
    for item in schema["fields"]:
        pattern = item.get("constraints", {}).get("pattern", "")
        if pattern.startswith(old):
            item["constraints"]["pattern"] = new + pattern[len(old):]
            item["description"] = "Synthetic assessment patient identifier"
    for foreign in schema.get("foreignKeys", []):
        foreign["reference"]["resource"] = f"assessment_{foreign['reference']['resource']}"
    return schema


def schemas() -> dict[str, dict]:
    """The Table Schema of every assessment table: the lesson tables' schemas with the assessment identifiers."""
    result = {f"assessment_{name}": _schema_with_prefix(SCHEMAS[name], "SYN-", f"{COHORT_PREFIX}-") for name in COHORT_TABLES}
    result.update({f"assessment_{name}": _schema_with_prefix(schema, "AUD-", f"{AUDIT_PREFIX}-") for name, schema in AUDIT_SCHEMAS.items()})
    return result


def data_package() -> dict:
    return tabular_data_package(
        "isotretinoin-course-synthetic-assessment",
        "SYNTHETIC assessment data for the graded assignments (teaching data, not real patients; not used by any lesson)",
        f"{N_COHORT_PATIENTS} invented patients (isotretinoin_course.data.assessment, cohort generator with seed {COHORT_SEED}) and a "
        f"dispensing log of {N_AUDIT_PATIENTS} invented patients with planted violations (audit-log generator with seed {AUDIT_SEED}). "
        "No real patient data. Read only by the graded assignments in exercises/.",
        schemas(),
    )


# --------------------------------------------------------------------------- visit cards


@dataclass(frozen=True)
class VisitCard:
    """One patient at the counter: the record so far and today's collection (the timeline's last pick-up)."""

    card_id: str
    rule_set: str  # the key of the rule set that governs today's collection
    situation: str  # what the patient says or the pharmacy sees, in plain words
    timeline: Timeline

    def __post_init__(self) -> None:
        _check_card(self)

    @property
    def today(self) -> dt.date:
        return self.timeline.pickups[-1].date


def _check_card(card: VisitCard, field: str = "card") -> VisitCard:
    """Refuse a card that cannot be shown or judged (also one changed after it was made), naming the field."""
    card = read_instance(card, field, VisitCard, "a VisitCard", error=AssessmentDataError)
    read_text(card.card_id, f"{field}.card_id", empty=False, max_length=40, error=AssessmentDataError)
    read_text(card.situation, f"{field}.situation", empty=False, error=AssessmentDataError)
    if not isinstance(card.rule_set, str):
        raise AssessmentDataError(f"{field}.rule_set", card.rule_set, "the key of a rule set",
                                  message=f"{field}.rule_set: expected the key of a rule set (text), got {str(card.rule_set)[:60]}")
    rules = resolve_rule_set(card.rule_set, f"{field}.rule_set")  # names an unknown rule set clearly
    timeline = validate_timeline(read_instance(card.timeline, f"{field}.timeline", Timeline, "a Timeline", error=AssessmentDataError),
                                 rules.programme)
    if not timeline.pickups:  # today's collection is the last pick-up
        raise AssessmentDataError(f"{field}.timeline", timeline.patient_id, "a timeline with today's collection (a pick-up)",
                                  message=f"{field}.timeline: {timeline.patient_id} has no collection, so the card has no today")
    return card


def _day(rng: np.random.Generator, first: dt.date, spread: int) -> dt.date:
    return first + dt.timedelta(days=int(rng.integers(0, spread)))


def _card_specs(rng: np.random.Generator) -> list[tuple[str, str, str, dict, str, str]]:
    """(card id, rule set key, situation, timeline as plain data, intended outcome, intended rule), one per card.

    Dates are drawn by the seed inside each rule set's period; the problem each card tests is fixed.
    """
    specs = []

    def us_patient(card: str, start: dt.date, months: int, *, category: str = "can_get_pregnant", test_delay: int = 0, pick_delay: int = 2,
                   last_test_setting: str = "lab", confirmation_setting: str = "lab", last_test_result: str = "negative",
                   methods: tuple[str, ...] = ("combined oral contraceptive", "male latex condom"), days_supply: int = 30, refills: int = 0,
                   skip_last_test: bool = False) -> dict:
        """A US patient's record: screening test, confirmation at the first visit, monthly visits; the last visit is today."""
        visits = [start + dt.timedelta(days=30 * month) for month in range(months)]
        tests, prescriptions, pickups = [], [], []
        if category == "can_get_pregnant":
            tests.append({"date": start - dt.timedelta(days=int(rng.integers(21, 30))), "result": "negative", "setting": "office"})
        for number, visit in enumerate(visits):
            last = number == months - 1
            if category == "can_get_pregnant" and not (last and skip_last_test):
                setting = (confirmation_setting if number == 0 else last_test_setting if last else "lab")
                tests.append({"date": visit, "result": last_test_result if last else "negative", "setting": setting})
            prescriptions.append({"date": visit, "days_supply": days_supply if last else 30, "refills": refills if last else 0})
            delay = test_delay if last else int(rng.integers(0, 3))
            pickups.append({"prescription_date": visit, "date": visit + dt.timedelta(days=delay if last else delay)})
            if last and pick_delay != 2:
                pickups[-1]["date"] = visit + dt.timedelta(days=pick_delay)
        began = start - dt.timedelta(days=int(rng.integers(40, 90)))
        contraception = [{"method": method, "start": began} for method in methods] if category == "can_get_pregnant" else []
        return {"patient_id": card, "category": category, "pregnancy_tests": tests, "contraception": contraception,
                "prescriptions": prescriptions, "pickups": pickups}

    us_first = dt.date(2025, 2, 3)  # 2025: iPLEDGE REMS with FDA's enforcement discretion (rule set ipledge_discretion_2023)
    us = "ipledge_discretion_2023"
    specs.append(("C01", us, "First supply. Both pre-treatment tests were done in the prescriber's office and a laboratory; she collects the day after "
                             "the prescription.", us_patient("US-C01", _day(rng, us_first, 120), 1, pick_delay=1), "dispense", "all checks passed"))
    specs.append(("C02", us, "Third monthly collection. She was away and comes in 9 days after her monthly pregnancy test.",
                  us_patient("US-C02", _day(rng, us_first, 120), 3, pick_delay=9), "refuse", "pick-up window"))
    specs.append(("C03", us, "Fourth monthly collection. This month's pregnancy test was a home test, reported to the prescriber; she collects "
                             "2 days later.", us_patient("US-C03", _day(rng, us_first, 120), 4, pick_delay=2, last_test_setting="home"),
                  "dispense", "all checks passed"))
    specs.append(("C04", us, "First supply. To save a trip, she did her second (confirmation) pregnancy test at home on the day of the "
                             "prescription.", us_patient("US-C04", _day(rng, us_first, 120), 1, pick_delay=1, confirmation_setting="home"),
                  "refuse", "pre-treatment pregnancy tests"))
    specs.append(("C05", us, "A man (cannot get pregnant) on his second month. The prescription carries one refill so that he need not come "
                             "back next month.", us_patient("US-C05", _day(rng, us_first, 120), 2, category="cannot_get_pregnant", refills=1,
                                                           pick_delay=3), "refuse", "no refills"))
    specs.append(("C06", us, "First supply. Both pre-treatment tests were done in a laboratory. For contraception she has used a "
                             "progestin-only pill with male condoms for two months.",
                  us_patient("US-C06", _day(rng, us_first, 120), 1, pick_delay=1, methods=("progestin-only pill", "male latex condom")),
                  "refuse", "contraception"))
    specs.append(("C07", us, "A woman who cannot get pregnant (after a hysterectomy) on her third month; this prescription is for 35 days to "
                             "cover a holiday.", us_patient("US-C07", _day(rng, us_first, 120), 3, category="cannot_get_pregnant",
                                                            days_supply=35, pick_delay=2), "refuse", "supply limit"))

    def eu_or_uk_patient(card: str, programme: str, start: dt.date, months: int, *, last_test_age: int = 0, pick_delay: int = 1,
                         form: str | None = "before") -> dict:
        """An EU or UK patient: one supervised test before each prescription; the last visit is today."""
        visits = [start + dt.timedelta(days=30 * month) for month in range(months)]
        tests = [{"date": visit - dt.timedelta(days=last_test_age if number == months - 1 else int(rng.integers(0, 3))), "result": "negative",
                  "setting": "office"} for number, visit in enumerate(visits)]
        began = start - dt.timedelta(days=int(rng.integers(40, 90)))
        data = {"patient_id": card, "category": "can_get_pregnant", "pregnancy_tests": tests,
                "contraception": [{"method": "contraceptive implant", "start": began}, {"method": "male latex condom", "start": began}],
                "prescriptions": [{"date": visit, "days_supply": 30} for visit in visits],
                "pickups": [{"prescription_date": visit, "date": visit + dt.timedelta(days=pick_delay if number == months - 1 else 1)}
                            for number, visit in enumerate(visits)],
                "programme": programme}
        if form == "before" and programme == "uk":  # the UK's Acknowledgement of Risk Form
            data["risk_acknowledgement"] = start - dt.timedelta(days=int(rng.integers(1, 10)))
        return data

    eu_first = dt.date(2026, 2, 2)  # the EU 2018 referral's measures, in force since 21 June 2018
    specs.append(("C08", "eu_ppp_2018", "A patient in an EU member state, third monthly visit. Her latest pregnancy test, supervised by the "
                                        "prescriber, was 6 days before this prescription.",
                  eu_or_uk_patient("EU-C08", "eu", _day(rng, eu_first, 90), 3, last_test_age=6, pick_delay=1), "hold",
                  "pregnancy test before prescribing"))
    specs.append(("C09", "eu_ppp_2018", "A patient in an EU member state, second monthly visit. Her pregnancy test was on the day of the "
                                        "prescription; she collects the next day.",
                  eu_or_uk_patient("EU-C09", "eu", _day(rng, eu_first, 90), 2, last_test_age=0, pick_delay=1), "dispense", "all checks passed"))
    uk_first = dt.date(2026, 2, 9)  # the UK measures from 22 January 2026
    specs.append(("C10", "uk_mhra_2026", "A patient in England, first supply. The prescriber's notes record the pregnancy test and counselling, "
                                         "but no Acknowledgement of Risk Form.",
                  eu_or_uk_patient("UK-C10", "uk", _day(rng, uk_first, 90), 1, form=None), "refuse", "risk acknowledgement form"))
    specs.append(("C11", "uk_mhra_2026", "A patient in England, second monthly visit. The prescription was written on the day of her test; "
                                         "she brings it in 9 days later.",
                  eu_or_uk_patient("UK-C11", "uk", _day(rng, uk_first, 90), 2, pick_delay=9), "refuse", "pick-up window"))
    return specs


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def generate_cards() -> list[dict]:
    """Every visit card as plain data, checked against the rules engine: a card whose verdict is not the intended one is refused."""
    rng = np.random.default_rng(CARDS_SEED)
    cards = []
    for card_id, rule_set, situation, data, outcome, rule in _card_specs(rng):
        card = {"card_id": card_id, "rule_set": rule_set, "situation": situation, "timeline": _jsonable(data)}
        built = card_from_dict(card)
        found = counter_verdict(built)
        if found != (outcome, rule):
            raise AssessmentDataError(f"visit card {card_id}: the rules engine decides {found}, not the intended {(outcome, rule)}")
        earlier = [decision.outcome for decision in evaluate(built.timeline, built.rule_set).decisions[:-1]]
        if any(outcome != "dispense" for outcome in earlier):  # the card says the earlier supplies were collected
            raise AssessmentDataError(f"visit card {card_id}: an earlier visit is not a plain supply ({earlier})")
        cards.append(card)
    return cards


def card_from_dict(data: dict) -> VisitCard:
    """A visit card from plain data (``visit_cards.json``): its id, rule set key, situation and timeline."""
    data = read_mapping(data, "card", keys=("card_id", "rule_set", "situation", "timeline"), error=AssessmentDataError)
    return VisitCard(data["card_id"], data["rule_set"], data["situation"], timeline_from_dict(data["timeline"]))


@checked_arguments
def counter_verdict(card: VisitCard) -> tuple[str, str]:
    """The rules engine's decision on the card's last visit, as the student words it: (dispense / hold / refuse, rule)."""
    card = _check_card(card)
    decision = evaluate(card.timeline, card.rule_set).decisions[-1]
    words = [word for word, outcome in DECISIONS.items() if outcome == decision.outcome]
    if not words:  # "not judged": today is outside the rule set's dates, so the card asks nothing a student can answer
        raise AssessmentDataError("card.rule_set", card.rule_set, f"a rule set in force on {card.today}",
                                  message=f"card.rule_set: {card.rule_set} is not in force on {card.today}, so the engine does not judge "
                                          f"card {card.card_id}")
    return words[0], decision.rule


# --------------------------------------------------------------------------- files


def write(directory: Path) -> list[Path]:
    """Write every assessment table, its ``datapackage.json`` and the visit cards into ``directory``; return the paths."""
    directory = read_path(directory, "directory", error=AssessmentDataError)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as problem:  # a file where the folder (or a folder on the way) should be, no permission
        raise AssessmentDataError("directory", str(directory), "a folder that can be made and written",
                                  message=f"directory: {directory} cannot be made ({problem.strerror or problem})") from None
    written = []
    for name, frame in {**generate_cohort(), **generate_audit()}.items():
        sort_keys = [key for key in ("patient_id", "date", "prescription_date", "dispense_id") if key in frame.columns]
        frame = frame.sort_values(sort_keys, kind="stable")
        path = directory / f"{FILE_PREFIX}{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    for name, content in (("datapackage.json", data_package()), (CARDS_FILE, {"title": "SYNTHETIC visit cards for the graded assignment "
                                                                                     "'At the counter' (not used by any lesson)",
                                                                            "seed": CARDS_SEED, "cards": generate_cards()})):
        path = directory / name
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def assessment_directory() -> Traversable:
    return datasets_directory().joinpath(FOLDER)


def load_assessment_cohort() -> dict[str, pd.DataFrame]:
    """The assessment cohort's tables (SYNTHETIC), validated on loading: ``patients``, ``dispensing``, ``labs``."""
    tables = load_tables(tuple(f"assessment_{name}" for name in COHORT_TABLES), assessment_directory())
    return {name.removeprefix("assessment_"): frame for name, frame in tables.items()}


def load_assessment_audit() -> dict[str, pd.DataFrame]:
    """The assessment audit log's tables (SYNTHETIC), under the names ``audit_log.answer_key`` expects."""
    tables = load_tables(tuple(f"assessment_{name}" for name in AUDIT_SCHEMAS), assessment_directory())
    return {name.removeprefix("assessment_"): frame for name, frame in tables.items()}


def visit_cards() -> dict[str, VisitCard]:
    """The visit cards of "At the counter", by card id."""
    path = assessment_directory().joinpath(CARDS_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssessmentDataError(f"no visit cards at {path}; regenerate the datasets with `python3 course.py datasets`") from None
    return {item["card_id"]: card_from_dict(item) for item in data["cards"]}


def _date_words(day: dt.date | None) -> str:
    return "—" if day is None else f"{day.day} {day.strftime('%B %Y')}"


@checked_arguments
def describe_card(card: VisitCard) -> str:
    """The card as a pharmacist reads it: the rule set in force, the record so far and today's collection (plain text)."""
    card = _check_card(card)
    rules = resolve_rule_set(card.rule_set)
    timeline = card.timeline
    category = "can get pregnant" if timeline.category == "can_get_pregnant" else "cannot get pregnant"
    lines = [f"Card {card.card_id} · SYNTHETIC patient {timeline.patient_id} · {category}",
             f"Rule set: {rules.name}; applies {rules.period_words()}",
             f"Today: {_date_words(card.today)}. {card.situation}"]
    if timeline.risk_acknowledgement is not None:
        lines.append(f"Acknowledgement of Risk Form signed: {_date_words(timeline.risk_acknowledgement)}")
    places = {"lab": "laboratory", "office": "prescriber's office", "home": "home", "remote": "remote, supervised"}
    if timeline.pregnancy_tests:
        lines.append("Pregnancy tests:")
        lines += [f"  {_date_words(test.date)}: {test.result} ({places.get(test.setting, test.setting)})" for test in timeline.pregnancy_tests]
    if timeline.contraception:
        lines.append("Contraception:")
        lines += [f"  {entry.method}, from {_date_words(entry.start)}" + (f" to {_date_words(entry.end)}" if entry.end else "")
                  for entry in timeline.contraception]
    collected = {pickup.prescription_date: pickup.date for pickup in timeline.pickups}
    lines.append("Prescriptions:")
    for prescription in timeline.prescriptions:
        refills = f", {prescription.refills} refill{'s' if prescription.refills > 1 else ''}" if prescription.refills else ""
        when = collected.get(prescription.date)
        status = "TODAY at the counter" if when == card.today else f"collected {_date_words(when)}"
        lines.append(f"  written {_date_words(prescription.date)}: {prescription.days_supply} days{refills}; {status}")
    return "\n".join(lines)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:59]}…"


def counter_answers_problems(answers: object) -> list[str]:
    """What is wrong with the form of a student's answers (not whether they are right), one message each."""
    if not isinstance(answers, dict):
        return ["answers should be a dict such as {'C01': ('dispense', 'all checks passed'), ...}"]
    problems = []
    for card_id, answer in answers.items():
        if not (isinstance(answer, tuple) and len(answer) == 2):
            problems.append(f"{card_id}: give a pair (decision, rule), e.g. ('refuse', 'pick-up window')")
        elif not isinstance(answer[0], str) or answer[0] not in DECISIONS:  # a list would not even be looked up
            problems.append(f"{card_id}: the decision must be one of {', '.join(DECISIONS)}; got {_shown(answer[0])}")
        elif not isinstance(answer[1], str) or answer[1] not in COUNTER_RULES:
            problems.append(f"{card_id}: the rule must be one of the list above, spelled exactly; got {_shown(answer[1])}")
    return problems

