"""The synthetic datasets, data only: the CSV tables, ``datapackage.json`` and the data dictionary (README.md).

This folder is also the package ``isotretinoin_course.datasets`` (pyproject.toml maps it), so the tables
ship inside the wheel and an installed course finds them through ``importlib.resources``
(``isotretinoin_course.core.resources.datasets_directory``). Regenerate them with
``python3 course.py datasets``; never edit them by hand.

May import: nothing (no code lives here).
"""
