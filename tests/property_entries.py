"""Every public name of the package with the sensible values of its parameters (see property_registry.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from input_checks import audit, cohort
from property_registry import (
    CAN_GET_PREGNANT, DAILY_MG, DAYS, DOSE_PER_KG, ENTRY, FORMULATION, FORMULATIONS, JUNK, MEAL, MEALS, PATIENT_ID, PROGRAMMES, QUESTION, ROOT,
    SCENARIO_SIMULATION, TARGET, WEIGHT, all_questions, capstone_case, close_figures, content_paths, dataset_folders, dates, decisions,
    driven, figure_with_description, file_box, finite_everywhere, is_html, is_text, labs_strategy, models, mutated, near_misses,
    notebook_strategy, number_between, numbers, prop, raw_content, record_of, regimens, rule_set_strategy, tables_strategy, text_lists,
    timeline_strategy, within_plausible,
)

from isotretinoin_course.authoring import build, lint, pk_fit, readme, review_dates, teaching_kit
from isotretinoin_course.authoring.slides import build as slides
from isotretinoin_course.content import (
    adverse_effects, bibliography, capstone as capstone_content, contraception, counselling as counselling_content, label_dosing, lessons,
    pk_parameters, programmes, quiz_banks, ranges, rule_sets, validation,
)
from isotretinoin_course.core import identity, inputs, markup, progress_store, resources
from isotretinoin_course.data import assessment, audit_log, cohort as cohort_module, demo, loader, programme_cases, regenerate, schema
from isotretinoin_course.figures import acne as acne_figures, adverse_effects as adverse_figures, course_map, demo as demo_figures
from isotretinoin_course.figures import dosing as dosing_figures, monitoring as monitoring_figures, pharmacokinetics as pk_figures
from isotretinoin_course.figures import risk_management as risk_figures, style, tables as table_figures
from isotretinoin_course.grading import driver as grading_driver
from isotretinoin_course.models import acne, article_scoring, capstone, counselling, dosing, isotretinoin_pk, monitoring, pharmacokinetics
from isotretinoin_course.models import pk_scenario, progress as progress_model, quiz, risk_management
from isotretinoin_course.widgets import article_scorecard, base, capstone as capstone_widgets, counselling as counselling_widgets
from isotretinoin_course.widgets import dispensing, dosing as dosing_widgets, patient_explorer, pk_simulator, progress as progress_widgets
from isotretinoin_course.widgets import quiz as quiz_widgets, severity

TEXT = st.one_of(st.text(max_size=30), st.sampled_from(("Body weight", "Dose", "a *b* c", "x\n\ny", "<script>")))
PATH_TEXT = st.one_of(st.sampled_from(("", "nope.ipynb", "notebooks", "README.md")), st.text(max_size=10))
SMALL_N = numbers(1, 6, integer=True)
SEED = numbers(0, 2**32, integer=True)
BOOL = st.booleans()
FIELD = st.sampled_from(("Body weight", "dose", "Start date"))
ERROR_CLASS = st.just(inputs.CourseInputError)


def day_words(result, _kwargs):
    assert isinstance(result, dt.date) or result is None, result


def list_of_texts(result, _kwargs):
    assert isinstance(result, list) and all(isinstance(item, str) for item in result), result


def no_problems(result, _kwargs):
    assert result == [], result


# --------------------------------------------------------------------------- core

prop(inputs.read_number, value=numbers(-1e6, 1e6), field=FIELD, unit=st.sampled_from(("", "kg", "mg/kg/day")),
     minimum=st.one_of(st.none(), st.floats(-10, 10)), maximum=st.one_of(st.none(), st.floats(10, 1000)), positive=BOOL, integer=BOOL,
     no_junk=("field", "unit", "minimum", "maximum", "positive", "integer"), valid=lambda result, kwargs: finite_everywhere(result))
prop(inputs.read_bool, value=BOOL, field=FIELD, no_junk=("field",), valid=lambda result, kwargs: isinstance(result, bool) or (_ for _ in ()).throw(AssertionError(result)))
prop(inputs.read_date, value=dates(), field=FIELD, optional=BOOL, minimum=st.one_of(st.none(), st.dates()), maximum=st.one_of(st.none(), st.dates()),
     no_junk=("field", "optional", "minimum", "maximum"), valid=day_words)
prop(inputs.read_path, value=st.one_of(content_paths(), PATH_TEXT), field=FIELD, must_exist=BOOL, kind=st.sampled_from(("", "file", "folder")),
     no_junk=("field", "must_exist", "kind"))
prop(inputs.read_choice, value=near_misses(FORMULATIONS), field=FIELD, allowed=st.sampled_from((FORMULATIONS, MEALS, tuple(f"SYN-{n:04d}" for n in range(1, 241)))),
     no_junk=("field", "allowed"), valid=lambda result, kwargs: is_text(result, kwargs))
prop(inputs.read_sequence, value=text_lists(st.text(max_size=4)), field=FIELD, unique=BOOL, no_junk=("field", "unique"))
prop(inputs.read_text, value=TEXT, field=FIELD, empty=BOOL, no_junk=("field", "empty"), valid=is_text)
prop(inputs.read_instance, value=st.one_of(st.dates(), st.text()), field=FIELD, kind=st.just(dt.date), what=st.just("a date"),
     no_junk=("field", "kind", "what"))
prop(inputs.read_mapping, value=st.dictionaries(st.sampled_from(("a", "b")), st.integers()), field=FIELD, keys=st.just(("a",)),
     no_junk=("field", "keys"))
prop(inputs.read_frame, value=st.one_of(st.builds(lambda: cohort()["labs"]), st.builds(pd.DataFrame)), field=FIELD, columns=st.just(("alt_u_l",)),
     rows=BOOL, no_junk=("field", "columns", "rows"))
prop(inputs.read_tables, value=st.one_of(st.builds(cohort), st.builds(dict)), field=FIELD, needed=st.just({"labs": ("alt_u_l",)}),
     no_junk=("field", "needed"))
prop(inputs.read_seed, value=numbers(-10, 2**32 + 10, integer=True), field=FIELD, no_junk=("field",))
prop(inputs.read_count, value=numbers(-5, 20000, integer=True), field=FIELD, maximum=st.sampled_from((1, 10, 10_000)), no_junk=("field", "maximum"))
prop(inputs.checked_arguments, function=st.sampled_from((len, inputs.read_text)), no_junk=("function",),
     valid=lambda result, kwargs: callable(result) or (_ for _ in ()).throw(AssertionError(result)))
prop(markup.inline_markup, text=TEXT, valid=is_text)
prop(markup.paragraphs, text=TEXT, valid=is_text)
prop(resources.content_file)  # takes *parts: called with none, it is the content folder
prop(resources.content_files, folder=st.sampled_from(("quiz_banks", "rule_sets", "schemas", "nope", "")), suffix=st.sampled_from((".yml", ".json", "")))
prop(resources.datasets_directory)

# --------------------------------------------------------------------------- content

for kind, module, loader_name, problems_name in (
    ("adverse_effects", adverse_effects, "load_adverse_effects", "adverse_effects_problems"),
    ("capstone", capstone_content, "load_capstone_text", "capstone_problems"),
    ("contraceptive_methods", contraception, "load_methods", "methods_problems"),
    ("counselling_topics", counselling_content, "load_topics", "topics_problems"),
    ("label_dosing", label_dosing, "load_label_dosing", "label_dosing_problems"),
    ("lessons", lessons, "load_lessons", "manifest_problems"),
    ("plausible_ranges", ranges, "load_ranges", None),
    ("pk_parameters", pk_parameters, "load_pk_parameters", None),
    ("programmes", programmes, "load_programmes", None),
):
    prop(getattr(module, loader_name), path=content_paths(), examples=0.5)
    if problems_name:
        prop(getattr(module, problems_name), raw=raw_content(kind), source=st.just(f"{kind}.yml"), no_junk=("source",))

for cls in (adverse_effects.SeriousWarning, adverse_effects.Interaction, adverse_effects.Procedure, adverse_effects.RiskRatio,
            adverse_effects.AdverseEffects, bibliography.Bibliography, capstone_content.CaseHistory, capstone_content.CapstoneText,
            contraception.Classification, contraception.MethodList, contraception.Method, contraception.Methods, counselling_content.Topic,
            counselling_content.CounsellingTopics, label_dosing.LabelDosing, lessons.Assignment, lessons.Lesson, lessons.Manifest,
            programmes.Programme, programmes.Programmes, quiz_banks.Option, quiz_banks.AnticipatedValue, quiz_banks.Question, quiz_banks.QuizBank,
            ranges.PlausibleRange, rule_sets.Rule, rule_sets.NotModelled, rule_sets.DateDetail, rule_sets.Window, rule_sets.RuleSet, rule_sets.SettingNote):
    record_of(cls)

for loader_function in (adverse_effects.adverse_effects, capstone_content.capstone_text, contraception.contraceptive_methods,
                        counselling_content.counselling_topics, label_dosing.label_dosing, lessons.manifest, pk_parameters.pk_parameters,
                        programmes.programmes, ranges.plausible_ranges):
    prop(loader_function)  # the course's own content, read once
prop(validation.schema, kind=near_misses(("quiz_bank", "rule_set", "lessons")))
prop(quiz_banks.load_bank, notebook=near_misses(("01_acne_pathophysiology", "05_laboratory_monitoring")))
prop(adverse_effects.warnings_table)
prop(adverse_effects.interactions_table)
prop(adverse_effects.procedures_table)

prop(bibliography.entry_problems, entry=ENTRY, valid=lambda result, kwargs: isinstance(result, list) or (_ for _ in ()).throw(AssertionError(result)))
prop(bibliography.year_of, entry=ENTRY)
prop(bibliography.load_bibliography, path=st.one_of(st.none(), content_paths()), examples=0.5)
prop(bibliography.cited_keys, texts=text_lists(st.sampled_from(("see [x](#ref-reynolds2024)", "[a](#ref-b) [c](#ref-d)", "none"))))
prop(bibliography.format_entry, entry=ENTRY, valid=is_text)
prop(bibliography.short_citation, entry=ENTRY, valid=is_text)
prop(bibliography.entry_link, entry=ENTRY)
prop(bibliography.references_markdown, keys=text_lists(near_misses(("reynolds2024", "zaenglein2016"))),
     bibliography=st.builds(bibliography.load_bibliography), valid=is_text)

prop(contraception.find_method, name=near_misses(("combined oral contraceptive", "male latex condom", "contraceptive implant")),
     field=st.just("method"), no_junk=("field",))

prop(lessons.manifest_from_data, raw=raw_content("lessons"))
prop(lessons.lessons)
prop(lessons.assignments)
prop(lessons.lesson, number=near_misses(("01", "05", "09")))
prop(lessons.learning_path_markdown, items=st.one_of(st.none(), st.builds(lessons.lessons), st.builds(lambda: lessons.lessons()[:3])), valid=is_text)

prop(pk_parameters.parameter_entries, node=raw_content("pk_parameters"), path=st.just(""), no_junk=("path",))

for function in (programmes.status_words, programmes.setting_words, programmes.rule_title, programmes.category_words, programmes.source_label,
                 programmes.source_note):
    name = list(__import__("inspect").signature(function).parameters)[0]
    prop(function, **{name: near_misses(("verified-primary", "lab", "home", "pickup_window", "can_get_pregnant", "reynolds2024", "fda-ipledge-qa"))},
         valid=is_text)
prop(programmes.programme, key=near_misses(PROGRAMMES))

prop(quiz_banks.bank_problems, raw=raw_content("quiz_bank"), source=st.just("bank.yml"), no_junk=("source",))
prop(quiz_banks.source_problems, raw=raw_content("quiz_bank"), source=st.just("bank.yml"), no_junk=("source",))
prop(quiz_banks.validate_bank_data, raw=raw_content("quiz_bank"), source=st.just("bank.yml"), no_junk=("source",), examples=0.5)
prop(quiz_banks.question_from_data, data=st.one_of(st.builds(lambda q: quiz_banks.question_data(q), QUESTION),
                                                    st.dictionaries(st.sampled_from(("id", "type", "objective", "prompt", "explanation", "options",
                                                                                     "answer", "tolerance", "unit")), JUNK, max_size=6)))
prop(quiz_banks.question_data, question=QUESTION)
prop(quiz_banks.bank_data, bank=st.sampled_from(quiz_banks.bank_names()).map(quiz_banks.load_bank))
prop(quiz_banks.bank_from_data, raw=raw_content("quiz_bank"), source=st.just("bank.yml"), no_junk=("source",))
prop(quiz_banks.load_bank_file, path=content_paths(), examples=0.5)
prop(quiz_banks.bank_names)

prop(ranges.plausible_range, name=near_misses(("weight_kg", "hdl_mg_dl", "lesion_count")))
prop(ranges.read_plausible, value=numbers(-10, 5000), field=FIELD, quantity=near_misses(("weight_kg", "hdl_mg_dl", "alt_u_l")), integer=BOOL,
     no_junk=("field", "integer"), valid=lambda result, kwargs: finite_everywhere(result))

prop(rule_sets.load_rule_set, path=st.one_of(content_paths(), near_misses(("ipledge_2021", "uk_mhra_2025"))), examples=0.4)
prop(rule_sets.rule_sets)
prop(rule_sets.resolve_rule_set, value=rule_set_strategy(), field=st.just("rule set"), no_junk=("field",))
prop(rule_sets.programme_of, value=rule_set_strategy(), field=st.just("programme"), no_junk=("field",))
prop(rule_sets.rule_set_for, programme=rule_set_strategy(), day=dates())

prop(validation.read_structured, path=content_paths(), error=st.just(validation.ContentError), no_junk=("error",))
prop(validation.content_path, path=content_paths(), field=st.just("path"), no_junk=("field",))
prop(validation.read_text_file, path=st.one_of(content_paths().filter(lambda p: not isinstance(p, str)), st.sampled_from(sorted(file_box().iterdir()))),
     error=st.just(validation.ContentError), no_junk=("path", "error"), valid=is_text)
prop(validation.refusal, error=st.just(validation.ContentError), location=TEXT, value=JUNK, allowed=TEXT, problem=TEXT,
     no_junk=("error", "location", "allowed", "problem"), valid=lambda result, kwargs: isinstance(result, validation.ContentError) or (_ for _ in ()).throw(AssertionError(result)))
prop(validation.shape_checked, kind=st.sampled_from(("lessons", "quiz_bank")), error=st.just(validation.ContentError), no_junk=("kind", "error"),
     valid=lambda result, kwargs: callable(result) or (_ for _ in ()).throw(AssertionError(result)))
prop(validation.field_path, path=st.lists(st.one_of(st.integers(0, 5), st.text(max_size=5)), max_size=4), valid=is_text)
prop(validation.where, source=st.just("x.yml"), raw=raw_content("quiz_bank"), path=st.lists(st.one_of(st.integers(0, 5), st.sampled_from(("questions", "options", "id"))), max_size=4),
     no_junk=("source",), valid=is_text)
prop(validation.schema_kinds)
prop(validation.validate_data, raw=raw_content("rule_set"), kind=near_misses(("rule_set", "quiz_bank")), source=st.just("x.yml"), no_junk=("source",), examples=0.4)
prop(validation.load_checked, path=content_paths(), kind=near_misses(("lessons", "quiz_bank", "label_dosing")), examples=0.4)
prop(validation.course_content_problems, examples=0.05, deadline_ms=30000)
prop(validation.main, argv=st.one_of(st.none(), st.lists(st.text(max_size=5), max_size=2)), examples=0.05, deadline_ms=30000)

# --------------------------------------------------------------------------- models


def regimen_valid(result, kwargs) -> None:
    finite_everywhere(result)
    assert 0 < result.mg_per_kg_per_day <= 20, result.describe()
    text = result.describe()
    target = getattr(result, "target_mg_per_kg_day", None)
    if target is not None and abs(result.mg_per_kg_per_day - target) > 0.3 * target:
        assert "cannot reach" in text or "rounding" in text, f"a regimen far from the dose asked for that does not say so: {text}"


prop(acne.LesionCounts, comedones=numbers(0, 1200, integer=True), inflammatory=numbers(0, 1200, integer=True), nodules=numbers(0, 300, integer=True))
record_of(acne.SeverityAssessment)
prop(acne.validate_count, value=numbers(0, 1200, integer=True), name=st.sampled_from(("comedones", "nodules")), no_junk=("name",),
     valid=number_between(0, 1000))
COUNTS = st.builds(acne.LesionCounts, st.integers(0, 200), st.integers(0, 200), st.integers(0, 30))
prop(acne.classify_severity, counts=st.one_of(COUNTS, st.fixed_dictionaries({"comedones": st.integers(0, 50), "inflammatory": st.integers(0, 50),
                                                                              "nodules": st.integers(0, 9)})))
record_of(acne.IsotretinoinFit)
prop(acne.isotretinoin_fit, counts=COUNTS, scarring=BOOL, psychosocial_burden=BOOL, failed_standard_therapy=BOOL,
     failed_systemic_antibiotics=st.one_of(st.none(), BOOL))

RATINGS = st.fixed_dictionaries({key: numbers(0, 6, integer=True) for key, _question in article_scoring.CRITERIA})
record_of(article_scoring.ArticleScore)
prop(article_scoring.score_article, ratings=st.one_of(RATINGS, RATINGS.map(lambda r: dict(list(r.items())[:-1]))))

record_of(capstone.CaseStep)
prop(capstone.revisit_text, numbers=text_lists(near_misses(("01", "05", "09"))), valid=is_text)
prop(capstone.case_timeline, tables=tables_strategy(), patient_id=st.one_of(st.none(), CAN_GET_PREGNANT, PATIENT_ID),
     contraception_end=st.one_of(st.none(), dates()))
prop(capstone.last_day_to_collect, timeline=timeline_strategy(), prescription_date=dates(), search_days=numbers(0, 120, integer=True),
     valid=day_words, examples=0.5, deadline_ms=6000)
prop(capstone.CapstoneCase, tables=tables_strategy(), patient_id=st.one_of(st.none(), CAN_GET_PREGNANT, PATIENT_ID), examples=0.4, deadline_ms=8000)
prop(capstone.answer_blind_order, texts=text_lists(TEXT), seed=TEXT, valid=list_of_texts)

prop(counselling.topics)
prop(counselling.topic_keys)
prop(counselling.condition_wording, condition=near_misses(("always", "can_get_pregnant", "recommended")), valid=is_text)
PROFILE = st.builds(counselling.Profile, st.sampled_from(("can_get_pregnant", "cannot_get_pregnant")), st.sampled_from(FORMULATIONS), st.just(False), BOOL)
prop(counselling.Profile, category=near_misses(("can_get_pregnant", "cannot_get_pregnant")), formulation=FORMULATION, hormonal_contraception=BOOL,
     contact_lenses=BOOL)
TOPIC_KEY = near_misses(("pregnancy", "mood", "dryness", "how_to_take"))
prop(counselling.topic, key=TOPIC_KEY)
TOPIC = st.sampled_from(("pregnancy", "mood", "contact_lenses")).map(counselling.topic)
prop(counselling.topic_advice, item=TOPIC, profile=PROFILE, valid=is_text)
prop(counselling.is_essential, item=TOPIC, profile=PROFILE)
prop(counselling.essential_topics, profile=PROFILE)
record_of(counselling.CounsellingSummary)
prop(counselling.counselling_summary, profile=PROFILE, chosen=text_lists(TOPIC_KEY), patient_label=TEXT, on=st.one_of(st.none(), dates()),
     width=numbers(0, 200, integer=True))

prop(dosing.check_weight, weight_kg=WEIGHT, valid=within_plausible("weight_kg"))
prop(dosing.mg_per_kg_per_day, daily_dose_mg=DAILY_MG, weight_kg=WEIGHT, valid=number_between(0, 20))
prop(dosing.label_ceiling_mg_per_kg_day)
prop(dosing.daily_dose_mg, target_mg_per_kg=DOSE_PER_KG, weight_kg=WEIGHT, valid=number_between(0, 1000))
prop(dosing.CapsuleRegimen, formulation=FORMULATION, morning_mg=st.lists(st.sampled_from((10.0, 20.0, 40.0, 0.0, -5.0)), max_size=3).map(tuple),
     evening_mg=st.lists(st.sampled_from((10.0, 20.0, 40.0)), max_size=3).map(tuple), weight_kg=WEIGHT)
prop(dosing.build_regimen, target_mg_per_kg=DOSE_PER_KG, weight_kg=WEIGHT, formulation=FORMULATION,
     rounding=near_misses(("nearest", "at_least", "at_most")), valid=regimen_valid)
prop(dosing.cumulative_dose_mg_per_kg, daily_doses_mg=st.one_of(st.lists(DAILY_MG, max_size=20), st.lists(DAILY_MG, max_size=20).map(np.array)),
     weight_kg=WEIGHT, valid=number_between(0, 1e6))
prop(dosing.days_to_target, target_mg_per_kg=TARGET, daily_dose=DAILY_MG, weight_kg=WEIGHT, already_mg_per_kg=numbers(0, 400),
     valid=number_between(0, 100_000))
PHASE = st.builds(dosing.Phase, st.integers(1, 200), st.sampled_from((20.0, 40.0, 60.0, 80.0)))
prop(dosing.Phase, days=DAYS, daily_mg=DAILY_MG)
prop(dosing.course_days_to_target, phases=st.one_of(st.lists(PHASE, max_size=3), st.lists(st.tuples(st.integers(1, 60), st.sampled_from((20, 60)))),
                                                    PHASE), target_mg_per_kg=TARGET, weight_kg=WEIGHT, missed_days=numbers(0, 400, integer=True),
     valid=lambda result, kwargs: result is None or number_between(0, 100_000)(result, kwargs))
prop(dosing.daily_doses, dispensing=st.one_of(st.builds(lambda: cohort()["dispensing"]), st.builds(lambda: cohort()["dispensing"].drop(columns="days_supply"))),
     patient_id=PATIENT_ID, valid=lambda result, kwargs: finite_everywhere(list(result.values)))

prop(dosing.regimen_limits_mg, formulation=FORMULATION)
record_of(isotretinoin_pk.Eliminator)
prop(isotretinoin_pk.eliminator, name=near_misses(("typical", "nulman_mean", "slow")))
prop(isotretinoin_pk.model_for, formulation=FORMULATION, meal=MEAL, with_metabolite=BOOL, eliminator=near_misses(("typical", "slow")))
record_of(isotretinoin_pk.Formulation)
prop(isotretinoin_pk.ka_for_tmax, tmax_h=numbers(0, 60), half_life_h=numbers(0.01, 200), valid=number_between(0, 1e6))
prop(isotretinoin_pk.one_compartment_for, meal=MEAL)
prop(isotretinoin_pk.label_comparison)
prop(isotretinoin_pk.formulation_checks)
prop(isotretinoin_pk.citation, key=near_misses(("fda-absorica-2023", "nulman1998", "colburn1983")), valid=is_text)
prop(isotretinoin_pk.parameter_table)
record_of(isotretinoin_pk.Washout)
prop(isotretinoin_pk.washout, eliminator_name=near_misses(("typical", "slow")), days_after=numbers(0, 400), formulation=FORMULATION, meal=MEAL,
     dose_mg=numbers(5, 100), interval_h=numbers(6, 48), course_days=numbers(1, 400), weight_kg=WEIGHT, examples=0.5)
prop(isotretinoin_pk.washout_table, days_after=numbers(0, 400), examples=0.3, deadline_ms=6000)
prop(isotretinoin_pk.steady_state_average, formulation=FORMULATION, meal=MEAL, daily_dose_mg=DAILY_MG, weight_kg=WEIGHT,
     eliminator_name=near_misses(("typical", "slow")))
record_of(isotretinoin_pk.PatientCheck)
prop(isotretinoin_pk.check_against_patients, daily_dose_mg=DAILY_MG, weight_kg=WEIGHT, valid=lambda result, kwargs: finite_everywhere(result))
prop(isotretinoin_pk.lognormal_quantile, mean=numbers(0, 100), sd=numbers(0, 50), quantile=numbers(0, 1))

record_of(monitoring.Flag)
prop(monitoring.flag_triglycerides, mg_dl=numbers(0, 30000), valid=within_plausible("triglycerides_mg_dl"))
prop(monitoring.flag_cholesterol, mg_dl=numbers(0, 3000), valid=within_plausible("total_cholesterol_mg_dl"))
prop(monitoring.flag_hdl, mg_dl=numbers(0, 400), valid=within_plausible("hdl_mg_dl"))
prop(monitoring.alt_grade, u_l=numbers(0, 30000), upper_limit=numbers(0, 200), valid=number_between(0, 4))
prop(monitoring.flag_alt, u_l=numbers(0, 30000), upper_limit=numbers(0, 200), valid=within_plausible("alt_u_l"))
prop(monitoring.flag_panel, triglycerides_mg_dl=numbers(0, 30000), total_cholesterol_mg_dl=numbers(0, 3000), hdl_mg_dl=numbers(0, 400),
     alt_u_l=numbers(0, 30000), alt_upper_limit=numbers(0, 200))
prop(monitoring.threshold_shares, labs=labs_strategy(), upper_limit=numbers(-50, 200),
     valid=lambda result, kwargs: finite_everywhere(result.fillna(0).to_numpy().ravel().tolist()))

PK = pharmacokinetics
prop(PK.dosing_interval, interval_h=numbers(0, 200), valid=number_between(0, 10_000))
prop(PK.body_weight, weight_kg=WEIGHT, valid=within_plausible("weight_kg"))
prop(PK.single_dose, dose_mg=numbers(0, 500), field=st.just("Dose"), no_junk=("field",), valid=number_between(0, 10_000))
prop(PK.elimination_rate_constant, half_life_h=numbers(0, 1e4), valid=number_between(0, 1e6))
prop(PK.accumulation_ratio, half_life_h=numbers(0, 1e4), interval_h=numbers(0, 200), valid=number_between(1, 1e9))
prop(PK.fraction_of_steady_state, half_life_h=numbers(0, 1e4), time_h=numbers(0, 1e4), valid=number_between(0, 1))
prop(PK.fraction_remaining, half_life_h=numbers(0, 1e4), time_h=numbers(0, 1e4), valid=number_between(0, 1))
prop(PK.OralModel, ka_per_h=numbers(0, 200), clearance_l_per_h_per_kg=numbers(0, 10), central_volume_l_per_kg=numbers(0, 10),
     peripheral_volume_l_per_kg=numbers(0, 10), intercompartmental_clearance_l_per_h_per_kg=numbers(0, 10), lag_h=numbers(0, 60),
     bioavailability=numbers(0, 20), metabolite_half_life_h=st.one_of(st.none(), numbers(0, 200)),
     metabolite_auc_ratio=st.one_of(st.none(), numbers(0, 200)))
prop(PK.parent_exponentials, model=models(), weight_kg=WEIGHT)
prop(PK.metabolite_exponentials, model=models(), weight_kg=WEIGHT)
prop(PK.superpose, times_h=st.lists(st.floats(0, 100), max_size=5).map(np.array), start_times_h=st.lists(st.floats(0, 100), max_size=3).map(np.array),
     doses_mg=st.lists(st.floats(0, 100), max_size=3).map(np.array), coefficients=st.lists(st.floats(-5, 5), min_size=1, max_size=3).map(np.array),
     exponents=st.lists(st.floats(0, 5), min_size=1, max_size=3).map(np.array))
prop(PK.Regimen, dose_mg=numbers(0, 300), interval_h=numbers(0, 200), days=numbers(0, 800),
     missed=st.one_of(st.frozensets(st.integers(-2, 60), max_size=4), st.lists(st.integers(1, 20), max_size=3)))
record_of(PK.Simulation)
prop(PK.simulate, model=models(), regimen=regimens(), weight_kg=WEIGHT, step_h=numbers(0, 30), follow_up_days=numbers(0, 400), examples=0.5,
     deadline_ms=4000)
prop(PK.single_dose_auc, model=models(), dose_mg=numbers(0, 300), weight_kg=WEIGHT, valid=number_between(0, 1e9))
prop(PK.single_dose_cmax, model=models(), dose_mg=numbers(0, 300), weight_kg=WEIGHT, valid=number_between(0, 1e9))
prop(PK.peak_to_auc_per_h, model=models(), valid=number_between(0, 1e6))
prop(PK.trough_after_doses, model=models(), dose_mg=numbers(0, 300), interval_h=numbers(0, 200), doses=st.one_of(st.none(), numbers(0, 2000, integer=True)),
     weight_kg=WEIGHT, valid=number_between(0, 1e9))
prop(PK.auc_accumulation_ratio, model=models(), interval_h=numbers(0, 200), valid=number_between(0, 1e9))
prop(PK.doses_to_steady_state, model=models(), interval_h=numbers(0, 200), fraction=numbers(0, 1), valid=number_between(0, 1e7))
prop(PK.levels_after_course_ng_ml, model=models(), regimen=regimens(), weight_kg=WEIGHT, days_after=numbers(0, 500))
prop(PK.fraction_remaining_after_course, model=models(), regimen=regimens(), weight_kg=WEIGHT, days_after=numbers(0, 500), valid=number_between(0, 1))
prop(PK.time_to_fall_h, model=models(), regimen=regimens(), weight_kg=WEIGHT, fraction=numbers(0, 1), valid=number_between(0, 1e7))
prop(PK.steady_state_average_ng_ml, model=models(), daily_dose_mg=DAILY_MG, weight_kg=WEIGHT, valid=number_between(0, 1e9))

record_of(pk_scenario.Scenario)
prop(pk_scenario.parse_missed, text=st.one_of(st.sampled_from(("", "3", "1-4", "2, 5", "0", "9999", "4-2", "1-56")), st.text(max_size=8)),
     scheduled=numbers(0, 100, integer=True))
prop(pk_scenario.scenario_from_inputs, formulation=FORMULATION, meal=MEAL, dose=numbers(5, 120), schedule=near_misses(("twice daily", "once daily")),
     weight=WEIGHT, days=numbers(0.5, 400), missed=st.one_of(st.just(""), st.sampled_from(("3", "1-4", "2, 5", "0", "9999", "4-2"))),
     show_metabolite=BOOL, eliminator=near_misses(("typical", "slow")))
record_of(pk_scenario.Exposure)
prop(pk_scenario.exposure, scenario=SCENARIO_SIMULATION.map(lambda pair: pair[0]), simulation=SCENARIO_SIMULATION.map(lambda pair: pair[1]))

record_of(quiz.AnswerResult)


def answer_valid(result, kwargs) -> None:
    assert isinstance(result, quiz.AnswerResult)
    assert result.valid or result.message, "an unjudged answer without a message"
    assert not (result.valid and result.message), result


prop(quiz.check_answer, question=QUESTION, response=st.one_of(QUESTION.flatmap(lambda q: __import__("property_registry").responses(q)), JUNK),
     valid=answer_valid)
prop(quiz.correct_answer_text, question=QUESTION, valid=is_text)
prop(quiz.presented_questions, bank=st.sampled_from(("01_acne_pathophysiology", "05_laboratory_monitoring")).map(quiz_banks.load_bank),
     question_ids=st.one_of(st.none(), text_lists(near_misses(("ap-total-count", "lm-alt-grade")))))
prop(quiz.QuizProgress, question_ids=text_lists(st.sampled_from(("a", "b", "c"))))
def same_options(result, kwargs) -> None:
    """A shuffle shows every option once: the ids of the result are the question's."""
    assert isinstance(result, tuple), result
    question = kwargs.get("question")
    if isinstance(question, quiz_banks.Question):
        assert sorted(option.id for option in result) == sorted(option.id for option in question.options)


def no_problems(result, kwargs) -> None:
    assert result == [], result  # every course bank passes the lint


prop(quiz.option_order, question=QUESTION, student=st.text(max_size=20), bank_name=st.text(max_size=20), valid=same_options)
prop(quiz.option_label, position=st.integers(0, 25), valid=is_text)
ENVIRON = st.one_of(st.none(), st.dictionaries(st.sampled_from((identity.FIXED_ORDER_VARIABLE, identity.STUDENT_VARIABLE,
                                                                 identity.HUB_USER_VARIABLE, "USER")), st.text(max_size=20), max_size=4))
prop(identity.student_identity, environ=ENVIRON, valid=is_text)
prop(identity.fixed_order_requested, environ=ENVIRON)
prop(identity.request_fixed_order)
prop(quiz_banks.balance_problems, bank=st.sampled_from(quiz_banks.bank_names()).map(quiz_banks.load_bank),
     valid=no_problems)
prop(quiz_banks.load_balanced_bank_file, path=content_paths(), examples=0.5)

prop(risk_management.PregnancyTest, date=dates(), result=near_misses(("negative", "positive")), setting=near_misses(("lab", "office", "home")))
prop(risk_management.Contraception, method=near_misses(("combined oral contraceptive", "male latex condom")), start=dates(),
     end=st.one_of(st.none(), dates()))
prop(risk_management.Prescription, date=dates(), days_supply=numbers(0, 60, integer=True), refills=numbers(0, 3, integer=True),
     authorised=st.one_of(st.none(), dates()), authorisation_reversed=st.one_of(st.none(), dates()))
prop(risk_management.Pickup, prescription_date=dates(), date=dates())
prop(risk_management.Timeline, patient_id=near_misses(("SYN-0001", "X")), category=near_misses(("can_get_pregnant", "cannot_get_pregnant")),
     programme=st.one_of(st.none(), near_misses(PROGRAMMES)), registered=BOOL, risk_acknowledgement=st.one_of(st.none(), dates()))
TIMELINE_DICT = st.fixed_dictionaries({
    "patient_id": near_misses(("SYN-D1",)), "category": near_misses(("can_get_pregnant", "cannot_get_pregnant")),
    "pregnancy_tests": st.lists(st.fixed_dictionaries({"date": dates(), "result": st.sampled_from(("negative", "positive"))}), max_size=2),
    "contraception": st.lists(st.fixed_dictionaries({"method": st.just("male latex condom"), "start": st.one_of(dates(), JUNK)}), max_size=2),
    "prescriptions": st.lists(st.fixed_dictionaries({"date": dates(), "days_supply": st.one_of(numbers(1, 40, integer=True), JUNK)}), max_size=2),
    "pickups": st.one_of(st.lists(st.fixed_dictionaries({"prescription_date": dates(), "date": dates()}), max_size=2), JUNK),
})
prop(risk_management.timeline_from_dict, data=TIMELINE_DICT)
prop(risk_management.validate_timeline, timeline=timeline_strategy(), programme=st.one_of(st.none(), near_misses(PROGRAMMES)))
for cls in (risk_management.Decision, risk_management.Gap, risk_management.Evaluation):
    record_of(cls)
prop(risk_management.evaluate, timeline=timeline_strategy(), rule_set=rule_set_strategy())
EVALUATION = timeline_strategy().map(lambda t: risk_management.evaluate(t, t.programme or "ipledge") if _judgeable(t) else t)


def _judgeable(timeline) -> bool:
    try:
        risk_management.evaluate(timeline, timeline.programme or "ipledge")
    except Exception:  # noqa: BLE001 - a timeline the engine refuses is passed on as it is, to explain()
        return False
    return True


prop(risk_management.explain, evaluation=EVALUATION, valid=is_text)
prop(risk_management.as_patient_of, timeline=timeline_strategy(), programme=near_misses(PROGRAMMES), patient_id=st.one_of(st.none(), st.text(max_size=5)))
prop(risk_management.decisions_by_programme, timeline=timeline_strategy(), programmes=text_lists(near_misses(PROGRAMMES)))

# --------------------------------------------------------------------------- data

prop(audit_log.generate, examples=0.1, deadline_ms=20000)
prop(audit_log.timelines, tables=st.one_of(st.builds(audit), st.builds(lambda: {k: v for k, v in audit().items() if k != "audit_contraception"}),
                                           st.builds(cohort)))
prop(audit_log.answer_key, tables=st.one_of(st.builds(audit), st.builds(cohort)), rule_set=rule_set_strategy(), examples=0.2, deadline_ms=20000)
record_of(cohort_module.PlantedEvents)
record_of(cohort_module.CohortTables)
prop(cohort_module.generate, n=SMALL_N, seed=SEED, examples=0.5)
prop(cohort_module.planted_labels)
prop(demo.generator, seed=SEED)
prop(demo.demo_patients, n=numbers(0, 300, integer=True), seed=SEED)
prop(demo.treatment_response, n=numbers(0, 60, integer=True), weeks=numbers(0, 60, integer=True), seed=SEED)
DATASET_FOLDER = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(dataset_folders()))
prop(loader.load_package, directory=DATASET_FOLDER)
prop(loader.resource, package=st.builds(loader.load_package), name=near_misses(("labs", "patients", "audit_patients")))
prop(loader.read_table, path=DATASET_FOLDER.map(lambda folder: (Path(str(folder)) if folder else Path("x")) / "synthetic_labs.csv"),
     schema=st.builds(lambda: loader.resource(loader.load_package(), "labs")["schema"]), examples=0.5)
prop(loader.check_relations, name=near_misses(("patients", "dispensing", "labs")),  # a table with another table's columns is refused
     frame=st.sampled_from(("patients", "dispensing", "labs")).map(lambda table: cohort()[table].copy()), file=st.just("synthetic_x.csv"),
     no_junk=("file",))
prop(loader.load_table, name=near_misses(("labs", "patients", "dispensing")), directory=DATASET_FOLDER, examples=0.5)
prop(loader.load_tables, names=text_lists(near_misses(("labs", "patients"))), directory=DATASET_FOLDER, examples=0.3)
prop(loader.load_cohort, directory=DATASET_FOLDER, examples=0.3, deadline_ms=4000)
prop(loader.load_audit, directory=DATASET_FOLDER, examples=0.3, deadline_ms=4000)
prop(programme_cases.cohort_timelines, tables=tables_strategy(), examples=0.5)
prop(programme_cases.comparison_patients)
prop(programme_cases.missed_first_window, rule_set=rule_set_strategy(), retest_after=numbers(0, 400, integer=True))
prop(regenerate.data_package)
prop(regenerate.write, directory=st.builds(lambda: __import__("tempfile").mkdtemp()), n=SMALL_N, seed=SEED, examples=0.2, deadline_ms=8000)
prop(regenerate.main, argv=st.one_of(st.builds(lambda: [__import__("tempfile").mkdtemp()]), st.lists(st.sampled_from(("", "--x")), max_size=2)),
     examples=0.05, deadline_ms=30000)
prop(schema.field_schema, name=TEXT, kind=near_misses(("string", "number", "date")), description=TEXT)
prop(schema.tabular_data_package, name=TEXT, title=TEXT, description=TEXT, schemas=st.one_of(st.just(schema.SCHEMAS), TEXT, st.none()))
prop(schema.plausible, quantity=near_misses(("weight_kg", "hdl_mg_dl")))

# --------------------------------------------------------------------------- figures

FIGURE = dict(valid=figure_with_description, after=close_figures)
prop(acne_figures.lesion_progression_figure, **FIGURE, examples=0.1)
prop(acne_figures.pathogenic_factors_figure, **FIGURE, examples=0.1)
prop(acne_figures.drug_effects_figure, **FIGURE, examples=0.1)
prop(adverse_figures.risk_ratio_figure, **FIGURE, examples=0.1)
prop(course_map.learning_path_figure, items=st.one_of(st.none(), st.builds(lessons.lessons), st.builds(lambda: lessons.lessons()[:2])), **FIGURE, examples=0.3)
DEMO_FRAME = st.one_of(st.builds(demo.demo_patients, st.integers(1, 50)), st.builds(lambda: demo.demo_patients().drop(columns="weight_kg")),
                       st.builds(lambda: demo.demo_patients().iloc[0:0]), st.builds(lambda: cohort()["labs"]))
prop(demo_figures.demo_weight_figure, frame=DEMO_FRAME, **FIGURE, examples=0.3)
prop(demo_figures.response_time_course_figure, frame=st.one_of(st.builds(demo.treatment_response, st.integers(1, 10), st.integers(1, 30)),
                                                               st.builds(lambda: demo.treatment_response().drop(columns="week")), DEMO_FRAME),
     **FIGURE, examples=0.3)
prop(dosing_figures.cumulative_dose_figure, weight_kg=WEIGHT, days=numbers(0, 500, integer=True), **FIGURE, examples=0.3)
prop(monitoring_figures.patient_timeline_figure, tables=tables_strategy(), patient_id=PATIENT_ID, **FIGURE, examples=0.3, deadline_ms=5000)
prop(monitoring_figures.PatientTimeline, tables=tables_strategy(), figure=st.one_of(st.none(), st.builds(lambda: __import__("matplotlib.figure", fromlist=["Figure"]).Figure())),
     after=close_figures, examples=0.3, deadline_ms=5000)
prop(monitoring_figures.cohort_threshold_figure, labs=labs_strategy(), **FIGURE, examples=0.3)
prop(pk_figures.envelope, x=st.lists(st.floats(0, 100), max_size=30).map(np.array), y=st.lists(st.floats(0, 100), max_size=30).map(np.array),
     buckets=numbers(0, 2000, integer=True))
prop(pk_figures.ConcentrationPlot, after=close_figures, examples=0.2)
prop(pk_figures.concentration_figure, scenario=SCENARIO_SIMULATION.map(lambda pair: pair[0]), simulation=SCENARIO_SIMULATION.map(lambda pair: pair[1]),
     after=close_figures, examples=0.3)
prop(pk_figures.describe_simulation, scenario=SCENARIO_SIMULATION.map(lambda pair: pair[0]),
     figures=SCENARIO_SIMULATION.map(lambda pair: pk_scenario.exposure(*pair)), valid=is_text)
prop(pk_figures.single_dose_figure, **FIGURE, examples=0.1)
prop(pk_figures.washout_figure, dose_mg=numbers(5, 100), interval_h=numbers(6, 48), course_days=numbers(1, 400), weight_kg=WEIGHT,
     days_after=numbers(0, 400), **FIGURE, examples=0.3, deadline_ms=6000)
prop(pk_figures.label_comparison_table)
prop(pk_figures.washout_frame, days_after=numbers(0, 400), examples=0.3, deadline_ms=6000)
prop(risk_figures.timeline_figure, timeline=timeline_strategy(), rule_set=st.one_of(st.none(), rule_set_strategy()), **FIGURE, examples=0.4,
     deadline_ms=5000)
prop(risk_figures.programme_changes_figure, until=st.one_of(st.dates(), dates()), **FIGURE, examples=0.3)
prop(risk_figures.rules_markdown, rule_set=rule_set_strategy(), only=st.one_of(st.none(), text_lists(near_misses(("pickup_window", "refills_allowed"))))
     , valid=is_text)
prop(risk_figures.rule_sets_markdown, valid=is_text)
prop(risk_figures.settings_table_markdown, valid=is_text)
prop(risk_figures.methods_markdown, valid=is_text)
prop(risk_figures.not_modelled_markdown, rule_set=rule_set_strategy(), valid=is_text)
prop(risk_figures.comparison_markdown, timeline=timeline_strategy(), valid=is_text)
prop(risk_figures.show_markdown, text=TEXT)
prop(style.use_course_style)
prop(style.show_figure, figure=st.builds(lambda: __import__("matplotlib.figure", fromlist=["Figure"]).Figure()), description=TEXT,
     number=st.one_of(st.none(), numbers(0, 20, integer=True)), after=close_figures)
prop(style.mark_synthetic, figure=st.builds(lambda: __import__("matplotlib.figure", fromlist=["Figure"]).Figure()), fontsize=numbers(0, 40),
     after=close_figures)
SMALL_FIGURE = st.builds(lambda: __import__("matplotlib.figure", fromlist=["Figure"]).Figure(figsize=(2, 2)))


def _labelled_figure() -> tuple:
    """A small figure and the text artists a widget would draw once (a caption and a legend)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2))
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], label="line")
    return figure, [figure.text(0.5, 0.02, "SYNTHETIC", fontsize=6), ax.legend()]


LABELLED_FIGURE = st.builds(_labelled_figure)
prop(style.figure_png, figure=st.one_of(SMALL_FIGURE, LABELLED_FIGURE.map(lambda pair: pair[0])), tight=st.booleans(),
     layer=st.one_of(st.none(), LABELLED_FIGURE.map(lambda pair: style.StaticLayer(*pair))), colours=st.one_of(st.none(), numbers(2, 256, integer=True)),
     after=close_figures)
prop(style.StaticLayer, figure=st.one_of(SMALL_FIGURE, LABELLED_FIGURE.map(lambda pair: pair[0])),
     artists=st.one_of(st.just([]), LABELLED_FIGURE.map(lambda pair: pair[1])), after=close_figures)
prop(style.RenderedFigure, figure=st.one_of(SMALL_FIGURE, LABELLED_FIGURE.map(lambda pair: pair[0])), after=close_figures)
prop(style.quick_png, figure=st.builds(lambda: __import__("matplotlib.figure", fromlist=["Figure"]).Figure(figsize=(2, 2))), after=close_figures)
prop(style.show_table, frame=st.one_of(st.builds(lambda: cohort()["patients"]), st.builds(pd.DataFrame)), title=TEXT, rows=numbers(-5, 50, integer=True))
prop(style.number_word, count=numbers(-5, 50, integer=True), valid=is_text)

# --------------------------------------------------------------------------- widgets (constructors; the interactions are in test_properties.py)

prop(article_scorecard.ArticleScorecard, title=TEXT)
prop(base.CourseWidget, children=st.one_of(st.builds(lambda: [__import__("ipywidgets").HTML("x")]), st.just([])), no_junk=())
STEP_KEY = near_misses(("eligibility", "first_dose", "relapse"))
prop(capstone_widgets.CaseQuiz, case=st.builds(capstone_case), key=STEP_KEY, examples=0.5)
prop(capstone_widgets.CaseStepView, case=st.builds(capstone_case), key=STEP_KEY, examples=0.5)
prop(counselling_widgets.CounsellingChecklist, profile=PROFILE, patient_label=TEXT, on=st.one_of(st.none(), dates()), examples=0.5)
prop(counselling_widgets.status_html, summary=st.builds(counselling.counselling_summary, PROFILE, st.lists(st.sampled_from(("pregnancy", "mood")), unique=True)),
     valid=is_html)
DECISION = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(decisions()))
prop(dispensing.judge, choice=st.one_of(BOOL, near_misses(("dispense", "hold", "refuse"))), decision=DECISION)
prop(dispensing.visit_card_html, timeline=timeline_strategy(), decision=DECISION, valid=is_html)
prop(dispensing.comparison_html, results=timeline_strategy().map(lambda t: risk_management.decisions_by_programme(t) if _judgeable(t) else {}),
     position=numbers(-2, 10, integer=True), valid=is_html)


@__import__("functools").cache
def simulator_patients() -> dict:
    return {t.patient_id: t for t in list(audit_log.timelines(audit()))[:6] + list(programme_cases.comparison_patients().values())}


prop(dispensing.DispensingSimulator, patients=st.builds(simulator_patients), patient_id=near_misses(("AUD-001", "UK-101", "EU-101")),
     rule_set=st.one_of(st.none(), rule_set_strategy()), examples=0.4, deadline_ms=6000, after=close_figures)
prop(dosing_widgets.dosing_plan_html, weight=WEIGHT, starting=DOSE_PER_KG, maintenance=DOSE_PER_KG, formulation=FORMULATION, target=TARGET,
     start=dates(), missed_days=numbers(0, 500, integer=True), valid=is_html)
prop(dosing_widgets.DosingCalculator, weight_kg=WEIGHT, formulation=FORMULATION, examples=0.5)
prop(patient_explorer.patient_flags_html, tables=tables_strategy(), patient_id=PATIENT_ID, valid=is_html)
prop(patient_explorer.PatientExplorer, tables=tables_strategy(), patient_id=PATIENT_ID, examples=0.3, deadline_ms=6000, after=close_figures)
prop(pk_simulator.exposure_html, scenario=SCENARIO_SIMULATION.map(lambda pair: pair[0]),
     figures=SCENARIO_SIMULATION.map(lambda pair: pk_scenario.exposure(*pair)), valid=is_html)
prop(pk_simulator.PKSimulator, dose_mg=numbers(5, 120), weight_kg=WEIGHT, days=numbers(0, 400), formulation=FORMULATION, meal=MEAL,
     eliminator_name=near_misses(("typical", "slow")), examples=0.4, deadline_ms=6000, after=close_figures)
prop(quiz_widgets.feedback_html, result=st.builds(quiz.AnswerResult, valid=BOOL, correct=BOOL, feedback=st.tuples(TEXT), message=TEXT), valid=is_html)
prop(quiz_widgets.answer_html, question=QUESTION, valid=is_html)
prop(quiz_widgets.sources_html, keys=text_lists(near_misses(("reynolds2024", "zaenglein2016"))), valid=lambda result, kwargs: is_text(result, kwargs))
prop(quiz_widgets.QuestionCard, question=QUESTION, number=numbers(0, 50, integer=True), on_result=st.just(lambda *args: None), no_junk=("on_result",))
BANK = near_misses(("01_acne_pathophysiology", "05_laboratory_monitoring"))
prop(quiz_widgets.Quiz, bank=BANK.map(lambda name: quiz_banks.load_bank(name) if name in quiz_banks.bank_names() else name),
     question_ids=st.one_of(st.none(), text_lists(st.builds(lambda: None).flatmap(lambda _: st.sampled_from([q.id for q in all_questions()])))),
     title=st.one_of(st.none(), TEXT), examples=0.5)
prop(quiz_widgets.static_quiz_html, questions=st.lists(QUESTION, max_size=3), title=TEXT, valid=is_html)
prop(quiz_widgets.quiz_for, notebook=BANK, question_ids=st.one_of(st.none(), text_lists(st.builds(lambda: None).flatmap(
    lambda _: st.sampled_from([q.id for q in all_questions()])))), title=st.one_of(st.none(), TEXT), examples=0.5)
prop(severity.SeverityClassifier, comedones=numbers(0, 1200, integer=True), inflammatory=numbers(0, 1200, integer=True),
     nodules=numbers(0, 300, integer=True), examples=0.5)
prop(severity.severity_report_html, typed_counts=st.fixed_dictionaries({"comedones": numbers(0, 1200, integer=True),
                                                                         "inflammatory": numbers(0, 1200, integer=True), "nodules": numbers(0, 300, integer=True)}),
     context=st.fixed_dictionaries({"scarring": BOOL, "psychosocial_burden": BOOL, "failed_standard_therapy": BOOL,
                                    "failed_systemic_antibiotics": st.one_of(st.none(), BOOL)}), valid=is_html)
prop(severity.severity_scheme_html, valid=is_html)

# --------------------------------------------------------------------------- authoring and grading (tools for authors and instructors)

NOTEBOOK = notebook_strategy()
REAL_NOTEBOOK_NAME = near_misses(("05_laboratory_monitoring", "09_capstone_case", "00_start_here"))
prop(build.notebook_paths, arguments=text_lists(st.sampled_from(("notebooks", "nope.ipynb", str(ROOT / "notebooks"), ""))))
prop(build.refresh_references, nb=NOTEBOOK, bibliography=st.builds(bibliography.load_bibliography))
prop(build.clean_metadata, nb=NOTEBOOK)
prop(build.stable_widget_ids, nb=NOTEBOOK, name=TEXT)
prop(build.execute_notebook, path=st.sampled_from((file_box() / "text.ipynb", file_box() / "missing.ipynb", file_box() / "a_folder.yml")),
     bibliography=st.builds(bibliography.load_bibliography), examples=0.2, deadline_ms=8000)
prop(build.main, argv=st.one_of(st.lists(st.sampled_from(("nope.ipynb", "", str(file_box() / "text.ipynb"))), max_size=2), st.none().map(lambda _: [])),
     examples=0.3, deadline_ms=30000)
for function in (lint.learning_objectives, lint.check_structure, lint.imported_modules, lint.notebook_reviewed):
    prop(function, nb=NOTEBOOK)
prop(lint.capstone_balance_problems, valid=no_problems, examples=0.05, deadline_ms=30000)
prop(lint.check_lesson_shape, nb=NOTEBOOK, today=st.one_of(st.none(), st.dates()))
prop(lint.check_references, nb=NOTEBOOK, bibliography=st.builds(bibliography.load_bibliography))
prop(lint.manifest_lesson, name=REAL_NOTEBOOK_NAME)
prop(lint.check_manifest, nb=NOTEBOOK, name=REAL_NOTEBOOK_NAME)
prop(lint.check_quiz_alignment, nb=NOTEBOOK, name=REAL_NOTEBOOK_NAME)
prop(lint.lesson_content_dates, name=REAL_NOTEBOOK_NAME)
prop(lint.check_review_dates, nb=NOTEBOOK, name=REAL_NOTEBOOK_NAME, today=st.one_of(st.none(), st.dates()))
prop(lint.lint_notebook, path=st.one_of(st.sampled_from(sorted((ROOT / "notebooks").glob("0[0-2]_*.ipynb"))), st.sampled_from(
    (file_box() / "text.ipynb", file_box() / "missing.ipynb"))), examples=0.2, deadline_ms=8000)
prop(lint.main, argv=st.one_of(st.none().map(lambda _: [str(file_box() / "text.ipynb")]), st.lists(st.sampled_from(("nope.ipynb", "")), max_size=2)),
     examples=0.2, deadline_ms=8000)
record_of(pk_fit.Disposition)
record_of(pk_fit.SingleDose)
record_of(pk_fit.Fit)
prop(pk_fit.disposition_from_rates, clearance_l_per_h_per_kg=numbers(0, 5), alpha=numbers(0, 5), beta=numbers(0, 1), k21=numbers(0, 5))
prop(pk_fit.ka_for_peak_time, disposition=st.builds(pk_fit.disposition_from_rates, st.just(0.2), st.just(1.0), st.just(0.03), st.just(0.2)),
     peak_time_h=numbers(0, 50))
prop(pk_fit.ka_for_peak_to_auc, disposition=st.builds(pk_fit.disposition_from_rates, st.just(0.2), st.just(1.0), st.just(0.03), st.just(0.2)),
     ratio_per_h=numbers(0, 1))
SINGLE = st.builds(pk_fit.SingleDose, st.floats(1000, 20000), st.floats(100, 1500), st.floats(1, 10))  # valid records; junk replaces them
prop(pk_fit.fit_conventional, fed=SINGLE, fasted=SINGLE, dose_mg=numbers(10, 100), weight_kg=WEIGHT, terminal_half_life_h=numbers(1, 100),
     distribution_half_life_h=numbers(0.1, 10), examples=0.1, deadline_ms=8000)
prop(pk_fit.fit_parameter_set, parameters=raw_content("pk_parameters"), examples=0.1, deadline_ms=20000)  # a full fit: seconds each
prop(pk_fit.stale, parameters=raw_content("pk_parameters"), examples=0.1, deadline_ms=20000)  # a full fit: seconds each
prop(pk_fit.write, block=st.one_of(st.just({}), JUNK), path=st.just(file_box() / "missing" / "x.yml"), examples=0.2)
prop(pk_fit.report, examples=0.1, deadline_ms=8000)
prop(pk_fit.main, argv=st.lists(st.sampled_from(("--check", "--nope", "")), max_size=2), examples=0.1, deadline_ms=8000)
prop(readme.lessons_table, items=st.one_of(st.none(), st.builds(lessons.lessons)), valid=is_text)
prop(readme.where_to_change_table, items=st.one_of(st.none(), st.builds(lessons.lessons)), valid=is_text)
prop(readme.render, text=st.one_of(st.builds(lambda: (ROOT / "README.md").read_text()), TEXT), valid=is_text)
prop(readme.main, argv=st.one_of(st.builds(lambda: [str(_readme_copy()), "--check"]), st.lists(st.sampled_from(("nope.md", "--check", "")), max_size=2)),
     examples=0.3)


def _readme_copy() -> Path:
    target = Path(__import__("tempfile").mkdtemp()) / "README.md"
    target.write_text((ROOT / "README.md").read_text())
    return target


record_of(review_dates.ReviewedFile)
prop(review_dates.read_last_reviewed, path=content_paths(), name=st.one_of(st.none(), TEXT))
prop(review_dates.manifest_content_files, names=text_lists(near_misses(("label_dosing.yml", "rule_sets", "quiz_banks/01_acne_pathophysiology.yml"))))
prop(review_dates.review_date_problems, notebook_reviewed=dates(), files=st.lists(st.builds(review_dates.ReviewedFile, st.text(max_size=5),
                                                                                             st.one_of(st.none(), st.dates())), max_size=3),
     today=st.one_of(st.none(), st.dates()))
prop(review_dates.git_history_available, repository=st.sampled_from((ROOT, file_box(), Path("/nonexistent"))), examples=0.2)
prop(review_dates.last_content_change, path=st.sampled_from((ROOT / "src/isotretinoin_course/content/label_dosing.yml", file_box() / "empty.yml")),
     repository=st.sampled_from((ROOT, file_box())), today=st.one_of(st.none(), st.dates()), examples=0.2, deadline_ms=6000)

# The grading package runs students' code in sandboxes and has its own hostile-class tests (tests/hostile_class.py,
# tests/test_exercises*.py); only its command line is driven here, with the one subcommand that starts no sandbox.
prop(grading_driver.main, argv=st.lists(st.sampled_from(("report", "--course", str(ROOT / "exercises"), "nope", "", "a1_dosing")), max_size=4)
     .filter(lambda argv: "autograde" not in argv and "feedback" not in argv), examples=0.3, deadline_ms=8000,
     no_junk=("argv",))  # a command line's arguments are always a list of text (sys.argv)


# --------------------------------------------------------------------------- saved progress (core/progress_store.py, models/progress.py, widgets/progress.py)

def _mixed(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """As the runner mixes junk into a parameter: for drivers that call several functions in turn."""
    return st.integers(0, 3).flatmap(lambda pick: JUNK if pick == 0 else strategy)


def _fresh_folder() -> Path:
    return Path(__import__("tempfile").mkdtemp(prefix="course-properties-"))


def _file_on_the_way() -> Path:
    blocker = _fresh_folder() / "a-file"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    return blocker / "progress.json"


# Where a progress file may be: never a relative path (it would be written into the repository) and never inside file_box(),
# which other entries need as it is. Each path is a fresh folder's, so no example sees another's results.
PROGRESS_FILE = st.one_of(st.builds(lambda: _fresh_folder() / "progress.json"), st.builds(lambda: str(_fresh_folder() / "progress.json")),
                          st.builds(_fresh_folder), st.builds(_file_on_the_way), st.builds(lambda: _fresh_folder() / "new" / "progress.json"),
                          st.sampled_from((None, 3, b"progress.json", "")))


@__import__("functools").cache
def _question_places() -> tuple:
    """(lesson, objective, source, question) of every question of the course that the progress table counts."""
    return tuple((lesson, objective, *key.split(" / ", 1)) for (lesson, objective), keys in sorted(progress_model.course_questions().items())
                 for key in sorted(keys))


LESSON_NUMBER = st.one_of(st.sampled_from(("01", "03", "09", "99")), near_misses(("01", "09")))
OBJECTIVE = st.one_of(st.sampled_from(("LO1", "LO2", "LO3")), near_misses(("LO1", "LO2")))
KIND = st.one_of(st.sampled_from(progress_store.KINDS), near_misses(progress_store.KINDS))
RESPONSE = st.one_of(st.none(), st.text(max_size=6), st.lists(st.sampled_from(("a", "b", "c", "d")), max_size=3),
                     st.tuples(st.sampled_from(("a", "b"))))
PLACE = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(_question_places()))
SAVED = st.one_of(
    st.builds(lambda place, kind, attempts, first, now, response: progress_store.SavedResult(place[0], place[2], place[3], place[1], kind,
                                                                                            attempts, first, now, response),
              PLACE, st.sampled_from(progress_store.KINDS), st.integers(1, 5), BOOL, BOOL, RESPONSE),
    st.builds(progress_store.SavedResult, st.sampled_from(("01", "99")), st.sampled_from(("widget pk_simulator", "capstone SYN-0024")),
              st.sampled_from(("peak-time", "q1")), st.sampled_from(("LO1", "LO7")), st.sampled_from(progress_store.KINDS), st.integers(1, 3),
              BOOL, BOOL, RESPONSE),
)
RESULTS = st.lists(SAVED, max_size=8, unique_by=lambda result: (result.lesson, result.key))
RESULT_MAP = RESULTS.map(lambda found: {(result.lesson, result.key): result for result in found})
JSON_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5),
                      st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))


def _changed_file(results: dict, where: int, field: str, value: object) -> str:
    """A progress file's text with one field of one record (or of the file) replaced, as a hand edit would leave it."""
    raw = __import__("json").loads(progress_store.progress_text(results))
    records = [record for lesson in raw["lessons"].values() for record in lesson.values()]
    if records and field not in ("format", "version", "lessons"):
        records[where % len(records)][field] = value
    else:
        raw[field] = value
    return __import__("json").dumps(raw)


PROGRESS_TEXT = st.one_of(
    RESULT_MAP.map(progress_store.progress_text), RESULT_MAP.map(lambda results: progress_store.progress_text(results)[:-30]),
    st.builds(_changed_file, RESULT_MAP, st.integers(0, 9), st.sampled_from(("attempts", "kind", "objective", "response", "correct_now", "source",
                                                                            "format", "version", "lessons")), JSON_JUNK),
    st.sampled_from(("", "[]", "{}", "[" * 5000 + "]" * 5000, '{"format": "isotretinoin-course progress", "version": 1, "lessons": {"01": []}}')),
)

record_of(progress_store.SavedResult, lesson=LESSON_NUMBER, source=st.sampled_from(("quiz 01_acne_pathophysiology", "widget x", "capstone SYN-0024", "")),
          question=st.sampled_from(("q1", "ap-total-count")), objective=OBJECTIVE, kind=KIND, attempts=numbers(0, 5, integer=True),
          correct_first_time=BOOL, correct_now=BOOL, response=RESPONSE)
prop(progress_store.record_key, source=st.sampled_from(("quiz 01_acne_pathophysiology", "capstone SYN-0024", "")),
     question=st.one_of(st.sampled_from(("q1", "ap-total-count")), TEXT), valid=is_text)
prop(progress_store.progress_path)
prop(progress_store.course_copy_folder, working_directory=st.one_of(st.none(), TEXT, st.builds(__import__('pathlib').Path, TEXT)), valid=is_text)
prop(progress_store.progress_store)
prop(progress_store.parse_progress, text=PROGRESS_TEXT,
     valid=lambda result, kwargs: isinstance(result, dict) or (_ for _ in ()).throw(AssertionError(result)))
prop(progress_store.progress_text, results=st.one_of(RESULT_MAP, RESULT_MAP.map(lambda found: {("00", "x"): result for result in found.values()})),
     valid=is_text)


def _progress_store_in_use(data) -> None:
    """A store on any path, then what a quiz does with it: save answers (any values), read them back, perhaps reset."""
    store = progress_store.ProgressStore(data.draw(PROGRESS_FILE, label="path"))
    for _attempt in range(data.draw(st.integers(1, 3), label="answers")):
        place = data.draw(PLACE, label="question")
        result = store.record(data.draw(_mixed(st.just(place[0])), label="lesson"), data.draw(_mixed(st.just(place[2])), label="source"),
                              data.draw(_mixed(st.just(place[3])), label="question"), data.draw(_mixed(st.just(place[1])), label="objective"),
                              data.draw(_mixed(BOOL), label="correct"), data.draw(_mixed(RESPONSE), label="response"),
                              data.draw(_mixed(KIND), label="kind"))
        assert store.result(result.lesson, result.source, result.question) == result, "a saved answer does not read back"
    assert all(isinstance(item, progress_store.SavedResult) for item in store.results())
    if data.draw(BOOL, label="reset"):
        store.reset()
        assert store.results() == []


driven("core.progress_store.ProgressStore", _progress_store_in_use, deadline_ms=6000)

record_of(progress_model.ObjectiveProgress, lesson=LESSON_NUMBER, lesson_title=TEXT, objective=st.sampled_from(("LO1", "")),
          questions=numbers(0, 20, integer=True), answered=numbers(0, 20, integer=True), correct_now=numbers(0, 20, integer=True),
          right_first_time=numbers(0, 20, integer=True))
BANK_NAME = near_misses(("01_acne_pathophysiology", "08_claim_verdicts", "99_fixture", "nope"))
prop(progress_model.quiz_source, bank_name=BANK_NAME, valid=is_text)
prop(progress_model.capstone_source, patient_id=PATIENT_ID, valid=is_text)
prop(progress_model.widget_source, widget=near_misses(("pk_simulator", "dosing_calculator")), valid=is_text)
prop(progress_model.lesson_for_bank, bank_name=BANK_NAME,
     valid=lambda result, kwargs: (isinstance(result, str) and len(result) == 2 and result.isdigit()) or (_ for _ in ()).throw(AssertionError(result)))
prop(progress_model.course_questions)


def progress_rows_valid(result, _kwargs) -> None:
    assert all(isinstance(row, progress_model.ObjectiveProgress) and row.answered <= row.questions for row in result), result


prop(progress_model.objective_progress, results=st.one_of(RESULTS, RESULTS.map(tuple), RESULTS.map(lambda found: found + found[:1])),
     valid=progress_rows_valid)

prop(progress_widgets.progress_notice_html, problem=TEXT, valid=is_text)
prop(progress_widgets.progress_table_html, rows=st.one_of(RESULTS.map(progress_model.objective_progress),
                                                          RESULTS.map(lambda found: progress_model.objective_progress(found)[:3] + [found[:1]])),
     valid=is_html)
WIDGET_NAME = st.one_of(st.sampled_from(("pk_simulator", "dosing_calculator")), near_misses(("pk_simulator",)))
QUESTION_ID = st.one_of(st.sampled_from(("peak-time", "q1")), near_misses(("peak-time",)))
prop(progress_widgets.save_widget_result, lesson=LESSON_NUMBER, widget=WIDGET_NAME, question=QUESTION_ID, objective=OBJECTIVE,
     correct=BOOL, response=RESPONSE, valid=is_text)
prop(progress_widgets.saved_widget_result, lesson=LESSON_NUMBER, widget=WIDGET_NAME, question=QUESTION_ID,
     valid=lambda result, kwargs: result is None or isinstance(result, progress_store.SavedResult) or (_ for _ in ()).throw(AssertionError(result)))
prop(progress_widgets.ProgressPanel, examples=0.3)
prop(progress_widgets.progress_panel, examples=0.3)
prop(capstone_widgets.CaseDebrief, case=st.builds(capstone_case), examples=0.3)


def _empty_progress_in_use(data) -> None:
    """Inside, kernels see a new, empty progress folder; after, the folder the process had before."""
    before = __import__("os").environ.get(progress_store.PROGRESS_DIR_VARIABLE)
    with build.empty_progress():
        folder = progress_store.progress_path().parent
        assert folder.is_dir() and not any(folder.iterdir()) and str(folder) != before
    assert __import__("os").environ.get(progress_store.PROGRESS_DIR_VARIABLE) == before and not folder.exists()


driven("authoring.build.empty_progress", _empty_progress_in_use, examples=0.2)

# --------------------------------------------------------------------------- tables and numbers shown to students

LIPID = st.one_of(st.sampled_from(tuple(monitoring.MMOL_L_PER_MG_DL)), near_misses(tuple(monitoring.MMOL_L_PER_MG_DL)))
prop(monitoring.to_mmol_l, analyte=LIPID, mg_dl=st.one_of(numbers(5, 250), numbers(0, 25000)), valid=number_between(0.05, 250))
prop(monitoring.visit_words, visit=near_misses(("baseline", "month_2", "follow_up_1", "follow_up_3")), valid=is_text)


def _with_column(frame: pd.DataFrame, column: str, value: object) -> pd.DataFrame:
    changed = frame.head(6).copy()
    changed[column] = changed[column].astype(object)
    changed.iloc[2, changed.columns.get_loc(column)] = value
    return changed


READABLE = st.one_of(
    st.sampled_from(("patients", "labs", "dispensing", "lesion_counts", "pregnancy_tests", "adverse_events")).map(lambda name: cohort()[name].head(30)),
    labs_strategy(), st.builds(pd.DataFrame), st.builds(lambda: audit()["audit_pickups"] if "audit_pickups" in audit() else pd.DataFrame()),
    st.builds(_with_column, st.builds(lambda: cohort()["labs"]), st.sampled_from(("triglycerides_mg_dl", "hdl_mg_dl", "visit")),
              st.sampled_from((None, float("nan"), "x", 500.0, 1.2, True, "month_3", 7))),
    st.builds(lambda: pd.concat([cohort()["labs"].head(3), cohort()["labs"].head(3)[["visit"]]], axis=1)),  # a column twice
    st.builds(lambda: pd.DataFrame({0: [1, 2], 1.5: ["a", "b"]})),
)
prop(table_figures.readable_table, frame=READABLE,
     valid=lambda result, kwargs: isinstance(result, pd.DataFrame) or (_ for _ in ()).throw(AssertionError(type(result))))
prop(table_figures.show_readable, frame=READABLE, title=TEXT, rows=numbers(-2, 40, integer=True))
REFERENCE_TABLE = st.one_of(st.sampled_from((adverse_effects.warnings_table, adverse_effects.interactions_table, adverse_effects.procedures_table,
                                             pk_figures.formulation_table, pk_figures.label_comparison_table)).map(lambda make: make()),
                            st.builds(pd.DataFrame), st.builds(lambda: cohort()["patients"].head(5)),
                            st.builds(lambda: adverse_effects.warnings_table().reset_index().set_index("Warning", drop=False)))
prop(table_figures.show_reference, frame=REFERENCE_TABLE, title=TEXT)


def plain_number_text(result, _kwargs) -> None:
    assert isinstance(result, str) and result.strip(), result
    assert "e+" not in result and "e-" not in result and "nan" not in result and "inf" not in result, f"not a student's number: {result}"


prop(pk_figures.power_of_ten, value=st.one_of(numbers(-1, 1), numbers(1e-12, 1e-3), numbers(1e3, 1e9)), digits=numbers(0, 6, integer=True),
     valid=plain_number_text)
prop(pk_figures.amount_text, value=st.one_of(numbers(0, 1), numbers(0, 1000), numbers(1e-12, 1e-3), numbers(1e3, 1e8)), valid=plain_number_text)
prop(pk_figures.formulation_table)
prop(pk_figures.show_model_table, frame=REFERENCE_TABLE, caption=TEXT)

# --------------------------------------------------------------------------- the assessment data (data/assessment.py)

CARD_ID = near_misses(("C01", "C05", "C11"))


@__import__("functools").cache
def _raw_cards() -> tuple:
    import json

    return tuple(json.loads(assessment.assessment_directory().joinpath(assessment.CARDS_FILE).read_text(encoding="utf-8"))["cards"])


def _card_data(index: int, key: str, value: object, how: str) -> object:
    card = __import__("copy").deepcopy(_raw_cards()[index % len(_raw_cards())])
    if how == "replace":
        card[key] = value
    elif how == "remove":
        card.pop(key, None)
    elif how == "timeline":
        card["timeline"][("pickups", "prescriptions", "category", "patient_id")[index % 4]] = value
    return card


CARD_DATA = st.builds(_card_data, st.integers(0, 20), st.sampled_from(("card_id", "rule_set", "situation", "timeline")),
                      st.one_of(JUNK, rule_set_strategy(), st.just([])), st.sampled_from(("as is", "as is", "replace", "remove", "timeline")))
GOOD_CARD = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(tuple(assessment.visit_cards().values())))
CARD = st.one_of(GOOD_CARD, GOOD_CARD,
                 st.builds(mutated, GOOD_CARD, st.sampled_from(("card_id", "rule_set", "situation", "timeline")),
                           st.one_of(JUNK, rule_set_strategy(), timeline_strategy())),
                 st.builds(lambda card, key: mutated(card, "rule_set", key), GOOD_CARD, st.sampled_from(("ipledge_2021", "uk_mhra_2023", "eu_ppp_2018"))))
record_of(assessment.VisitCard, card_id=CARD_ID, rule_set=st.one_of(GOOD_CARD.map(lambda card: card.rule_set), near_misses(("ipledge_2021", "uk_mhra_2026"))),
          situation=st.sampled_from(("She collects today.", "", " ")), timeline=st.one_of(GOOD_CARD.map(lambda card: card.timeline), timeline_strategy()))
prop(assessment.card_from_dict, data=CARD_DATA)
prop(assessment.counter_verdict, card=CARD,
     valid=lambda result, kwargs: (result[0] in assessment.DECISIONS and result[1] in assessment.COUNTER_RULES) or (_ for _ in ()).throw(AssertionError(result)))
prop(assessment.describe_card, card=CARD, valid=is_text)
DECISION_WORD = near_misses(tuple(assessment.DECISIONS))
RULE_WORDS = near_misses(assessment.COUNTER_RULES)
prop(assessment.counter_answers_problems, answers=st.dictionaries(CARD_ID, st.one_of(st.tuples(DECISION_WORD, RULE_WORDS), st.tuples(JUNK, JUNK), JUNK),
                                                                  max_size=4),
     valid=lambda result, kwargs: (isinstance(result, list) and all(isinstance(item, str) for item in result)) or (_ for _ in ()).throw(AssertionError(result)))
for function in (assessment.assessment_directory, assessment.schemas, assessment.data_package, assessment.visit_cards):
    prop(function, examples=0.2)
for function in (assessment.generate_cohort, assessment.generate_audit, assessment.generate_cards, assessment.load_assessment_cohort,
                 assessment.load_assessment_audit):
    prop(function, examples=0.1, deadline_ms=10000)  # no parameters: one call says it works
OUTPUT_FOLDER = st.one_of(st.builds(_fresh_folder), st.builds(lambda: _fresh_folder() / "new"), st.builds(lambda: str(_fresh_folder())),
                          st.builds(lambda: _file_on_the_way().parent), st.builds(_file_on_the_way), st.sampled_from((None, 3, "", b"x")))
prop(assessment.write, directory=OUTPUT_FOLDER, no_junk=("directory",), examples=0.2, deadline_ms=10000)  # junk text would write into the repository

# --------------------------------------------------------------------------- the teaching-kit lint, the slides, citations

prop(lint.citing_texts, nb=NOTEBOOK, references_cell=NOTEBOOK.map(lambda nb: nb.cells[-1] if isinstance(nb, dict) and nb.get("cells") and not
                                                                  isinstance(nb.get("cells"), str) else __import__("nbformat").v4.new_markdown_cell("")),
     valid=lambda result, kwargs: all(isinstance(text, str) for text in result) or (_ for _ in ()).throw(AssertionError(result)))
prop(teaching_kit.exercises, nb=NOTEBOOK)
prop(teaching_kit.unquestioned_widgets, nb=NOTEBOOK)
NOTE = st.one_of(st.sampled_from(sorted((ROOT / "docs" / "instructor").glob("0*.md"))), st.sampled_from(sorted(file_box().iterdir())),
                 st.just(file_box() / "missing.md"), PATH_TEXT)
prop(teaching_kit.note_problems, note=NOTE)
LESSON_FILE = st.one_of(st.sampled_from(sorted((ROOT / "notebooks").glob("0[0-2]_*.ipynb"))), st.sampled_from(
    (file_box() / "text.ipynb", file_box() / "missing.ipynb", file_box() / "a_folder.yml", file_box() / "bom.json")))
prop(teaching_kit.teaching_kit_problems, path=LESSON_FILE, notes_dir=st.sampled_from((ROOT / "docs" / "instructor", file_box(), file_box() / "missing")),
     examples=0.5)
prop(teaching_kit.main, argv=st.one_of(st.lists(LESSON_FILE.map(str), max_size=2), st.lists(st.sampled_from(("nope.ipynb", "")), max_size=2)),
     examples=0.3, deadline_ms=8000)

record_of(slides.DeckReport)
SLIDE_CELL = st.builds(lambda kind, text, meta: __import__("nbformat").from_dict({"cell_type": kind, "source": text, "metadata": meta,
                                                                                  **({"outputs": [], "execution_count": None} if kind == "code" else {})}),
                       st.sampled_from(("markdown", "code", "raw", "heading")), st.sampled_from(("# A", "### b", "text", "x" * 1000, "")),
                       st.one_of(st.just({}), st.fixed_dictionaries({"slideshow": st.fixed_dictionaries({"slide_type": st.one_of(
                           near_misses(("slide", "subslide", "skip", "fragment")), JUNK)})}), st.fixed_dictionaries({"slideshow": JUNK})))
prop(slides.slide_types, cells=st.one_of(NOTEBOOK.map(lambda nb: nb.get("cells") if isinstance(nb, dict) else nb), st.lists(SLIDE_CELL, max_size=6)),
     valid=lambda result, kwargs: all(kind in lint.SLIDE_TYPES for kind in result) or (_ for _ in ()).throw(AssertionError(result)))
prop(slides.deck_notebook, notebook=NOTEBOOK, name=REAL_NOTEBOOK_NAME, examples=0.5, deadline_ms=8000)


@__import__("functools").cache
def _first_lessons() -> tuple:
    return tuple(lessons.lessons()[:1])


def _foreign_folder() -> Path:
    folder = _fresh_folder() / "someone-elses"
    folder.mkdir()
    (folder / "notes.txt").write_text("not the builder's", encoding="utf-8")
    return folder


DECK_FOLDER = st.one_of(st.builds(lambda: _fresh_folder() / "slides"), st.builds(_foreign_folder), st.builds(_file_on_the_way),
                        st.builds(lambda: _file_on_the_way().parent), st.sampled_from((None, 3, "")))
REPOSITORY = st.sampled_from((ROOT, str(ROOT), file_box(), Path("/nonexistent"), file_box() / "latin1.yml"))
prop(slides.build_decks, root=REPOSITORY, out=DECK_FOLDER, course_lessons=st.one_of(st.just([]), st.builds(_first_lessons), st.just(["00_start_here"])),
     no_junk=("out",), examples=0.4, deadline_ms=10000)  # junk text for out would be a folder in the repository
prop(slides.vendor_digest, root=REPOSITORY, examples=0.4,
     valid=lambda result, kwargs: bool(result) or (_ for _ in ()).throw(AssertionError("no vendored file")))
# Never the repository's own build: --root is always a folder without reveal.js, or the arguments are refused first.
prop(slides.main, argv=st.tuples(st.sampled_from((str(file_box()), "/nonexistent")), st.lists(st.sampled_from(("--out", str(_fresh_folder()), "--nope", "")),
                                                                                               max_size=3))
     .map(lambda pair: ["--root", pair[0], *pair[1]]) | st.sampled_from(([3], "--root", [None])), no_junk=("argv",), examples=0.3)
