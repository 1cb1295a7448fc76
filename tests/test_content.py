"""Content as data: every content file the package ships validates, and each kind refuses a broken file,
naming the file, the entry and the field (deliberately broken fixtures in tests/fixtures/content/ and
tests/fixtures/rule_sets/, as for the quiz banks)."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, ROOT

from isotretinoin_course.content import adverse_effects, capstone, contraception, counselling, label_dosing, lessons, programmes, ranges, rule_sets
from isotretinoin_course.content.bibliography import load_bibliography
from isotretinoin_course.content.quiz_banks import bank_data, bank_names, validate_bank_data
from isotretinoin_course.content.validation import ContentError, course_content_problems, schema, schema_kinds
from isotretinoin_course.data.loader import load_cohort
from isotretinoin_course.models.capstone import CapstoneCase

CONTENT = FIXTURES / "content"


def test_every_content_file_of_the_course_validates_against_its_schema():
    assert course_content_problems() == []


def test_every_kind_of_content_file_has_a_schema():
    assert set(schema_kinds()) == {"adverse_effects", "capstone", "contraceptive_methods", "counselling_topics", "label_dosing", "lessons", "pk_parameters",
                                   "plausible_ranges", "programmes", "quiz_bank", "rule_set"}
    for kind in schema_kinds():
        assert schema(kind)["$schema"].endswith("2020-12/schema"), kind


@pytest.mark.parametrize(
    ("load", "fixture"),
    [(lessons.load_lessons, "valid_lessons.yml"), (counselling.load_topics, "valid_counselling_topics.yml"),
     (adverse_effects.load_adverse_effects, "valid_adverse_effects.yml"), (capstone.load_capstone_text, "valid_capstone.yml"),
     (ranges.load_ranges, "valid_plausible_ranges.yml"), (label_dosing.load_label_dosing, "valid_label_dosing.yml"),
     (programmes.load_programmes, "valid_programmes.yml"), (contraception.load_methods, "valid_contraceptive_methods.yml")],
)
def test_valid_fixtures_load(load, fixture):
    assert load(CONTENT / fixture)


BROKEN = [
    (lessons.load_lessons, "broken_lessons_missing_time.yml", ["lesson 2", "'time' is a required property"]),
    (lessons.load_lessons, "broken_lessons_builds_on_later.yml", ["lesson 2 ('01_acne_pathophysiology.ipynb')", "field 'builds_on'", "only on earlier lessons, not on ['05']"]),
    (lessons.load_lessons, "broken_lessons_unknown_assignment_lesson.yml", ["assignment 1 ('a1_dosing')", "field 'lesson'", "no lesson 07"]),
    (lessons.load_lessons, "broken_lessons_module_path.yml", ["lesson 2", "field 'modules[0]'", "does not match"]),
    (counselling.load_topics, "broken_topics_unknown_condition.yml", ["topic 1 ('how_to_take')", "field 'essential_for'", "'sometimes' is not one of"]),
    (counselling.load_topics, "broken_topics_duplicate_key.yml", ["topic 2 ('how_to_take')", "field 'key'", "listed twice"]),
    (counselling.load_topics, "broken_topics_unknown_placeholder.yml", ["topic 1 ('how_to_take')", "field 'advice'", "only {meal_advice}"]),
    (adverse_effects.load_adverse_effects, "broken_adverse_unknown_status.yml", ["interaction 1 ('Vitamin A supplements')", "field 'status'", "'unread' is not one of the statuses"]),
    (adverse_effects.load_adverse_effects, "broken_adverse_without_sources.yml", ["warning 1 ('Liver')", "'sources' is a required property"]),
    (adverse_effects.load_adverse_effects, "broken_adverse_ratio_outside_interval.yml", ["risk ratio 1", "field 'ratio'", "outside its interval"]),
    (capstone.load_capstone_text, "broken_capstone_wrong_option_without_revisit.yml", ["step 1 ('relapse')", "options[1].revisit", "must name the lessons"]),
    (capstone.load_capstone_text, "broken_capstone_unknown_lesson.yml", ["step 1 ('relapse')", "field 'revisit'", "no lesson 42"]),
    (capstone.load_capstone_text, "broken_capstone_unknown_step.yml", ["step 1 ('epilogue')", "field 'key'", "'epilogue' is not one of"]),
    (ranges.load_ranges, "broken_ranges_minimum_above_maximum.yml", ["range 'weight_kg'", "field 'minimum'", "above the maximum"]),
    (ranges.load_ranges, "broken_ranges_without_note.yml", ["range 'weight_kg'", "'note' is a required property"]),
    (adverse_effects.load_adverse_effects, "broken_adverse_without_last_reviewed.yml", ["'last_reviewed' is a required property"]),
    (label_dosing.load_label_dosing, "broken_label_dosing_range_above_maximum.yml", ["product 'conventional'", "field 'usual_mg_per_kg_day'", "at or below the maximum 2.0"]),
    (label_dosing.load_label_dosing, "broken_label_dosing_without_sources.yml", ["product 'conventional'", "'sources' is a required property"]),
    (programmes.load_programmes, "broken_programmes_missing_status.yml", ["field 'statuses'", "'to-check' is a required property"]),
    (contraception.load_methods, "broken_methods_unknown_class.yml", ["method 7 ('combined oral contraceptive')", "field 'eu.class'", "'primary' is not a class of the eu list"]),
    (contraception.load_methods, "broken_methods_duplicate_name.yml", ["method 8 ('contraceptive patch')", "field 'also_called'", "'the pill' is already used by 'combined oral contraceptive'"]),
]


@pytest.mark.parametrize(("load", "fixture", "expected"), BROKEN, ids=[fixture for _load, fixture, _expected in BROKEN])
def test_malformed_content_is_refused_naming_file_entry_and_field(load, fixture, expected):
    with pytest.raises(ContentError) as caught:
        load(CONTENT / fixture)
    message = str(caught.value)
    assert message.startswith(fixture), message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("broken_unknown_test_setting.yml", ["rule 'test_settings'", "field 'value.during[1]'", "'pharmacy' is not one of"]),
     ("broken_ends_before_it_starts.yml", ["field 'applies_until'", "2017-01-01 is before applies_from 2018-06-21"]),
     ("broken_days_in_words.yml", ["rule 'contraception_days_before'", "field 'value'", "'thirty' is not of type 'integer'"]),
     ("broken_unknown_base.yml", ["field 'based_on'", "no rule set 'eu_ppp_2010' beside it"]),
     ("broken_rule_without_source.yml", ["rule 'abstinence_instead_of_contraception'", "'source' is a required property"])],
)
def test_malformed_rule_set_is_refused_naming_file_rule_and_field(fixture, expected):
    assert rule_sets.load_rule_set(FIXTURES / "rule_sets" / "valid_rule_set.yml").name
    with pytest.raises(rule_sets.RuleSetError) as caught:
        rule_sets.load_rule_set(FIXTURES / "rule_sets" / fixture)
    message = str(caught.value)
    assert message.startswith(fixture), message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_every_source_named_in_content_is_in_the_bibliography():
    known = set(load_bibliography().entries)
    cited = {source for topic in counselling.counselling_topics().topics for source in topic.sources}
    content = adverse_effects.adverse_effects()
    cited |= {source for row in content.serious_warnings + content.interactions for source in row.sources}
    cited |= {row.source for row in content.psychiatric_risk_ratios}
    cited |= {source for product in label_dosing.label_dosing().values() for source in product.sources}
    cited |= {source for step in capstone.capstone_text().steps.values() for source in step["sources"]}
    for rule_set in rule_sets.rule_sets().values():
        cited |= set(rule_set.sources) | {rule.source for rule in rule_set.rules.values()} | {item.source for item in rule_set.not_modelled}
    methods = contraception.contraceptive_methods()
    cited |= {item.source for item in methods.lists.values()}
    assert cited <= known, sorted(cited - known)


def test_the_lesson_manifest_names_what_exists():
    package = json.loads((ROOT / "datasets" / "datapackage.json").read_text())
    tables = {item["name"] for item in package["resources"]}
    source = ROOT / "src" / "isotretinoin_course"
    for lesson in lessons.lessons():
        assert (ROOT / "notebooks" / lesson.filename).exists(), lesson.filename
        assert set(lesson.banks) <= set(bank_names()), lesson.number
        assert set(lesson.data) <= tables, lesson.number
        for module in lesson.modules:
            assert (source / f"{module.replace('.', '/')}.py").exists(), module
        for name in lesson.content:
            assert (source / "content" / name).exists(), name


def test_a_text_with_a_placeholder_the_case_does_not_fill_is_named():
    text = capstone.capstone_text()
    with pytest.raises(capstone.CapstoneTextError, match="capstone.yml: step 'relapse', field 'scenario': cannot fill"):
        text.fill("relapse", "scenario", date="2026-01-01")


@pytest.fixture(scope="module")
def case():
    return CapstoneCase(load_cohort(ROOT / "datasets"))


def test_the_capstone_questions_pass_the_same_schema_and_checks_as_every_quiz_bank(case):
    data = bank_data(case.bank)
    validate_bank_data(data, "capstone case")  # the JSON Schema of quiz banks, then the banks' own checks
    assert [question["id"] for question in data["questions"]] == list(case.steps)


def test_the_capstone_text_drives_the_case(case):
    text = capstone.capstone_text()
    assert case.patient_id == text.patient
    for key, step in case.steps.items():
        assert step.stage == text.step(key)["stage"]
        assert step.revisit == tuple(text.step(key)["revisit"])


def test_label_dosing_agrees_with_the_formulations_usual_ranges():
    # Two homes for one range until the formulations read theirs from label_dosing.yml (models/isotretinoin_pk.py).
    from isotretinoin_course.models.isotretinoin_pk import FORMULATIONS

    table = label_dosing.label_dosing()
    assert set(table) == set(FORMULATIONS)
    for name, product in FORMULATIONS.items():
        assert table[name].usual_mg_per_kg_day == product.label_mg_per_kg_day, name
    assert {name: row.maximum_mg_per_kg_day for name, row in table.items()} == {"conventional": 2.0, "absorica": 2.0, "absorica_ld": 1.6}
