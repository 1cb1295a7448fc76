"""Benchmark the PK model and the simulator widget (run: .venv-dev/bin/python benchmarks/pk_benchmark.py).

Targets (issue 3): a six-month twice-daily simulation at 15-minute resolution in
under 20 ms, and one simulator update (recompute and redraw) in under 150 ms,
median, on a 2-core machine. Prints both with the machine it ran on. This is a
measurement, not a test: timings depend on the machine.
"""

from __future__ import annotations

import os
import platform
import statistics
import time

from isotretinoin_course.models.isotretinoin_pk import model_for
from isotretinoin_course.models.pharmacokinetics import Regimen, simulate
from isotretinoin_course.widgets import PKSimulator

SIMULATION_TARGET_MS = 20.0
UPDATE_TARGET_MS = 150.0


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def median_ms(action, repeats: int) -> float:
    action()  # warm caches (imports, font cache, first allocation)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> int:
    model = model_for("conventional", "fed")
    six_months = Regimen(dose_mg=40, interval_h=12, days=182)
    simulation_ms = median_ms(lambda: simulate(model, six_months, 70, step_h=0.25), repeats=50)

    simulator = PKSimulator(days=182)
    doses = iter(["30", "40"] * 100)
    update_ms = median_ms(lambda: setattr(simulator.dose, "value", next(doses)), repeats=30)

    print(f"machine: {platform.machine()}, {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    points = simulate(model, six_months, 70, step_h=0.25).times_h.size
    print(f"six-month twice-daily simulation ({points} points, 15-min steps, with metabolite): median {simulation_ms:.1f} ms (target < {SIMULATION_TARGET_MS:g} ms)")
    print(f"simulator update (recompute + redraw to PNG): median {update_ms:.1f} ms (target < {UPDATE_TARGET_MS:g} ms)")
    met = simulation_ms < SIMULATION_TARGET_MS and update_ms < UPDATE_TARGET_MS
    print("both targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
