"""The pregnancy risk-management programmes (``content/programmes.yml``) and the plain words for the rule sets' terms.

The rule sets (:mod:`rule_sets`) and the method lists (:mod:`contraception`) use short keys: a programme
(``ipledge``, ``eu``, ``uk``), a verification status (``verified-secondary``), a test setting (``home``), a
patient category. Students never see those keys: every table and message goes through the words here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.errors import CourseInputError
from ..core.inputs import read_choice, read_text
from ..core.resources import content_file
from .validation import ContentError, load_checked

PROGRAMMES_FILE = content_file("programmes.yml")


class ProgrammesError(ContentError):
    """A programmes file that cannot be used, or a programme the course does not know."""


@dataclass(frozen=True)
class Programme:
    key: str
    name: str
    region: str
    regulator: str
    plain: str


@dataclass(frozen=True)
class Programmes:
    programmes: Mapping[str, Programme]
    statuses: Mapping[str, str]
    settings: Mapping[str, str]
    rule_titles: Mapping[str, str]
    categories: Mapping[str, str]
    source_labels: Mapping[str, str]
    source_notes: Mapping[str, str]  # key → the source's age and authority, in words (not every source has one)


def _from_data(raw: Mapping) -> Programmes:
    return Programmes(
        programmes={key: Programme(key, item["name"], item["region"], item["regulator"], " ".join(item["plain"].split()))
                    for key, item in raw["programmes"].items()},
        statuses=dict(raw["statuses"]), settings=dict(raw["settings"]), rule_titles=dict(raw["rule_titles"]), categories=dict(raw["categories"]),
        source_labels=dict(raw["source_labels"]), source_notes={key: " ".join(text.split()) for key, text in raw["source_notes"].items()},
    )


def load_programmes(path: str | Path | Traversable) -> Programmes:
    """Read and validate a programmes file (the course's own: :func:`programmes`)."""
    return _from_data(load_checked(path, "programmes", None, ProgrammesError))


@cache
def programmes() -> Programmes:
    """The course's programmes and term wording, as validated by the tests."""
    return _from_data(load_checked(PROGRAMMES_FILE, "programmes", None, ProgrammesError, validate=False))


def programme(key: object) -> Programme:
    """One programme by key; an unknown key is refused with the keys listed and the closest suggested."""
    known = programmes().programmes
    try:
        return known[read_choice(key, "programme", list(known))]
    except CourseInputError as error:
        raise ProgrammesError("programme", key, error.allowed, message=str(error)) from None


def _words(table: Mapping[str, str], key: object, field: str, what: str) -> str:
    return table[read_choice(key, field, list(table), what=what, error=ProgrammesError)]


def status_words(status: str) -> str:
    """How far a rule was checked, as students read it ("read only in a summary by ...")."""
    return _words(programmes().statuses, status, "status", "statuses")


def setting_words(setting: str) -> str:
    return _words(programmes().settings, setting, "setting", "test settings")


def rule_title(name: str) -> str:
    return _words(programmes().rule_titles, name, "rule", "rule names")


def category_words(category: str) -> str:
    return _words(programmes().categories, category, "category", "patient categories")


def source_note(key: str) -> str:
    """What a student should know about a source's age and authority ("a copy of the 2009 label ..."); "" if nothing."""
    key = read_text(key, "source", empty=False, error=ProgrammesError)
    return programmes().source_notes.get(key, "")


def source_label(key: str) -> str:
    """A short author-year label for a source ("FDA REMS@FDA 2023"); the key itself if none is written."""
    key = read_text(key, "source", empty=False, error=ProgrammesError)
    return programmes().source_labels.get(key, key)
