"""The grading driver's command line with several assignments, and what it refuses before grading anything.

These run no student code: each refusal comes before the sandbox starts, and the reports are written here by hand.
The round trip with several assignments at once is tests/test_exercises.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from grading_support import EXERCISES

from isotretinoin_course.grading import driver, report


@pytest.fixture
def course(tmp_path: Path, monkeypatch) -> Path:
    """A course folder with the real sources and config, a released a1 and a2, and two students' submissions.

    The driver works in the course folder (os.chdir, as its own process would); monkeypatch puts this test process
    back where it was afterwards, for the tests that share the worker (nbval finds its sanitize file relative to it).
    """
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "exercises"
    shutil.copytree(EXERCISES / "source", folder / "source")
    shutil.copy2(EXERCISES / "nbgrader_config.py", folder)
    for assignment in ("a1_dosing", "a2_laboratory_results"):
        (folder / "release" / assignment).mkdir(parents=True)
        shutil.copy2(folder / "source" / assignment / f"{assignment}.ipynb", folder / "release" / assignment)
    for student, assignments in {"alice": ("a1_dosing", "a2_laboratory_results"), "bob": ("a1_dosing",)}.items():
        for assignment in assignments:
            (folder / "submitted" / student / assignment).mkdir(parents=True)
            shutil.copy2(folder / "release" / assignment / f"{assignment}.ipynb", folder / "submitted" / student / assignment)
    return folder


def written_report(course: Path, assignment: str, students: list[str]) -> Path:
    path = course / driver.REPORTS / f"{assignment}.json"
    report.write(path, assignment, [report.Entry(student, score=1.0, max_score=2.0) for student in students], {"sandbox": "test"})
    return path


@pytest.mark.parametrize("names", [["nope", "a1_dosing"], ["a1_dosing", "nope", "a2_laboratory_results"], ["a1_dosing", "../source/a1_dosing"],
                                   [""], ["a1_dosing", "."]])
@pytest.mark.parametrize("command", ["autograde", "feedback", "report"])
def test_an_unknown_assignment_is_refused_before_anything_runs(course, capsys, command, names):
    assert driver.main([command, *names, "--course", str(course)]) == 2
    error = capsys.readouterr().err
    assert "nothing was done" in error and "Assignments there: a1_dosing, a2_laboratory_results, a3_dispensing_audit" in error
    assert not (course / driver.REPORTS).exists() and not (course / "autograded").exists() and not (course / "feedback").exists()


def test_a_pattern_is_refused_with_the_way_to_name_assignments(course, capsys):
    assert driver.main(["autograde", "a*", "--course", str(course)]) == 2
    assert "Patterns are not taken here: name each assignment." in capsys.readouterr().err


def test_report_shows_every_report_there_is_and_names_the_missing_ones(course, capsys):
    written_report(course, "a1_dosing", ["alice", "bob"])
    written_report(course, "a3_dispensing_audit", ["alice"])
    status = driver.main(["report", "a2_laboratory_results", "a1_dosing/", "a3_dispensing_audit", "a1_dosing", "--course", str(course)])
    out, error = capsys.readouterr()
    assert status == 2  # one assignment is not autograded yet
    assert out.index("a1_dosing: 2 submission(s)") < out.index("a3_dispensing_audit: 1 submission(s)")  # the order asked, each once
    assert out.count("a1_dosing: 2 submission(s)") == 1  # "a1_dosing/" (a shell's completion) is a1_dosing
    assert "\n\na3_dispensing_audit" in out  # a blank line between two assignments
    assert "no report for a2_laboratory_results: autograde it first (`autograde a2_laboratory_results`)" in error
    assert not out.startswith("\n") and "\n\n\n" not in out  # a missing report leaves no extra blank line


def test_a_student_with_no_submission_is_refused_and_the_report_is_kept(course, capsys):
    path = written_report(course, "a1_dosing", ["alice", "bob"])
    before = path.read_text()
    assert driver.main(["autograde", "a1_dosing", "a2_laboratory_results", "--student", "carol", "--course", str(course)]) == 2
    error = capsys.readouterr().err
    assert "a1_dosing: no submission from 'carol' in submitted/ (students there: alice, bob)" in error
    assert "nothing was graded and the report is unchanged" in error and "not done: a2_laboratory_results" in error
    assert path.read_text() == before and not (course / "autograded").exists()


def test_feedback_for_a_student_not_autograded_is_refused(course, capsys):
    (course / "autograded" / "alice" / "a1_dosing").mkdir(parents=True)
    assert driver.main(["feedback", "a1_dosing", "--student", "bob", "--course", str(course)]) == 2
    assert "a1_dosing: 'bob' not autograded (autograded: alice); no feedback was written" in capsys.readouterr().err
    assert not (course / "feedback").exists()


def test_nothing_handed_in_for_an_assignment_is_graded_as_the_blank_release(course, tmp_path):
    target = tmp_path / "staged"
    findings = driver.stage(course, "a2_laboratory_results", "bob", ["a2_laboratory_results.ipynb"], target)
    assert [finding.reason for finding in findings] == ["not a notebook"]
    assert "nothing handed in for a2_laboratory_results" in findings[0].detail and "graded as the blank release" in findings[0].detail
    staged = json.loads((target / "a2_laboratory_results.ipynb").read_text())
    assert staged == json.loads((course / "release" / "a2_laboratory_results" / "a2_laboratory_results.ipynb").read_text())


def test_a_submission_handed_in_after_grading_is_reported_as_not_graded_yet(course, capsys):
    written_report(course, "a1_dosing", ["alice"])  # bob handed in after this run
    assert driver.main(["report", "a1_dosing", "--course", str(course)]) == 1
    assert "bob: not graded yet: handed in after the last grading run: autograde a1_dosing again" in capsys.readouterr().out


@pytest.mark.parametrize(("last", "now", "first_line"), [
    ("UNSANDBOXED: students' code ran with the grader's files", "bubblewrap sandbox ready",
     "UNSANDBOXED: students' code ran with the grader's files; re-graded now: bubblewrap sandbox ready"),
    ("bubblewrap sandbox ready", "UNSANDBOXED: students' code ran with the grader's files",
     "UNSANDBOXED: students' code ran with the grader's files; kept from the last run: bubblewrap sandbox ready"),
    ("bubblewrap sandbox ready", "bubblewrap sandbox ready", "bubblewrap sandbox ready"),
])
def test_a_partial_regrade_keeps_everyone_else_and_says_how_each_was_graded(course, last, now, first_line):
    path = course / driver.REPORTS / "a1_dosing.json"
    report.write(path, "a1_dosing", [report.Entry("alice", score=1.0, max_score=10.0), report.Entry("bob", score=7.0, max_score=10.0)],
                 {"sandbox": last})
    entries, header = driver.with_last_run(path, [report.Entry("alice", score=10.0, max_score=10.0)], {"sandbox": now})
    assert [(entry.student, entry.score) for entry in entries] == [("alice", 10.0), ("bob", 7.0)]
    assert header["sandbox"] == first_line
    assert report.render("a1_dosing", entries, header).startswith(f"a1_dosing: 2 submission(s), 0 need a look ({first_line})")
