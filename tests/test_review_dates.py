"""Review dates: a notebook's Last reviewed date is not older than its banks' and content files' last_reviewed,
and a content file's last_reviewed is not older than its last change of content in git.

The first check is the notebook lint (``authoring/lint.py``: it reads files only, so it runs on a clean clone);
the second needs git history and is skipped without it (a shallow clone, an installed wheel, no git).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest
from conftest import FIXTURES, ROOT

from isotretinoin_course.authoring.review_dates import (
    ReviewedFile, git_history_available, last_content_change, manifest_content_files, read_last_reviewed, review_date_problems,
)
from isotretinoin_course.content.lessons import lessons
from isotretinoin_course.core.resources import content_file

CONTENT = ROOT / "src" / "isotretinoin_course" / "content"
NOV_30 = dt.date(2026, 11, 30)


def _course_content_files() -> list[tuple[str, object]]:
    """Every bank and content file a lesson names, once each."""
    files: dict[str, object] = {}
    for lesson in lessons():
        for bank in lesson.banks:
            files[f"quiz_banks/{bank}.yml"] = content_file("quiz_banks", f"{bank}.yml")
        files.update(dict(manifest_content_files(lesson.content)))
    return sorted(files.items())


# --------------------------------------------------------------------------- the lint's rule, on fixtures


def test_a_notebook_older_than_a_content_file_is_named():
    files = [ReviewedFile("quiz_banks/01.yml", dt.date(2026, 11, 30)), ReviewedFile("capstone.yml", dt.date(2026, 11, 1))]
    assert review_date_problems(dt.date(2026, 11, 22), files, today=NOV_30) == [
        "Last reviewed 2026-11-22 is older than quiz_banks/01.yml (last_reviewed 2026-11-30): "
        "review the notebook against the changed content and give it the new date"
    ]
    assert review_date_problems(dt.date(2026, 11, 30), files, today=NOV_30) == []


def test_a_content_file_without_a_date_or_with_a_future_one_is_named(fixtures_dir):
    missing = read_last_reviewed(fixtures_dir / "quiz_banks" / "broken_without_last_reviewed.yml")
    assert missing.last_reviewed is None
    assert review_date_problems(NOV_30, [missing], today=NOV_30) == [
        "broken_without_last_reviewed.yml has no 'last_reviewed: YYYY-MM-DD' line at its top"]
    future = ReviewedFile("adverse_effects.yml", dt.date(2027, 1, 1))
    assert "is in the future" in review_date_problems(NOV_30, [future], today=NOV_30)[0]


def test_a_date_that_is_not_a_date_is_named(tmp_path):
    path = tmp_path / "bank.yml"
    path.write_text("last_reviewed: 2026-02-30\nquestions: []\n")
    assert read_last_reviewed(path).problem == "bank.yml: 'last_reviewed' is '2026-02-30', not a date (YYYY-MM-DD)"


def test_every_bank_and_content_file_a_lesson_names_carries_a_date():
    for name, entry in _course_content_files():
        reviewed = read_last_reviewed(entry, name)
        assert reviewed.last_reviewed is not None, reviewed.problem
        assert reviewed.last_reviewed <= dt.date.today(), name


def test_a_manifest_folder_stands_for_every_file_in_it():
    names = [name for name, _entry in manifest_content_files(["rule_sets/"])]
    assert names and all(name.startswith("rule_sets/") and name.endswith(".yml") for name in names)


# --------------------------------------------------------------------------- against git history

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repository, *args, date="2026-11-20T12:00:00+00:00"):
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    subprocess.run(["git", *args], cwd=repository, env=env, check=True, capture_output=True)


@needs_git
def test_git_dates_count_content_edits_not_comments_or_the_date_line(tmp_path):
    _git(tmp_path, "init", "-q")
    bank = tmp_path / "bank.yml"
    bank.write_text("# a bank\nlast_reviewed: 2026-11-20\nquestions: [a]\n")
    _git(tmp_path, "add", "bank.yml")
    _git(tmp_path, "commit", "-qm", "first", date="2026-11-20T12:00:00+00:00")
    bank.write_text("# a bank, comment edited\nlast_reviewed: 2026-11-25\nquestions: [a]\n")
    _git(tmp_path, "commit", "-qam", "comment and date only", date="2026-11-25T12:00:00+00:00")
    assert git_history_available(tmp_path)
    assert last_content_change(bank, tmp_path) == dt.date(2026, 11, 20)
    bank.write_text("# a bank, comment edited\nlast_reviewed: 2026-11-25\nquestions: [a, b]\n")
    _git(tmp_path, "commit", "-qam", "a content edit, date not moved", date="2026-11-28T12:00:00+00:00")
    assert last_content_change(bank, tmp_path) == dt.date(2026, 11, 28)  # newer than its last_reviewed: the test below fails such a file
    bank.write_text("# a bank, comment edited\nlast_reviewed: 2026-11-25\nquestions: [a, b, c]\n")
    assert last_content_change(bank, tmp_path, today=NOV_30) == NOV_30  # an uncommitted edit counts as today


@needs_git
def test_a_renamed_file_keeps_its_history(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "old.yml").write_text("last_reviewed: 2026-11-20\nquestions: [a, b, c, d, e]\n")
    _git(tmp_path, "add", "old.yml")
    _git(tmp_path, "commit", "-qm", "first", date="2026-11-20T12:00:00+00:00")
    _git(tmp_path, "mv", "old.yml", "new.yml")
    _git(tmp_path, "commit", "-qm", "move", date="2026-11-29T12:00:00+00:00")
    assert last_content_change(tmp_path / "new.yml", tmp_path) == dt.date(2026, 11, 20)


@pytest.mark.skipif(not git_history_available(ROOT), reason="needs the repository's full git history (not a shallow clone or a wheel)")
def test_no_content_file_changed_after_its_last_reviewed_date():
    stale = []
    for name, _entry in _course_content_files():
        path = CONTENT / name
        reviewed = read_last_reviewed(path, name).last_reviewed
        changed = last_content_change(path, ROOT)
        if reviewed and changed and changed > reviewed:
            stale.append(f"{name}: content changed on {changed}, last_reviewed says {reviewed}")
    assert not stale, "review these files and move their last_reviewed date (and their notebooks'): " + "; ".join(stale)


def test_fixture_banks_all_carry_a_date_except_the_broken_one():
    for path in sorted((FIXTURES / "quiz_banks").glob("*.yml")):
        if path.name in ("broken_not_yaml.yml", "broken_without_last_reviewed.yml"):
            continue
        assert read_last_reviewed(path).last_reviewed is not None, path.name
