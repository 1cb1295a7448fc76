"""The capstone case of notebook 09: one synthetic patient from consultation to after the course.

Every step is a question whose right answer is computed from the synthetic
cohort with the course's own models: severity and the indication from
:mod:`acne`, regimens and cumulative dose from :mod:`dosing`, laboratory flags
from :mod:`monitoring`, dispensing decisions from :mod:`risk_management`, the
counselling essentials from :mod:`counselling`. Nothing is re-implemented here;
if a model changes, the case changes with it. Wrong answers say which notebook
to revisit, and :meth:`CapstoneCase.debrief` lists them at the end.

A few facts a cohort table does not hold (treatments tried before, scarring,
the contraceptive methods) are the case history in :data:`CASE_HISTORY`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import ipywidgets as widgets
import pandas as pd

from .acne import LesionCounts, classify_severity, isotretinoin_fit
from .counselling import Profile, counselling_summary, topic
from .course_map import lesson
from .dosing import Phase, build_regimen, course_days_to_target, cumulative_dose_mg_per_kg
from .markup import inline_markup
from .monitoring import flag_alt
from .monitoring_views import daily_doses
from .quiz import Option, Question, QuizBank
from .quiz_widget import Quiz
from .risk_management import Contraception, Pickup, PregnancyTest, Prescription, Timeline, evaluate, rule_set_for

CASE_PATIENT = "SYN-0024"
CASE_HISTORY = {
    "tried": "12 weeks of oral doxycycline with topical adapalene and benzoyl peroxide, without enough improvement",
    "scarring": True,
    "psychosocial_burden": True,
    "contraception": ("combined oral contraceptive", "male condoms"),
    "contraception_start_days_before": 35,
}
STARTING_MG_PER_KG, MAINTENANCE_MG_PER_KG = 0.5, 1.0
SUPPLY_DAYS = 30


class CaseError(ValueError):
    """A patient the case cannot be built for."""


@dataclass(frozen=True)
class CaseStep:
    key: str
    stage: str
    scenario: str
    question: Question
    revisit: tuple[str, ...]  # lesson numbers


def revisit_text(numbers: tuple[str, ...]) -> str:
    return "Revisit " + " and ".join(f"notebook {n} ({lesson(n).title})" for n in numbers) + "."


def _wrong(option_id: str, text: str, feedback: str, revisit: tuple[str, ...], misconception: str | None = None) -> Option:
    return Option(option_id, text, False, f"{feedback} {revisit_text(revisit)}", misconception)


def _right(option_id: str, text: str, feedback: str) -> Option:
    return Option(option_id, text, True, feedback)


def _choice(key: str, objective: str, prompt: str, explanation: str, options: list[Option], kind: str = "single") -> Question:
    return Question(key, kind, objective, prompt, explanation, tuple(options))


def _numeric(key: str, objective: str, prompt: str, explanation: str, answer: float, tolerance: float, unit: str,
             revisit: tuple[str, ...], correct: str, incorrect: str) -> Question:
    return Question(key, "numeric", objective, prompt, explanation, answer=answer, tolerance=tolerance, unit=unit,
                    feedback_correct=correct, feedback_incorrect=f"{incorrect} {revisit_text(revisit)}")


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()


def case_timeline(tables: dict[str, pd.DataFrame], patient_id: str = CASE_PATIENT,
                  contraception_end: dt.date | None = None) -> Timeline:
    """The patient's programme timeline: cohort tests and dispensing plus the case history's contraception."""
    patient = _patient(tables, patient_id)
    start = _date(patient["start_date"])
    began = start - dt.timedelta(days=CASE_HISTORY["contraception_start_days_before"])
    tests = tables["pregnancy_tests"][tables["pregnancy_tests"]["patient_id"] == patient_id]
    dispensing = tables["dispensing"][tables["dispensing"]["patient_id"] == patient_id]
    category = patient["pregnancy_risk_category"]
    return Timeline(
        patient_id=patient_id,
        category=category,
        pregnancy_tests=[PregnancyTest(_date(row.date), row.result) for row in tests.itertuples()],
        contraception=[Contraception(method, began, contraception_end) for method in CASE_HISTORY["contraception"]]
        if category == "can_get_pregnant" else [],
        prescriptions=[Prescription(_date(row.prescription_date), int(row.days_supply)) for row in dispensing.itertuples()],
        pickups=[Pickup(_date(row.prescription_date), _date(row.pickup_date)) for row in dispensing.itertuples() if pd.notna(row.pickup_date)],
    )


def _patient(tables: dict[str, pd.DataFrame], patient_id: str) -> pd.Series:
    patients = tables["patients"].set_index("patient_id")
    if patient_id not in patients.index:
        raise CaseError(f"{patient_id} is not in the synthetic cohort")
    return patients.loc[patient_id]


def last_day_to_collect(timeline: Timeline, prescription_date: dt.date, search_days: int = 45) -> dt.date | None:
    """The last day the rules in force allow the first pick-up of this prescription (asked of the engine, day by day)."""
    last = None
    known_then = [test for test in timeline.pregnancy_tests if test.date <= prescription_date]  # later tests do not exist yet
    for offset in range(search_days):
        day = prescription_date + dt.timedelta(days=offset)
        trial = dataclasses.replace(timeline, pregnancy_tests=known_then, pickups=[Pickup(prescription_date, day)])
        if evaluate(trial, rule_set_for("ipledge", day)).decisions[0].allowed:
            last = day
    return last


class CapstoneCase:
    """The case's steps, built from the cohort, with a shared record of the student's answers."""

    def __init__(self, tables: dict[str, pd.DataFrame], patient_id: str = CASE_PATIENT) -> None:
        self.tables, self.patient_id = tables, patient_id
        self.patient = _patient(tables, patient_id)
        if self.patient["pregnancy_risk_category"] != "can_get_pregnant":
            raise CaseError(f"{patient_id}: the case follows a patient who can get pregnant, to include the programme's steps")
        self.timeline = case_timeline(tables, patient_id)
        self.steps: dict[str, CaseStep] = {}
        for step in self._build():
            self.steps[step.key] = step
        self.bank = QuizBank("capstone case (built from the synthetic cohort)", "09_capstone_case",
                             f"Capstone case: {patient_id}", tuple(step.question for step in self.steps.values()))
        self.first_try: dict[str, bool] = {}

    # ------------------------------------------------------------------ the facts each step shows
    def rows(self, table: str) -> pd.DataFrame:
        """This patient's rows of one cohort table (SYNTHETIC DATA)."""
        frame = self.tables[table]
        return frame[frame["patient_id"] == self.patient_id].reset_index(drop=True)

    def lab(self, visit: str) -> pd.Series:
        labs = self.rows("labs").set_index("visit")
        return labs.loc[visit]

    # ------------------------------------------------------------------ building the steps
    def _build(self) -> list[CaseStep]:
        p = self.patient
        weight, formulation = float(p["weight_kg"]), p["formulation"]
        lesions = self.rows("lesion_counts").set_index("visit")
        baseline = lesions.loc["baseline"]
        counts = LesionCounts(int(baseline["comedones"]), int(baseline["inflammatory"]), int(baseline["nodules"]))
        severity = classify_severity(counts)
        fit = isotretinoin_fit(counts, scarring=CASE_HISTORY["scarring"], psychosocial_burden=CASE_HISTORY["psychosocial_burden"],
                               failed_standard_therapy=True, failed_systemic_antibiotics=True)
        steps = []

        # 1. Eligibility
        verdicts = {
            (True, True): "Both the label's indication and the AAD 2024 recommendation fit",
            (False, True): "The AAD 2024 recommendation fits; the label's strict indication does not",
            (True, False): "The label's indication fits; the AAD 2024 recommendation does not",
            (False, False): "Neither fits: isotretinoin is not appropriate",
        }
        correct_key = (fit.meets_label_indication, fit.aad_2024_recommends)
        why = f"Label: {'; '.join(fit.label_reasons)}. AAD 2024: {'; '.join(fit.aad_reasons)}."
        options = []
        for n, (key, text) in enumerate(verdicts.items()):
            if key == correct_key:
                options.append(_right(chr(97 + n), text, f"Right. {why}"))
            else:
                options.append(_wrong(chr(97 + n), text, why, ("01",)))
        steps.append(CaseStep(
            "eligibility", "1. First consultation",
            f"{self.patient_id} is {p['age_years']}, weighs {weight:g} kg and can get pregnant. At baseline she has {counts.comedones} comedones, "
            f"{counts.inflammatory} papules and pustules and {counts.nodules} nodule{'' if counts.nodules == 1 else 's'} ({severity.grade} by the course's scheme), with early "
            f"scarring and a heavy psychosocial burden. She has had {CASE_HISTORY['tried']}.",
            _choice("eligibility", "LO1", "How does her presentation relate to the US label's indication and to the AAD 2024 guideline?", why, options),
            ("01",)))

        # 2. Baseline tests (label section 2.3)
        steps.append(CaseStep(
            "baseline_tests", "2. Before the first prescription",
            "The prescriber plans to start isotretinoin. You are asked which tests must be done before the first prescription.",
            _choice("baseline_tests", "LO1", "Which tests does the label require before isotretinoin is started for her?",
                    "Label section 2.3: pregnancy testing, a fasting lipid profile including triglycerides, and liver function tests.",
                    [_right("a", "Pregnancy testing", "Yes: she can get pregnant, and the programme needs negative tests first."),
                     _right("b", "A fasting lipid profile including triglycerides", "Yes: the baseline for the lipid monitoring."),
                     _right("c", "Liver function tests", "Yes: the baseline for the ALT monitoring."),
                     _wrong("d", "A bone density scan", "Not a routine baseline test for a standard course.", ("05",)),
                     _wrong("e", "Routine creatine kinase", "Not a required baseline test; creatine kinase is checked when symptoms suggest it.", ("05",))],
                    kind="multiple"),
            ("05", "06")))

        # 3. The first pick-up window, asked of the rules engine
        tests = self.rows("pregnancy_tests")
        screening = _date(tests.loc[tests["purpose"] == "screening", "date"].iloc[0])
        confirmation = _date(tests.loc[tests["purpose"] == "confirmation", "date"].iloc[0])
        first_prescription = self.timeline.prescriptions[0].date
        rule_set = rule_set_for("ipledge", first_prescription)
        last_day = last_day_to_collect(self.timeline, first_prescription)
        candidates = {last_day: True, last_day + dt.timedelta(days=1): False, first_prescription + dt.timedelta(days=7): False,
                      first_prescription + dt.timedelta(days=30): False}
        window_options = []
        for n, (day, right) in enumerate(sorted(candidates.items())):
            if right:
                window_options.append(_right(chr(97 + n), day.isoformat(), f"Right: the engine allows {day} and refuses the day after."))
            else:
                window_options.append(_wrong(chr(97 + n), day.isoformat(),
                                             f"Under {rule_set.name}, {day} is {'outside' if day > last_day else 'not the last day of'} the window.", ("06",)))
        steps.append(CaseStep(
            "first_pickup_window", "3. Programme enrolment and the first prescription",
            f"Her screening pregnancy test was on {screening} and the confirmation test on {confirmation}, both negative, in a laboratory. "
            f"She has used a {CASE_HISTORY['contraception'][0]} and {CASE_HISTORY['contraception'][1]} since "
            f"{self.timeline.contraception[0].start}. The first prescription is written on {first_prescription}. "
            f"The rule set in force is {rule_set.name}.",
            _choice("first_pickup_window", "LO1", "What is the last day she can collect this first prescription?",
                    f"Under {rule_set.name} the window for a patient who can get pregnant runs from the test; the engine allows {last_day} and refuses the next day.",
                    window_options),
            ("06",)))

        # 4. Dose plan
        first = build_regimen(STARTING_MG_PER_KG, weight, formulation)
        later = build_regimen(MAINTENANCE_MG_PER_KG, weight, formulation)
        steps.append(CaseStep(
            "first_dose", "4. The dose plan",
            f"The prescriber starts at {STARTING_MG_PER_KG:g} mg/kg/day for the first month, with {formulation} capsules, in two doses.",
            dataclasses.replace(_numeric(
                "first_dose", "LO2", f"What daily dose in mg, made from real capsule strengths, gives about {STARTING_MG_PER_KG:g} mg/kg/day for {weight:g} kg?",
                f"{STARTING_MG_PER_KG:g} × {weight:g} = {STARTING_MG_PER_KG * weight:.1f} mg; the nearest regimen from the strengths is {first.describe()}.",
                first.daily_mg, 0, "mg", ("04",), f"Right: {first.describe()}.", "Round to what the capsule strengths can make, twice a day."),
                anticipated=()),
            ("04",)))
        target = float(p["cumulative_target_mg_per_kg"])
        days = course_days_to_target([Phase(SUPPLY_DAYS, first.daily_mg), Phase(10_000, later.daily_mg)], target, weight)
        steps.append(CaseStep(
            "days_to_target", "4. The dose plan",
            f"From month 2 the dose rises to {MAINTENANCE_MG_PER_KG:g} mg/kg/day: {later.describe()}. The cumulative target is {target:g} mg/kg.",
            _numeric("days_to_target", "LO2", f"On this plan, after how many days of treatment is {target:g} mg/kg reached?",
                     f"{SUPPLY_DAYS} days at {first.daily_mg:g} mg, then {later.daily_mg:g} mg/day until {target:g} × {weight:g} = {target * weight:.0f} mg: day {days}.",
                     days, 1, "days", ("04",), "Right: that is the plan if nothing changes.",
                     "Count the first month at the lower dose, then divide what remains by the higher dose."),
            ("04",)))

        # 5-6. Laboratory results at months 1 and 2
        for visit, stage in (("month_1", "5. Month 1 results"), ("month_2", "6. Month 2 results")):
            alt = float(self.lab(visit)["alt_u_l"])
            flag = flag_alt(alt)
            actions = {grade_value: flag_alt(grade_value).action for grade_value in (30.0, 50.0, 150.0, 400.0)}
            lab_options = []
            for n, action in enumerate(dict.fromkeys(actions.values())):
                if action == flag.action:
                    lab_options.append(_right(chr(97 + n), action, f"Right: ALT {alt:g} U/L is {flag.band}."))
                else:
                    lab_options.append(_wrong(chr(97 + n), action, f"ALT {alt:g} U/L is {flag.band}, which calls for a different response.", ("05",)))
            tg = float(self.lab(visit)["triglycerides_mg_dl"])
            steps.append(CaseStep(
                f"{visit}_alt", stage,
                f"Her {visit.replace('_', ' ')} fasting results: triglycerides {tg:g} mg/dL, ALT {alt:g} U/L (upper limit 40 U/L).",
                _choice(f"{visit}_alt", "LO2", "What should happen about the ALT result?",
                        f"{flag.describe()}.", lab_options),
                ("05",)))

        # 7. An adverse effect to manage (from the cohort's adverse-event table)
        events = self.rows("adverse_events")
        lips = events[events["event"] == "cheilitis"].iloc[0]
        steps.append(CaseStep(
            "adverse_effect", "7. An adverse effect",
            f"On {_date(lips['date'])} she comes to the pharmacy with {lips['detail']} and asks whether she should stop, and whether a vitamin A "
            "supplement would help her skin.",
            _choice("adverse_effect", "LO3", "What do you advise?",
                    f"Dry lips are expected and managed; vitamin A adds to isotretinoin's toxicity. The record's action: {lips['action']}.",
                    [_right("a", "Keep taking it; use a lip balm or ointment often; no vitamin A supplement", "Right: expected, manageable, and vitamin A is to be avoided."),
                     _wrong("b", "Stop isotretinoin until the lips heal", "Mild dry lips do not need stopping.", ("07",), "Any side effect means stop the drug."),
                     _wrong("c", "Keep taking it and add vitamin A for the skin", "The label advises against vitamin A supplements (additive toxicity).", ("07",)),
                     _wrong("d", "Ask the prescriber for doxycycline for the lips", "Tetracyclines are avoided with isotretinoin (raised intracranial pressure).", ("07",))]),
            ("07",)))

        # 8. What the first counselling session missed (the counselling checklist decides)
        profile = Profile("can_get_pregnant", formulation, hormonal_contraception=True)
        covered = ["how_to_take", "pregnancy", "mood", "dryness", "night_vision", "warning_symptoms", "other_medicines", "skin_and_sun", "blood_tests"]
        missing = {item.key for item in counselling_summary(profile, covered).missing_essentials}
        choices = sorted(missing) + ["contact_lenses", "after_the_course", "pregnancy"]
        not_essential = {"contact_lenses": "She does not wear contact lenses, so it is not essential for her.",
                         "after_the_course": "Recommended, but not essential at the first supply.",
                         "pregnancy": "It was covered already."}
        counsel_options = [
            _right(chr(97 + n), topic(key).title, f"Yes: {topic(key).reason}") if key in missing
            else _wrong(chr(97 + n), topic(key).title, not_essential[key], ("07",))
            for n, key in enumerate(choices)
        ]
        steps.append(CaseStep(
            "counselling_gap", "8. Counselling at the first supply",
            "At the first supply the pharmacist covered: " + "; ".join(topic(key).title for key in covered) + ".",
            _choice("counselling_gap", "LO3", "Which essential topics were missed for her?",
                    "The checklist marks these essential for a patient who can get pregnant and uses hormonal contraception: "
                    + ", ".join(topic(key).title for key in sorted(missing)) + ".", counsel_options, kind="multiple"),
            ("07",)))

        # 9. End of the course: cumulative dose from what was collected
        collected = daily_doses(self.tables["dispensing"], self.patient_id)
        reached = cumulative_dose_mg_per_kg(collected.values, weight)
        reduced = self.rows("dispensing")["daily_dose_mg"].astype(float)
        steps.append(CaseStep(
            "cumulative_dose", "9. The end of the course",
            f"After the ALT rise the dose went back to {reduced.iloc[-1]:g} mg/day. The dispensing record shows {len(reduced)} supplies, the last "
            f"of {int(self.rows('dispensing')['days_supply'].iloc[-1])} day(s).",
            _numeric("cumulative_dose", "LO2", "From the collected supplies, what cumulative dose in mg/kg did she reach?",
                     f"The sum of the daily doses collected ({collected.sum():g} mg) divided by {weight:g} kg is {reached:.1f} mg/kg.",
                     round(reached, 1), 1.0, "mg/kg", ("04",), f"Right: {reached:.1f} mg/kg, against a target of {target:g}.",
                     "Add up every daily dose collected, then divide by her weight."),
            ("04",)))

        # 10. After the last dose: the engine's gaps when contraception stops too early
        supplies = {prescription.date: prescription.days_supply for prescription in self.timeline.prescriptions}
        last_pickup = self.timeline.pickups[-1]
        last_supply = last_pickup.date + dt.timedelta(days=supplies[last_pickup.prescription_date])
        early = case_timeline(self.tables, self.patient_id, contraception_end=last_supply)
        end_rules = rule_set_for("ipledge", self.timeline.pickups[-1].date)
        gaps = [gap for gap in evaluate(early, end_rules).gaps if gap.rule == "contraception after treatment"]
        gap_text = gaps[0].description if gaps else "no gap"
        steps.append(CaseStep(
            "after_last_dose", "10. After the last dose",
            f"Her last supply runs out on {last_supply}. She wants to stop both contraceptive methods that day.",
            _choice("after_last_dose", "LO3", "What do the programme's rules say?",
                    f"{end_rules.name}: {gap_text}.",
                    [_right("a", "Keep both methods for one more month, and have a pregnancy test about a month after the last dose",
                            f"Right. The engine flags stopping now: {gap_text}."),
                     _wrong("b", "Stop now: isotretinoin leaves the body within a day", "With a 21-hour half-life, five half-lives take about 4–5 days, and the rule keeps a one-month margin.", ("03", "06"),
                            "The drug is gone the day after the last dose."),
                     _wrong("c", "Keep one method for a week", "The rule asks for both methods for a month.", ("06",))]),
            ("03", "06")))

        # 11. Follow-up: relapse counselling
        follow = lesions.loc["follow_up_3"]
        later_counts = LesionCounts(int(follow["comedones"]), int(follow["inflammatory"]), int(follow["nodules"]))
        steps.append(CaseStep(
            "relapse", "11. Three months after the course",
            f"On {_date(follow['date'])} she has {later_counts.comedones} comedones and {later_counts.inflammatory} papules and pustules "
            f"({classify_severity(later_counts).grade} by the course's scheme) and asks whether the treatment failed.",
            _choice("relapse", "LO3", "What do you tell her?",
                    "About one patient in five relapses after a course (Lai and Barbieri 2025); the label sets at least 8 weeks before a second course.",
                    [_right("a", "Acne returns in about one patient in five; see the prescriber, who can consider treatment, including a second course", "Right: honest numbers and a plan."),
                     _wrong("b", "Isotretinoin cures acne permanently, so this must be something else", "Relapse after a course is common.", ("04", "08"), "Isotretinoin always cures acne permanently."),
                     _wrong("c", "Take the capsules left over from the course", "Never: leftover capsules bypass the prescriber and the programme's pregnancy checks.", ("06",))]),
            ("04", "08")))
        return steps

    # ------------------------------------------------------------------ the student's side
    def step(self, key: str) -> "CaseStepView":
        if key not in self.steps:
            raise KeyError(f"no step {key!r}; the steps are: {', '.join(self.steps)}")
        return CaseStepView(self, self.steps[key])

    def record(self, key: str, correct: bool) -> None:
        self.first_try.setdefault(key, correct)

    def debrief(self) -> str:
        """Steps answered so far, right first time or not, and which notebooks to revisit."""
        lines = [f"Capstone case {self.patient_id} (SYNTHETIC): {sum(self.first_try.values())} of {len(self.first_try)} answered steps right first time; "
                 f"{len(self.steps) - len(self.first_try)} not answered yet."]
        to_revisit = []
        for key, step in self.steps.items():
            if key in self.first_try and not self.first_try[key]:
                lines.append(f"  ✘ {step.stage} — {revisit_text(step.revisit)}")
                to_revisit.extend(step.revisit)
        if to_revisit:
            lines.append("Notebooks to revisit: " + ", ".join(f"{n} {lesson(n).title}" for n in sorted(set(to_revisit))) + ".")
        elif self.first_try:
            lines.append("Every answered step was right first time.")
        return "\n".join(lines)


class CaseQuiz(Quiz):
    """A one-question quiz that also reports to the case (first attempts only)."""

    def __init__(self, case: CapstoneCase, key: str) -> None:
        self.case, self.key = case, key
        super().__init__(case.bank, [key], title=case.steps[key].stage)

    def _record(self, question_id: str, result) -> None:
        super()._record(question_id, result)
        if result.valid:
            self.case.record(question_id, result.correct)


class CaseStepView(widgets.VBox):
    def __init__(self, case: CapstoneCase, step: CaseStep) -> None:
        self.step = step
        self.quiz = CaseQuiz(case, step.key)
        super().__init__([widgets.HTML(f"<p><em>{inline_markup(step.scenario)}</em></p>"), self.quiz])

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        quiz_bundle = self.quiz._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"Case step: {self.step.stage} (interactive: run the notebook to answer)"
        bundle["text/html"] = f"<p><em>{inline_markup(self.step.scenario)}</em></p>" + quiz_bundle["text/html"]
        return bundle
