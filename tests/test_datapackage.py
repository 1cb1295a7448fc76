"""The synthetic Data Package validated by frictionless, which reports every error, not only the first.

The run-time loader (data/loader.py) stays light and stops at the first problem; frictionless validates
the same datapackage.json unchanged, here, in the tests.
"""

from __future__ import annotations

import shutil

import frictionless
import pytest
from conftest import ROOT

from isotretinoin_course.data.loader import DatasetError, load_table

DATASETS = ROOT / "datasets"


def errors(report: frictionless.Report) -> list[tuple[str, str, int | None, str | None]]:
    return [(task.name, error.type, getattr(error, "row_number", None), getattr(error, "field_name", None))
            for task in report.tasks for error in task.errors]


def test_the_committed_data_package_is_valid():
    report = frictionless.validate(DATASETS / "datapackage.json")
    assert report.valid, errors(report)
    assert len(report.tasks) == 10


def _break(lines: list[str], row: int, column: str, value: str) -> None:
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)


@pytest.fixture
def broken_package(tmp_path):
    """A copy of the datasets with six different errors in the laboratory table."""
    target = tmp_path / "datasets"
    shutil.copytree(DATASETS, target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    path = target / "synthetic_labs.csv"
    lines = path.read_text().splitlines()
    _break(lines, 1, "date", "2025-02-30")  # not a date
    _break(lines, 2, "alt_u_l", "-3")  # below the minimum
    _break(lines, 3, "fasting", "yes")  # not a boolean
    _break(lines, 4, "patient_id", "SYN-9999")  # not a patient of the cohort
    _break(lines, 5, "triglycerides_mg_dl", "22.5")  # not an integer
    lines.insert(7, lines[6])  # a duplicated primary key
    path.write_text("\n".join(lines) + "\n")
    return target


def test_frictionless_reports_every_error_with_its_row_and_field(broken_package):
    report = frictionless.validate(broken_package / "datapackage.json")
    assert not report.valid
    assert errors(report) == [
        ("labs", "type-error", 2, "date"),
        ("labs", "constraint-error", 3, "alt_u_l"),
        ("labs", "type-error", 4, "fasting"),
        ("labs", "foreign-key", 5, None),
        ("labs", "type-error", 6, "triglycerides_mg_dl"),
        ("labs", "primary-key", 8, None),
    ]


def test_the_run_time_loader_names_the_first_of_them(broken_package):
    with pytest.raises(DatasetError, match=r"synthetic_labs.csv, row 1 \(line 2\), column 'date': '2025-02-30' is not a date"):
        load_table("labs", broken_package)
