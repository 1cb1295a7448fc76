"""Helpers for the graded exercises around nbgrader, for instructors.

What belongs here: the autograde report (``report``: which submissions need a human look after
``nbgrader autograde``, and the grade-id checks). The course folder (``exercises/``) is always an
argument. A sandbox for running submissions will come here later.

May import: core, content, grading.
"""
