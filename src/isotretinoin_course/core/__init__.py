"""Foundation of the package: what every other layer leans on, and nothing clinical.

What belongs here: the one project error, ``CourseInputError`` (``errors``); the one set of input
readers for numbers, booleans, dates, paths, identifiers and sequences (``inputs``); safe
text-to-HTML (``markup``); access to every file the package ships, through ``importlib.resources``
(``resources``); the few constants that the notebook lint and the figures share (``constants``); and the student's saved progress
file (``progress_store``: where it lives, atomic locked writes, what happens when it cannot be read or written).

May import: core.
"""
