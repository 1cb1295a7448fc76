"""The capstone case's text (``content/capstone.yml``): the case history and every step's wording and options.

The answers are not here: :mod:`isotretinoin_course.models.capstone` computes them from the synthetic
cohort and fills the ``{placeholders}`` of these texts with :meth:`CapstoneText.fill`, which names the
file, the step and the field when a placeholder is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.inputs import read_choice
from ..core.resources import content_file
from .lessons import lessons
from .validation import ContentError, content_path, load_checked, refusal, shape_checked, where

CAPSTONE_FILE = content_file("capstone.yml")


class CapstoneTextError(ContentError):
    """A capstone file that cannot be used, or a text whose placeholders the case cannot fill."""


@dataclass(frozen=True)
class CaseHistory:
    """Facts of the case patient that a cohort table does not hold."""

    tried: str
    scarring: bool
    psychosocial_burden: bool
    failed_standard_therapy: bool
    failed_systemic_antibiotics: bool
    contraception: tuple[str, str]
    hormonal_contraception: bool
    contraception_start_days_before: int
    contact_lenses: bool = False


@dataclass(frozen=True)
class CapstoneText:
    source: str
    patient: str
    history: CaseHistory
    steps: Mapping[str, Mapping]  # step key → its entry in the file, in order
    last_reviewed: str = ""  # ISO date the text was last checked against its sources

    def step(self, key: str) -> Mapping:
        if key not in self.steps:
            read_choice(key, "step", list(self.steps), what="steps", error=CapstoneTextError)
        return self.steps[key]

    def fill(self, key: str, field: str, text: str | None = None, **values: object) -> str:
        """The step's ``field`` (or ``text``, a part of it) with its placeholders filled from ``values``."""
        template = self.step(key)[field] if text is None else text
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as error:
            raise refusal(CapstoneTextError, f"{self.source}: step {key!r}, field '{field}'", template, "placeholders the case provides",
                          f"cannot fill {template!r}: {error!r}; the case provides {', '.join(sorted(values)) or 'no placeholders'}") from None


@shape_checked("capstone", CapstoneTextError)
def capstone_problems(raw: object, source: str) -> None:
    """Rules the schema cannot express: unique step keys, every wrong option says what to revisit, and every
    lesson to revisit is in the lesson manifest."""
    known = {lesson.number for lesson in lessons()}
    seen: set[str] = set()
    for position, step in enumerate(raw["steps"]):  # type: ignore[index]
        if step["key"] in seen:
            raise refusal(CapstoneTextError, where(source, raw, ['steps', position, 'key']), step["key"], "each step once", f"step {step['key']!r} is listed twice")
        seen.add(step["key"])
        revisits = [("revisit", step["revisit"]), ("option_revisit", step.get("option_revisit", []))]
        for number, option in enumerate(step.get("options", [])):
            if not option["correct"] and not option.get("revisit"):
                raise refusal(CapstoneTextError, where(source, raw, ['steps', position, 'options', number, 'revisit']), option.get("revisit"),
                              "the lessons to revisit", "a wrong option must name the lessons to revisit")
            revisits.append((f"options[{number}].revisit", option.get("revisit", [])))
        for field, numbers in revisits:
            unknown = [item for item in numbers if item not in known]
            if unknown:
                raise refusal(CapstoneTextError, f"{source}: step {position + 1} ({step['key']!r}), field '{field}'", unknown,
                              "lessons of the manifest", f"no lesson {', '.join(unknown)} in the lesson manifest")


def _from_data(raw: Mapping, source: str) -> CapstoneText:
    history = raw["history"]
    return CapstoneText(
        source=source,
        patient=raw["patient"],
        history=CaseHistory(history["tried"], history["scarring"], history["psychosocial_burden"], history["failed_standard_therapy"],
                            history["failed_systemic_antibiotics"], tuple(history["contraception"]), history["hormonal_contraception"],
                            history["contraception_start_days_before"], history["contact_lenses"]),
        steps={step["key"]: step for step in raw["steps"]},
        last_reviewed=str(raw.get("last_reviewed", "")),
    )


def load_capstone_text(path: str | Path | Traversable) -> CapstoneText:
    """Read and validate a capstone file (the course's own: :func:`capstone_text`)."""
    path = content_path(path, "path", CapstoneTextError)  # its name is used below
    return _from_data(load_checked(path, "capstone", capstone_problems, CapstoneTextError), path.name)


@cache
def capstone_text() -> CapstoneText:
    """The course's capstone text, as validated by the tests."""
    return _from_data(load_checked(CAPSTONE_FILE, "capstone", capstone_problems, CapstoneTextError, validate=False), CAPSTONE_FILE.name)
