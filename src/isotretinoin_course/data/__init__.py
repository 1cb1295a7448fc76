"""The synthetic data: seeded generators, the Data Package schema and writer, and the run-time loader.

What belongs here: the generators of the synthetic cohort (``cohort``), of notebook 06's dispensing
audit log (``audit_log``) and of the small demonstration data (``demo``); the cohort as programme
timelines and the dispensing simulator's EU and UK patients (``programme_cases``); the Table Schema / Data
Package definitions (``schema``); the regeneration behind ``python3 course.py datasets``
(``regenerate``); and the light run-time loader that reads the tables with the types the schema gives
(``loader``). The tables themselves are the package ``isotretinoin_course.datasets`` (the repository's
``datasets/`` folder). No widgets, no figures.

May import: core, content, models, data.
"""
