"""How many students can one server take? A measurement, not a test.

    sudo ISOHUB_TEST_PREFIX=/opt/isotretinoin-hub-ci .venv/bin/python benchmarks/hub_capacity.py 10 20 40

For each class size N it creates N temporary local accounts, starts the hub (the deployment's own
jupyterhub_config.py, idle culler included) on 127.0.0.1, and then, like a class at the start of a
lesson, all at once:

1. every student logs in through the login form and starts a server;
2. every student opens lesson 03 and runs all of it through the kernel websocket (the PK simulator
   widget included);
3. every student moves the simulator five times (a comm "update" of its dose box, as the browser sends
   when a student types a dose), with a pause of 1-3 s between moves (seeded), and each move must make
   the kernel redraw the plot.

It reports the server start time, the notebook run time and the widget update time (median and 95th
percentile), the memory per student (PSS of the student's server and kernel, so shared libraries are
counted once), the hub's and proxy's own memory, and the machine. Results go to stdout as Markdown and
to build/hub-capacity-N.json. Everything is removed afterwards. Refuses to start when the machine does
not have the memory the class would need.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pwd
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy" / "jupyterhub"
sys.path.insert(0, str(DEPLOY / "isotretinoin_hub" / "src"))

from isotretinoin_hub.classroom import TemporaryClass, _descendants, _processes  # noqa: E402
from isotretinoin_hub.client import HubUser  # noqa: E402

LESSON = "03_pharmacokinetics.ipynb"
# Each differs from the one before and from the lesson's own starting dose, so every move must redraw the plot.
DOSES = ["50", "20", "60", "40", "25"]
MB = 1024 * 1024
# Measured on the first runs (server + kernel of lesson 03, PSS): used only to refuse a run that
# cannot fit, with a margin for the hub, the proxy and other users of the machine.
ESTIMATED_MB_PER_STUDENT = 330


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def pss_by_uid() -> dict[int, int]:
    """Proportional set size (bytes) of all processes, summed per uid."""
    totals: dict[int, int] = {}
    for pid, (_, uid, _) in _processes().items():
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        totals[uid] = totals.get(uid, 0) + int(line.split()[1]) * 1024
                        break
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return totals


def pss_of(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def mem_available() -> int:
    with open("/proc/meminfo") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("MemAvailable:"))


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") *
            os.sysconf("SC_PHYS_PAGES") / 1024 ** 3, 1), "kernel": platform.release(),
            "python": platform.python_version(), "load_before": os.getloadavg()}


def student_session(user: HubUser, lessons_folder: str, seed: int, gate: threading.Barrier) -> dict:
    """One student's lesson: run it all, move the simulator five times, then wait (kernel alive) at
    ``gate`` while memory is measured."""
    path = f"{lessons_folder}/{LESSON}"
    notebook = user.contents(path)["content"]
    start = time.monotonic()
    session, kernel = user.open_kernel(path, timeout=600)
    try:
        results = kernel.run_notebook(notebook, timeout=600)
        run_s = time.monotonic() - start
        errors = [(r.index, r.error["ename"]) for r in results if r.error]
        if errors:
            raise RuntimeError(f"{user.name}: {LESSON} failed: {errors}")
        dose = kernel.find_widget("TextModel", description="Dose per intake (mg)")
        plot = kernel.find_widget("ImageModel")
        rng = random.Random(seed)
        updates = []
        if kernel.widgets[dose].get("value") == DOSES[0]:
            raise RuntimeError(f"{LESSON} starts the simulator at {DOSES[0]} mg: change DOSES so every move changes it")
        for value in DOSES:
            time.sleep(rng.uniform(1, 3))
            seconds, changed = kernel.update_widget(dose, timeout=300, value=value)
            if plot not in changed:
                raise RuntimeError(f"{user.name}: the plot was not redrawn after dose {value}")
            updates.append(seconds)
        gate.wait(timeout=1800)  # everyone's kernel is alive: the main thread measures memory
        gate.wait(timeout=600)   # measured: close
        return {"run_s": run_s, "updates_s": updates}
    except BaseException:
        gate.abort()
        raise
    finally:
        kernel.close()
        user.close_session(session)


def measure(n: int, prefix: Path) -> dict:
    need = n * ESTIMATED_MB_PER_STUDENT * MB + 2 * 1024 * MB
    if mem_available() < need:
        raise SystemExit(f"{n} students need about {need / 1024 ** 3:.1f} GB free; "
                         f"{mem_available() / 1024 ** 3:.1f} GB is available. Try fewer.")
    info = machine()
    available_before = mem_available()
    with TemporaryClass(prefix, DEPLOY / "jupyterhub_config.py", students=n, instructors=0) as tc:
        users = [tc.user(name) for name in tc.students]
        uids = {name: pwd.getpwnam(name).pw_uid for name in tc.students}
        with ThreadPoolExecutor(max_workers=n) as pool:
            list(pool.map(lambda u: u.login(), users))
            spawn = list(pool.map(lambda u: u.start_server(timeout=600), users))
            idle = pss_by_uid()
            idle_mb = [idle.get(uids[u.name], 0) / MB for u in users]
            gate = threading.Barrier(n + 1)
            futures = [pool.submit(student_session, user, tc.settings.lessons_folder, seed, gate)
                       for seed, user in enumerate(users)]
            try:
                gate.wait(timeout=1800)
            except threading.BrokenBarrierError:
                # A student's session failed and broke the barrier: report its error, not the barrier's.
                for future in futures:
                    if future.exception(timeout=600) is not None:
                        raise future.exception() from None
                raise
            active = pss_by_uid()
            active_mb = [active.get(uids[u.name], 0) / MB for u in users]
            table = _processes()
            hub_tree = {tc.hub.pid} | {p for p in _descendants(tc.hub.pid, table) if table[p][1] == 0}
            hub_mb = pss_of(hub_tree) / MB
            available_during = mem_available()
            gate.wait(timeout=600)
            sessions = [f.result() for f in futures]
    runs = [s["run_s"] for s in sessions]
    updates = [u for s in sessions for u in s["updates_s"]]
    return {
        "students": n, "machine": info,
        "spawn_s": {"p50": statistics.median(spawn), "p95": percentile(spawn, 0.95), "max": max(spawn)},
        "notebook_run_s": {"p50": statistics.median(runs), "p95": percentile(runs, 0.95), "max": max(runs)},
        "widget_update_s": {"p50": statistics.median(updates), "p95": percentile(updates, 0.95),
                            "max": max(updates), "count": len(updates)},
        "memory_mb": {"idle_server_per_student": statistics.median(idle_mb),
                      "active_per_student": statistics.median(active_mb),
                      "active_per_student_max": max(active_mb),
                      "hub_proxy_culler": hub_mb,
                      "machine_used_by_class": (available_before - available_during) / MB},
        "load_after": os.getloadavg(),
    }


def report(result: dict) -> str:
    r = result
    return (f"| {r['students']} | {r['spawn_s']['p50']:.1f} / {r['spawn_s']['p95']:.1f} | "
            f"{r['notebook_run_s']['p50']:.1f} / {r['notebook_run_s']['p95']:.1f} | "
            f"{r['widget_update_s']['p50']:.2f} / {r['widget_update_s']['p95']:.2f} | "
            f"{r['memory_mb']['idle_server_per_student']:.0f} | {r['memory_mb']['active_per_student']:.0f} | "
            f"{r['memory_mb']['hub_proxy_culler']:.0f} | {r['memory_mb']['machine_used_by_class'] / 1024:.1f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 20, 40])
    parser.add_argument("--prefix", type=Path, default=Path(os.environ.get("ISOHUB_TEST_PREFIX", "/opt/isotretinoin-hub-ci")))
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("run as root: the benchmark creates temporary local accounts", file=sys.stderr)
        return 2
    out = REPO / "build"
    out.mkdir(exist_ok=True)
    rows = []
    for n in args.sizes:
        print(f"-- {n} students ...", flush=True)
        result = measure(n, args.prefix)
        (out / f"hub-capacity-{n}.json").write_text(json.dumps(result, indent=1))
        rows.append(report(result))
        print(rows[-1], flush=True)
    m = machine()
    print(f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Linux {m['kernel']}, Python {m['python']}")
    print("| students | server start s (p50 / p95) | lesson 03 run s (p50 / p95) | widget update s (p50 / p95) | "
          "idle server MB/student | active MB/student | hub+proxy+culler MB | class total GB |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
