"""The student's saved progress: quiz, widget-question and capstone results, in one file on their own computer.

**Where.** ``<Jupyter data directory>/isotretinoin-course/progress.json``, the folder
``jupyter_core.paths.jupyter_data_dir()`` names (``~/.local/share/jupyter`` on Linux, ``%APPDATA%\\jupyter`` on
Windows, ``JUPYTER_DATA_DIR`` when set): never inside the repository, and nothing is sent anywhere. The
environment variable :data:`PROGRESS_DIR_VARIABLE` names another folder instead; the notebook build and the tests
set it to an empty temporary folder, so that stored outputs never depend on what a machine has saved.

**What.** One record per question a student has checked, keyed by lesson (``"01"``), source (the quiz bank,
the widget or the capstone patient the question belongs to) and question id, with its learning objective
(``"LO2"``), the number of attempts, whether the first and the latest attempt were right, and the latest
response (option ids or the typed text), so a re-run quiz can show it again.

**How it is written.** Every change is a read-modify-write under an exclusive lock on ``progress.json.lock``
(``fcntl`` on Linux and macOS, ``msvcrt`` on Windows), so two kernels saving at once both keep their results;
the new content goes to a temporary file in the same folder, is flushed to disk and replaces the old file with
``os.replace``, so a reader (or a crash) sees the old file or the new one, never half of one.

**When it cannot.** A file that cannot be read (not JSON, not a progress file, saved by a newer course, no
permission) is never overwritten: :attr:`ProgressStore.problem` says what is wrong in words a student can act
on, and results are kept in memory for this kernel only. The same happens when the folder cannot be written.
Quizzes go on working either way. :meth:`ProgressStore.reset` deletes the file (the way out of a broken one).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

PROGRESS_DIR_VARIABLE = "ISOTRETINOIN_COURSE_PROGRESS_DIR"
FOLDER_NAME = "isotretinoin-course"
FILE_NAME = "progress.json"
FORMAT = "isotretinoin-course progress"
VERSION = 1
KINDS = ("quiz", "widget", "capstone")
LOCK_TIMEOUT_SECONDS = 5.0
_RESET_HINT = "To start a new progress file, use “Reset my progress” in notebook 00 (Start here)."
_NOT_SAVED = "Your answers still count in this session, but they are not saved and a kernel restart loses them."


class ProgressFileProblem(Exception):
    """Why the progress file could not be read or written, as a sentence for the student."""


@dataclass(frozen=True)
class SavedResult:
    """A student's result on one question, as saved."""

    lesson: str  # the lesson number, e.g. "01"
    source: str  # what the question belongs to, e.g. "quiz 01_acne_pathophysiology", "capstone SYN-0024"
    question: str  # the question id within its source
    objective: str  # the learning objective it assesses, e.g. "LO2"
    kind: str  # one of KINDS
    attempts: int
    correct_first_time: bool
    correct_now: bool
    response: str | list[str] | None = None  # option id(s) or the typed text of the latest attempt
    saved_at: str = ""  # local time of the latest attempt, ISO format (for people reading the file, not shown)

    @property
    def key(self) -> str:
        return record_key(self.source, self.question)


def record_key(source: str, question: str) -> str:
    return f"{source} / {question}"


def progress_path() -> Path:
    """The progress file this kernel uses: the folder in :data:`PROGRESS_DIR_VARIABLE`, else the Jupyter data directory's."""
    folder = os.environ.get(PROGRESS_DIR_VARIABLE, "").strip()
    if folder:
        return Path(folder) / FILE_NAME
    from jupyter_core.paths import jupyter_data_dir  # Jupyter's own rule for where per-user data lives

    return Path(jupyter_data_dir()) / FOLDER_NAME / FILE_NAME


# --------------------------------------------------------------------------- the file's content


def _result_from_data(lesson: str, key: str, data: object) -> SavedResult:
    if not isinstance(data, dict):
        raise ValueError(f"lesson {lesson}, {key!r}: a record must be a mapping")
    names = {item.name for item in fields(SavedResult)}
    missing = sorted({"source", "question", "objective", "kind", "attempts", "correct_first_time", "correct_now"} - set(data))
    if missing:
        raise ValueError(f"lesson {lesson}, {key!r}: missing {', '.join(missing)}")
    result = SavedResult(lesson=lesson, **{name: value for name, value in data.items() if name in names and name != "lesson"})
    if not (isinstance(result.attempts, int) and result.attempts >= 1 and result.kind in KINDS
            and isinstance(result.correct_first_time, bool) and isinstance(result.correct_now, bool)
            and all(isinstance(text, str) for text in (result.source, result.question, result.objective, result.saved_at))):
        raise ValueError(f"lesson {lesson}, {key!r}: a field has the wrong type")
    if result.response is not None and not isinstance(result.response, str):
        if not (isinstance(result.response, list) and all(isinstance(item, str) for item in result.response)):
            raise ValueError(f"lesson {lesson}, {key!r}: 'response' must be text or a list of option ids")
    if result.key != key:
        raise ValueError(f"lesson {lesson}, {key!r}: the key does not match its source and question")
    return result


def parse_progress(text: str) -> dict[tuple[str, str], SavedResult]:
    """The results in a progress file's text, by (lesson, key). Raises ``ValueError`` naming what is wrong."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON (line {error.lineno}, column {error.colno})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("not a progress file of this course")
    if not isinstance(raw.get("version"), int) or raw["version"] > VERSION:
        raise ValueError(f"saved by a newer version of the course (format version {raw.get('version')!r}; this one reads {VERSION})")
    lessons = raw.get("lessons")
    if not isinstance(lessons, dict):
        raise ValueError("'lessons' must be a mapping")
    results = {}
    for lesson, records in lessons.items():
        if not isinstance(records, dict):
            raise ValueError(f"lesson {lesson}: must be a mapping of results")
        for key, data in records.items():
            results[(lesson, key)] = _result_from_data(lesson, key, data)
    return results


def progress_text(results: dict[tuple[str, str], SavedResult]) -> str:
    """The file's text for these results: sorted, so the same results always give the same bytes."""
    lessons: dict[str, dict[str, dict]] = {}
    for (lesson, key), result in sorted(results.items()):
        record = asdict(result)
        del record["lesson"]
        lessons.setdefault(lesson, {})[key] = record
    return json.dumps({"format": FORMAT, "version": VERSION, "lessons": lessons}, indent=1, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- locking and atomic replacement


@contextlib.contextmanager
def _locked(lock_path: Path, timeout: float | None = None) -> Iterator[None]:
    """An exclusive lock between processes on ``lock_path`` (created if need be); released on exit or process death."""
    timeout = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    handle = open(lock_path, "a+b")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                _try_lock(handle)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ProgressFileProblem(f"Your progress file is busy: another notebook kept it locked for {timeout:g} seconds. "
                                              "This answer counts in this session and is saved with your next one.") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            _unlock(handle)
    finally:
        handle.close()


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old content or the new, never part of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # private: mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# --------------------------------------------------------------------------- the store


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


class ProgressStore:
    """Saved results in one progress file, with what could not be saved kept in memory.

    ``store.record(...)`` saves one checked answer and returns the merged record; ``store.result(...)`` and
    ``store.results()`` read; ``store.problem`` is empty or says why saving or reading failed.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.problem = ""
        self._unsaved: dict[tuple[str, str], SavedResult] = {}  # what could not reach the file, for this kernel

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # ------------------------------------------------------------------ reading
    def _read_file(self) -> dict[tuple[str, str], SavedResult]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):  # nothing saved yet (a folder on the way is missing or a file)
            return {}
        except UnicodeDecodeError:
            raise ProgressFileProblem(f"Your saved progress could not be read: {self.path} is not a text file. {_NOT_SAVED} "
                                      f"{_RESET_HINT}") from None
        except OSError as error:
            raise ProgressFileProblem(f"Your saved progress could not be read ({self.path}: {_reason(error)}). {_NOT_SAVED} "
                                      "Check that you may read that file, or ask your instructor.") from None
        try:
            return parse_progress(text)
        except ValueError as error:
            raise ProgressFileProblem(f"Your saved progress could not be read: {self.path} is {error}. {_NOT_SAVED} "
                                      f"{_RESET_HINT}") from None

    def results(self) -> list[SavedResult]:
        """Every saved result (the file's, and this kernel's unsaved ones on top), in a stable order."""
        try:
            merged = self._read_file()
        except ProgressFileProblem as problem:
            self.problem = str(problem)
            merged = {}
        merged.update(self._unsaved)
        return [merged[key] for key in sorted(merged)]

    def result(self, lesson: str, source: str, question: str) -> SavedResult | None:
        key = (lesson, record_key(source, question))
        for result in self.results():
            if (result.lesson, result.key) == key:
                return result
        return None

    # ------------------------------------------------------------------ writing
    def record(self, lesson: str, source: str, question: str, objective: str, correct: bool,
               response: str | list[str] | None = None, kind: str = "quiz") -> SavedResult:
        """Save one checked answer: the attempt count goes up, the first attempt's verdict is kept."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        key = (lesson, record_key(source, question))
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")

        def merged_with(previous: SavedResult | None) -> SavedResult:
            if previous is None:
                return SavedResult(lesson, source, question, objective, kind, 1, bool(correct), bool(correct), response, now)
            return replace(previous, objective=objective, kind=kind, attempts=previous.attempts + 1, correct_now=bool(correct),
                           response=response, saved_at=now)

        try:
            self._folder()
            with _locked(self.lock_path):
                on_file = self._read_file()
                on_file.update(self._unsaved)
                result = merged_with(on_file.get(key))
                on_file[key] = result
                try:
                    write_atomically(self.path, progress_text(on_file))
                except OSError as error:
                    raise ProgressFileProblem(self._unwritable(error)) from None
        except ProgressFileProblem as problem:
            self.problem = str(problem)
            previous = self._unsaved.get(key)
            if previous is None:  # what this kernel knows: the file if it can still be read, else nothing
                with contextlib.suppress(ProgressFileProblem):
                    previous = self._read_file().get(key)
            result = merged_with(previous)
            self._unsaved[key] = result
            return result
        except OSError as error:  # the lock file itself could not be opened
            self.problem = self._unwritable(error)
            result = merged_with(self._unsaved.get(key))
            self._unsaved[key] = result
            return result
        self._unsaved.clear()
        self.problem = ""
        return result

    def _folder(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ProgressFileProblem(self._unwritable(error)) from None

    def _unwritable(self, error: OSError) -> str:
        return (f"Your answer could not be saved to {self.path} ({_reason(error)}). {_NOT_SAVED} "
                "Check that the folder exists and that you may write to it, or ask your instructor.")

    def reset(self) -> None:
        """Delete every saved result: the file (whatever state it is in) and what this kernel kept in memory.

        Raises :class:`ProgressFileProblem` when the file exists but cannot be deleted.
        """
        self._unsaved.clear()
        try:
            with _locked(self.lock_path) if self.path.parent.is_dir() else contextlib.nullcontext():
                self.path.unlink(missing_ok=True)
        except (OSError, ProgressFileProblem) as error:
            reason = _reason(error) if isinstance(error, OSError) else str(error)
            self.problem = f"Your saved progress could not be deleted ({self.path}: {reason}). Close other notebooks and try again."
            raise ProgressFileProblem(self.problem) from None
        self.problem = ""


_stores: dict[Path, ProgressStore] = {}


def progress_store() -> ProgressStore:
    """This kernel's store for the progress file :func:`progress_path` names (one per file, so memory is shared)."""
    path = progress_path()
    if path not in _stores:
        _stores[path] = ProgressStore(path)
    return _stores[path]
