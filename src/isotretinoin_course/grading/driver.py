"""Grade a class so that no submission can stop, slow down or corrupt the grading of another.

    python -m isotretinoin_course.grading autograde ASSIGNMENT... --course DIR [--student ID ...] [--unsandboxed]
    python -m isotretinoin_course.grading feedback ASSIGNMENT... --course DIR [--reveal-hidden-tests]
    python -m isotretinoin_course.grading report ASSIGNMENT... --course DIR
    python -m isotretinoin_course.grading check --course DIR

Several assignments are handled one after the other in one start of the grader, once every name is known to be a
folder of ``source/`` (otherwise nothing is done); the exit status is the worst of theirs, and a refusal (2) stops
``autograde`` and ``feedback`` there, naming what was not done.

(``python3 course.py nbgrader autograde``, ``feedback``, ``nbgrader-report`` and ``sandbox-check`` run
these with ``--course exercises``.)

``autograde``:

1. **Refuses** when no sandbox can start (bwrap missing, user namespaces
   refused, or a probe sandbox that can see the course or reach the grader's
   network), unless ``--unsandboxed`` says the code may run with your rights.
2. **Stages** each submission into a private folder outside the course: only
   plain files (no links), a notebook that is really a notebook, and - when the
   expected notebook is missing and exactly one other notebook is there - that
   notebook under the expected name ("file renamed"). nbgrader reads the staged
   copy (``CourseDirectory.submitted_directory``); ``submitted/`` is only read.
3. **Grades each student in a process of its own** (forked from this one, with
   nbgrader already imported, in its own process group) with a wall-clock
   limit. Whatever happens in there - a crash, a kill, a timeout, memory
   exhaustion - the process group and every process below it is killed at the
   end, the next student is graded, and a student whose grading failed is
   entered with zero so that everyone appears in the gradebook and in
   ``nbgrader export``.
4. Writes ``grading_reports/ASSIGNMENT.json`` (and one log per student; a run
   with ``--student`` keeps everyone else's entry from the last run) and prints
   one reason per submission; exits 1 when any submission needs a look, 2 when
   grading was refused (no sandbox, or a ``--student`` with no submission).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from . import report
from .sandbox import SandboxUnavailable, probe, protected_folders

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_STAGED_BYTES = 50 * 1024 * 1024
PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
REPORTS = "grading_reports"


# ---------------------------------------------------------------------- processes


def _become_subreaper() -> None:
    """Orphans of a killed grading process become our children, so the sweep finds them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _die_with_parent(parent: int) -> None:
    """In a grading process: if the driver is killed (by a time limit around it), stop too, so that the
    launchers and sandboxes below, which die with their parent, stop with it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _descendants(pid: int) -> list[int]:
    from .execute import _descendants as below

    return below(pid)


def sweep() -> int:
    """Kill every process below this one (grading processes, launchers, bwrap, kernels) and reap them."""
    killed = 0
    for _ in range(20):
        pids = _descendants(os.getpid())
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.05)
        _reap()
    _reap()
    return killed


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def run_isolated(target, log_path: Path, limit: float) -> tuple[int | None, float, str]:
    """Run ``target()`` in a forked process of its own group; kill it (and all below) after ``limit`` seconds.

    Returns (exit status or None when killed at the limit, seconds, how it ended).
    """
    start = time.monotonic()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _die_with_parent(parent)
            os.setpgid(0, 0)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
            code = target() or 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    status, how = None, ""
    while True:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFEXITED(raw):
                status, how = os.WEXITSTATUS(raw), f"exit status {os.WEXITSTATUS(raw)}"
            else:
                status, how = 128 + os.WTERMSIG(raw), f"killed by {signal.Signals(os.WTERMSIG(raw)).name}"
            break
        if time.monotonic() - start > limit:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            how = f"stopped after {limit:.0f} s"
            break
        time.sleep(0.05)
    sweep()
    return status, time.monotonic() - start, how


def nbgrader_app(app_class, argv: list[str], overrides) -> int:
    """Run an nbgrader app in this process with ``overrides`` on top of the course's nbgrader_config.py."""
    app = app_class.instance()
    app.initialize(argv)
    app.update_config(overrides)
    app.start()
    return 0


# ---------------------------------------------------------------------- staging


def _is_notebook(path: Path) -> str:
    """'' if ``path`` is a notebook nbgrader can read, else why not."""
    try:
        if path.is_symlink() or not path.is_file():
            return "not a regular file"
        size = path.stat().st_size
        if size == 0:
            return "empty file"
        if size > MAX_NOTEBOOK_BYTES:
            return f"larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return "not text"
    except ValueError as error:
        return f"not JSON ({str(error)[:60]})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or data.get("nbformat") != 4:
        return "JSON, but not an nbformat 4 notebook"
    import nbformat

    try:
        nbformat.validate(nbformat.from_dict(data))
    except Exception as error:  # nbformat raises several kinds
        return f"not a valid notebook ({str(error).splitlines()[0][:80]})"
    return ""


def stage(course: Path, assignment: str, student: str, expected: list[str], target: Path) -> list[report.Finding]:
    """Copy what nbgrader may read of one submission into ``target``; return what the copy had to change."""
    findings: list[report.Finding] = []
    folder = course / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    if folder.is_symlink() or not folder.is_dir():
        for name in expected:
            _stage_blank(course, assignment, name, target)
        return [report.Finding("not a notebook", detail=f"nothing handed in for {assignment} (no {assignment} folder); "
                                                        "graded as the blank release")]
    entries = sorted(folder.iterdir())
    budget = MAX_STAGED_BYTES
    for entry in entries:
        if entry.is_symlink() or not entry.is_file() or entry.suffix == ".ipynb":
            continue
        size = entry.stat().st_size
        if size <= budget:
            budget -= size
            shutil.copyfile(entry, target / entry.name)
    present = {entry.name for entry in entries if entry.suffix == ".ipynb"}
    for name in expected:
        path = folder / name
        if name in present:
            why = _is_notebook(path)
            if why:
                findings.append(report.Finding("not a notebook", detail=f"{name}: {why}; graded as the blank release"))
                _stage_blank(course, assignment, name, target)
            else:
                shutil.copyfile(path, target / name)
            continue
        others = [folder / other for other in sorted(present - set(expected))]
        readable = [path for path in others if not _is_notebook(path)]
        if len(expected) == 1 and len(readable) == 1:
            shutil.copyfile(readable[0], target / name)
            findings.append(report.Finding("file renamed", detail=f"{readable[0].name} was graded as {name}"))
        elif readable:
            findings.append(report.Finding("file renamed", detail=f"{name} is missing and {len(readable)} other notebooks "
                                                                  "were handed in; none was graded"))
        else:
            handed = ", ".join(entry.name for entry in entries[:5]) or "nothing"
            findings.append(report.Finding("not a notebook", detail=f"{name} is missing (handed in: {handed}); "
                                                                    "graded as the blank release"))
        if not (target / name).exists():
            _stage_blank(course, assignment, name, target)
    return findings


def _stage_blank(course: Path, assignment: str, name: str, target: Path) -> None:
    """Stand the blank release in for a missing or unreadable notebook: the student is graded (zero) and so
    appears in the gradebook and the export, like everyone else."""
    release = course / "release" / assignment / name
    if release.is_file():
        shutil.copyfile(release, target / name)


def edited_locked_cells(course: Path, assignment: str, staged: Path, expected: list[str]) -> list[report.Finding]:
    """Locked cells (instructions, tests) changed or deleted, compared with the release."""
    findings = []
    for name in expected:
        release, submitted = course / "release" / assignment / name, staged / name
        if not release.exists() or not submitted.exists():
            continue
        try:
            released = json.loads(release.read_text(encoding="utf-8"))["cells"]
            handed = json.loads(submitted.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        text = lambda cell: "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else cell.get("source", "")
        by_id = {}
        for cell in handed:
            grade_id = (cell.get("metadata") or {}).get("nbgrader", {}).get("grade_id") if isinstance(cell, dict) else None
            if grade_id:
                by_id.setdefault(grade_id, cell)
        for cell in released:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("locked"):
                continue
            mine = by_id.get(meta.get("grade_id"))
            if mine is None:
                findings.append(report.Finding("locked cell edited or deleted", f"cell {meta.get('grade_id')}",
                                               "deleted" + (" (its points were lost)" if meta.get("points") else "")))
            elif text(mine) != text(cell):
                findings.append(report.Finding("locked cell edited or deleted", f"cell {meta.get('grade_id')}",
                                               "edited; the original was graded"))
    return findings


# ---------------------------------------------------------------------- commands


def _expose(extra: list[str]) -> list[str]:
    """The course's package and datasets (config.course_folders) and any folder named with --expose."""
    from .config import course_folders

    return list(dict.fromkeys([*course_folders(), *extra]))


def autograde(course: Path, assignment: str, students: list[str], unsandboxed: bool, expose: list[str],
              submission_timeout: float) -> int:
    from .config import settings

    os.chdir(course)
    submitted = course / "submitted"
    everyone = sorted(path.name for path in submitted.iterdir() if path.is_dir() and not path.is_symlink()) if submitted.is_dir() else []
    unknown = [s for s in students if s not in everyone]
    if unknown:
        print(f"grading: {assignment}: no submission from {', '.join(map(repr, unknown))} in submitted/ "
              f"(students there: {', '.join(everyone) or 'none'}); nothing was graded and the report is unchanged", file=sys.stderr)
        return 2
    expose = _expose(expose)
    if unsandboxed:
        sandbox_note = "UNSANDBOXED: students' code ran with the grader's files, rights and network"
        print(f"WARNING: {sandbox_note} (--unsandboxed)", file=sys.stderr)
    else:
        try:
            sandbox_note = probe(protected_folders(course), expose)
        except SandboxUnavailable as error:
            print(f"grading: {error}", file=sys.stderr)
            return 2
    print(sandbox_note, file=sys.stderr, flush=True)
    _become_subreaper()
    from nbgrader.apps.autogradeapp import AutogradeApp

    overrides = settings(unsandboxed=unsandboxed, expose=expose)
    source = course / "source" / assignment
    expected = sorted(path.name for path in source.glob("*.ipynb"))
    if not expected:
        print(f"grading: no notebook in {source}", file=sys.stderr)
        return 2
    chosen = [s for s in everyone if not students or s in students]
    logs = course / REPORTS / assignment
    entries: list[report.Entry] = []
    with tempfile.TemporaryDirectory(prefix="sg-", dir=_short_temporary_folder()) as scratch:
        scratch_path = Path(scratch)
        for student in chosen:
            entry = report.Entry(student)
            entries.append(entry)
            if not STUDENT_ID.match(student):
                entry.findings.append(report.Finding("not a notebook", detail="the folder name is not a valid student id; not graded"))
                continue
            staged_root = scratch_path / "stage" / student
            staged = staged_root / student / assignment
            entry.findings += stage(course, assignment, student, expected, staged)
            entry.findings += edited_locked_cells(course, assignment, staged, expected)
            events_path = scratch_path / f"{student}.events.jsonl"
            argv = [assignment, f"--student={student}", "--create", "--force",
                    f"--CourseDirectory.submitted_directory={staged_root}"]

            def grade(argv=argv, events_path=events_path):
                os.environ["SANDBOX_GRADING_EVENTS"] = str(events_path)
                # Kernels' private folders go into our scratch folder: removed at the end even when this
                # process is killed before its kernel managers could clean up.
                tempfile.tempdir = str(scratch_path)
                return nbgrader_app(AutogradeApp, argv, overrides)

            status, seconds, how = run_isolated(grade, logs / f"{student}.log", submission_timeout)
            entry.seconds = round(seconds, 2)
            events = _read_events(events_path)
            entry.findings += report.findings_from_events(events)
            if status != 0:
                running = next((e for e in reversed(events) if e["kind"] not in ("start", "finish")), None)
                if status is None:
                    entry.findings.append(report.Finding("time limit", report.where(running) if running else "",
                                                         f"the whole submission {how}"))
                else:
                    entry.findings.append(report.Finding("grading failed", detail=f"the grading process ended ({how}); "
                                                         f"see {REPORTS}/{assignment}/{student}.log"))
                # Whatever the gradebook holds for them is uncertain: enter the student with the blank release
                # (zero), so that everyone is in the gradebook and the export, and the report says why.
                empty_root = scratch_path / "empty" / student
                (empty_root / student / assignment).mkdir(parents=True, exist_ok=True)
                for name in expected:
                    _stage_blank(course, assignment, name, empty_root / student / assignment)
                fallback = [assignment, f"--student={student}", "--create", "--force",
                            f"--CourseDirectory.submitted_directory={empty_root}"]
                run_isolated(lambda: nbgrader_app(AutogradeApp, fallback, overrides), logs / f"{student}.fallback.log", 120)
            print(f"{assignment}: {entry.line()}", file=sys.stderr, flush=True)
    _fill_scores(course, assignment, entries)
    header = {"sandbox": sandbox_note}
    path = course / REPORTS / f"{assignment}.json"
    if students and path.exists():  # a re-grade of some students: everyone else keeps their entry from the last run
        entries, header = with_last_run(path, entries, header)
    report.write(path, assignment, entries, header)
    print(report.render(assignment, entries, header))
    return 1 if any(entry.needs_look for entry in entries) else 0


def with_last_run(path: Path, entries: list[report.Entry], header: dict) -> tuple[list[report.Entry], dict]:
    """After re-grading some students: their new entries plus everyone else's from the report at ``path``, and a header
    that says how each group was graded when the two runs differed (an UNSANDBOXED run named first)."""
    regraded = {entry.student for entry in entries}
    last_header, last_entries = report.read(path)
    kept = [entry for entry in last_entries if entry.student not in regraded]
    last_note, note = last_header.get("sandbox", ""), header.get("sandbox", "")
    if kept and last_note and last_note != note:
        header = {**header, "sandbox": f"{last_note}; re-graded now: {note}" if last_note.startswith("UNSANDBOXED")
                  else f"{note}; kept from the last run: {last_note}"}
    return entries + kept, header


def _short_temporary_folder() -> str:
    """$TMPDIR, or /tmp when $TMPDIR is long: the kernels' Unix sockets go below the scratch folder, and a socket's
    path has at most 107 bytes. (A kernel manager used on its own falls back the same way, kernel.py.)"""
    folder = tempfile.gettempdir()
    return folder if len(folder) <= 40 else "/tmp"


def _read_events(path: Path) -> list[dict]:
    events = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return events


def _fill_scores(course: Path, assignment: str, entries: list[report.Entry]) -> None:
    try:
        from nbgrader.api import Gradebook, MissingEntry

        db_url = _course_db_url(course)
        with Gradebook(db_url) as gradebook:
            for entry in entries:
                try:
                    submission = gradebook.find_submission(assignment, entry.student)
                except MissingEntry:
                    continue
                entry.score, entry.max_score = submission.score, submission.max_score
    except Exception as error:  # the report is still useful without scores
        print(f"grading: could not read scores: {error}", file=sys.stderr)


def _course_db_url(course: Path) -> str:
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (course / "nbgrader_config.py").exists():
        loader = PyFileConfigLoader("nbgrader_config.py", path=str(course))
        cwd = os.getcwd()
        try:
            os.chdir(course)
            config = loader.load_config()
        finally:
            os.chdir(cwd)
    return config.CourseDirectory.get("db_url") or f"sqlite:///{course / 'gradebook.db'}"


def feedback(course: Path, assignment: str, students: list[str], submission_timeout: float,
             reveal_hidden_tests: bool = False) -> int:
    """Feedback for every autograded student: one isolated run for all; per student only if that run fails.

    Private (PrivateFeedback) unless ``reveal_hidden_tests``: the instructor's switch, e.g. after the deadline.
    """
    from .config import settings

    os.chdir(course)
    _become_subreaper()
    from nbgrader.apps.generatefeedbackapp import GenerateFeedbackApp

    overrides = settings(reveal_hidden_tests=True if reveal_hidden_tests else None)  # else: the course file decides
    autograded = course / "autograded"
    graded = sorted(path.parent.name for path in autograded.glob(f"*/{assignment}") if path.is_dir())
    unknown = [s for s in students if s not in graded]
    if unknown:
        print(f"grading: {assignment}: {', '.join(map(repr, unknown))} not autograded (autograded: {', '.join(graded) or 'nobody'}); "
              "no feedback was written", file=sys.stderr)
        return 2
    chosen = [s for s in graded if (not students or s in students) and STUDENT_ID.match(s)]
    logs = course / REPORTS / assignment
    pages = lambda student: list((course / "feedback" / student / assignment).glob("*.html"))
    for student in chosen:  # stale pages must not survive a failed run
        shutil.rmtree(course / "feedback" / student / assignment, ignore_errors=True)
    if not students:  # everyone in one isolated run (rendering runs no student code)
        run_isolated(lambda: nbgrader_app(GenerateFeedbackApp, [assignment, "--force"], overrides),
                     logs / "feedback.log", submission_timeout)
    failed = []
    for student in [s for s in chosen if not pages(s)]:
        argv = [assignment, f"--student={student}", "--force"]
        status, _, how = run_isolated(lambda argv=argv: nbgrader_app(GenerateFeedbackApp, argv, overrides),
                                      logs / f"{student}.feedback.log", min(submission_timeout, 120))
        if not pages(student):
            failed.append(f"{student}: feedback not generated ({how}); see {logs.name}/{student}.feedback.log")
    shown = "WITH the hidden tests and mark schemes (--reveal-hidden-tests)" if reveal_hidden_tests else \
        "through PrivateFeedback (nbgrader_config.py decides whether hidden tests are shown; by default not)"
    print("\n".join(failed) if failed else f"{assignment}: feedback generated for {len(chosen)} student(s), {shown}")
    return 1 if failed else 0


def show_report(course: Path, assignment: str) -> int:
    path = course / REPORTS / f"{assignment}.json"
    if not path.exists():
        print(f"grading: no report for {assignment}: autograde it first (`autograde {assignment}`)", file=sys.stderr)
        return 2
    header, entries = report.read(path)
    submitted = course / "submitted"
    graded = {entry.student for entry in entries}
    for folder in sorted(submitted.glob(f"*/{assignment}")) if submitted.is_dir() else []:
        if folder.parent.name not in graded:
            entries.append(report.Entry(folder.parent.name, [report.Finding("not graded yet", detail="handed in after the last grading run: "
                                                                            f"autograde {assignment} again")]))
    print(report.render(assignment, entries, header))
    return 1 if any(entry.needs_look for entry in entries) else 0


ASSIGNMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def assignment_names(course: Path, names: list[str]) -> list[str] | None:
    """The assignments asked for, each once and in order (a trailing slash, as a shell's completion adds, is dropped),
    when every one is an assignment of ``source/``; otherwise None, after saying which are not and what there is."""
    known = sorted(path.name for path in (course / "source").iterdir()
                   if path.is_dir() and not path.is_symlink() and any(path.glob("*.ipynb"))) if (course / "source").is_dir() else []
    asked = list(dict.fromkeys(name.rstrip("/") for name in names))
    wrong = [name for name in asked if not ASSIGNMENT_ID.match(name) or name not in known]
    if wrong:
        pattern = any(character in name for name in wrong for character in "*?[")
        print(f"grading: no assignment {', '.join(map(repr, wrong))} in {course / 'source'}; nothing was done. "
              f"Assignments there: {', '.join(known) or 'none'}"
              + (". Patterns are not taken here: name each assignment." if pattern else ""), file=sys.stderr)
        return None
    return asked


def each_assignment(course: Path, names: list[str], command, stop_at_refusal: bool = True) -> int:
    """Run ``command`` for each assignment in turn, once every name is known to be an assignment (else 2, nothing run).

    The exit status is the worst one: 1 when a submission needs a look, 2 when grading was refused. A refusal (no sandbox
    can start, a --student with no submission) stops the run there, as the next assignment would be refused too, unless
    ``stop_at_refusal`` is off (``report`` shows every report there is and names the missing ones).
    """
    assignments = assignment_names(course, names)
    if assignments is None:
        return 2
    worst, printed = 0, False
    for number, assignment in enumerate(assignments):
        if printed:
            print(flush=True)  # a blank line between two assignments' reports
        status = command(assignment)
        worst, printed = max(worst, status), status != 2  # a refusal prints its reason on stderr only
        if status == 2 and stop_at_refusal:
            rest = assignments[number + 1:]
            if rest:
                print(f"grading: stopped at {assignment}; not done: {', '.join(rest)}", file=sys.stderr)
            break
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m isotretinoin_course.grading", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    course_help = "the nbgrader course folder, with nbgrader_config.py (the repository's exercises/)"
    for name in ("autograde", "feedback", "report"):
        sub = commands.add_parser(name)
        sub.add_argument("assignments", nargs="+", metavar="assignment", help="one or more assignments, one after the other")
        sub.add_argument("--course", type=Path, required=True, help=course_help)
        if name != "report":
            sub.add_argument("--student", action="append", default=[], help="only this student (repeatable)")
            sub.add_argument("--submission-timeout", type=float, default=900,
                             help="seconds for one submission's whole grading before it is stopped (default 900)")
        if name == "autograde":
            sub.add_argument("--unsandboxed", action="store_true",
                             help="run students' code WITHOUT the sandbox, with your files, rights and network")
            sub.add_argument("--expose", action="append", default=[],
                             help="one more folder kernels may read, besides the course's package and datasets (repeatable)")
            for always in ("--create", "--force"):  # nbgrader's flags, accepted so its usual command line works
                sub.add_argument(always, action="store_true", help="always on (students are created, grading redone)")
        if name == "feedback":
            sub.add_argument("--reveal-hidden-tests", action="store_true",
                             help="show hidden tests and mark schemes in the feedback (e.g. after the deadline)")
    check = commands.add_parser("check", help="start a throw-away sandbox and check that it isolates")
    check.add_argument("--course", type=Path, required=True, help=course_help)
    options = parser.parse_args(argv)
    course = options.course.resolve()
    if not (course / "nbgrader_config.py").is_file():
        print(f"grading: {course} is not an nbgrader course folder (no nbgrader_config.py)", file=sys.stderr)
        return 2
    if options.command == "autograde":
        return each_assignment(course, options.assignments, lambda assignment: autograde(
            course, assignment, options.student, options.unsandboxed, options.expose, options.submission_timeout))
    if options.command == "feedback":
        return each_assignment(course, options.assignments, lambda assignment: feedback(
            course, assignment, options.student, options.submission_timeout, options.reveal_hidden_tests))
    if options.command == "report":
        return each_assignment(course, options.assignments, lambda assignment: show_report(course, assignment),
                               stop_at_refusal=False)
    try:
        print(probe(protected_folders(course), _expose([])))
        return 0
    except SandboxUnavailable as error:
        print(f"grading: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
