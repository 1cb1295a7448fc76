"""Slides for class: ``python3 course.py slides`` makes one reveal.js deck per lesson from the executed notebooks.

Like the website (:mod:`..site`), nothing runs a notebook and nothing touches the network, at build time or when a
deck is shown: the decks are nbconvert's reveal.js export of the stored outputs, through the course's own template
(``templates/course_reveal``, which loads reveal.js from the vendored copy in ``vendor/reveal.js`` and nothing from
a CDN), with formulas turned into MathML at build time. The website build puts the decks in its ``slides/`` folder
and links each lesson page to its deck.

Which cell starts a slide comes from the cell's ``slideshow`` metadata when an author has set it (the notebook build
and lint keep it), and otherwise is derived from the lesson's structure: see :func:`.build.slide_types`.

Modules: ``build`` (the decks and the command line); ``templates/`` ships as package data.
"""

from ...core.errors import CourseInputError


class SlidesError(CourseInputError):
    """Input the decks cannot be built from; the message names the file and the place."""
