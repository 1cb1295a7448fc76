"""Every file the package ships, found through ``importlib.resources``.

Content files (YAML, JSON, JSON Schemas) live in the ``content`` folder of the package; the synthetic
datasets live in the package ``isotretinoin_course.datasets``, whose folder in the repository is the
top-level ``datasets/`` (pyproject.toml maps it), so they travel inside the wheel. Nothing here guesses
a path from ``__file__``: an installed copy of the package finds its files wherever pip put them.
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .inputs import read_choice, read_text

PACKAGE = "isotretinoin_course"
DATASETS_PACKAGE = "isotretinoin_course.datasets"
# A teacher may point the course at another copy of the tables (same datapackage.json layout).
DATASETS_VARIABLE = "ISOTRETINOIN_COURSE_DATASETS"


def content_file(*parts: str) -> Traversable:
    """A file (or folder) in the package's ``content`` folder, e.g. ``content_file("quiz_banks", "01_x.yml")``."""
    return resources.files(PACKAGE).joinpath("content", *parts)


def content_files(folder: str, suffix: str) -> list[Traversable]:
    """The files of one content folder ending in ``suffix``, sorted by name."""
    folders = sorted(entry.name for entry in resources.files(PACKAGE).joinpath("content").iterdir() if entry.is_dir() and entry.name != "__pycache__")
    folder = read_choice(folder, "folder", folders, what="content folders")
    suffix = read_text(suffix, "suffix")
    return sorted((entry for entry in content_file(folder).iterdir() if entry.name.endswith(suffix)), key=lambda entry: entry.name)


def datasets_directory() -> Traversable:
    """Where the synthetic tables are: ``$ISOTRETINOIN_COURSE_DATASETS`` if set, else the copy installed with the package."""
    if os.environ.get(DATASETS_VARIABLE):
        return Path(os.environ[DATASETS_VARIABLE])
    return resources.files(DATASETS_PACKAGE)
