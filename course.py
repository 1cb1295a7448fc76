#!/usr/bin/env python3
"""Set up and run the isotretinoin teaching notebooks with nothing but Python (3.11 to 3.13) and pip.

    python3 course.py lab       install the student environment (.venv), open notebooks/00_start_here.ipynb in JupyterLab
    python3 course.py lab --instructor          the same from the instructors' environment (.venv-dev), with nbgrader's menus
    python3 course.py test      install the development environment (.venv-dev), run every test on 2 cores
    python3 course.py execute   re-execute every notebook in place from a fresh kernel (or the notebooks named)
    python3 course.py datasets  regenerate every synthetic dataset in datasets/ (seeded, byte-identical)
    python3 course.py readme    regenerate the README's lesson tables from the lesson manifest
    python3 course.py benchmark time what users wait for against its floors (--readme: put the table in the README)
    python3 course.py site      build the course website into build/site/ from the committed notebooks (no execution, offline)
    python3 course.py slides    build a reveal.js slide deck per lesson into build/slides/ (offline; the site links them too)
    python3 course.py nbgrader ARGS...          run nbgrader in exercises/ (instructor guide: exercises/README.md);
                                                `nbgrader autograde ASSIGNMENT...` grades in the sandbox, one student at a time
                                                (add --unsandboxed, only for code you trust, where no sandbox can start)
    python3 course.py nbgrader-report ASSIGNMENT...  one reason per submission after autograding; exit 1 when any needs a look
    python3 course.py feedback ASSIGNMENT...    the students' feedback, without hidden tests or mark schemes
                                                (--reveal-hidden-tests shows them, e.g. after the deadline)
    python3 course.py sandbox-check             start a throw-away grading sandbox and check that it isolates

Two environments, by audience. ``.venv`` has what a student needs: the notebooks' run-time packages and
JupyterLab (no nbgrader, pytest or playwright; no grading menus). ``.venv-dev`` has everything: the
instructors' nbgrader and the authors' and testers' tools. Both install the pinned versions of
``requirements/constraints.txt`` and the course package in editable mode.

``lab`` takes ``--no-browser``, ``--port N`` and ``--ip ADDRESS`` for a server without a screen;
``test`` passes any further arguments to pytest; ``execute`` takes notebook paths (default: all of
them). This script uses the standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
REMOVED = ROOT / "requirements" / "removed-after-install.txt"  # optional packages every environment drops after installing
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))


@dataclass(frozen=True)
class Environment:
    """A virtual environment in the repository with the course and the extras of one audience."""

    folder: str
    extras: str  # pyproject.toml extras, comma-separated
    purpose: str

    @property
    def path(self) -> Path:
        return ROOT / self.folder

    @property
    def bin(self) -> Path:
        return self.path / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / ("python.exe" if os.name == "nt" else "python")

    @property
    def stamp(self) -> Path:
        return self.path / ".course-installed"


STUDENT = Environment(".venv", "lab", "the notebooks and JupyterLab")
DEVELOPMENT = Environment(".venv-dev", "lab,instructor,authoring,test", "everything: grading, building and testing the course")


def fail(message: str) -> None:
    print(f"course.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def run(command: list[str | Path], cwd_override: Path | None = None, **kwargs) -> int:
    return subprocess.call([str(part) for part in command], cwd=cwd_override or ROOT, **kwargs)


def removed_after_install() -> list[str]:
    """The lock's optional packages that slow every Jupyter tool down and that nothing uses (why: in the file)."""
    lines = (line.strip() for line in REMOVED.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def install_fingerprint(environment: Environment) -> str:
    digest = hashlib.sha256(environment.extras.encode())
    for path in (ROOT / "pyproject.toml", CONSTRAINTS, REMOVED):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def create_venv(environment: Environment) -> None:
    print(f"course.py: creating the virtual environment {environment.folder} ...", flush=True)
    try:
        venv.create(environment.path, with_pip=True, clear=True)
        return
    except (subprocess.CalledProcessError, OSError) as error:
        # Debian's python3 ships venv without ensurepip unless python3-venv is
        # installed; a venv without pip, filled by the system pip, still works.
        print(f"course.py: venv with pip failed ({error}); trying the system pip instead", flush=True)
    venv.create(environment.path, with_pip=False, clear=True)
    if subprocess.call([sys.executable, "-m", "pip", "--python", str(environment.python), "install", "--quiet", "pip"]) != 0:
        fail(f"could not put pip into {environment.folder}. On Debian/Ubuntu: sudo apt-get install python3-venv, then try again.")


def ensure_installed(environment: Environment) -> None:
    """Create the environment and install the pinned dependencies, unless that is already done."""
    if sys.version_info[:2] not in SUPPORTED_PYTHONS:
        print(f"course.py: warning: the course supports Python 3.11 to 3.13, this is {sys.version.split()[0]}", file=sys.stderr)
    elif sys.version_info[:2] != (3, 11):
        print(f"course.py: note: the pinned versions are tested on Python 3.11 (and the course on 3.13); this is {sys.version.split()[0]}",
              file=sys.stderr)
    if not environment.python.exists():
        create_venv(environment)
    if environment.stamp.exists() and environment.stamp.read_text() == install_fingerprint(environment):
        return
    print(f"course.py: installing the pinned dependencies into {environment.folder} ({environment.purpose}) ...", flush=True)
    command = [environment.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", CONSTRAINTS,
               "-e", f".[{environment.extras}]"]
    if run(command) != 0:
        fail("installing the dependencies failed (see pip's message above)")
    removed = removed_after_install()
    if removed and run([environment.python, "-m", "pip", "uninstall", "--yes", "--quiet", *removed]) != 0:
        fail(f"removing {', '.join(removed)} failed (see pip's message above; why they go: {REMOVED.relative_to(ROOT)})")
    environment.stamp.write_text(install_fingerprint(environment))


def course_environment(environment: Environment) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{environment.bin}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(environment.path)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silences a debugger warning at every kernel start
    return env


def compile_package() -> None:
    """Write the course package's bytecode, so that a kernel reads it instead of compiling the package again.

    The install is editable, so pip compiles nothing of ours; and where ``PYTHONDONTWRITEBYTECODE`` is set (many CI
    images and containers set it) Python never writes it either, and every kernel spent about 0.1 s compiling the
    ~100 modules a lesson imports. Python still reads bytecode under that setting, and recompiles a module whose source
    is newer. Up-to-date files are skipped, so this costs a few milliseconds.
    """
    compileall.compile_dir(ROOT / "src" / "isotretinoin_course", quiet=2, workers=1)


def run_in(environment: Environment, command: list[str | Path], cwd_override: Path | None = None) -> int:
    ensure_installed(environment)
    compile_package()
    return run(command, cwd_override=cwd_override, env=course_environment(environment))


def command_lab(options: argparse.Namespace) -> int:
    environment = DEVELOPMENT if options.instructor else STUDENT
    command: list[str | Path] = [environment.python, "-m", "jupyterlab", START_NOTEBOOK]
    if options.no_browser:
        command.append("--no-browser")
    if options.port:
        command += [f"--ServerApp.port={options.port}", "--ServerApp.port_retries=0"]
    if options.ip:
        command.append(f"--ServerApp.ip={options.ip}")
    return run_in(environment, command + options.extra)


# Whole files to two workers, in collection order: tests/conftest.py puts the slowest files first (pytest-xdist would
# otherwise hand out the files with the most tests first and leave the one-test minute-long ones to the end).
TEST_WORKERS = ("-n", "2", "--dist", "loadfile", "--no-loadscope-reorder")


def command_test(options: argparse.Namespace) -> int:
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, "-m", "pytest", *TEST_WORKERS, *options.extra])


def command_execute(options: argparse.Namespace) -> int:
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, "-m", "isotretinoin_course.authoring.build", *(options.extra or ["notebooks"])])


def command_datasets(options: argparse.Namespace) -> int:
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, "-m", "isotretinoin_course.data.regenerate", ROOT / "datasets", *options.extra])


def command_readme(options: argparse.Namespace) -> int:
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, "-m", "isotretinoin_course.authoring.readme", ROOT / "README.md", *options.extra])


def command_benchmark(options: argparse.Namespace) -> int:
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, ROOT / "benchmarks" / "course_benchmark.py", *options.extra])


def grading(subcommand: str, arguments: list[str]) -> int:
    """The sandboxed grading driver (src/isotretinoin_course/grading/driver.py) on the course folder exercises/."""
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, "-m", "isotretinoin_course.grading", subcommand, *arguments,
                                "--course", ROOT / "exercises"], cwd_override=ROOT / "exercises")


def command_site(options: argparse.Namespace) -> int:
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, "-m", "isotretinoin_course.authoring.site", "--root", ROOT, *options.extra])


def command_slides(options: argparse.Namespace) -> int:
    return run_in(DEVELOPMENT, [DEVELOPMENT.python, "-m", "isotretinoin_course.authoring.slides", "--root", ROOT, *options.extra])


def command_nbgrader(options: argparse.Namespace) -> int:
    if options.extra[:1] == ["autograde"]:  # students' code runs: through the sandboxed driver, never plain nbgrader
        return grading("autograde", options.extra[1:])
    return run_in(DEVELOPMENT, [DEVELOPMENT.bin / "nbgrader", *options.extra], cwd_override=ROOT / "exercises")


def command_nbgrader_report(options: argparse.Namespace) -> int:
    return grading("report", options.extra)


def command_feedback(options: argparse.Namespace) -> int:
    return grading("feedback", options.extra)


def command_sandbox_check(options: argparse.Namespace) -> int:
    return grading("check", options.extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    lab = commands.add_parser("lab", help="open the course in JupyterLab")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser (on a server)")
    lab.add_argument("--port", type=int, help="port to listen on, e.g. 8888")
    lab.add_argument("--ip", help="address to listen on, e.g. 0.0.0.0 to accept other machines")
    lab.add_argument("--instructor", action="store_true", help="open Lab from the instructors' environment (nbgrader's menus for grading)")
    commands.add_parser("test", help="run every test (extra arguments go to pytest)")
    commands.add_parser("execute", help="re-execute notebooks in place (default: all)")
    commands.add_parser("datasets", help="regenerate the synthetic datasets in datasets/")
    commands.add_parser("readme", help="regenerate the README's lesson tables from content/lessons.yml (--check: only compare)")
    commands.add_parser("benchmark", add_help=False, help="time lessons, widgets, import, install and tests against their floors (--help for options)")
    commands.add_parser("site", help="build the course website into build/site/ (--repository OWNER/REPO for Binder links)")
    commands.add_parser("slides", help="build a reveal.js slide deck per lesson into build/slides/ (offline; --out FOLDER)")
    # --help of the grading commands goes to nbgrader or the grading driver, which know their options.
    commands.add_parser("nbgrader", add_help=False, help="run nbgrader in exercises/ (e.g. generate_assignment a1_dosing); autograde is sandboxed")
    commands.add_parser("nbgrader-report", add_help=False, help="after autograding: one reason per submission, exit 1 when any needs a look")
    commands.add_parser("feedback", add_help=False, help="private feedback for an autograded assignment (--reveal-hidden-tests to show the tests)")
    commands.add_parser("sandbox-check", add_help=False, help="start a throw-away grading sandbox and check that it isolates")
    options, extra = parser.parse_known_args()
    options.extra = extra
    handler = {"lab": command_lab, "test": command_test, "execute": command_execute, "datasets": command_datasets,
               "readme": command_readme, "benchmark": command_benchmark, "site": command_site, "slides": command_slides, "nbgrader": command_nbgrader,
               "nbgrader-report": command_nbgrader_report,
               "feedback": command_feedback, "sandbox-check": command_sandbox_check}[options.command]
    return handler(options)


if __name__ == "__main__":
    raise SystemExit(main())
