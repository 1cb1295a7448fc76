"""The dispensing simulator: judging a choice, stepping through visits, the same visit under three programmes,
and the timeline figure."""

from __future__ import annotations

import datetime as dt

import matplotlib
import pytest

matplotlib.use("Agg")

from isotretinoin_course.content.rule_sets import rule_sets  # noqa: E402
from isotretinoin_course.core.errors import CourseInputError  # noqa: E402
from isotretinoin_course.data import audit_log  # noqa: E402
from isotretinoin_course.data.loader import load_audit  # noqa: E402
from isotretinoin_course.data.programme_cases import comparison_patients  # noqa: E402
from isotretinoin_course.figures import timeline_figure  # noqa: E402
from isotretinoin_course.models.risk_management import Decision, evaluate  # noqa: E402
from isotretinoin_course.widgets.dispensing import DispensingSimulator, judge, visit_card_html  # noqa: E402

RULES = rule_sets()["ipledge_discretion_2023"]


@pytest.fixture(scope="module")
def patients():
    tables = load_audit()
    return {**{timeline.patient_id: timeline for timeline in audit_log.timelines(tables)}, **comparison_patients()}


def test_judge_compares_the_choice_with_the_engine():
    refused = Decision(dt.date(2025, 5, 13), dt.date(2025, 5, 4), False, "pick-up window", "the window ended on 2025-05-10", RULES.name)
    assert judge(False, refused) == (True, "✔ Right: the rules say do not dispense — pick-up window: the window ended on 2025-05-10.")
    assert judge("refuse", refused)[0] is True and judge(True, refused)[0] is False
    assert judge("hold", refused)[0] is True and "a query will not make it dispensable" in judge("hold", refused)[1]
    allowed = Decision(dt.date(2025, 5, 6), dt.date(2025, 5, 4), True, "all checks passed", "within the window", RULES.name,
                       flags=("a caveat",))
    assert [judge(choice, allowed)[0] for choice in ("dispense", "hold", "refuse")] == [True, False, False]
    assert "Note: a caveat" in judge("dispense", allowed)[1]


def test_a_held_supply_is_right_to_hold_and_wrong_to_dispense_or_refuse():
    """Review W4: an unsupervised home test where a supervised test is required is not 'all checks passed'; the pharmacist
    who holds the supply and queries the prescriber is right."""
    held = Decision(dt.date(2026, 3, 10), dt.date(2026, 3, 4), True, "pregnancy test before prescribing", "the only test was done at home", "UK",
                    outcome="query")
    assert judge("hold", held) == (True, "✔ Right: the rules say hold and query the prescriber — pregnancy test before prescribing: "
                                         "the only test was done at home.")
    assert judge("dispense", held)[0] is False and "hold it and query the prescriber first" in judge("dispense", held)[1]
    assert judge("refuse", held)[0] is False and "rather than turn the patient away" in judge("refuse", held)[1]
    with pytest.raises(CourseInputError, match="'maybe' is not one of dispense, hold, refuse"):
        judge("maybe", held)
    with pytest.raises(ValueError):
        Decision(dt.date(2026, 3, 10), dt.date(2026, 3, 4), False, "x", "y", "UK", outcome="query")


def test_visit_card_shows_facts_without_the_verdict(patients):
    timeline = patients["AUD-003"]
    decision = evaluate(timeline, "ipledge").decisions[1]
    card = visit_card_html(timeline, decision)
    assert "SYNTHETIC" in card and "Latest pregnancy test" in card and "iPLEDGE REMS (United States)" in card
    assert "enforcement discretion" in card and "Registered in iPLEDGE" in card
    assert "window" not in card.lower() and "dispense" not in card.lower()
    uk = patients["UK-101"]
    uk_card = visit_card_html(uk, evaluate(uk, "uk").decisions[0])
    assert "Acknowledgement of Risk Form" in uk_card and "UK measures from 22 January 2026" in uk_card


def test_stepping_through_a_patient_keeps_score_and_shows_the_timeline_at_the_end(patients):
    simulator = DispensingSimulator(patients, "AUD-003")
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
    simulator = DispensingSimulator(patients, "AUD-003")
    simulator.advance()  # nothing happens before a choice: the first visit must be decided
    assert simulator.position == 0
    simulator.choose(True)
    simulator.advance()
    assert simulator.choose(True) is False  # visit 2 was collected after the window
    assert "pick-up window" in simulator.feedback.value


@pytest.mark.parametrize(("patient", "second_visit"), [("US-101", "refuse"), ("EU-101", "query"), ("UK-101", "query")])
def test_the_same_visit_is_decided_under_each_programme(patients, patient, second_visit):
    simulator = DispensingSimulator(patients, patient)
    assert [d.outcome for d in simulator.decisions] == ["dispense", second_visit, "dispense"]
    simulator.choose("dispense")
    simulator.advance()
    assert simulator.choose({"refuse": "refuse", "query": "hold"}[second_visit]) is True
    comparison = simulator.comparison.value
    assert "The same visit under each programme" in comparison
    assert comparison.index("United States") < comparison.index("do not dispense") < comparison.index("European Union")
    # the EU and UK hold the supply and query the prescriber about the unsupervised home test, and say why
    assert comparison.count("hold and query the prescriber") == 2 and comparison.count("was done at home, without supervision") == 2


def test_an_unknown_patient_is_refused_clearly(patients):
    with pytest.raises(CourseInputError, match="'AUD-999' is not one of the 63 patients of the simulator"):
        DispensingSimulator(patients, "AUD-999")


def test_timeline_figure_marks_refused_supplies(patients):
    figure, description = timeline_figure(patients["AUD-033"])
    assert "SYNTHETIC DATA" in figure.axes[0].get_title()
    assert "positive pregnancy test" in description
    texts = [text for text in figure.findobj(matplotlib.text.Text) if text.get_text()]
    assert min(text.get_fontsize() for text in texts) >= 10


def test_a_reused_timeline_figure_draws_exactly_what_a_fresh_one_draws(patients):
    """The simulator draws each patient into one figure, emptying its axes rather than rebuilding them; nothing of the
    patient before may remain (bars, markers, legend entries, the date range, the synthetic stamp)."""
    from matplotlib.figure import Figure

    from isotretinoin_course.figures.style import figure_png

    reused = Figure(figsize=(10, 4.6), dpi=90)
    # a refused supply and a positive test; a long US course; one record under the EU programme (another legend)
    for patient_id in ("AUD-033", "AUD-003", *[key for key in patients if not key.startswith("AUD-")][:1]):
        figure, description = timeline_figure(patients[patient_id], None, reused)
        fresh, fresh_description = timeline_figure(patients[patient_id], None, Figure(figsize=(10, 4.6), dpi=90))
        assert figure is reused and len(reused.axes) == 1 and len(reused.texts) == 1
        assert description == fresh_description
        assert figure_png(reused) == figure_png(fresh), patient_id
