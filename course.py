#!/usr/bin/env python3
"""Set up and run the isotretinoin teaching notebooks with nothing but Python 3.11 and pip.

    python3 course.py lab       install into .venv, open notebooks/00_start_here.ipynb in JupyterLab
    python3 course.py test      install into .venv, run every test (unit, lint, strict nbval) on 2 cores
    python3 course.py execute   re-execute every notebook in place from a fresh kernel
    python3 course.py datasets  regenerate every synthetic dataset in datasets/ (seeded, byte-identical)
    python3 course.py nbgrader ARGS...          run nbgrader in exercises/ (instructor guide: exercises/README.md)
    python3 course.py nbgrader-report ASSIGNMENT  list submissions that need a human look after autograding

``lab`` takes ``--no-browser``, ``--port N`` and ``--ip ADDRESS`` for a server
without a screen; ``test`` passes any further arguments to pytest; ``execute``
takes notebook paths (default: all of them). This script uses the standard
library only, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
STAMP = VENV / ".course-installed"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"


def fail(message: str) -> None:
    print(f"course.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def run(command: list[str | Path], cwd_override: Path | None = None, **kwargs) -> int:
    return subprocess.call([str(part) for part in command], cwd=cwd_override or ROOT, **kwargs)


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", CONSTRAINTS):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def create_venv() -> None:
    print("course.py: creating the virtual environment .venv ...", flush=True)
    try:
        venv.create(VENV, with_pip=True, clear=True)
        return
    except (subprocess.CalledProcessError, OSError) as error:
        # Debian's python3 ships venv without ensurepip unless python3-venv is
        # installed; a venv without pip, filled by the system pip, still works.
        print(f"course.py: venv with pip failed ({error}); trying the system pip instead", flush=True)
    venv.create(VENV, with_pip=False, clear=True)
    if subprocess.call([sys.executable, "-m", "pip", "--python", str(PYTHON), "install", "--quiet", "pip"]) != 0:
        fail("could not put pip into .venv. On Debian/Ubuntu: sudo apt-get install python3-venv, then try again.")


def ensure_installed() -> None:
    """Create .venv and install the pinned dependencies, unless that is already done."""
    if sys.version_info[:2] != (3, 11):
        print(f"course.py: warning: the course is pinned and tested on Python 3.11, this is {sys.version.split()[0]}", file=sys.stderr)
    if not PYTHON.exists():
        create_venv()
    if STAMP.exists() and STAMP.read_text() == install_fingerprint():
        return
    print("course.py: installing the pinned dependencies into .venv (about a minute the first time) ...", flush=True)
    command = [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", CONSTRAINTS, "-e", ".[test]"]
    if run(command) != 0:
        fail("installing the dependencies failed (see pip's message above)")
    STAMP.write_text(install_fingerprint())


def course_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # silences a debugger warning at every kernel start
    return env


def command_lab(options: argparse.Namespace) -> int:
    ensure_installed()
    command = [PYTHON, "-m", "jupyterlab", START_NOTEBOOK]
    if options.no_browser:
        command.append("--no-browser")
    if options.port:
        command += [f"--ServerApp.port={options.port}", "--ServerApp.port_retries=0"]
    if options.ip:
        command.append(f"--ServerApp.ip={options.ip}")
    return run(command + options.extra, env=course_environment())


def command_test(options: argparse.Namespace) -> int:
    ensure_installed()
    workers = ["-n", "2", "--dist", "loadfile"]
    return run([PYTHON, "-m", "pytest", *workers, *options.extra], env=course_environment())


def command_execute(options: argparse.Namespace) -> int:
    ensure_installed()
    return run([PYTHON, "-m", "isotretinoin_course.notebook_build", *options.extra], env=course_environment())


def command_datasets(options: argparse.Namespace) -> int:
    ensure_installed()
    return run([PYTHON, "-m", "isotretinoin_course.cohort", "datasets", *options.extra], env=course_environment())


def command_nbgrader(options: argparse.Namespace) -> int:
    ensure_installed()
    return run([BIN / "nbgrader", *options.extra], env=course_environment(), cwd_override=ROOT / "exercises")


def command_nbgrader_report(options: argparse.Namespace) -> int:
    ensure_installed()
    return run([PYTHON, "-m", "isotretinoin_course.grading", *options.extra], env=course_environment())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    lab = commands.add_parser("lab", help="open the course in JupyterLab")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser (on a server)")
    lab.add_argument("--port", type=int, help="port to listen on, e.g. 8888")
    lab.add_argument("--ip", help="address to listen on, e.g. 0.0.0.0 to accept other machines")
    commands.add_parser("test", help="run every test (extra arguments go to pytest)")
    commands.add_parser("execute", help="re-execute notebooks in place (default: all)")
    commands.add_parser("datasets", help="regenerate the synthetic datasets in datasets/")
    commands.add_parser("nbgrader", help="run nbgrader in exercises/ (e.g. generate_assignment a1_dosing)")
    commands.add_parser("nbgrader-report", help="after autograding: which submissions need a human look")
    options, extra = parser.parse_known_args()
    options.extra = extra
    handler = {"lab": command_lab, "test": command_test, "execute": command_execute, "datasets": command_datasets,
               "nbgrader": command_nbgrader, "nbgrader-report": command_nbgrader_report}[options.command]
    return handler(options)


if __name__ == "__main__":
    raise SystemExit(main())
