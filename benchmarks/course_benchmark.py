"""Time what the course's users wait for, in one run, against floors measured in the same run; exit 1 if a target is missed.

Run it with ``python3 course.py benchmark`` (or ``.venv-dev/bin/python benchmarks/course_benchmark.py``);
``--readme`` also writes a summary into the README (between the ``benchmark`` markers) and every row into
``benchmarks/RESULTS.md``; ``--skip`` leaves parts out for a quick look (``--skip install,tests``). What it
measures, and against what:

- **Lessons.** Each lesson's Run All through nbclient in a fresh kernel, from asking for the kernel to the
  end of the last cell (the kernel's shutdown is not counted), the minimum of ``--runs`` runs (2). The
  kernel's CPU seconds are shown beside it: far less sensitive than the wall clock to other load on a shared
  machine, they show where a change helped even when the wall clock is noisy. The
  floor of a lesson is the same measurement of a one-cell notebook that only does ``%matplotlib inline``
  and imports the run-time libraries the lesson ended up importing (of ipywidgets, jinja2, matplotlib,
  numpy, pandas, yaml: what ``pyproject.toml`` lists for the notebooks), run right after the lesson so that
  both meet the same load on a shared machine (the best of its runs is the lesson's floor). A bare kernel
  (a cell ``pass``) is shown too. Target: the lesson within its floor + 1 s.
- **Widgets.** Every control of every widget, and each quiz's Check button, driven the way JupyterLab
  drives them: a comm message to a kernel (``update`` with the new value, or a button's ``click``),
  timed until the kernel reports idle, which is after it has sent every changed value (the new image
  included) back to the browser. The browser's own drawing is not included. At least ``--samples`` (15)
  updates per control. The floor is a text box whose observer does nothing (the messaging alone).
  The kernel's mean CPU milliseconds per update are shown beside it, a guide on a shared machine as for
  the lessons. Target: median < 100 ms and 90th percentile < 200 ms.
- **Package import.** ``import`` of every run-time module of the package in a fresh interpreter, against
  the same interpreter importing only the libraries (minimum of 5, interleaved). Target: < 0.3 s more.
- **Student install.** What ``python3 course.py lab`` does before opening Lab (an empty virtual
  environment, then ``pip install -c requirements/constraints.txt -e .[lab]``), timed once; the pip
  cache and where pip finds its packages are printed with it. Target: under 90 s.
- **Test suite.** ``python3 course.py test``'s pytest command (2 workers), timed once. Target: under 4 minutes.

This is a measurement, not a test: on a shared machine, run it when the machine is quiet (it prints the
load average at the start and the end) and compare runs from the same machine only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LIBRARIES = ("ipywidgets", "jinja2", "matplotlib", "numpy", "pandas", "yaml")

LESSON_ALLOWANCE_S = 1.0
WIDGET_MEDIAN_MS, WIDGET_P90_MS = 100.0, 200.0
IMPORT_ALLOWANCE_S = 0.3
INSTALL_TARGET_S = 90.0
SUITE_TARGET_S = 240.0
CELL_TIMEOUT_S = 300
KERNEL_TIMEOUT_S = 120


# --------------------------------------------------------------------------------------------- the machine
def _first_line(path: str, prefix: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _niceness() -> str:
    """", run at niceness N" when the benchmark ran below normal priority (as on a shared machine), else nothing."""
    try:
        niceness = os.nice(0)
    except (AttributeError, OSError):
        return ""
    return f", run at niceness {niceness}" if niceness else ""


def machine() -> str:
    """One line naming the machine: CPU, cores this process may use, memory, Python, system."""
    cpu = _first_line("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _first_line("/proc/meminfo", "MemTotal")
    memory_gb = f"{int(memory.split()[0]) / 1024 ** 2:.0f} GB" if memory else "unknown memory"
    return f"{cpu}, {cores} cores, {memory_gb}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


# --------------------------------------------------------------------------------------------- results
@dataclass
class Row:
    """One line of the table: what was measured, its floor, its target and whether it was met."""

    group: str
    item: str
    measured: str
    floor: str
    ratio: str
    target: str
    met: bool
    note: str = ""
    widget: str = ""  # for a widget control: the widget, so that the summary can show each widget's slowest control
    median_ms: float = 0.0
    p90_ms: float = 0.0


TABLE_HEAD = ["| Group | What | Measured | Floor | × floor | Target | Met |", "|---|---|---|---|---|---|---|"]


def _line(row: Row, item: str | None = None) -> str:
    item = item or (f"{row.item} ({row.note})" if row.note else row.item)
    return f"| {row.group} | {item} | {row.measured} | {row.floor} | {row.ratio} | {row.target} | {'yes' if row.met else '**no**'} |"


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        mark = "ok" if row.met else "MISSED"
        print(f"  {row.group:9} {row.item:52} {row.measured:>22}  floor {row.floor:>9}  {row.ratio:>7}  target {row.target:<26} {mark}"
              + (f"  ({row.note})" if row.note else ""), flush=True)

    def markdown(self, header: list[str]) -> str:
        """Every row: each widget control on its own line."""
        return "\n".join([*header, "", *TABLE_HEAD, *(_line(row) for row in self.rows)])

    def summary(self, header: list[str]) -> str:
        """One line per lesson and per widget (its slowest control, and whether every control met the target)."""
        lines, done = [*header, "", *TABLE_HEAD], set()
        for row in self.rows:
            if not row.widget:
                lines.append(_line(row))
                continue
            if row.widget in done:
                continue
            done.add(row.widget)
            controls = [other for other in self.rows if other.widget == row.widget]
            slowest = max(controls, key=lambda other: (other.median_ms, other.p90_ms))
            met = all(other.met for other in controls)
            item = (f"{row.widget}: slowest of {len(controls)} controls, {slowest.item.split(': ', 1)[1]}" if len(controls) > 1
                    else slowest.item) + f" ({slowest.note})"
            lines.append(_line(Row(row.group, "", slowest.measured, slowest.floor, slowest.ratio, slowest.target, met), item))
        return "\n".join(lines)


def p90(values: list[float]) -> float:
    """The 90th percentile by nearest rank (of 15 values, the 14th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


# --------------------------------------------------------------------------------------------- lessons
@dataclass
class RunAll:
    """One Run All: wall-clock seconds (what the student waits), the kernel's CPU seconds (much less sensitive to other
    load on a shared machine, so a guide to where a change helped), and the run-time libraries the kernel imported."""

    seconds: float
    cpu_seconds: float
    libraries: tuple[str, ...]


def run_all(cells: list[str] | Path, cwd: Path) -> RunAll:
    """Run a notebook (or cells) from asking for a fresh kernel to the end of the last cell."""
    import nbformat
    from nbclient import NotebookClient

    if isinstance(cells, Path):
        nb = nbformat.read(cells, as_version=4)
    else:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
                            store_widget_state=False, record_timing=False)
    probe = nbformat.v4.new_code_cell(
        "import sys as _sys, json as _json, resource as _resource\n"
        "_usage = _resource.getrusage(_resource.RUSAGE_SELF)\n"
        f"print(_json.dumps([_usage.ru_utime + _usage.ru_stime, sorted(set({list(RUNTIME_LIBRARIES)!r}) & set(_sys.modules))]))")
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        elapsed = time.perf_counter() - start
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    cpu, libraries = json.loads(probe.outputs[0]["text"])
    return RunAll(elapsed, cpu, tuple(libraries))


def floor_cells(libraries: tuple[str, ...]) -> list[str]:
    if not libraries:
        return ["pass"]
    lines = ["%matplotlib inline"] if "matplotlib" in libraries else []
    lines.append("import " + ", ".join(libraries))
    return ["\n".join(lines)]


def bench_lessons(report: Report, notebooks: list[Path], runs: int) -> None:
    print(f"lessons: Run All of {len(notebooks)} notebooks, each followed by its floor, {runs} runs", flush=True)
    best: dict[str, RunAll] = {}  # per lesson, the best of its runs
    paired: dict[str, RunAll] = {}  # per lesson, the best of the floors measured right after it
    floors: dict[tuple[str, ...], RunAll] = {}  # per set of libraries, the best of every measurement

    def keep_best(store: dict, key: object, result: RunAll) -> None:
        known = store.get(key)
        store[key] = RunAll(min(result.seconds, known.seconds), min(result.cpu_seconds, known.cpu_seconds), result.libraries) if known else result

    for run in range(runs):
        keep_best(floors, (), run_all(floor_cells(()), ROOT))
        for path in notebooks:
            result = run_all(path, path.parent)
            keep_best(best, path.stem, result)
            # The floor right after the lesson, so that both see the same load on a shared machine.
            floor = run_all(floor_cells(result.libraries), ROOT)
            keep_best(paired, path.stem, floor)
            keep_best(floors, result.libraries, floor)
            print(f"    run {run + 1}: {path.stem} {result.seconds:.2f} s (kernel CPU {result.cpu_seconds:.2f} s), its floor "
                  f"{floor.seconds:.2f} s", flush=True)
    report.add(Row("floor", "bare kernel: one cell `pass`", f"{floors[()].seconds:.2f} s (CPU {floors[()].cpu_seconds:.2f})", "—", "—", "—", True))
    for libraries in sorted((key for key in floors if key), key=lambda key: (len(key), key)):
        floor = floors[libraries]
        report.add(Row("floor", "kernel importing " + ", ".join(libraries), f"{floor.seconds:.2f} s (CPU {floor.cpu_seconds:.2f})", "—", "—",
                       "—", True, note="best of all its runs"))
    for path in notebooks:
        result, floor = best[path.stem], paired[path.stem]
        report.add(Row("lesson", f"{path.stem} Run All", f"{result.seconds:.2f} s (CPU {result.cpu_seconds:.2f})",
                       f"{floor.seconds:.2f} s", f"{result.seconds / floor.seconds:.2f}", f"≤ floor + {LESSON_ALLOWANCE_S:g} s",
                       result.seconds <= floor.seconds + LESSON_ALLOWANCE_S))


# --------------------------------------------------------------------------------------------- widgets
class Timing(float):
    """Milliseconds until the kernel was idle again (what the student waits), carrying the kernel's CPU milliseconds
    for the same update: far less sensitive than the wall clock to other load on a shared machine."""

    cpu_ms: float = math.nan

    def __new__(cls, wall_ms: float, cpu_ms: float) -> Timing:
        timing = super().__new__(cls, wall_ms)
        timing.cpu_ms = cpu_ms
        return timing


class WidgetKernel:
    """A kernel driven the way JupyterLab drives widgets: code to build them, then comm messages to their models."""

    def __init__(self, cwd: Path) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(cwd))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=KERNEL_TIMEOUT_S)
        self.stderr: list[str] = []
        self.process = _kernel_process(self.manager)

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)

    def _until_idle(self, msg_id: str) -> list[str]:
        out = []
        while True:
            msg = self.client.get_iopub_msg(timeout=CELL_TIMEOUT_S)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                (out if content["name"] == "stdout" else self.stderr).append(content["text"])
            elif kind == "error":
                raise RuntimeError(f"{content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                return out

    def run(self, code: str) -> str:
        """Execute ``code``; its standard output (errors raise)."""
        return "".join(self._until_idle(self.client.execute(textwrap.dedent(code))))

    def send(self, comm_id: str, data: dict) -> float:
        """Send one comm message as the browser would; milliseconds until the kernel is idle again."""
        message = self.client.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        cpu = self._cpu_ms()
        start = time.perf_counter()
        self.client.shell_channel.send(message)
        self._until_idle(message["header"]["msg_id"])
        return Timing((time.perf_counter() - start) * 1000, self._cpu_ms() - cpu)

    def _cpu_ms(self) -> float:
        """The kernel's CPU time so far (user and system, in the system's clock ticks: 10 ms steps on Linux)."""
        if self.process is None:
            return math.nan
        times = self.process.cpu_times()
        return (times.user + times.system) * 1000

    def set(self, comm_id: str, name: str, value: object) -> float:
        return self.send(comm_id, {"method": "update", "state": {name: value}, "buffer_paths": []})

    def click(self, comm_id: str) -> float:
        return self.send(comm_id, {"method": "custom", "content": {"event": "click"}})


def _kernel_process(manager: object):
    """The kernel's process (psutil), or None where it cannot be found (the CPU column then says so)."""
    try:
        import psutil

        return psutil.Process(manager.provisioner.pid)
    except Exception:  # noqa: BLE001 - a guide only: the wall clock is the measurement
        return None


@dataclass
class Control:
    """A control to time: its label, the widget expression in the kernel, the trait the browser sends, the values to cycle."""

    label: str
    expression: str
    trait: str  # "value", "index" (a selection: every option in turn), or "click"
    values: tuple = ()


def _cycle(values: tuple, count: int) -> list:
    return [values[i % len(values)] for i in range(count)]


def time_controls(kernel: WidgetKernel, setup: str, controls: list[Control], samples: int) -> dict[str, list[float]]:
    """Build the widget, then send each control ``samples`` new values (an index control cycles through its options)."""
    facts = json.loads(kernel.run(setup + "\nimport json as _json\nprint(_json.dumps({" + ", ".join(
        f"{c.label!r}: [({c.expression}).model_id, len(getattr({c.expression}, 'options', ())), getattr({c.expression}, {c.trait!r}, None)]"
        for c in controls) + "}))"))
    timings: dict[str, list[float]] = {}
    for control in controls:
        comm_id, options, initial = facts[control.label]
        if control.trait == "click":
            timings[control.label] = [kernel.click(comm_id) for _ in range(samples)]
            continue
        values = tuple(index for index in range(options) if index != initial) + (initial,) if control.trait == "index" else control.values
        timings[control.label] = [kernel.set(comm_id, control.trait, value) for value in _cycle(values, samples)]
        kernel.set(comm_id, control.trait, initial)  # back to the start, so an invalid value does not shape the next control's timings
    return timings


def toggles(label: str, expression: str) -> Control:
    return Control(label, expression, "value", (True, False))


def widget_scenarios() -> list[tuple[str, str, list[Control]]]:
    """(widget, set-up code, controls): every control of every widget, with values a student might enter (some invalid)."""
    severity = [Control(f"{name} count", f"W.count_inputs[{name!r}]", "value", values) for name, values in (
        ("comedones", ("40", "10", "25", "abc", "120")), ("inflammatory", ("30", "5", "18", "-2", "60")), ("nodules", ("2", "0", "8", "1")))]
    severity += [toggles(f"context: {name}", f"W.context_inputs[{name!r}]")
                 for name in ("scarring", "psychosocial_burden", "failed_standard_therapy", "failed_systemic_antibiotics")]
    dosing = [
        Control("weight", "W.weight", "value", ("72.5", "48", "abc", "90", "60")),
        Control("first-month dose", "W.starting", "value", ("0.4", "0.5", "3")),
        Control("dose from month 2", "W.maintenance", "value", ("0.8", "1.0", "0,9")),
        Control("formulation", "W.formulation", "index"),
        Control("cumulative target", "W.target", "value", ("150", "130", "120")),
        Control("start date", "W.start", "value", ("2026-02-01", "2026-13-40", "2026-01-05")),
        Control("missed days", "W.missed", "value", ("5", "10", "0")),
    ]
    pk = [
        Control("formulation", "W.formulation", "index"),
        Control("meal", "W.meal", "index"),
        Control("dose", "W.dose", "value", ("30", "20", "60", "40")),
        Control("schedule", "W.schedule", "index"),
        Control("weight", "W.weight", "value", ("55", "90", "x", "70")),
        Control("course length", "W.days", "value", ("56", "120", "28")),
        Control("missed doses", "W.missed", "value", ("5, 9-12", "3", "")),
        Control("elimination", "W.eliminator", "index"),
        toggles("show metabolite", "W.show_metabolite"),
    ]
    counselling = [
        Control("patient category", "W.category", "index"),
        Control("product", "W.formulation", "index"),
        toggles("hormonal contraception", "W.hormonal"),
        toggles("contact lenses", "W.lenses"),
    ]
    counselling += [toggles(f"topic: {key}", f"W.boxes[{key!r}]") for key in _counselling_topic_keys()]
    scorecard = [Control(f"rating: {key}", f"W.choices[{key!r}]", "index", ()) for key in _scorecard_keys()]
    return [
        ("01 severity classifier", "from isotretinoin_course.widgets import SeverityClassifier\nW = SeverityClassifier(comedones=25, inflammatory=18)", severity),
        ("03 PK simulator", "from isotretinoin_course.widgets import PKSimulator\nW = PKSimulator(dose_mg=40, weight_kg=70, days=28)", pk),
        ("04 dosing calculator", "from isotretinoin_course.widgets import DosingCalculator\nW = DosingCalculator(weight_kg=60)", dosing),
        ("07 counselling checklist", "from isotretinoin_course.models.counselling import Profile\n"
         "from isotretinoin_course.widgets import CounsellingChecklist\n"
         "W = CounsellingChecklist(Profile('can_get_pregnant', 'conventional', hormonal_contraception=True))", counselling),
        # every criterion rated first: the scorecard scores only then, and that is the update to time
        ("08 article scorecard", "from isotretinoin_course.widgets import ArticleScorecard\nW = ArticleScorecard('Page A')\n"
         "for _choice in W.choices.values():\n    _choice.value = 3", scorecard),
    ]


def _counselling_topic_keys() -> list[str]:
    from isotretinoin_course.models.counselling import topics

    return [item.key for item in topics()]


def _scorecard_keys() -> list[str]:
    from isotretinoin_course.models.article_scoring import CRITERIA

    return [key for key, _question in CRITERIA]


EXPLORER_SETUP = """
import json
from isotretinoin_course.data.loader import load_cohort
from isotretinoin_course.widgets import PatientExplorer
W = PatientExplorer(load_cohort(), patient_id="SYN-0008")
print(json.dumps([W.picker.model_id, len(W.picker.options)]))
"""


def time_explorer(kernel: WidgetKernel, samples: int) -> dict[str, list[float]]:
    comm_id, count = json.loads(kernel.run(EXPLORER_SETUP))
    step = max(1, count // (samples + 1))
    return {"patient": [kernel.set(comm_id, "index", (1 + i * step) % count) for i in range(samples)]}


# As notebook 06 builds it: the audit patients and the comparison patients, each under their own programme.
DISPENSING_SETUP = """
import json
from isotretinoin_course.data.audit_log import timelines
from isotretinoin_course.data.loader import load_audit
from isotretinoin_course.data.programme_cases import comparison_patients
from isotretinoin_course.models.risk_management import evaluate
from isotretinoin_course.widgets import DispensingSimulator
patients = {t.patient_id: t for t in timelines(load_audit())} | comparison_patients()
W = DispensingSimulator(patients, "AUD-003")
visits = [len(evaluate(patients[p], patients[p].programme or "ipledge").decisions) for p in W.picker.options]
print(json.dumps({"picker": W.picker.model_id, "dispense": W.dispense.model_id, "hold": W.hold.model_id, "refuse": W.refuse.model_id,
                  "next": W.next_visit.model_id, "visits": visits}))
"""


def time_dispensing(kernel: WidgetKernel, samples: int) -> dict[str, list[float]]:
    """Walk whole patients: pick, then decide and go on at each visit; the last decision draws the timeline."""
    facts = json.loads(kernel.run(DISPENSING_SETUP))
    timings: dict[str, list[float]] = {"patient": [], "decide (not the last visit)": [], "decide the last visit (draws the timeline)": [],
                                       "next visit": []}
    patient = 0
    while min(len(values) for values in timings.values()) < samples and patient < 10 * samples:
        index = patient % len(facts["visits"])
        patient += 1
        timings["patient"].append(kernel.set(facts["picker"], "index", index))
        visits = facts["visits"][index]
        for visit in range(visits):
            button = (facts["dispense"], facts["hold"], facts["refuse"])[(visit + patient) % 3]
            last = visit == visits - 1
            timings["decide the last visit (draws the timeline)" if last else "decide (not the last visit)"].append(kernel.click(button))
            if not last:
                timings["next visit"].append(kernel.click(facts["next"]))
    return timings


QUIZ_SETUP = """
import json
from isotretinoin_course.widgets import quiz_for
Q = quiz_for({bank!r})
cards = []
for card in Q.cards:
    control = card.answer_control
    kind = card.question.type
    answer = (control.model_id if kind == "single" else [box.model_id for box in control.children] if kind == "multiple"
              else control.children[0].model_id)
    cards.append({{"type": kind, "answer": answer, "check": card.check_button.model_id, "options": len(card.question.options)}})
print(json.dumps({{"cards": cards, "reveal": Q.reveal_toggle.model_id}}))
"""

CAPSTONE_SETUP = """
import json
from isotretinoin_course.data.loader import load_cohort
from isotretinoin_course.models.capstone import CapstoneCase
from isotretinoin_course.widgets import CaseStepView
case = CapstoneCase(load_cohort())
views = [CaseStepView(case, question.id) for question in case.bank.questions]
cards = []
for view in views:
    card = view.quiz.cards[0]
    control = card.answer_control
    kind = card.question.type
    answer = (control.model_id if kind == "single" else [box.model_id for box in control.children] if kind == "multiple"
              else control.children[0].model_id)
    cards.append({"type": kind, "answer": answer, "check": card.check_button.model_id, "options": len(card.question.options)})
print(json.dumps({"cards": cards, "reveal": views[0].quiz.reveal_toggle.model_id}))
"""


def time_quiz(kernel: WidgetKernel, setup: str, samples: int) -> dict[str, list[float]]:
    """Answer each question (untimed, as a student's clicks on options), then time the Check button; and the reveal switch."""
    facts = json.loads(kernel.run(setup))
    checks: list[float] = []
    attempt = 0
    while len(checks) < max(samples, len(facts["cards"])):
        card = facts["cards"][attempt % len(facts["cards"])]
        choice = attempt // len(facts["cards"])
        if card["type"] == "single":
            kernel.set(card["answer"], "index", choice % card["options"])
        elif card["type"] == "multiple":
            for position, box in enumerate(card["answer"]):
                kernel.set(box, "value", (position + choice) % 2 == 0)
        else:
            kernel.set(card["answer"], "value", ("12", "abc", "0.5")[choice % 3])
        checks.append(kernel.click(card["check"]))
        attempt += 1
    reveal = [kernel.set(facts["reveal"], "value", value) for value in _cycle((True, False), samples)]
    return {"check answer": checks, "reveal answers": reveal}


def quiz_banks() -> list[str]:
    from isotretinoin_course.core.resources import content_files

    return sorted(path.name.removesuffix(".yml") for path in content_files("quiz_banks", ".yml") if not path.name.startswith("09_"))


def widget_row(report: Report, widget: str, control: str, values: list[float], floor_ms: float) -> None:
    median, high = statistics.median(values), p90(values)
    cpu = [value.cpu_ms for value in values if isinstance(value, Timing) and not math.isnan(value.cpu_ms)]
    measured = f"{median:.0f} ms (p90 {high:.0f}" + (f"; CPU {statistics.fmean(cpu):.0f} mean)" if cpu else ")")
    report.add(Row("widget", f"{widget}: {control}", measured, f"{floor_ms:.1f} ms", f"{median / floor_ms:.0f}",
                   f"median < {WIDGET_MEDIAN_MS:g}, p90 < {WIDGET_P90_MS:g} ms", median < WIDGET_MEDIAN_MS and high < WIDGET_P90_MS,
                   note=f"n={len(values)}", widget=widget, median_ms=median, p90_ms=high))


def bench_widgets(report: Report, samples: int) -> None:
    print(f"widgets: every control, at least {samples} updates each, through a kernel's comm messages", flush=True)
    kernel = WidgetKernel(ROOT / "notebooks")
    try:
        ids = json.loads(kernel.run("import ipywidgets, json\nFLOOR = ipywidgets.Text()\nFLOOR.observe(lambda change: None, names='value')\n"
                                    "print(json.dumps(FLOOR.model_id))"))
        floor_values = [kernel.set(ids, "value", str(i)) for i in range(max(samples, 30))]
        floor_ms = statistics.median(floor_values)
        report.add(Row("floor", "widget messaging: a text box that does nothing", f"{floor_ms:.1f} ms (p90 {p90(floor_values):.1f})", "—", "—",
                       "—", True))
        for widget, setup, controls in widget_scenarios():
            for control, values in time_controls(kernel, setup, controls, samples).items():
                widget_row(report, widget, control, values, floor_ms)
        for control, values in time_explorer(kernel, samples).items():
            widget_row(report, "05 patient explorer", control, values, floor_ms)
        for control, values in time_dispensing(kernel, samples).items():
            widget_row(report, "06 dispensing simulator", control, values, floor_ms)
        for bank in quiz_banks():
            for control, values in time_quiz(kernel, QUIZ_SETUP.format(bank=bank), samples).items():
                widget_row(report, f"quiz {bank}", control, values, floor_ms)
        for control, values in time_quiz(kernel, CAPSTONE_SETUP, samples).items():
            widget_row(report, "09 capstone steps", control, values, floor_ms)
        if kernel.stderr:
            report.problems.append("the widget kernel wrote to stderr: " + "".join(kernel.stderr)[-2000:])
    finally:
        kernel.close()


# --------------------------------------------------------------------------------------------- package import
def _import_seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tempfile.gettempdir())
    return time.perf_counter() - start


def runtime_modules() -> list[str]:
    """Every module of the layers a notebook uses (not authoring or grading, which are build and grading tools)."""
    source = ROOT / "src" / "isotretinoin_course"
    names = []
    for layer in ("core", "content", "models", "data", "figures", "widgets"):
        for path in sorted((source / layer).glob("*.py")):
            names.append(f"isotretinoin_course.{layer}" + ("" if path.stem == "__init__" else f".{path.stem}"))
    return names


def bench_import(report: Report, repeats: int = 5) -> None:
    print("package import: every run-time module, against the libraries alone", flush=True)
    libraries = "import IPython, ipywidgets, matplotlib.pyplot, numpy, pandas, yaml"
    package = libraries + "\n" + "\n".join(f"import {name}" for name in runtime_modules())
    floor, measured = math.inf, math.inf
    for _ in range(repeats):
        floor = min(floor, _import_seconds(libraries))
        measured = min(measured, _import_seconds(package))
    report.add(Row("import", f"the package ({len(runtime_modules())} run-time modules) with its libraries", f"{measured:.2f} s",
                   f"{floor:.2f} s", f"{measured / floor:.2f}", f"≤ floor + {IMPORT_ALLOWANCE_S:g} s", measured <= floor + IMPORT_ALLOWANCE_S))


# --------------------------------------------------------------------------------------------- install and tests
def pip_cache_state() -> str:
    result = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True)
    folder = Path(result.stdout.strip()) if result.returncode == 0 else None
    size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder and folder.exists() else 0
    sources = [f"{name}={value}" for name, value in os.environ.items() if name in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")]
    return f"pip cache {size / 1024 ** 2:.0f} MB at the start" + (f"; {', '.join(sources)}" if sources else "")


def course_py():
    """The repository's course.py as a module: the very code that `python3 course.py lab` and `test` run."""
    sys.path.insert(0, str(ROOT))
    import course

    return course


def bench_install(report: Report) -> None:
    print("student install: course.py lab's install into an empty virtual environment", flush=True)
    course = course_py()
    state = pip_cache_state()
    with tempfile.TemporaryDirectory(prefix="course-install-") as folder:
        environment = course.Environment(str(Path(folder) / "venv"), course.STUDENT.extras, "benchmark: a fresh student environment")
        start = time.perf_counter()
        course.ensure_installed(environment)
        seconds = time.perf_counter() - start
        size = sum(path.stat().st_size for path in environment.path.rglob("*") if path.is_file() and not path.is_symlink())
    report.add(Row("install", "fresh student environment (.venv: base + lab)", f"{seconds:.0f} s", "—", "—", f"< {INSTALL_TARGET_S:g} s",
                   seconds < INSTALL_TARGET_S, note=f"{size / 1024 ** 2:.0f} MB; {state}"))


def bench_suite(report: Report) -> None:
    print("test suite: python3 course.py test's pytest command, 2 workers", flush=True)
    course = course_py()
    command = [sys.executable, "-m", "pytest", *course.TEST_WORKERS, "-q"]  # course.py test's command, quieter
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = next((line.strip("= ") for line in reversed(result.stdout.splitlines()) if re.search(r"\d+ (passed|failed)", line)), "no summary")
    if result.returncode != 0:
        report.problems.append("the test suite failed:\n" + result.stdout[-3000:])
    report.add(Row("tests", "the whole suite (pytest -n 2)", f"{seconds:.0f} s", "—", "—", f"< {SUITE_TARGET_S:g} s",
                   seconds < SUITE_TARGET_S and result.returncode == 0, note=summary))


# --------------------------------------------------------------------------------------------- main
RESULTS = ROOT / "benchmarks" / "RESULTS.md"  # the full table that --readme writes next to the README's summary
README_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: benchmark[^>]*-->\n).*?(\n<!-- END GENERATED: benchmark -->)", re.S)


def write_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if not README_BLOCK.search(text):
        raise SystemExit("README.md has no benchmark markers (<!-- BEGIN GENERATED: benchmark --> ... <!-- END GENERATED: benchmark -->)")
    readme.write_text(README_BLOCK.sub(lambda match: match.group(1) + table + match.group(2), text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out: lessons, widgets, import, install, tests")
    parser.add_argument("--runs", type=int, default=2, help="Run All runs per lesson and floor (the minimum counts)")
    parser.add_argument("--samples", type=int, default=15, help="updates per widget control (at least)")
    parser.add_argument("--notebooks", nargs="*", help="lesson notebooks to time (default: every lesson)")
    parser.add_argument("--readme", action="store_true",
                        help="write the summary into README.md between the benchmark markers and every row into benchmarks/RESULTS.md")
    parser.add_argument("--output", type=Path, help="also write the table (Markdown) to this file")
    options = parser.parse_args(argv)
    skip = {part.strip() for part in options.skip.split(",") if part.strip()}
    unknown = skip - {"lessons", "widgets", "import", "install", "tests"}
    if unknown:
        parser.error(f"unknown part(s) to skip: {', '.join(sorted(unknown))}")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    started, load_at_start = time.perf_counter(), load_average()
    print(f"machine: {machine()}\nload average at the start (1, 5, 15 min): {load_at_start}", flush=True)
    report = Report()
    notebooks = [Path(name).resolve() for name in options.notebooks] if options.notebooks else sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if "lessons" not in skip:
        bench_lessons(report, notebooks, options.runs)
    if "widgets" not in skip:
        bench_widgets(report, options.samples)
    if "import" not in skip:
        bench_import(report)
    if "install" not in skip:
        bench_install(report)
    if "tests" not in skip:
        bench_suite(report)
    load_at_end = load_average()
    missed = [row for row in report.rows if not row.met]
    header = [
        f"Measured {dt.date.today().isoformat()} by `python3 course.py benchmark` in {time.perf_counter() - started:.0f} s on: {machine()}. "
        f"Load average (1, 5, 15 min) {load_at_start} at the start, {load_at_end} at the end{_niceness()}."
        + (f" Not measured: {', '.join(sorted(skip))}." if skip else ""),
    ]
    table, summary = report.markdown(header), report.summary(header)
    print("\n" + table)
    for problem in report.problems:
        print(f"\nPROBLEM: {problem}")
    if options.output:
        options.output.write_text(table + "\n", encoding="utf-8")
    if options.readme:
        write_readme(summary + f"\n\nEvery widget control, one per line: `{RESULTS.relative_to(ROOT).as_posix()}`.")
        RESULTS.write_text(f"# Latest benchmark, every control\n\n{table}\n", encoding="utf-8")
    print(f"\n{len(report.rows) - len(missed)} of {len(report.rows)} targets met" + (": MISSED " + "; ".join(f"{row.group} {row.item}" for row in missed) if missed else ""))
    return 1 if missed or report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
