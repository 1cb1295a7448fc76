"""Load the course's synthetic tables, validated against their Frictionless Data Package schema.

``datasets/datapackage.json`` describes every CSV (fields, types, units,
allowed ranges, keys). :func:`load_table` reads a table as text, checks every
value against its field, and only then converts it, so a missing column, an
unparseable date or an out-of-range value is refused with a message naming the
file, the row and the column — never silently loaded as wrong numbers.

The checks cover the part of the Table Schema standard the course uses: types
``string``, ``integer``, ``number``, ``date`` and ``boolean``; constraints
``required``, ``unique``, ``minimum``, ``maximum``, ``enum`` and ``pattern``;
primary keys and foreign keys.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ENVIRONMENT_VARIABLE = "ISOTRETINOIN_COURSE_DATASETS"


class DatasetError(ValueError):
    """A table that does not match its schema; the message names file, row and column."""


def field_schema(name: str, kind: str, description: str, unit: str = "", **constraints) -> dict:
    """One Table Schema field; ``required`` defaults to True (pass ``required=False`` for optional columns)."""
    item = {"name": name, "type": kind, "description": description}
    if unit:
        item["unit"] = unit
    constraints.setdefault("required", True)
    if not constraints["required"]:
        del constraints["required"]
    item["constraints"] = constraints
    return item


def datasets_directory() -> Path:
    """Where the datasets live: ``$ISOTRETINOIN_COURSE_DATASETS``, else the repository's ``datasets/``."""
    if os.environ.get(ENVIRONMENT_VARIABLE):
        return Path(os.environ[ENVIRONMENT_VARIABLE])
    return Path(__file__).resolve().parents[2] / "datasets"


def load_package(directory: Path | None = None) -> dict:
    path = (directory or datasets_directory()) / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"no data package at {path}; regenerate the datasets with `python3 course.py datasets`") from None


def resource(package: dict, name: str) -> dict:
    for item in package["resources"]:
        if item["name"] == name:
            return item
    names = ", ".join(item["name"] for item in package["resources"])
    raise DatasetError(f"no table named {name!r} in the data package; tables: {names}")


@dataclass(frozen=True)
class _Cell:
    file: str
    row: int
    column: str

    def __str__(self) -> str:
        # Row 1 is the first data row, which is line 2 of the file (after the header).
        return f"{self.file}, row {self.row} (line {self.row + 1}), column '{self.column}'"


def _convert(text: str, field: dict, where: _Cell):
    kind = field.get("type", "string")
    if kind == "string":
        return text
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise DatasetError(f"{where}: {text!r} is not a whole number")
        return int(text)
    if kind == "number":
        try:
            value = float(text)
        except ValueError:
            raise DatasetError(f"{where}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise DatasetError(f"{where}: {text!r} is not a finite number")
        return value
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise DatasetError(f"{where}: {text!r} is not a date in YYYY-MM-DD form") from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise DatasetError(f"{where}: {text!r} is not true or false")
        return text == "true"
    raise DatasetError(f"{where}: the schema uses the unsupported type {kind!r}")


def _check_constraints(value, text: str, field: dict, where: _Cell) -> None:
    constraints = field.get("constraints", {})
    if "enum" in constraints and text not in constraints["enum"]:
        raise DatasetError(f"{where}: {text!r} is not one of {constraints['enum']}")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
        raise DatasetError(f"{where}: {text!r} does not match the pattern {constraints['pattern']}")
    for bound, compare, words in (("minimum", lambda a, b: a < b, "below the minimum"), ("maximum", lambda a, b: a > b, "above the maximum")):
        if bound in constraints:
            limit = constraints[bound]
            if isinstance(value, dt.date):
                limit = dt.date.fromisoformat(limit)
            if compare(value, limit):
                unit = f" {field['unit']}" if field.get("unit") else ""
                raise DatasetError(f"{where}: {text}{unit} is {words} {limit}{unit}")


def read_table(path: Path, schema: dict) -> pd.DataFrame:
    """Read one CSV and validate it against a Table Schema; return typed columns."""
    name = path.name
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise DatasetError(f"{name}: file not found in {path.parent}") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DatasetError(f"{name}: the file is empty (no header row)")
    header, data = rows[0], rows[1:]
    fields = schema["fields"]
    expected = [field["name"] for field in fields]
    missing = [column for column in expected if column not in header]
    if missing:
        raise DatasetError(f"{name}: missing column(s) {missing}; expected {expected}")
    extra = [column for column in header if column not in expected]
    if extra:
        raise DatasetError(f"{name}: unexpected column(s) {extra}; expected {expected}")
    if not data:
        raise DatasetError(f"{name}: the file has a header but no rows")
    positions = {column: header.index(column) for column in expected}
    columns: dict[str, list] = {column: [] for column in expected}
    for number, row in enumerate(data, 1):
        if len(row) != len(header):
            raise DatasetError(f"{name}, row {number} (line {number + 1}): {len(row)} values, expected {len(header)}")
        for field in fields:
            column = field["name"]
            text = row[positions[column]].strip()
            where = _Cell(name, number, column)
            if text == "":
                if field.get("constraints", {}).get("required"):
                    raise DatasetError(f"{where}: a value is required")
                columns[column].append(None)
                continue
            value = _convert(text, field, where)
            _check_constraints(value, text, field, where)
            columns[column].append(value)
    for field in fields:
        if field.get("constraints", {}).get("unique"):
            _check_unique(name, [field["name"]], columns)
    primary_key = schema.get("primaryKey")
    if primary_key:
        _check_unique(name, [primary_key] if isinstance(primary_key, str) else list(primary_key), columns)
    frame = pd.DataFrame(columns)
    for field in fields:
        if field.get("type") == "date":
            frame[field["name"]] = pd.to_datetime(frame[field["name"]])
    frame.attrs["synthetic"] = True
    frame.attrs["source"] = name
    return frame


def _check_unique(name: str, key: list[str], columns: dict[str, list]) -> None:
    seen: dict[tuple, int] = {}
    for number, values in enumerate(zip(*(columns[column] for column in key)), 1):
        if values in seen:
            shown = ", ".join(f"{column}={value}" for column, value in zip(key, values))
            raise DatasetError(f"{name}, row {number} (line {number + 1}): duplicate key ({shown}); first seen in row {seen[values]}")
        seen[values] = number


def load_table(name: str, directory: Path | None = None) -> pd.DataFrame:
    """Load a validated table by its resource name, e.g. ``load_table("labs")``, checking its foreign keys."""
    directory = directory or datasets_directory()
    package = load_package(directory)
    item = resource(package, name)
    frame = read_table(directory / item["path"], item["schema"])
    for foreign in item["schema"].get("foreignKeys", []):
        reference = foreign["reference"]
        parent = read_table(directory / resource(package, reference["resource"])["path"], resource(package, reference["resource"])["schema"])
        known = set(parent[reference["fields"]])
        column = foreign["fields"]
        for number, value in enumerate(frame[column], 1):
            if value not in known:
                raise DatasetError(
                    f"{item['path']}, row {number} (line {number + 1}), column '{column}': {value!r} is not a "
                    f"{reference['fields']} in {resource(package, reference['resource'])['path']}"
                )
    return frame
