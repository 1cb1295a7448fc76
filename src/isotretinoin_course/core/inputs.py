"""The one way the course reads input: numbers, booleans, dates, paths, identifiers and sequences.

Every reader takes the value and the name of the field it fills, as the student sees it ("Body
weight", "Start date"), and returns one plain Python type (``float``/``int``, ``bool``, ``datetime.date``,
``pathlib.Path``, ``str``, ``list``) or raises :class:`~isotretinoin_course.core.errors.CourseInputError`
naming the field, the value and what is allowed. Widgets and public functions call a reader at the
boundary, then compute with values they can trust.

What the readers accept, and refuse:

- numbers: Python, numpy and ``Decimal`` numbers, and text a student types ("60", " 0,5 ", "60 kg" when
  the unit is kg, "3e2"); a decimal comma is read as a decimal point where that is unambiguous ("0,5",
  "12,75"), and text that could be a thousands separator is refused rather than guessed ("1,000" could
  be one thousand or one; "1.000,5" and "1 000" too). Never booleans, never NaN or infinity. Optional
  unit, range, positivity and whole-number checks.
- booleans: only ``True``/``False`` (and numpy booleans); never truthy text such as "no".
- dates: ``date``, ``datetime`` and pandas ``Timestamp`` (their date), numpy ``datetime64``, ISO text
  ("2026-01-05"); optionally missing (``None``, empty text, NaN, NaT).
- paths: ``str`` or any ``os.PathLike``.
- identifiers: one of a known set, with close matches suggested ("absorika": did you mean "absorica"?); a long
  set (240 patient ids) is summarised in the message rather than listed.
- sequences: any iterable of items, but never a bare string where a list is expected; optionally no repeats.
- text: a string (optionally not empty, at most so long); never a number or ``None`` read as text.
- objects: an instance of the expected type (a ``Profile``, a ``Timeline``), or a mapping with the expected keys
  (:func:`read_instance`, :func:`read_mapping`); tables with the columns a function needs (:func:`read_frame`,
  :func:`read_tables`, duck-typed so that this layer does not import pandas).
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import math
import numbers
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from .errors import CourseInputError

T = TypeVar("T")

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# "1,000" or "12,500": a comma that may separate thousands, so reading it as a decimal comma could be wrong.
_AMBIGUOUS_COMMA = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")
# "1,000.5", "1.000,5", "1 000", "1'000": digits grouped in threes by a separator.
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}([,. '\u00a0\u202f]\d{3})+([.,]\d+)?")


def _number(number: float) -> str:
    """A number as a student typed it: whole numbers in full (3000000, not 3e+06), others in short form."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:g}"


def _of(unit: str) -> str:
    return f" of {unit}" if unit else ""


def _with(unit: str) -> str:
    return f" {unit}" if unit else ""


def _span(minimum: float | None, maximum: float | None, unit: str) -> str:
    if minimum is not None and maximum is not None:
        return f"{minimum:g}–{maximum:g}{_with(unit)}"
    return f"at most {maximum:g}{_with(unit)}" if maximum is not None else f"at least {minimum:g}{_with(unit)}"


def _outside(minimum: float | None, maximum: float | None, unit: str, note: str) -> str:
    if minimum is not None and maximum is not None:
        return f"outside {note} ({_span(minimum, maximum, unit)})" if note else f"outside {_span(minimum, maximum, unit)}"
    if maximum is not None:
        return f"above {note or 'the maximum'} ({maximum:g}{_with(unit)}); check the value"
    return f"below {note or 'the minimum'} ({minimum:g}{_with(unit)}); check the value"


def _is_missing(value: object) -> bool:
    """None, empty text, and the not-a-value markers of floats, numpy and pandas (NaN, NaT)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    try:
        return bool(value != value)  # NaN, pandas NaT and numpy NaT are the values unequal to themselves
    except (TypeError, ValueError, ArithmeticError):  # ArithmeticError: Decimal("sNaN") refuses to be compared
        return False


def _is_numpy_bool(value: object) -> bool:
    dtype = getattr(value, "dtype", None)
    return dtype is not None and getattr(dtype, "kind", "") == "b" and getattr(value, "shape", None) == ()


def _number_from_text(text: str, field: str, unit: str, error: type[CourseInputError]) -> float:
    cleaned = text.strip()
    if unit and cleaned.lower().endswith(unit.lower()):
        cleaned = cleaned[: -len(unit)].rstrip()
    if not cleaned:
        raise error(field, text, f"a number{_of(unit)}", message=f"{field}: enter a number{_of(unit)}")
    if cleaned.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise error(field, text, "a finite number", message=f"{field}: {_short(text.strip())} is not a finite number")
    if _AMBIGUOUS_COMMA.fullmatch(cleaned):
        raise error(
            field, text, f"a number{_of(unit)} without thousands separators",
            message=(f"{field}: {cleaned!r} is ambiguous: the comma could separate thousands or decimals; "
                     f"type {cleaned.replace(',', '')} or {float(cleaned.replace(',', '.')):g} (no thousands separators)"),
        )
    if _GROUPED.fullmatch(cleaned):
        raise error(
            field, text, f"a number{_of(unit)} without thousands separators",
            message=f"{field}: {cleaned!r} has a thousands separator, which could be misread; type the number without it",
        )
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma, e.g. 0,5
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        raise error(field, text, f"a number{_of(unit)}", message=f"{field}: {_short(text.strip())} is not a number{_of(unit)}")
    return float(cleaned)


def read_number(
    value: object,
    field: str,
    *,
    unit: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
    integer: bool = False,
    range_note: str = "",
    error: type[CourseInputError] = CourseInputError,
) -> float | int:
    """``value`` as a finite number (an ``int`` when ``integer``), or :class:`CourseInputError` saying why not.

    ``minimum`` and ``maximum`` are inclusive; ``positive`` refuses zero and below; ``range_note`` names the
    range in the message ("what this simulator covers"). Every reader raises ``error``, the caller's own
    subclass of :class:`CourseInputError` if it passes one (``DosingError``, ``LesionCountError``).

    >>> read_number("0,5", "Dose", unit="mg/kg/day")
    0.5
    """
    if value is None:
        raise error(field, value, f"a number{_of(unit)}", message=f"{field}: enter a number{_of(unit)}")
    if isinstance(value, bool) or _is_numpy_bool(value):
        raise error(field, value, f"a number{_of(unit)}", message=f"{field}: expected a number{_of(unit)}, got {_short(value)}")
    if isinstance(value, str):
        number = _number_from_text(value, field, unit, error)
    elif isinstance(value, (numbers.Real, decimal.Decimal)):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            number = math.inf
    else:
        raise error(field, value, f"a number{_of(unit)}", message=f"{field}: expected a number{_of(unit)}, got {_short(value)}")
    if not math.isfinite(number):
        raise error(field, value, "a finite number", message=f"{field}: {_short(value)} is not a finite number")
    if positive and number <= 0:
        raise error(field, value, f"a positive number{_of(unit)}", message=f"{field} must be a positive number{_of(unit)}, got {_number(number)}")
    if minimum == 0 and number < 0:
        allowed = f"zero or more{_with(unit)}" if maximum is None else _span(minimum, maximum, unit)
        raise error(field, value, allowed, message=f"{field} cannot be negative, got {_number(number)}{_with(unit)}"
                                                   + ("" if maximum is None else f"; expected {allowed}"))
    if integer and number != int(number):
        raise error(field, value, "a whole number", message=f"{field}: {_number(number)} is not a whole number")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        allowed = _span(minimum, maximum, unit)
        raise error(field, value, allowed, message=f"{field} of {_number(number)}{_with(unit)} is {_outside(minimum, maximum, unit, range_note)}")
    return int(number) if integer else number


MAX_SEED = 2**32 - 1


def read_seed(value: object, field: str = "seed", *, error: type[CourseInputError] = CourseInputError) -> int:
    """A random seed: a whole number from 0 to 2**32 - 1 (what numpy's generators take), never text such as "abc"."""
    return read_number(value, field, minimum=0, maximum=MAX_SEED, integer=True, error=error)  # type: ignore[return-value]


def read_count(value: object, field: str, *, maximum: int, what: str = "", error: type[CourseInputError] = CourseInputError) -> int:
    """A count of things to generate (patients, weeks): a whole number from 1 to ``maximum``; bounded so that no call runs for ever."""
    return read_number(value, field, unit=what, minimum=1, maximum=maximum, integer=True, error=error)  # type: ignore[return-value]


def read_bool(value: object, field: str, *, error: type[CourseInputError] = CourseInputError) -> bool:
    """A real boolean (``True``/``False`` or a numpy boolean). Text such as "no" or "false" is refused, not guessed."""
    if isinstance(value, bool):
        return value
    if _is_numpy_bool(value):
        return bool(value)
    raise error(field, value, "True or False", message=f"{field}: expected True or False, got {_short(value)}")


def read_date(
    value: object, field: str, *, optional: bool = False, minimum: dt.date | None = None, maximum: dt.date | None = None,
    error: type[CourseInputError] = CourseInputError,
) -> dt.date | None:
    """A calendar date from a ``date``, a ``datetime``/``Timestamp``, a numpy ``datetime64`` or ISO text.

    With ``optional``, a missing value (``None``, empty text, NaN, NaT) gives ``None``.
    """
    if _is_missing(value):
        if optional:
            return None
        raise error(field, value, "a date (YYYY-MM-DD)", message=f"{field}: enter a date (YYYY-MM-DD)")
    if isinstance(value, dt.datetime):  # pandas Timestamp is a datetime too
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) or type(value).__name__ == "datetime64":
        text = str(value).strip()
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            try:
                day = dt.datetime.fromisoformat(text).date()
            except ValueError:
                raise error(field, value, "a date in YYYY-MM-DD form", message=f"{field}: {_short(text)} is not a date in YYYY-MM-DD form") from None
    else:
        raise error(field, value, "a date", message=f"{field}: expected a date (YYYY-MM-DD), got {_short(value)}")
    if minimum is not None and day < minimum:
        raise error(field, value, f"a date from {minimum}", message=f"{field}: {day} is before {minimum}")
    if maximum is not None and day > maximum:
        raise error(field, value, f"a date up to {maximum}", message=f"{field}: {day} is after {maximum}")
    return day


def read_path(value: object, field: str, *, must_exist: bool = False, kind: str = "",
              error: type[CourseInputError] = CourseInputError) -> Path:
    """A file-system path from text or any ``os.PathLike``; with ``must_exist``, it must be there, and with ``kind``
    ("file" or "folder") it must be one."""
    try:
        if isinstance(value, os.PathLike) or (isinstance(value, str) and value.strip()):
            path = Path(value)
        else:
            raise TypeError
        exists = path.exists() if (must_exist or kind) else True
    except (TypeError, ValueError):  # bytes from os.fspath, an embedded NUL byte
        raise error(field, value, "a path (text or pathlib.Path)", message=f"{field}: expected a path, got {_short(value)}") from None
    if not exists:
        raise error(field, value, f"an existing {kind or 'file or folder'}", message=f"{field}: no such {kind or 'file or folder'}: {path}")
    if kind == "file" and path.is_dir():
        raise error(field, value, "a file", message=f"{field}: {path} is a folder, not a file")
    if kind == "folder" and not path.is_dir():
        raise error(field, value, "a folder", message=f"{field}: {path} is not a folder")
    return path


# More choices than this are summarised ("one of 240 ids, 'SYN-0001' to 'SYN-0240'") instead of listed.
_LISTED_CHOICES = 12


def read_choice(value: object, field: str, allowed: Iterable[str], *, what: str = "", error: type[CourseInputError] = CourseInputError) -> str:
    """One of ``allowed``, exactly; otherwise the message lists them (or, for many, says how many and the first and
    last) and suggests the closest. ``what`` names the choices in the message ("patient ids")."""
    choices = list(allowed)
    if isinstance(value, str) and value in choices:
        return value
    if len(choices) > _LISTED_CHOICES:
        listed = f"the {len(choices)} {what or 'known values'} ({choices[0]!r} to {choices[-1]!r})"
    else:
        listed = ", ".join(repr(choice) for choice in choices)
    message = f"{field}: {_short(value)} is not one of {listed}"
    if isinstance(value, str) and len(value) < 200:
        lowered = {choice.lower(): choice for choice in choices}
        typed = value.strip().lower()
        # A close match with other digits is another patient or another year ('SYN-9999' is not 'SYN-0199'): only
        # suggest one whose digits are the typed ones, perhaps reordered ('ipledge_2012' → 'ipledge_2021').
        digits = sorted(character for character in typed if character.isdigit())
        close = [match for match in difflib.get_close_matches(typed, list(lowered), n=5, cutoff=0.6)
                 if sorted(character for character in match if character.isdigit()) == digits]
        if close:
            message += f"; did you mean {lowered[close[0]]!r}?"
    raise error(field, value, f"one of {listed}", message=message)


def read_sequence(value: object, field: str, item: Callable[[object, str], T] | None = None, *, unique: bool = False,
                  max_items: int | None = None, error: type[CourseInputError] = CourseInputError) -> list:
    """The items of a list, tuple, set or other iterable, each read by ``item`` (called with the item and
    ``"field[i]"``). A bare string is refused, so ``"mood"`` is never read as ``["m", "o", "o", "d"]``; with
    ``unique``, an item given twice is refused (after reading)."""
    if isinstance(value, (str, bytes)):
        shown = _short(value)
        raise error(field, value, "a list", message=f"{field}: expected a list, got the single text {shown} (put it in a list: [{shown}])")
    if isinstance(value, Mapping) or not isinstance(value, Iterable) or _is_table(value):
        raise error(field, value, "a list", message=f"{field}: expected a list, got {_short(value)}")
    items = list(value)
    if max_items is not None and len(items) > max_items:
        raise error(field, len(items), f"at most {max_items} items", message=f"{field}: {len(items)} items; at most {max_items} are allowed")
    if item is not None:
        items = [item(element, f"{field}[{index}]") for index, element in enumerate(items)]
    if unique:
        seen: list = []
        for element in items:
            if element in seen:
                raise error(field, element, "each item once", message=f"{field}: {_short(element)} is listed twice; give each once")
            seen.append(element)
    return items


def read_text(value: object, field: str, *, empty: bool = True, max_length: int = 1_000_000,
              error: type[CourseInputError] = CourseInputError) -> str:
    """A string (never a number, ``None`` or a list turned into text); with ``empty=False`` it must have content."""
    if not isinstance(value, str):
        raise error(field, value, "text", message=f"{field}: expected text, got {_short(value)}")
    if not empty and not value.strip():
        raise error(field, value, "some text", message=f"{field}: enter some text")
    if len(value) > max_length:
        raise error(field, value, f"at most {max_length} characters", message=f"{field}: {len(value)} characters; at most {max_length} are allowed")
    return value


def read_instance(value: object, field: str, kind: type[T] | tuple[type, ...], what: str, *,
                  error: type[CourseInputError] = CourseInputError) -> T:
    """``value`` if it is a ``kind`` (e.g. a ``Profile``); otherwise a refusal saying what is expected (``what``)."""
    if isinstance(value, kind):
        return value  # type: ignore[return-value]
    raise error(field, value, what, message=f"{field}: expected {what}, got {_short(value)}")


def read_mapping(value: object, field: str, *, keys: Iterable[str] = (), what: str = "a mapping",
                 error: type[CourseInputError] = CourseInputError) -> Mapping:
    """A mapping (a ``dict``) with at least ``keys``; a missing key is named."""
    if not isinstance(value, Mapping):
        raise error(field, value, what, message=f"{field}: expected {what}, got {_short(value)}")
    missing = [key for key in keys if key not in value]
    if missing:
        raise error(field, sorted(value, key=str), f"the keys {', '.join(map(repr, keys))}",
                    message=f"{field}: missing {', '.join(repr(key) for key in missing)}")
    return value


def _is_table(value: object) -> bool:
    return hasattr(value, "columns") and hasattr(value, "iloc")


def read_frame(value: object, field: str, columns: Iterable[str] = (), *, rows: bool = False,
               error: type[CourseInputError] = CourseInputError) -> object:
    """A table (a pandas ``DataFrame``) with at least ``columns``; with ``rows``, not empty. Duck-typed: this
    layer does not import pandas."""
    if not _is_table(value):
        raise error(field, value, "a table (a pandas DataFrame)", message=f"{field}: expected a table (a pandas DataFrame), got {_short(value)}")
    missing = [column for column in columns if column not in value.columns]  # type: ignore[attr-defined]
    if missing:  # the field named is the first missing column, e.g. labs['alt_u_l']
        raise error(f"{field}[{missing[0]!r}]", list(value.columns), f"the columns {', '.join(columns)}",  # type: ignore[attr-defined]
                    message=f"{field}[{missing[0]!r}]: missing column(s) {', '.join(repr(column) for column in missing)}")
    if rows and len(value) == 0:  # type: ignore[arg-type]
        raise error(field, value, "at least one row", message=f"{field}: the table has no rows")
    return value


def read_tables(value: object, field: str, needed: Mapping[str, Iterable[str]], *, error: type[CourseInputError] = CourseInputError) -> Mapping:
    """A mapping of named tables (the cohort's ``{"patients": ..., "labs": ...}``) holding every table in ``needed``
    with the columns listed for it."""
    tables = read_mapping(value, field, keys=list(needed), what=f"a mapping of tables ({', '.join(needed)})", error=error)
    for name, columns in needed.items():
        read_frame(tables[name], f"{field}[{name!r}]", columns, error=error)
    return tables


def _short(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut short: a student's 5000-digit number or a whole table is not repeated in a message."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails must not hide the refusal
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


# --------------------------------------------------------------------------- objects, by the annotations of a function

_NOT_CHECKED = (object, str, int, float, bool, bytes, complex)  # numbers, text and booleans are read by the readers above
# Classes of these modules are read inside the function (dates from ISO text, paths from text, arrays from lists).
_READ_INSIDE = ("typing", "collections", "datetime", "pathlib", "importlib", "numpy", "os", "decimal")


def _annotation_classes(hint: object) -> tuple[tuple[type, ...], bool] | None:
    """The classes an annotation allows and whether it allows ``None``; ``None`` when it is not a plain class check
    (a number, text, a generic such as ``Sequence[Phase]``, a ``Callable``): those are read inside the function."""
    import types
    import typing

    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(hint)
        optional = type(None) in members
        classes: list[type] = []
        for member in members:
            if member is type(None):
                continue
            found = _annotation_classes(member)
            if found is None:
                return None
            classes.extend(found[0])
        return (tuple(classes), optional) if classes else None
    if origin in (dict, Mapping):
        return (Mapping,), False
    if origin is not None or not isinstance(hint, type) or hint in _NOT_CHECKED or issubclass(hint, (str, bytes, numbers.Number)):
        return None
    if hint is Mapping:
        return (Mapping,), False
    if hint.__module__.split(".")[0] in _READ_INSIDE or issubclass(hint, os.PathLike):
        return None
    return (hint,), False


def _module_error(function: Callable) -> type[CourseInputError]:
    """The error class the function's module defines (``PKParameterError`` ...), if it defines exactly one."""
    module = getattr(function, "__module__", "")
    own = [value for value in getattr(function, "__globals__", {}).values()
           if isinstance(value, type) and issubclass(value, CourseInputError) and value.__module__ == module]
    return own[0] if len(own) == 1 else CourseInputError


def checked_arguments(function: Callable[..., T]) -> Callable[..., T]:
    """``function`` refusing, naming the parameter, an argument of another class than its annotation names.

    For the objects a function takes (a ``Timeline``, a ``Simulation``, a table, a ``Figure``, a quiz ``Question``):
    ``None`` or a number where one is expected is refused with :class:`CourseInputError` ("simulation: expected a
    Simulation, got None") instead of failing deep inside with ``AttributeError``. Numbers, text, booleans, dates and
    sequences are not checked here: the function reads them with the readers of this module. An annotation that
    cannot be resolved (a name imported only for type checking) is not checked.
    """
    import functools
    import inspect
    import typing

    signature = inspect.signature(function)
    checks: dict[str, tuple[tuple[type, ...], bool]] | None = None
    error: type[CourseInputError] = CourseInputError

    @functools.wraps(function)
    def checked(*args: object, **kwargs: object) -> T:
        nonlocal checks, error
        if checks is None:
            error = _module_error(function)
            try:
                hints = typing.get_type_hints(function)
            except Exception:  # noqa: BLE001 - an unresolvable annotation is simply not checked
                hints = {}
            checks = {name: found for name, hint in hints.items() if name != "return" and (found := _annotation_classes(hint)) is not None}
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as problem:  # a missing or an unknown argument: the call itself is wrong
            raise error("arguments", None, f"the parameters of {function.__name__}{signature}",
                                   message=f"arguments: {problem}; {function.__name__} takes {signature}") from None
        for name, value in bound.arguments.items():
            if name not in checks:
                continue
            classes, optional = checks[name]
            if (value is None and optional) or isinstance(value, classes):
                continue
            what = " or ".join(("a table (a pandas DataFrame)" if kind.__name__ == "DataFrame" else "a mapping" if kind is Mapping
                                else f"{'an' if kind.__name__[0] in 'AEIOU' else 'a'} {kind.__name__}") for kind in classes)
            raise error(name, value, what, message=f"{name}: expected {what}{' or None' if optional else ''}, got {_short(value)}")
        return function(*args, **kwargs)

    checked.__signature__ = signature  # type: ignore[attr-defined]
    return checked
