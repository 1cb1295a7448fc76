"""The one base of every widget: the static fallback, and the guard that keeps tracebacks out of widgets."""

from __future__ import annotations

import ipywidgets as widgets

from isotretinoin_course.core.errors import CourseInputError
from isotretinoin_course.widgets.base import CourseWidget


class Doubler(CourseWidget):
    """A minimal widget: type a number, see it doubled."""

    title = "Doubler"

    def __init__(self) -> None:
        self.entry = widgets.Text(value="2")
        self.result = widgets.HTML()
        self.observe_guarded(self.entry, self._update)
        super().__init__([self.entry, self.result], outputs=[self.result])
        self._update()

    def _update(self, _change: object = None) -> None:
        if self.entry.value == "boom":
            raise ZeroDivisionError("a bug, not the student's fault")
        try:
            value = float(self.entry.value)
        except ValueError:
            raise CourseInputError("Number", self.entry.value, "a number", message=f"Number: {self.entry.value!r} is not a number") from None
        self.result.value = f"<p>{value * 2:g}</p>"

    def static_html(self) -> str:
        return "<p>Doubles a number.</p>"


def test_a_refusal_is_shown_in_the_widget_and_the_stale_output_is_hidden():
    widget = Doubler()
    assert widget.result.value == "<p>4</p>" and not widget.stale
    widget.entry.value = "two"  # would raise in an unguarded observer
    assert widget.message.value == '<p role="status">⚠ <strong>Check the input.</strong> Number: \'two\' is not a number</p>'
    assert widget.stale and widget.result.layout.visibility == "hidden"
    widget.entry.value = "3"
    assert widget.result.value == "<p>6</p>" and widget.message.value == "" and widget.result.layout.visibility is None


def test_a_bug_is_shown_as_a_notice_not_a_traceback():
    widget = Doubler()
    widget.entry.value = "boom"
    assert "could not update" in widget.message.value and "ZeroDivisionError" in widget.message.value
    assert "Traceback" not in widget.message.value
    assert widget.result.layout.visibility == "hidden"


def test_the_message_area_sits_before_the_outputs_and_the_fallback_is_fixed():
    widget = Doubler()
    assert widget.children.index(widget.message) == widget.children.index(widget.result) - 1
    bundle = widget._repr_mimebundle_()
    assert bundle["text/plain"] == "Doubler (interactive: run the notebook to use it)"
    assert bundle["text/html"] == "<p>Doubles a number.</p>"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_button_handler_is_guarded_too():
    class Clicker(CourseWidget):
        title = "Clicker"

        def __init__(self) -> None:
            self.button = widgets.Button(description="Go")
            self.on_click_guarded(self.button, self._go)
            super().__init__([self.button])

        def _go(self, _button: object) -> None:
            raise CourseInputError("Choice", None, "a choice", message="Choice: choose something first")

    clicker = Clicker()
    clicker.button.click()
    assert "Choice: choose something first" in clicker.message.value
