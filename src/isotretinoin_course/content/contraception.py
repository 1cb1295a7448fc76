"""The contraceptive methods each programme counts (``content/contraceptive_methods.yml``), and finding one by name.

Each method has a name, other names it goes by, how it works (two methods are *complementary* when they
work in different ways) and, for each programme, its class there: iPLEDGE's primary and secondary forms
(and continuous abstinence), the EU and UK programmes' highly effective and user-dependent methods. The
rules engine (:mod:`isotretinoin_course.models.risk_management`) reads a patient's methods through
:func:`find_method`, so a name the list does not know is refused, not guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.errors import CourseInputError
from ..core.inputs import read_choice
from ..core.resources import content_file
from .validation import ContentError, load_checked, refusal, shape_checked, where

METHODS_FILE = content_file("contraceptive_methods.yml")
PROGRAMMES = ("ipledge", "eu", "uk")
ABSTINENCE = "abstinence"  # the works_by of continuous abstinence: a commitment, not a method
# The classes that count towards a programme's contraception rule (the rest do not count).
COUNTED = {"ipledge": ("primary", "secondary"), "eu": ("highly_effective", "user_dependent"), "uk": ("highly_effective", "user_dependent")}


class MethodsError(ContentError):
    """A method file that cannot be used, or a method name the course does not know."""


@dataclass(frozen=True)
class Classification:
    klass: str  # "class" is a Python keyword
    status: str
    note: str = ""


@dataclass(frozen=True)
class MethodList:
    """One programme's list: its class names, its rule in plain words, and where it comes from."""

    programme: str
    classes: Mapping[str, str]
    plain: str
    source: str
    section: str
    status: str
    note: str


@dataclass(frozen=True)
class Method:
    name: str
    also_called: tuple[str, ...]
    works_by: str
    classes: Mapping[str, Classification]  # programme → its class there

    @property
    def is_abstinence(self) -> bool:
        return self.works_by == ABSTINENCE

    def counts_in(self, programme: str) -> bool:
        """Whether the method counts towards the programme's contraception rule."""
        return self.classes[programme].klass in COUNTED[programme]


@dataclass(frozen=True)
class Methods:
    lists: Mapping[str, MethodList]
    methods: tuple[Method, ...]

    def names(self) -> dict[str, Method]:
        """Every name a method may be given (its own and the others), lower-cased, to the method."""
        found: dict[str, Method] = {}
        for method in self.methods:
            for name in (method.name, *method.also_called):
                found[name.lower()] = method
        return found


@shape_checked("contraceptive_methods", MethodsError)
def methods_problems(raw: object, source: str) -> None:
    """What the schema cannot say: every name used once, and each class one the programme's list defines."""
    seen: dict[str, str] = {}
    for position, item in enumerate(raw["methods"]):  # type: ignore[index]
        for name in (item["name"], *item["also_called"]):
            if name.lower() in seen:
                raise refusal(MethodsError, where(source, raw, ['methods', position, 'also_called']), name, "a name used once",
                              f"the name {name!r} is already used by {seen[name.lower()]!r}")
            seen[name.lower()] = item["name"]
        for programme in PROGRAMMES:
            klass = item[programme]["class"]
            if klass not in raw["programmes"][programme]["classes"]:  # type: ignore[index]
                allowed = ", ".join(raw["programmes"][programme]["classes"])  # type: ignore[index]
                raise refusal(MethodsError, where(source, raw, ['methods', position, programme, 'class']), klass, f"a class of the {programme} list",
                              f"{klass!r} is not a class of the {programme} list ({allowed})")
            if klass == ABSTINENCE and item["works_by"] != ABSTINENCE:
                raise refusal(MethodsError, where(source, raw, ['methods', position, programme, 'class']), klass, "a class other than abstinence",
                              "only continuous abstinence can be classed as abstinence")


def _from_data(raw: Mapping) -> Methods:
    lists = {key: MethodList(key, dict(item["classes"]), " ".join(item["plain"].split()), item["source"], item["section"], item["status"],
                             " ".join(item["note"].split()))
             for key, item in raw["programmes"].items()}
    methods = tuple(
        Method(item["name"], tuple(item["also_called"]), item["works_by"],
               {programme: Classification(item[programme]["class"], item[programme]["status"], item[programme].get("note", ""))
                for programme in PROGRAMMES})
        for item in raw["methods"]
    )
    return Methods(lists, methods)


def load_methods(path: str | Path | Traversable) -> Methods:
    """Read and validate a methods file (the course's own: :func:`contraceptive_methods`)."""
    return _from_data(load_checked(path, "contraceptive_methods", methods_problems, MethodsError))


@cache
def contraceptive_methods() -> Methods:
    """The course's method lists, as validated by the tests."""
    return _from_data(load_checked(METHODS_FILE, "contraceptive_methods", methods_problems, MethodsError, validate=False))


def find_method(name: object, field: str = "method") -> Method:
    """The method called ``name`` (its own name or another it goes by, in any letter case).

    An unknown name is refused with the closest names suggested, e.g. ``'minipil'``: did you mean 'minipill'?
    """
    known = contraceptive_methods().names()
    if isinstance(name, str) and name.strip().lower() in known:
        return known[name.strip().lower()]
    names = [method.name for method in contraceptive_methods().methods] + [other for method in contraceptive_methods().methods for other in method.also_called]
    try:
        return known[read_choice(name, field, names).lower()]
    except CourseInputError as error:
        message = f"{field}: {name!r} is not a contraceptive method in the course's list"
        if "did you mean" in str(error):
            message += ";" + str(error).split(";")[-1]
        raise MethodsError(field, name, "a method named in contraceptive_methods.yml", message=message) from None
