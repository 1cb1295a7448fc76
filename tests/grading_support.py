"""What the grading tests share: running the instructor's commands with a time limit each, a round trip made of
named steps (one clear failure naming the step and how long it ran, the steps after it skipped), and the texts
that must never reach a student (hidden tests, mark schemes, solutions), found in the source notebooks.
"""

from __future__ import annotations

import contextlib
import copy
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
BIN = Path(sys.executable).parent
# What grading is meant to write in the course folder; everything else must stay byte-identical.
GRADING_WRITES = re.compile(r"^(autograded|feedback|grading_reports)/|^(gradebook\.db.*|grades\.csv|\.nbgrader\.log)$")


class StepTimeout(Exception):
    """A command ran past its step's time limit and was stopped (with everything it started)."""


def run_tool(command: list[str | Path], cwd: Path, limit: float, path: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run one of the instructor's commands with the course's tools on PATH (or ``path``), no stdin (as in CI), in a
    session of its own: at ``limit`` seconds the whole session (grading processes, sandboxes) is killed and
    StepTimeout raised."""
    environment = dict(os.environ, PATH=path or f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # nbgrader runs `alembic`
                       PYDEVD_DISABLE_FILE_VALIDATION="1", **env)
    process = subprocess.Popen([str(part) for part in command], cwd=cwd, env=environment, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        raise StepTimeout(" ".join(map(str, command[:4]))) from None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def nbgrader(course: Path, *args: str, limit: float = 120) -> subprocess.CompletedProcess:
    return run_tool([BIN / "nbgrader", *args], course, limit)


def grading(course: Path, *args: str, limit: float = 300, path: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """The sandboxed grading driver, as ``python3 course.py nbgrader autograde|feedback|nbgrader-report`` runs it."""
    return run_tool([sys.executable, "-m", "isotretinoin_course.grading", *args, "--course", course], course, limit, path, **env)


@dataclass
class Step:
    name: str
    limit: float  # seconds
    action: Callable[[], object]
    seconds: float | None = None
    result: object = None
    failure: str | None = None


@dataclass
class RoundTrip:
    """Named steps run in order, each once, each with its own time limit.

    ``need(name)`` runs the steps up to ``name`` (those not yet run) and returns its result. When a step fails or
    runs past its limit, it is recorded with the time it took and every test that needs it or a later step is
    skipped, pointing at the one test that fails: ``check(name)``, called by one test per step.
    """

    steps: list[Step] = field(default_factory=list)

    def add(self, name: str, limit: float, action: Callable[[], object]) -> None:
        self.steps.append(Step(name, limit, action))

    def _run(self, step: Step) -> None:
        start = time.monotonic()
        try:
            step.result = step.action()
        except StepTimeout as error:
            step.failure = f"did not finish within its limit of {step.limit:.0f} s ({error} was stopped)"
        except AssertionError as error:
            step.failure = f"failed: {error}"
        step.seconds = time.monotonic() - start
        if step.failure is None and step.seconds > step.limit:
            step.failure = f"finished, but past its limit of {step.limit:.0f} s"

    def _upto(self, name: str) -> Step | None:
        """Run what is needed for ``name``; return the first failed step on the way, if any."""
        for step in self.steps:
            if step.seconds is None:
                self._run(step)
            if step.failure:
                return step
            if step.name == name:
                return None
        raise KeyError(name)

    def need(self, name: str) -> object:
        failed = self._upto(name)
        if failed is not None:
            pytest.skip(f"the grading step '{failed.name}' failed (see its test_step[{failed.name}])")
        return next(step for step in self.steps if step.name == name).result

    def check(self, name: str) -> str:
        """For the one test of step ``name``: fails with the step's name and duration if it failed."""
        failed = self._upto(name)
        if failed is not None and failed.name != name:
            pytest.skip(f"not run: the earlier step '{failed.name}' failed")
        step = next(step for step in self.steps if step.name == name)
        if failed is not None:
            pytest.fail(f"grading step '{name}' {failed.failure}, after {step.seconds:.1f} s", pytrace=False)
        return f"{name}: {step.seconds:.1f} s (limit {step.limit:.0f} s)"

    @property
    def total_limit(self) -> float:
        return sum(step.limit for step in self.steps)


# ----------------------------------------------------------------------------- notebooks


def source_text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell.get("source"), list) else cell.get("source", "")


def solved_copy(release: dict, source: dict) -> dict:
    """The released notebook with each solution cell answered as the source does (without the markers)."""
    answers = {meta_id: source_text(cell) for cell in source["cells"]
               for meta_id in [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")] if meta_id}
    solved = copy.deepcopy(release)
    for cell in solved["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta["grade_id"] in answers:
            cell["source"] = re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*\n?", "", answers[meta["grade_id"]], flags=re.MULTILINE).strip()
    return solved


def secret_lines(source: Path, kinds: tuple[str, ...] = ("HIDDEN TESTS", "SOLUTION", "MARK SCHEME"),
                 assignments: tuple[str, ...] | None = None, min_length: int = 10) -> list[str]:
    """Every line of the hidden tests / solutions / mark schemes of the course's assignments (long enough to be specific)."""
    begin = re.compile(r"BEGIN (" + "|".join(kinds) + ")")
    end = re.compile(r"END (" + "|".join(kinds) + ")")
    found = []
    for notebook in sorted(source.glob("*/*.ipynb")):
        if assignments is not None and notebook.parent.name not in assignments:
            continue
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            inside = False
            for line in source_text(cell).split("\n"):
                if begin.search(line):
                    inside = True
                elif end.search(line):
                    inside = False
                elif inside and len(line.strip()) >= min_length:
                    found.append(line.strip())
    return sorted(set(found))


def normalise(text: str) -> str:
    """White space collapsed; markdown's emphasis and code marks dropped (a rendered page shows neither)."""
    return re.sub(r"\s+", " ", re.sub(r"[*`]", "", text)).strip()


def page_text(page: str) -> str:
    """What a browser shows of an HTML feedback page: without tags (code is split into highlighted spans),
    scripts and styles, entities decoded, white space collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return normalise(html.unescape(re.sub(r"<[^>]+>", "", page)))


def leaked(text: str, secrets: list[str]) -> list[str]:
    """The secrets that appear in ``text``, compared as a page shows them: white space collapsed, without markdown's
    list and heading marks and emphasis (a mark-scheme line "- 3 points: ..." is shown as "3 points: ...")."""
    flat = normalise(text)
    return [secret for secret in secrets if normalise(re.sub(r"^\s*(?:[-+*]|\d+[.)]|#+)\s+", "", secret)) in flat]


# ----------------------------------------------------------------------------- processes


@contextlib.contextmanager
def scratch_folder():
    """A short, private temporary folder for the driver ($TMPDIR): every process it starts names this path, and it is
    short enough for the kernels' Unix sockets below it (pytest's own folders can be too long)."""
    folder = Path(tempfile.mkdtemp(prefix="gt-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def processes_mentioning(marker: str) -> list[str]:
    """Running processes (not zombies) whose command line mentions ``marker`` (a test's private temporary folder)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        if marker in command and stat[stat.rindex(")") + 2] != "Z":
            found.append(f"{entry.name}: {command[:200]}")
    return found
