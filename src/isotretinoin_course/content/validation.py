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

import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_path, read_sequence, read_text
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


def refusal(error: type[ContentError], location: str, value: object, allowed: str, problem: str) -> ContentError:
    """A content error naming where (``location``: the file, the entry and the field), the value and what is allowed."""
    return error(location, value, allowed, message=f"{location}: {problem}")


def content_path(path: object, field: str = "path", error: type[ContentError] = ContentError) -> Path | Traversable:
    """A content file given as text, a ``Path`` or a package resource (``Traversable``)."""
    if isinstance(path, Traversable) and not isinstance(path, Path):
        return path
    return read_path(path, field, error=error)


def read_text_file(path: Traversable | Path, error: type[ContentError] = ContentError, what: str = "file") -> str:
    """The text of a UTF-8 file (a byte-order mark, as Excel and Notepad write, is dropped); a missing file, a folder
    or bytes that are not UTF-8 are refused naming the file."""
    name = getattr(path, "name", str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise refusal(error, str(path), str(path), f"an existing {what}", f"no such {what}") from None
    except (IsADirectoryError, PermissionError, NotADirectoryError, OSError) as problem:
        reason = "is a folder, not a file" if isinstance(problem, IsADirectoryError) or getattr(path, "is_dir", lambda: False)() else f"cannot be read ({problem.strerror or problem})"
        raise refusal(error, str(path), str(path), f"a readable {what}", reason) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise refusal(error, name, data[problem.start:problem.start + 4], "UTF-8 text",
                      f"line {line} has bytes that are not UTF-8 text ({data[problem.start:problem.start + 4]!r}); save the file as UTF-8") from None


def read_structured(path: Traversable | Path, error: type[ContentError] = ContentError, what: str = "file") -> object:
    """The parsed content of a YAML or JSON file; an unreadable or malformed file raises ``error`` naming it."""
    path = content_path(path, "path", error)
    source = path.name
    text = read_text_file(path, error, what)
    if source.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as problem:
            raise refusal(error, source, problem.pos, "valid JSON", f"not valid JSON: {problem}") from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as problem:
        raise refusal(error, source, None, "valid YAML", f"not valid YAML: {problem}") from None


def shape_checked(kind: str, error: type[ContentError] = ContentError):
    """Wrap a function of a loaded file's data (``*_problems(raw, source)``, ``*_from_data(raw, ...)``), which assumes
    data of the schema's shape: data of another shape (a list where a mapping belongs, a missing key) is refused
    naming the source (the second argument, if text) and the schema, not met with a raw Python error."""
    def decorate(function: Callable) -> Callable:
        signature = inspect.signature(function)
        first = next(iter(signature.parameters))

        @functools.wraps(function)
        def checked(*args: object, **kwargs: object) -> object:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as problem:
                raise refusal(error, function.__name__, None, str(signature), f"called with the wrong arguments: {problem}") from None
            raw, source = bound.arguments[first], bound.arguments.get("source", f"the {kind} data")
            if not isinstance(source, str) or not source.strip():
                raise refusal(error, "source", source, "the file's name", f"expected the file's name as text, got {source!r}")
            if not isinstance(raw, Mapping):
                raise refusal(error, str(source), type(raw).__name__, "a mapping",
                              f"the file must hold a mapping as the {kind} schema describes, not {type(raw).__name__}")
            try:
                return function(*args, **kwargs)
            except CourseInputError:
                raise
            except (KeyError, TypeError, AttributeError, IndexError, ValueError) as problem:
                raise refusal(error, str(source), None, f"data of the {kind} schema's shape",
                              f"not the shape the {kind} schema describes ({type(problem).__name__}: {problem}); check it against "
                              f"schemas/{kind.split()[0]}.schema.json") from None

        return checked

    return decorate


def field_path(path: Iterable[object]) -> str:
    """``['options', 1, 'feedback']`` as ``options[1].feedback``."""
    text = ""
    for part in read_sequence(path, "path"):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def where(source: str, raw: object, path: Sequence[object]) -> str:
    """Name the file, the entry (by number and id, or by key) and the field of a problem."""
    source = read_text(source, "source")
    path = read_sequence(path, "path")
    if len(path) >= 2 and isinstance(raw, Mapping):
        section, position = path[0], path[1]
        if isinstance(position, int) and section in ENTRY_NAMES:
            entries = raw.get(section) or []
            entries = entries if isinstance(entries, list) else []
            entry = entries[position] if 0 <= position < len(entries) else {}
            ident = next((entry.get(key) for key in IDENTIFYING_FIELDS if isinstance(entry, Mapping) and entry.get(key)), None)
            name = f"{ENTRY_NAMES[section]} {position + 1}" + (f" ({ident!r})" if ident else "")
            return f"{source}: {name}, field '{field_path(path[2:])}'"
        if isinstance(position, str) and section in KEYED_ENTRY_NAMES:
            return f"{source}: {KEYED_ENTRY_NAMES[section]} {position!r}, field '{field_path(path[2:])}'"
    return f"{source}: field '{field_path(path)}'"


def schema(kind: str) -> dict:
    """The JSON Schema of one kind of content file (``quiz_bank``, ``rule_set``, ``lessons`` ...)."""
    return _schema(read_choice(kind, "kind", schema_kinds(), what="kinds of content file"))


@cache
def _schema(kind: str) -> dict:
    return json.loads(content_file("schemas", f"{kind}.schema.json").read_text(encoding="utf-8"))


def schema_kinds() -> list[str]:
    return list(_schema_kinds())


@cache
def _schema_kinds() -> tuple[str, ...]:
    return tuple(entry.name.removesuffix(".schema.json") for entry in content_files("schemas", ".schema.json"))


def validate_data(raw: object, kind: str, source: str, error: type[ContentError] = ContentError) -> None:
    """Refuse ``raw`` (the parsed file ``source``) if it breaks the schema of ``kind``; the first problem is named."""
    kind = read_choice(kind, "kind", schema_kinds(), what="kinds of content file", error=error)
    source = read_text(source, "source", error=error)
    try:
        import jsonschema  # here, not at the top: see the module docstring
    except ImportError:
        raise refusal(error, source, kind, "jsonschema installed",
                      "validating content needs jsonschema (pip install 'isotretinoin-course[authoring]')") from None
    validator = jsonschema.Draft202012Validator(schema(kind))
    problems = sorted(validator.iter_errors(raw), key=lambda problem: [(0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in problem.absolute_path])
    if problems:
        first = problems[0]
        more = f" ({len(problems) - 1} more problem(s) in the file)" if len(problems) > 1 else ""
        location = where(source, raw, first.absolute_path)
        raise refusal(error, location, first.instance if not isinstance(first.instance, (dict, list)) else None, "what the schema allows",
                      f"{first.message}{more}")


def load_checked(path: str | Path | Traversable, kind: str, check: Callable[[object, str], None] | None = None,
                 error: type[ContentError] = ContentError, validate: bool = True) -> object:
    """Read a content file, validate it against its schema (unless ``validate`` is False: the course's own
    files, validated by the tests) and run ``check``, the rules a schema cannot express (unique ids,
    references between entries)."""
    path = content_path(path, "path", error)
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
    checks += [(lambda entry=entry: quiz_banks.load_balanced_bank_file(entry), entry.name) for entry in content_files("quiz_banks", ".yml")]
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
