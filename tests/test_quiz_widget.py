"""The quiz widget, driven as a student would: choose, click Check, read feedback and score."""

from __future__ import annotations

import pytest

from isotretinoin_course.content.quiz_banks import load_bank_file
from isotretinoin_course.widgets import Quiz, quiz_for

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def quiz(fixtures_dir):
    return Quiz(load_bank_file(fixtures_dir / "quiz_banks" / "valid_bank.yml"))


def test_wrong_then_right_answer_updates_feedback_and_score(quiz):
    card = quiz.card("single-one")
    assert "Score: 0 of 3 correct" in quiz.score.value
    card.set_response("b")
    card.check_button.click()
    assert "Not quite" in card.feedback.value
    assert "No, it is a bacterium." in card.feedback.value
    assert "The mistaken belief behind this answer:</em> All skin microbes are fungi." in card.feedback.value
    assert "Score: 0 of 3 correct" in quiz.score.value and "attempts: 1" in quiz.score.value
    card.set_response("a")  # retry
    card.check_button.click()
    assert "✔ Correct." in card.feedback.value
    assert "Score: 1 of 3 correct · right first time: 0 · answered: 1 of 3 · attempts: 2" in quiz.score.value


def test_multiple_and_numeric_cards(quiz):
    multiple = quiz.card("multiple-one")
    multiple.set_response(["a", "b"])
    multiple.check_button.click()
    numeric = quiz.card("numeric-one")
    numeric.set_response("30")
    numeric.check_button.click()
    assert "✔ Correct." in multiple.feedback.value and "✔ Correct." in numeric.feedback.value
    assert "Score: 2 of 3 correct · right first time: 2" in quiz.score.value


def test_invalid_input_shows_a_message_and_is_not_counted(quiz):
    card = quiz.card("numeric-one")
    card.set_response("-")
    card.check_button.click()
    assert "is not a number" in card.feedback.value
    assert "attempts: 0" in quiz.score.value
    nothing = quiz.card("single-one")
    nothing.check_button.click()
    assert "Choose one option" in nothing.feedback.value


def test_feedback_text_is_escaped_not_run_as_html(quiz):
    card = quiz.card("numeric-one")
    card.set_response("<script>alert(1)</script>")
    card.check_button.click()
    assert "<script>" not in card.feedback.value
    assert "&lt;script&gt;" in card.feedback.value


def test_reveal_answers_switch_shows_and_hides_every_answer(quiz):
    assert all(card.answer.layout.display == "none" for card in quiz.cards)
    quiz.reveal_toggle.value = True
    assert all(card.answer.layout.display is None for card in quiz.cards)
    assert "30 mg (within ±0.5)" in quiz.card("numeric-one").answer.value
    assert "The genus was renamed in 2016." in quiz.card("single-one").answer.value
    quiz.reveal_toggle.value = False
    assert all(card.answer.value == "" for card in quiz.cards)


def test_static_fallback_shows_questions_and_folded_answers(quiz):
    bundle = quiz._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert bundle["text/plain"] == "Quiz: Fixture quiz (3 questions; run the notebook to answer)"
    html = bundle["text/html"]
    assert "Which organism is named <em>Cutibacterium acnes</em>?" in html
    assert "<details><summary>Show answers and explanations</summary>" in html
    questions_part, answers_part = html.split("<details>")
    assert "30 mg (within ±0.5)" not in questions_part  # answers only inside the folded section
    assert "30 mg (within ±0.5)" in answers_part


def test_subset_of_questions_in_given_order():
    quiz = quiz_for("01_acne_pathophysiology")
    ids = [question.id for question in quiz.questions][:2][::-1]
    subset = quiz_for("01_acne_pathophysiology", ids, title="Quick check")
    assert [card.question.id for card in subset.cards] == ids
    assert "Quick check" in subset._repr_mimebundle_()["text/plain"]


def test_the_explanation_shows_its_sources_as_linked_author_year_citations(quiz):
    quiz.reveal_toggle.value = True
    answer = quiz.card("single-one").answer.value
    # titus2012 has no DOI or URL in the bibliography, so it is named without a link (its title on hover)
    assert '<p class="quiz-sources"><small>Source: <span title="Diagnosis and treatment of acne">Titus and Hodge 2012</span>' in answer
    static = quiz._repr_mimebundle_()["text/html"]
    assert static.count("Titus and Hodge 2012") == 3  # under each of the three explanations in the folded answers


def test_citation_labels_name_products_and_organisations_readably():
    from isotretinoin_course.content.bibliography import load_bibliography, short_citation
    from isotretinoin_course.widgets.quiz import sources_html

    bibliography = load_bibliography()
    assert short_citation(bibliography.entry("williams2012")) == "Williams et al. 2012"
    assert short_citation(bibliography.entry("lai2025")) == "Lai and Barbieri 2025"
    assert short_citation(bibliography.entry("blasiak2013")) == "Blasiak et al. 2013"
    assert short_citation(bibliography.entry("fda-absorica-2023")) == "Absorica label 2023"
    html = sources_html(["lai2025", "fda-absorica-2023"])
    assert html.startswith('<p class="quiz-sources"><small>Sources: <a href="https://doi.org/10.1001/jamadermatol.2024.5416"')
    assert 'rel="noopener"' in html and "Absorica label 2023</a>" in html
    assert sources_html([]) == ""
