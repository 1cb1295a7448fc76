"""The course's content as data, and one loader for each kind of content file.

What belongs here: the content files themselves (YAML and JSON, each kind with a JSON Schema in
``schemas/``) and the modules that read them into plain, frozen dataclasses: the bibliography
(``bibliography``), the quiz banks (``quiz_banks``: loading, schema and the checks a schema cannot
express), the lesson manifest (``lessons``), the counselling topics (``counselling``), the serious
warnings, interactions and procedures (``adverse_effects``), the capstone's step texts and options
(``capstone``), the risk-management rule sets (``rule_sets``), the programmes and the plain words for their
terms (``programmes``), the contraceptive methods each programme counts (``contraception``), the plausible-range table (``ranges``)
and the validation shared by all of them (``validation``). No computation on patients: that is models/.

Content is validated against its schema when it is tested and built (``python3 course.py test``,
``python3 course.py execute``, or a file named by path); at run time the course's own files, already
validated, load without importing jsonschema.

May import: core, content.
"""
