"""Time what a student waits for in notebook 03 (run: .venv-dev/bin/python benchmarks/pk_benchmark.py).

Two measurements, each with its target (issue 3 and issue 21, item 2):

1. **A simulator update, from control change to new image**: a control's value is set exactly as the front
   end sets it, which runs the widget's observer (read the inputs, simulate, compute the exposure figures,
   redraw, encode the PNG, fill the text). Timed for every control of the simulator, alternating between
   two values so that each update really changes the picture, for the notebook's starting scenario (28 days)
   and for a six-month course. Target: median under 100 ms and 90th percentile under 200 ms, over all
   updates of a scenario (at least 15 per control).
2. **The six-month simulation** (twice daily, 15-minute steps, parent and metabolite). Target: median under 20 ms.

Prints a table with the machine it ran on and exits non-zero when a target is missed. A measurement, not a
test: timings depend on the machine and on what else it is doing (run it at a quiet moment, with ``nice``).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

from isotretinoin_course.models.isotretinoin_pk import model_for
from isotretinoin_course.models.pharmacokinetics import Regimen, simulate
from isotretinoin_course.widgets import PKSimulator

SIMULATION_TARGET_MS = 20.0
UPDATE_MEDIAN_TARGET_MS = 100.0
UPDATE_P90_TARGET_MS = 200.0
UPDATES_PER_CONTROL = 16

# Two values per control; the benchmark alternates between them. Controls the simulator lacks are skipped,
# so the same script measures an older simulator for a before/after comparison.
CONTROL_VALUES: dict[str, tuple[object, object]] = {
    "formulation": ("absorica", "conventional"),
    "meal": ("fasted", "fed"),
    "dose": ("30", "40"),
    "schedule": ("once daily", "twice daily"),
    "weight": ("55", "70"),
    "days": ("DAYS+7", "DAYS"),
    "missed": ("5-8", ""),
    "eliminator": ("slow", "typical"),
    "show_metabolite": (False, True),
}


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def percentile_90(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=10, method="inclusive")[-1]


def timings_ms(action: Callable[[], object], repeats: int) -> list[float]:
    action()  # warm up: imports, font cache, first allocations
    result = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        result.append((time.perf_counter() - start) * 1000)
    return result


def update_timings(days: int) -> dict[str, list[float]]:
    """Milliseconds per update, by control, for a simulator opened on a course of ``days`` days."""
    simulator = PKSimulator(dose_mg=40, weight_kg=70, days=days)
    by_control: dict[str, list[float]] = {}
    for name, values in CONTROL_VALUES.items():
        control = getattr(simulator, name, None)
        if control is None:
            continue
        values = tuple(str(days + 7) if value == "DAYS+7" else str(days) if value == "DAYS" else value for value in values)
        control.value = values[0]  # warm up this control's path once
        control.value = values[1]
        timings = []
        for index in range(UPDATES_PER_CONTROL):
            before = simulator.plot.value
            start = time.perf_counter()
            control.value = values[index % 2]
            timings.append((time.perf_counter() - start) * 1000)
            if simulator.stale or simulator.plot.value == before:
                raise SystemExit(f"the update of {name!r} to {values[index % 2]!r} did not produce a new image: {simulator.message.value}")
        by_control[name] = timings
    return by_control


def main() -> int:
    print(f"machine: {platform.machine()}, {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()}; load average {os.getloadavg()[0]:.2f}")
    model = model_for("conventional", "fed")
    six_months = Regimen(dose_mg=40, interval_h=12, days=182)
    points = simulate(model, six_months, 70, step_h=0.25).times_h.size
    simulation = timings_ms(lambda: simulate(model, six_months, 70, step_h=0.25), repeats=50)
    simulation_ok = statistics.median(simulation) < SIMULATION_TARGET_MS
    print(f"\nsix-month twice-daily simulation ({points} points, 15-min steps, parent + metabolite): "
          f"median {statistics.median(simulation):.1f} ms, p90 {percentile_90(simulation):.1f} ms "
          f"(target: median < {SIMULATION_TARGET_MS:g} ms) {'met' if simulation_ok else 'MISSED'}")

    all_met = simulation_ok
    for days in (28, 182):
        by_control = update_timings(days)
        print(f"\nsimulator update, control change to new image, {days}-day course ({UPDATES_PER_CONTROL} updates per control)")
        print(f"{'control':16s} {'median ms':>10s} {'p90 ms':>8s} {'max ms':>8s}")
        for name, timings in by_control.items():
            print(f"{name:16s} {statistics.median(timings):10.1f} {percentile_90(timings):8.1f} {max(timings):8.1f}")
        every = [value for timings in by_control.values() for value in timings]
        median, p90 = statistics.median(every), percentile_90(every)
        met = median < UPDATE_MEDIAN_TARGET_MS and p90 < UPDATE_P90_TARGET_MS
        all_met &= met
        print(f"{'all controls':16s} {median:10.1f} {p90:8.1f} {max(every):8.1f}   (targets: median < {UPDATE_MEDIAN_TARGET_MS:g}, "
              f"p90 < {UPDATE_P90_TARGET_MS:g}) {'met' if met else 'MISSED'}")
    print("\nevery target met" if all_met else "\nTARGET MISSED")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
