"""The property tests' registry: for every public name of the package, how to call it with any input.

Each entry names a public function or class and gives, per parameter, a Hypothesis strategy of *sensible*
values (numbers in and around the plausible range, real ids and near misses, dates in several forms, real
tables and tables with a column missing ...). The runner (test_properties.py) mixes junk into every parameter
(None, booleans, NaN and infinity, numpy and Decimal numbers, text such as "1,000", "²", "no", five thousand
digits, lists, mappings, dates, objects), calls the target, and holds the property: a valid result, or the
project's error naming its field, within the time limit. ``valid`` adds what a right answer must satisfy.

Widgets get two entries: the constructor (the arguments a notebook passes) and ``.interaction``, in which a
student sets any control to anything it accepts and clicks any enabled button, in any order; after each step no
error has escaped, no widget shows the "could not update" notice of a bug, and a widget showing a problem hides
its stale outputs.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import decimal
import functools
import inspect
import math
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from input_checks import audit, cohort

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "isotretinoin_course"

# --------------------------------------------------------------------------- junk: what a student (or a notebook) may pass anywhere

NASTY_TEXT = (
    "", " ", "²", "٣", "１２", "9" * 5000, "1,000", "1.000,5", "1 000", "12,5", "0,5", "70kg", "70 kg", "70", "-70", "0", "-0", "nan",
    "inf", "-inf", "1e999", "1e-320", "no", "false", "False", "True", "yes", "None", "\x00", "\ufeff70", "2025-02-30", "9999-12-31",
    "0001-01-01", "31/12/2025", "2025-03-01", "SYN-0008", "syn-0008", "SYN-9999", "AUD-001", "ipledge", "ipledge_2012", "conventional",
    "generic", "fed", "fasting", "../x", "a" * 300, "3, 8-10", "5-2", "1,2", "<b>x</b>", "{x}", "%s", "month_9", "labs", "baseline",
)


class Opaque:
    """An object no function expects."""

    def __repr__(self) -> str:
        return "Opaque()"


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**15), 10**15), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True, places=None), st.text(max_size=8), st.sampled_from(NASTY_TEXT),
    st.integers(-(2**40), 2**40).map(np.int64), st.floats(width=32).map(np.float32), st.booleans().map(np.bool_),
    st.lists(st.integers(-5, 5), max_size=3), st.tuples(st.integers(0, 3)), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.dates(), st.datetimes(), st.just(pd.NaT), st.just(Path("/nonexistent/x.csv")), st.just(b"bytes"), st.builds(Opaque),
    st.just(np.array([1.0, 2.0])), st.just(pd.DataFrame()),
)


def number_text(x: float) -> st.SearchStrategy[str]:
    return st.sampled_from([f"{x:g}", f"{x:.2f}".replace(".", ","), f" {x:.1f} ", f"{x:.3e}", f"{x:,.1f}"])


def numbers(low: float, high: float, *, integer: bool = False, margin: float = 0.25) -> st.SearchStrategy:
    """Numbers in [low, high] in every form the readers take, and some just outside the range."""
    spread = (high - low) * margin or 1.0
    core = st.integers(math.ceil(low), math.floor(high)) if integer else st.floats(low, high)
    near = (st.integers(math.floor(low - spread), math.ceil(high + spread)) if integer
            else st.floats(low - spread, high + spread, allow_nan=False))
    return st.one_of(core, core, near, core.map(np.float64 if not integer else np.int64), core.flatmap(number_text),
                     core.map(lambda x: decimal.Decimal(str(x))), st.sampled_from([low, high]))


def dates(low: dt.date = dt.date(2015, 1, 1), high: dt.date = dt.date(2030, 12, 31)) -> st.SearchStrategy:
    day = st.dates(low, high)
    return st.one_of(day, day, day.map(dt.date.isoformat), day.map(lambda d: dt.datetime(d.year, d.month, d.day, 9)), day.map(pd.Timestamp),
                     day.map(lambda d: np.datetime64(d.isoformat())))


def near_misses(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    name = st.sampled_from(names)
    return st.one_of(name, name, name.map(str.upper), name.map(lambda n: n[:-1]), name.map(lambda n: f" {n} "), name.map(lambda n: n.replace("_", " ")))


def text_lists(items: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.lists(items, max_size=5), st.lists(items, max_size=5).map(tuple), items)


# --------------------------------------------------------------------------- files

@functools.cache
def file_box() -> Path:
    """A folder of awkward files: non-UTF-8, BOM-prefixed, truncated, empty, a folder where a file is expected."""
    folder = Path(tempfile.mkdtemp(prefix="course-properties-"))
    (folder / "latin1.yml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    (folder / "latin1.json").write_bytes(b'[{"id": "caf\xe9"}]')
    (folder / "latin1.csv").write_bytes(b"patient_id\nSYN-0001\xff\n")
    (folder / "bom.yml").write_bytes("\ufeffnotebook: x\ntitle: y\nquestions: []\n".encode())
    (folder / "bom.json").write_bytes("\ufeff[]".encode())
    (folder / "truncated.json").write_text('[{"id": "x", "title": ', encoding="utf-8")
    (folder / "empty.yml").write_text("", encoding="utf-8")
    (folder / "list.yml").write_text("- 1\n- 2\n", encoding="utf-8")
    (folder / "text.ipynb").write_text("not a notebook", encoding="utf-8")
    (folder / "a_folder.yml").mkdir()
    return folder


def content_paths() -> st.SearchStrategy:
    from isotretinoin_course.core.resources import content_file

    shipped = [content_file(name) for name in ("references.json", "lessons.yml", "counselling_topics.yml", "adverse_effects.yml", "capstone.yml",
                                               "plausible_ranges.yml", "pk_parameters.yml", "label_dosing.yml", "programmes.yml",
                                               "contraceptive_methods.yml")]
    shipped += [content_file("quiz_banks", "01_acne_pathophysiology.yml"), content_file("rule_sets", "ipledge_2021.yml")]
    box = file_box()
    awkward = sorted(box.iterdir()) + [box / "missing.yml"]
    return st.one_of(st.sampled_from(shipped), st.sampled_from(shipped).map(str), st.sampled_from(awkward), st.sampled_from(awkward).map(str))


def copied_datasets() -> Path:
    from input_checks import copy_datasets

    return copy_datasets(Path(tempfile.mkdtemp(prefix="course-datasets-")))


@functools.cache
def dataset_folders() -> tuple:
    from isotretinoin_course.core.resources import datasets_directory

    shipped = datasets_directory()
    broken = copied_datasets()
    (broken / "synthetic_labs.csv").write_bytes(b"\xff\xfe" + (broken / "synthetic_labs.csv").read_bytes())
    bom = copied_datasets()
    (bom / "synthetic_patients.csv").write_bytes("\ufeff".encode() + (bom / "synthetic_patients.csv").read_bytes())
    truncated = copied_datasets()
    (truncated / "datapackage.json").write_text((truncated / "datapackage.json").read_text()[:500])
    return (None, shipped, str(Path(str(shipped))), broken, bom, truncated, file_box(), file_box() / "missing")


# --------------------------------------------------------------------------- domain values

FORMULATIONS = ("conventional", "absorica", "absorica_ld")
MEALS = ("fed", "fasted")
PROGRAMMES = ("ipledge", "eu", "uk")
FORMULATION = near_misses(FORMULATIONS)
MEAL = near_misses(MEALS)
WEIGHT = numbers(1, 400)
DOSE_PER_KG = numbers(0.05, 2.5)
TARGET = numbers(20, 450)
DAILY_MG = numbers(1, 300)
DAYS = numbers(0, 400, integer=True)


@functools.cache
def patient_ids() -> tuple[str, ...]:
    return tuple(cohort()["patients"]["patient_id"])


PATIENT_ID = st.one_of(st.sampled_from(("SYN-0024", "SYN-0008", "SYN-0001", "SYN-0117", "SYN-0013")), st.builds(lambda: None).flatmap(
    lambda _: st.sampled_from(patient_ids())), near_misses(("SYN-0024", "SYN-0008")), st.sampled_from(("SYN-9999", "", "AUD-001")))
CAN_GET_PREGNANT = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(tuple(
    cohort()["patients"].query("pregnancy_risk_category == 'can_get_pregnant'")["patient_id"])))


def tables_strategy() -> st.SearchStrategy:
    """The cohort's tables, or a copy with a table or a column missing, or one patient's rows only."""
    def without_table(name: str) -> dict:
        return {key: value for key, value in cohort().items() if key != name}

    def without_column(table: str, column: str) -> dict:
        tables = dict(cohort())
        tables[table] = tables[table].drop(columns=column)
        return tables

    def one_patient(patient_id: str) -> dict:
        return {name: frame[frame["patient_id"] == patient_id].reset_index(drop=True) for name, frame in cohort().items()}

    return st.one_of(st.builds(cohort), st.builds(cohort), st.sampled_from(("patients", "labs", "dispensing", "lesion_counts", "pregnancy_tests",
                                                                            "adverse_events")).map(without_table),
                     st.sampled_from((("labs", "alt_u_l"), ("patients", "weight_kg"), ("dispensing", "pickup_date"))).map(lambda pair: without_column(*pair)),
                     st.sampled_from(("SYN-0024", "SYN-0001")).map(one_patient))


def labs_strategy() -> st.SearchStrategy:
    def labs(choice: str) -> pd.DataFrame:
        frame = cohort()["labs"]
        if choice == "all":
            return frame
        if choice.startswith("visit:"):
            return frame[frame["visit"] == choice.split(":")[1]]
        if choice.startswith("drop:"):
            return frame.drop(columns=choice.split(":")[1])
        if choice == "empty":
            return frame.iloc[0:0]
        if choice == "strings":
            return frame.astype(str)
        raise AssertionError(choice)

    return st.sampled_from(("all", "all", "visit:baseline", "visit:month_1", "visit:month_2", "drop:alt_u_l", "drop:visit", "drop:patient_id",
                            "empty", "strings")).map(labs)


@functools.cache
def timelines() -> tuple:
    from isotretinoin_course.data import audit_log
    from isotretinoin_course.data.programme_cases import cohort_timelines, comparison_patients, missed_first_window

    found = list(audit_log.timelines(audit()))[:20] + list(comparison_patients().values())
    found += cohort_timelines(cohort())[:10]
    found += [missed_first_window(key) for key in ("ipledge_2021", "eu_ppp_2018", "uk_mhra_2023")]
    return tuple(found)


def mutated(thing: object, name: str, value: object) -> object:
    """A copy of a (possibly frozen) dataclass with one field replaced, as code that edits it after construction would leave it."""
    changed = copy.copy(thing)
    object.__setattr__(changed, name, value)
    return changed


def timeline_strategy() -> st.SearchStrategy:
    good = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(timelines()))
    fields = st.sampled_from(("patient_id", "category", "pregnancy_tests", "contraception", "prescriptions", "pickups", "programme", "registered",
                              "risk_acknowledgement"))

    def entry_mutation(timeline, which: str, position: int, name: str, value: object):
        entries = list(getattr(timeline, which))
        if not entries:
            return timeline
        entries[position % len(entries)] = mutated(entries[position % len(entries)], name, value)
        return mutated(timeline, which, entries)

    entry = st.sampled_from((("pregnancy_tests", "date"), ("pregnancy_tests", "result"), ("pregnancy_tests", "setting"), ("contraception", "start"),
                             ("contraception", "end"), ("contraception", "method"), ("prescriptions", "days_supply"), ("prescriptions", "refills"),
                             ("prescriptions", "date"), ("pickups", "date"), ("pickups", "prescription_date")))
    return st.one_of(good, good, st.builds(mutated, good, fields, JUNK),
                     st.builds(lambda t, pair, i, v: entry_mutation(t, pair[0], i, pair[1], v), good, entry, st.integers(0, 10), JUNK))


def rule_set_strategy() -> st.SearchStrategy:
    from isotretinoin_course.content.rule_sets import rule_sets

    def any_rule_set(which: int, form: str):
        rule_set = list(rule_sets().values())[which % len(rule_sets())]
        return {"object": rule_set, "key": rule_set.key, "name": rule_set.name, "programme": rule_set.programme}[form]

    return st.one_of(st.builds(any_rule_set, st.integers(0, 20), st.sampled_from(("object", "key", "name", "programme"))),
                     near_misses(("ipledge_2021", "eu_ppp_2018", "ipledge", "uk")))


@functools.cache
def all_questions() -> tuple:
    from isotretinoin_course.content.quiz_banks import bank_names, load_bank

    return tuple(question for name in bank_names() for question in load_bank(name).questions)


QUESTION = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(all_questions()))


def responses(question) -> st.SearchStrategy:
    ids = [option.id for option in question.options]
    if question.type == "numeric":
        answer = question.answer or 0.0
        return st.one_of(numbers(answer - 10 * (question.tolerance + 1), answer + 10 * (question.tolerance + 1)), st.just(answer), JUNK)
    option = st.sampled_from(ids) if ids else st.text(max_size=2)
    return st.one_of(option, st.lists(option, max_size=4), st.dictionaries(option, st.booleans(), max_size=4), st.frozensets(option), JUNK)


@functools.cache
def decisions() -> tuple:
    from isotretinoin_course.models.risk_management import evaluate

    return tuple(decision for timeline in timelines()[:12] for decision in evaluate(timeline, timeline.programme or "ipledge").decisions)


@functools.cache
def capstone_case():
    from isotretinoin_course.models.capstone import CapstoneCase

    return CapstoneCase(cohort())


def notebook_strategy() -> st.SearchStrategy:
    import nbformat

    real = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

    def read(path: Path):
        return nbformat.read(path, as_version=4)

    def made(sources: list[tuple[str, str]]):
        notebook = nbformat.v4.new_notebook()
        for kind, text in sources:
            notebook.cells.append(nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text))
        return notebook

    cell_text = st.one_of(st.text(max_size=40), st.sampled_from(("# Title", "## References", "## Learning objectives\n- LO1 x", "import os",
                                                                 "from isotretinoin_course.widgets import quiz_for", "quiz_for('nope')",
                                                                 "*Last reviewed: 2026-13-45*", "[x](#ref-nope)")))
    return st.one_of(st.sampled_from(real).map(read), st.lists(st.tuples(st.sampled_from(("markdown", "code")), cell_text), max_size=6).map(made),
                     st.just({"cells": "not a list"}), st.just({}))


def raw_content(kind: str) -> st.SearchStrategy:
    """The parsed content file of ``kind`` as it ships, or with one key removed or one value replaced by junk."""
    from isotretinoin_course.content.validation import read_structured
    from isotretinoin_course.core.resources import content_file

    files = {"adverse_effects": "adverse_effects.yml", "capstone": "capstone.yml", "contraceptive_methods": "contraceptive_methods.yml",
             "counselling_topics": "counselling_topics.yml", "label_dosing": "label_dosing.yml", "lessons": "lessons.yml",
             "pk_parameters": "pk_parameters.yml", "plausible_ranges": "plausible_ranges.yml", "programmes": "programmes.yml",
             "quiz_bank": ("quiz_banks", "01_acne_pathophysiology.yml"), "rule_set": ("rule_sets", "ipledge_2021.yml")}
    name = files[kind]
    raw = read_structured(content_file(*name) if isinstance(name, tuple) else content_file(name))

    def without(key_index: int):
        changed = copy.deepcopy(raw)
        if isinstance(changed, dict) and changed:
            changed.pop(sorted(changed)[key_index % len(changed)])
        return changed

    def replaced(key_index: int, value: object):
        changed = copy.deepcopy(raw)
        if isinstance(changed, dict) and changed:
            changed[sorted(changed)[key_index % len(changed)]] = value
        return changed

    def deeper(key_index: int, value: object):
        changed = copy.deepcopy(raw)
        for part in changed.values() if isinstance(changed, dict) else []:
            if isinstance(part, list) and part and isinstance(part[0], dict):
                part[0][sorted(part[0])[key_index % len(part[0])]] = value
                break
            if isinstance(part, dict) and part:
                inner = part[sorted(part)[key_index % len(part)]]
                if isinstance(inner, dict) and inner:
                    inner[sorted(inner)[0]] = value
                    break
        return changed

    return st.one_of(st.builds(lambda: copy.deepcopy(raw)), st.integers(0, 50).map(without), st.builds(replaced, st.integers(0, 50), JUNK),
                     st.builds(deeper, st.integers(0, 50), JUNK), JUNK)


@functools.cache
def bibliography_entries() -> tuple:
    from isotretinoin_course.content.bibliography import load_bibliography

    return tuple(load_bibliography().entries.values())


ENTRY = st.one_of(st.builds(lambda: None).flatmap(lambda _: st.sampled_from(bibliography_entries())),
                  st.dictionaries(st.sampled_from(("id", "title", "issued", "author", "type", "DOI", "URL", "container-title", "citation-label")),
                                  JUNK, max_size=5))


def scenario_inputs() -> st.SearchStrategy:
    return st.fixed_dictionaries({
        "formulation": FORMULATION, "meal": MEAL, "dose": numbers(5, 120), "schedule": near_misses(("twice daily", "once daily")),
        "weight": WEIGHT, "days": numbers(0.5, 400), "missed": st.one_of(st.just(""), st.sampled_from(("3", "1-4", "2, 5", "0", "9999", "4-2"))),
    })


@functools.cache
def scenarios() -> tuple:
    from isotretinoin_course.models.pk_scenario import scenario_from_inputs

    return tuple(scenario_from_inputs(formulation, meal, dose, "twice daily", weight, days, "")
                 for formulation, meal, dose, weight, days in (("conventional", "fed", 30, 70, 28), ("absorica", "fasted", 40, 60, 14),
                                                               ("absorica_ld", "fed", 16, 45, 7)))


@functools.cache
def simulations() -> tuple:
    from isotretinoin_course.models.pharmacokinetics import simulate
    from isotretinoin_course.models.pk_scenario import STEP_H

    return tuple((scenario, simulate(scenario.model, scenario.regimen, scenario.weight_kg, step_h=STEP_H, follow_up_days=35)) for scenario in scenarios())


SCENARIO_SIMULATION = st.builds(lambda: None).flatmap(lambda _: st.sampled_from(simulations()))


def models() -> st.SearchStrategy:
    from isotretinoin_course.models.isotretinoin_pk import ELIMINATORS, model_for, one_compartment_for

    return st.one_of(st.builds(model_for, st.sampled_from(FORMULATIONS), st.sampled_from(MEALS), st.booleans(), st.sampled_from(ELIMINATORS)),
                     st.sampled_from(MEALS).map(one_compartment_for))


def regimens() -> st.SearchStrategy:
    from isotretinoin_course.models.pharmacokinetics import Regimen

    return st.builds(Regimen, st.sampled_from((10.0, 20.0, 30.0, 40.0)), st.sampled_from((12.0, 24.0)), st.sampled_from((1.0, 7.0, 28.0, 140.0)))


# --------------------------------------------------------------------------- the registry

@dataclass
class Entry:
    name: str
    target: Callable | None
    params: Mapping[str, st.SearchStrategy] = field(default_factory=dict)
    valid: Callable[[object, dict], None] | None = None
    examples: float = 1.0  # a share of the profile's max_examples (slow entries run fewer)
    deadline_ms: int = 2000
    no_junk: frozenset[str] = frozenset()  # parameters that only take the sensible values (a callable the test supplies)
    driver: Callable | None = None  # a custom run: driver(data) does everything (widget interaction)
    after: Callable[[object], None] | None = None  # tidy up after each call (close figures)


REGISTRY: dict[str, Entry] = {}


def qualified(target: Callable) -> str:
    target_name = getattr(target, "__qualname__", None) or target.__wrapped__.__qualname__  # type: ignore[attr-defined]
    return f"{target.__module__.removeprefix(PACKAGE + '.')}.{target_name}"


def prop(target: Callable, /, *, valid=None, examples: float = 1.0, deadline_ms: int = 2000, no_junk: tuple[str, ...] = (),
         after=None, **params: st.SearchStrategy) -> None:
    add(Entry(qualified(target), target, params, valid, examples, deadline_ms, frozenset(no_junk), after=after))


def add(entry: Entry) -> None:
    assert entry.name not in REGISTRY, f"registered twice: {entry.name}"
    REGISTRY[entry.name] = entry


def driven(name: str, driver: Callable, *, examples: float = 1.0, deadline_ms: int = 4000) -> None:
    assert name not in REGISTRY, f"registered twice: {name}"
    REGISTRY[name] = Entry(name, None, examples=examples, deadline_ms=deadline_ms, driver=driver)


def record_of(cls: type, **overrides: st.SearchStrategy) -> None:
    """A plain record (a frozen dataclass the course builds from validated content or results): any values for its fields."""
    fields = {item.name: overrides.get(item.name, JUNK) for item in dataclasses.fields(cls) if item.init}
    required = {name for name, parameter in inspect.signature(cls).parameters.items() if parameter.default is inspect.Parameter.empty}
    add(Entry(qualified(cls), cls, {name: strategy for name, strategy in fields.items() if name in required or name in overrides}))


def close_figures(_result: object) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


# --------------------------------------------------------------------------- what a valid result is

def finite_everywhere(value: object, depth: int = 0) -> None:
    """No NaN or infinity hidden in a result (a number, a record, a tuple, a list, a mapping)."""
    if depth > 3 or isinstance(value, (str, bytes)):
        return
    if isinstance(value, (float, np.floating)):
        assert math.isfinite(value), f"a non-finite number in the result: {value!r}"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            finite_everywhere(getattr(value, item.name), depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value[:50]:
            finite_everywhere(item, depth + 1)
    elif isinstance(value, Mapping):
        for item in list(value.values())[:50]:
            finite_everywhere(item, depth + 1)


def figure_with_description(result: object, _kwargs: dict) -> None:
    figure, description = result
    assert type(figure).__name__ == "Figure", type(figure)
    assert isinstance(description, str) and len(description.split()) >= 8, description
    assert "nan" not in description.split(), f"a description with nan: {description}"


def is_html(result: object, _kwargs: dict) -> None:
    assert isinstance(result, str) and result.strip(), "empty HTML"
    assert " nan " not in result and ">nan<" not in result, "nan shown to the student"


def is_text(result: object, _kwargs: dict) -> None:
    assert isinstance(result, str), type(result)


def number_between(low: float, high: float):
    def check(result: object, _kwargs: dict) -> None:
        assert isinstance(result, (int, float)) and not isinstance(result, bool) and low <= result <= high, result

    return check


def within_plausible(quantity: str):
    def check(result: object, _kwargs: dict) -> None:
        from isotretinoin_course.content.ranges import plausible_range

        bounds = plausible_range(quantity)
        value = result.value if hasattr(result, "value") else result
        assert bounds.minimum <= value <= bounds.maximum, f"{value} accepted outside {bounds.minimum}–{bounds.maximum}"

    return check
