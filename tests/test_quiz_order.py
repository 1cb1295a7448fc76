"""Quizzes that cannot be gamed by position: the per-student option order and the bank lint.

The order is decided in one place, :func:`models.quiz.presented_questions`; the widget, its static HTML
and the course website all show it. The lint (:func:`content.quiz_banks.balance_problems`) reads the banks
in their AUTHORED order, so the shuffle cannot be what hides a biased bank.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

from isotretinoin_course.authoring.lint import capstone_balance_problems
from isotretinoin_course.authoring.site.quiz_html import quiz_section
from isotretinoin_course.content.capstone import capstone_text
from isotretinoin_course.content.quiz_banks import (QuizBankError, balance_problems, bank_from_data, bank_names, load_bank,
                                                    load_balanced_bank_file, load_bank_file)
from isotretinoin_course.content.validation import course_content_problems
from isotretinoin_course.core import identity
from isotretinoin_course.core.markup import inline_markup
from isotretinoin_course.data.loader import load_cohort
from isotretinoin_course.models import capstone as capstone_model
from isotretinoin_course.models.capstone import CapstoneCase
from isotretinoin_course.models.quiz import check_answer, option_label, presented_questions
from isotretinoin_course.widgets.quiz import Quiz, static_quiz_html

STUDENTS = ["student-a", "student-b", "jdoe", "x1234567"]


@pytest.fixture
def bank(fixtures_dir):
    return load_bank_file(fixtures_dir / "quiz_banks" / "valid_bank.yml")


# --------------------------------------------------------------------------- whose order


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, identity.FIXED_IDENTITY),
    ({"JUPYTERHUB_USER": "jdoe"}, "jdoe"),
    ({"JUPYTERHUB_USER": "jdoe", "ISOTRETINOIN_COURSE_STUDENT": "s123"}, "s123"),
    ({"JUPYTERHUB_USER": "  "}, identity.FIXED_IDENTITY),
    ({"JUPYTERHUB_USER": "jdoe", "ISOTRETINOIN_COURSE_FIXED_ORDER": "1"}, identity.FIXED_IDENTITY),
    ({"ISOTRETINOIN_COURSE_STUDENT": "s123", "ISOTRETINOIN_COURSE_FIXED_ORDER": "0"}, "s123"),
    ({"USER": "someone", "LOGNAME": "someone"}, identity.FIXED_IDENTITY),  # the OS login name is not used
])
def test_the_student_identity_comes_from_the_environment_and_the_build_can_fix_it(environ, expected):
    assert identity.student_identity(environ) == expected


def test_the_tests_run_with_the_fixed_order():
    """conftest.py asks for it, so strict nbval and every kernel the tests start compare the stored order."""
    assert identity.fixed_order_requested() and identity.student_identity() == identity.FIXED_IDENTITY


# --------------------------------------------------------------------------- the order shown


def _orders(bank, student):
    return {q.id: [o.id for o in q.options] for q in presented_questions(bank, student=student)}


def test_the_same_student_always_gets_the_same_order_and_every_option_once():
    bank = load_bank("06_pregnancy_risk_management")
    first = _orders(bank, "student-a")
    assert first == _orders(bank, "student-a")  # deterministic: a hash, not Python's per-process hash()
    for question in bank.questions:
        assert sorted(first[question.id]) == sorted(o.id for o in question.options)
        assert len(first[question.id]) == len(question.options)


def test_orders_differ_between_students_and_between_questions():
    bank = load_bank("06_pregnancy_risk_management")
    by_student = [_orders(bank, student) for student in STUDENTS]
    assert len({tuple(map(tuple, orders.values())) for orders in by_student}) == len(STUDENTS)
    # within one student's quiz, the keys do not sit in one position either
    positions = Counter(o.index(next(x.id for x in bank.question(qid).options if x.correct))
                        for qid, o in by_student[0].items() if bank.question(qid).type == "single")
    assert max(positions.values()) < sum(positions.values())


def test_the_default_order_follows_the_environment(monkeypatch):
    bank = load_bank("03_pharmacokinetics")
    fixed = _orders(bank, identity.FIXED_IDENTITY)
    assert {q.id: [o.id for o in q.options] for q in presented_questions(bank)} == fixed
    monkeypatch.delenv(identity.FIXED_ORDER_VARIABLE)
    monkeypatch.setenv("JUPYTERHUB_USER", "jdoe")
    assert {q.id: [o.id for o in q.options] for q in presented_questions(bank)} == _orders(bank, "jdoe") != fixed


def test_a_scale_bank_keeps_its_scale_order_for_everyone():
    bank = load_bank("08_claim_verdicts")
    assert bank.scale
    for student in STUDENTS:
        assert _orders(bank, student) == {q.id: [o.id for o in q.options] for q in bank.questions}


def test_feedback_and_score_follow_option_ids_not_positions():
    bank = load_bank("06_pregnancy_risk_management")
    for shown in presented_questions(bank, student="student-b"):
        authored = bank.question(shown.id)
        for option in shown.options:
            response = option.id if shown.type == "single" else [option.id]
            assert check_answer(shown, response) == check_answer(authored, response)
        if shown.type == "single":
            assert check_answer(shown, next(o.id for o in shown.options if o.correct)).correct


def test_widget_static_html_and_site_show_the_same_order_lettered_by_position(monkeypatch):
    monkeypatch.setenv(identity.STUDENT_VARIABLE, "student-a")
    monkeypatch.delenv(identity.FIXED_ORDER_VARIABLE)
    bank = load_bank("01_acne_pathophysiology")
    quiz = Quiz(bank)
    expected = presented_questions(bank, student="student-a")
    assert quiz.questions == expected
    assert [q.options for q in quiz.questions] != [q.options for q in bank.questions]  # shuffled for this student
    for card, question in zip(quiz.cards, expected):
        if question.type == "single":
            assert [value for _, value in card.answer_control.options] == [o.id for o in question.options]
            assert [label[:3] for label, _ in card.answer_control.options] == [option_label(i) + " " for i in range(len(question.options))]
        elif question.type == "multiple":
            assert [box.description for box in card.answer_control.children] == [
                f"{option_label(i)} {o.text}" for i, o in enumerate(question.options)]
    # the static fallback: the same options in the same order, lettered by position
    choice_questions = [q for q in expected if q.type != "numeric"]
    static = BeautifulSoup(static_quiz_html(quiz.questions, quiz.title), "html.parser")
    shown_text = [[li.get_text() for li in ul.select("li")] for ul in static.select("ol > li > ul")]
    assert shown_text == [[_text(f"{option_label(i)} {o.text}") for i, o in enumerate(q.options)] for q in choice_questions]
    # the website's form: the values are option ids, in the widget's order, lettered the same way
    site = BeautifulSoup(quiz_section(quiz.questions, quiz.title, "q"), "html.parser")
    items = [li for li in site.select("li.quiz-question") if li.select("input[type=radio], input[type=checkbox]")]
    assert [[box["value"] for box in li.select("input[type=radio], input[type=checkbox]")] for li in items] == [
        [o.id for o in q.options] for q in choice_questions]
    assert [[label.get_text().strip() for label in li.select("label.quiz-option")] for li in items] == [
        [_text(f"{option_label(i)} {o.text}") for i, o in enumerate(q.options)] for q in choice_questions]


def _text(markup: str) -> str:
    """What a reader sees of an option's text once the course's inline markup is drawn."""
    return BeautifulSoup(inline_markup(markup), "html.parser").get_text()


def test_a_multiple_answer_card_returns_ids_whatever_the_order(monkeypatch, fixtures_dir):
    monkeypatch.setenv(identity.STUDENT_VARIABLE, "student-b")
    monkeypatch.delenv(identity.FIXED_ORDER_VARIABLE)
    bank = load_bank("06_pregnancy_risk_management")
    quiz = Quiz(bank)
    for card in quiz.cards:
        if card.question.type != "multiple":
            continue
        right = sorted(card.question.correct_option_ids)
        card.set_response(right)
        assert sorted(card.response()) == right and card.check().correct


# --------------------------------------------------------------------------- the bank lint


@pytest.mark.parametrize("name", bank_names())
def test_every_course_bank_passes_the_position_length_and_level_lint(name):
    assert balance_problems(load_bank(name)) == []


def test_the_capstone_cases_built_questions_pass_the_same_lint():
    """Notebook 09's case is built from the cohort, not read from a bank file: the content check of `course.py
    execute` lints its questions too (authoring.lint.capstone_balance_problems)."""
    case = CapstoneCase(load_cohort(ROOT / "datasets"))
    assert balance_problems(case.bank) == []
    singles = [q for q in case.bank.questions if q.type == "single"]
    assert len(singles) == 7 and sum(q.level == "apply" for q in case.bank.questions) >= len(case.bank.questions) / 2
    assert capstone_balance_problems() == []


def test_the_content_check_refuses_an_unbalanced_capstone(monkeypatch):
    text = capstone_text()
    recall_only = dataclasses.replace(text, steps={key: {**step, "level": "recall"} for key, step in text.steps.items()})
    monkeypatch.setattr(capstone_model, "capstone_text", lambda: recall_only)
    assert any("0 of 12 questions apply knowledge" in problem and problem.startswith("capstone case")
               for problem in capstone_balance_problems())


def _single(qid: str, key: int, texts=("first option", "second option", "third option"), level="apply") -> dict:
    return {"id": qid, "type": "single", "objective": "LO1", "prompt": "A prompt?", "explanation": "Why.", "sources": ["titus2012"],
            "level": level, "options": [{"id": chr(97 + i), "text": t, "correct": i == key, "feedback": "Some feedback here."}
                                        for i, t in enumerate(texts)]}


def _bank(questions, **extra):
    return bank_from_data({"notebook": "99_fixture", "title": "Fixture", "last_reviewed": "2026-11-30", "questions": questions, **extra},
                          "fixture.yml")


def test_the_lint_fails_keys_that_share_a_position_in_the_authored_order():
    problems = balance_problems(_bank([_single(f"q{i}", key) for i, key in enumerate([0, 1, 1, 1, 1])]))
    assert any("option 2 in 4 of 5" in p for p in problems)
    assert balance_problems(_bank([_single(f"q{i}", i % 3) for i in range(5)])) == []  # 0,1,2,0,1: 40% at most


def test_the_lint_allows_the_fewest_achievable_in_a_small_bank():
    assert balance_problems(_bank([_single("q1", 0), _single("q2", 1)])) == []  # 1 in 2 cannot be beaten with 3 options
    assert any("option 1 in 2 of 2" in p for p in balance_problems(_bank([_single("q1", 0), _single("q2", 0)])))


def test_the_lint_fails_when_the_key_is_usually_the_longest():
    long_key = ("a short one", "the right answer, written out at length", "another one")
    problems = balance_problems(_bank([_single("q1", 1, long_key), _single("q2", 1, long_key), _single("q3", 0)]))
    assert any("the longest in 2 of 3" in p and "q1, q2" in p for p in problems)


def test_the_lint_fails_a_multiple_answer_question_with_its_right_options_first():
    question = _single("m1", 0)
    question.update(type="multiple")
    question["options"][1]["correct"] = True  # right, right, wrong
    problems = balance_problems(_bank([question, _single("q1", 0)]))
    assert any("'m1' lists all its right options first" in p for p in problems)
    question["options"][2]["correct"], question["options"][0]["correct"] = True, False  # wrong, right, right
    assert balance_problems(_bank([question, _single("q1", 0)])) == []


def test_the_lint_wants_a_level_on_every_question_and_half_applying():
    problems = balance_problems(_bank([_single("q1", 0, level="recall"), _single("q2", 1, level="recall"), _single("q3", 2)]))
    assert any("1 of 3 questions apply knowledge" in p for p in problems)
    unlevelled = _single("q4", 0)
    del unlevelled["level"]
    assert any("without a level" in p and "q4" in p for p in balance_problems(_bank([unlevelled])))


def test_a_scale_bank_is_exempt_from_position_rules_but_must_keep_one_scale():
    verdicts = ("accurate", "partly accurate", "wrong")
    same = [_single(f"q{i}", 1, verdicts) for i in range(4)]
    assert balance_problems(_bank(same, scale=True)) == []
    assert balance_problems(_bank(same))  # without the flag the position rule applies
    different = same[:3] + [_single("q9", 1, ("accurate", "wrong", "partly accurate"))]
    assert any("same options in the same order" in p for p in balance_problems(_bank(different, scale=True)))


def test_the_content_check_refuses_an_unbalanced_course_bank(tmp_path, fixtures_dir):
    text = (fixtures_dir / "quiz_banks" / "valid_bank.yml").read_text()
    path = tmp_path / "99_fixture.yml"
    path.write_text(text)
    with pytest.raises(QuizBankError, match="99_fixture.yml: questions without a level"):
        load_balanced_bank_file(path)
    assert course_content_problems() == []  # the course's own banks pass
