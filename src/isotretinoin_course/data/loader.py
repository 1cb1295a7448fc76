"""Load the course's synthetic tables at run time: pandas with the types the Data Package schema gives.

``datasets/datapackage.json`` describes every CSV (fields, types, units, allowed ranges, keys). The
tables ship inside the package and are found through ``importlib.resources``
(:func:`~isotretinoin_course.core.resources.datasets_directory`). :func:`load_table` reads a table,
converts each column to its schema type, and refuses a table that does not fit, with a message naming
the file, the row and the column, so a broken or hand-edited table is never silently loaded as wrong
numbers. The checks are column-at-a-time pandas operations and stop at the first problem; the full
validation, which reports every problem, is frictionless in the tests (``tests/test_datapackage.py``).

Supported: types ``string``, ``integer``, ``number``, ``date`` and ``boolean``; constraints
``required``, ``unique``, ``minimum``, ``maximum``, ``enum`` and ``pattern``; primary and foreign keys.
"""

from __future__ import annotations

import csv
import io
import json
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.inputs import checked_arguments
from ..content.validation import read_text_file
from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_frame, read_instance, read_path, read_sequence, read_text
from ..core.resources import datasets_directory
from .schema import AUDIT_TABLES, COHORT_TABLES


class DatasetError(CourseInputError):
    """A table that does not match its schema; the message names file, row and column."""


def _directory(directory: Path | Traversable | str | None) -> Path | Traversable:
    """The folder of the tables: the course's own (``None``), or a folder given as text, a ``Path`` or a package resource."""
    if directory is None:
        return datasets_directory()
    if isinstance(directory, Traversable) and not isinstance(directory, Path):
        return directory
    return read_path(directory, "directory", kind="folder", error=DatasetError)


def _file(path: object, field: str = "path") -> Path | Traversable:
    if isinstance(path, Traversable) and not isinstance(path, Path):
        return path
    return read_path(path, field, error=DatasetError)


@checked_arguments
def load_package(directory: Path | Traversable | str | None = None) -> dict:
    """The parsed ``datapackage.json`` of the course's tables (or of the copy in ``directory``)."""
    path = _directory(directory).joinpath("datapackage.json")
    if not path.is_file():
        raise DatasetError("directory", str(path), "a folder with a datapackage.json",
                           message=f"directory: no data package at {path}; regenerate the datasets with `python3 course.py datasets`")
    text = read_text_file(path, DatasetError, "data package")  # type: ignore[arg-type]
    try:
        package = json.loads(text)
    except json.JSONDecodeError as problem:
        raise DatasetError("datapackage.json", text[max(problem.pos - 20, 0):problem.pos + 20], "valid JSON",
                           message=f"datapackage.json: line {problem.lineno}, column {problem.colno} is not valid JSON ({problem.msg}); "
                                   "regenerate it with `python3 course.py datasets`") from None
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        raise DatasetError("datapackage.json", type(package).__name__, "a Data Package with a list of resources",
                           message="datapackage.json: not a Data Package (no list of resources); regenerate it with `python3 course.py datasets`")
    return package


@checked_arguments
def resource(package: dict, name: str) -> dict:
    """The description (path and schema) of one table of the data package."""
    package = read_instance(package, "package", dict, "a Data Package (load_package())", error=DatasetError)
    resources = {item.get("name"): item for item in package.get("resources", []) if isinstance(item, dict)}
    return resources[read_choice(name, "name", [str(key) for key in resources], what="tables of the data package", error=DatasetError)]


def _where(file: str, row: int, column: str) -> str:
    # Row 1 is the first data row, which is line 2 of the file (after the header).
    return f"{file}, row {row} (line {row + 1}), column '{column}'"


class _Problems:
    """The first problem found, by position in the file (row, then column order)."""

    @checked_arguments
    def __init__(self, file: str, order: list[str]) -> None:
        self.file, self.order, self.first = file, order, None

    def note(self, bad: pd.Series, column: str, describe) -> None:
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            key = (row, self.order.index(column))
            if self.first is None or key < self.first[0]:
                self.first = (key, f"{_where(self.file, row + 1, column)}: {describe(row)}")

    def raise_first(self) -> None:
        if self.first is not None:
            raise DatasetError(self.first[1])


def _typed_column(text: pd.Series, missing: pd.Series, field: dict, problems: _Problems) -> object:
    """The column converted to its schema type (missing values as None/NaT), noting values that do not convert."""
    kind, column = field.get("type", "string"), field["name"]
    present = text.where(~missing)
    if kind == "integer":
        problems.note(~missing & ~text.str.fullmatch(r"[+-]?\d+"), column, lambda row: f"{text.iloc[row]!r} is not a whole number")
        numbers = pd.to_numeric(present.where(text.str.fullmatch(r"[+-]?\d+")), errors="coerce")
        return numbers.astype("int64") if not missing.any() and not numbers.isna().any() else numbers
    if kind == "number":
        numbers = pd.to_numeric(present, errors="coerce").astype("float64")
        problems.note(~missing & numbers.isna(), column, lambda row: f"{text.iloc[row]!r} is not a number")
        problems.note(~missing & numbers.notna() & ~np.isfinite(numbers.fillna(0)), column, lambda row: f"{text.iloc[row]!r} is not a finite number")
        return numbers
    if kind == "date":
        iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        dates = pd.to_datetime(present.where(iso), format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")  # days: second resolution suffices
        problems.note(~missing & dates.isna(), column, lambda row: f"{text.iloc[row]!r} is not a date in YYYY-MM-DD form")
        return dates
    if kind == "boolean":
        problems.note(~missing & ~text.isin(["true", "false"]), column, lambda row: f"{text.iloc[row]!r} is not true or false")
        return [None if absent else value == "true" for value, absent in zip(text, missing)]
    if kind == "string":
        return [None if absent else value for value, absent in zip(text, missing)]
    problems.note(pd.Series([True] * len(text)), column, lambda row: f"the schema uses the unsupported type {kind!r}")
    return text


def _check_constraints(text: pd.Series, missing: pd.Series, typed: object, field: dict, problems: _Problems) -> None:
    column, constraints = field["name"], field.get("constraints", {})
    if constraints.get("required"):
        problems.note(missing, column, lambda row: "a value is required")
    if "enum" in constraints:
        problems.note(~missing & ~text.isin(constraints["enum"]), column, lambda row: f"{text.iloc[row]!r} is not one of {constraints['enum']}")
    if "pattern" in constraints:
        pattern = constraints["pattern"]
        problems.note(~missing & ~text.str.fullmatch(pattern), column, lambda row: f"{text.iloc[row]!r} does not match the pattern {pattern}")
    unit = f" {field['unit']}" if field.get("unit") else ""
    values = pd.Series(typed)
    for bound, words in (("minimum", "below the minimum"), ("maximum", "above the maximum")):
        if bound not in constraints:
            continue
        limit = pd.Timestamp(constraints[bound]) if field.get("type") == "date" else constraints[bound]
        outside = values < limit if bound == "minimum" else values > limit
        shown = constraints[bound]
        problems.note(~missing & outside.fillna(False).astype(bool), column, lambda row: f"{text.iloc[row]}{unit} is {words} {shown}{unit}")


def _check_unique(file: str, key: list[str], frame: pd.DataFrame) -> None:
    duplicated = frame.duplicated(subset=key, keep="first")
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        values = frame.iloc[row][key]
        first = int(np.flatnonzero((frame[key] == values).all(axis=1).to_numpy())[0])
        shown = ", ".join(f"{column}={value}" for column, value in values.items())
        raise DatasetError(f"{file}, row {row + 1} (line {row + 2}): duplicate key ({shown}); first seen in row {first + 1}")


@checked_arguments
def read_table(path: Path | Traversable, schema: dict) -> pd.DataFrame:
    """Read one CSV and convert it to the types of its Table Schema, refusing values that do not fit.

    The file must be UTF-8 (a byte-order mark, as Excel writes, is dropped); ``path`` is text, a ``Path`` or a package resource.
    """
    path = _file(path)
    schema = read_instance(schema, "schema", dict, "a Table Schema (resource(load_package(), name)['schema'])", error=DatasetError)
    name = path.name
    text = read_text_file(path, DatasetError, "table")  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DatasetError(f"{name}: the file is empty (no header row)")
    header, data = rows[0], rows[1:]
    fields = schema["fields"]
    expected = [field["name"] for field in fields]
    missing_columns = [column for column in expected if column not in header]
    if missing_columns:
        raise DatasetError(f"{name}: missing column(s) {missing_columns}; expected {expected}")
    extra = [column for column in header if column not in expected]
    if extra:
        raise DatasetError(f"{name}: unexpected column(s) {extra}; expected {expected}")
    if not data:
        raise DatasetError(f"{name}: the file has a header but no rows")
    for number, row in enumerate(data, 1):
        if len(row) != len(header):
            raise DatasetError(f"{name}, row {number} (line {number + 1}): {len(row)} values, expected {len(header)}")
    raw = pd.DataFrame(data, columns=header, dtype=object)
    problems = _Problems(name, expected)
    columns, stripped = {}, {}
    for field in fields:
        text = stripped[field["name"]] = raw[field["name"]].astype(str).str.strip()
        missing = text == ""
        typed = _typed_column(text, missing, field, problems)
        _check_constraints(text, missing, typed, field, problems)
        columns[field["name"]] = typed
    problems.raise_first()
    texts = pd.DataFrame(stripped)
    for field in fields:
        if field.get("constraints", {}).get("unique"):
            _check_unique(name, [field["name"]], texts)
    primary_key = schema.get("primaryKey")
    if primary_key:
        _check_unique(name, [primary_key] if isinstance(primary_key, str) else list(primary_key), texts)
    frame = pd.DataFrame(columns)
    frame.attrs["synthetic"] = True
    frame.attrs["source"] = name
    return frame


# Dates of one row that must come in order (the later one may be missing: an uncollected supply, ongoing contraception).
ORDERED_DATES = {
    "patients": (("start_date", "end_date"),),
    "dispensing": (("prescription_date", "pickup_date"),),
    "audit_dispensing_log": (("prescription_date", "pickup_date"),),
    "audit_contraception": (("start", "end"),),
}


def _capsules_mg(text: str) -> float:
    """The mg of one dose written as its capsules ("40+10")."""
    return sum(float(part) for part in str(text).split("+"))


@checked_arguments
def check_relations(name: str, frame: pd.DataFrame, file: str) -> None:
    """Values of one row that must agree with each other: dates in order, a daily dose equal to its two doses."""
    name = read_text(name, "name", max_length=100, error=DatasetError)
    file = read_text(file, "file", max_length=300, error=DatasetError)
    needed = [column for pair in ORDERED_DATES.get(name, ()) for column in pair]
    needed += ["morning_mg", "evening_mg", "daily_dose_mg"] if name == "dispensing" else []
    frame = read_frame(frame, "frame", needed, error=DatasetError)
    for earlier, later in ORDERED_DATES.get(name, ()):
        if not (pd.api.types.is_datetime64_any_dtype(frame[earlier]) and pd.api.types.is_datetime64_any_dtype(frame[later])):
            raise DatasetError(f"frame[{later!r}]", str(frame[later].dtype), "dates", message=f"frame[{later!r}]: {earlier} and {later} must be dates")
        wrong = frame[later].notna() & frame[earlier].notna() & (frame[later] < frame[earlier])
        if wrong.any():
            row = int(np.flatnonzero(wrong.to_numpy())[0])
            raise DatasetError(f"{file}, column '{later}'", str(frame[later].iloc[row].date()), f"a date from {earlier}",
                               message=f"{_where(file, row + 1, later)}: {frame[later].iloc[row].date()} is before {earlier} "
                                       f"{frame[earlier].iloc[row].date()}")
    if name == "dispensing":
        try:
            doses = frame["morning_mg"].map(_capsules_mg) + frame["evening_mg"].map(_capsules_mg)
            wrong = ((doses - frame["daily_dose_mg"].astype(float)).abs() > 1e-6).fillna(True)
        except (TypeError, ValueError):  # a dose that is not capsules in mg ("40+10"): the row cannot agree
            wrong = pd.Series(True, index=frame.index)
        if wrong.any():
            row = int(np.flatnonzero(wrong.to_numpy())[0])
            raise DatasetError(f"{file}, column 'daily_dose_mg'", frame["daily_dose_mg"].iloc[row], "morning_mg + evening_mg",
                               message=f"{_where(file, row + 1, 'daily_dose_mg')}: {frame['daily_dose_mg'].iloc[row]:g} mg is not the morning "
                                       f"dose ({frame['morning_mg'].iloc[row]}) plus the evening dose ({frame['evening_mg'].iloc[row]})")


@checked_arguments
def load_table(name: str, directory: Path | Traversable | str | None = None) -> pd.DataFrame:
    """Load a table by its resource name, e.g. ``load_table("labs")``, checking its foreign keys and the values of each row
    that must agree (:func:`check_relations`)."""
    return load_tables((name,), directory)[name]


@checked_arguments
def load_tables(names: tuple[str, ...], directory: Path | Traversable | str | None = None) -> dict[str, pd.DataFrame]:
    """Several tables by name (a list of names, never one name as text), each checked as :func:`load_table` checks
    it; a table several others refer to is read once."""
    names = read_sequence(names, "names", unique=True, error=DatasetError)
    directory = _directory(directory)
    package = load_package(directory)
    loaded: dict[str, pd.DataFrame] = {}

    def table(resource_name: str) -> pd.DataFrame:
        if resource_name not in loaded:
            item = resource(package, resource_name)
            loaded[resource_name] = read_table(directory.joinpath(item["path"]), item["schema"])
        return loaded[resource_name]

    for name in names:
        item, frame = resource(package, name), table(name)
        check_relations(item["name"], frame, item["path"])
        for foreign in item["schema"].get("foreignKeys", []):
            reference = foreign["reference"]
            parent_path = resource(package, reference["resource"])["path"]
            parent = table(reference["resource"])
            column = foreign["fields"]
            unknown = ~frame[column].isin(set(parent[reference["fields"]]))
            if unknown.any():
                row = int(np.flatnonzero(unknown.to_numpy())[0])
                raise DatasetError(f"{_where(item['path'], row + 1, column)}: {frame[column].iloc[row]!r} is not a "
                                   f"{reference['fields']} in {parent_path}")
    return {name: loaded[name] for name in names}


@checked_arguments
def load_cohort(directory: Path | Traversable | str | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the synthetic cohort (patients, dispensing, labs, lesion counts, pregnancy tests, adverse events)."""
    return load_tables(COHORT_TABLES, directory)


@checked_arguments
def load_audit(directory: Path | Traversable | str | None = None) -> dict[str, pd.DataFrame]:
    """The four tables of notebook 06's synthetic dispensing audit."""
    return load_tables(AUDIT_TABLES, directory)
