"""Saved progress as the student meets it: quizzes and capstone steps that come back after a restart, notebook 00's
table and its reset, a widget's own question, and the notices when the progress file cannot be used.

A "restart" here is a new widget built with the module-level store forgotten, which is what a new kernel has: only
the progress file in common.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

from isotretinoin_course.content.quiz_banks import load_bank, load_bank_file
from isotretinoin_course.core import progress_store as ps
from isotretinoin_course.core.progress_store import progress_store
from isotretinoin_course.models.progress import course_questions, objective_progress
from isotretinoin_course.widgets import ProgressPanel, Quiz, quiz_for
from isotretinoin_course.widgets.progress import save_widget_result, saved_widget_result

BANK = "01_acne_pathophysiology"


def restart() -> None:
    """What a kernel restart does to the progress code: nothing kept in memory."""
    ps._stores.clear()


def wrong_and_right(question) -> tuple[str, str]:
    right = sorted(question.correct_option_ids)[0]
    wrong = next(option.id for option in question.options if not option.correct)
    return wrong, right


def test_a_checked_answer_comes_back_after_a_restart_with_its_score_and_feedback():
    quiz = quiz_for(BANK)
    card = quiz.cards[0]
    wrong, right = wrong_and_right(card.question)
    card.set_response(wrong)
    card.check_button.click()
    card.set_response(right)
    card.check_button.click()
    score = quiz.score.value
    restart()
    again = quiz_for(BANK)
    assert again.score.value == score  # "Score: 1 of 10 correct · right first time: 0 · ... attempts: 2"
    assert "attempts: 2" in score and "right first time: 0" in score
    restored = again.cards[0]
    assert restored.response() == right
    assert "✔ Correct." in restored.feedback.value and "checked 2 times; right first time: no" in restored.feedback.value
    assert "Your answers saved in an earlier session are shown (1 of 10 questions)" in again.progress_note.value
    assert again.cards[1].feedback.value == ""
    restored.set_response(wrong)  # a new attempt after the restart counts on top of the saved ones
    restored.check_button.click()
    assert progress_store().result("01", f"quiz {BANK}", restored.question.id).attempts == 3
    assert "attempts: 3" in again.score.value and "Score: 0 of 10" in again.score.value


def test_multiple_and_numeric_answers_come_back(fixtures_dir):
    bank = load_bank_file(fixtures_dir / "quiz_banks" / "valid_bank.yml")
    quiz = Quiz(bank)
    quiz.card("multiple-one").set_response(["a", "b"])
    quiz.card("multiple-one").check_button.click()
    quiz.card("numeric-one").set_response("30")
    quiz.card("numeric-one").check_button.click()
    restart()
    again = Quiz(bank)
    assert sorted(again.card("multiple-one").response()) == ["a", "b"]  # ids, listed in the order the options are shown
    assert again.card("numeric-one").response() == "30"
    assert "Score: 2 of 3 correct · right first time: 2 · answered: 2 of 3 · attempts: 2" in again.score.value


def test_an_invalid_response_is_not_saved():
    quiz = quiz_for(BANK)
    quiz.cards[0].check_button.click()  # nothing chosen
    assert progress_store().results() == []


def test_a_saved_response_that_no_longer_fits_the_question_shows_only_the_note():
    question = load_bank(BANK).questions[0]
    progress_store().record("01", f"quiz {BANK}", question.id, question.objective, True, "no-such-option")
    restart()
    card = quiz_for(BANK).cards[0]
    assert card.response() is None
    assert "Saved from an earlier session: checked once; right first time: yes" in card.feedback.value
    assert "Correct" not in card.feedback.value


def test_saved_progress_never_reaches_the_static_fallback():
    quiz = quiz_for(BANK)
    before = quiz._repr_mimebundle_()
    quiz.cards[0].set_response(wrong_and_right(quiz.cards[0].question)[1])
    quiz.cards[0].check_button.click()
    restart()
    again = quiz_for(BANK)._repr_mimebundle_()
    assert (again["text/plain"], again["text/html"]) == (before["text/plain"], before["text/html"])
    panel = ProgressPanel()
    bundle = panel._repr_mimebundle_()
    assert "LO" not in bundle["text/html"] and str(panel.store.path) not in bundle["text/html"]
    assert str(panel.store.path) in panel.where.value and "01 Acne pathophysiology" in panel.table.value


# --------------------------------------------------------------------------- files that cannot be used


def test_a_corrupt_file_gives_a_notice_and_the_quiz_still_scores():
    path = progress_store().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ this is not JSON")
    restart()
    quiz = quiz_for(BANK)
    assert "could not be read" in quiz.progress_note.value and "Reset my progress" in quiz.progress_note.value
    card = quiz.cards[0]
    card.set_response(wrong_and_right(card.question)[1])
    card.check_button.click()
    assert "Score: 1 of 10 correct" in quiz.score.value and "✔ Correct." in card.feedback.value
    assert "could not be read" in quiz.progress_note.value
    assert path.read_text() == "{ this is not JSON"
    assert "could not be read" in ProgressPanel().status.value


def test_an_unwritable_folder_gives_a_notice_after_checking(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(ps.PROGRESS_DIR_VARIABLE, str(tmp_path / "file" / "progress"))
    quiz = quiz_for(BANK)
    assert quiz.progress_note.value == ""
    card = quiz.cards[0]
    card.set_response(wrong_and_right(card.question)[0])
    card.check_button.click()
    assert "could not be saved" in quiz.progress_note.value and "Not quite" in card.feedback.value
    assert "attempts: 1" in quiz.score.value
    assert "quiz-saved" in quiz_for(BANK).progress_note.value  # a second quiz in the same kernel sees it, from memory


# --------------------------------------------------------------------------- notebook 00's table and its reset


def test_the_table_counts_per_lesson_and_objective_in_words():
    bank = load_bank(BANK)
    by_objective = {}
    for question in bank.questions:
        by_objective.setdefault(question.objective, []).append(question)
    objective, questions = sorted(by_objective.items())[0]
    store = progress_store()
    store.record("01", f"quiz {BANK}", questions[0].id, objective, False, "x")
    store.record("01", f"quiz {BANK}", questions[0].id, objective, True, "y")
    rows = objective_progress(store.results())
    lesson_01 = [row for row in rows if row.lesson == "01"]
    assert [row.objective for row in lesson_01] == sorted(by_objective, key=lambda label: int(label[2:]))
    first = next(row for row in lesson_01 if row.objective == objective)
    assert (first.questions, first.answered, first.correct_now, first.right_first_time) == (len(questions), 1, 1, 0)
    not_started = next(row for row in rows if row.lesson == "02")
    assert not_started.objective == "" and not_started.questions == len(load_bank("02_isotretinoin_mechanism").questions)
    html = ProgressPanel().table.value
    assert "<th" in html and "Questions answered" in html and "not started (" in html and f"1 of {len(questions)}" in html
    assert "{" not in html and "index" not in html.lower()


def test_every_quiz_question_and_capstone_step_is_counted_once():
    keys = [key for group in course_questions().values() for key in group]
    assert len(keys) == len(set(keys))
    assert any(key.startswith("capstone ") for key in keys)
    assert sum(1 for key in keys if key.startswith(f"quiz {BANK} /")) == len(load_bank(BANK).questions)


def test_reset_asks_first_and_can_be_cancelled():
    progress_store().record("01", f"quiz {BANK}", "q", "LO1", True, "a")
    panel = ProgressPanel()
    assert panel.confirmation.layout.display == "none"
    panel.reset_button.click()
    assert panel.confirmation.layout.display is None and "cannot be undone" in panel.confirmation.children[0].value
    panel.cancel_button.click()
    assert panel.confirmation.layout.display == "none" and "Nothing was deleted" in panel.status.value
    assert progress_store().path.exists()
    panel.reset_button.click()
    panel.confirm_button.click()
    assert not progress_store().path.exists()
    assert "was deleted" in panel.status.value and "1 of" not in panel.table.value
    restart()
    assert "quiz-saved" not in quiz_for(BANK).progress_note.value


# --------------------------------------------------------------------------- a widget's own question


def test_a_widget_question_saves_through_the_small_api_and_counts_in_the_table():
    assert saved_widget_result("03", "pk_simulator", "peak-time") is None
    assert save_widget_result("03", "pk_simulator", "peak-time", "LO2", correct=False, response="6") == ""
    assert save_widget_result("03", "pk_simulator", "peak-time", "LO2", correct=True, response="4") == ""
    restart()
    saved = saved_widget_result("03", "pk_simulator", "peak-time")
    assert (saved.kind, saved.attempts, saved.correct_now, saved.response) == ("widget", 2, True, "4")
    row = next(row for row in objective_progress(progress_store().results()) if row.lesson == "03" and row.objective == "LO2")
    assert row.answered == 1 and row.correct_now == 1
    assert row.questions == len(course_questions()[("03", "LO2")]) + 1


def test_a_widget_question_that_cannot_be_saved_returns_its_notice(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(ps.PROGRESS_DIR_VARIABLE, str(tmp_path / "file"))
    notice = save_widget_result("03", "pk_simulator", "peak-time", "LO2", correct=True, response="4")
    assert "could not be saved" in notice and 'role="status"' in notice


# --------------------------------------------------------------------------- the capstone


@pytest.fixture(scope="module")
def tables():
    from isotretinoin_course.data.loader import load_cohort

    return load_cohort(ROOT / "datasets")


def test_a_capstone_step_is_saved_by_patient_and_counted_by_the_debrief_after_a_restart(tables):
    from isotretinoin_course.models.capstone import CapstoneCase
    from isotretinoin_course.widgets import CaseStepView

    case = CapstoneCase(tables)
    view = CaseStepView(case, "eligibility")
    card = view.quiz.card("eligibility")
    wrong = next(option.id for option in card.question.options if not option.correct)
    card.set_response(wrong)
    card.check_button.click()
    saved = progress_store().result("09", f"capstone {case.patient_id}", "eligibility")
    assert saved.kind == "capstone" and saved.objective == card.question.objective and not saved.correct_first_time
    restart()
    again = CapstoneCase(tables)
    assert "no step answered yet" in again.debrief()  # a new kernel: the case knows nothing until a step is drawn
    restored = CaseStepView(again, "eligibility")
    assert restored.quiz.card("eligibility").response() == wrong
    assert "0 of 1 answered steps right first time" in again.debrief() and "Revisit notebook 01" in again.debrief()
    assert progress_store().result("09", "quiz 09_capstone_case", "eligibility") is None  # not mixed with 09's own quiz
