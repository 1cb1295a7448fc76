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
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
CELL_TIMEOUT_SECONDS = 180
NOTEBOOK_TIMEOUT_SECONDS = 600
EXECUTE = """
import sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
path = Path(sys.argv[1])
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=int(sys.argv[3]), kernel_name=sys.argv[2], resources={"metadata": {"path": str(path.parent)}}).execute()
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

    # Installed for real, found through importlib.resources, and nothing but the base dependencies.
    probe = _run([str(venv_python), "-c", (
        "import importlib.util, json, isotretinoin_course, isotretinoin_course.core.resources as r\n"
        "print(json.dumps({'package': isotretinoin_course.__file__, 'datasets': str(r.datasets_directory()),\n"
        "  'absent': [name for name in ('jsonschema', 'nbgrader', 'pytest', 'playwright', 'jupyterlab', 'nbformat') if importlib.util.find_spec(name) is None]}))"
    )], cwd=workdir, timeout=120)
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
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "ISOTRETINOIN_COURSE_DATASETS")}
    env.update(JUPYTER_PATH=str(workdir / "jupyter"), JUPYTER_CONFIG_DIR=str(workdir / "config"), JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
               IPYTHONDIR=str(workdir / "ipython"), MPLCONFIGDIR=str(workdir / "matplotlib"), PYDEVD_DISABLE_FILE_VALIDATION="1")

    def execute(path: Path) -> str | None:
        try:
            result = subprocess.run([sys.executable, "-c", EXECUTE, str(path), "course-wheel", str(CELL_TIMEOUT_SECONDS)], cwd=path.parent,
                                    env=env, capture_output=True, text=True, timeout=NOTEBOOK_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return f"{path.name}: not finished after {NOTEBOOK_TIMEOUT_SECONDS} s"
        return None if result.returncode == 0 else f"{path.name}:\n{result.stderr[-2500:]}"

    notebooks = notebooks_to_run(workdir)
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [failure for failure in pool.map(execute, notebooks) if failure]
    finished = time.perf_counter()
    print(f"wheel on Python {version}: build and install {installed - started:.0f} s, {len(notebooks)} notebooks {finished - installed:.0f} s")
    assert len(notebooks) == 14
    assert not failures, "\n\n".join(failures)
