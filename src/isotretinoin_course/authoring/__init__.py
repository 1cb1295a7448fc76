"""Tools that build the course: they execute, lint and describe it, and never run in a student's notebook.

What belongs here: the notebook lint (``lint``: nbformat validity, execution order, the lesson shape,
references, quiz alignment and the lesson manifest), the notebook builder behind
``python3 course.py execute`` (``build``) and the README's generated tables (``readme``). Site and
slide generation will come here later. These modules need the authoring extra (nbformat, nbclient,
jsonschema).

May import: core, content, models, data, figures, widgets, grading, authoring.
"""
