"""The capstone case: every right answer comes from the course's models, wrong answers point to a notebook."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from conftest import ROOT

from isotretinoin_course.content.capstone import capstone_text
from isotretinoin_course.content.lessons import lessons
from isotretinoin_course.content.rule_sets import rule_set_for
from isotretinoin_course.data.loader import load_cohort
from isotretinoin_course.models.capstone import CapstoneCase, CaseError, answer_blind_order, case_timeline, last_day_to_collect
from isotretinoin_course.models.counselling import topic_keys, topic
from isotretinoin_course.models.dosing import build_regimen
from isotretinoin_course.models.monitoring import flag_alt
from isotretinoin_course.models.quiz import check_answer, presented_questions
from isotretinoin_course.models.risk_management import Pickup, evaluate
from isotretinoin_course.widgets import CaseDebrief, CaseStepView


@pytest.fixture(scope="module")
def tables():
    return load_cohort(ROOT / "datasets")


@pytest.fixture()
def case(tables):
    return CapstoneCase(tables)


def correct_response(question):
    if question.type == "numeric":
        return str(question.answer)
    ids = sorted(question.correct_option_ids)
    return ids[0] if question.type == "single" else ids


def test_the_case_covers_the_whole_course_in_order(case):
    stages = [step.stage for step in case.steps.values()]
    assert stages[0].startswith("1.") and stages[-1].startswith("11.")
    revisited = {number for step in case.steps.values() for number in step.revisit}
    assert {"01", "03", "04", "05", "06", "07", "08"} <= revisited
    assert {number for number in revisited} <= {lesson.number for lesson in lessons()}


def test_every_step_has_one_right_answer_and_every_wrong_option_names_a_notebook(case):
    for step in case.steps.values():
        question = step.question
        assert check_answer(question, correct_response(question)).correct, step.key
        if question.type == "numeric":
            assert "Revisit notebook" in question.feedback_incorrect
            continue
        assert question.correct_option_ids, step.key
        for option in question.options:
            if not option.correct:
                assert "Revisit notebook" in option.feedback, (step.key, option.id)
        assert len({option.text for option in question.options}) == len(question.options), step.key


def test_answers_follow_the_models(case, tables):
    weight = float(case.patient["weight_kg"])
    assert case.steps["first_dose"].question.answer == build_regimen(0.5, weight, case.patient["formulation"]).daily_mg
    for visit in ("month_1", "month_2"):
        question = case.steps[f"{visit}_alt"].question
        right = next(option for option in question.options if option.correct)
        assert right.text == flag_alt(float(case.lab(visit)["alt_u_l"])).action
    # SYN-0024's planted ALT rise: grade 1 at month 1, grade 2 at month 2
    assert "grade 2" in case.steps["month_2_alt"].question.explanation
    assert case.steps["cumulative_dose"].question.answer == pytest.approx(float(case.patient["cumulative_target_mg_per_kg"]), abs=1)


def test_computed_options_are_not_ordered_by_which_is_right(case):
    # Sorted by date, the last day of the collection window would be the first choice for every patient; the
    # case's order depends only on the dates and the patient.
    days = ["2025-08-21", "2025-08-22", "2025-08-24", "2025-09-16"]
    assert answer_blind_order(days, "SYN-0024/first_pickup_window") == answer_blind_order(days[::-1], "SYN-0024/first_pickup_window")
    key_positions = [answer_blind_order(days, f"SYN-{n:04d}/first_pickup_window").index(days[0]) for n in range(1, 41)]
    assert set(key_positions) == {0, 1, 2, 3} and max(map(key_positions.count, set(key_positions))) < 20
    window = case.steps["first_pickup_window"].question
    assert [option.text for option in window.options] == answer_blind_order([o.text for o in window.options], "SYN-0024/first_pickup_window")
    # the counselling options follow the checklist's order, the missed topics among the others
    gap = case.steps["counselling_gap"].question
    titles = [option.text for option in gap.options]
    assert titles == [topic(key).title for key in topic_keys() if topic(key).title in titles]
    flags = [option.correct for option in gap.options]
    assert flags != sorted(flags, reverse=True)


def test_feedback_and_scoring_follow_option_ids_in_every_students_order(case):
    for student in ("student-a", "student-b", "jdoe"):
        for shown in presented_questions(case.bank, student=student):
            authored = case.step(shown.id).question
            assert sorted(o.id for o in shown.options) == sorted(o.id for o in authored.options)
            for option in shown.options:
                response = option.id if shown.type == "single" else [option.id]
                assert check_answer(shown, response) == check_answer(authored, response)
                assert check_answer(shown, response).feedback[0] == authored.option(option.id).feedback
            if shown.type != "numeric":
                assert check_answer(shown, sorted(shown.correct_option_ids) if shown.type == "multiple" else
                                    next(o.id for o in shown.options if o.correct)).correct


def test_the_first_pickup_window_is_the_engines(tables):
    timeline = case_timeline(tables)
    prescription = timeline.prescriptions[0].date
    last = last_day_to_collect(timeline, prescription)
    assert last == dt.date(2025, 8, 21)  # confirmation test 15 Aug, 7-day window counted from the test
    known = [test for test in timeline.pregnancy_tests if test.date <= prescription]
    rules = rule_set_for("ipledge", prescription)
    for day, allowed in ((last, True), (last + dt.timedelta(days=1), False)):
        trial = dataclasses.replace(timeline, pregnancy_tests=known, pickups=[Pickup(prescription, day)])
        assert evaluate(trial, rules).decisions[0].allowed is allowed


def test_the_real_timeline_passes_and_an_early_stop_is_a_gap(tables, case):
    rules = rule_set_for("ipledge", dt.date(2025, 8, 20))
    evaluation = evaluate(case_timeline(tables), rules)
    assert all(decision.allowed for decision in evaluation.decisions)
    assert not evaluation.gaps
    assert "30 days after the last dose" in case.steps["after_last_dose"].question.explanation
    assert "end of the course" in case.steps["after_last_dose"].question.explanation


def test_after_last_dose_dates_agree_with_the_engine(case):
    # The scenario's last dose is the engine's "last dose", and the day she stops is where the engine's gap starts
    # (clinical review F17: the scenario once gave the day after the supply ran out as if it were the last dose).
    step = case.steps["after_last_dose"]
    last_dose = re.search(r"her last dose is on (\d{4}-\d{2}-\d{2})", step.scenario).group(1)
    stop_day = re.search(r"from the next day, (\d{4}-\d{2}-\d{2})", step.scenario).group(1)
    assert f"30 days after the last dose ({last_dose})" in step.question.explanation
    assert f"from {stop_day} to " in step.question.explanation
    assert dt.date.fromisoformat(stop_day) - dt.date.fromisoformat(last_dose) == dt.timedelta(days=1)


def test_debrief_lists_notebooks_to_revisit_after_wrong_first_attempts(case):
    assert "no step answered yet" in case.debrief()
    debrief = CaseDebrief(case)
    assert "no step answered yet" in debrief.text.value
    view = CaseStepView(case, "month_2_alt")
    card = view.quiz.card("month_2_alt")
    wrong = next(option.id for option in card.question.options if not option.correct)
    card.set_response(wrong)
    card.check_button.click()
    right = sorted(card.question.correct_option_ids)[0]
    card.set_response(right)
    card.check_button.click()
    dose_card = CaseStepView(case, "first_dose").quiz.card("first_dose")
    dose_card.set_response("40")
    dose_card.check_button.click()
    text = case.debrief()
    assert "1 of 2 answered steps right first time" in text
    assert "Notebooks to revisit: 05 Laboratory monitoring." in text
    assert case.step_name("days_to_target") == "4. The dose plan, question 2 of 2" and case.step_name("eligibility") == "1. First consultation"
    debrief.button.click()
    assert "1 of 2 answered steps right first time" in debrief.text.value


def test_static_representation_shows_scenario_and_question(case):
    bundle = CaseStepView(case, "eligibility")._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Case step: 1. First consultation")
    assert "SYN-0024" in bundle["text/html"] and "AAD 2024" in bundle["text/html"]


def test_bad_patients_and_steps_are_refused(tables):
    with pytest.raises(CaseError, match="'SYN-9999' is not one of the 240 patient ids of the synthetic cohort"):
        CapstoneCase(tables, "SYN-9999")
    with pytest.raises(CaseError, match="can get pregnant"):
        CapstoneCase(tables, "SYN-0008")
    with pytest.raises(CaseError, match="step: 'nope' is not one of"):
        CaseStepView(CapstoneCase(tables), "nope")


def test_history_facts_are_labelled_as_case_history():
    history = capstone_text().history
    assert history.tried and history.scarring and len(history.contraception) == 2
