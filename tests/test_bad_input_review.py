"""Every example of the bad-input review (../shared/review/2026-11-30-bad-input.md, numbered as there), as an
explicit case: each now gives a clear message naming the field, or the right answer.

The review was written against the old flat layout (``M.dosing_widget`` ...); the calls below are the same
calls in today's layers. Sibling inputs the review lists in brackets are cases of their own. The property
tests (test_properties.py) try many more inputs; this table keeps the review's own examples from coming back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from input_checks import audit, builds_or_refuses, cohort, copy_datasets, finite, gives, refuses, widget_fine, widget_shows

D = dt.date


# --------------------------------------------------------------------------- small builders


def set_control(widget, name: str, value: object):
    """Type ``value`` into the widget's control ``name`` as a student would; return the widget."""
    getattr(widget, name).value = value
    return widget


def dosing_calculator(**kwargs):
    from isotretinoin_course.widgets.dosing import DosingCalculator

    return DosingCalculator(**kwargs)


def pk_simulator(**kwargs):
    from isotretinoin_course.widgets.pk_simulator import PKSimulator

    return PKSimulator(**kwargs)


def timeline(**changes):
    """A US patient who can get pregnant, collecting two supplies correctly under the 2021 iPLEDGE rules."""
    from isotretinoin_course.models.risk_management import Contraception, Pickup, PregnancyTest, Prescription, Timeline

    base = Timeline(
        "SYN-T1", "can_get_pregnant",
        pregnancy_tests=[PregnancyTest(D(2022, 1, 3), "negative", "office"), PregnancyTest(D(2022, 2, 3), "negative", "lab"),
                         PregnancyTest(D(2022, 3, 3), "negative", "lab")],
        contraception=[Contraception("combined oral contraceptive", D(2021, 12, 1)), Contraception("male latex condom", D(2021, 12, 1))],
        prescriptions=[Prescription(D(2022, 2, 3), 30), Prescription(D(2022, 3, 3), 30)],
        pickups=[Pickup(D(2022, 2, 3), D(2022, 2, 4)), Pickup(D(2022, 3, 3), D(2022, 3, 4))],
        programme="ipledge",
    )
    return dataclasses.replace(base, **changes)


def timeline_dict(**entry_changes):
    data = {"patient_id": "SYN-D1", "category": "cannot_get_pregnant", "pregnancy_tests": [], "contraception": [],
            "prescriptions": [{"date": "2022-02-03", "days_supply": 30}], "pickups": [{"prescription_date": "2022-02-03", "date": "2022-02-04"}]}
    for key, value in entry_changes.items():
        if key in ("days_supply", "refills"):
            data["prescriptions"][0][key] = value
        elif key == "contraception_start":
            data["category"] = "can_get_pregnant"
            data["contraception"] = [{"method": "combined oral contraceptive", "start": value}]
        else:
            data[key] = value
    return data


def question(bank: str, kind: str):
    from isotretinoin_course.content.quiz_banks import load_bank

    return next(q for q in load_bank(bank).questions if q.type == kind)


def lab_table(**column_changes) -> pd.DataFrame:
    labs = cohort()["labs"].copy()
    for column, value in column_changes.items():
        if value is None:
            labs = labs.drop(columns=column)
        else:
            labs[column] = value
    return labs


def edited_table(tmp: Path, file: str, edit) -> Path:
    """A copy of the datasets in which ``file`` is rewritten by ``edit(text) -> text | bytes``."""
    folder = copy_datasets(tmp)
    path = folder / file
    changed = edit(path.read_text(encoding="utf-8"))
    path.write_bytes(changed if isinstance(changed, bytes) else changed.encode("utf-8"))
    return folder


def swap_first_row(text: str, column: str, value: str) -> str:
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = value
    lines[1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def rule_set_copy(tmp: Path, key: str, edit) -> Path:
    """A copy of the course's rule-set folder in which ``key``.yml is rewritten by ``edit(text)``."""
    import shutil

    from isotretinoin_course.core.resources import content_file

    folder = tmp / "rule_sets"
    shutil.copytree(Path(str(content_file("rule_sets"))), folder)
    path = folder / f"{key}.yml"
    changed = edit(path.read_text(encoding="utf-8"))
    path.write_bytes(changed if isinstance(changed, bytes) else changed.encode("utf-8"))
    return path


def capstone(patient_id: str):
    from isotretinoin_course.models.capstone import CapstoneCase

    return CapstoneCase(cohort(), patient_id)


def timed(call, seconds: float):
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s (limit {seconds} s)"
    return result


# --------------------------------------------------------------------------- the cases

W = "isotretinoin_course"


def _cases():  # noqa: C901 - one long table, read top to bottom against the review file
    from isotretinoin_course.content.bibliography import load_bibliography, references_markdown
    from isotretinoin_course.content.quiz_banks import load_bank_file
    from isotretinoin_course.content.rule_sets import RuleSet, load_rule_set, rule_set_for, rule_sets
    from isotretinoin_course.data import audit_log, demo, regenerate
    from isotretinoin_course.data import cohort as cohort_module
    from isotretinoin_course.data.loader import load_cohort, load_package, load_table, read_table, resource
    from isotretinoin_course.figures.demo import demo_weight_figure, response_time_course_figure
    from isotretinoin_course.figures.dosing import cumulative_dose_figure
    from isotretinoin_course.figures.monitoring import cohort_threshold_figure
    from isotretinoin_course.figures.risk_management import timeline_figure
    from isotretinoin_course.figures.style import show_table
    from isotretinoin_course.grading import driver as grading_driver
    from isotretinoin_course.authoring import build
    from isotretinoin_course.models import acne, dosing, monitoring, pharmacokinetics as pk, quiz
    from isotretinoin_course.models.article_scoring import score_article
    from isotretinoin_course.models.capstone import case_timeline, last_day_to_collect
    from isotretinoin_course.models.counselling import Profile, counselling_summary
    from isotretinoin_course.models.isotretinoin_pk import ka_for_tmax, model_for
    from isotretinoin_course.models.pk_scenario import scenario_from_inputs
    from isotretinoin_course.models.risk_management import (
        Contraception, Pickup, Prescription, Timeline, evaluate, timeline_from_dict,
    )
    from isotretinoin_course.widgets.article_scorecard import ArticleScorecard
    from isotretinoin_course.widgets.counselling import CounsellingChecklist
    from isotretinoin_course.widgets.dispensing import DispensingSimulator, judge
    from isotretinoin_course.widgets.patient_explorer import PatientExplorer, patient_flags_html
    from isotretinoin_course.widgets.quiz import quiz_for

    is_figure = lambda result: type(result).__name__ == "tuple" and type(result[0]).__name__ == "Figure" and len(result[1].split()) > 8  # noqa: E731
    audit_patients = {t.patient_id: t for t in audit_log.timelines(audit())}
    ipledge_2021 = lambda: rule_sets()["ipledge_2021"]  # noqa: E731
    numeric = lambda: question("04_dosing_and_cumulative_dose", "numeric")  # noqa: E731
    multiple = lambda: question("05_laboratory_monitoring", "multiple")  # noqa: E731
    counts = acne.LesionCounts(10, 20, 6)
    phases = [dosing.Phase(30, 30), dosing.Phase(200, 60)]

    yield "1 missed days '²'", lambda t: set_control(dosing_calculator(), "missed", "²"), widget_shows("Missed days")
    yield "1 missed days of 5000 digits", lambda t: set_control(dosing_calculator(), "missed", "9" * 5000), widget_shows("Missed days")
    yield "2 start 9999-12-01", lambda t: set_control(dosing_calculator(), "start", "9999-12-01"), widget_shows("Start date")
    yield "2 missed 3000000", lambda t: set_control(dosing_calculator(), "missed", "3000000"), widget_shows("Missed days")
    yield "2 missed 99999999999", lambda t: set_control(dosing_calculator(), "missed", "99999999999"), widget_shows("Missed days")
    yield "3 PK missed 5000 digits", lambda t: set_control(pk_simulator(), "missed", "9" * 5000), widget_shows("Missed doses")
    yield "4 simulator, no pick-ups", lambda t: DispensingSimulator({"X": Timeline("X", "cannot_get_pregnant")}, "X", ipledge_2021()), refuses("pickups")
    yield "4 simulator, bad category", lambda t: DispensingSimulator({"X": timeline(category="maybe")}, "X"), refuses("category")
    for patient in ("SYN-0001", "SYN-0006", "SYN-0007", "SYN-0117", "SYN-0190", "SYN-0202", "SYN-0235"):
        yield f"5 capstone {patient}", lambda t, p=patient: capstone(p), builds_or_refuses("patient_id")
    yield "6 calculator weight '70'", lambda t: dosing_calculator(weight_kg="70"), widget_fine()
    yield "6 calculator weight '70kg'", lambda t: dosing_calculator(weight_kg="70kg"), widget_fine()
    yield "6 calculator weight None", lambda t: dosing_calculator(weight_kg=None), refuses("weight_kg")
    yield "6 calculator weight 'heavy'", lambda t: dosing_calculator(weight_kg="heavy"), refuses("weight_kg")
    yield "6 calculator formulation 'generic'", lambda t: dosing_calculator(formulation="generic"), refuses("formulation")
    yield "6 PK dose '40'", lambda t: pk_simulator(dose_mg="40"), widget_fine()
    yield "6 PK weight None", lambda t: pk_simulator(weight_kg=None), refuses("weight_kg")
    yield "6 PK meal 'fasting'", lambda t: pk_simulator(meal="fasting"), refuses("meal", "did you mean 'fasted'")
    yield "6 PK formulation 'generic'", lambda t: pk_simulator(formulation="generic"), refuses("formulation")
    for bad in ("SYN-9999", "", 8):
        yield f"6 explorer {bad!r}", lambda t, b=bad: PatientExplorer(cohort(), b), refuses("patient_id")
    yield "6 explorer 'syn-0008'", lambda t: PatientExplorer(cohort(), "syn-0008"), refuses("patient_id", "did you mean 'SYN-0008'")
    for bad in ("AUD-999", "", {}):
        yield f"6 simulator {bad!r}", lambda t, b=bad: DispensingSimulator(audit_patients, b), refuses("patient_id")
    yield "6 scorecard None", lambda t: ArticleScorecard(None), refuses("title")
    yield "6 scorecard 123", lambda t: ArticleScorecard(123), refuses("title")
    yield "6 checklist on text", lambda t: CounsellingChecklist(Profile(), on="2025-08-20").summary().text, gives(lambda text: "2025-08-20" in text, "the date in the summary")
    yield "7 response curves, 10 weeks", lambda t: response_time_course_figure(demo.treatment_response(weeks=10)), gives(is_figure, "a figure")
    yield "7 response curves, 3 weeks", lambda t: response_time_course_figure(demo.treatment_response(weeks=3)), gives(is_figure, "a figure")
    yield "8 thresholds, baseline only", lambda t: cohort_threshold_figure(lab_table().query("visit == 'baseline'")), builds_or_refuses("labs")
    yield "9 timeline, no pick-ups", lambda t: timeline_figure(timeline(prescriptions=[], pickups=[], pregnancy_tests=[])), builds_or_refuses("pickups")

    for day in ("2025-03-01", dt.datetime(2025, 3, 1, 9), pd.Timestamp("2025-03-01")):
        yield f"10 rule_set_for {day!r}", lambda t, d=day: rule_set_for("ipledge", d), gives(lambda r: isinstance(r, RuleSet), "a rule set")
    yield "10 rule_set_for None", lambda t: rule_set_for("ipledge", None), refuses("day")
    yield "10 contraception start as text", lambda t: evaluate(timeline(contraception=[Contraception("combined oral contraceptive", "2021-12-01"),
                                                                                        Contraception("male latex condom", "2021-12-01")]), "ipledge").decisions[0].allowed, \
        gives(lambda allowed: allowed is True, "the collection judged")
    yield "10 contraception end as text", lambda t: Contraception("combined oral contraceptive", D(2021, 12, 1), "2022-06-01").end, gives(lambda d: d == D(2022, 6, 1), "the date")
    yield "10 contraception start ''", lambda t: Contraception("combined oral contraceptive", ""), refuses("start")
    yield "10 timeline_from_dict start ''", lambda t: timeline_from_dict(timeline_dict(contraception_start="")), refuses("start")
    yield "10 timeline_from_dict start None", lambda t: timeline_from_dict(timeline_dict(contraception_start=None)), refuses("start")
    yield "10 counselling_summary on text", lambda t: counselling_summary(Profile(), [], on="2025-08-20").text, gives(lambda text: "2025-08-20" in text, "the date")
    yield "10 last_day_to_collect text", lambda t: last_day_to_collect(timeline(), "2022-02-03"), gives(lambda d: isinstance(d, D), "a date")
    yield "10 case_timeline end as text", lambda t: case_timeline(cohort(), "SYN-0024", contraception_end="2025-12-01").contraception[0].end, gives(lambda d: d == D(2025, 12, 1), "the date")

    yield "11 evaluate by key", lambda t: evaluate(timeline(), "ipledge_2021").decisions[0].allowed, gives(lambda allowed: allowed is True, "the 2021 verdict")
    yield "11 answer_key by key", lambda t: audit_log.answer_key(audit(), "ipledge_discretion_2023"), gives(lambda frame: len(frame) > 0, "the answer key")
    yield "11 simulator by key", lambda t: DispensingSimulator(audit_patients, "AUD-001", "ipledge_discretion_2023"), widget_fine()
    yield "11 rule_sets() unknown key", lambda t: rule_sets()["ipledge_2012"], refuses("rule set", "did you mean 'ipledge_2021'")
    yield "11 load_rule_set by key", lambda t: load_rule_set("ipledge_2021"), gives(lambda r: isinstance(r, RuleSet) and r.key == "ipledge_2021", "the rule set")

    yield "12 days_supply 'thirty'", lambda t: timeline_from_dict(timeline_dict(days_supply="thirty")), refuses("days_supply")
    yield "12 days_supply None", lambda t: timeline_from_dict(timeline_dict(days_supply=None)), refuses("days_supply")
    yield "12 refills 'abc'", lambda t: timeline_from_dict(timeline_dict(refills="abc")), refuses("refills")
    yield "12 Prescription days_supply '30'", lambda t: Prescription(D(2022, 2, 3), "30").days_supply, gives(lambda n: n == 30 and isinstance(n, int), "30 days")
    yield "12 Prescription days_supply nan", lambda t: Prescription(D(2022, 2, 3), float("nan")), refuses("days_supply")
    yield "12 pickups None", lambda t: timeline_from_dict(timeline_dict(pickups=None)), refuses("pickups")
    yield "12 pregnancy_tests None", lambda t: timeline_from_dict(timeline_dict(pregnancy_tests=None)), refuses("pregnancy_tests")

    yield "13 already '10'", lambda t: dosing.days_to_target(120, 60, 60, already_mg_per_kg="10"), gives(lambda n: n == 110, "110 days")
    yield "13 already None", lambda t: dosing.days_to_target(120, 60, 60, already_mg_per_kg=None), refuses("so far")
    yield "13 missed_days '3'", lambda t: dosing.course_days_to_target(phases, 120, 60, missed_days="3"), gives(lambda n: n == 138, "138 days")
    yield "13 missed_days None", lambda t: dosing.course_days_to_target(phases, 120, 60, missed_days=None), refuses("missed days")
    yield "13 Phase days nan", lambda t: dosing.Phase(float("nan"), 60), refuses("days")
    yield "13 Phase days '30'", lambda t: dosing.Phase("30", 60).days, gives(lambda n: n == 30, "30 days")
    yield "13 Phase days None", lambda t: dosing.Phase(None, 60), refuses("days")
    yield "13 phases a Phase", lambda t: dosing.course_days_to_target(dosing.Phase(30, 60), 120, 60), refuses("phases")
    yield "13 phases as pairs", lambda t: dosing.course_days_to_target([(30, 30), (200, 60)], 120, 60), gives(lambda n: n == 135, "135 days")
    yield "13 cumulative of a number", lambda t: dosing.cumulative_dose_mg_per_kg(60, 60), refuses("daily doses")
    yield "13 cumulative figure days -5", lambda t: cumulative_dose_figure(days=-5), refuses("days")
    yield "13 cumulative figure days '260'", lambda t: cumulative_dose_figure(days="260"), gives(is_figure, "a figure")

    yield "14 fraction_remaining time '720'", lambda t: pk.fraction_remaining(21, "720"), gives(lambda x: finite(x) and 0 <= x < 1e-9, "a tiny fraction")
    yield "14 fraction_remaining time None", lambda t: pk.fraction_remaining(21, None), refuses("time")
    yield "14 steady state time None", lambda t: pk.fraction_of_steady_state(21, None), refuses("time")
    yield "14 simulate follow-up nan", lambda t: pk.simulate(model_for("conventional", "fed"), pk.Regimen(30, 12, 7), 70, follow_up_days=float("nan")), refuses("follow")
    yield "14 simulate follow-up '5'", lambda t: pk.simulate(model_for("conventional", "fed"), pk.Regimen(30, 12, 7), 70, follow_up_days="5"), gives(lambda s: s is not None, "a simulation")
    yield "14 Regimen missed '1,2'", lambda t: pk.Regimen(30, 12, 7, "1,2"), refuses("missed")
    yield "14 ka_for_tmax '5'", lambda t: ka_for_tmax("5"), gives(finite, "a rate")
    yield "14 ka_for_tmax half-life 0", lambda t: ka_for_tmax(5, half_life_h=0), refuses("half-life")
    yield "14 accumulation 1e20 h", lambda t: pk.accumulation_ratio(1e20, 12), refuses("half-life")
    yield "14 accumulation 1e-15 h", lambda t: pk.accumulation_ratio(21, 1e-15), refuses("interval")
    yield "14 scenario missed 5", lambda t: scenario_from_inputs("conventional", "fed", 30, "twice daily", 70, 28, 5), builds_or_refuses("missed")

    yield "15 numeric np.int64", lambda t: quiz.check_answer(numeric(), np.int64(40)), gives(lambda r: r.valid, "a judged answer")
    yield "15 numeric Decimal", lambda t: quiz.check_answer(numeric(), decimal.Decimal("40")), gives(lambda r: r.valid, "a judged answer")
    yield "15 numeric [40]", lambda t: quiz.check_answer(numeric(), [40]), gives(lambda r: not r.valid and r.message, "a message, not judged")
    yield "15 multiple 3", lambda t: quiz.check_answer(multiple(), 3), gives(lambda r: not r.valid and r.message, "a message, not judged")

    datasets = lambda: str(Path(str(__import__("isotretinoin_course.core.resources", fromlist=["x"]).datasets_directory())))  # noqa: E731
    yield "16 load_table folder as text", lambda t: load_table("labs", datasets()), gives(lambda f: len(f) > 0, "the table")
    yield "16 load_cohort folder as text", lambda t: load_cohort(datasets()), gives(lambda tables: "labs" in tables, "the tables")
    yield "16 read_table path as text", lambda t: read_table(str(Path(datasets()) / "synthetic_labs.csv"), resource(load_package(), "labs")["schema"]), gives(lambda f: len(f) > 0, "the table")
    yield "16 write folder as text", lambda t: regenerate.write(str(t / "written"), n=3), gives(lambda paths: len(paths) > 3, "the files written")

    yield "17 CSV not UTF-8", lambda t: load_table("labs", edited_table(t, "synthetic_labs.csv", lambda text: text.encode("utf-8").replace(b"baseline", b"basel\xefne", 1))), refuses("synthetic_labs.csv", "UTF-8")
    yield "17 cohort CSV not UTF-8", lambda t: load_cohort(edited_table(t, "synthetic_patients.csv", lambda text: text.encode("latin-1", "replace") + b"\xff")), refuses("synthetic_patients.csv", "UTF-8")
    yield "17 quiz YAML not UTF-8", lambda t: load_bank_file(_bytes_file(t / "bank.yml", b"notebook: x\ntitle: \xff\n")), refuses("bank.yml", "UTF-8")
    yield "17 rule-set YAML not UTF-8", lambda t: load_rule_set(rule_set_copy(t, "ipledge_2021", lambda text: text.encode("utf-8") + b"# \xff\n")), refuses("ipledge_2021.yml", "UTF-8")
    yield "17 bibliography not UTF-8", lambda t: load_bibliography(_bytes_file(t / "refs.json", b'[{"id": "x\xff"}]')), refuses("refs.json", "UTF-8")
    yield "17 truncated datapackage", lambda t: load_table("labs", edited_table(t, "datapackage.json", lambda text: text[: len(text) // 2])), refuses("datapackage.json", "JSON")
    yield "17 rule value 'thirty'", lambda t: load_rule_set(rule_set_copy(t, "ipledge_2021", lambda text: text.replace("can_get_pregnant: 30", "can_get_pregnant: thirty", 1))), refuses("ipledge_2021.yml")
    yield "17 bibliography missing", lambda t: load_bibliography(t / "none.json"), refuses("none.json", "no such file")
    yield "17 bibliography string entry", lambda t: load_bibliography(_bytes_file(t / "refs.json", b'["reynolds2024"]')), refuses("refs.json", "entry 1")
    yield "17 bank file a folder", lambda t: load_bank_file(t), refuses("", "folder")
    yield "35 CSV with a BOM", lambda t: load_table("labs", edited_table(t, "synthetic_labs.csv", lambda text: "\ufeff" + text)), gives(lambda f: len(f) > 0, "the table")
    yield "35 YAML with a BOM", lambda t: load_rule_set(rule_set_copy(t, "ipledge_2021", lambda text: "\ufeff" + text)), gives(lambda r: r.key == "ipledge_2021", "the rule set")
    yield "35 JSON with a BOM", lambda t: load_bibliography(_bytes_file(t / "refs.json", "\ufeff".encode() + (ROOT / "src/isotretinoin_course/content/references.json").read_bytes())), gives(lambda b: "reynolds2024" in b, "the bibliography")

    # `course.py nbgrader-report` runs the grading driver's report subcommand (the sandboxed grading of main)
    yield "18 nbgrader-report nope", lambda t: grading_driver.main(["report", "--course", str(ROOT / "exercises"), "nope"]), gives(lambda code: code == 2, "exit code 2 with a message")
    yield "18 nbgrader-report ''", lambda t: grading_driver.main(["report", "--course", str(ROOT / "exercises"), ""]), gives(lambda code: code == 2, "exit code 2 with a message")
    yield "18 build nope.ipynb", lambda t: build.main(["nope.ipynb"]), gives(lambda code: code == 2, "exit code 2 with a message")

    yield "19 counselling chosen None", lambda t: counselling_summary(Profile(), None), refuses("chosen")
    yield "19 counselling width 0", lambda t: counselling_summary(Profile(), [], width=0), refuses("width")
    yield "19 counselling width '88'", lambda t: counselling_summary(Profile(), [], width="88").text, gives(lambda text: "SYNTHETIC" in text, "the summary")
    yield "19 counselling profile a str", lambda t: counselling_summary("can_get_pregnant", []), refuses("profile")
    yield "19 score_article None", lambda t: score_article(None), refuses("ratings")
    yield "19 classify_severity tuple", lambda t: acne.classify_severity((10, 20, 6)), refuses("counts")
    yield "19 classify_severity dict", lambda t: acne.classify_severity({"comedones": 10, "inflammatory": 20, "nodules": 6}).grade, gives(lambda g: g == "severe", "severe")
    yield "19 demo n '200'", lambda t: len(demo.demo_patients(n="200")), gives(lambda n: n == 200, "200 patients")
    yield "19 demo n 2.5", lambda t: demo.demo_patients(n=2.5), refuses("n")
    yield "19 demo n True", lambda t: demo.demo_patients(n=True), refuses("n")
    yield "19 demo seed 'abc'", lambda t: demo.demo_patients(seed="abc"), refuses("seed")
    yield "19 cohort n '10'", lambda t: len(cohort_module.generate(n="10").patients), gives(lambda n: n == 10, "10 patients")
    yield "19 cohort n 2.5", lambda t: cohort_module.generate(n=2.5), refuses("n")
    yield "19 cohort seed -1", lambda t: cohort_module.generate(n=2, seed=-1), refuses("seed")
    yield "19 case rows 'lab'", lambda t: capstone("SYN-0024").rows("lab"), refuses("table", "did you mean 'labs'")
    yield "19 case lab 'month_9'", lambda t: capstone("SYN-0024").lab("month_9"), refuses("visit")
    yield "19 thresholds without ALT", lambda t: monitoring.threshold_shares(lab_table(alt_u_l=None)), refuses("labs", "alt_u_l")
    yield "19 thresholds limit '40'", lambda t: monitoring.threshold_shares(lab_table(), upper_limit="40"), gives(lambda f: len(f) > 0, "the shares")
    yield "19 answer_key, a table missing", lambda t: audit_log.answer_key({k: v for k, v in audit().items() if k != "audit_contraception"}), refuses("tables", "audit_contraception")
    yield "19 build_regimen formulation list", lambda t: dosing.build_regimen(1.0, 60, formulation=["conventional"]), refuses("formulation")
    yield "19 show_table rows '5'", lambda t: show_table(cohort()["patients"], "Patients", rows="5"), gives(lambda r: r is None, "the table shown")
    yield "19 demo figure without weight", lambda t: demo_weight_figure(demo.demo_patients().drop(columns="weight_kg")), refuses("weight_kg")

    yield "20 last_day_to_collect 5000 days", lambda t: timed(lambda: last_day_to_collect(timeline(), D(2022, 2, 3), search_days=5000), 5), refuses("search_days")
    yield "20 last_day_to_collect default", lambda t: timed(lambda: last_day_to_collect(timeline(), D(2022, 2, 3)), 2), gives(lambda d: d == D(2022, 2, 9), "7 February + window")
    yield "20 simulate step 1e-6 h", lambda t: timed(lambda: pk.simulate(model_for("conventional", "fed"), pk.Regimen(30, 12, 28), 70, step_h=1e-6), 5), refuses("step")
    yield "20 simulate 1e6 days", lambda t: timed(lambda: pk.simulate(model_for("conventional", "fed"), pk.Regimen(40, 12, 1e6), 70), 5), refuses("length")

    yield "21 HDL 500", lambda t: monitoring.flag_hdl(500), refuses("HDL", "plausible")
    yield "21 cholesterol 18000", lambda t: monitoring.flag_cholesterol(18000), refuses("cholesterol", "plausible")
    yield "21 triglycerides 1e9", lambda t: monitoring.flag_triglycerides(1e9), refuses("triglycerides", "plausible")
    yield "21 ALT 1e7", lambda t: monitoring.flag_alt(1e7), refuses("ALT", "plausible")
    yield "22 PK 10 000 kg", lambda t: pk.single_dose_auc(model_for("conventional", "fed"), 80, 10_000), refuses("weight")
    for weight in (1, 2, 5):
        yield f"23 regimen for {weight} kg", lambda t, w=weight: dosing.build_regimen(1.0, w), refuses("weight")
    for target, weight in ((1.0, 250), (1.0, 350), (0.1, 60)):
        yield f"23 regimen {target} at {weight} kg", lambda t, a=target, w=weight: dosing.build_regimen(a, w).describe(), gives(lambda text: "cannot reach" in text, "says the capsules cannot reach the dose")
    yield "23 calculator 30 kg at 0.1", lambda t: set_control(dosing_calculator(weight_kg=30), "starting", "0.1").result.value, gives(lambda text: "cannot reach" in text, "says the dose is not reached")
    yield "23 calculator 200 kg at 2.0", lambda t: set_control(dosing_calculator(weight_kg=200), "maintenance", "2.0").result.value, gives(lambda text: "cannot reach" in text, "says the dose is not reached")

    for bad in (float("nan"), float("inf")):
        yield f"24 already {bad}", lambda t, b=bad: dosing.days_to_target(120, 60, 60, already_mg_per_kg=b), refuses("so far")
    for bad in (float("nan"), 1.5, True, float("inf")):
        yield f"24 missed_days {bad}", lambda t, b=bad: dosing.course_days_to_target(phases, 120, 60, missed_days=b), refuses("missed days")
    yield "24 Phase days 2.5", lambda t: dosing.Phase(2.5, 60), refuses("days")
    yield "25 fraction_remaining nan", lambda t: pk.fraction_remaining(21, float("nan")), refuses("time")
    yield "25 steady state nan", lambda t: pk.fraction_of_steady_state(21, float("nan")), refuses("time")
    yield "25 ka_for_tmax nan", lambda t: ka_for_tmax(float("nan")), refuses("peak")
    yield "25 ka_for_tmax half-life nan", lambda t: ka_for_tmax(5, half_life_h=float("nan")), refuses("half-life")
    yield "25 Regimen missed [1.5]", lambda t: pk.Regimen(30, 12, 7, [1.5]), refuses("missed")
    yield "26 PK dose '1,000'", lambda t: set_control(pk_simulator(), "dose", "1,000"), widget_shows("Dose", "ambiguous")
    yield "26 PK days '1,000'", lambda t: set_control(pk_simulator(), "days", "1,000"), widget_shows("Course length", "ambiguous")
    for bad in ("SYN-9999", "", "syn-0008", 8, None):
        yield f"27 flags for {bad!r}", lambda t, b=bad: patient_flags_html(cohort(), b), refuses("patient_id")
    for bad in (0, -40, float("nan")):
        yield f"28 thresholds limit {bad}", lambda t, b=bad: monitoring.threshold_shares(lab_table(), upper_limit=b), refuses("upper limit")

    yield "29 scarring 'no'", lambda t: acne.isotretinoin_fit(counts, scarring="no"), refuses("scarring")
    yield "29 antibiotics 'false'", lambda t: acne.isotretinoin_fit(counts, failed_systemic_antibiotics="false"), refuses("antibiotics")
    yield "29 hormonal 'no'", lambda t: Profile(hormonal_contraception="no"), refuses("hormonal")
    yield "29 lenses 'no'", lambda t: Profile(contact_lenses="no"), refuses("lenses")
    yield "29 refills '0'", lambda t: evaluate(timeline(category="cannot_get_pregnant", contraception=[], pregnancy_tests=[],
                                                         prescriptions=[Prescription(D(2022, 2, 3), 30, "0"), Prescription(D(2022, 3, 3), 30)]),
                                                "ipledge").decisions[0].allowed, gives(lambda allowed: allowed is True, "dispensed (no refills)")
    yield "29 judge 'yes'", lambda t: judge("yes", evaluate(timeline(), "ipledge").decisions[0]), refuses("choice")

    yield "30 refills -1", lambda t: Prescription(D(2022, 2, 3), 30, -1), refuses("refills", "0")
    yield "30 duplicate prescription date", lambda t: evaluate(timeline(prescriptions=[Prescription(D(2022, 2, 3), 30), Prescription(D(2022, 2, 3), 20),
                                                                                       Prescription(D(2022, 3, 3), 30)]), "ipledge"), refuses("date", "same date")
    yield "30 patient_id None", lambda t: Timeline(None, "cannot_get_pregnant"), refuses("patient_id")
    yield "30 applies_until before applies_from", lambda t: load_rule_set(rule_set_copy(t, "eu_ppp_2018", lambda text: text.replace("applies_until: null", "applies_until: 2000-01-01", 1))), refuses("applies_until")
    yield "30 a 0-day window", lambda t: load_rule_set(rule_set_copy(t, "ipledge_2021", lambda text: text.replace("days: 7", "days: 0", 1))), refuses("pickup_window")

    yield "31 quiz_for repeated ids", lambda t: quiz_for("05_laboratory_monitoring", [_first_id("05_laboratory_monitoring")] * 2), refuses("question_ids", "twice")
    yield "31 check_answer {'a': False}", lambda t: quiz.check_answer(multiple(), {"a": False}), gives(lambda r: not r.valid, "nothing ticked: not judged")
    yield "32 end before start", lambda t: load_table("patients", edited_table(t, "synthetic_patients.csv", lambda text: swap_first_row(text, "end_date", "2024-12-01"))), refuses("end_date")
    yield "32 pick-up before prescription", lambda t: load_table("dispensing", edited_table(t, "synthetic_dispensing.csv", lambda text: swap_first_row(text, "pickup_date", "2024-11-02"))), refuses("pickup_date")
    yield "32 daily dose not the sum", lambda t: load_table("dispensing", edited_table(t, "synthetic_dispensing.csv", lambda text: swap_first_row(text, "daily_dose_mg", "70"))), refuses("daily_dose_mg")

    yield "33 check_weight np.int64", lambda t: dosing.check_weight(np.int64(70)), gives(lambda w: w == 70, "70 kg")
    yield "33 build_regimen np.int64", lambda t: dosing.build_regimen(1.0, np.int64(70)).daily_mg, gives(lambda mg: mg == 70, "70 mg/day")
    yield "33 cumulative np.array", lambda t: dosing.cumulative_dose_mg_per_kg(np.array([60] * 140), 60), gives(lambda x: x == 140, "140 mg/kg")
    yield "33 flag_alt np.int64", lambda t: monitoring.flag_alt(cohort()["labs"]["alt_u_l"].max()).abnormal, gives(lambda abnormal: abnormal is True, "an abnormal flag")
    yield "33 score np.int64", lambda t: score_article({**dict.fromkeys(("aims", "sources", "dates", "balance", "uncertainty", "how_it_works", "alternatives", "interests"), 4), "aims": np.int64(3)}).total, gives(lambda total: total == 31, "31")
    yield "34 quiz_for one id as text", lambda t: quiz_for("05_laboratory_monitoring", _first_id("05_laboratory_monitoring")), refuses("question_ids", "list")
    yield "34 counselling chosen as text", lambda t: counselling_summary(Profile(), "pregnancy"), refuses("chosen", "list")
    yield "34 cumulative of a text", lambda t: dosing.cumulative_dose_mg_per_kg("60", 60), refuses("daily doses", "list")
    yield "34 references_markdown text", lambda t: references_markdown("reynolds2024", load_bibliography()), refuses("keys", "list")
    yield "35 Pickup date as text", lambda t: Pickup("2022-02-03", "2022-02-04").prescription_date, gives(lambda d: d == D(2022, 2, 3), "the date")


def _bytes_file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _first_id(bank: str) -> str:
    from isotretinoin_course.content.quiz_banks import load_bank

    return load_bank(bank).questions[0].id


CASES = list(_cases())


def test_every_numbered_class_of_the_review_has_cases():
    numbers = {int(name.split()[0]) for name, *_ in CASES}
    assert numbers == set(range(1, 36)), sorted(set(range(1, 36)) - numbers)


@pytest.mark.parametrize(("name", "call", "check"), CASES, ids=[name for name, *_ in CASES])
def test_review_example(name, call, check, tmp_path):
    check(lambda: call(tmp_path))
