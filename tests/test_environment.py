"""Set-up stays honest: dependencies by audience, one list in two formats, pinned, and the README's two commands."""

from __future__ import annotations

import re
import sys
import tomllib

import yaml
from conftest import NOTEBOOKS, ROOT

from isotretinoin_course.content.lessons import lessons


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*(.*)$", requirement)
    assert match, requirement
    return _normalise(match.group(1)), match.group(2).replace(" ", "")


def pyproject_dependencies(*extras: str) -> dict[str, str]:
    """The base dependencies and those of the extras named, by normalised name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [item for extra in extras for item in project["optional-dependencies"][extra]]
    return dict(_split(requirement) for requirement in requirements)


def every_extra() -> tuple[str, ...]:
    return tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])


def environment_dependencies() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [item for item in environment["dependencies"] if isinstance(item, str)]
    return dict(_split(item) for item in conda if not item.startswith(("python", "pip")))


def test_environment_yml_is_the_student_environment_of_pyproject():
    assert environment_dependencies() == pyproject_dependencies("lab")


def test_students_get_neither_grading_nor_test_tools():
    student = set(pyproject_dependencies("lab"))
    assert not student & {"nbgrader", "pytest", "playwright", "nbval", "frictionless", "jsonschema", "nbclient", "nbformat"}
    assert {"jupyterlab", "ipykernel", "ipywidgets", "matplotlib", "numpy", "pandas", "pyyaml"} <= student
    assert set(pyproject_dependencies("instructor")) - student == {"nbgrader"}


def test_course_py_installs_by_audience():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    sys.modules["course_script"] = course  # dataclasses look their module up while the script loads
    spec.loader.exec_module(course)
    assert course.STUDENT.extras == "lab" and course.STUDENT.folder == ".venv"
    assert set(course.DEVELOPMENT.extras.split(",")) == set(every_extra())


def test_requires_python_says_what_is_tested():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"


def test_environment_yml_installs_the_course_package_with_python_311():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in environment["dependencies"]
    pip_section = next(item for item in environment["dependencies"] if isinstance(item, dict))
    assert pip_section["pip"] == ["-e ."]
    assert environment["channels"] == ["conda-forge"]


def test_constraints_pin_every_dependency_exactly():
    lines = [line for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    pins = dict(line.split("==") for line in lines)
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version) for version in pins.values()), "every line must be NAME==VERSION"
    pinned = {_normalise(name) for name in pins}
    missing = set(pyproject_dependencies(*every_extra())) - pinned
    assert not missing, f"pyproject dependencies without a pin in constraints.txt: {sorted(missing)}"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.DOTALL).group(1)
    commands = [line for line in first_block.splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["python3 course.py lab", "python3 course.py test"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert ci[-1] == "exec python3 course.py test"


def test_lesson_manifest_matches_the_notebooks_and_assignments_that_exist():
    existing = {path.name for path in NOTEBOOKS}
    available = {lesson.filename for lesson in lessons() if lesson.available}
    assert existing == available
    assignments = {path.name for path in (ROOT / "exercises" / "source").iterdir() if path.is_dir()}
    assert assignments == {assignment.id for lesson in lessons() for assignment in lesson.assignments}


def test_licences_are_stated():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "CC BY 4.0" in readme and "MIT" in readme


def test_readme_lesson_tables_are_generated_from_the_manifest():
    from isotretinoin_course.authoring.readme import render

    readme = (ROOT / "README.md").read_text()
    assert render(readme) == readme, "the README's lesson tables are out of date: run python3 course.py readme"
    assert "| 05 Laboratory monitoring | `notebooks/05_laboratory_monitoring.ipynb` |" in readme


def test_readme_table_check_fails_on_a_stale_table(tmp_path):
    from isotretinoin_course.authoring.readme import main

    stale = tmp_path / "README.md"
    stale.write_text((ROOT / "README.md").read_text().replace("| 05 Laboratory monitoring |", "| 05 Lab tests |"))
    assert main([str(stale), "--check"]) == 1
    assert main([str(stale)]) == 0 and main([str(stale), "--check"]) == 0


def test_every_locked_package_installs_on_the_oldest_python_we_support():
    """Debian 12's python3 is 3.11.2: a pin that needs 3.11.5 would break the README's commands there."""
    from importlib.metadata import distributions

    from packaging.specifiers import SpecifierSet

    oldest = "3.11.2"
    lines = [line for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    pins = {_normalise(name): version for name, version in (line.split("==") for line in lines)}
    refused = []
    for distribution in distributions():
        name = _normalise(distribution.metadata["Name"])
        requires_python = distribution.metadata.get("Requires-Python")
        if name in pins and distribution.version == pins[name] and requires_python and not SpecifierSet(requires_python).contains(oldest):
            refused.append(f"{name}=={distribution.version} requires Python {requires_python}")
    assert not refused, f"pins that Python {oldest} cannot install: {refused}"


def test_binder_installs_the_student_environment_from_the_lock():
    """binder/ (repo2docker reads only it) installs the course with the student extras, constrained by the lock."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    course = importlib.util.module_from_spec(spec)
    sys.modules["course_script"] = course
    spec.loader.exec_module(course)
    binder = ROOT / "binder"
    lines = [line for line in (binder / "requirements.txt").read_text().splitlines() if line.strip() and not line.startswith("#")]
    constraint = next(line for line in lines if line.startswith("-c "))
    assert (binder / constraint.removeprefix("-c ").strip()).resolve() == (ROOT / "requirements" / "constraints.txt").resolve()
    assert lines == [constraint, f".[{course.STUDENT.extras}]"]
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"  # the Python the lock is made and tested on
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111 and post_build.read_text().startswith("#!/bin/bash")
