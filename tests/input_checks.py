"""What a clear refusal is, shared by the review table (test_bad_input_review.py) and the property tests
(test_properties.py): the project's error naming its field, or a widget showing the message and hiding stale output."""

from __future__ import annotations

import functools
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.core.resources import datasets_directory


@functools.cache
def cohort() -> dict:
    """The synthetic cohort's tables, loaded once per test process (callers must not modify them)."""
    from isotretinoin_course.data.loader import load_cohort

    return load_cohort()


@functools.cache
def audit() -> dict:
    from isotretinoin_course.data.loader import load_audit

    return load_audit()


def copy_datasets(target: Path) -> Path:
    """A writable copy of the shipped tables and their datapackage.json."""
    folder = target / "datasets"
    shutil.copytree(Path(str(datasets_directory())), folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder


def names_field(error: CourseInputError, field: str) -> bool:
    return error.field is not None and field.lower() in str(error.field).lower()


def check_refusal(error: BaseException, field: str = "", says: str = "") -> None:
    """``error`` is the project's error with a field (containing ``field``), a value and a message saying ``says``."""
    assert isinstance(error, CourseInputError), f"{type(error).__name__} is not the project's error: {error}"
    assert error.field, f"a one-sentence error names no field: {error}"
    assert str(error).strip(), "an empty message"
    if field:
        assert names_field(error, field), f"the error names the field {error.field!r}, expected one with {field!r}: {error}"
    if says:
        assert says.lower() in str(error).lower(), f"expected the message to say {says!r}: {error}"


def refuses(field: str = "", says: str = "") -> Callable[[Callable[[], object]], None]:
    def check(call: Callable[[], object]) -> None:
        with pytest.raises(CourseInputError) as caught:
            call()
        check_refusal(caught.value, field, says)

    check.expects = f"refused naming {field!r}" + (f", saying {says!r}" if says else "")  # type: ignore[attr-defined]
    return check


def gives(predicate: Callable[[object], bool], what: str) -> Callable[[Callable[[], object]], None]:
    def check(call: Callable[[], object]) -> None:
        result = call()
        assert predicate(result), f"expected {what}, got {result!r}"

    check.expects = what  # type: ignore[attr-defined]
    return check


def builds_or_refuses(field: str = "") -> Callable[[Callable[[], object]], None]:
    """A result, or the project's error naming ``field``: anything else (a raw Python error) fails."""
    def check(call: Callable[[], object]) -> None:
        try:
            call()
        except CourseInputError as error:
            check_refusal(error, field)

    check.expects = f"a result or a refusal naming {field!r}"  # type: ignore[attr-defined]
    return check


def widget_shows(field: str, says: str = "") -> Callable[[Callable[[], object]], None]:
    """The call sets a control as a student would and returns the widget: no error escapes, the widget shows a
    message naming ``field`` and hides every output that no longer matches the inputs."""
    def check(call: Callable[[], object]) -> None:
        widget = call()
        text = widget.message.value
        assert widget.stale, "the widget shows no problem"
        assert field.lower() in text.lower(), f"the message does not name {field!r}: {text}"
        assert says.lower() in text.lower(), f"the message does not say {says!r}: {text}"
        assert "could not update" not in text, f"a bug, not a refusal: {text}"
        hidden = [output.layout.visibility == "hidden" for output in widget._outputs]
        assert all(hidden), "a stale output is still shown under the message"

    check.expects = f"the widget shows a message naming {field!r}"  # type: ignore[attr-defined]
    return check


def widget_fine() -> Callable[[Callable[[], object]], None]:
    def check(call: Callable[[], object]) -> None:
        widget = call()
        assert not widget.stale, f"unexpected problem: {widget.message.value}"

    check.expects = "the widget updates"  # type: ignore[attr-defined]
    return check


def finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
