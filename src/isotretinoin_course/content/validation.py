"""Reading content files and validating them against their JSON Schemas, with messages naming file, entry and field.

Every kind of content file has a schema in ``content/schemas/<kind>.schema.json``. :func:`validate_data`
checks a loaded file against it and raises :class:`ContentError` naming the file, the entry (by number
and id, e.g. ``question 3 ('q-sebum')``, ``rule 'pretreatment_tests'``) and the field. jsonschema is
imported only when a check runs (importing it costs seconds at a kernel's start), so notebooks never pay
for it: the tests and ``python3 course.py execute`` validate every content file the package ships
(:func:`course_content_problems`), and the run-time loaders read those files as they are.

Run ``python -m isotretinoin_course.content.validation`` to check every content file by hand.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from ..core.errors import CourseInputError
from ..core.resources import content_file, content_files



class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader (the C parser when available: same result, faster) that leaves dates as text.

    JSON Schema knows no date type, so ``2021-12-13`` stays the string "2021-12-13" and the loaders read it
    with :func:`~isotretinoin_course.core.inputs.read_date`.
    """


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _YamlLoader.yaml_implicit_resolvers.items()
}
_YAML_LOADER = _YamlLoader

# The list-valued sections of content files, and what one entry is called in a message.
ENTRY_NAMES = {
    "questions": "question", "topics": "topic", "steps": "step", "lessons": "lesson", "assignments": "assignment",
    "serious_warnings": "warning", "interactions": "interaction", "procedures": "procedure",
    "psychiatric_risk_ratios": "risk ratio", "methods": "method", "not_modelled": "not-modelled item",
}
# The field that names an entry in a message, in order of preference.
IDENTIFYING_FIELDS = ("id", "key", "file", "topic", "agent", "procedure", "outcome", "name")
# The mapping-valued sections, whose entries are named by their key.
KEYED_ENTRY_NAMES = {"rules": "rule", "ranges": "range", "conditions": "condition", "statuses": "status", "products": "product",
                     "programmes": "programme", "source_labels": "source label"}


class ContentError(CourseInputError):
    """A content file that cannot be used; the message names the file, the entry and the field."""


def read_structured(path: Traversable | Path, error: type[ContentError] = ContentError) -> object:
    """The parsed content of a YAML or JSON file; an unreadable or malformed file raises ``error`` naming it."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    if source.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as problem:
            raise error(f"{source}: not valid JSON: {problem}") from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as problem:
        raise error(f"{source}: not valid YAML: {problem}") from None


def field_path(path: Iterable[object]) -> str:
    """``['options', 1, 'feedback']`` as ``options[1].feedback``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def where(source: str, raw: object, path: Sequence[object]) -> str:
    """Name the file, the entry (by number and id, or by key) and the field of a problem."""
    path = list(path)
    if len(path) >= 2 and isinstance(raw, Mapping):
        section, position = path[0], path[1]
        if isinstance(position, int) and section in ENTRY_NAMES:
            entries = raw.get(section) or []
            entry = entries[position] if position < len(entries) else {}
            ident = next((entry.get(key) for key in IDENTIFYING_FIELDS if isinstance(entry, Mapping) and entry.get(key)), None)
            name = f"{ENTRY_NAMES[section]} {position + 1}" + (f" ({ident!r})" if ident else "")
            return f"{source}: {name}, field '{field_path(path[2:])}'"
        if isinstance(position, str) and section in KEYED_ENTRY_NAMES:
            return f"{source}: {KEYED_ENTRY_NAMES[section]} {position!r}, field '{field_path(path[2:])}'"
    return f"{source}: field '{field_path(path)}'"


@cache
def schema(kind: str) -> dict:
    """The JSON Schema of one kind of content file (``quiz_bank``, ``rule_set``, ``lessons`` ...)."""
    return json.loads(content_file("schemas", f"{kind}.schema.json").read_text(encoding="utf-8"))


def schema_kinds() -> list[str]:
    return [entry.name.removesuffix(".schema.json") for entry in content_files("schemas", ".schema.json")]


def validate_data(raw: object, kind: str, source: str, error: type[ContentError] = ContentError) -> None:
    """Refuse ``raw`` (the parsed file ``source``) if it breaks the schema of ``kind``; the first problem is named."""
    try:
        import jsonschema  # here, not at the top: see the module docstring
    except ImportError:
        raise error(f"{source}: validating content needs jsonschema (pip install 'isotretinoin-course[authoring]')") from None
    validator = jsonschema.Draft202012Validator(schema(kind))
    problems = sorted(validator.iter_errors(raw), key=lambda problem: [(0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in problem.absolute_path])
    if problems:
        first = problems[0]
        more = f" ({len(problems) - 1} more problem(s) in the file)" if len(problems) > 1 else ""
        raise error(f"{where(source, raw, first.absolute_path)}: {first.message}{more}")


def load_checked(path: str | Path | Traversable, kind: str, check: Callable[[object, str], None] | None = None,
                 error: type[ContentError] = ContentError, validate: bool = True) -> object:
    """Read a content file, validate it against its schema (unless ``validate`` is False: the course's own
    files, validated by the tests) and run ``check``, the rules a schema cannot express (unique ids,
    references between entries)."""
    path = Path(path) if isinstance(path, str) else path
    raw = read_structured(path, error)
    if validate:
        validate_data(raw, kind, path.name, error)
    if check is not None:
        check(raw, path.name)
    return raw


def course_content_problems() -> list[str]:
    """Every problem in every content file the package ships: each validated against its schema and its own checks."""
    from . import (adverse_effects, bibliography, capstone, contraception, counselling, label_dosing, lessons, pk_parameters, programmes,
                   quiz_banks, ranges, rule_sets)

    checks: list[tuple[Callable[[], object], str]] = [
        (lambda: bibliography.load_bibliography(bibliography.BIBLIOGRAPHY_FILE), "references.json"),
        (lambda: lessons.load_lessons(lessons.LESSONS_FILE), lessons.LESSONS_FILE.name),
        (lambda: counselling.load_topics(counselling.TOPICS_FILE), counselling.TOPICS_FILE.name),
        (lambda: adverse_effects.load_adverse_effects(adverse_effects.ADVERSE_EFFECTS_FILE), adverse_effects.ADVERSE_EFFECTS_FILE.name),
        (lambda: capstone.load_capstone_text(capstone.CAPSTONE_FILE), capstone.CAPSTONE_FILE.name),
        (lambda: ranges.load_ranges(ranges.RANGES_FILE), ranges.RANGES_FILE.name),
        (lambda: pk_parameters.load_pk_parameters(pk_parameters.PK_PARAMETERS_FILE), pk_parameters.PK_PARAMETERS_FILE.name),
        (lambda: label_dosing.load_label_dosing(label_dosing.LABEL_DOSING_FILE), label_dosing.LABEL_DOSING_FILE.name),
        (lambda: programmes.load_programmes(programmes.PROGRAMMES_FILE), programmes.PROGRAMMES_FILE.name),
        (lambda: contraception.load_methods(contraception.METHODS_FILE), contraception.METHODS_FILE.name),
    ]
    checks += [(lambda entry=entry: quiz_banks.load_bank_file(entry), entry.name) for entry in content_files("quiz_banks", ".yml")]
    checks += [(lambda entry=entry: rule_sets.load_rule_set(entry), entry.name) for entry in content_files("rule_sets", ".yml")]
    problems = []
    for load, name in checks:
        try:
            load()
        except ContentError as problem:
            problems.append(str(problem))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    del argv
    problems = course_content_problems()
    print("\n".join(problems) if problems else "every content file is valid")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
