"""Notebook 03 and its quiz bank: every number a question uses is printed in the lesson, every question names its
sources, and the lesson teaches the washout with its uncertainty rather than as a certainty."""

from __future__ import annotations

import json
import math
import re

import pytest
import yaml
from conftest import ROOT

from isotretinoin_course.content.bibliography import load_bibliography
from isotretinoin_course.core.resources import content_file

NOTEBOOK = ROOT / "notebooks" / "03_pharmacokinetics.ipynb"
BANK = yaml.safe_load(content_file("quiz_banks", "03_pharmacokinetics.yml").read_text(encoding="utf-8"))
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")


def lesson_text() -> str:
    """Every Markdown cell and every text output of the executed notebook: what a student has seen printed before the
    quiz (the quiz's own output, which repeats its questions, and the reference list are left out)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if "quiz_for(" in source or source.startswith("## References"):
            continue
        parts.append("".join(cell["source"]) if cell["cell_type"] == "markdown" else "")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for key in ("text/plain", "text/markdown", "text/html"):
                parts.append("".join(data.get(key, "")))
            parts.append("".join(output.get("text", "")))
    return "\n".join(parts)


def numbers(text: str) -> set[str]:
    return {match.replace(",", "") for match in NUMBER.findall(text)}


def question_texts(question: dict) -> list[str]:
    texts = [question["prompt"], question["explanation"], question.get("feedback_correct", "")]
    for option in question.get("options", []):
        texts += [option["text"], option["feedback"]]
    return texts  # anticipated wrong answers are the student's own arithmetic slips, not facts


@pytest.mark.parametrize("question", BANK["questions"], ids=[question["id"] for question in BANK["questions"]])
def test_every_number_in_a_question_is_printed_in_the_lesson(question):
    shown = numbers(lesson_text())
    used = {number for text in question_texts(question) for number in numbers(text)}
    # Small whole numbers (counts, "2 times") and the formula's own arithmetic steps are not facts to look up.
    facts = {number for number in used if "." in number or float(number) >= 10}
    arithmetic = {"0.0330", "0.396", "0.673", "0.327", "0.693", "0.0239", "0.287", "0.751", "0.249"}  # k·τ, e^(−kτ), 1 − e^(−kτ)
    # A numeric question's own answer is what the student works out (review I14: a transfer item whose answer is not
    # printed); every number it is worked out from must still be printed.
    if question["type"] == "numeric":
        facts = {number for number in facts if abs(float(number) - question["answer"]) > question["tolerance"]}
    assert facts - arithmetic - shown == set(), f"{question['id']}: not printed in notebook 03"


def test_a_transfer_question_asks_for_a_number_the_lesson_does_not_print():
    # Review I14: the warm-up answers (0.0330, 3.06, 105 h) are printed above the quiz; this one has to be worked out.
    question = next(question for question in BANK["questions"] if question["id"] == "pk-k-patients")
    shown = numbers(lesson_text())
    assert question["type"] == "numeric" and f"{question['answer']:g}" not in shown and "29" in shown
    assert question["answer"] == pytest.approx(math.log(2) / 29, abs=question["tolerance"])


def test_every_question_names_sources_that_resolve():
    bibliography = load_bibliography()
    for question in BANK["questions"]:
        assert question.get("sources"), question["id"]
        assert all(key in bibliography for key in question["sources"]), question["id"]


def test_the_lesson_teaches_washout_with_its_uncertainty_and_dated_rules():
    text = lesson_text()
    assert "essentially no drug" not in text.lower()
    assert "not a patient anyone" in text and "slow eliminator" in text
    assert "13 December 2021" in text and "3 October 2023" in text and "2018" in text and "9 February 2026" in text
    assert "blood donation could not be read" in text
    assert "Last reviewed** | 2026-11-30" in text


def test_the_lesson_states_what_the_fit_can_and_cannot_show():
    """Review I1, I2, I3, I6: honest about the construction, the food delay, the missing safe threshold, the 90 h figure."""
    text = lesson_text()
    assert "within 3%" not in text  # matching six means with as many constants is a construction, not a result
    assert "by construction" in text and "cannot confirm" in text
    assert "longer absorption phase" in text  # what the label itself says about the later peak with food
    assert "no concentration is known to be safe" in text.lower() and not re.search(r"\bmargins?\b", text.lower())
    assert "the body's own isotretinoin" in text.lower()
    assert "not isotretinoin's own half-life" in text
    assert "Absorica LD" in text and "no food delay" in text.lower()
