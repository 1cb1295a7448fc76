"""The saved-progress file: where it lives, what it keeps, atomic and locked writes, and every way it can fail.

Each test runs with its own empty progress folder (tests/conftest.py). The machine runs the tests as root, which
ignores file permissions, so "cannot read" and "cannot write" are made with paths that no permission can fix (a
folder where the file should be, a file where the folder should be); the permission-bit test runs for other users.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from isotretinoin_course.core import progress_store as ps
from isotretinoin_course.core.progress_store import (
    PROGRESS_DIR_VARIABLE, ProgressFileProblem, course_copy_folder, ProgressStore, parse_progress, progress_path, progress_store, progress_text,
)

SOURCE = "quiz 01_acne_pathophysiology"


@pytest.fixture
def store(tmp_path) -> ProgressStore:
    return ProgressStore(tmp_path / "progress.json")


def test_the_file_lives_in_the_jupyter_data_directory_unless_the_variable_names_a_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(PROGRESS_DIR_VARIABLE)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    assert progress_path() == tmp_path / "jupyter-data" / "isotretinoin-course" / course_copy_folder() / "progress.json"
    monkeypatch.setenv(PROGRESS_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    assert progress_path() == tmp_path / "elsewhere" / "progress.json"
    assert progress_store() is progress_store()  # one store per file in a kernel: what could not be saved is shared


def test_each_copy_of_the_course_keeps_its_own_progress(tmp_path):
    # A fresh clone starts empty; two copies under one login (a shared computer-room account) do not mix answers.
    first, second = tmp_path / "alice" / "course" / "notebooks", tmp_path / "bob" / "course" / "notebooks"
    assert course_copy_folder(first) != course_copy_folder(second)
    assert course_copy_folder(first) == course_copy_folder(first) and course_copy_folder(first).startswith("course-")


def test_the_default_location_is_outside_the_repository(monkeypatch):
    monkeypatch.delenv(PROGRESS_DIR_VARIABLE)
    monkeypatch.delenv("JUPYTER_DATA_DIR", raising=False)
    repository = Path(__file__).resolve().parents[1]
    assert repository not in progress_path().parents


def test_a_result_survives_a_new_store_as_a_restart_would_make_it(store):
    store.record("01", SOURCE, "q1", "LO2", False, "b")
    store.record("01", SOURCE, "q1", "LO2", True, "a")
    store.record("01", SOURCE, "q2", "LO3", True, ["a", "c"])
    again = ProgressStore(store.path)  # nothing shared with the first but the file
    first = again.result("01", SOURCE, "q1")
    assert (first.attempts, first.correct_first_time, first.correct_now, first.response, first.objective) == (2, False, True, "a", "LO2")
    assert again.result("01", SOURCE, "q2").response == ["a", "c"]
    assert again.result("01", SOURCE, "missing") is None
    assert [result.question for result in again.results()] == ["q1", "q2"]
    assert not again.problem and not store.problem


def test_the_file_is_private_sorted_json_and_parses_back(store):
    store.record("02", "quiz 02_isotretinoin_mechanism", "z", "LO1", True, "a")
    store.record("01", SOURCE, "q1", "LO2", True, "12")
    text = store.path.read_text(encoding="utf-8")
    raw = json.loads(text)
    assert raw["format"] == "isotretinoin-course progress" and raw["version"] == 1
    assert list(raw["lessons"]) == ["01", "02"]
    assert progress_text(parse_progress(text)) == text
    if os.name == "posix":
        assert store.path.stat().st_mode & 0o777 == 0o600


def test_an_unknown_kind_is_refused(store):
    with pytest.raises(ValueError, match="kind must be one of"):
        store.record("01", SOURCE, "q1", "LO2", True, kind="exam")


# --------------------------------------------------------------------------- atomic writes


def test_a_failed_replace_leaves_the_old_file_whole_and_no_temporary_file(store, monkeypatch):
    store.record("01", SOURCE, "q1", "LO2", True, "a")
    before = store.path.read_bytes()

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ps.os, "replace", failing_replace)
    result = store.record("01", SOURCE, "q2", "LO2", False, "b")
    assert store.path.read_bytes() == before
    assert sorted(path.name for path in store.path.parent.iterdir()) == ["progress.json", "progress.json.lock"]
    assert "could not be saved" in store.problem and "No space left on device" in store.problem
    assert result.attempts == 1 and store.result("01", SOURCE, "q2") == result  # kept in memory for this kernel
    monkeypatch.undo()
    store.record("01", SOURCE, "q3", "LO1", True, "a")  # the next save that works takes the unsaved one along
    assert not store.problem
    assert {result.question for result in ProgressStore(store.path).results()} == {"q1", "q2", "q3"}


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from isotretinoin_course.core.progress_store import ProgressStore
    store = ProgressStore(Path(sys.argv[1]))
    for number in range(int(sys.argv[3])):
        store.record("01", "quiz 01_acne_pathophysiology", "shared", "LO1", number % 2 == 0, str(number))
        store.record("01", "quiz 01_acne_pathophysiology", sys.argv[2] + str(number % 7), "LO2", True, "a")
        assert not store.problem, store.problem
""")


def writer(path: Path, name: str, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count)], stderr=subprocess.PIPE, text=True)


def test_a_reader_never_sees_half_a_file_while_another_kernel_writes(store):
    store.record("01", SOURCE, "seed", "LO1", True, "a")
    process = writer(store.path, "w", 150)
    reads = 0
    try:
        while process.poll() is None:
            parse_progress(store.path.read_text(encoding="utf-8"))  # raises on a partial file
            reads += 1
    finally:
        _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors
    assert reads > 10


def test_two_kernels_writing_at_once_lose_no_attempt(store):
    count = 120
    first, second = writer(store.path, "a", count), writer(store.path, "b", count)
    for process in (first, second):
        _, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors
    results = {result.question: result for result in ProgressStore(store.path).results()}
    assert results["shared"].attempts == 2 * count
    assert {name for name in results if name != "shared"} == {f"{side}{number}" for side in "ab" for number in range(7)}
    assert sum(results[f"a{number}"].attempts for number in range(7)) == count
    assert not [path for path in store.path.parent.iterdir() if path.suffix == ".tmp"]


def test_a_lock_held_too_long_keeps_the_answer_in_memory_and_saves_it_later(store, monkeypatch):
    store.record("01", SOURCE, "q1", "LO1", True, "a")
    monkeypatch.setattr(ps, "LOCK_TIMEOUT_SECONDS", 0.2)
    with ps._locked(store.lock_path):  # another kernel in the middle of a save
        started = time.monotonic()
        store.record("01", SOURCE, "q2", "LO1", False, "b")
        assert time.monotonic() - started < 5
    assert "busy" in store.problem
    assert ProgressStore(store.path).result("01", SOURCE, "q2") is None
    store.record("01", SOURCE, "q3", "LO1", True, "a")
    assert {result.question for result in ProgressStore(store.path).results()} == {"q1", "q2", "q3"}


# --------------------------------------------------------------------------- files that cannot be used


@pytest.mark.parametrize("content, words", [
    (b'{"format": "isotretinoin-course progress", "version": 1, "lessons": {', "not valid JSON"),
    (b"[1, 2, 3]", "not a progress file of this course"),
    (b'{"format": "isotretinoin-course progress", "version": 99, "lessons": {}}', "saved by a newer version"),
    (b'{"format": "isotretinoin-course progress", "version": 1, "lessons": {"01": {"quiz x / q": {"source": "quiz x", '
     b'"question": "q", "objective": "LO1", "kind": "quiz", "attempts": "two", "correct_first_time": true, "correct_now": true}}}}',
     "wrong type"),
    (b"\xff\xfe\x00garbage", "not a text file"),
])
def test_a_corrupt_file_is_reported_never_overwritten_and_reset_clears_it(store, content, words):
    store.path.write_bytes(content)
    assert store.results() == []
    assert words in store.problem and "Reset my progress" in store.problem and str(store.path) in store.problem
    result = store.record("01", SOURCE, "q1", "LO1", True, "a")
    assert store.path.read_bytes() == content  # the student's file is left for them (or the instructor) to look at
    assert result.attempts == 1 and store.result("01", SOURCE, "q1") == result
    assert store.record("01", SOURCE, "q1", "LO1", False, "b").attempts == 2  # memory keeps counting
    store.reset()
    assert not store.path.exists() and not store.problem and store.results() == []
    store.record("01", SOURCE, "q1", "LO1", True, "a")
    assert ProgressStore(store.path).result("01", SOURCE, "q1").attempts == 1


def test_an_unreadable_file_is_reported(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")
    store.path.mkdir()  # a folder where the file should be: no user, not even root, can read it as a file
    assert store.results() == []
    assert "could not be read" in store.problem
    store.record("01", SOURCE, "q1", "LO1", True, "a")
    assert store.result("01", SOURCE, "q1").attempts == 1 and store.problem


def test_a_folder_that_cannot_be_made_is_reported(tmp_path):
    (tmp_path / "not-a-folder").write_text("a file")
    store = ProgressStore(tmp_path / "not-a-folder" / "progress.json")
    result = store.record("01", SOURCE, "q1", "LO1", True, "a")
    assert "could not be saved" in store.problem and "a kernel restart loses them" in store.problem
    assert store.result("01", SOURCE, "q1") == result


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permission bits")
def test_a_read_only_folder_is_reported(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        store = ProgressStore(folder / "progress.json")
        store.record("01", SOURCE, "q1", "LO1", True, "a")
        assert "could not be saved" in store.problem
    finally:
        folder.chmod(0o700)


def test_a_file_that_cannot_be_deleted_is_reported(tmp_path):
    store = ProgressStore(tmp_path / "progress.json")
    (store.path / "inside").mkdir(parents=True)  # a non-empty folder: unlink fails for everyone
    with pytest.raises(ProgressFileProblem, match="could not be deleted"):
        store.reset()
    assert "could not be deleted" in store.problem


# Root (as these tests run here) reads and writes whatever the permission bits say, so "permission denied" is
# made by the operating-system call itself failing the way it does for an ordinary user.
def test_a_file_the_student_may_not_read_is_reported_with_the_reason_and_left_alone(store, monkeypatch):
    store.record("01", SOURCE, "q1", "LO1", True, "a")
    before = store.path.read_bytes()
    real_read_text = Path.read_text

    def denied(path, *args, **kwargs):
        if path == store.path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    fresh = ProgressStore(store.path)
    assert fresh.results() == []
    assert "could not be read" in fresh.problem and "Permission denied" in fresh.problem and "may read that file" in fresh.problem
    assert fresh.record("01", SOURCE, "q2", "LO1", False, "b").attempts == 1  # counted in memory
    assert store.path.read_bytes() == before  # never overwritten with what this kernel alone knows
    monkeypatch.undo()
    assert {result.question for result in ProgressStore(store.path).results()} == {"q1"}


def test_a_folder_the_student_may_not_write_to_is_reported_with_the_reason(store, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ps.tempfile, "mkstemp", denied)
    result = store.record("01", SOURCE, "q1", "LO1", True, "a")
    assert "could not be saved" in store.problem and "Permission denied" in store.problem and "may write to it" in store.problem
    assert not store.path.exists() and store.result("01", SOURCE, "q1") == result
    monkeypatch.undo()
    store.record("01", SOURCE, "q2", "LO1", True, "a")  # writable again: the answer kept in memory is saved too
    assert not store.problem and {r.question for r in ProgressStore(store.path).results()} == {"q1", "q2"}


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_override_falls_back_to_the_jupyter_data_directory(tmp_path, monkeypatch, value):
    monkeypatch.setenv(PROGRESS_DIR_VARIABLE, value)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    assert progress_path() == tmp_path / "data" / "isotretinoin-course" / course_copy_folder() / "progress.json"


def test_the_tests_themselves_never_use_the_machines_progress_file():
    """tests/conftest.py gives every test (and every kernel a test starts) a folder of its own."""
    folder = Path(os.environ[PROGRESS_DIR_VARIABLE])
    assert folder.name.startswith("progress") and "jupyter" not in str(folder)
    assert progress_path().parent == folder


# --------------------------------------------------------------------------- bad input (issue 17)


def test_a_bad_argument_is_refused_naming_it_before_the_file_is_touched(store):
    for arguments, field in ((("01", SOURCE, "q1", "LO2", "no"), "correct"),  # never bool("no")
                             (("1", SOURCE, "q1", "LO2", True), "lesson"), (("01", SOURCE, "", "LO2", True), "question"),
                             (("01", SOURCE, "q1", "objective 2", True), "objective"), (("01", None, "q1", "LO2", True), "source")):
        with pytest.raises(ps.ProgressRecordError) as caught:
            store.record(*arguments)
        assert caught.value.field == field
    assert not store.path.exists() and store.results() == []


def test_the_file_errors_are_the_projects_and_name_the_file_or_the_text(store):
    from isotretinoin_course.core.errors import CourseInputError

    assert issubclass(ProgressFileProblem, CourseInputError) and issubclass(ps.ProgressRecordError, CourseInputError)
    for text in ("[1, 2]", "not json", "[" * 100_000, None):
        with pytest.raises(ProgressFileProblem) as caught:
            parse_progress(text)
        assert caught.value.field == "text"
    with pytest.raises(ps.ProgressRecordError) as caught:
        progress_text({("01", "x"): "not a result"})
    assert caught.value.field.startswith("results[")
