"""The US labels' daily dose ranges by formulation (``content/label_dosing.yml``), with their sources.

The dosing model flags a regimen below or above a product's usual range, and above the highest dose the
label allows (which the label reserves for particular adults): :mod:`isotretinoin_course.models.dosing`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.resources import content_file
from .validation import ContentError, load_checked, refusal, shape_checked

LABEL_DOSING_FILE = content_file("label_dosing.yml")


class LabelDosingError(ContentError):
    """A label-dosing file that cannot be used; the message names the file, the product and the field."""


@dataclass(frozen=True)
class LabelDosing:
    """One formulation's labelled daily dose."""

    formulation: str
    label: str  # which label and section
    sources: tuple[str, ...]
    usual_mg_per_kg_day: tuple[float, float]
    maximum_mg_per_kg_day: float
    maximum_for: str
    schedule: str
    read: str  # how the course read the wording


@shape_checked("label_dosing", LabelDosingError)
def label_dosing_problems(raw: object, source: str) -> None:
    """Rules the schema cannot express: a usual range runs upwards and stays within the labelled maximum."""
    for name, product in raw["products"].items():  # type: ignore[index]
        low, high = product["usual_mg_per_kg_day"]
        if not low < high <= product["maximum_mg_per_kg_day"]:
            raise refusal(LabelDosingError, f"{source}: product {name!r}, field 'usual_mg_per_kg_day'", [low, high], "a rising range within the maximum",
                          f"{low}–{high} must rise and stay at or below "
                                   f"the maximum {product['maximum_mg_per_kg_day']}")


def _from_data(raw: Mapping) -> dict[str, LabelDosing]:
    return {name: LabelDosing(name, item["label"], tuple(item["sources"]), (float(item["usual_mg_per_kg_day"][0]), float(item["usual_mg_per_kg_day"][1])),
                              float(item["maximum_mg_per_kg_day"]), item["maximum_for"], item["schedule"], item["read"])
            for name, item in raw["products"].items()}


def load_label_dosing(path: str | Path | Traversable) -> dict[str, LabelDosing]:
    """Read and validate a label-dosing file (the course's own: :func:`label_dosing`)."""
    return _from_data(load_checked(path, "label_dosing", label_dosing_problems, LabelDosingError))


@cache
def label_dosing() -> dict[str, LabelDosing]:
    """The course's label-dosing table, as validated by the tests."""
    return _from_data(load_checked(LABEL_DOSING_FILE, "label_dosing", label_dosing_problems, LabelDosingError, validate=False))
