"""Grading time for an honest class of 10 on a1_dosing: plain nbgrader as before the sandbox, against the sandboxed
driver (run: .venv-dev/bin/python benchmarks/grading_benchmark.py [--rounds 5]).

Issue 16 allows the sandbox to add at most 50% to the grading time of an honest class of 10. Both commands grade
the same class in a fresh copy of exercises/ (a1_dosing released with `nbgrader generate_assignment`; ten students
answer as the source's solutions do), timed alone, wall clock and CPU (user + system of every process), the two
interleaved round by round (alternating which goes first) so that both see the same load on a shared machine:

  before:    nbgrader autograde a1_dosing --create, with the nbgrader_config.py of --baseline (default: branch main's,
             from git), which runs students' code with the instructor's rights
  sandboxed: python -m isotretinoin_course.grading autograde a1_dosing --course .   (python3 course.py nbgrader
             autograde a1_dosing), with this checkout's nbgrader_config.py

Prints each run, the medians and the ratio; exits 1 when the median wall-clock ratio is above 1.5. A measurement,
not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
BIN = Path(sys.executable).parent
ASSIGNMENT = "a1_dosing"
STUDENTS = 10
ALLOWED_RATIO = 1.5


def environment() -> dict[str, str]:
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", PYDEVD_DISABLE_FILE_VALIDATION="1")


def baseline_config(path: str | None) -> str:
    if path:
        return Path(path).read_text()
    shown = subprocess.run(["git", "show", "main:exercises/nbgrader_config.py"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode != 0:
        raise SystemExit("no branch main to take the configuration from: pass --baseline PATH/TO/nbgrader_config.py")
    return shown.stdout


def solved(release: dict, source: dict) -> dict:
    answers = {cell["metadata"]["nbgrader"]["grade_id"]: "".join(cell["source"]) for cell in source["cells"]
               if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}
    for cell in release["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*\n?", "", answers[grade_id], flags=re.MULTILINE).strip()
    return release


def course_copy(base: Path, config: str) -> Path:
    course = base / "exercises"
    (course / "source").mkdir(parents=True)
    shutil.copytree(EXERCISES / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    (course / "nbgrader_config.py").write_text(config)
    subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=course, env=environment(),
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    name = f"{ASSIGNMENT}.ipynb"
    source = json.loads((course / "source" / ASSIGNMENT / name).read_text())
    for number in range(STUDENTS):
        folder = course / "submitted" / f"student{number:02d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        release = json.loads((course / "release" / ASSIGNMENT / name).read_text())
        (folder / name).write_text(json.dumps(solved(release, source)))
    return course


def timed(command: list[str], course: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one grading run; checks that every student got full marks."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run(command, cwd=course, env=environment(), capture_output=True, text=True, timeout=1800,
                            stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    subprocess.run([str(BIN / "nbgrader"), "export"], cwd=course, env=environment(), check=True, capture_output=True,
                   stdin=subprocess.DEVNULL)
    with open(course / "grades.csv", newline="") as handle:
        scores = [float(row["raw_score"]) for row in csv.DictReader(handle)]
    if scores != [10.0] * STUDENTS:
        raise SystemExit(f"{' '.join(command)}: expected full marks for every student, got {scores}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", help="the nbgrader_config.py of the plain run (default: branch main's)")
    options = parser.parse_args()
    configs = {"before": baseline_config(options.baseline), "sandboxed": (EXERCISES / "nbgrader_config.py").read_text()}
    commands = {"before": [str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--create"],
                "sandboxed": [sys.executable, "-m", "isotretinoin_course.grading", "autograde", ASSIGNMENT, "--course", "."]}
    print(f"{os.cpu_count()} CPUs; {STUDENTS} honest students on {ASSIGNMENT}; {options.rounds} interleaved rounds", flush=True)
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "sandboxed": []}
    for number in range(options.rounds):
        for label in (("before", "sandboxed") if number % 2 == 0 else ("sandboxed", "before")):
            with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as base:
                course = course_copy(Path(base), configs[label])
                load = os.getloadavg()[0]
                seconds, cpu = timed(commands[label], course)
            runs[label].append((seconds, cpu))
            print(f"round {number + 1} {label:9s}: wall {seconds:5.1f} s, cpu {cpu:5.1f} s (load average {load:.1f})", flush=True)
    wall = {label: statistics.median(s for s, _ in values) for label, values in runs.items()}
    cpu = {label: statistics.median(c for _, c in values) for label, values in runs.items()}
    span = {label: (min(s for s, _ in values), max(s for s, _ in values)) for label, values in runs.items()}
    ratio = wall["sandboxed"] / wall["before"]
    print(f"median wall clock: before {wall['before']:.1f} s ({span['before'][0]:.1f}-{span['before'][1]:.1f}), "
          f"sandboxed {wall['sandboxed']:.1f} s ({span['sandboxed'][0]:.1f}-{span['sandboxed'][1]:.1f}); "
          f"median CPU: before {cpu['before']:.1f} s, sandboxed {cpu['sandboxed']:.1f} s")
    print(f"ratio: wall clock {ratio:.2f}, CPU {cpu['sandboxed'] / cpu['before']:.2f} (allowed: {ALLOWED_RATIO:.2f})")
    return 0 if ratio <= ALLOWED_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
