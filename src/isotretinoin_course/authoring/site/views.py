"""The interactive cells the site rebuilds from the package: quizzes and the capstone's case steps.

A notebook shows a quiz with ``quiz_for("03_pharmacokinetics")`` and a step of the capstone case with
``CaseStepView(case, "eligibility")``, where ``case = CapstoneCase(cohort)`` and ``cohort = load_cohort()``.
Their stored outputs carry no widget state, so the site cannot replay them; instead it reads the call
with :mod:`ast` (never running the notebook) and makes the same object the notebook made, with the
course's own code: :func:`~isotretinoin_course.widgets.quiz.quiz_for` and
:class:`~isotretinoin_course.widgets.capstone.CaseStepView` on a
:class:`~isotretinoin_course.models.capstone.CapstoneCase` built from the synthetic cohort. The page's
questions, their order and their options' order are then exactly the widget's (``Quiz.questions``).

To be sure the object is the one the notebook showed, its static text and HTML must equal the stored
output; otherwise the notebook is out of date with the package and the build stops, saying so.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from . import SiteError

QUIZ_FUNCTION = "quiz_for"
CASE_VIEW = "CaseStepView"
CASE_CLASS = "CapstoneCase"
COHORT_LOADER = "load_cohort"
REEXECUTE = "re-execute it with python3 course.py execute"


@dataclass(frozen=True)
class ViewCall:
    """What an interactive cell asks for: ``function(*args, **kwargs)``, with ``case`` the name of a case variable."""

    function: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    case: str | None = None


def _parse(source: str) -> ast.Module | None:
    """The cell's code as Python, with IPython's magic and shell lines (``%matplotlib inline``) blanked; ``None`` if it is not Python."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _function_name(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def _literals(nodes: list[ast.expr], keywords: list[ast.keyword], where: str, function: str) -> tuple[tuple, tuple]:
    try:
        args = tuple(ast.literal_eval(node) for node in nodes)
        kwargs = tuple((keyword.arg, ast.literal_eval(keyword.value)) for keyword in keywords)
    except ValueError:
        raise SiteError(f"{where}: {function}(...) must be called with literal arguments (text, numbers, lists) for the site "
                        "to read it without running the notebook") from None
    if any(name is None for name, _ in kwargs):
        raise SiteError(f"{where}: {function}(...) cannot take **arguments on the site")
    return args, kwargs


def read_view_call(source: str, where: str) -> ViewCall | None:
    """The quiz or case-step call a code cell ends with, or ``None`` if the cell shows neither.

    ``where`` names the notebook and cell in error messages.
    """
    tree = _parse(source)
    if tree is None or not tree.body or not isinstance(tree.body[-1], ast.Expr) or not isinstance(tree.body[-1].value, ast.Call):
        return None
    call = tree.body[-1].value
    function = _function_name(call)
    if function == QUIZ_FUNCTION:
        args, kwargs = _literals(call.args, call.keywords, where, function)
        return ViewCall(function, args, kwargs)
    if function == CASE_VIEW:
        if not call.args or not isinstance(call.args[0], ast.Name):
            raise SiteError(f"{where}: {CASE_VIEW}(...) must name the case variable first, e.g. {CASE_VIEW}(case, \"eligibility\")")
        args, kwargs = _literals(call.args[1:], call.keywords, where, function)
        return ViewCall(function, args, kwargs, case=call.args[0].id)
    return None


@dataclass
class CaseRecipe:
    """How a notebook made its case: ``case = CapstoneCase(cohort, ...)`` with ``cohort = load_cohort()``."""

    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]


def find_cases(sources: list[tuple[str, str]]) -> dict[str, CaseRecipe]:
    """Every ``NAME = CapstoneCase(COHORT, ...)`` of a notebook whose ``COHORT`` is assigned ``load_cohort()``.

    ``sources`` are (where, code) pairs. Other arguments must be literals (a patient id, say).
    """
    cohorts: set[str] = set()
    found: dict[str, CaseRecipe] = {}
    for where, source in sources:
        tree = _parse(source)
        for node in ast.walk(tree) if tree is not None else ():
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Call)):
                continue
            name, call = node.targets[0].id, node.value
            function = _function_name(call)
            if function == COHORT_LOADER and not call.args and not call.keywords:
                cohorts.add(name)
            elif function == CASE_CLASS:
                if not call.args or not isinstance(call.args[0], ast.Name) or call.args[0].id not in cohorts:
                    raise SiteError(f"{where}: the site can rebuild {CASE_CLASS}(cohort, ...) only when cohort = {COHORT_LOADER}()")
                args, kwargs = _literals(call.args[1:], call.keywords, where, CASE_CLASS)
                found[name] = CaseRecipe(args, kwargs)
    return found


@dataclass
class ViewMaker:
    """Makes the course's own objects for the view cells of one notebook (the capstone case once, when first needed)."""

    cases: dict[str, CaseRecipe]
    _built: dict[str, Any] = field(default_factory=dict)

    def case(self, name: str, where: str):
        if name not in self.cases:
            raise SiteError(f"{where}: {name!r} is not assigned {CASE_CLASS}(...) in an earlier cell of this notebook")
        if name not in self._built:
            from ...data.loader import load_cohort
            from ...models.capstone import CapstoneCase

            recipe = self.cases[name]
            self._built[name] = CapstoneCase(load_cohort(), *recipe.args, **dict(recipe.kwargs))
        return self._built[name]

    def make(self, call: ViewCall, where: str):
        """The widget the notebook showed: a :class:`~isotretinoin_course.widgets.quiz.Quiz` or a ``CaseStepView``."""
        from ...widgets.capstone import CaseStepView
        from ...widgets.quiz import quiz_for

        try:
            if call.function == QUIZ_FUNCTION:
                return quiz_for(*call.args, **dict(call.kwargs))
            return CaseStepView(self.case(call.case, where), *call.args, **dict(call.kwargs))
        except SiteError:
            raise
        except (TypeError, KeyError, ValueError) as error:
            raise SiteError(f"{where}: {call.function}(...) cannot be rebuilt from the package: {error}") from None


def check_matches_stored(view, stored: dict, where: str) -> None:
    """Refuse a rebuilt view whose static text or HTML differs from the notebook's stored output."""
    for mime, made in (("text/plain", view.static_text()), ("text/html", view.static_html())):
        kept = stored.get(mime)
        kept = "".join(kept) if isinstance(kept, list) else kept
        if kept != made:
            raise SiteError(f"{where}: the stored output ({mime}) differs from what the course's code shows now, so the "
                            f"notebook is out of date with the package; {REEXECUTE}")
