"""A hostile class graded with the instructor's commands: nothing but each submission's own grade is affected.

The course is built in a temporary fake repository (with a secret file) from the course's real assignments
(all four in ``source/``, so every assignment's hidden tests, solutions and mark schemes are there to be stolen;
a1 and a4 in the gradebook, so a4's mark scheme is in it), with a home folder holding a secret file. a1_dosing
is released and handed in by a class of 29 honest, broken and hostile students (``hostile_class.py``), then graded
as exercises/README.md says, each command a step with its own time limit:

    python3 course.py nbgrader autograde a1_dosing     (the sandboxed driver)
    python3 course.py nbgrader export
    python3 course.py feedback a1_dosing
    python3 course.py nbgrader-report a1_dosing

The cell time limit is 5 s here (30 s in the course) so that the slow submissions cost seconds. The driver's
own tests (it refuses without a sandbox; ``--unsandboxed`` really is unprotected; a grading process stopped at
its wall-clock limit ends only its own student's grading) share the released course and use the course's own
nbgrader_config.py.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import socket
import threading
from pathlib import Path

import pytest

import hostile_class
from grading_support import (BIN, EXERCISES, GRADING_WRITES, ROOT, RoundTrip, grading, leaked, nbgrader, page_text,
                             processes_mentioning, scratch_folder, secret_lines)

ASSIGNMENT = "a1_dosing"
REPO_SECRET = "REPO-SECRET-5f2a"
HOME_SECRET = "HOME-SECRET-9c1d"
TEST_LIMITS = ("\n# hostile-class test: short limits, so that the slow submissions cost seconds\n"
               "c.ExecutePreprocessor.timeout = 5\nc.SandboxExecute.interrupt_grace = 1\nc.SandboxExecute.notebook_timeout = 90\n")


def digest(folder: Path, skip=GRADING_WRITES) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not skip.search(path.relative_to(folder).as_posix())}


class Listener:
    """TCP (all interfaces) and abstract-Unix listeners that count every connection made to them."""

    def __init__(self):
        self.connections = []
        self.tcp = socket.socket()
        self.tcp.bind(("0.0.0.0", 0))
        self.tcp.listen(16)
        self.port = self.tcp.getsockname()[1]
        self.abstract = f"\0grading-hostile-{os.getpid()}-{os.urandom(4).hex()}"
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(self.abstract)
        self.unix.listen(16)
        for sock in (self.tcp, self.unix):
            threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, sock):
        while True:
            try:
                connection, address = sock.accept()
            except OSError:
                return
            self.connections.append(address or "unix")
            connection.close()

    def close(self):
        self.tcp.close()
        self.unix.close()


def build_place(base: Path) -> dict:
    repo, home = base / "repo", base / "home"
    (repo / ".git").mkdir(parents=True)
    (repo / "NOTES-SECRET.txt").write_text(f"{REPO_SECRET}: the instructor's private notes\n")
    home.mkdir()
    (home / "HOME-SECRET.txt").write_text(f"{HOME_SECRET}: the instructor's token\n")
    course = repo / "exercises"
    course.mkdir()
    shutil.copytree(EXERCISES / "source", course / "source")
    (course / "nbgrader_config.py").write_text((EXERCISES / "nbgrader_config.py").read_text() + TEST_LIMITS)
    return {"base": base, "repo": repo, "home": home, "course": course, "released": base / "released"}


def release(place: dict) -> None:
    for assignment in (ASSIGNMENT, "a4_critique_claim"):
        result = nbgrader(place["course"], "generate_assignment", assignment, "--force", limit=90)
        assert result.returncode == 0, f"generate_assignment {assignment}: {result.stderr[-2000:]}"
    # A clean copy of the released course for the driver's own tests (their own submissions, the real config).
    shutil.copytree(place["course"], place["released"], ignore=shutil.ignore_patterns("nbgrader_config.py", "*.log"))
    shutil.copy(EXERCISES / "nbgrader_config.py", place["released"] / "nbgrader_config.py")


def submit(place: dict) -> dict:
    course = place["course"]
    released = json.loads((course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    listener = Listener()
    place["listener"] = listener
    students = hostile_class.make_class(released, course=str(course), repo=str(place["repo"]), home=str(place["home"]),
                                        port=listener.port, host_ip=socket.gethostbyname(socket.gethostname()),
                                        abstract=listener.abstract, real_repo=str(ROOT))
    for student, item in students.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        content = item["content"]
        (folder / item["file"]).write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    place["before"] = digest(course)
    place["repo_before"] = digest(place["repo"], skip=re.compile(r"^exercises/"))
    return students


def autograde(place: dict):
    env = {"HOME": str(place["home"]), "TMPDIR": str(place["scratch"])}
    result = grading(place["course"], "autograde", ASSIGNMENT, "--submission-timeout", "120", limit=420, **env)
    place["listener"].close()
    assert result.returncode in (0, 1), f"exit {result.returncode}: {result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    with scratch_folder() as scratch:  # the driver's temporary folders: every process it starts names this path
        yield {**build_place(tmp_path_factory.mktemp("hostile")), "scratch": scratch}


@pytest.fixture(scope="module")
def trip(place):
    trip = RoundTrip()
    env = {"HOME": str(place["home"]), "TMPDIR": str(place["scratch"])}
    trip.add("release", 150, lambda: release(place))
    trip.add("submit", 30, lambda: submit(place))
    trip.add("autograde", 420, lambda: autograde(place))
    trip.add("export", 60, lambda: nbgrader(place["course"], "export", limit=60))
    trip.add("feedback", 120, lambda: grading(place["course"], "feedback", ASSIGNMENT, limit=120, **env))
    trip.add("report", 60, lambda: grading(place["course"], "report", ASSIGNMENT, limit=60, **env))
    return trip


pytestmark = pytest.mark.timeout(1200)  # a backstop only: each step has its own limit


@pytest.fixture(scope="module")
def graded(place, trip):
    """Everything the hostile class's tests look at, once the round trip has run."""
    students = trip.need("submit")
    results = {name: trip.need(name) for name in ("autograde", "export", "feedback", "report")}
    return {**place, **results, "students": students, "connections": list(place["listener"].connections),
            "leftovers": processes_mentioning(str(place["scratch"])) + processes_mentioning(str(place["course"])),
            "secrets": secret_lines(place["course"] / "source") + [REPO_SECRET, HOME_SECRET]}


def grades(course: Path) -> dict[str, float]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(handle) if row["assignment"] == ASSIGNMENT}


def outputs(course: Path, student: str) -> str:
    """Everything a student's autograded notebook printed (not its sources, which name what it tried)."""
    notebook = json.loads((course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    return json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])


def reasons(course: Path) -> dict[str, str]:
    data = json.loads((course / "grading_reports" / f"{ASSIGNMENT}.json").read_text())
    return {item["student"]: item["reason"] for item in data["submissions"]}


# --------------------------------------------------------------------------- each step, with its own time limit


@pytest.mark.parametrize("step", ["release", "submit", "autograde", "export", "feedback", "report"])
def test_step(trip, step):
    """One test per step: a slow machine gives one failure that names the step and its duration."""
    print(trip.check(step))


# --------------------------------------------------------------------------- the hostile class


def test_the_batch_completes_and_every_student_is_in_the_export(graded):
    assert graded["autograde"].returncode == 1, graded["autograde"].stderr[-3000:]  # 1: some need a look
    assert graded["export"].returncode == 0, graded["export"].stderr[-2000:]
    assert set(grades(graded["course"])) == set(graded["students"])
    assert set(reasons(graded["course"])) == set(graded["students"])


def test_honest_submissions_get_exactly_their_marks(graded):
    scores, found = grades(graded["course"]), reasons(graded["course"])
    assert (scores["zq_full"], scores["zq_partial"], scores["zq_blank"]) == (10, 7, 0)
    assert all(found[student] == "graded" for student in ("zq_full", "zq_partial", "zq_blank"))


def test_each_broken_or_hostile_submission_gets_its_marks_and_the_right_reason(graded):
    scores, found = grades(graded["course"]), reasons(graded["course"])
    wrong = {student: {"score": scores[student], "expected": item["score"], "reason": found[student], "expected reason": item["reason"]}
             for student, item in graded["students"].items()
             if scores[student] != item["score"] or not found[student].startswith(item["reason"])}
    assert not wrong, wrong


def test_no_secret_reaches_an_autograded_notebook_or_a_feedback_file(graded):
    course, students = graded["course"], graded["students"]
    secrets = graded["secrets"]
    assert len(secrets) > 20  # hidden tests, solutions and mark schemes of every assignment, and the two secret files
    problems = []
    for student in students:
        others = [s for s in students if s != student]
        other_answers = [students[s]["marker"] for s in others if students[s]["marker"]]
        files = [*(course / "autograded" / student).rglob("*"), *(course / "feedback" / student).rglob("*")]
        for path in (p for p in files if p.is_file()):
            text = shown = path.read_text(errors="replace")
            if path.suffix == ".ipynb":
                # nbgrader puts this assignment's hidden tests back into the instructor's copy (test cell sources,
                # by design): those sources are not searched. A submission's own cells may name other students
                # (an attacker knows a victim's id): for other students' ids and answers only outputs are searched.
                notebook = json.loads(text)
                for cell in notebook["cells"]:
                    meta = cell.get("metadata", {}).get("nbgrader", {})
                    if meta.get("grade") and not meta.get("solution"):
                        cell["source"] = ""
                    if student == "zx_leaker" and "LEAK" in "".join(cell["source"]):
                        cell["outputs"] = []  # it printed its own hidden tests: in the instructor's copy only
                text = json.dumps(notebook)
                shown = json.dumps([cell.get("outputs", []) for cell in notebook["cells"]])
            elif path.suffix == ".html":
                text = shown = page_text(text)
            problems += [f"{path.relative_to(course)}: {secret[:60]}" for secret in leaked(text, secrets)]
            own = json.dumps(students[student]["content"]) if isinstance(students[student]["content"], dict) else ""
            victims = other_answers + [s for s in others if s not in own]  # an attacker may name its victim
            problems += [f"{path.relative_to(course)}: {secret[:60]}" for secret in victims if secret in shown]
    assert not problems, problems[:20]


def test_feedback_is_private_and_small(graded):
    assert graded["feedback"].returncode == 0, graded["feedback"].stdout + graded["feedback"].stderr[-2000:]
    course = graded["course"]
    pages = sorted((course / "feedback").rglob("*.html"))
    assert len(pages) == len(graded["students"])
    hidden = secret_lines(course / "source", kinds=("HIDDEN TESTS", "MARK SCHEME"), min_length=6)
    for page in pages:
        text = page.read_text()
        shown = page_text(text)
        assert "BEGIN HIDDEN TESTS" not in shown and "BEGIN MARK SCHEME" not in shown, page
        assert not leaked(shown, hidden), (page, leaked(shown, hidden))
        assert page.stat().st_size < 2 * 1024 * 1024, page  # 50 MiB of output do not reach feedback
    assert "output truncated by the grader" in (course / "feedback" / "zx_flood" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "a hidden test failed" in (course / "feedback" / "zq_partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()


def test_the_course_folder_is_unchanged_except_what_grading_writes(graded):
    after = digest(graded["course"])
    changed = sorted(k for k in set(after) | set(graded["before"]) if after.get(k) != graded["before"].get(k))
    assert not changed, changed
    assert digest(graded["repo"], skip=re.compile(r"^exercises/")) == graded["repo_before"]
    vandalised = (graded["course"] / "autograded" / "zq_blank" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "INJECTED BY VANDAL" not in vandalised
    assert not list(graded["course"].rglob("VANDAL*"))


def test_no_network_connection_succeeded(graded):
    assert graded["connections"] == []
    printed = outputs(graded["course"], "zx_network")
    assert "net: refused" in printed and "NETWORK CONNECTED" not in printed


def test_the_spy_saw_nothing_the_vandal_wrote_nothing_and_the_killer_stopped_nothing(graded):
    assert "spy found 0 files" in outputs(graded["course"], "zx_spy")
    assert "killer: sent" in outputs(graded["course"], "zx_killer")  # it tried; it was alone in its PID namespace
    vandal = outputs(graded["course"], "zx_vandal")
    assert "VANDAL WROTE" not in vandal and "vandal: refused" in vandal


def test_no_process_is_left_running(graded):
    assert graded["leftovers"] == [], graded["leftovers"]


def test_a_submissions_html_cannot_run_in_a_browser(graded):
    """Outputs and markdown are the author's HTML: the formgrader and the feedback pages must not run its scripts."""
    course = graded["course"]
    notebook = json.loads((course / "autograded" / "zx_script" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    shown = json.dumps([[cell["source"] for cell in notebook["cells"] if cell["cell_type"] == "markdown"],
                        [cell.get("outputs", []) for cell in notebook["cells"]]])
    assert "XSS-OUTPUT" in shown and "XSS-MARKDOWN" in shown  # kept, as text the instructor can read
    assert "<script" not in shown and "onerror" not in shown and "application/javascript" not in shown
    scripts = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
    template = set(scripts.findall((course / "feedback" / "zq_full" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()))
    for page in sorted((course / "feedback").rglob("*.html")):
        text = page.read_text()  # a submission's markup appears escaped (&lt;script&gt;), never as a tag
        assert set(scripts.findall(text)) <= template, (page, set(scripts.findall(text)) - template)
        assert not re.search(r"<[a-zA-Z][^<>]*\son\w+\s*=", text), page  # no event-handler attribute in any tag
    assert "&lt;script&gt;alert('XSS-MARKDOWN')" in (course / "feedback" / "zx_script" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()


def test_the_report_cannot_be_rewritten_by_what_a_notebook_prints(graded):
    """An error message with new lines and terminal escapes stays on its student's line, escaped."""
    for output in (graded["report"].stdout, graded["autograde"].stdout):
        assert "\x1b" not in output and "\r" not in output
        lines = output.splitlines()[1:]
        assert sorted(line.split(":")[0] for line in lines) == sorted(graded["students"]), lines
    line = next(line for line in graded["report"].stdout.splitlines() if line.startswith("zx_injector:"))
    assert "\\x1b[2K" in line and "\\x0a" in line


def test_the_report_names_each_problem_and_exits_nonzero(graded):
    report = graded["report"]
    assert report.returncode == 1, report.stderr
    for student, item in graded["students"].items():
        assert re.search(rf"^{student}: {re.escape(item['reason'])}", report.stdout, re.MULTILINE), (student, report.stdout)


# --------------------------------------------------------------------------- the driver on its own


def course_for(place: dict, trip: RoundTrip, target: Path, submissions: dict[str, dict]) -> Path:
    """A copy of the released course (the course's own nbgrader_config.py) with these students' a1 answers."""
    trip.need("release")
    shutil.copytree(place["released"], target)
    released = json.loads((target / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    for student, answers in submissions.items():
        folder = target / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(hostile_class.answered(released, answers, f"marker-{student}")))
    return target


def no_bwrap_path(tmp_path: Path) -> str:
    """A PATH with the course's tools and the basics, but no bubblewrap."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("ps", "unshare"):
        if shutil.which(name):
            (tools / name).symlink_to(shutil.which(name))
    return f"{BIN}{os.pathsep}{tools}"


def test_grading_refuses_when_no_sandbox_can_start(place, trip, tmp_path):
    course = course_for(place, trip, tmp_path / "exercises", {"honest": hostile_class.RIGHT})
    result = grading(course, "autograde", ASSIGNMENT, limit=120, path=no_bwrap_path(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to run students' code" in result.stderr and "bwrap is not installed" in result.stderr
    assert "--unsandboxed" in result.stderr
    assert not (course / "autograded").exists()


def test_unsandboxed_grading_is_explicit_and_really_unprotected(place, trip, tmp_path):
    """The positive control: without the sandbox the same attacks find secrets and reach the network."""
    listener = Listener()
    spy = hostile_class.spy(str(tmp_path / "exercises"), str(tmp_path / "exercises"), str(tmp_path), everywhere=False)
    attack = hostile_class.RIGHT["a1_q1_answer"] + hostile_class.network(listener.port, "127.0.0.1", listener.abstract) + spy
    course = course_for(place, trip, tmp_path / "exercises", {"attacker": {**hostile_class.RIGHT, "a1_q1_answer": attack}})
    result = grading(course, "autograde", ASSIGNMENT, "--unsandboxed", limit=180, path=no_bwrap_path(tmp_path))
    listener.close()
    assert result.returncode in (0, 1), result.stdout + result.stderr[-3000:]
    assert "UNSANDBOXED" in result.stderr and "UNSANDBOXED" in result.stdout
    printed = outputs(course, "attacker")
    assert "BEGIN HIDDEN TESTS" in printed and "MARK SCHEME" in printed  # a4's mark scheme, from source/ and the gradebook
    assert "NETWORK CONNECTED" in printed and listener.connections


def test_a_grading_process_stopped_at_its_limit_ends_only_its_own_grading(place, trip, tmp_path):
    stuck = {**hostile_class.RIGHT, "a1_q2_answer": "import time\ntime.sleep(600)"}  # graded first; the cell limit is 30 s
    course = course_for(place, trip, tmp_path / "exercises", {"a_stuck": stuck, "b_honest": hostile_class.RIGHT})
    with scratch_folder() as scratch:
        result = grading(course, "autograde", ASSIGNMENT, "--submission-timeout", "12", limit=180, TMPDIR=str(scratch))
        leftovers = processes_mentioning(str(scratch)) + processes_mentioning(str(course))
        leftovers += [str(path) for path in scratch.iterdir()]  # the killed grading's sandbox folders are removed too
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "a_stuck: time limit" in result.stdout and "the whole submission stopped after 12 s" in result.stdout
    assert nbgrader(course, "export", limit=60).returncode == 0
    assert (grades(course)["a_stuck"], grades(course)["b_honest"]) == (0.0, 10.0)
    assert leftovers == []
