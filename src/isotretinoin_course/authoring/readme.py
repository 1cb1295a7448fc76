"""The README's generated tables: the lessons, and "where to change what", both from the lesson manifest.

Each table sits in the README between a pair of markers (``<!-- BEGIN GENERATED: name ... -->`` and
``<!-- END GENERATED: name -->``) and is rewritten by ``python3 course.py readme``; a test fails when
the README differs from what the manifest (``content/lessons.yml``) generates.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.errors import CourseInputError
from ..content.validation import read_text_file
from ..core.inputs import checked_arguments, read_instance, read_path, read_sequence, read_text
from ..content.lessons import Lesson, lessons

PACKAGE_PATH = "src/isotretinoin_course"


def _code(items: Sequence[str]) -> str:
    return ", ".join(f"`{item}`" for item in items) or "—"


def _lessons(items: object) -> list[Lesson]:
    """The manifest's lessons, or the list given (each a Lesson)."""
    if items is None:
        return list(lessons())
    return read_sequence(items, "items", lambda item, where: read_instance(item, where, Lesson, "a Lesson (lessons())"))


@checked_arguments
def lessons_table(items: Sequence[Lesson] | None = None) -> str:
    """The lessons in order: what each answers, how long it takes, what it builds on."""
    rows = ["| # | Notebook | The question it answers | Estimated time | Builds on |", "|---|---|---|---|---|"]
    for item in _lessons(items):
        builds_on = ", ".join(item.builds_on) or "—"
        rows.append(f"| {item.number} | [{item.title}](notebooks/{item.filename}) | {item.question} | {item.time} | {builds_on} |")
    return "\n".join(rows)


@checked_arguments
def where_to_change_table(items: Sequence[Lesson] | None = None) -> str:
    """Per lesson, every file that makes it: notebook, package modules, quiz banks, data tables, graded assignment."""
    rows = ["| Lesson | Notebook | Package modules (in `src/isotretinoin_course/`) | Quiz banks (in `content/quiz_banks/`) "
            "| Data tables (in `datasets/`) | Graded assignment (in `exercises/source/`) |",
            "|---|---|---|---|---|---|"]
    for item in _lessons(items):
        modules = [f"{module.replace('.', '/')}.py" for module in item.modules]
        banks = [f"{bank}.yml" for bank in item.banks]
        data = [f"synthetic_{table}.csv" for table in item.data]
        assignments = [f"{assignment.id}/" for assignment in item.assignments]
        rows.append(f"| {item.number} {item.title} | `notebooks/{item.filename}` | {_code(modules)} | {_code(banks)} | {_code(data)} | {_code(assignments)} |")
    return "\n".join(rows)


TABLES: dict[str, Callable[[], str]] = {"lessons": lessons_table, "where-to-change": where_to_change_table}


def _block(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- BEGIN GENERATED: {re.escape(name)}[^>]*-->\n)(.*?)(<!-- END GENERATED: {re.escape(name)} -->)", re.DOTALL)


@checked_arguments
def render(text: str) -> str:
    """The README text with every generated table rewritten from the manifest."""
    text = read_text(text, "text", max_length=1_000_000)
    for name, make in TABLES.items():
        pattern = _block(name)
        if not pattern.search(text):
            raise CourseInputError("text", name, f"a README with the block {name!r}", message=f"text: the README has no block for the generated table {name!r} (<!-- BEGIN GENERATED: {name} --> ... <!-- END GENERATED: {name} -->)")
        text = pattern.sub(lambda match, make=make: f"{match.group(1)}{make()}\n{match.group(3)}", text)
    return text


@checked_arguments
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 course.py readme", description="Regenerate the README's tables from the lesson manifest.")
    parser.add_argument("readme", type=Path, help="the README to rewrite (the repository's README.md)")
    parser.add_argument("--check", action="store_true", help="only say whether the README is up to date (exit 1 if not)")
    options = parser.parse_args(None if argv is None else read_sequence(argv, "argv", lambda item, where: read_text(item, where)))
    try:
        text = read_text_file(read_path(options.readme, "readme", kind="file"))
    except CourseInputError as error:
        parser.error(str(error))
    rendered = render(text)
    if options.check:
        print("README tables are up to date" if rendered == text else "README tables are out of date: run python3 course.py readme")
        return 0 if rendered == text else 1
    options.readme.write_text(rendered, encoding="utf-8")
    print(f"wrote the generated tables of {options.readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
