"""The course as users install it, for tests/test_wheel_py311.py and tests/test_wheel_py313.py (two files, so the
two Python versions can run on different pytest-xdist workers).

:func:`check_installed_wheel` builds the wheel from a copy of the repository, installs it **non-editable**
into a fresh virtual environment with only the base (student, run-time) dependencies pinned by the lock,
and executes every lesson notebook and every assignment's source notebook (the solutions) from a folder
outside the repository, with that environment's Python as the kernel, two notebooks at a time. The
front end (JupyterLab, the ``lab`` extra) is not installed: executing notebooks does not use it, and
leaving it out proves the notebooks need nothing beyond the base dependencies (jsonschema, for one, is
absent). Outside CI a Python version that is not on the machine skips the test; with ``CI=true`` it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from isotretinoin_course.content.lessons import assignments, lessons

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
CELL_TIMEOUT_SECONDS = 120  # nbclient names the cell that ran out of time
BATCH_TIMEOUT_SECONDS = 420  # seven notebooks take under a minute even on a busy machine; below pytest's 600 s per test, so a
# stall outside a cell fails here, naming its notebook, rather than as pytest-timeout's bare "Timeout"
# Runs a list of notebooks one after the other in one process, each in a fresh kernel, and reports each as a JSON line.
# One process for several notebooks: importing nbformat costs about a second (jsonschema's format checks compile a
# grammar at import), which one process per notebook would pay fourteen times. The kernels talk over Unix sockets
# under a path of their own (argv[3]), not TCP ports: on a busy machine two processes starting kernels at the same
# moment can pick the same free port, and one kernel then dies before it answers.
EXECUTE = """
import json, sys, time, traceback
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from traitlets.config import Config
kernel, timeout, sockets = sys.argv[1], int(sys.argv[2]), sys.argv[3]
config = Config()
config.KernelManager.transport, config.KernelManager.ip = "ipc", sockets
for name in sys.argv[4:]:
    path = Path(name)
    print(json.dumps({"started": path.name}), flush=True)
    start = time.perf_counter()
    try:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=timeout, kernel_name=kernel, resources={"metadata": {"path": str(path.parent)}}, config=config).execute()
        print(json.dumps({"finished": path.name, "seconds": round(time.perf_counter() - start, 1)}), flush=True)
    except Exception:
        print(json.dumps({"failed": path.name, "error": traceback.format_exc()[-2500:]}), flush=True)
"""


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        result = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    major, minor = result.stdout.split()
    return int(major), int(minor)


def find_python(version: str) -> str | None:
    """An interpreter of ``version`` ("3.13"): $COURSE_PYTHON_3_13, this one, python3.13 on PATH, or pyenv's."""
    wanted = tuple(int(part) for part in version.split("."))
    candidates = [os.environ.get(f"COURSE_PYTHON_{version.replace('.', '_')}"), sys.executable, shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += [str(path) for path in sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"), reverse=True)]
    candidates += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    for candidate in candidates:
        if candidate and Path(candidate).exists() and _version_of(candidate) == wanted:
            return candidate
    return None


def build_wheel(workdir: Path) -> Path:
    """The course's wheel, built (without network) from a copy of what the wheel contains."""
    source = workdir / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    shutil.copytree(ROOT / "datasets", source / "datasets", ignore=ignore)
    result = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(workdir / "dist"), str(source)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return next((workdir / "dist").glob("isotretinoin_course-*.whl"))


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def install_wheel(python: str, wheel: Path, workdir: Path) -> Path:
    """A fresh venv with the wheel (non-editable) and its base dependencies at the lock's versions; its Python.

    uv installs them: the same packages at the same pinned versions as pip would, in seconds rather than the
    20 s pip takes (uv skips compiling bytecode; the first kernel does that for the imports it needs).
    """
    venv = workdir / "venv"
    _run([python, "-m", "venv", "--without-pip", str(venv)], timeout=300)
    venv_python = venv / "bin" / "python"
    uv = Path(sys.executable).parent / "uv"
    _run([str(uv), "pip", "install", "--quiet", "--python", str(venv_python), "-c", str(CONSTRAINTS), str(wheel)], timeout=900)
    return venv_python


def notebooks_to_run(workdir: Path) -> list[Path]:
    """Copies of every lesson notebook and every assignment's source notebook, away from the repository."""
    lessons = workdir / "run" / "notebooks"
    shutil.copytree(ROOT / "notebooks", lessons, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    exercises = workdir / "run" / "exercises"
    shutil.copytree(ROOT / "exercises" / "source", exercises, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return sorted(lessons.glob("[0-9][0-9]_*.ipynb")) + sorted(exercises.glob("*/*.ipynb"))


def check_installed_wheel(version: str, workdir: Path) -> None:
    python = find_python(version)
    if python is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but no Python {version} was found (set COURSE_PYTHON_{version.replace('.', '_')} to its path)")
        pytest.skip(f"no Python {version} on this machine (set COURSE_PYTHON_{version.replace('.', '_')} to test the wheel on it)")
    started = time.perf_counter()
    wheel = build_wheel(workdir)
    venv_python = install_wheel(python, wheel, workdir)
    installed = time.perf_counter()

    # The kernel's environment: the installed course only, and nothing written into the home directory. uv leaves
    # bytecode uncompiled, and a machine with PYTHONDONTWRITEBYTECODE=1 (CI images often set it) would then compile
    # pandas, matplotlib and the rest from source in every kernel, a second or more each: allow bytecode in this
    # throwaway environment (pip's install would have compiled it) and compile what a lesson imports, and build
    # matplotlib's font cache, once in the probe below, before two kernels start side by side.
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "ISOTRETINOIN_COURSE_DATASETS", "PYTHONDONTWRITEBYTECODE")}
    env.update(JUPYTER_PATH=str(workdir / "jupyter"), JUPYTER_CONFIG_DIR=str(workdir / "config"), JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
               IPYTHONDIR=str(workdir / "ipython"), MPLCONFIGDIR=str(workdir / "matplotlib"), PYDEVD_DISABLE_FILE_VALIDATION="1")

    # Installed for real, found through importlib.resources, and nothing but the base dependencies.
    probe = _run([str(venv_python), "-c", (
        "import importlib.util, json, isotretinoin_course, isotretinoin_course.core.resources as r\n"
        "import ipykernel.kernelapp, ipywidgets, matplotlib.pyplot, matplotlib_inline.backend_inline, pandas, yaml\n"
        "import isotretinoin_course.widgets, isotretinoin_course.figures, isotretinoin_course.data.loader\n"
        "print(json.dumps({'package': isotretinoin_course.__file__, 'datasets': str(r.datasets_directory()),\n"
        "  'absent': [name for name in ('jsonschema', 'nbgrader', 'pytest', 'playwright', 'jupyterlab', 'nbformat') if importlib.util.find_spec(name) is None]}))"
    )], cwd=workdir, env=env, timeout=300)
    facts = json.loads(probe.stdout)
    site = str(venv_python.parent.parent)
    assert facts["package"].startswith(site) and "site-packages" in facts["package"], facts
    assert facts["datasets"].startswith(site) and Path(facts["datasets"], "datapackage.json").exists(), facts
    assert facts["absent"] == ["jsonschema", "nbgrader", "pytest", "playwright", "jupyterlab", "nbformat"], facts

    # A kernel that runs the installed course, seen only by the processes below.
    kernels = workdir / "jupyter" / "kernels" / "course-wheel"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(venv_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"course wheel (Python {version})", "language": "python"}))

    def execute(batch: list[Path], number: int) -> list[str]:
        """Run ``batch`` in one process; a problem for each notebook that failed or did not finish in time."""
        limit, stalled = BATCH_TIMEOUT_SECONDS, False
        sockets = workdir / "runtime" / f"batch-{number}"
        if len(str(sockets)) > 90:  # a Unix socket's path must stay under about 100 characters
            sockets = Path(tempfile.mkdtemp(prefix="course-wheel-")) / f"batch-{number}"
        sockets.parent.mkdir(exist_ok=True)
        command = [sys.executable, "-c", EXECUTE, "course-wheel", str(CELL_TIMEOUT_SECONDS), str(sockets), *map(str, batch)]
        try:
            result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=limit)
            output, errors = result.stdout, result.stderr
        except subprocess.TimeoutExpired as expired:  # the output captured so far is bytes here
            output, errors, stalled = (expired.stdout or b"").decode(errors="replace"), (expired.stderr or b"").decode(errors="replace"), True
        events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        started = [event["started"] for event in events if "started" in event]
        ended = {event.get("finished") or event.get("failed") for event in events if "started" not in event}
        problems = [f"{event['failed']} (Python {version}, installed wheel):\n{event['error']}\nkernels' messages (end):\n{errors[-1500:]}"
                    for event in events if "failed" in event]
        if stalled:
            running = next((name for name in started if name not in ended), "between two notebooks")
            problems.append(f"{running} (Python {version}, installed wheel): still running when the batch's {limit} s ran out")
        elif result.returncode != 0 or len(ended) < len(batch):
            problems.append(f"the notebook runner stopped after {len(ended)} of {len(batch)} notebooks (Python {version}): {errors[-2500:]}")
        return problems

    notebooks = notebooks_to_run(workdir)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two processes, every other notebook each
        failures = [failure for problems in pool.map(execute, [notebooks[0::2], notebooks[1::2]], [0, 1]) for failure in problems]
    finished = time.perf_counter()
    print(f"wheel on Python {version}: build and install {installed - started:.0f} s, {len(notebooks)} notebooks {finished - installed:.0f} s")
    # Every lesson and every assignment of the manifest, no more and no fewer.
    assert len(notebooks) == len(lessons()) + len(assignments()), [path.name for path in notebooks]
    assert not failures, "\n\n".join(failures)
