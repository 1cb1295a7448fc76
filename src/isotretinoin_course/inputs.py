"""Reading numbers that students type into widgets, with messages that say what to fix."""

from __future__ import annotations

import math


class InputError(ValueError):
    """Typed input a widget cannot use; the message says what to change."""


def read_positive_number(text: object, name: str, unit: str, low: float, high: float, range_note: str = "") -> float:
    """Parse ``text`` (a decimal comma is accepted) as a positive number within ``low``–``high``.

    ``range_note`` is added to the out-of-range message, e.g. "what this simulator covers".
    """
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise InputError(f"{name}: '{text}' is not a number of {unit}.") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive number of {unit}, not {text}.")
    if not low <= value <= high:
        where = f"{range_note} ({low:g}–{high:g} {unit})" if range_note else f"{low:g}–{high:g} {unit}"
        raise InputError(f"{name} of {value:g} {unit} is outside {where}.")
    return value
