"""Isotretinoin's pharmacokinetic parameters (``content/pk_parameters.yml``): every number with its unit, source and kind.

The file is the one home of the label's single-dose means, the half-lives, the exposure ratios of the
formulations and the fitted constants of the course's two-compartment model. :func:`load_pk_parameters`
validates a file against ``schemas/pk_parameters.schema.json`` and the rules a schema cannot express: every
source is a bibliography key, every eliminator has a fitted block, and every absorption profile a formulation
names has been fitted for every eliminator. :func:`pk_parameters` reads the course's own file as it is (the
tests validate it), so a notebook does not pay for jsonschema.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.resources import content_file
from .bibliography import load_bibliography
from .validation import ContentError, load_checked, refusal, shape_checked

PK_PARAMETERS_FILE = content_file("pk_parameters.yml")
KINDS = ("reported", "derived", "fitted", "assumed", "constructed")
FIT_COMMAND = "python -m isotretinoin_course.authoring.pk_fit --write"


class PKParametersError(ContentError):
    """A parameter file that cannot be used; the message names the file and the parameter's path."""


def parameter_entries(node: object, path: str = "") -> Iterator[tuple[str, Mapping]]:
    """Every parameter entry (a mapping with ``value`` and ``kind``) with its dotted path, in file order."""
    if isinstance(node, Mapping):
        if "value" in node and "kind" in node:
            yield path, node
            return
        for key, child in node.items():
            yield from parameter_entries(child, f"{path}.{key}" if path else str(key))


@shape_checked("pk_parameters", PKParametersError)
def _problems(raw: object, source: str) -> None:
    bibliography = load_bibliography()
    keys = [("label_single_dose.source", raw["label_single_dose"]["source"]),  # type: ignore[index]
            ("observations.patients_on_treatment.source", raw["observations"]["patients_on_treatment"]["source"])]  # type: ignore[index]
    keys += [(f"{path}.source", entry["source"]) for path, entry in parameter_entries(raw) if entry["source"] is not None]
    for name, product in raw["formulations"].items():  # type: ignore[index]
        keys += [(f"formulations.{name}.strengths_source", product["strengths_source"]), (f"formulations.{name}.dosing_source", product["dosing_source"])]
    for path, key in keys:
        if key not in bibliography:
            raise refusal(PKParametersError, f"{source}: field '{path}'", key, "a key of references.json", f"{key!r} is not a key of references.json")
    fitted = raw.get("fitted") or {}  # type: ignore[union-attr]
    for eliminator in raw["eliminators"]:  # type: ignore[index]
        if eliminator not in fitted:
            raise refusal(PKParametersError, f"{source}: field 'fitted.{eliminator}'", None, "a fitted block", f"missing; run {FIT_COMMAND}")
    for name, product in raw["formulations"].items():  # type: ignore[index]
        for meal, entry in product["meals"].items():
            for eliminator in raw["eliminators"]:  # type: ignore[index]
                if entry["absorption"] not in fitted[eliminator]["absorption"]:
                    raise refusal(PKParametersError, f"{source}: field 'formulations.{name}.meals.{meal}.absorption'", entry["absorption"],
                                  "a fitted absorption profile", f"no fitted profile {entry['absorption']!r} for eliminator {eliminator!r}; run {FIT_COMMAND}")
    for name, product in raw["formulations"].items():  # type: ignore[index]
        low, high = product["label_mg_per_kg_day"]
        if low > high:
            raise refusal(PKParametersError, f"{source}: field 'formulations.{name}.label_mg_per_kg_day'", [low, high], "a rising range",
                          f"{low} is above {high}")


def load_pk_parameters(path: str | Path | Traversable) -> Mapping:
    """Read and validate a parameter file (the course's own: :func:`pk_parameters`)."""
    return load_checked(path, "pk_parameters", _problems, PKParametersError)  # type: ignore[return-value]


@cache
def pk_parameters() -> Mapping:
    """The course's parameter file, as validated by the tests."""
    return load_checked(PK_PARAMETERS_FILE, "pk_parameters", None, PKParametersError, validate=False)  # type: ignore[return-value]
