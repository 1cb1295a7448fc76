"""Question banks: schema validation with precise messages, answer checking and scoring."""

from __future__ import annotations

import pytest

from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.content.quiz_banks import QuizBankError, bank_names, load_bank, load_bank_file
from isotretinoin_course.models.quiz import AnswerResult, QuizProgress, check_answer, correct_answer_text


@pytest.fixture
def bank(fixtures_dir):
    return load_bank_file(fixtures_dir / "quiz_banks" / "valid_bank.yml")


# --------------------------------------------------------------------------- the course's own banks


@pytest.mark.parametrize("name", bank_names())
def test_every_course_bank_is_valid(name):
    bank = load_bank(name)
    assert bank.notebook == name
    assert len(bank.questions) >= 3
    for question in bank.questions:
        if question.type != "numeric":
            assert all(len(option.feedback.split()) >= 4 for option in question.options), question.id


def test_course_has_banks_for_the_first_notebooks():
    assert {"00_start_here", "01_acne_pathophysiology"} <= set(bank_names())


def test_notebook_01_bank_has_at_least_six_questions_of_several_types():
    bank = load_bank("01_acne_pathophysiology")
    assert len(bank.questions) >= 6
    assert {question.type for question in bank.questions} == {"single", "multiple", "numeric"}


def test_unknown_bank_name_says_what_is_available():
    # A long list of choices is summarised (its count, first and last); a near miss gets a suggestion.
    with pytest.raises(QuizBankError, match=r"notebook: 'nope' is not one of the \d+ question banks \('00_start_here' to '09_capstone_case'\)") as caught:
        load_bank("nope")
    assert caught.value.field == "notebook"
    with pytest.raises(QuizBankError, match="did you mean '05_laboratory_monitoring'"):
        load_bank("05_laboratory_monitorng")


# --------------------------------------------------------------------------- malformed banks are refused


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("broken_missing_feedback.yml", ["broken_missing_feedback.yml", "question 1 ('single-one')", "options[1]", "'feedback' is a required property"]),
        ("broken_two_correct_in_single.yml", ["question 1 ('single-one')", "field 'options'", "exactly one correct option, found 2"]),
        ("broken_unknown_type.yml", ["question 2 ('multiple-one')", "field 'type'", "'essay'"]),
        ("broken_duplicate_id.yml", ["question 3 ('single-one')", "field 'id'", "duplicate question id"]),
        ("broken_numeric_without_tolerance.yml", ["question 3 ('numeric-one')", "'tolerance' is a required property"]),
        ("broken_misconception_on_correct.yml", ["question 2", "option 'a' is correct"]),
        ("broken_bad_objective.yml", ["question 2 ('multiple-one')", "field 'objective'", "does not match"]),
        ("broken_anticipated_within_tolerance.yml", ["question 3", "anticipated_wrong", "within the tolerance"]),
        ("broken_not_yaml.yml", ["broken_not_yaml.yml", "not valid YAML"]),
        ("broken_question_without_sources.yml", ["question 2 ('multiple-one')", "'sources' is a required property"]),
        ("broken_empty_sources.yml", ["question 1 ('single-one')", "field 'sources'", "should be non-empty"]),
        ("broken_unknown_source.yml", ["question 3 ('numeric-one')", "field 'sources[1]'", "'nobody1999' is not a key of the course bibliography"]),
        ("broken_without_last_reviewed.yml", ["'last_reviewed' is a required property"]),
    ],
)
def test_malformed_bank_is_refused_naming_file_question_and_field(fixtures_dir, fixture, expected):
    with pytest.raises(QuizBankError) as caught:
        load_bank_file(fixtures_dir / "quiz_banks" / fixture)
    message = str(caught.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_missing_bank_file_is_named(tmp_path):
    with pytest.raises(QuizBankError, match="no such question bank"):
        load_bank_file(tmp_path / "absent.yml")


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(QuizBankError, match="list.yml: the file must hold a mapping"):
        load_bank_file(path)


# --------------------------------------------------------------------------- checking answers


def test_single_answer_right_and_wrong(bank):
    question = bank.question("single-one")
    right = check_answer(question, "a")
    assert right == AnswerResult(valid=True, correct=True, feedback=("Right, it was reclassified.",))
    wrong = check_answer(question, "b")
    assert not wrong.correct and wrong.valid
    assert wrong.feedback == ("No, it is a bacterium.",)
    assert wrong.misconceptions == ("All skin microbes are fungi.",)


@pytest.mark.parametrize("response", [None, ""])
def test_single_answer_without_choice_is_not_an_attempt(bank, response):
    result = check_answer(bank.question("single-one"), response)
    assert not result.valid
    assert "Choose one option" in result.message


def test_single_answer_unknown_option(bank):
    assert "not one of the options" in check_answer(bank.question("single-one"), "z").message


def test_multiple_answer_needs_exactly_the_correct_set(bank):
    question = bank.question("multiple-one")
    assert check_answer(question, ["a", "b"]).correct
    assert check_answer(question, ("b", "a")).correct
    partial = check_answer(question, ["a"])
    assert partial.valid and not partial.correct
    assert partial.feedback == ("Yes, a papule is inflammatory.", "You left out 1 correct option.")
    over = check_answer(question, ["a", "b", "c"])
    assert not over.correct
    assert over.misconceptions == ("Blackheads are inflamed.",)
    assert "No, a comedone is non-inflammatory." in over.feedback


def test_multiple_answer_empty_and_unknown(bank):
    question = bank.question("multiple-one")
    assert not check_answer(question, []).valid
    assert "Not options of this question: x" in check_answer(question, ["a", "x"]).message


@pytest.mark.parametrize(("typed", "correct"), [("30", True), ("30.4", True), ("29,6", True), (" 30 ", True), (30, True), ("31", False), ("-30", False)])
def test_numeric_answer_within_tolerance(bank, typed, correct):
    result = check_answer(bank.question("numeric-one"), typed)
    assert result.valid
    assert result.correct is correct


def test_numeric_anticipated_wrong_value_gets_targeted_feedback(bank):
    result = check_answer(bank.question("numeric-one"), "120")
    assert not result.correct
    assert result.feedback == ("You divided the weight by the dose per kilogram.",)
    assert result.misconceptions == ("Dividing instead of multiplying.",)
    generic = check_answer(bank.question("numeric-one"), "45")
    assert generic.feedback == ("Multiply the dose per kilogram by the weight.",)


@pytest.mark.parametrize(("typed", "message"), [("", "Type a number (in mg)"), ("thirty", "'thirty' is not a number"), ("nan", "is not a finite number"),
                                               ("1e999", "is not a finite number"), ("1,000", "is ambiguous")])
def test_numeric_non_numbers_get_a_message_not_a_verdict(bank, typed, message):
    result = check_answer(bank.question("numeric-one"), typed)
    assert not result.valid and not result.correct
    assert message in result.message


@pytest.mark.parametrize(("typed", "correct"), [("30 mg", True), ("3e1", True), (".5", False), ("30,0", True)])
def test_numeric_answers_are_read_by_the_course_number_reader(bank, typed, correct):
    result = check_answer(bank.question("numeric-one"), typed)
    assert result.valid and result.correct is correct


def test_correct_answer_text(bank):
    assert correct_answer_text(bank.question("numeric-one")) == "30 mg (within ±0.5)"
    assert correct_answer_text(bank.question("multiple-one")) == "Papule; Pustule"


# --------------------------------------------------------------------------- scoring


def test_progress_counts_latest_and_first_attempts(bank):
    progress = QuizProgress(tuple(question.id for question in bank.questions))
    progress.record("single-one", check_answer(bank.question("single-one"), "b"))
    progress.record("single-one", check_answer(bank.question("single-one"), "a"))
    progress.record("numeric-one", check_answer(bank.question("numeric-one"), "30"))
    progress.record("numeric-one", check_answer(bank.question("numeric-one"), "oops"))  # invalid: not counted
    assert (progress.correct, progress.first_try_correct, progress.answered, progress.total_attempts) == (2, 1, 2, 3)
    assert progress.summary() == "Score: 2 of 3 correct · right first time: 1 · answered: 2 of 3 · attempts: 3"
    progress.record("numeric-one", check_answer(bank.question("numeric-one"), "1"))
    assert progress.correct == 1  # the latest attempt counts


def test_progress_refuses_foreign_question(bank):
    progress = QuizProgress(("single-one",))
    with pytest.raises(CourseInputError, match="question_id: 'numeric-one' is not part of this quiz"):
        progress.record("numeric-one", check_answer(bank.question("numeric-one"), "30"))


def test_select_keeps_requested_order_and_refuses_unknown_ids(bank):
    assert [q.id for q in bank.select(["numeric-one", "single-one"])] == ["numeric-one", "single-one"]
    with pytest.raises(QuizBankError, match="question_id: 'missing' is not one of 'single-one'"):
        bank.select(["missing"])
    with pytest.raises(QuizBankError, match="question_ids: 'numeric-one' is listed twice"):
        bank.select(["numeric-one", "numeric-one"])
    with pytest.raises(QuizBankError, match=r"question_ids: expected a list, got the single text 'numeric-one'"):
        bank.select("numeric-one")


@pytest.mark.parametrize("name", bank_names())
def test_every_question_of_every_course_bank_cites_a_source_that_resolves(name):
    from isotretinoin_course.content.bibliography import load_bibliography

    bibliography = load_bibliography()
    for question in load_bank(name).questions:
        assert question.sources, f"{name}: {question.id} cites no source"
        assert all(key in bibliography for key in question.sources), (name, question.id, question.sources)


def test_a_question_keeps_its_sources_through_the_data_round_trip(bank):
    from isotretinoin_course.content.quiz_banks import bank_data, bank_from_data

    assert bank.last_reviewed == "2026-11-22"
    again = bank_from_data(bank_data(bank), "again")
    assert [question.sources for question in again.questions] == [question.sources for question in bank.questions]
    assert again.last_reviewed == bank.last_reviewed
