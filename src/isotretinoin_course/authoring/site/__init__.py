"""The course website: ``python3 course.py site`` builds a static site from the committed, executed notebooks.

Nothing here executes a notebook or touches the network. Pages are made from the outputs stored in
the notebooks (nbconvert's ``basic`` template inside our own page template), in the order and with
the titles of the lesson manifest. On the way, figures get their text descriptions as alt text,
quizzes and the capstone's case steps become quizzes the page's own JavaScript checks (their
questions come from the course's quiz code, the same objects the live widgets show), and every other
widget shows its static fallback with a line saying where the live version runs. Why nbconvert and
not Jupyter Book or Quarto: the README's "Course website" section.

Modules: ``build`` (the site, the pages, the command line), ``notebook_outputs`` (stored outputs to
what a static page shows), ``views`` (the quiz and case-step cells the site rebuilds from the package),
``quiz_html`` (a quiz's HTML and the data ``static/quiz.js`` judges with), ``html_post`` (links,
tables, MathML, search text); ``templates/`` and ``static/`` ship as package data.
"""

from ...core.errors import CourseInputError


class SiteError(CourseInputError):
    """Input the site cannot be built from; the message names the file and the place (notebook and cell)."""
