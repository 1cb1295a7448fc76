"""Notebook 07's adverse effects as data with sources: serious warnings, interactions, procedures, risk ratios.

The content is ``content/adverse_effects.yml`` (schema: ``schemas/adverse_effects.schema.json``). Each row
carries the bibliography keys it rests on and, where the course could not read the label's own sentence,
a status that says so; a test checks every key against the bibliography. Wording is the course's own
paraphrase. The tables below are what the notebook shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

import pandas as pd

from ..core.resources import content_file
from .validation import ContentError, load_checked, refusal, shape_checked, where

ADVERSE_EFFECTS_FILE = content_file("adverse_effects.yml")


class AdverseEffectsError(ContentError):
    """An adverse-effects file that cannot be used; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class SeriousWarning:
    topic: str
    label_says: str
    evidence_adds: str
    pharmacist_does: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Interaction:
    agent: str
    what_happens: str
    at_the_counter: str
    sources: tuple[str, ...]
    status: str  # the wording of one of the file's statuses


@dataclass(frozen=True)
class Procedure:
    procedure: str
    consensus_2017: str  # Spring et al. 2017
    asds_2017: str  # the ASDS task force, Waldman et al. 2017


@dataclass(frozen=True)
class RiskRatio:
    outcome: str
    ratio: float
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class AdverseEffects:
    statuses: Mapping[str, str]
    serious_warnings: tuple[SeriousWarning, ...]
    interactions: tuple[Interaction, ...]
    procedures: tuple[Procedure, ...]
    psychiatric_risk_ratios: tuple[RiskRatio, ...]


@shape_checked("adverse_effects", AdverseEffectsError)
def adverse_effects_problems(raw: object, source: str) -> None:
    """Rules the schema cannot express: each interaction names a known status, each interval holds its estimate."""
    for position, item in enumerate(raw["interactions"]):  # type: ignore[index]
        if item["status"] not in raw["statuses"]:  # type: ignore[index]
            raise refusal(AdverseEffectsError, where(source, raw, ['interactions', position, 'status']), item["status"], "a status of the file",
                          f"{item['status']!r} is not one of the statuses {sorted(raw['statuses'])}")  # type: ignore[index]
    for position, item in enumerate(raw["psychiatric_risk_ratios"]):  # type: ignore[index]
        if not item["low"] <= item["ratio"] <= item["high"]:
            raise refusal(AdverseEffectsError, where(source, raw, ['psychiatric_risk_ratios', position, 'ratio']), item["ratio"],
                          "a ratio inside its interval", f"{item['ratio']} lies outside its interval {item['low']}–{item['high']}")


def _from_data(raw: Mapping) -> AdverseEffects:
    statuses = dict(raw["statuses"])
    return AdverseEffects(
        statuses=statuses,
        serious_warnings=tuple(SeriousWarning(item["topic"], item["label_says"], item["evidence_adds"], item["pharmacist_does"], tuple(item["sources"]))
                               for item in raw["serious_warnings"]),
        interactions=tuple(Interaction(item["agent"], item["what_happens"], item["at_the_counter"], tuple(item["sources"]), statuses[item["status"]])
                           for item in raw["interactions"]),
        procedures=tuple(Procedure(item["procedure"], item["consensus_2017"], item["asds_2017"]) for item in raw["procedures"]),
        psychiatric_risk_ratios=tuple(RiskRatio(item["outcome"], float(item["ratio"]), float(item["low"]), float(item["high"]), item["source"])
                                      for item in raw["psychiatric_risk_ratios"]),
    )


def load_adverse_effects(path: str | Path | Traversable) -> AdverseEffects:
    """Read and validate an adverse-effects file (the course's own: :func:`adverse_effects`)."""
    return _from_data(load_checked(path, "adverse_effects", adverse_effects_problems, AdverseEffectsError))


@cache
def adverse_effects() -> AdverseEffects:
    """The course's adverse-effects content, as validated by the tests."""
    return _from_data(load_checked(ADVERSE_EFFECTS_FILE, "adverse_effects", adverse_effects_problems, AdverseEffectsError, validate=False))


def warnings_table() -> pd.DataFrame:
    return pd.DataFrame([{"Warning": w.topic, "The US label says": w.label_says, "Evidence adds": w.evidence_adds,
                          "The pharmacist": w.pharmacist_does} for w in adverse_effects().serious_warnings]).set_index("Warning")


def interactions_table() -> pd.DataFrame:
    return pd.DataFrame([{"With": i.agent, "What happens": i.what_happens, "At the counter": i.at_the_counter,
                          "Status": i.status} for i in adverse_effects().interactions]).set_index("With")


def procedures_table() -> pd.DataFrame:
    return pd.DataFrame([{"Procedure": p.procedure, "Spring et al. 2017 (JAMA Dermatology)": p.consensus_2017,
                          "ASDS task force 2017": p.asds_2017} for p in adverse_effects().procedures]).set_index("Procedure")
