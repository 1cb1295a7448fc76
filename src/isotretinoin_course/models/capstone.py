"""The capstone case of notebook 09: one synthetic patient from consultation to after the course.

Every step is a question whose right answer is computed from the synthetic cohort with the course's
own models: severity and the indication from :mod:`acne`, regimens and cumulative dose from
:mod:`dosing`, laboratory flags from :mod:`monitoring`, dispensing decisions from
:mod:`risk_management`, the counselling essentials from :mod:`counselling`. Nothing is re-implemented
here; if a model changes, the case changes with it. The words of every step (scenario, prompt,
options, feedback) and the case history are content, ``content/capstone.yml``; this module fills them
in. Wrong answers say which notebook to revisit, and :meth:`CapstoneCase.debrief` lists them at the
end. The questions pass the same checks as every quiz bank's, and the course's own case passes the banks'
balance lint too (``authoring/build.py``): computed options are never put in an order that depends on
which of them is right (:func:`answer_blind_order`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..core.inputs import checked_arguments
from ..content.capstone import CapstoneText, capstone_text
from ..content.lessons import lesson
from ..content.quiz_banks import Option, Question, QuizBank, bank_data, bank_problems
from ..content.rule_sets import rule_set_for
from ..core.errors import CourseInputError
from ..core.inputs import read_bool, read_choice, read_sequence, read_text, read_date, read_instance, read_number, read_tables
from .acne import LesionCounts, classify_severity, isotretinoin_fit
from .counselling import Profile, counselling_summary, topic, topic_keys
from .isotretinoin_pk import FORMULATIONS
from .dosing import MAINTENANCE_MG_PER_KG_DAY, STARTING_MG_PER_KG_DAY, SUPPLY_DAYS, Phase, build_regimen, course_days_to_target, cumulative_dose_mg_per_kg, daily_doses
from .monitoring import ALT_UPPER_LIMIT_U_L, flag_alt, flag_panel, visit_words
from .risk_management import Contraception, Pickup, PregnancyTest, Prescription, Timeline, evaluate

BANK_NOTEBOOK = "09_capstone_case"


class CaseError(CourseInputError):
    """A patient the case cannot be built for."""


@dataclass(frozen=True)
class CaseStep:
    key: str
    stage: str
    scenario: str
    question: Question
    revisit: tuple[str, ...]  # lesson numbers


@checked_arguments
def revisit_text(numbers: tuple[str, ...] | list[str]) -> str:
    numbers = read_sequence(numbers, "numbers", lambda item, where: read_text(item, where, empty=False, max_length=10), error=CaseError)
    return "Revisit " + " and ".join(f"notebook {n} ({lesson(n).title})" for n in numbers) + "."


@checked_arguments
def answer_blind_order(texts: list[str] | tuple[str, ...], seed: str) -> list[str]:
    """``texts`` in a fixed order that depends only on the texts and ``seed`` (the patient and the step), never on
    which of them is right.

    For options whose natural order gives the answer away for every patient (sorted by date, the last day of
    a collection window is always the earliest choice), so the authored order passes the quiz banks'
    position lint on its merits; students see the per-student shuffle of ``models.quiz.presented_questions``
    on top of it. SHA-256, not Python's ``hash``, so the order is the same in every process.
    """
    texts = read_sequence(texts, "texts", lambda item, where: read_text(item, where, empty=False), unique=True, error=CaseError)
    seed = read_text(seed, "seed", error=CaseError)
    return sorted(texts, key=lambda text: hashlib.sha256(f"{seed}\x1f{text}".encode()).hexdigest())


def _date(value: object) -> dt.date:
    return read_date(value, "case date")


# The cohort tables a case reads, with the columns it uses.
CASE_TABLES = {
    "patients": ("patient_id", "pregnancy_risk_category", "weight_kg", "formulation", "start_date", "end_date", "cumulative_target_mg_per_kg", "age_years"),
    "pregnancy_tests": ("patient_id", "date", "result", "purpose"),
    "dispensing": ("patient_id", "prescription_date", "pickup_date", "days_supply", "daily_dose_mg"),
    "labs": ("patient_id", "visit", "alt_u_l", "triglycerides_mg_dl"),
    "lesion_counts": ("patient_id", "visit", "date", "comedones", "inflammatory", "nodules"),
    "adverse_events": ("patient_id", "event", "date", "detail", "action"),
}


def _patient(tables: dict[str, pd.DataFrame], patient_id: str) -> pd.Series:
    tables = read_tables(tables, "tables", {"patients": ("patient_id",)}, error=CaseError)
    patients = tables["patients"].set_index("patient_id")
    read_choice(patient_id, "patient_id", [str(pid) for pid in patients.index], what="patient ids of the synthetic cohort", error=CaseError)
    return patients.loc[patient_id]


@checked_arguments
def case_timeline(tables: dict[str, pd.DataFrame], patient_id: str | None = None, contraception_end: dt.date | None = None) -> Timeline:
    """The patient's programme timeline: cohort tests and dispensing plus the case history's contraception."""
    text = capstone_text()
    patient_id = text.patient if patient_id is None else patient_id
    patient = _patient(tables, patient_id)
    tables = read_tables(tables, "tables", {name: CASE_TABLES[name] for name in ("patients", "pregnancy_tests", "dispensing")}, error=CaseError)
    contraception_end = read_date(contraception_end, "contraception_end", optional=True, error=CaseError)
    start = _date(patient["start_date"])
    began = start - dt.timedelta(days=text.history.contraception_start_days_before)
    tests = tables["pregnancy_tests"][tables["pregnancy_tests"]["patient_id"] == patient_id]
    dispensing = tables["dispensing"][tables["dispensing"]["patient_id"] == patient_id]
    category = patient["pregnancy_risk_category"]
    return Timeline(
        patient_id=patient_id,
        category=category,
        pregnancy_tests=[PregnancyTest(_date(row.date), row.result) for row in tests.itertuples()],
        contraception=[Contraception(method, began, contraception_end) for method in text.history.contraception]
        if category == "can_get_pregnant" else [],
        prescriptions=[Prescription(_date(row.prescription_date), int(row.days_supply)) for row in dispensing.itertuples()],
        pickups=[Pickup(_date(row.prescription_date), _date(row.pickup_date)) for row in dispensing.itertuples() if pd.notna(row.pickup_date)],
        programme="ipledge",
    )


@checked_arguments
def last_day_to_collect(timeline: Timeline, prescription_date: dt.date, search_days: int = 45) -> dt.date | None:
    """The last day the rules in force allow the first pick-up of this prescription (asked of the engine, day by day, for
    ``search_days`` days from the prescription: every programme's window is shorter than the largest allowed, 90 days)."""
    timeline = read_instance(timeline, "timeline", Timeline, "a Timeline (case_timeline(...))", error=CaseError)
    prescription_date = read_date(prescription_date, "prescription_date", error=CaseError)
    search_days = read_number(search_days, "search_days", unit="days", minimum=1, maximum=MAX_SEARCH_DAYS, integer=True, error=CaseError)
    last = None
    known_then = [test for test in timeline.pregnancy_tests if test.date <= prescription_date]  # later tests do not exist yet
    for offset in range(search_days):
        day = prescription_date + dt.timedelta(days=offset)
        trial = dataclasses.replace(timeline, pregnancy_tests=known_then, pickups=[Pickup(prescription_date, day)])
        if evaluate(trial, rule_set_for("ipledge", day)).decisions[0].allowed:
            last = day
    return last


MAX_SEARCH_DAYS = 90  # bounds the day-by-day search (each day is one evaluation by the engine)


class CapstoneCase:
    """The case's steps, built from the cohort, with a record of the student's first answers."""

    @checked_arguments
    def __init__(self, tables: dict[str, pd.DataFrame], patient_id: str | None = None) -> None:
        self.text: CapstoneText = capstone_text()
        self.tables = read_tables(tables, "tables", CASE_TABLES, error=CaseError)
        self.patient_id = self.text.patient if patient_id is None else patient_id
        self.patient = _patient(tables, self.patient_id)
        if self.patient["pregnancy_risk_category"] != "can_get_pregnant":
            raise CaseError("patient_id", self.patient_id, "a patient who can get pregnant",
                            message=f"patient_id: {self.patient_id}: the case follows a patient who can get pregnant, to include the programme's steps")
        self._check_facts()
        try:
            self.timeline = case_timeline(tables, self.patient_id)
            self.steps: dict[str, CaseStep] = {step.key: step for step in self._build()}
            self.bank = QuizBank("capstone case (built from the synthetic cohort)", BANK_NOTEBOOK,
                                 f"Capstone case: {self.patient_id}", tuple(step.question for step in self.steps.values()),
                                 last_reviewed=self.text.last_reviewed)
            bank_problems(bank_data(self.bank), self.bank.source)  # the quiz banks' own checks; the tests add the schema
        except CourseInputError as error:  # a value of this patient's record the case cannot use (a weight, a date, a grade no verdict fits)
            raise CaseError("patient_id", self.patient_id, "a patient whose record the case can use",
                            message=f"patient_id: the case cannot be built for {self.patient_id}: {error}") from None
        self.first_try: dict[str, bool] = {}

    def _check_facts(self) -> None:
        """Refuse, naming the patient and what is missing, a patient whose record lacks a fact a step asks about."""
        def has(table: str, column: str, value: str) -> bool:
            return bool((self.rows(table)[column] == value).any())

        needed = [("lesion_counts", "visit", "baseline"), ("lesion_counts", "visit", self.text.step("relapse")["visit"]),
                  ("pregnancy_tests", "purpose", "screening"), ("pregnancy_tests", "purpose", "confirmation"),
                  ("labs", "visit", self.text.step("month_1_alt")["visit"]), ("labs", "visit", self.text.step("month_2_alt")["visit"]),
                  ("adverse_events", "event", self.text.step("adverse_effect")["event"])]
        for table, column, value in needed:
            if not has(table, column, value):
                raise CaseError("patient_id", self.patient_id, f"a patient with a {column} {value!r} in {table}",
                                message=f"patient_id: {self.patient_id} has no {value!r} ({column}) in the {table} table, which a step of "
                                        "the case asks about; choose another patient (the case's own is "
                                        f"{self.text.patient})")
        if self.rows("dispensing")["pickup_date"].notna().sum() == 0:
            raise CaseError("patient_id", self.patient_id, "a patient who collected a supply",
                            message=f"patient_id: {self.patient_id} never collected a supply, which the case's steps follow; choose another patient")

    # ------------------------------------------------------------------ the facts each step shows
    def rows(self, table: str) -> pd.DataFrame:
        """This patient's rows of one cohort table (SYNTHETIC DATA)."""
        table = read_choice(table, "table", list(self.tables), what="cohort tables", error=CaseError)
        frame = self.tables[table]
        return frame[frame["patient_id"] == self.patient_id].reset_index(drop=True)

    def flag_lines(self) -> list[str]:
        """Each of her blood draws with its most urgent flag, e.g. ``"2025-09-14 (month 1): ALT 50 U/L: ..."``."""
        lines = []
        for draw in self.rows("labs").itertuples():
            flags = flag_panel(draw.triglycerides_mg_dl, draw.total_cholesterol_mg_dl, draw.hdl_mg_dl, draw.alt_u_l)
            lines.append(f"{draw.date:%Y-%m-%d} ({visit_words(draw.visit)}): {flags[0].describe()}")
        return lines

    def lab(self, visit: str) -> pd.Series:
        """This patient's blood draw at one visit ("baseline", "month_1" ...)."""
        labs = self.rows("labs").set_index("visit")
        return labs.loc[read_choice(visit, "visit", [str(v) for v in labs.index], what="visits of this patient", error=CaseError)]

    # ------------------------------------------------------------------ building questions from the text
    def _step(self, key: str, values: Mapping[str, object], options: list[Option] = (), **numeric: object) -> CaseStep:
        """A step of the text with its placeholders filled; a numeric step takes ``answer`` in ``numeric``."""
        entry = self.text.step(key)

        def fill(field: str) -> str:
            return self.text.fill(key, field, **values)

        sources, level = tuple(entry["sources"]), entry.get("level", "")  # a step without a level fails the balance lint, not the build
        if entry["type"] == "numeric":
            question = Question(key, "numeric", entry["objective"], fill("prompt"), fill("explanation"), answer=numeric["answer"],
                                tolerance=entry["tolerance"], unit=entry["unit"], feedback_correct=fill("feedback_correct"),
                                feedback_incorrect=f"{fill('feedback_incorrect')} {revisit_text(entry['revisit'])}", sources=sources, level=level)
        else:
            question = Question(key, entry["type"], entry["objective"], fill("prompt"), fill("explanation"), tuple(options), sources=sources,
                                level=level)
        return CaseStep(key, entry["stage"], fill("scenario"), question, tuple(entry["revisit"]))

    def _static_options(self, key: str, values: Mapping[str, object]) -> list[Option]:
        """The options written in the text, with their placeholders filled; wrong ones end with what to revisit."""
        options = []
        for item in self.text.step(key)["options"]:
            text = self.text.fill(key, "options", item["text"], **values)
            feedback = self.text.fill(key, "options", item["feedback"], **values)
            if not item["correct"]:
                feedback = f"{feedback} {revisit_text(item['revisit'])}"
            options.append(Option(item["id"], text, item["correct"], feedback, item.get("misconception")))
        return options

    def _choice(self, key: str, number: int, text: str, right: bool, feedback: str) -> Option:
        """A computed option; a wrong one ends with the step's ``option_revisit``."""
        revisit = self.text.step(key)["option_revisit"]
        return Option(chr(97 + number), text, right, feedback if right else f"{feedback} {revisit_text(revisit)}")

    # ------------------------------------------------------------------ the steps
    def _build(self) -> list[CaseStep]:
        p = self.patient
        weight, formulation = float(p["weight_kg"]), p["formulation"]
        lesions = self.rows("lesion_counts").set_index("visit")
        baseline = lesions.loc["baseline"]
        counts = LesionCounts(int(baseline["comedones"]), int(baseline["inflammatory"]), int(baseline["nodules"]))
        steps = [self._eligibility(counts, weight), self._step("baseline_tests", {}, self._static_options("baseline_tests", {}))]
        steps.append(self._first_pickup_window())
        # The first dose asked for is the lowest regimen inside the label's range (unique, unlike "nearest" when two
        # regimens sit almost equally far from the exact dose); the cohort's own first-month regimen is the nearest.
        first = build_regimen(STARTING_MG_PER_KG_DAY, weight, formulation, rounding="at_least")
        below = build_regimen(STARTING_MG_PER_KG_DAY, weight, formulation, rounding="at_most")
        later = build_regimen(MAINTENANCE_MG_PER_KG_DAY, weight, formulation)
        strengths = ", ".join(f"{mg:g}" for mg in FORMULATIONS[formulation].strengths_mg)
        steps.append(self._step("first_dose", dict(starting=STARTING_MG_PER_KG_DAY, formulation=formulation, strengths=strengths, weight=weight,
                                                   exact_mg=STARTING_MG_PER_KG_DAY * weight, regimen=first.describe(), below_mg=below.daily_mg,
                                                   below_mg_kg=below.mg_per_kg_per_day), answer=first.daily_mg))
        target = float(p["cumulative_target_mg_per_kg"])
        days = course_days_to_target([Phase(SUPPLY_DAYS, first.daily_mg), Phase(SUPPLY_DAYS, later.daily_mg)], target, weight)
        steps.append(self._step("days_to_target", dict(maintenance=MAINTENANCE_MG_PER_KG_DAY, later_regimen=later.describe(), target=target,
                                                       supply_days=SUPPLY_DAYS, first_mg=first.daily_mg, later_mg=later.daily_mg, weight=weight,
                                                       target_mg=target * weight, days=days, weeks=days / 7), answer=days))
        steps += [self._alt_result("month_1_alt"), self._alt_result("month_2_alt")]
        steps.append(self._adverse_effect())
        steps.append(self._counselling_gap(formulation))
        steps.append(self._cumulative_dose(weight, target))
        steps.append(self._after_last_dose())
        follow = lesions.loc[self.text.step("relapse")["visit"]]
        later_counts = LesionCounts(int(follow["comedones"]), int(follow["inflammatory"]), int(follow["nodules"]))
        values = dict(date=_date(follow["date"]), comedones=later_counts.comedones, inflammatory=later_counts.inflammatory,
                      grade=classify_severity(later_counts).grade)
        steps.append(self._step("relapse", values, self._static_options("relapse", values)))
        return steps

    def _eligibility(self, counts: LesionCounts, weight: float) -> CaseStep:
        history, entry = self.text.history, self.text.step("eligibility")
        fit = isotretinoin_fit(counts, scarring=history.scarring, psychosocial_burden=history.psychosocial_burden,
                               failed_standard_therapy=history.failed_standard_therapy,
                               failed_systemic_antibiotics=history.failed_systemic_antibiotics)
        why = self.text.fill("eligibility", "why", label_reasons="; ".join(fit.label_reasons), aad_reasons="; ".join(fit.aad_reasons))
        fits = [(verdict["label"], verdict["aad"]) == (fit.meets_label_indication, fit.aad_2024_recommends) for verdict in entry["verdicts"]]
        if not any(fits):  # the case's verdicts are written for the eligible patient it follows
            raise CaseError("patient_id", self.patient_id, "a patient one of the case's eligibility verdicts fits",
                            message=f"patient_id: none of the case's eligibility verdicts fits {self.patient_id} ({classify_severity(counts).grade} acne "
                                    f"at baseline); choose another patient (the case's own is {self.text.patient})")
        options = []
        for number, verdict in enumerate(entry["verdicts"]):
            right = (verdict["label"], verdict["aad"]) == (fit.meets_label_indication, fit.aad_2024_recommends)
            feedback = self.text.fill("eligibility", "feedback_right" if right else "feedback_wrong", why=why)
            options.append(self._choice("eligibility", number, verdict["text"], right, feedback))
        values = dict(patient_id=self.patient_id, age=self.patient["age_years"], weight=weight, comedones=counts.comedones,
                      inflammatory=counts.inflammatory, nodules=counts.nodules, nodule_word="nodule" if counts.nodules == 1 else "nodules",
                      grade=classify_severity(counts).grade, tried=history.tried, why=why)
        return self._step("eligibility", values, options)

    def _first_pickup_window(self) -> CaseStep:
        entry = self.text.step("first_pickup_window")
        tests = self.rows("pregnancy_tests")
        screening = _date(tests.loc[tests["purpose"] == "screening", "date"].iloc[0])
        confirmation = _date(tests.loc[tests["purpose"] == "confirmation", "date"].iloc[0])
        first_prescription = self.timeline.prescriptions[0].date
        rule_set = rule_set_for("ipledge", first_prescription)
        last_day = last_day_to_collect(self.timeline, first_prescription)
        candidates = {last_day: True, last_day + dt.timedelta(days=1): False}
        candidates.update({first_prescription + dt.timedelta(days=offset): False for offset in entry["distractor_days_after_prescription"]})
        # Sorted by date, the last day would be the first choice for every patient: the order is answer-blind instead.
        by_text = {day.isoformat(): (day, right) for day, right in candidates.items()}
        options = []
        for number, text in enumerate(answer_blind_order(list(by_text), f"{self.patient_id}/first_pickup_window")):
            day, right = by_text[text]
            field = "feedback_right" if right else ("feedback_too_late" if day > last_day else "feedback_too_early")
            options.append(self._choice("first_pickup_window", number, day.isoformat(), right,
                                        self.text.fill("first_pickup_window", field, day=day, rule_set=rule_set.name)))
        method_1, method_2 = self.text.history.contraception
        values = dict(screening=screening, confirmation=confirmation, method_1=method_1, method_2=method_2,
                      contraception_start=self.timeline.contraception[0].start, first_prescription=first_prescription,
                      rule_set=rule_set.name, last_day=last_day)
        return self._step("first_pickup_window", values, options)

    def _alt_result(self, key: str) -> CaseStep:
        entry = self.text.step(key)
        draw = self.lab(entry["visit"])
        alt = float(draw["alt_u_l"])
        flag = flag_alt(alt)
        actions = dict.fromkeys(flag_alt(example).action for example in entry["alt_examples"])  # one option per action, in order
        options = [self._choice(key, number, action, action == flag.action,
                                self.text.fill(key, "feedback_right" if action == flag.action else "feedback_wrong", alt=alt, band=flag.band))
                   for number, action in enumerate(actions)]
        values = dict(visit_words=entry["visit"].replace("_", " "), triglycerides=float(draw["triglycerides_mg_dl"]), alt=alt,
                      upper_limit=ALT_UPPER_LIMIT_U_L, flag=flag.describe(), band=flag.band)
        return self._step(key, values, options)

    def _adverse_effect(self) -> CaseStep:
        entry = self.text.step("adverse_effect")
        events = self.rows("adverse_events")
        event = events[events["event"] == entry["event"]].iloc[0]
        values = dict(date=_date(event["date"]), detail=event["detail"], action=event["action"])
        return self._step("adverse_effect", values, self._static_options("adverse_effect", values))

    def _counselling_gap(self, formulation: str) -> CaseStep:
        entry = self.text.step("counselling_gap")
        history = self.text.history
        profile = Profile(self.patient["pregnancy_risk_category"], formulation, hormonal_contraception=history.hormonal_contraception,
                          contact_lenses=history.contact_lenses)
        covered = list(entry["covered_topics"])
        missing = sorted(item.key for item in counselling_summary(profile, covered).missing_essentials)
        # In the checklist's own order (which does not depend on what was missed), not the missing topics first.
        offered = {topic(key).key for key in [*missing, *entry["distractors"]]}  # an unknown distractor is refused, naming it
        options = []
        for number, key in enumerate(key for key in topic_keys() if key in offered):
            right = key in missing
            feedback = self.text.fill("counselling_gap", "feedback_right", reason=topic(key).reason) if right else entry["distractors"][key]
            options.append(self._choice("counselling_gap", number, topic(key).title, right, feedback))
        values = dict(covered="; ".join(topic(key).title for key in covered), missing=", ".join(topic(key).title for key in missing))
        return self._step("counselling_gap", values, options)

    def _cumulative_dose(self, weight: float, target: float) -> CaseStep:
        collected = daily_doses(self.tables["dispensing"], self.patient_id)
        reached = cumulative_dose_mg_per_kg(collected.values, weight)
        dispensing = self.rows("dispensing")
        reduced = dispensing["daily_dose_mg"].astype(float)
        weeks = (_date(self.patient["end_date"]) - _date(self.patient["start_date"])).days / 7
        values = dict(last_dose=reduced.iloc[-1], supplies=len(reduced), last_days=int(dispensing["days_supply"].iloc[-1]),
                      collected_mg=collected.sum(), weight=weight, reached=reached, target=target, weeks=weeks)
        return self._step("cumulative_dose", values, answer=round(reached, 1))

    def _after_last_dose(self) -> CaseStep:
        entry = self.text.step("after_last_dose")
        supplies = {prescription.date: prescription.days_supply for prescription in self.timeline.prescriptions}
        last_pickup = self.timeline.pickups[-1]
        days = supplies[last_pickup.prescription_date]
        # A supply collected on day D for n days is taken on D ... D + n - 1: that is the last dose, as the engine counts
        # it. She keeps both methods up to and including that day and stops them the next, where the engine's gap starts.
        last_dose = last_pickup.date + dt.timedelta(days=days - 1)
        early = case_timeline(self.tables, self.patient_id, contraception_end=last_dose)
        end_rules = rule_set_for("ipledge", last_pickup.date)
        gaps = [gap for gap in evaluate(early, end_rules).gaps if gap.rule == entry["gap_rule"]]
        values = dict(collected=last_pickup.date, last_days=days, last_dose=last_dose, stop_day=last_dose + dt.timedelta(days=1),
                      rule_set=end_rules.name, gap=gaps[0].description if gaps else entry["no_gap"])
        return self._step("after_last_dose", values, self._static_options("after_last_dose", values))

    # ------------------------------------------------------------------ the student's side
    def step(self, key: str) -> CaseStep:
        return self.steps[read_choice(key, "step", list(self.steps), what="steps of the case", error=CaseError)]

    def record(self, key: str, correct: bool) -> None:
        """Keep the first answer to each step (later tries do not change the debrief)."""
        key = read_choice(key, "step", list(self.steps), what="steps of the case", error=CaseError)
        self.first_try.setdefault(key, read_bool(correct, "correct", error=CaseError))

    def step_name(self, key: str) -> str:
        """The step's stage, numbered within the stage when a stage has more than one question ("4. The dose plan, question 2 of 2")."""
        stage = self.steps[key].stage
        same = [other for other, step in self.steps.items() if step.stage == stage]
        return stage if len(same) == 1 else f"{stage}, question {same.index(key) + 1} of {len(same)}"

    def debrief(self) -> str:
        """Steps answered so far, right first time or not, and which notebooks to revisit."""
        if not self.first_try:
            return (f"Capstone case {self.patient_id} (SYNTHETIC): no step answered yet ({len(self.steps)} steps). "
                    "Answer the steps above, then ask for the debrief again.")
        lines = [f"Capstone case {self.patient_id} (SYNTHETIC): {sum(self.first_try.values())} of {len(self.first_try)} answered steps right first time; "
                 f"{len(self.steps) - len(self.first_try)} not answered yet."]
        to_revisit = []
        for key, step in self.steps.items():
            if key in self.first_try and not self.first_try[key]:
                lines.append(f"  ✘ {self.step_name(key)} — {revisit_text(step.revisit)}")
                to_revisit.extend(step.revisit)
        if to_revisit:
            lines.append("Notebooks to revisit: " + ", ".join(f"{n} {lesson(n).title}" for n in sorted(set(to_revisit))) + ".")
        elif self.first_try:
            lines.append("Every answered step was right first time.")
        return "\n".join(lines)
