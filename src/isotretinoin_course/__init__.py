"""Shared code of the isotretinoin teaching notebooks for pharmacy students.

The package is layered by role. Each layer may import only the layers listed before it (and
itself); ``tests/test_architecture.py`` parses every module and fails on an import against these
rules.

==========  =====================================================================  ==========================
Subpackage  What belongs there                                                     May import
==========  =====================================================================  ==========================
core        the one error type, the input readers, markup, package files,         core
            constants shared by the lint and the figures, the saved-progress
            file
content     the content files (YAML/JSON with JSON Schemas) and one loader per     core, content
            kind: bibliography, quiz banks, lesson manifest, counselling topics,
            adverse effects, capstone text, rule sets, plausible ranges
models      pure computation: acne, pharmacokinetics and isotretinoin's            core, content, models
            parameters, dosing, laboratory flags, the rules engine, article
            scoring, counselling, quiz checking, the capstone case
data        synthetic generators, the Data Package schema and its writer, the     core, content, models, data
            run-time table loader
figures     the course's figure style and every static matplotlib figure          core, content, models,
                                                                                   data, figures
widgets     every ipywidgets view, on one base (static fallback and guard)        core ... figures, widgets
authoring   the notebook lint, the notebook builder, the README's tables          any layer
grading     nbgrader helpers for instructors                                       core, content, grading
==========  =====================================================================  ==========================

``isotretinoin_course.datasets`` holds data only: the synthetic tables, mapped from the repository's
``datasets/`` folder so that they ship in the wheel. Where a lesson's code lives is in the README's
"Where to change what" table, generated from ``content/lessons.yml``.

Importing this package imports nothing else; notebooks import what they use, e.g.
``from isotretinoin_course.widgets import DosingCalculator``.
"""
