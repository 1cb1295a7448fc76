"""The base of every course widget: one static fallback, and one guard for every observer and button handler.

**Static fallback.** Notebooks are committed without widget state, so a viewer without a kernel
(GitHub, nbviewer, a static site) shows a widget's ``text/html`` representation, and strict nbval
compares its ``text/plain``. :class:`CourseWidget` gives both from :meth:`~CourseWidget.static_text`
(a fixed sentence) and :meth:`~CourseWidget.static_html` (what the widget shows at first, as plain HTML).

**Guard.** Every observer and button handler is wrapped by :meth:`~CourseWidget.guard` (use
:meth:`~CourseWidget.observe_guarded` and :meth:`~CourseWidget.on_click_guarded`). A refusal of the
course (:class:`~isotretinoin_course.core.errors.CourseInputError`) appears as its message inside the
widget; any other error appears as a short notice, never as a traceback. Either way the outputs that no
longer match the inputs (a plot, a table of results) are hidden until an update succeeds, so a student
never reads a stale plot under an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..core.inputs import checked_arguments, read_instance, read_sequence
from ..core.errors import CourseInputError
from ..core.markup import inline_markup


class CourseWidget(widgets.VBox):
    """A ``VBox`` with the course's static fallback, a message area and the guard for callbacks."""

    title = "Course widget"  # names the widget in its fixed text representation

    @checked_arguments
    def __init__(self, children: Sequence[widgets.Widget], *, message: widgets.HTML | None = None,
                 outputs: Sequence[widgets.Widget] = (), **kwargs: Any) -> None:
        """``message``: where problems are shown (created and placed before the first output if not given);
        ``outputs``: what goes stale when an update fails."""
        children = read_sequence(children, "children", lambda item, where: read_instance(item, where, widgets.Widget, "a widget"))
        outputs = read_sequence(outputs, "outputs", lambda item, where: read_instance(item, where, widgets.Widget, "a widget"))
        if message is None:
            message = widgets.HTML("")
            position = children.index(outputs[0]) if outputs and outputs[0] in children else len(children)
            children.insert(position, message)
        self.message = message
        self._outputs = tuple(outputs)
        super().__init__(children, **kwargs)

    # ------------------------------------------------------------------ static fallback
    def static_text(self) -> str:
        """The fixed ``text/plain`` representation (strict nbval compares it)."""
        return f"{self.title} (interactive: run the notebook to use it)"

    def static_html(self) -> str:
        """What a viewer without a kernel shows: override with the widget's first answer as HTML."""
        return f"<p><em>The {inline_markup(self.title.lower())} is interactive when the notebook runs.</em></p>"

    def __repr__(self) -> str:
        # ipywidgets' repr lists every trait of every child widget (a quiz holds dozens), and displaying a widget starts
        # by computing it: the fixed text is what the notebook shows anyway.
        return self.static_text()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.static_text()
        bundle["text/html"] = self.static_html()
        return bundle

    # ------------------------------------------------------------------ the guard
    def guard(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """``handler`` wrapped so that no error escapes into a traceback: see the module docstring."""

        @functools.wraps(handler)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                result = handler(*args, **kwargs)
            except CourseInputError as error:
                self.show_problem(f"<strong>Check the input.</strong> {inline_markup(str(error))}")
                return None
            except Exception as error:  # noqa: BLE001 - a student must never see a traceback inside a widget
                self.show_problem(
                    f"<strong>This widget could not update</strong> ({inline_markup(type(error).__name__)}: {inline_markup(str(error))}). "
                    "Change the input back or re-run the cell; if it happens again, tell your instructor."
                )
                return None
            self.clear_problem()
            return result

        guarded.__course_guarded__ = True  # type: ignore[attr-defined]  # the property tests check every handler has it
        return guarded

    def observe_guarded(self, control: widgets.Widget, handler: Callable[..., Any], names: str = "value") -> None:
        control.observe(self.guard(handler), names=names)

    def on_click_guarded(self, button: widgets.Button, handler: Callable[..., Any]) -> None:
        button.on_click(self.guard(handler))

    def show_problem(self, html: str) -> None:
        """Show a problem in the message area and hide the outputs it makes stale."""
        self.message.value = f'<p role="status">⚠ {html}</p>'
        for output in self._outputs:
            output.layout.visibility = "hidden"

    def clear_problem(self) -> None:
        self.message.value = ""
        for output in self._outputs:
            output.layout.visibility = None

    @property
    def stale(self) -> bool:
        """True while a problem is shown and the outputs are hidden."""
        return bool(self.message.value)
