"""Review dates: a notebook's **Last reviewed** date may not be older than the content it shows.

Every clinical content file carries ``last_reviewed: YYYY-MM-DD`` at its top: the date its content was
last checked against its sources (quiz banks, ``adverse_effects.yml``, ``counselling_topics.yml``,
``capstone.yml``, the rule sets). The lesson manifest names each notebook's banks and content files, and
the notebook lint (:func:`review_date_problems`) refuses a notebook whose own date is older than any of
them. That check reads only files, so it works on a clean clone in CI.

What the lint cannot see is a content file edited without a new date. :func:`last_content_change` asks
git for the last commit that changed a line of content (ignoring blank lines, comments and the
``last_reviewed`` line itself, so that only real edits count and bumping the date is not an edit);
``tests/test_review_dates.py`` holds every content file's date to it whenever git history is available.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from ..core.errors import CourseInputError
from ..core.inputs import checked_arguments, read_date, read_instance, read_path, read_sequence, read_text
from ..content.validation import ContentError, content_path, read_structured
from ..core.resources import content_file

LAST_REVIEWED_KEY = "last_reviewed"
_LAST_REVIEWED_LINE = re.compile(rf"^\s*{LAST_REVIEWED_KEY}\s*:")


@dataclass(frozen=True)
class ReviewedFile:
    """A content file and the date in its ``last_reviewed`` field (``None`` when it has none)."""

    name: str  # as the manifest names it, e.g. "quiz_banks/05_laboratory_monitoring.yml"
    last_reviewed: dt.date | None
    problem: str = ""  # why the date could not be read

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", read_text(self.name, "name", max_length=300))
        object.__setattr__(self, "last_reviewed", read_date(self.last_reviewed, "last_reviewed", optional=True))
        object.__setattr__(self, "problem", read_text(self.problem, "problem", max_length=10_000))


@checked_arguments
def read_last_reviewed(path: Path | Traversable, name: str | None = None) -> ReviewedFile:
    """The ``last_reviewed`` date at the top of a YAML content file."""
    path = content_path(path)
    name = path.name if name is None else read_text(name, "name", empty=False, max_length=300)
    try:
        raw = read_structured(path)
    except ContentError as error:
        return ReviewedFile(name, None, str(error))
    value = raw.get(LAST_REVIEWED_KEY) if isinstance(raw, dict) else None
    if value is None:
        return ReviewedFile(name, None, f"{name} has no '{LAST_REVIEWED_KEY}: YYYY-MM-DD' line at its top")
    try:
        return ReviewedFile(name, dt.date.fromisoformat(str(value)))
    except ValueError:
        return ReviewedFile(name, None, f"{name}: '{LAST_REVIEWED_KEY}' is {value!r}, not a date (YYYY-MM-DD)")


@checked_arguments
def manifest_content_files(names: Iterable[str]) -> list[tuple[str, Traversable]]:
    """The content files a manifest entry names: a file (``capstone.yml``) or a folder (``rule_sets/``: every
    ``.yml`` in it), relative to the package's ``content`` folder."""
    files: list[tuple[str, Traversable]] = []
    for name in read_sequence(names, "names", lambda item, where: read_text(item, where, empty=False, max_length=300)):
        entry = content_file(*name.rstrip("/").split("/"))
        if name.endswith("/"):
            files += [(f"{name}{item.name}", item) for item in sorted(entry.iterdir(), key=lambda item: item.name) if item.name.endswith(".yml")]
        else:
            files.append((name, entry))
    return files


@checked_arguments
def review_date_problems(notebook_reviewed: dt.date, files: Sequence[ReviewedFile], today: dt.date | None = None) -> list[str]:
    """Why a notebook reviewed on ``notebook_reviewed`` is out of date with the content files it shows."""
    notebook_reviewed = read_date(notebook_reviewed, "notebook_reviewed")
    files = read_sequence(files, "files", lambda item, where: read_instance(item, where, ReviewedFile, "a ReviewedFile"))
    today = read_date(today, "today", optional=True) or dt.date.today()
    problems = []
    for item in files:
        if item.last_reviewed is None:
            problems.append(item.problem)
        elif item.last_reviewed > today:
            problems.append(f"{item.name}: '{LAST_REVIEWED_KEY}' {item.last_reviewed} is in the future")
        elif item.last_reviewed > notebook_reviewed:
            problems.append(f"Last reviewed {notebook_reviewed} is older than {item.name} ({LAST_REVIEWED_KEY} {item.last_reviewed}): "
                            "review the notebook against the changed content and give it the new date")
    return problems


# --------------------------------------------------------------------------- git history


def _content_line(line: str) -> bool:
    """A changed line (from a diff, without its +/-) that changes content: not blank, not a comment, not the date."""
    text = line.strip()
    return bool(text) and not text.startswith("#") and not _LAST_REVIEWED_LINE.match(line)


@checked_arguments
def git_history_available(repository: Path) -> bool:
    """True in a full (not shallow) git work tree with git installed."""
    repository = read_path(repository, "repository")
    try:
        result = subprocess.run(["git", "rev-parse", "--is-inside-work-tree", "--is-shallow-repository"], cwd=repository,
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.split() == ["true", "false"]


@checked_arguments
def last_content_change(path: Path, repository: Path, today: dt.date | None = None) -> dt.date | None:
    """The date of the last change to a line of content of ``path``: today for uncommitted edits, else the
    committer date of the last commit that made one (following renames). ``None`` if git knows no such change."""
    path, repository = read_path(path, "path", kind="file"), read_path(repository, "repository", kind="folder")
    if not path.resolve().is_relative_to(repository.resolve()):
        raise CourseInputError("path", str(path), f"a file inside {repository}", message=f"path: {path} is not inside the repository {repository}")
    if not git_history_available(repository):
        raise CourseInputError("repository", str(repository), "a full git work tree", message=f"repository: {repository} is not a full git work tree")
    relative = str(path.resolve().relative_to(repository.resolve()))
    uncommitted = subprocess.run(["git", "diff", "HEAD", "--unified=0", "--", relative], cwd=repository, capture_output=True, text=True,
                                 timeout=60, check=True).stdout
    if any(_content_line(line[1:]) for line in _diff_lines(uncommitted)):
        return today or dt.date.today()
    log = subprocess.run(["git", "log", "--follow", "-M", "--format=@@commit %cs", "--unified=0", "-p", "--", relative], cwd=repository,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    date: str | None = None
    for line in log.splitlines():
        if line.startswith("@@commit "):
            date = line.split()[1]
        elif date and line[:1] in "+-" and not line.startswith(("+++", "---")) and _content_line(line[1:]):
            return dt.date.fromisoformat(date)
    return None


def _diff_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
