"""The plausible-range table (``content/plausible_ranges.yml``): the smallest and largest value the course accepts per quantity.

One table for the Data Package's field constraints (``data/schema.py``) and for the readers: pass a range
to :func:`~isotretinoin_course.core.inputs.read_number` with :func:`read_plausible`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_number, read_text
from ..core.resources import content_file
from .validation import ContentError, load_checked, refusal, shape_checked

RANGES_FILE = content_file("plausible_ranges.yml")


class RangesError(ContentError):
    """A plausible-range table that cannot be used, or a quantity it does not have."""


@dataclass(frozen=True)
class PlausibleRange:
    name: str
    unit: str
    minimum: float
    maximum: float
    note: str


@shape_checked("plausible_ranges", RangesError)
def _ranges_problems(raw: object, source: str) -> None:
    from .bibliography import load_bibliography

    for name, item in raw["ranges"].items():  # type: ignore[index]
        unknown = [key for key in item.get("sources", []) if key not in load_bibliography()]
        if unknown:
            raise refusal(RangesError, f"{source}: range {name!r}, field 'sources'", unknown[0], "a key of references.json",
                          f"{unknown[0]!r} is not a key of the course bibliography")
        if item["minimum"] > item["maximum"]:
            raise refusal(RangesError, f"{source}: range {name!r}, field 'minimum'", item["minimum"], f"at most the maximum {item['maximum']}",
                          f"{item['minimum']} is above the maximum {item['maximum']}")


def _from_data(raw: Mapping) -> dict[str, PlausibleRange]:
    return {name: PlausibleRange(name, item["unit"], item["minimum"], item["maximum"], item["note"]) for name, item in raw["ranges"].items()}


def load_ranges(path: str | Path | Traversable) -> dict[str, PlausibleRange]:
    """Read and validate a plausible-range table (the course's own: :func:`plausible_ranges`)."""
    return _from_data(load_checked(path, "plausible_ranges", _ranges_problems, RangesError))


@cache
def plausible_ranges() -> dict[str, PlausibleRange]:
    return _from_data(load_checked(RANGES_FILE, "plausible_ranges", _ranges_problems, RangesError, validate=False))


def plausible_range(name: str) -> PlausibleRange:
    """The plausible range of one quantity, e.g. ``plausible_range("weight_kg")``."""
    ranges = plausible_ranges()
    return ranges[read_choice(name, "quantity", list(ranges), what="quantities of the plausible-range table", error=RangesError)]


def read_plausible(value: object, field: str, quantity: str, *, integer: bool = False, range_note: str = "what is plausible",
                   error: type[CourseInputError] = CourseInputError) -> float | int:
    """``value`` read as a number within the plausible range of ``quantity``, in its unit; ``range_note`` names the range in
    the message ("what any US label allows")."""
    bounds = plausible_range(quantity)
    field = read_text(field, "field", empty=False)
    return read_number(value, field, unit=bounds.unit, minimum=bounds.minimum, maximum=bounds.maximum, integer=integer,
                       range_note=range_note, error=error)
