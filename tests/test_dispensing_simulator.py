"""The dispensing simulator: judging a choice, stepping through visits, and the timeline figure."""

from __future__ import annotations

import datetime as dt

import matplotlib
import pytest

matplotlib.use("Agg")

from isotretinoin_course.content.rule_sets import rule_sets  # noqa: E402
from isotretinoin_course.data import audit_log  # noqa: E402
from isotretinoin_course.data.loader import load_audit  # noqa: E402
from isotretinoin_course.figures import timeline_figure  # noqa: E402
from isotretinoin_course.models.risk_management import Decision, evaluate  # noqa: E402
from isotretinoin_course.widgets.dispensing import DispensingSimulator, judge, visit_card_html  # noqa: E402

RULES = rule_sets()["ipledge_2021"]


@pytest.fixture(scope="module")
def patients():
    tables = load_audit()
    return {timeline.patient_id: timeline for timeline in audit_log.timelines(tables)}


def test_judge_compares_the_choice_with_the_engine():
    refused = Decision(dt.date(2025, 5, 13), dt.date(2025, 5, 4), False, "pick-up window", "the window ended on 2025-05-10", RULES.name)
    assert judge(False, refused) == (True, "✔ Right: the rules say not dispense — pick-up window: the window ended on 2025-05-10.")
    assert judge(True, refused)[0] is False


def test_visit_card_shows_facts_without_the_verdict(patients):
    timeline = patients["AUD-003"]
    decision = evaluate(timeline, RULES).decisions[1]
    card = visit_card_html(timeline, decision)
    assert "SYNTHETIC" in card and "Latest pregnancy test" in card
    assert "window" not in card.lower()


def test_stepping_through_a_patient_keeps_score_and_shows_the_timeline_at_the_end(patients):
    simulator = DispensingSimulator(patients, RULES, "AUD-003")
    answers = [decision.allowed for decision in simulator.decisions]
    for index, right_answer in enumerate(answers):
        assert simulator.choose(right_answer) is True
        if index < len(answers) - 1:
            assert not simulator.next_visit.disabled
            simulator.advance()
    assert f"{len(answers)} of {len(answers)}" in simulator.score.value
    assert bytes(simulator.plot.value).startswith(b"\x89PNG")
    assert "Figure description" in simulator.plot_description.value


def test_a_wrong_choice_is_explained(patients):
    simulator = DispensingSimulator(patients, RULES, "AUD-003")
    simulator.advance()  # nothing happens before a choice: the first visit must be decided
    assert simulator.position == 0
    simulator.choose(True)
    simulator.advance()
    assert simulator.choose(True) is False  # visit 2 was collected after the window
    assert "pick-up window" in simulator.feedback.value


def test_timeline_figure_marks_refused_supplies(patients):
    figure, description = timeline_figure(patients["AUD-033"], RULES)
    assert "SYNTHETIC DATA" in figure.axes[0].get_title()
    assert "positive pregnancy test" in description
