"""JupyterHub support for the isotretinoin course.

- ``lessons``: copies the lesson notebooks into a student's home at each server start, never
  overwriting a notebook the student has changed (runs as the student, standard library only).
- ``exchange``: an nbgrader exchange with one inbound and one feedback folder per student, so that
  directory permissions, not unguessable names, keep each submission and its feedback private.
- ``accounts``: the root-only tool that creates the exchange, the course groups and the accounts.
"""
