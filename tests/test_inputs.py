"""The one set of input readers (core/inputs.py): what each accepts, what it refuses, and that every refusal
is the project's error naming the field, the value and what is allowed."""

from __future__ import annotations

import datetime as dt
import decimal
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.core.inputs import read_bool, read_choice, read_date, read_number, read_path, read_sequence


class OwnError(CourseInputError):
    """A module's own error, as DosingError or LesionCountError are."""


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [(60, 60.0), (60.5, 60.5), ("60", 60.0), (" 60 ", 60.0), ("0,5", 0.5), ("12,75", 12.75), ("0,500", 0.5), ("1234,5", 1234.5),
     ("-2", -2.0), ("+3", 3.0), (".5", 0.5), ("3e2", 300.0), ("1,5e3", 1500.0), ("0.500", 0.5),
     (np.int64(7), 7.0), (np.float32(2.5), 2.5), (np.float64(1.25), 1.25), (decimal.Decimal("1.5"), 1.5)],
)
def test_numbers_in_every_form_a_student_or_a_table_gives(value, expected):
    number = read_number(value, "Dose")
    assert number == expected and type(number) is float


def test_the_unit_may_be_typed_after_the_number():
    assert read_number("60 kg", "Body weight", unit="kg") == 60.0
    assert read_number("0.5mg/kg/day", "Dose", unit="mg/kg/day") == 0.5
    with pytest.raises(CourseInputError, match="'60 lb' is not a number of kg"):
        read_number("60 lb", "Body weight", unit="kg")


@pytest.mark.parametrize(
    ("value", "message"),
    [("1,000", "'1,000' is ambiguous: the comma could separate thousands or decimals; type 1000 or 1 (no thousands separators)"),
     ("12,500", "type 12500 or 12.5"),
     ("-1,000", "is ambiguous"),
     ("1,000.5", "has a thousands separator"),
     ("1.000,5", "has a thousands separator"),
     ("1 000", "has a thousands separator"),
     ("1.000", "has a thousands separator"),
     ("1_000", "'1_000' is not a number"),
     ("1,2,3", "'1,2,3' is not a number"),
     ("1.2.3", "'1.2.3' is not a number"),
     ("sixty", "'sixty' is not a number of kg"),
     ("", "enter a number of kg"),
     ("   ", "enter a number of kg"),
     (None, "enter a number of kg"),
     ("nan", "'nan' is not a finite number"),
     ("-inf", "'-inf' is not a finite number"),
     ("1e999", "is not a finite number"),
     (float("nan"), "nan is not a finite number"),
     (float("inf"), "inf is not a finite number"),
     (decimal.Decimal("NaN"), "is not a finite number"),
     (True, "expected a number of kg, got True"),
     (False, "expected a number of kg, got False"),
     (np.bool_(True), "expected a number of kg, got"),
     ([60], "expected a number of kg, got [60]"),
     ({"kg": 60}, "expected a number of kg"),
     (object, "expected a number of kg")],
)
def test_numbers_that_are_refused_with_the_field_named(value, message):
    with pytest.raises(CourseInputError) as caught:
        read_number(value, "Body weight", unit="kg")
    assert str(caught.value).startswith("Body weight")
    assert message in str(caught.value)
    assert caught.value.field == "Body weight" and caught.value.value is value and caught.value.allowed


def test_ranges_positivity_and_whole_numbers():
    assert read_number("3", "Missed days", minimum=0, integer=True) == 3 and type(read_number("3", "x", integer=True)) is int
    assert read_number(3.0, "Missed days", integer=True) == 3
    assert read_number(0, "Count", minimum=0) == 0.0
    cases = [
        (dict(minimum=0), -2, "Count cannot be negative, got -2 mg"),
        (dict(positive=True), 0, "Count must be a positive number of mg, got 0"),
        (dict(positive=True), -5, "Count must be a positive number of mg, got -5"),
        (dict(minimum=1, maximum=5), 7, "Count of 7 mg is outside 1–5 mg"),
        (dict(minimum=1, maximum=5, range_note="what this simulator covers"), 0.5, "Count of 0.5 mg is outside what this simulator covers (1–5 mg)"),
        (dict(maximum=3, range_note="what is plausible"), 7, "Count of 7 mg is above what is plausible (3 mg); check the value"),
        (dict(minimum=3), 2, "Count of 2 mg is below the minimum (3 mg); check the value"),
        (dict(integer=True), 2.5, "Count: 2.5 is not a whole number"),
        (dict(integer=True), "2,5", "Count: 2.5 is not a whole number"),
    ]
    for options, value, message in cases:
        with pytest.raises(CourseInputError) as caught:
            read_number(value, "Count", unit="mg", **options)
        assert str(caught.value) == message, options


def test_bounds_are_inclusive():
    assert read_number(1, "x", minimum=1, maximum=5) == 1 and read_number(5, "x", minimum=1, maximum=5) == 5


def test_a_module_can_raise_its_own_error_type():
    with pytest.raises(OwnError) as caught:
        read_number("x", "Dose", error=OwnError)
    assert isinstance(caught.value, CourseInputError) and isinstance(caught.value, ValueError)
    for reader, value in ((read_bool, "yes"), (read_date, "soon"), (read_path, 3), (read_sequence, "a")):
        with pytest.raises(OwnError):
            reader(value, "field", error=OwnError)
    with pytest.raises(OwnError):
        read_choice("x", "field", ["a"], error=OwnError)


# --------------------------------------------------------------------------- booleans


def test_booleans_are_only_real_booleans():
    assert read_bool(True, "Scarring") is True and read_bool(False, "Scarring") is False
    assert read_bool(np.bool_(True), "Scarring") is True
    for value in ("no", "false", "True", 0, 1, None, np.int64(1), [True]):
        with pytest.raises(CourseInputError, match="Scarring: expected True or False"):
            read_bool(value, "Scarring")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 14, 30), pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-01 23:59"),
     np.datetime64("2025-03-01"), "2025-03-01", " 2025-03-01 ", "2025-03-01T08:00:00"],
)
def test_dates_from_every_form(value):
    assert read_date(value, "Start date") == dt.date(2025, 3, 1)


@pytest.mark.parametrize("value", [None, "", float("nan"), pd.NaT, np.datetime64("NaT")])
def test_missing_dates_are_none_when_optional_and_refused_otherwise(value):
    assert read_date(value, "Pick-up date", optional=True) is None
    with pytest.raises(CourseInputError, match="Pick-up date: enter a date"):
        read_date(value, "Pick-up date")


@pytest.mark.parametrize(("value", "message"), [("2025-02-30", "'2025-02-30' is not a date in YYYY-MM-DD form"), ("01/03/2025", "is not a date"),
                                                ("tomorrow", "is not a date"), (20250301, "expected a date"), (True, "expected a date")])
def test_bad_dates_are_refused(value, message):
    with pytest.raises(CourseInputError, match=message):
        read_date(value, "Start date")


def test_date_bounds():
    with pytest.raises(CourseInputError, match="Start date: 2024-12-31 is before 2025-01-01"):
        read_date("2024-12-31", "Start date", minimum=dt.date(2025, 1, 1))
    with pytest.raises(CourseInputError, match="is after"):
        read_date("2026-01-01", "Start date", maximum=dt.date(2025, 12, 31))


# --------------------------------------------------------------------------- paths, identifiers, sequences


def test_paths(tmp_path):
    assert read_path(str(tmp_path), "Folder") == tmp_path
    assert read_path(tmp_path, "Folder", must_exist=True) == tmp_path
    with pytest.raises(CourseInputError, match="Folder: no such file or folder"):
        read_path(tmp_path / "absent", "Folder", must_exist=True)
    for value in ("", "  ", None, 3, ["a"]):
        with pytest.raises(CourseInputError, match="Folder: expected a path"):
            read_path(value, "Folder")
    assert isinstance(read_path("relative/file.csv", "File"), Path)


def test_identifiers_suggest_the_closest_known_one():
    allowed = ("conventional", "absorica", "absorica_ld")
    assert read_choice("absorica", "Formulation", allowed) == "absorica"
    with pytest.raises(CourseInputError) as caught:
        read_choice("absorika", "Formulation", allowed)
    assert str(caught.value) == "Formulation: 'absorika' is not one of 'conventional', 'absorica', 'absorica_ld'; did you mean 'absorica'?"
    with pytest.raises(CourseInputError, match="did you mean 'absorica'"):
        read_choice("Absorica", "Formulation", allowed)
    with pytest.raises(CourseInputError) as caught:
        read_choice("syrup", "Formulation", allowed)
    assert "did you mean" not in str(caught.value)
    with pytest.raises(CourseInputError, match="Formulation: 3 is not one of"):
        read_choice(3, "Formulation", allowed)


def test_sequences_refuse_a_bare_string():
    assert read_sequence(["mood", "dryness"], "Topics") == ["mood", "dryness"]
    assert read_sequence(("a",), "Topics") == ["a"]
    assert read_sequence(iter([1, 2]), "Doses") == [1, 2]
    assert read_sequence([], "Topics") == []
    with pytest.raises(CourseInputError, match=r"Topics: expected a list, got the single text 'mood' \(put it in a list: \['mood'\]\)"):
        read_sequence("mood", "Topics")
    for value in (b"mood", {"mood": 1}, 3, None):
        with pytest.raises(CourseInputError, match="Topics: expected a list"):
            read_sequence(value, "Topics")


def test_sequence_items_are_read_and_named_by_position():
    assert read_sequence(["1", "2,5"], "Doses", read_number) == [1.0, 2.5]
    with pytest.raises(CourseInputError, match=r"Doses\[1\]: 'x' is not a number"):
        read_sequence(["1", "x"], "Doses", read_number)


# --------------------------------------------------------------------------- the error type


def test_the_project_error_carries_field_value_and_allowed_and_survives_pickling():
    error = CourseInputError("Body weight", -3, "a positive number of kg")
    assert str(error) == "Body weight: -3 is not allowed; expected a positive number of kg"
    assert (error.field, error.value, error.allowed) == ("Body weight", -3, "a positive number of kg")
    copy = pickle.loads(pickle.dumps(OwnError("Dose", "x", "a number", message="Dose: 'x' is not a number")))
    assert type(copy) is OwnError and str(copy) == "Dose: 'x' is not a number" and copy.field == "Dose" and copy.value == "x"
    sentence = OwnError("a phase must last at least one day, got 0")
    assert str(sentence) == "a phase must last at least one day, got 0" and sentence.field is None
