"""Set-up stays honest: one dependency list in two formats, pinned, and the README's two commands."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import NOTEBOOKS, ROOT

from isotretinoin_course.course_map import LESSONS


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*(.*)$", requirement)
    assert match, requirement
    return _normalise(match.group(1)), match.group(2).replace(" ", "")


def pyproject_dependencies() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_split(requirement) for requirement in requirements)


def environment_dependencies() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [item for item in environment["dependencies"] if isinstance(item, str)]
    return dict(_split(item) for item in conda if not item.startswith(("python", "pip")))


def test_environment_yml_lists_the_same_dependencies_and_ranges_as_pyproject():
    assert environment_dependencies() == pyproject_dependencies()


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
    missing = set(pyproject_dependencies()) - pinned
    assert not missing, f"pyproject dependencies without a pin in constraints.txt: {sorted(missing)}"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.DOTALL).group(1)
    commands = [line for line in first_block.splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["python3 course.py lab", "python3 course.py test"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert ci[-1] == "exec python3 course.py test"


def test_course_map_matches_the_notebooks_that_exist():
    existing = {path.name for path in NOTEBOOKS}
    available = {lesson.filename for lesson in LESSONS if lesson.available}
    assert existing == available


def test_licences_are_stated():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "CC BY 4.0" in readme and "MIT" in readme
