"""The rules engine: every rule of every rule set at its limits (the day before, on and after), the dated sets
and how the one in force is chosen, and the refusal of timelines that cannot be judged.

Each scenario starts from a patient who meets every rule of the set for a first supply on the set's BASE day
(:func:`compliant`) and changes one thing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from isotretinoin_course.content.bibliography import load_bibliography
from isotretinoin_course.content.programmes import programmes
from isotretinoin_course.content.rule_sets import RULE_NAMES, RuleSetError, resolve_rule_set, rule_set_for, rule_sets
from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.models.risk_management import (
    Contraception,
    Pickup,
    PregnancyTest,
    Prescription,
    Timeline,
    TimelineError,
    decisions_by_programme,
    evaluate,
    explain,
    timeline_from_dict,
)

D = dt.date
DAY = dt.timedelta(days=1)
RULES = rule_sets()
SETS = tuple(RULES)
US = ("ipledge_2021", "ipledge_discretion_2023", "ipledge_2026")
EU_UK = ("eu_ppp_2018", "uk_ppp_2018", "uk_mhra_2023", "uk_mhra_2025", "uk_mhra_2026")
BASE = {  # a first supply well inside each set's period
    "ipledge_2021": D(2022, 3, 7), "ipledge_discretion_2023": D(2025, 3, 3), "ipledge_2026": D(2026, 9, 7),
    "eu_ppp_2018": D(2025, 3, 3), "uk_ppp_2018": D(2022, 3, 7), "uk_mhra_2023": D(2024, 3, 4), "uk_mhra_2025": D(2025, 11, 10),
    "uk_mhra_2026": D(2026, 3, 2),
}
CGP, CNGP = "can_get_pregnant", "cannot_get_pregnant"


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def compliant(key: str, category: str = CGP, *, supply: int = 30, refills: int = 0, pickup_offset: int = 0, prescription_offset: int = 0,
              tests=None, contraception=None, after_tests: bool = True, **fields) -> Timeline:
    """A patient who meets every rule of set ``key`` for one supply collected ``pickup_offset`` days after BASE."""
    rules, base = RULES[key], BASE[key]
    prescribed = base + days(prescription_offset)
    last_dose = base + days(pickup_offset + supply - 1)
    if tests is None:
        tests = []
        if category == CGP:
            count, _gap = rules.pretreatment_tests()
            if count == 2:
                tests.append(PregnancyTest(base - days(25), "negative", rules.settings("screening")[0]))
            tests.append(PregnancyTest(base, "negative", rules.settings("confirmation")[0]))
            if after_tests:
                tests += [PregnancyTest(last_dose, "negative", rules.settings("after")[0]),
                          PregnancyTest(last_dose + days(30), "negative", rules.settings("after")[0])]
    if contraception is None:
        contraception = [Contraception("contraceptive implant", base - days(60)), Contraception("male latex condom", base - days(60))] if category == CGP else []
    values = dict(pregnancy_tests=tests, contraception=contraception, prescriptions=[Prescription(prescribed, supply, refills)],
                  pickups=[Pickup(prescribed, base + days(pickup_offset))], programme=rules.programme, risk_acknowledgement=base - days(1))
    values.update(fields)
    return Timeline("SYN-T001", category, **values)


def first(timeline: Timeline, key: str):
    return evaluate(timeline, key).decisions[0]


def rules_of(evaluation) -> set[str]:
    return {gap.rule for gap in evaluation.gaps}


# --------------------------------------------------------------------------- the rule sets: dated, cited data


def test_every_rule_set_is_dated_cited_and_says_what_it_does_not_model():
    bibliography = load_bibliography()
    labels = programmes().source_labels
    assert set(RULES) == {"ipledge_2021", "ipledge_discretion_2023", "ipledge_2026", "eu_ppp_2018", "uk_ppp_2018", "uk_mhra_2023", "uk_mhra_2025",
                          "uk_mhra_2026"}
    for rule_set in RULES.values():
        assert set(rule_set.rules) == set(RULE_NAMES)
        assert rule_set.not_modelled, rule_set.key
        cited = set(rule_set.sources) | {rule.source for rule in rule_set.rules.values()} | {item.source for item in rule_set.not_modelled}
        cited.add(rule_set.date_detail.source)
        assert cited <= set(bibliography.entries), (rule_set.key, sorted(cited - set(bibliography.entries)))
        assert cited <= set(labels), (rule_set.key, sorted(cited - set(labels)))
        for rule in rule_set.rules.values():
            assert rule.status in programmes().statuses and rule.plain and rule.section, (rule_set.key, rule.name)


def test_one_home_for_each_date_and_the_2026_date_is_data_with_its_status():
    assert RULES["ipledge_2021"].applies_until == RULES["ipledge_discretion_2023"].applies_from - DAY == D(2023, 9, 30)
    assert RULES["ipledge_discretion_2023"].applies_until == RULES["ipledge_2026"].applies_from - DAY
    assert D(2026, 2, 9) + days(180) == RULES["ipledge_2026"].applies_from == D(2026, 8, 8)
    assert RULES["ipledge_2026"].date_detail.confirmed is False
    assert "not confirmed" in RULES["ipledge_2026"].period_words() and "scheduled" in RULES["ipledge_2026"].date_detail.plain.lower()
    discretion = RULES["ipledge_discretion_2023"]
    assert (discretion.date_detail.precision, discretion.applies_from) == ("month", D(2023, 10, 1))
    # the discretion's end is the 2026 set's unconfirmed start, and says so (review I2)
    assert discretion.period_words() == "from October 2023 to 7 August 2026 (the end depends on an unconfirmed date)"
    assert RULES["ipledge_2021"].period_words() == "from 13 December 2021 to 30 September 2023"
    assert RULES["uk_mhra_2023"].applies_until == D(2025, 10, 26) and RULES["uk_mhra_2025"].applies_until == D(2026, 1, 21)
    assert RULES["uk_ppp_2018"].applies_until == D(2023, 10, 30) and RULES["uk_ppp_2018"].applies_from == RULES["eu_ppp_2018"].applies_from


def test_based_on_keeps_the_base_rules_except_the_ones_changed():
    discretion, written = RULES["ipledge_discretion_2023"], RULES["ipledge_2021"]
    assert discretion.rules["pickup_window"] == written.rules["pickup_window"]
    assert discretion.settings("during") == ("office", "lab", "home") and written.settings("during") == ("lab",)
    assert "Home tests during the COVID-19 emergency" in {item.topic for item in written.not_modelled}
    assert "Home tests during the COVID-19 emergency" not in {item.topic for item in discretion.not_modelled}
    assert RULES["uk_mhra_2023"].rules["abstinence_instead_of_contraception"].source == "mhra-pharmacist-checklist-2023"


@pytest.mark.parametrize(("programme", "day", "expected"), [
    ("ipledge", D(2021, 12, 13), "ipledge_2021"), ("ipledge", D(2023, 9, 30), "ipledge_2021"), ("ipledge", D(2023, 10, 1), "ipledge_discretion_2023"),
    ("ipledge", D(2026, 8, 7), "ipledge_discretion_2023"), ("ipledge", D(2026, 8, 8), "ipledge_2026"), ("ipledge", D(2026, 8, 9), "ipledge_2026"),
    ("eu", D(2018, 6, 21), "eu_ppp_2018"), ("uk", D(2018, 6, 21), "uk_ppp_2018"), ("uk", D(2023, 10, 30), "uk_ppp_2018"),
    ("uk", D(2023, 10, 31), "uk_mhra_2023"), ("uk", D(2025, 10, 26), "uk_mhra_2023"),
    ("uk", D(2025, 10, 27), "uk_mhra_2025"), ("uk", D(2026, 1, 21), "uk_mhra_2025"), ("uk", D(2026, 1, 22), "uk_mhra_2026"),
])
def test_the_rule_set_in_force_on_a_day(programme, day, expected):
    assert rule_set_for(programme, day).key == expected


@pytest.mark.parametrize("day", ["2025-03-01", dt.datetime(2025, 3, 1, 9, 30), pd.Timestamp("2025-03-01"), np.datetime64("2025-03-01"), D(2025, 3, 1)])
def test_rule_set_for_accepts_any_date_the_course_reads(day):
    assert rule_set_for("ipledge", day).key == "ipledge_discretion_2023"


@pytest.mark.parametrize("given", [RULES["ipledge_2021"], "ipledge_2021", RULES["ipledge_2021"].name, "ipledge"])
def test_rule_set_for_accepts_a_rule_set_by_object_or_name(given):
    assert rule_set_for(given, "2026-09-01").key == "ipledge_2026"
    if given != "ipledge":
        assert resolve_rule_set(given) is RULES["ipledge_2021"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda: rule_set_for("ipledge", D(2021, 12, 12)), "no ipledge rule set in this course applies on 2021-12-12; the first starts on 2021-12-13"),
    (lambda: rule_set_for("uk", "2018-06-20"), "no uk rule set in this course applies on 2018-06-20; the first starts on 2018-06-21"),
    (lambda: rule_set_for("ipledg", "2025-01-01"), "did you mean 'ipledge'"),
    (lambda: rule_set_for("ipledge", "2025-13-01"), "'2025-13-01' is not a date"),
    (lambda: resolve_rule_set("ipledge-2021"), "did you mean 'ipledge_2021'"),
])
def test_rule_set_for_refuses_clearly(call, message):
    with pytest.raises(RuleSetError) as caught:
        call()
    assert message in str(caught.value)


# --------------------------------------------------------------------------- the compliant patient passes everywhere


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("category", [CGP, CNGP])
def test_a_compliant_patient_is_dispensed_with_no_gap(key, category):
    evaluation = evaluate(compliant(key, category), key)
    assert [decision.allowed for decision in evaluation.decisions] == [True], explain(evaluation)
    assert evaluation.gaps == () and evaluation.notes == ()


# --------------------------------------------------------------------------- supply, refills, registration, authorisation


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("category", [CGP, CNGP])
def test_supply_limit_at_its_boundary(key, category):
    limit = RULES[key].max_days_supply(category)
    if limit is None:  # the EU and UK set no limit for patients who cannot get pregnant
        assert first(compliant(key, category, supply=90), key).allowed
        return
    for supply, allowed in ((limit - 1, True), (limit, True), (limit + 1, False)):
        decision = first(compliant(key, category, supply=supply), key)
        assert decision.allowed is allowed, (supply, decision)
        if not allowed:
            assert decision.rule == "supply limit"


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("category", [CGP, CNGP])
def test_refills(key, category):
    decision = first(compliant(key, category, refills=1), key)
    if RULES[key].refills_allowed(category) is False:
        assert (decision.allowed, decision.rule) == (False, "no refills")
    else:
        assert decision.allowed


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("category", [CGP, CNGP])
def test_every_us_patient_is_registered_whatever_their_category(key, category):
    decision = first(compliant(key, category, registered=False), key)
    if key in US:
        assert (decision.allowed, decision.rule) == (False, "registration")
    else:
        assert decision.allowed


@pytest.mark.parametrize("key", SETS)
def test_the_authorisation_carries_the_last_day_to_dispense(key):
    decision = first(compliant(key), key)
    if key in US:
        assert decision.last_day_to_dispense == BASE[key] + days(6)
        assert f"dispense by {BASE[key] + days(6)}" in explain(evaluate(compliant(key), key))
    else:
        assert decision.last_day_to_dispense is None


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize(("authorised", "reversed_", "reversal_due"), [(True, False, True), (True, True, False), (False, False, False)])
def test_an_uncollected_authorisation_must_be_reversed_from_2026(key, authorised, reversed_, reversal_due):
    timeline = compliant(key, CNGP)
    uncollected = BASE[key] + days(30)
    timeline.prescriptions.append(Prescription(uncollected, 30, authorised=uncollected if authorised else None,
                                               authorisation_reversed=uncollected + days(8) if reversed_ else None))
    evaluation = evaluate(timeline, key)
    assert [note.rule for note in evaluation.notes] == ["prescription not collected"]
    assert ("authorisation not reversed" in rules_of(evaluation)) is (reversal_due and key == "ipledge_2026")


# --------------------------------------------------------------------------- collection windows and the lockout


def _window_cases():
    for key in SETS:
        for category in (CGP, CNGP):
            window = RULES[key].pickup_window(category)
            if window is not None:
                yield key, category, window.days


@pytest.mark.parametrize(("key", "category", "length"), list(_window_cases()))
def test_collection_window_the_day_before_on_and_after_its_last_day(key, category, length):
    last = length - 1  # day 1 is the test or prescription day
    for offset, allowed in ((last - 1, True), (last, True), (last + 1, False)):
        decision = first(compliant(key, category, pickup_offset=offset), key)
        assert decision.allowed is allowed, (offset, decision)
        if not allowed:
            assert decision.rule == "pick-up window" and f"ended on {BASE[key] + days(last)}" in decision.reason


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("category", [CGP, CNGP])
def test_no_window_where_the_set_has_none(key, category):
    if RULES[key].pickup_window(category) is None:
        decision = first(compliant(key, category, pickup_offset=45), key)
        assert decision.allowed and "no collection window applies" in decision.reason


def _missed_first_window(key: str, retest_after: int) -> Timeline:
    """The first window (test on BASE) is missed on day 9; a new test and a collection come ``retest_after`` days after that test."""
    base, rules = BASE[key], RULES[key]
    retest = base + days(retest_after)
    return Timeline("SYN-T003", CGP, programme=rules.programme,
                    pregnancy_tests=[PregnancyTest(base - days(25), "negative", "office"), PregnancyTest(base, "negative", "lab"),
                                     PregnancyTest(retest, "negative", "lab")],
                    contraception=[Contraception("contraceptive implant", base - days(60)), Contraception("male latex condom", base - days(60))],
                    prescriptions=[Prescription(base, 30), Prescription(retest, 30)],
                    pickups=[Pickup(base, base + days(8)), Pickup(retest, retest)])


@pytest.mark.parametrize("key", US)
def test_lockout_after_a_missed_first_window(key):
    lockout = RULES[key].lockout_days()
    if lockout is None:  # 2026: a repeat test at once
        assert [d.allowed for d in evaluate(_missed_first_window(key, 9), key).decisions] == [False, True]
        return
    for retest_after, allowed in ((lockout - 1, False), (lockout, True), (lockout + 1, True)):
        decisions = evaluate(_missed_first_window(key, retest_after), key).decisions
        assert [d.allowed for d in decisions] == [False, allowed], (retest_after, decisions)
        if not allowed:
            assert decisions[1].rule == "lockout after a missed window"


def test_only_the_first_missed_window_locks_out():
    key, base = "ipledge_discretion_2023", BASE["ipledge_discretion_2023"]
    second, retest = base + days(30), base + days(40)
    timeline = compliant(key, tests=[PregnancyTest(base - days(25), "negative", "office"), PregnancyTest(base, "negative"),
                                     PregnancyTest(second, "negative"), PregnancyTest(retest, "negative")], after_tests=False)
    timeline.prescriptions += [Prescription(second, 30), Prescription(retest, 30)]
    timeline.pickups += [Pickup(second, second + days(8)), Pickup(retest, retest)]
    assert [d.allowed for d in evaluate(timeline, key).decisions] == [True, False, True]


# --------------------------------------------------------------------------- pregnancy tests before, during and after


@pytest.mark.parametrize("key", US)
def test_two_pretreatment_tests_at_least_19_days_apart(key):
    base, rules = BASE[key], RULES[key]
    for spacing, allowed in ((18, False), (19, True), (20, True)):
        tests = [PregnancyTest(base - days(spacing), "negative", "office"), PregnancyTest(base, "negative", rules.settings("confirmation")[0])]
        decision = first(compliant(key, tests=tests), key)
        assert decision.allowed is allowed, (spacing, decision)
        if not allowed:
            assert f"they are {spacing} days apart" in decision.reason
    only_one = first(compliant(key, tests=[PregnancyTest(base, "negative", "lab")]), key)
    assert (only_one.allowed, only_one.rule) == (False, "pre-treatment pregnancy tests")


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("setting", ["lab", "office", "home", "remote"])
def test_where_the_pretreatment_tests_may_be_done(key, setting):
    """The screening test may be obtained by the prescriber in the office (no laboratory); the confirmation test
    needs a CLIA laboratory in the 2021 text and a medical setting afterwards; never at home."""
    base, rules = BASE[key], RULES[key]
    if rules.pretreatment_tests()[0] == 2:
        screening = first(compliant(key, tests=[PregnancyTest(base - days(25), "negative", setting), PregnancyTest(base, "negative", "lab")]), key)
        assert screening.allowed is (setting in ("lab", "office"))
    confirmation_tests = ([PregnancyTest(base - days(25), "negative", "office")] if rules.pretreatment_tests()[0] == 2 else []) + [PregnancyTest(base, "negative", setting)]
    confirmation = first(compliant(key, tests=confirmation_tests), key)
    expected = setting == "lab" if key == "ipledge_2021" else setting in ("lab", "office")
    assert confirmation.allowed is expected, (setting, confirmation)


def _second_visit(key: str, test_offset: int, setting: str, *, prescription_offset: int = 30, pickup_offset: int | None = None) -> Timeline:
    """A compliant first supply, then a monthly test ``test_offset`` days after BASE and a second prescription and collection."""
    base = BASE[key]
    timeline = compliant(key, after_tests=False)
    timeline.pregnancy_tests.append(PregnancyTest(base + days(test_offset), "negative", setting))
    prescribed = base + days(prescription_offset)
    timeline.prescriptions.append(Prescription(prescribed, 30))
    timeline.pickups.append(Pickup(prescribed, base + days(pickup_offset if pickup_offset is not None else prescription_offset)))
    return timeline


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("setting", ["lab", "office", "home", "remote"])
def test_where_a_monthly_test_may_be_done(key, setting):
    """Home tests during treatment count in the US from October 2023 (not in the 2021 text); the EU and UK want
    supervised tests, remote supervision counting in the UK from 27 October 2025."""
    evaluation = evaluate(_second_visit(key, 30, setting), key)
    accepted = setting in RULES[key].settings("during")
    if key in US:
        assert evaluation.decisions[1].allowed is accepted, (setting, evaluation.decisions[1])
    else:  # review W4: no EU/UK rule refuses it, but an unsupervised test does not pass "all checks": hold and query
        decision = evaluation.decisions[1]
        assert decision.allowed and decision.outcome == ("dispense" if accepted else "query"), (setting, decision)
        assert ("pregnancy test before prescribing" in rules_of(evaluation)) is (not accepted)
        if not accepted:
            assert "all checks passed" not in decision.reason and "in place" not in decision.reason
            assert "hold it and query the prescriber" in decision.reason
    expected_us = {"ipledge_2021": {"lab"}, "ipledge_discretion_2023": {"lab", "office", "home"}, "ipledge_2026": {"lab", "office", "home"},
                   "eu_ppp_2018": {"lab", "office"}, "uk_ppp_2018": {"lab", "office"}, "uk_mhra_2023": {"lab", "office"}, "uk_mhra_2025": {"lab", "office", "remote"},
                   "uk_mhra_2026": {"lab", "office", "remote"}}
    assert set(RULES[key].settings("during")) == expected_us[key]


@pytest.mark.parametrize("key", EU_UK)
def test_eu_and_uk_follow_up_test_within_3_days_before_the_prescription(key):
    for test_before, flagged in ((4, True), (3, False), (2, False), (0, False), (-1, True)):
        evaluation = evaluate(_second_visit(key, 30 - test_before, "lab"), key)
        assert evaluation.decisions[1].allowed
        assert ("pregnancy test before prescribing" in rules_of(evaluation)) is flagged, (test_before, explain(evaluation))


@pytest.mark.parametrize("key", US)
def test_a_us_monthly_collection_without_a_new_test_is_refused(key):
    decision = evaluate(_second_visit(key, 20, "lab"), key).decisions[1]  # the window from day 20 ended on day 26
    assert (decision.allowed, decision.rule) == (False, "pick-up window")


@pytest.mark.parametrize("key", SETS)
def test_a_positive_test_stops_dispensing_everywhere(key):
    timeline = _second_visit(key, 30, "lab")
    timeline.pregnancy_tests[-1] = dataclasses.replace(timeline.pregnancy_tests[-1], result="positive")
    decision = evaluate(timeline, key).decisions[1]
    assert (decision.allowed, decision.rule) == (False, "positive pregnancy test")


@pytest.mark.parametrize("key", SETS)
def test_the_test_at_the_end_of_the_course(key):
    """iPLEDGE (label 5.15): a test at the end of the course; the course accepts it within 7 days of the last dose."""
    base, rules = BASE[key], RULES[key]
    last_dose = base + days(29)
    for offset, gap in ((-8, True), (-7, False), (7, False), (8, True)):
        tests = [test for test in compliant(key).pregnancy_tests if test.date != last_dose] + [PregnancyTest(last_dose + days(offset), "negative", "lab")]
        evaluation = evaluate(compliant(key, tests=sorted(tests, key=lambda test: test.date)), key)
        expected = gap and rules.end_of_treatment_within_days() is not None
        assert ("pregnancy test at the end of the course" in rules_of(evaluation)) is expected, (offset, explain(evaluation))


@pytest.mark.parametrize("key", SETS)
def test_the_test_one_month_after_the_course(key):
    base = BASE[key]
    last_dose = base + days(29)
    for offset, gap in ((21, True), (22, True), (23, False), (24, False), (30, False)):
        tests = [test for test in compliant(key).pregnancy_tests if test.date <= last_dose] + [PregnancyTest(last_dose + days(offset), "negative", "lab")]
        evaluation = evaluate(compliant(key, tests=tests), key)
        assert ("pregnancy test one month after the course" in rules_of(evaluation)) is gap, (offset, explain(evaluation))


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("setting", ["lab", "home", "remote"])
def test_where_the_tests_after_the_course_may_be_done(key, setting):
    last_dose = BASE[key] + days(29)
    tests = [test for test in compliant(key).pregnancy_tests if test.date < last_dose]
    tests += [PregnancyTest(last_dose, "negative", setting), PregnancyTest(last_dose + days(30), "negative", setting)]
    evaluation = evaluate(compliant(key, tests=tests), key)
    accepted = setting in RULES[key].settings("after")
    assert ("pregnancy test one month after the course" in rules_of(evaluation)) is (not accepted), (setting, explain(evaluation))


# --------------------------------------------------------------------------- contraception


@pytest.mark.parametrize(("methods", "accepted"), [
    (("contraceptive implant", "male latex condom"), {"ipledge": True, "eu": True, "uk": True}),
    (("combined oral contraceptive", "male latex condom"), {"ipledge": True, "eu": True, "uk": True}),
    (("progestin-only pill", "male latex condom"), {"ipledge": False, "eu": True, "uk": True}),  # the minipill is not a US form
    (("male latex condom", "diaphragm with spermicide"), {"ipledge": False, "eu": False, "uk": False}),  # no primary; two barriers are not complementary
    (("combined oral contraceptive", "contraceptive patch"), {"ipledge": True, "eu": False, "uk": False}),  # two hormonal methods: not complementary
    (("contraceptive implant",), {"ipledge": False, "eu": True, "uk": True}),  # one highly effective method is enough in the EU and UK
    (("copper intrauterine device",), {"ipledge": False, "eu": True, "uk": True}),
    (("contraceptive injection",), {"ipledge": False, "eu": False, "uk": False}),  # MHRA 2019: highly effective only if each injection is documented on time
    (("contraceptive injection", "male latex condom"), {"ipledge": True, "eu": True, "uk": True}),
    (("combined oral contraceptive",), {"ipledge": False, "eu": False, "uk": False}),
    (("continuous abstinence",), {"ipledge": True, "eu": False, "uk": False}),
])
@pytest.mark.parametrize("key", SETS)
def test_which_methods_meet_each_programmes_rule(key, methods, accepted):
    start = BASE[key] - days(60)
    decision = first(compliant(key, contraception=[Contraception(name, start) for name in methods]), key)
    assert decision.allowed is accepted[RULES[key].programme], (methods, decision)
    if not decision.allowed:
        assert decision.rule == "contraception"


def test_abstinence_still_needs_every_test():
    key = "ipledge_discretion_2023"
    timeline = compliant(key, contraception=[Contraception("continuous abstinence", BASE[key] - days(60))], after_tests=False)
    evaluation = evaluate(timeline, key)
    assert evaluation.decisions[0].allowed
    assert {"pregnancy test at the end of the course", "pregnancy test one month after the course"} <= rules_of(evaluation)
    no_tests = first(dataclasses.replace(timeline, pregnancy_tests=[]), key)
    assert (no_tests.allowed, no_tests.rule) == (False, "pre-treatment pregnancy tests")


def test_a_patient_may_move_from_abstinence_to_two_methods():
    key = "ipledge_discretion_2023"
    base = BASE[key]
    switch = [Contraception("continuous abstinence", base - days(60), base - days(11)), Contraception("combined oral contraceptive", base - days(10)),
              Contraception("male latex condom", base - days(10))]
    assert first(compliant(key, contraception=switch), key).allowed
    gap = [Contraception("continuous abstinence", base - days(60), base - days(12)), Contraception("combined oral contraceptive", base - days(10)),
           Contraception("male latex condom", base - days(10))]
    decision = first(compliant(key, contraception=gap), key)
    assert not decision.allowed and f"from {base - days(11)}" in decision.reason


@pytest.mark.parametrize("key", SETS)
def test_contraception_from_a_month_before_the_first_dose(key):
    needed, _after = RULES[key].contraception_days()  # 30 days; 28 ("4 weeks") in the UK
    for before, allowed in ((needed - 1, False), (needed, True), (needed + 1, True)):
        begun = BASE[key] - days(before)
        decision = first(compliant(key, contraception=[Contraception("contraceptive implant", begun), Contraception("male latex condom", begun)]), key)
        assert decision.allowed is allowed, (before, decision)


@pytest.mark.parametrize("key", SETS)
def test_contraception_until_a_month_after_the_last_dose(key):
    _before, needed = RULES[key].contraception_days()
    last_dose = BASE[key] + days(29)
    for after, gap in ((needed - 1, True), (needed, False), (needed + 1, False)):
        methods = [Contraception("contraceptive implant", BASE[key] - days(60), last_dose + days(after)), Contraception("male latex condom", BASE[key] - days(60))]
        evaluation = evaluate(compliant(key, contraception=methods), key)
        assert ("contraception after treatment" in rules_of(evaluation)) is gap, (after, explain(evaluation))


@pytest.mark.parametrize("key", SETS)
def test_patients_who_cannot_get_pregnant_need_no_tests_or_contraception(key):
    evaluation = evaluate(compliant(key, CNGP), key)
    assert evaluation.decisions[0].allowed and evaluation.gaps == ()


# --------------------------------------------------------------------------- the UK's risk form


@pytest.mark.parametrize("key", SETS)
@pytest.mark.parametrize("category", [CGP, CNGP])
def test_the_uk_acknowledgement_of_risk_form_before_the_first_prescription(key, category):
    base = BASE[key]
    for form, allowed_in_uk in ((base - days(1), True), (base, True), (base + days(1), False), (None, False)):
        decision = first(compliant(key, category, risk_acknowledgement=form), key)
        assert decision.allowed is (allowed_in_uk or RULES[key].risk_acknowledgement() is None), (form, decision)
        if not decision.allowed:
            assert decision.rule == "risk acknowledgement form"


def test_a_form_older_than_the_updated_one_is_a_note_not_a_refusal():
    """Review W5: MHRA allowed services transition time and no source makes the pharmacist check the form's version."""
    key = "uk_mhra_2026"
    for form, noted in ((D(2026, 1, 21), True), (D(2026, 1, 22), False), (D(2026, 1, 23), False)):
        decision = first(compliant(key, risk_acknowledgement=form), key)
        assert decision.outcome == "dispense", (form, decision)
        assert any("updated form" in flag for flag in decision.flags) is noted, (form, decision.flags)
    # a first prescription written the day before the updated form, collected the day it came in, needs no note
    day_before = Timeline("SYN-T004", CGP, programme="uk", risk_acknowledgement=D(2026, 1, 15),
                          pregnancy_tests=[PregnancyTest(D(2026, 1, 21), "negative", "lab")],
                          contraception=[Contraception("contraceptive implant", D(2025, 11, 1))],
                          prescriptions=[Prescription(D(2026, 1, 21), 30)], pickups=[Pickup(D(2026, 1, 21), D(2026, 1, 22))])
    decision = evaluate(day_before, "uk").decisions[0]
    assert decision.rule_set_key == "uk_mhra_2026" and decision.outcome == "dispense" and not decision.flags
    # a course that started under the 2025 set keeps its form
    timeline = compliant("uk_mhra_2025", risk_acknowledgement=D(2025, 11, 1), after_tests=False)
    later = D(2026, 2, 2)
    timeline.pregnancy_tests.append(PregnancyTest(later, "negative", "lab"))
    timeline.prescriptions.append(Prescription(later, 30))
    timeline.pickups.append(Pickup(later, later))
    assert [d.allowed for d in evaluate(timeline, "uk").decisions] == [True, True]


# --------------------------------------------------------------------------- judging under the set in force


def test_each_collection_is_judged_under_the_set_in_force_that_day():
    day = D(2026, 7, 20)  # a patient who cannot get pregnant, across the scheduled 2026 date
    timeline = Timeline("SYN-T010", CNGP, prescriptions=[Prescription(day, 30), Prescription(D(2026, 8, 8), 30)],
                        pickups=[Pickup(day, day + days(17)), Pickup(D(2026, 8, 8), D(2026, 9, 20))], programme="ipledge")
    decisions = evaluate(timeline, "ipledge").decisions
    assert [(d.allowed, d.rule_set_key) for d in decisions] == [(True, "ipledge_discretion_2023"), (True, "ipledge_2026")]
    fixed = evaluate(timeline, "ipledge_discretion_2023").decisions
    assert [(d.rule, d.outcome) for d in fixed] == [("all checks passed", "dispense"), ("outside this rule set", "not judged")]  # one set judges only its own dates


def test_a_collection_outside_a_fixed_set_is_not_judged_and_not_a_gap():
    """Review W6: a date the set does not govern is neither a refusal nor a patient's compliance gap."""
    evaluation = evaluate(compliant("ipledge_discretion_2023", after_tests=False), "ipledge_2021")
    decision = evaluation.decisions[0]
    assert (decision.allowed, decision.outcome, decision.rule) == (False, "not judged", "outside this rule set")
    assert "from 13 December 2021 to 30 September 2023" in decision.reason
    assert evaluation.gaps == ()
    assert "NOT JUDGED" in explain(evaluation) and "DO NOT DISPENSE" not in explain(evaluation)


def test_a_2025_home_test_during_treatment_is_accepted_but_was_not_under_the_2021_text():
    """Review item 1: in 2025 FDA's discretion applied, so a home test during treatment is not a violation."""
    timeline = _second_visit("ipledge_discretion_2023", 30, "home")
    assert evaluate(timeline, "ipledge").decisions[1].allowed
    written = _second_visit("ipledge_2021", 30, "home")
    refused = evaluate(written, "ipledge_2021").decisions[1]
    assert (refused.allowed, refused.rule) == (False, "pick-up window") and "at home" in refused.reason
    # review I1: the verdict says that practice accepted home tests until fall 2023
    assert any("fall 2023" in flag for flag in refused.flags)


def test_the_same_record_under_three_programmes():
    timeline = dataclasses.replace(_second_visit("ipledge_discretion_2023", 28, "lab", prescription_offset=30, pickup_offset=37), programme=None)
    result = decisions_by_programme(timeline)
    assert [d.allowed for d in result["ipledge"].decisions] == [True, False]  # 9 days after the test
    assert [d.allowed for d in result["eu"].decisions] == [True, True]  # no EU-level window
    assert [d.allowed for d in result["uk"].decisions] == [True, False]  # 8 days after the prescription


# --------------------------------------------------------------------------- timelines that cannot be judged


@pytest.mark.parametrize(("timeline", "rule_set", "parts"), [
    (lambda: Timeline("UK-T1", CGP, programme="uk"), "ipledge_discretion_2023", ["UK-T1", "field 'programme'", "cannot judge them", "evaluate(timeline, 'uk')"]),
    (lambda: Timeline("US-T1", CGP, programme="ipledge"), "uk", ["US-T1", "field 'programme'", "iPLEDGE REMS (United States)"]),
    (lambda: Timeline("SYN-T9", CGP, contraception=[Contraception("male latex condom", D(2025, 1, 1)), Contraception("minipil", D(2025, 1, 1))]), "ipledge",
     ["SYN-T9", "contraception entry 2", "field 'method'", "'minipil' is not a method in the iPLEDGE REMS method list", "did you mean 'minipill'"]),
    (lambda: Timeline("SYN-T9", CGP, contraception=[Contraception("female condom", D(2025, 1, 1))]), "eu",
     ["contraception entry 1", "field 'method'", "'female condom' is not a method in the EU Pregnancy Prevention Programme method list"]),
    (lambda: Timeline("SYN-T9", CGP, contraception=[Contraception("continuous abstinence", D(2025, 1, 1)), Contraception("male latex condom", D(2025, 2, 1), D(2025, 3, 1))]),
     "ipledge", ["SYN-T9", "contraception entries 1 ('continuous abstinence') and 2 ('male latex condom')", "field 'start'", "from 2025-02-01 to 2025-03-01"]),
    (lambda: Timeline("SYN-T9", "maybe_pregnant"), "ipledge", ["SYN-T9", "field 'category'", "'maybe_pregnant' is not one of", "did you mean 'can_get_pregnant'?"]),
    (lambda: Timeline("", CGP), "ipledge", ["(no patient id)", "field 'patient_id'", "enter some text"]),
    (lambda: Timeline("SYN-T9", CGP, programme="canada"), "ipledge", ["SYN-T9", "field 'programme'", "'canada' is not one of"]),
    (lambda: Timeline("SYN-T9", CGP, pregnancy_tests=[PregnancyTest(D(2025, 3, 1), "negative"), PregnancyTest(D(2025, 2, 1), "negative")]), "ipledge",
     ["pregnancy test 2", "field 'date'", "out of order (2025-02-01 comes after 2025-03-01)"]),
    (lambda: Timeline("SYN-T9", CGP, pregnancy_tests=[PregnancyTest(D(2025, 3, 1), "unclear")]), "ipledge", ["result: 'unclear' is not one of 'negative', 'positive'"]),
    (lambda: Timeline("SYN-T9", CGP, pregnancy_tests=[PregnancyTest(D(2025, 3, 1), "negative", "pharmacy")]), "ipledge", ["setting: 'pharmacy' is not one of"]),
    (lambda: Timeline("SYN-T9", CGP, contraception=[Contraception("male latex condom", D(2025, 3, 1), D(2025, 2, 1))]), "ipledge",
     ["contraception entry 1 ('male latex condom')", "field 'end'", "ends (2025-02-01) before it starts (2025-03-01)"]),
    (lambda: Timeline("SYN-T9", CGP, prescriptions=[Prescription(D(2025, 3, 1), 30)], pickups=[Pickup(D(2025, 2, 1), D(2025, 3, 2))]), "ipledge",
     ["pick-up 1", "field 'prescription_date'", "not in the timeline"]),
    (lambda: Timeline("SYN-T9", CGP, prescriptions=[Prescription(D(2025, 3, 1), 30)], pickups=[Pickup(D(2025, 3, 1), D(2025, 2, 27))]), "ipledge",
     ["field 'date'", "is before its prescription"]),
    (lambda: Timeline("SYN-T9", CGP, prescriptions=[Prescription(D(2025, 3, 1), 30), Prescription(D(2025, 3, 1), 20)]), "ipledge", ["prescription 2", "field 'date'"]),
    (lambda: Timeline("SYN-T9", CGP, prescriptions=[Prescription(D(2025, 3, 1), 0)]), "ipledge", ["days_supply of 0 days is outside what is plausible (1–365 days)"]),
    (lambda: Timeline("SYN-T9", CGP, prescriptions=[Prescription(D(2025, 3, 1), 30, authorisation_reversed=D(2025, 3, 2))]), "ipledge", ["field 'authorisation_reversed'"]),
    (lambda: Timeline("SYN-T9", CGP, pregnancy_tests=[PregnancyTest("01/03/2025", "negative")]), "ipledge", ["date: '01/03/2025' is not a date in YYYY-MM-DD form"]),
])
def test_bad_timelines_are_refused_naming_patient_entry_and_field(timeline, rule_set, parts):
    # A field that cannot be read is refused when the timeline or its entry is made; a timeline whose entries do not
    # fit together, when it is judged.
    with pytest.raises(TimelineError) as caught:
        evaluate(timeline(), rule_set)
    assert isinstance(caught.value, CourseInputError)
    for part in parts:
        assert part in str(caught.value), (part, str(caught.value))


def test_an_unknown_rule_set_or_programme_is_refused():
    with pytest.raises(RuleSetError, match="or name a programme"):
        evaluate(Timeline("SYN-T9", CGP), "ipledge_2099")


def test_explain_reads_like_a_pharmacy_note():
    key = "ipledge_discretion_2023"
    text = explain(evaluate(compliant(key, pickup_offset=7), key))
    assert text.splitlines()[0] == ("Rule set: iPLEDGE REMS with FDA's enforcement discretion on pregnancy tests, applies from October 2023 to "
                                    "7 August 2026 (the end depends on an unconfirmed date)")
    assert "2025-03-10: DO NOT DISPENSE — pick-up window: the 7-day window from the pregnancy test (2025-03-03) ended on 2025-03-09" in text
    in_force = explain(evaluate(compliant(key), "ipledge"))
    assert in_force.startswith("Programme: iPLEDGE REMS") and "[iPLEDGE discretion]" in in_force


def test_timeline_from_plain_data_and_its_clear_refusals():
    data = {
        "patient_id": "SYN-J1", "category": CNGP, "pregnancy_tests": [], "contraception": [], "programme": "ipledge",
        "prescriptions": [{"date": "2025-03-03", "days_supply": 30}], "pickups": [{"prescription_date": "2025-03-03", "date": "2025-03-05"}],
    }
    assert evaluate(timeline_from_dict(data), "ipledge").decisions[0].allowed
    with pytest.raises(TimelineError, match=r"SYN-J1: missing field\(s\) \['pickups'\]"):
        timeline_from_dict({key: value for key, value in data.items() if key != "pickups"})
    with pytest.raises(TimelineError, match=r"SYN-J1: prescriptions entry 1: missing 'days_supply'"):
        timeline_from_dict({**data, "prescriptions": [{"date": "2025-03-03"}]})
    with pytest.raises(TimelineError, match=r"SYN-J1: pickups entry 1: date: '2025-13-01' is not a date"):
        timeline_from_dict({**data, "pickups": [{"prescription_date": "2025-03-03", "date": "2025-13-01"}]})
    with pytest.raises(TimelineError, match=r"SYN-J1: prescriptions entry 1: days_supply: 'thirty' is not a number of days"):
        timeline_from_dict({**data, "prescriptions": [{"date": "2025-03-03", "days_supply": "thirty"}]})
    # what a form or a CSV gives is read as a student means it: "30" is 30 days, an ISO date text is a date
    assert timeline_from_dict({**data, "prescriptions": [{"date": "2025-03-03", "days_supply": "30"}]}).prescriptions[0].days_supply == 30


# --------------------------------------------------------------------------- review fixes of 2026-11-30 (W1-W8, I1-I14)


def _lapse_timeline(key: str, resume: int, test_offset: int, third_visit: bool = False) -> Timeline:
    """A combined pill and condoms from BASE - 60; the condoms stop on BASE + 20 and a diaphragm starts on BASE + ``resume``
    (the pill alone fails every programme's rule); a monthly test on BASE + ``test_offset``, a second supply on BASE + 30."""
    base = BASE[key]
    timeline = compliant(key, after_tests=False, contraception=[
        Contraception("combined oral contraceptive", base - days(60)), Contraception("male latex condom", base - days(60), base + days(20)),
        Contraception("diaphragm with spermicide", base + days(resume))])
    timeline.pregnancy_tests.append(PregnancyTest(base + days(test_offset), "negative", "lab"))
    timeline.prescriptions.append(Prescription(base + days(30), 30))
    timeline.pickups.append(Pickup(base + days(30), base + days(30)))
    if third_visit:
        timeline.pregnancy_tests.append(PregnancyTest(base + days(60), "negative", "lab"))
        timeline.prescriptions.append(Prescription(base + days(60), 30))
        timeline.pickups.append(Pickup(base + days(60), base + days(60)))
    return timeline


@pytest.mark.parametrize("key", SETS)
def test_a_past_contraception_lapse_is_a_gap_not_a_bar_to_later_supplies(key):
    """Review W1: the lapse runs BASE+21 to BASE+27. A test on its last day does not rule out a pregnancy; a test the day
    after does, and the supply goes ahead with the lapse recorded once as a gap; later supplies are not refused for it."""
    base = BASE[key]
    on_last_day = evaluate(_lapse_timeline(key, 28, 27), key).decisions[1]
    assert (on_last_day.outcome, on_last_day.rule) == ("refuse", "contraception"), on_last_day
    assert f"lapsed from {base + days(21)} to {base + days(27)}" in on_last_day.reason and "no negative test" in on_last_day.reason
    for test_offset in (28, 29):
        evaluation = evaluate(_lapse_timeline(key, 28, test_offset, third_visit=True), key)
        assert [d.outcome for d in evaluation.decisions] == ["dispense"] * 3, explain(evaluation)
        lapse_gaps = [gap for gap in evaluation.gaps if gap.rule == "contraception during treatment"]
        assert [gap.date for gap in lapse_gaps] == [base + days(21)], explain(evaluation)
        assert any("recorded as a compliance gap" in flag for flag in evaluation.decisions[1].flags)


@pytest.mark.parametrize("key", SETS)
def test_a_lapse_still_going_on_the_collection_day_refuses_the_supply(key):
    for resume, outcome in ((29, "dispense"), (30, "dispense"), (31, "refuse")):  # the diaphragm from the day before, the day of, the day after
        decision = evaluate(_lapse_timeline(key, resume, 30), key).decisions[1]
        assert decision.outcome == outcome, (resume, decision)
        if outcome == "refuse":
            assert decision.rule == "contraception" and f"since {BASE[key] + days(21)}, and still does on the day of this collection" in decision.reason


@pytest.mark.parametrize("key", SETS)
def test_the_last_month_of_treatment_is_checked_for_contraception(key):
    """Review W2: contraception is checked from the last supply, not only from the last dose; the gap is dated on its first
    day and called a gap during treatment when it starts before the last dose."""
    base, last_dose = BASE[key], BASE[key] + days(29)
    for pill_ends, rule, first_day in ((base, "contraception during treatment", base + days(1)),
                                        (last_dose - days(1), "contraception during treatment", last_dose),
                                        (last_dose, "contraception after treatment", last_dose + days(1))):
        methods = [Contraception("combined oral contraceptive", base - days(60), pill_ends), Contraception("male latex condom", base - days(60))]
        evaluation = evaluate(compliant(key, contraception=methods), key)
        found = [(gap.rule, gap.date) for gap in evaluation.gaps if gap.rule.startswith("contraception")]
        assert found == [(rule, first_day)], (pill_ends, explain(evaluation))


@pytest.mark.parametrize("key", EU_UK)
def test_an_eu_or_uk_first_supply_needs_a_recent_test(key):
    """Review W3: the test before the first prescription must be recent ('just before'; the course: 3 days or less)."""
    base = BASE[key]
    for days_before, outcome in ((180, "query"), (4, "query"), (3, "dispense"), (2, "dispense"), (0, "dispense")):
        tests = [PregnancyTest(base - days(days_before), "negative", "lab")]
        decision = first(compliant(key, tests=tests, after_tests=False), key)
        assert decision.outcome == outcome, (days_before, decision)
        if outcome == "query":
            assert f"{days_before} days before the first prescription" in decision.reason and "all checks passed" not in decision.reason
    after = first(compliant(key, tests=[PregnancyTest(base, "negative", "lab")], prescription_offset=-1, after_tests=False), key)
    assert after.outcome == "query" and "1 day(s) after the first prescription" in after.reason


@pytest.mark.parametrize("key", US)
def test_a_us_first_supply_has_no_separate_recency_rule(key):
    assert RULES[key].pretreatment_recency() is None  # the 7-day window from the confirmation test does that job


@pytest.mark.parametrize(("programme", "day", "outcome", "rule_set"), [
    ("ipledge", D(2021, 12, 12), "not judged", ""), ("ipledge", D(2021, 12, 13), "dispense", "ipledge_2021"),
    ("uk", D(2018, 6, 20), "not judged", ""), ("uk", D(2018, 6, 21), "dispense", "uk_ppp_2018"),
    ("uk", D(2023, 10, 30), "dispense", "uk_ppp_2018"), ("uk", D(2023, 10, 31), "dispense", "uk_mhra_2023"),
    ("eu", D(2018, 6, 20), "not judged", ""),
])
def test_a_day_no_modelled_set_governs_is_not_judged(programme, day, outcome, rule_set):
    """Review W6: before 13 December 2021 (US) or 21 June 2018 (EU, UK) the course models no set; that is not a refusal
    and not a gap. The UK applied the 2018 programme until 30 October 2023."""
    timeline = Timeline("SYN-T020", CNGP, programme=programme, prescriptions=[Prescription(day, 30)], pickups=[Pickup(day, day)],
                        risk_acknowledgement=day - days(1))
    evaluation = evaluate(timeline, programme)
    decision = evaluation.decisions[0]
    assert (decision.outcome, decision.rule_set_key) == (outcome, rule_set), decision
    assert evaluation.gaps == ()
    if outcome == "not judged":
        assert decision.rule == "not modelled" and "not a refusal" in decision.reason


@pytest.mark.parametrize(("day", "outcome", "caveat"), [(D(2023, 9, 30), "refuse", True), (D(2023, 10, 1), "dispense", False)])
def test_home_tests_before_october_2023_carry_the_covid_caveat(day, outcome, caveat):
    """Review I1: under the 2021 text a monthly home test does not count, but practice accepted it until fall 2023; the
    verdict says so. From October 2023 (discretion) it counts."""
    first_day = day - days(30)
    timeline = Timeline("SYN-T021", CGP, programme="ipledge",
                        pregnancy_tests=[PregnancyTest(first_day - days(25), "negative", "office"), PregnancyTest(first_day, "negative", "lab"),
                                         PregnancyTest(day, "negative", "home")],
                        contraception=[Contraception("contraceptive implant", first_day - days(60)), Contraception("male latex condom", first_day - days(60))],
                        prescriptions=[Prescription(first_day, 30), Prescription(day, 30)], pickups=[Pickup(first_day, first_day), Pickup(day, day)])
    decision = evaluate(timeline, "ipledge").decisions[1]
    assert decision.outcome == outcome, decision
    assert any("fall 2023" in flag and "COVID-19" in flag for flag in decision.flags) is caveat


@pytest.mark.parametrize(("collected", "key", "flagged"), [
    (D(2026, 8, 7), "ipledge_discretion_2023", False),  # day 19 of the 30-day window, the day before the scheduled date
    (D(2026, 8, 8), "ipledge_2026", False),  # day 20: allowed under either set
    (D(2026, 8, 18), "ipledge_2026", False),  # day 30: the window's last day, allowed under either set
    (D(2026, 8, 19), "ipledge_2026", True),  # day 31: no window in 2026, refused under the discretion set
])
def test_a_verdict_that_depends_on_the_unconfirmed_2026_date_says_so(collected, key, flagged):
    """Reviews I2 and I14: the collection day decides which set applies; where the 2026 set and the discretion set
    disagree, the verdict names the set that decided it and that its start is not confirmed."""
    written = D(2026, 7, 20)  # under the discretion set
    timeline = Timeline("SYN-T022", CNGP, programme="ipledge", prescriptions=[Prescription(written, 30)], pickups=[Pickup(written, collected)])
    evaluation = evaluate(timeline, "ipledge")
    decision = evaluation.decisions[0]
    assert (decision.outcome, decision.rule_set_key) == ("dispense", key), decision
    notes = [flag for flag in decision.flags if "scheduled, not confirmed" in flag]
    assert bool(notes) is flagged, decision.flags
    if flagged:
        assert "iPLEDGE 2026" in notes[0] and "'do not dispense' (pick-up window" in notes[0]
    assert ("start date assumed" in explain(evaluation)) is (key == "ipledge_2026")


def test_a_home_confirmation_test_is_named_as_the_reason():
    """Review I5: the refusal names the test that was done where it does not count (AUD-057's case)."""
    key = "ipledge_discretion_2023"
    base = BASE[key]
    tests = [PregnancyTest(base - days(23), "negative", "lab"), PregnancyTest(base, "negative", "home")]
    decision = first(compliant(key, tests=tests, after_tests=False), key)
    assert (decision.rule, decision.outcome) == ("pre-treatment pregnancy tests", "refuse")
    assert f"the latest test, of {base}, was done at home, without supervision" in decision.reason
    assert "in the prescriber's clinic or office or in a laboratory" in decision.reason
    # 2026: a home retest after a missed first window is named too, not only the closed window
    key, base = "ipledge_2026", BASE["ipledge_2026"]
    timeline = _missed_first_window(key, 9)
    timeline.pregnancy_tests[-1] = dataclasses.replace(timeline.pregnancy_tests[-1], setting="home")
    retest = evaluate(timeline, key).decisions[1]
    assert retest.outcome == "refuse" and "was done at home" in retest.reason


@pytest.mark.parametrize(("end_test", "gap"), [(D(2023, 9, 30), True), (D(2023, 10, 1), False)])
def test_a_test_after_the_course_is_judged_by_the_rules_of_its_own_date(end_test, gap):
    """Review I13: the last dose falls under the 2021 text (28 September 2023); a home test at the end of the course
    counts if it was done from October 2023."""
    pickup = D(2023, 8, 30)
    timeline = Timeline("SYN-T023", CGP, programme="ipledge",
                        pregnancy_tests=[PregnancyTest(D(2023, 8, 5), "negative", "office"), PregnancyTest(D(2023, 8, 29), "negative", "lab"),
                                         PregnancyTest(end_test, "negative", "home"), PregnancyTest(D(2023, 10, 28), "negative", "lab")],
                        contraception=[Contraception("contraceptive implant", D(2023, 6, 1)), Contraception("male latex condom", D(2023, 6, 1))],
                        prescriptions=[Prescription(pickup, 30)], pickups=[Pickup(pickup, pickup)])
    evaluation = evaluate(timeline, "ipledge")
    assert ("pregnancy test at the end of the course" in rules_of(evaluation)) is gap, explain(evaluation)


def test_an_audit_counts_every_logged_collection_as_dispensed():
    """Review I6: in a log every collection happened; findings say 'dispensed although', and the course's end checks run."""
    key = "ipledge_discretion_2023"
    late = compliant(key, pickup_offset=9, after_tests=False)
    judged, audited = evaluate(late, key), evaluate(late, key, dispensed=True)
    assert judged.decisions[0].outcome == audited.decisions[0].outcome == "refuse"
    assert [gap.description.split(" ")[0] for gap in judged.gaps] == ["dispensing"]
    assert audited.gaps[0].description.startswith("dispensed although the 7-day window")
    assert {"pregnancy test at the end of the course", "pregnancy test one month after the course"} <= rules_of(audited)
    assert "every collection below was dispensed" in explain(audited)


def test_messages_read_as_sentences():
    """Review I13: settings follow 'done'; an abstinent patient's verdict says abstinence, not contraception."""
    key = "ipledge_discretion_2023"
    abstinent = first(compliant(key, contraception=[Contraception("continuous abstinence", BASE[key] - days(60))]), key)
    assert "a commitment to continuous abstinence in place" in abstinent.reason and "contraception in place" not in abstinent.reason
    only_office = first(compliant("ipledge_2021", tests=[PregnancyTest(BASE["ipledge_2021"], "negative", "office")], after_tests=False), "ipledge_2021")
    assert "was done in the prescriber's clinic or office" in only_office.reason and "done in a laboratory" in only_office.reason
    assert "their first 7-day window" in RULES["ipledge_2021"].rules["lockout_after_missed_first_window_days"].plain
