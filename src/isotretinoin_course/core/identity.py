"""Who is taking the course, as far as the order of quiz options needs to know.

A quiz shows its options in an order shuffled per question and per student, so that neither a position
pattern nor a neighbour's screen gives an answer away (:func:`isotretinoin_course.models.quiz.presented_questions`).
The order is seeded from the student's identity, read here from the environment:

1. ``ISOTRETINOIN_COURSE_FIXED_ORDER`` set (to anything but ``""``/``0``): the course's fixed order. The
   course's own build and tests set it (``course.py execute``, ``course.py site``, ``tests/conftest.py``),
   so that executed notebooks, the website and strict nbval all store and compare the same order.
2. ``ISOTRETINOIN_COURSE_STUDENT``: an identity an instructor sets explicitly (a student number, say).
3. ``JUPYTERHUB_USER``: the login name JupyterHub gives every single-user server.
4. Otherwise the fixed order.

The login name of the operating system (``getpass.getuser()``) is deliberately not used: on a student's own
laptop nobody sits alongside to copy from, and a personal order there would only make a notebook run by hand
(or by ``pytest --nbval`` outside ``course.py``) differ from the outputs stored in the repository.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from .inputs import read_mapping, read_text

FIXED_ORDER_VARIABLE = "ISOTRETINOIN_COURSE_FIXED_ORDER"
STUDENT_VARIABLE = "ISOTRETINOIN_COURSE_STUDENT"
HUB_USER_VARIABLE = "JUPYTERHUB_USER"
FIXED_IDENTITY = "isotretinoin-course"  # seeds the order stored in the executed notebooks and on the website


def _variable(environ: Mapping[str, str] | None, name: str) -> str:
    """One variable of ``environ`` (the process's environment by default), stripped; "" when unset."""
    environ = os.environ if environ is None else read_mapping(environ, "environ", what="a mapping of environment variables")
    return read_text(environ.get(name, ""), f"environ[{name!r}]").strip()


def fixed_order_requested(environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment asks for the course's fixed order (the build and the tests set this)."""
    return _variable(environ, FIXED_ORDER_VARIABLE) not in ("", "0")


def student_identity(environ: Mapping[str, str] | None = None) -> str:
    """The identity that seeds a student's option order (see the module's docstring for the rules)."""
    if fixed_order_requested(environ):
        return FIXED_IDENTITY
    for name in (STUDENT_VARIABLE, HUB_USER_VARIABLE):
        value = _variable(environ, name)
        if value:
            return value
    return FIXED_IDENTITY


def request_fixed_order() -> None:
    """Make this process, and every kernel it starts, use the fixed order (for the course's build and tests)."""
    os.environ[FIXED_ORDER_VARIABLE] = "1"
