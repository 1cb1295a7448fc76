"""Tools that build the course: they execute, lint and describe it, and never run in a student's notebook.

What belongs here: the notebook lint (``lint``: nbformat validity, execution order, the lesson shape,
references, quiz alignment and the lesson manifest), the notebook builder behind
``python3 course.py execute`` (``build``), the README's generated tables (``readme``), the PK fit
(``pk_fit``), the review-date checks (``review_dates``) and the course website behind
``python3 course.py site`` (``site``, a subpackage with its templates and static files). These modules
need the authoring extra (nbformat, nbclient, jsonschema; nbconvert, BeautifulSoup and latex2mathml for
the website).

May import: core, content, models, data, figures, widgets, grading, authoring.
"""
