"""The package's layers, checked by reading every module with ``ast``: who may import whom, what each layer may
use from outside, and that each subpackage says so in its docstring.

core ← content ← models ← data ← figures ← widgets; authoring may import any layer to build the course;
grading only core and content. The rules below are the ones the package docstring and each subpackage's
docstring state ("May import: ..."); a test keeps the two in step. The grading modules that run in the
launcher and inside the sandboxed kernel, where this folder is a top-level package with nothing of the
course around it, import only the standard library and each other.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = "isotretinoin_course"
SOURCE = ROOT / "src" / PACKAGE
LAYERS = ("core", "content", "models", "data", "figures", "widgets", "authoring", "grading")
ALLOWED = {
    "core": {"core"},
    "content": {"core", "content"},
    "models": {"core", "content", "models"},
    "data": {"core", "content", "models", "data"},
    "figures": {"core", "content", "models", "data", "figures"},
    "widgets": {"core", "content", "models", "data", "figures", "widgets"},
    "authoring": set(LAYERS),
    "grading": {"core", "content", "grading"},
}
# Third-party modules a layer must not import at all (a model draws nothing; data and content show nothing).
FORBIDDEN_EXTERNAL = {
    "core": {"ipywidgets", "matplotlib", "IPython", "pandas", "jsonschema", "nbformat", "nbclient"},
    "content": {"ipywidgets", "matplotlib", "IPython", "nbformat", "nbclient"},
    "models": {"ipywidgets", "matplotlib", "IPython", "nbformat", "nbclient"},
    "data": {"ipywidgets", "matplotlib", "IPython", "nbformat", "nbclient"},
    "figures": {"ipywidgets", "nbformat", "nbclient"},
    "widgets": {"nbformat", "nbclient"},
    "authoring": set(),
    "grading": {"ipywidgets", "matplotlib"},
}
# Heavy or build-time-only modules no notebook should pay for: never imported at a module's top level.
NEVER_AT_TOP_LEVEL = {"jsonschema", "frictionless", "nbgrader", "playwright", "pytest"}
# ...except by nbgrader's plug-ins, whose classes subclass nbgrader's: only nbgrader (and the driver) load them,
# and no notebook imports grading (only authoring may, by the layer rules).
NBGRADER_PLUGINS = {"grading/execute.py", "grading/feedback.py"}
# Run by the launcher and inside the sandbox as the top-level package ``grading`` (grading/__init__.py says why):
# the standard library and each other only, by relative import; the kernel's own libraries only inside functions.
SANDBOXED = {"grading/__init__.py", "grading/sandbox.py", "grading/launcher.py", "grading/boot.py", "grading/guard.py"}
KERNEL_LIBRARIES = {"IPython", "ipykernel", "zmq"}


def modules() -> list[Path]:
    return sorted(path for path in SOURCE.rglob("*.py") if "__pycache__" not in path.parts)


def layer_of(path: Path) -> str | None:
    relative = path.relative_to(SOURCE).parts
    return relative[0] if len(relative) > 1 else None


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(absolute module name, line, at the module's top level) of every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_parts = [PACKAGE, *path.relative_to(SOURCE).parts[:-1]]
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                if not node.module:  # "from . import x": each name is a module of the package
                    found += [(f"{module}.{alias.name}", node.lineno, id(node) in top_level) for alias in node.names]
                    continue
            else:
                module = node.module or ""
            found.append((module, node.lineno, id(node) in top_level))
    return found


def internal_layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(SOURCE)))
def test_imports_follow_the_layers(path):
    layer = layer_of(path)
    problems = []
    for module, line, top in imports(path):
        target = internal_layer(module)
        if layer is None:  # the package's own __init__ imports nothing of the package
            if target is not None:
                problems.append(f"line {line}: the package __init__ imports {module}")
            continue
        if target is not None and target not in ALLOWED[layer]:
            problems.append(f"line {line}: {layer} may not import {module} ({target})")
        root = module.split(".")[0]
        if root in FORBIDDEN_EXTERNAL[layer] or module in FORBIDDEN_EXTERNAL[layer]:
            problems.append(f"line {line}: {layer} may not import {module}")
        if root in NEVER_AT_TOP_LEVEL and top and not (root == "nbgrader" and _relative(path) in NBGRADER_PLUGINS):
            problems.append(f"line {line}: {module} is imported at the top level (import it where it is used)")
        if layer != "figures" and module == "matplotlib.pyplot":
            problems.append(f"line {line}: only figures may import matplotlib.pyplot")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


def _relative(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


@pytest.mark.parametrize("name", sorted(SANDBOXED))
def test_the_sandboxed_grading_modules_import_only_the_standard_library_and_each_other(name):
    """Inside the sandbox only the grading folder is mounted (as ``grading``): an import of the course's other
    layers, or of a third-party package at the top level, would fail there or widen what student code reaches."""
    path = SOURCE / name
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top_level = {id(node) for node in tree.body}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            siblings = [node.module] if node.module else [alias.name for alias in node.names]
            for sibling in siblings:
                if f"grading/{sibling.split('.')[0]}.py" not in SANDBOXED:
                    problems.append(f"line {node.lineno}: imports .{sibling}, which is not one of the sandboxed modules")
            continue
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            roots = [(node.module or "").split(".")[0]]
        else:
            continue
        for root in roots:
            if root in sys.stdlib_module_names or root == "__future__":
                continue
            if root in KERNEL_LIBRARIES and id(node) not in top_level:
                continue
            problems.append(f"line {node.lineno}: imports {root}" + (" (the course's package: use a relative import of a "
                                                                     "sandboxed module)" if root == PACKAGE else ""))
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_no_model_imports_a_widget_a_figure_a_generator_or_pyplot():
    """The review's complaint, stated directly: models compute and nothing else."""
    offenders = []
    for path in modules():
        if layer_of(path) != "models":
            continue
        for module, line, _top in imports(path):
            if internal_layer(module) in {"widgets", "figures", "data"} or module.split(".")[0] in {"ipywidgets", "matplotlib"}:
                offenders.append(f"{path.name}:{line} imports {module}")
    assert not offenders


def _declared(docstring: str) -> set[str]:
    match = re.search(r"^May import: (.+?)\.?\s*$", docstring, re.MULTILINE)
    assert match, "the docstring needs a line 'May import: ...'"
    text = match.group(1)
    return set(LAYERS) if text.startswith("any layer") else {name for name in LAYERS if re.search(rf"\b{name}\b", text)}


@pytest.mark.parametrize("layer", LAYERS)
def test_every_subpackage_says_what_belongs_in_it_and_what_it_may_import(layer):
    docstring = ast.get_docstring(ast.parse((SOURCE / layer / "__init__.py").read_text(encoding="utf-8")))
    assert docstring, f"{layer}/__init__.py needs a docstring"
    assert "What belongs here:" in docstring, layer
    assert _declared(docstring) == ALLOWED[layer], f"{layer}: its docstring and tests/test_architecture.py disagree"


def test_the_package_docstring_maps_every_layer():
    docstring = ast.get_docstring(ast.parse((SOURCE / "__init__.py").read_text(encoding="utf-8")))
    for layer in LAYERS:
        assert re.search(rf"^{layer}\s", docstring, re.MULTILINE), layer
    assert "isotretinoin_course.datasets" in docstring


def test_the_subpackages_on_disk_are_the_ones_pyproject_ships():
    """Every folder of the package, code or data only (quiz banks, the site's templates), is listed, and nothing else."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join((PACKAGE, *path.relative_to(SOURCE).parts)) for path in SOURCE.rglob("*")
               if path.is_dir() and "__pycache__" not in path.parts}
    assert listed == {PACKAGE, f"{PACKAGE}.datasets"} | folders
    assert {path.parent.name for path in SOURCE.glob("*/__init__.py")} == set(LAYERS)


def test_every_widget_uses_the_one_static_fallback():
    """Only widgets/base.py writes _repr_mimebundle_; every widget class derives from CourseWidget."""
    import ipywidgets

    from isotretinoin_course import widgets
    from isotretinoin_course.widgets.base import CourseWidget

    for path in (SOURCE / "widgets").glob("*.py"):
        if path.name != "base.py":
            assert "_repr_mimebundle_" not in path.read_text(encoding="utf-8"), path.name
    for name in widgets.__all__:
        item = getattr(widgets, name)
        if isinstance(item, type) and issubclass(item, ipywidgets.Widget):
            assert issubclass(item, CourseWidget), name


def test_every_observer_and_button_handler_goes_through_the_guard():
    """No widget module registers a callback directly: .observe( and .on_click( appear only in the base."""
    for path in (SOURCE / "widgets").glob("*.py"):
        if path.name == "base.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert ".observe(" not in text and ".on_click(" not in text, path.name
