"""The rules engine at every boundary, under each rule set, and its refusal of bad timelines."""

from __future__ import annotations

import datetime as dt

import pytest

from isotretinoin_course.content.bibliography import load_bibliography
from isotretinoin_course.content.rule_sets import RULE_NAMES, RULE_SET_DIRECTORY, RuleSetError, load_rule_set, rule_set_for, rule_sets
from isotretinoin_course.models.risk_management import (
    Contraception,
    Pickup,
    PregnancyTest,
    Prescription,
    Timeline,
    TimelineError,
    evaluate,
    explain,
)

D = dt.date
RULES = rule_sets()
IPLEDGE_2021, IPLEDGE_2026, EU = RULES["ipledge_2021"], RULES["ipledge_2026"], RULES["eu_ppp_2018"]
START = D(2025, 3, 3)  # first pick-up day in most scenarios


def can_get_pregnant(pickup_day: dt.date = START, *, tests=None, contraception=None, days_supply: int = 30, refills: int = 0,
                     prescription_day: dt.date | None = None) -> Timeline:
    """A patient who meets every 2021 iPLEDGE requirement for a first dispensing on START, unless told otherwise."""
    prescription_day = prescription_day or START
    return Timeline(
        patient_id="SYN-T001",
        category="can_get_pregnant",
        pregnancy_tests=tests if tests is not None else [PregnancyTest(START - dt.timedelta(days=25), "negative"), PregnancyTest(START, "negative")],
        contraception=contraception if contraception is not None else [Contraception("combined pill", D(2025, 1, 1)), Contraception("condoms", D(2025, 1, 1))],
        prescriptions=[Prescription(prescription_day, days_supply, refills)],
        pickups=[Pickup(prescription_day, pickup_day)],
    )


def first_decision(timeline: Timeline, rule_set=IPLEDGE_2021):
    return evaluate(timeline, rule_set).decisions[0]


# --------------------------------------------------------------------------- rule sets are dated, cited data


def test_rule_sets_are_dated_and_every_source_is_in_the_bibliography():
    bibliography = load_bibliography()
    assert set(RULES) == {"ipledge_2021", "ipledge_2026", "eu_ppp_2018"}
    for rule_set in RULES.values():
        assert rule_set.applies_from.year >= 2018
        assert all(source in bibliography for source in rule_set.sources), rule_set.key
        assert set(rule_set.provenance) == set(RULE_NAMES)
        for name, provenance in rule_set.provenance.items():
            assert provenance.source in bibliography, (rule_set.key, name)
            assert provenance.status.split(":")[0] in {"verified-primary", "verified-secondary", "to-check", "not a separate rule", "not applicable", "no lockout"}, (rule_set.key, name)


def test_the_rule_set_in_force_depends_on_the_date():
    assert rule_set_for("ipledge", D(2026, 8, 7)).key == "ipledge_2021"
    assert rule_set_for("ipledge", D(2026, 8, 8)).key == "ipledge_2026"
    assert rule_set_for("eu", D(2024, 1, 1)).key == "eu_ppp_2018"
    with pytest.raises(RuleSetError, match="no ipledge rule set in this course applies on 2020-01-01"):
        rule_set_for("ipledge", D(2020, 1, 1))


def test_a_malformed_rule_set_is_refused(tmp_path):
    original = (RULE_SET_DIRECTORY / "ipledge_2021.yml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yml"
    broken.write_text(original.replace("  max_days_supply:", "  max_supply:"))
    with pytest.raises(RuleSetError, match="broken.yml: field 'rules': 'max_days_supply' is a required property"):
        load_rule_set(broken)
    unsourced = tmp_path / "unsourced.yml"
    unsourced.write_text(original.replace("{value: 2, source: fda-remsatfda-ipledge, status: verified-primary}", "{value: 2}", 1))
    with pytest.raises(RuleSetError, match="unsourced.yml: rule 'pretreatment_tests', field '\\(top level\\)': 'source' is a required property"):
        load_rule_set(unsourced)


# --------------------------------------------------------------------------- pick-up windows


@pytest.mark.parametrize(("days_after_test", "allowed"), [(0, True), (6, True), (7, False)])
def test_seven_day_window_last_day_and_the_day_after(days_after_test, allowed):
    decision = first_decision(can_get_pregnant(START + dt.timedelta(days=days_after_test)))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "pick-up window"
        assert "ended on 2025-03-09" in decision.reason


@pytest.mark.parametrize(("days_after_prescription", "allowed"), [(29, True), (30, False)])
def test_thirty_day_window_for_patients_who_cannot_get_pregnant_under_2021(days_after_prescription, allowed):
    timeline = Timeline("SYN-T002", "cannot_get_pregnant", prescriptions=[Prescription(START, 30)],
                        pickups=[Pickup(START, START + dt.timedelta(days=days_after_prescription))])
    assert first_decision(timeline).allowed is allowed


def test_no_window_for_patients_who_cannot_get_pregnant_after_2026():
    day = D(2026, 9, 1)
    timeline = Timeline("SYN-T002", "cannot_get_pregnant", prescriptions=[Prescription(day, 30)], pickups=[Pickup(day, day + dt.timedelta(days=45))])
    decision = first_decision(timeline, IPLEDGE_2026)
    assert decision.allowed and "no pick-up window" in decision.reason
    assert not evaluate(timeline, IPLEDGE_2021).decisions[0].allowed  # the 2021 rule set does not govern 2026-09


def _missed_then_retest(retest_offset: int, rule_set, base: dt.date = START):
    """The first window (test on base) is missed; a new test and pick-up follow ``retest_offset`` days after the first test."""
    retest = base + dt.timedelta(days=retest_offset)
    return Timeline(
        "SYN-T003", "can_get_pregnant",
        pregnancy_tests=[PregnancyTest(base - dt.timedelta(days=25), "negative", "lab"), PregnancyTest(base, "negative", "lab"), PregnancyTest(retest, "negative", "lab")],
        contraception=[Contraception("implant", base - dt.timedelta(days=60)), Contraception("condoms", base - dt.timedelta(days=60))],
        prescriptions=[Prescription(base, 30), Prescription(retest, 30)],
        pickups=[Pickup(base, base + dt.timedelta(days=8)), Pickup(retest, retest)],
    )


def test_missed_first_window_under_2021_locks_out_for_19_days():
    early = evaluate(_missed_then_retest(10, IPLEDGE_2021), IPLEDGE_2021).decisions
    assert [d.allowed for d in early] == [False, False]
    assert early[1].rule == "lockout after a missed window"
    on_time = evaluate(_missed_then_retest(19, IPLEDGE_2021), IPLEDGE_2021).decisions
    assert [d.allowed for d in on_time] == [False, True]


def test_missed_window_under_2026_allows_an_immediate_retest():
    base = D(2026, 9, 7)
    decisions = evaluate(_missed_then_retest(9, IPLEDGE_2026, base), IPLEDGE_2026).decisions
    assert [d.allowed for d in decisions] == [False, True]


def test_missed_window_under_the_eu_rules_needs_a_new_prescription_and_test():
    decisions = evaluate(_missed_then_retest(9, EU), EU).decisions
    assert [d.allowed for d in decisions] == [False, True]
    assert "7-day window from the prescription" in decisions[0].reason


# --------------------------------------------------------------------------- pregnancy tests


def test_positive_test_blocks_dispensing():
    tests = [PregnancyTest(START - dt.timedelta(days=25), "negative"), PregnancyTest(START, "positive")]
    decision = first_decision(can_get_pregnant(tests=tests))
    assert (decision.allowed, decision.rule) == (False, "positive pregnancy test")


def test_two_pretreatment_tests_at_least_19_days_apart():
    too_close = [PregnancyTest(START - dt.timedelta(days=18), "negative"), PregnancyTest(START, "negative")]
    assert "they are 18 days apart" in first_decision(can_get_pregnant(tests=too_close)).reason
    just_enough = [PregnancyTest(START - dt.timedelta(days=19), "negative"), PregnancyTest(START, "negative")]
    assert first_decision(can_get_pregnant(tests=just_enough)).allowed
    only_one = [PregnancyTest(START, "negative")]
    assert "2 negative pre-treatment tests are required" in first_decision(can_get_pregnant(tests=only_one)).reason


def test_home_test_counts_during_treatment_only_after_2026():
    def course(base: dt.date, setting: str) -> Timeline:
        second = base + dt.timedelta(days=30)
        return Timeline(
            "SYN-T004", "can_get_pregnant",
            pregnancy_tests=[PregnancyTest(base - dt.timedelta(days=25), "negative"), PregnancyTest(base, "negative"), PregnancyTest(second, "negative", setting)],
            contraception=[Contraception("implant", base - dt.timedelta(days=60)), Contraception("condoms", base - dt.timedelta(days=60))],
            prescriptions=[Prescription(base, 30), Prescription(second, 30)],
            pickups=[Pickup(base, base), Pickup(second, second)],
        )
    old = evaluate(course(START, "home"), IPLEDGE_2021).decisions
    assert [d.allowed for d in old] == [True, False]  # the home test does not count; the window runs from the lab test
    new = evaluate(course(D(2026, 9, 1), "home"), IPLEDGE_2026).decisions
    assert [d.allowed for d in new] == [True, True]


def test_patient_who_cannot_get_pregnant_needs_no_tests_or_contraception():
    timeline = Timeline("SYN-T005", "cannot_get_pregnant", prescriptions=[Prescription(START, 30)], pickups=[Pickup(START, START)])
    evaluation = evaluate(timeline, IPLEDGE_2021)
    assert evaluation.decisions[0].allowed
    assert evaluation.gaps == ()


# --------------------------------------------------------------------------- supply and refills


@pytest.mark.parametrize(("days_supply", "allowed"), [(30, True), (31, False)])
def test_supply_limit(days_supply, allowed):
    decision = first_decision(can_get_pregnant(days_supply=days_supply))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "supply limit"


def test_refills_are_refused():
    decision = first_decision(can_get_pregnant(refills=1))
    assert (decision.allowed, decision.rule) == (False, "no refills")


# --------------------------------------------------------------------------- contraception


@pytest.mark.parametrize(("days_before_first_dose", "allowed"), [(30, True), (29, False)])
def test_contraception_must_start_a_month_before_the_first_dose(days_before_first_dose, allowed):
    begun = START - dt.timedelta(days=days_before_first_dose)
    decision = first_decision(can_get_pregnant(contraception=[Contraception("pill", begun), Contraception("condoms", begun)]))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "contraception"


def test_one_method_is_enough_under_the_eu_rules_but_not_under_ipledge():
    eu_day = D(2025, 3, 3)
    timeline = Timeline(
        "SYN-T006", "can_get_pregnant",
        pregnancy_tests=[PregnancyTest(eu_day - dt.timedelta(days=2), "negative", "office")],
        contraception=[Contraception("implant", eu_day - dt.timedelta(days=40))],
        prescriptions=[Prescription(eu_day, 30)], pickups=[Pickup(eu_day, eu_day + dt.timedelta(days=3))],
    )
    assert evaluate(timeline, EU).decisions[0].allowed
    assert not evaluate(timeline, IPLEDGE_2021).decisions[0].allowed


@pytest.mark.parametrize(("days_before_prescription", "allowed"), [(3, True), (4, False)])
def test_eu_test_within_three_days_before_the_prescription(days_before_prescription, allowed):
    day = D(2025, 3, 3)
    timeline = Timeline(
        "SYN-T007", "can_get_pregnant",
        pregnancy_tests=[PregnancyTest(day - dt.timedelta(days=days_before_prescription), "negative", "office")],
        contraception=[Contraception("implant", day - dt.timedelta(days=40))],
        prescriptions=[Prescription(day, 30)], pickups=[Pickup(day, day)],
    )
    assert evaluate(timeline, EU).decisions[0].allowed is allowed


def test_contraception_stopping_too_early_and_missing_post_treatment_test_are_gaps():
    stops_early = [Contraception("pill", D(2025, 1, 1), D(2025, 4, 10)), Contraception("condoms", D(2025, 1, 1))]
    evaluation = evaluate(can_get_pregnant(contraception=stops_early), IPLEDGE_2021)
    assert evaluation.decisions[0].allowed
    rules = [gap.rule for gap in evaluation.gaps]
    assert "contraception after treatment" in rules  # needed until 2025-05-02 (supply ends 04-02, + 30 days)
    assert "pregnancy test after treatment" in rules
    kept_on = [Contraception("pill", D(2025, 1, 1), D(2025, 5, 2)), Contraception("condoms", D(2025, 1, 1))]
    assert "contraception after treatment" not in [gap.rule for gap in evaluate(can_get_pregnant(contraception=kept_on), IPLEDGE_2021).gaps]


# --------------------------------------------------------------------------- bad timelines


@pytest.mark.parametrize(
    ("timeline", "message"),
    [
        (Timeline("SYN-T9", "maybe_pregnant"), "unknown category 'maybe_pregnant'"),
        (Timeline("", "can_get_pregnant"), "the timeline has no patient_id"),
        (Timeline("SYN-T9", "can_get_pregnant", pregnancy_tests=[PregnancyTest(D(2025, 3, 1), "negative"), PregnancyTest(D(2025, 2, 1), "negative")]),
         "pregnancy tests are out of order (2025-02-01 comes after 2025-03-01)"),
        (Timeline("SYN-T9", "can_get_pregnant", pregnancy_tests=[PregnancyTest(D(2025, 3, 1), "unclear")]), "result must be 'negative' or 'positive'"),
        (Timeline("SYN-T9", "can_get_pregnant", contraception=[Contraception("pill", D(2025, 3, 1), D(2025, 2, 1))]), "ends (2025-02-01) before it starts (2025-03-01)"),
        (Timeline("SYN-T9", "can_get_pregnant", prescriptions=[Prescription(D(2025, 3, 1), 30)], pickups=[Pickup(D(2025, 2, 1), D(2025, 3, 2))]),
         "refers to a prescription of 2025-02-01 that is not in the timeline"),
        (Timeline("SYN-T9", "can_get_pregnant", prescriptions=[Prescription(D(2025, 3, 1), 30)], pickups=[Pickup(D(2025, 3, 1), D(2025, 2, 27))]),
         "is before its prescription"),
        (Timeline("SYN-T9", "can_get_pregnant", pregnancy_tests=[PregnancyTest("2025-03-01", "negative")]), "'2025-03-01' is not a date"),
    ],
)
def test_bad_timelines_are_refused_with_clear_messages(timeline, message):
    with pytest.raises(TimelineError) as caught:
        evaluate(timeline, IPLEDGE_2021)
    assert message in str(caught.value)


def test_explain_reads_like_a_pharmacy_note():
    text = explain(evaluate(can_get_pregnant(START + dt.timedelta(days=7)), IPLEDGE_2021))
    assert text.splitlines()[0] == "Rule set: iPLEDGE REMS, December 2021 requirements (applies from 2021-12-13)"
    assert "2025-03-10: DO NOT DISPENSE — pick-up window: the 7-day window from the pregnancy test (2025-03-03) ended on 2025-03-09" in text


def test_timeline_from_plain_data_and_its_clear_refusals():
    from isotretinoin_course.models.risk_management import timeline_from_dict

    data = {
        "patient_id": "SYN-J1", "category": "cannot_get_pregnant", "pregnancy_tests": [], "contraception": [],
        "prescriptions": [{"date": "2025-03-03", "days_supply": 30}], "pickups": [{"prescription_date": "2025-03-03", "date": "2025-03-05"}],
    }
    assert evaluate(timeline_from_dict(data), IPLEDGE_2021).decisions[0].allowed
    with pytest.raises(TimelineError, match=r"SYN-J1: missing field\(s\) \['pickups'\]"):
        timeline_from_dict({key: value for key, value in data.items() if key != "pickups"})
    with pytest.raises(TimelineError, match=r"prescriptions entry 1: missing \['days_supply'\]"):
        timeline_from_dict({**data, "prescriptions": [{"date": "2025-03-03"}]})
    with pytest.raises(TimelineError, match=r"pick-up 1: '2025-13-01' is not a date"):
        timeline_from_dict({**data, "pickups": [{"prescription_date": "2025-03-03", "date": "2025-13-01"}]})
