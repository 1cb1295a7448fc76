"""The dataset loader: valid tables load typed; every kind of bad table is refused with file, row and column."""

from __future__ import annotations

import shutil

import pytest

from isotretinoin_course.data.loader import DatasetError, load_table


@pytest.fixture
def package(fixtures_dir, tmp_path):
    target = tmp_path / "package"
    shutil.copytree(fixtures_dir / "datapackage", target)
    return target


def test_valid_tables_load_with_types(package):
    labs = load_table("labs", package)
    assert list(labs.columns) == ["patient_id", "date", "alt_u_l", "fasting"]
    assert labs["alt_u_l"].tolist() == [22, 35, 19]
    assert str(labs["date"].dtype).startswith("datetime64")
    assert labs["fasting"].tolist() == [True, True, None]
    assert labs.attrs["synthetic"] is True


def _rewrite(package, name, text):
    (package / name).write_text(text)


@pytest.mark.parametrize(
    ("table", "file", "text", "expected"),
    [
        ("labs", "synthetic_labs.csv", "patient_id,date,fasting\nSYN-0001,2025-03-01,true\n", "synthetic_labs.csv: missing column(s) ['alt_u_l']"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,2025-02-30,22,true\n", "synthetic_labs.csv, row 1 (line 2), column 'date': '2025-02-30' is not a date"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,2025-03-01,22,true\nSYN-0001,2025-04-01,-3,true\n", "synthetic_labs.csv, row 2 (line 3), column 'alt_u_l': -3 U/L is below the minimum 1 U/L"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,2024-12-01,22,true\n", "column 'date': 2024-12-01 is below the minimum 2025-01-01"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,2025-03-01,22.5,true\n", "column 'alt_u_l': '22.5' is not a whole number"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,2025-03-01,22,yes\n", "column 'fasting': 'yes' is not true or false"),
        ("labs", "synthetic_labs.csv", "", "synthetic_labs.csv: the file is empty (no header row)"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\n", "synthetic_labs.csv: the file has a header but no rows"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,2025-03-01,22\n", "row 1 (line 2): 3 values, expected 4"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,2025-03-01,22,true\nSYN-0001,2025-03-01,30,true\n", "row 2 (line 3): duplicate key (patient_id=SYN-0001, date=2025-03-01)"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0009,2025-03-01,22,true\n", "column 'patient_id': 'SYN-0009' is not a patient_id in synthetic_patients.csv"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting,extra\nSYN-0001,2025-03-01,22,true,x\n", "unexpected column(s) ['extra']"),
        ("labs", "synthetic_labs.csv", "patient_id,date,alt_u_l,fasting\nSYN-0001,,22,true\n", "column 'date': a value is required"),
        ("patients", "synthetic_patients.csv", "patient_id,sex,weight_kg\nSYN-0001,other,61\n", "column 'sex': 'other' is not one of ['female', 'male']"),
        ("patients", "synthetic_patients.csv", "patient_id,sex,weight_kg\nP1,female,61\n", "column 'patient_id': 'P1' does not match the pattern"),
        ("patients", "synthetic_patients.csv", "patient_id,sex,weight_kg\nSYN-0001,female,-61\n", "column 'weight_kg': -61 kg is below the minimum 30 kg"),
    ],
)
def test_bad_tables_are_refused_naming_file_row_and_column(package, table, file, text, expected):
    _rewrite(package, file, text)
    with pytest.raises(DatasetError) as caught:
        load_table(table, package)
    assert expected in str(caught.value)


def test_unknown_table_and_missing_package(package, tmp_path):
    with pytest.raises(DatasetError, match="name: 'vitals' is not one of 'patients', 'labs'"):
        load_table("vitals", package)
    with pytest.raises(DatasetError, match="directory: no such folder"):
        load_table("labs", tmp_path / "nowhere")
    with pytest.raises(DatasetError, match="no data package at"):
        load_table("labs", tmp_path)
