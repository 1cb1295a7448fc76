"""The project's one error type: input the course cannot use, naming the field, the value and what is allowed.

Every module's own error (``DosingError``, ``QuizBankError``, ``DatasetError`` ...) derives from
:class:`CourseInputError`, so a notebook, a widget or a test can catch the course's refusals with one
``except`` and let real bugs through. It subclasses ``ValueError`` because that is what the refusals are.

Two ways to raise it:

- ``CourseInputError("Body weight", -3, "a positive number of kg")`` builds the message
  ``Body weight: -3 is not allowed; expected a positive number of kg`` and keeps ``field``, ``value`` and
  ``allowed`` on the error; pass ``message=`` to word the sentence yourself.
- ``DatasetError("synthetic_labs.csv, row 3 (line 4), column 'alt_u_l': 'x' is not a number")``, one sentence
  that starts with where the problem is: that part, before the first ": ", is the ``field``. A sentence
  without such a start has no ``field``; every refusal of the course names one (the property tests check).
"""

from __future__ import annotations

_UNSET = object()


class CourseInputError(ValueError):
    """Input the course cannot use; ``str(error)`` is a message a student can act on."""

    field: str | None
    value: object
    allowed: str | None

    def __init__(self, field: str, value: object = _UNSET, allowed: str | None = None, *, message: str | None = None) -> None:
        if value is _UNSET:  # one sentence: it is the whole message; a leading "where: " names the field
            text = message or field
            where = text.split(": ", 1)[0] if ": " in text else ""
            self.field = where if where and len(where) <= 120 and "\n" not in where else None
            self.value, self.allowed = None, allowed
        else:
            self.field, self.value, self.allowed = field, value, allowed
            text = message or f"{field}: {value!r} is not allowed" + (f"; expected {allowed}" if allowed else "")
        super().__init__(text)

    def __reduce__(self):
        # Keep field, value and allowed when the error crosses a process boundary (pytest-xdist, multiprocessing).
        return (_rebuild, (type(self), str(self), self.field, self.value, self.allowed))


def _rebuild(kind: type, text: str, field: str | None, value: object, allowed: str | None) -> CourseInputError:
    error = kind.__new__(kind)
    ValueError.__init__(error, text)
    error.field, error.value, error.allowed = field, value, allowed
    return error
