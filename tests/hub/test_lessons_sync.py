"""The lesson copier never overwrites a student's work (no hub, no root needed)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "jupyterhub" / "isotretinoin_hub" / "src"))

from isotretinoin_hub.lessons import MANIFEST, main, sync_lessons  # noqa: E402
from isotretinoin_hub.settings import Settings, SettingsError  # noqa: E402

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    src = tmp_path / "course"
    src.mkdir()
    (src / "00_start.ipynb").write_text('{"v": 1}')
    (src / "01_next.ipynb").write_text('{"v": 1}')
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "00_start-checkpoint.ipynb").write_text("x")
    return src


def test_first_login_copies_every_lesson_and_no_hidden_files(course: Path, tmp_path: Path) -> None:
    home = tmp_path / "home" / "isotretinoin"
    report = sync_lessons(course, home, DAY)
    assert sorted(report.copied) == ["00_start.ipynb", "01_next.ipynb"]
    assert sorted(p.name for p in home.iterdir()) == sorted(["00_start.ipynb", "01_next.ipynb", MANIFEST])
    assert sync_lessons(course, home, DAY).unchanged == ["00_start.ipynb", "01_next.ipynb"]


def test_student_edits_are_kept_and_course_updates_go_beside_them(course: Path, tmp_path: Path) -> None:
    home = tmp_path / "isotretinoin"
    sync_lessons(course, home, DAY)
    (home / "00_start.ipynb").write_text('{"v": 1, "my": "notes"}')
    (course / "00_start.ipynb").write_text('{"v": 2}')
    (course / "01_next.ipynb").write_text('{"v": 2}')
    report = sync_lessons(course, home, DAY)
    assert (home / "00_start.ipynb").read_text() == '{"v": 1, "my": "notes"}'
    assert report.kept == ["00_start.ipynb"]
    assert (home / "00_start (course update 2026-12-01).ipynb").read_text() == '{"v": 2}'
    assert report.updated == ["01_next.ipynb"]  # untouched by the student: takes the update
    assert (home / "01_next.ipynb").read_text() == '{"v": 2}'
    again = sync_lessons(course, home, DAY)
    assert again.beside == [] and again.kept == ["00_start.ipynb"]  # the update is not copied twice


def test_a_deleted_lesson_comes_back(course: Path, tmp_path: Path) -> None:
    home = tmp_path / "isotretinoin"
    sync_lessons(course, home, DAY)
    (home / "01_next.ipynb").unlink()
    assert sync_lessons(course, home, DAY).copied == ["01_next.ipynb"]


def test_a_link_in_the_students_folder_is_never_followed(course: Path, tmp_path: Path) -> None:
    home = tmp_path / "isotretinoin"
    home.mkdir()
    elsewhere = tmp_path / "precious.txt"
    elsewhere.write_text("do not touch")
    (home / "00_start.ipynb").symlink_to(elsewhere)
    report = sync_lessons(course, home, DAY)
    assert report.kept == ["00_start.ipynb"]
    assert elsewhere.read_text() == "do not touch"


def test_command_line_reports_json_and_a_missing_source(course: Path, tmp_path: Path, capsys) -> None:
    assert main(["--source", str(course), "--dest", str(tmp_path / "d")]) == 0
    assert json.loads(capsys.readouterr().out)["copied"] == ["00_start.ipynb", "01_next.ipynb"]
    assert main(["--source", str(tmp_path / "nowhere"), "--dest", str(tmp_path / "d")]) == 2
    assert "lesson folder not found" in capsys.readouterr().err


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("ISOHUB_PORT", "eighty", "ISOHUB_PORT must be a number"),
    ("ISOHUB_EXCHANGE", "srv/exchange", "ISOHUB_EXCHANGE must be an absolute path"),
    ("ISOHUB_COURSE_ID", "Course+1", "ISOHUB_COURSE_ID must match"),
    ("ISOHUB_CULL_TIMEOUT", "5", "ISOHUB_CULL_TIMEOUT must be at least 60 seconds"),
])
def test_a_bad_setting_is_named(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({variable: value})
