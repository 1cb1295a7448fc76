"""The student's saved progress: quiz, widget-question and capstone results, in one file on their own computer.

**Where.** ``<Jupyter data directory>/isotretinoin-course/<copy>/progress.json``, one folder per copy of the course
(:func:`course_copy_folder`: a fresh clone starts empty), in the folder
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
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from .errors import CourseInputError
from .inputs import read_bool, read_choice, read_instance, read_mapping, read_number, read_path, read_sequence, read_text

PROGRESS_DIR_VARIABLE = "ISOTRETINOIN_COURSE_PROGRESS_DIR"
FOLDER_NAME = "isotretinoin-course"
FILE_NAME = "progress.json"
FORMAT = "isotretinoin-course progress"
VERSION = 1
KINDS = ("quiz", "widget", "capstone")
LOCK_TIMEOUT_SECONDS = 5.0
_RESET_HINT = "To start a new progress file, use “Reset my progress” in notebook 00 (Start here)."
_NOT_SAVED = "Your answers still count in this session, but they are not saved and a kernel restart loses them."


class ProgressFileProblem(CourseInputError):
    """Why the progress file could not be read or written, as a sentence for the student (the field is the file)."""


class ProgressRecordError(CourseInputError):
    """A result that cannot be saved or read back: a field of the wrong kind (an objective that is not "LO2" ...)."""


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


def _file_problem(path: Path, sentence: str) -> ProgressFileProblem:
    return ProgressFileProblem("progress file", str(path), "a progress file this course can read and write", message=sentence)


_LESSON = re.compile(r"\d\d")  # "01"
_OBJECTIVE = re.compile(r"LO\d+")  # "LO2", as the quiz banks' schema has it
MAX_ATTEMPTS = 10**9  # a count no student reaches; bounds what a hand-edited file may claim


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

    def __post_init__(self) -> None:
        # Read every field once, here, so that a result the store holds is always one it can write and read back.
        for name, value in _read_record(self).items():
            object.__setattr__(self, name, value)

    @property
    def key(self) -> str:
        return record_key(self.source, self.question)


def _read_pattern(value: object, field: str, pattern: re.Pattern, example: str) -> str:
    text = read_text(value, field, empty=False, max_length=40, error=ProgressRecordError)
    if not pattern.fullmatch(text):
        raise ProgressRecordError(field, value, f"text like {example!r}", message=f"{field}: {_short(value)} is not like {example!r}")
    return text


def _read_response(value: object, field: str = "response") -> str | list[str] | None:
    """What a student entered: nothing, the typed text, or the ids of the options chosen (a list)."""
    if value is None or isinstance(value, str):
        return value
    return read_sequence(value, field, lambda item, where: read_text(item, where, error=ProgressRecordError), max_items=100,
                         error=ProgressRecordError)


def _read_record(result: SavedResult) -> dict[str, object]:
    return {
        "lesson": _read_pattern(result.lesson, "lesson", _LESSON, "01"),
        "source": read_text(result.source, "source", empty=False, max_length=200, error=ProgressRecordError),
        "question": read_text(result.question, "question", empty=False, max_length=200, error=ProgressRecordError),
        "objective": _read_pattern(result.objective, "objective", _OBJECTIVE, "LO2"),
        "kind": read_choice(result.kind, "kind", KINDS, error=ProgressRecordError),
        "attempts": read_number(result.attempts, "attempts", minimum=1, maximum=MAX_ATTEMPTS, integer=True, error=ProgressRecordError),
        "correct_first_time": read_bool(result.correct_first_time, "correct_first_time", error=ProgressRecordError),
        "correct_now": read_bool(result.correct_now, "correct_now", error=ProgressRecordError),
        "response": _read_response(result.response),
        "saved_at": read_text(result.saved_at, "saved_at", max_length=40, error=ProgressRecordError),
    }


def record_key(source: str, question: str) -> str:
    """The key of a result within its lesson: ``"quiz 01_acne_pathophysiology / ap-total-count"``."""
    source = read_text(source, "source", empty=False, max_length=200, error=ProgressRecordError)
    question = read_text(question, "question", empty=False, max_length=200, error=ProgressRecordError)
    return f"{source} / {question}"


def course_copy_folder(working_directory: Path | None = None) -> str:
    """The folder of progress for one copy of the course: its lessons folder's name and a short hash of its path.

    Progress belongs to a copy, not only to a login: a fresh clone starts empty, and two students who share a
    computer login but each have their own copy of the course do not see each other's answers.
    """
    folder = Path.cwd() if working_directory is None else read_path(working_directory, "working_directory", error=ProgressFileProblem)
    lessons = folder.resolve()  # a kernel starts in its notebook's folder
    digest = hashlib.sha256(str(lessons).encode()).hexdigest()[:12]
    return f"{re.sub(r'[^A-Za-z0-9_-]+', '-', lessons.parent.name or 'course')[:40]}-{digest}"


def progress_path() -> Path:
    """The progress file this kernel uses: the folder in :data:`PROGRESS_DIR_VARIABLE`, else one folder per copy of the
    course (:func:`course_copy_folder`) in the Jupyter data directory."""
    folder = os.environ.get(PROGRESS_DIR_VARIABLE, "").strip()
    if folder:
        return Path(folder) / FILE_NAME
    from jupyter_core.paths import jupyter_data_dir  # Jupyter's own rule for where per-user data lives

    return Path(jupyter_data_dir()) / FOLDER_NAME / course_copy_folder() / FILE_NAME


# --------------------------------------------------------------------------- the file's content


def _result_from_data(lesson: str, key: str, data: object) -> SavedResult:
    if not isinstance(data, dict):
        raise ValueError(f"lesson {lesson}, {key!r}: a record must be a mapping")
    names = {item.name for item in fields(SavedResult)}
    missing = sorted({"source", "question", "objective", "kind", "attempts", "correct_first_time", "correct_now"} - set(data))
    if missing:
        raise ValueError(f"lesson {lesson}, {key!r}: missing {', '.join(missing)}")
    if isinstance(data["attempts"], bool) or not isinstance(data["attempts"], int):  # the file holds a count, never text
        raise ValueError(f"lesson {lesson}, {key!r}: a field has the wrong type (attempts: {_short(data['attempts'])})")
    try:
        result = SavedResult(lesson=lesson, **{name: value for name, value in data.items() if name in names and name != "lesson"})
    except ProgressRecordError as error:
        raise ValueError(f"lesson {lesson}, {key!r}: a field has the wrong type ({error})") from None
    if result.key != key:
        raise ValueError(f"lesson {lesson}, {key!r}: the key does not match its source and question")
    return result


def parse_progress(text: str) -> dict[tuple[str, str], SavedResult]:
    """The results in a progress file's text, by (lesson, key). Raises :class:`ProgressFileProblem` naming what is wrong."""
    text = read_text(text, "text", error=ProgressFileProblem)
    try:
        return _parse(text)
    except ValueError as problem:
        raise ProgressFileProblem("text", _short(text), "the text of a progress file", message=f"text: {problem}") from None


def _parse(text: str) -> dict[tuple[str, str], SavedResult]:
    """:func:`parse_progress` raising ``ValueError`` with the bare reason, which the store words for the student."""
    try:
        raw = json.loads(text)
    except RecursionError:  # a hand-edited file of a million brackets
        raise ValueError("nested too deeply to be a progress file") from None
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


def progress_text(results: Mapping[tuple[str, str], SavedResult]) -> str:
    """The file's text for these results: sorted, so the same results always give the same bytes.

    ``results`` maps ``(lesson, key)`` to the result filed there (what :func:`parse_progress` returns).
    """
    results = read_mapping(results, "results", what="a mapping of (lesson, key) to saved results", error=ProgressRecordError)
    for where, result in results.items():
        field = f"results[{_short(where, 40)}]"
        read_instance(result, field, SavedResult, "a SavedResult", error=ProgressRecordError)
        if where != (result.lesson, result.key):
            raise ProgressRecordError(field, where, f"the key ({result.lesson!r}, {result.key!r}) of the result filed there",
                                      message=f"{field}: filed under another key than its own ({result.lesson!r}, {result.key!r})")
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
                    raise _file_problem(lock_path, f"Your progress file is busy: another notebook kept it locked for {timeout:g} seconds. "
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


def _write_atomically(path: Path, text: str) -> None:
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
        self.path = read_path(path, "path", error=ProgressFileProblem)  # a folder there is reported when reading, like any unreadable file
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
            raise _file_problem(self.path, f"Your saved progress could not be read: {self.path} is not a text file. {_NOT_SAVED} "
                                           f"{_RESET_HINT}") from None
        except OSError as error:
            raise _file_problem(self.path, f"Your saved progress could not be read ({self.path}: {_reason(error)}). {_NOT_SAVED} "
                                           "Check that you may read that file, or ask your instructor.") from None
        try:
            return _parse(text)
        except ValueError as error:
            raise _file_problem(self.path, f"Your saved progress could not be read: {self.path} is {error}. {_NOT_SAVED} "
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
        """The saved result on one question, or ``None`` if it was never checked (or cannot be read)."""
        key = (_read_pattern(lesson, "lesson", _LESSON, "01"), record_key(source, question))
        for result in self.results():
            if (result.lesson, result.key) == key:
                return result
        return None

    # ------------------------------------------------------------------ writing
    def record(self, lesson: str, source: str, question: str, objective: str, correct: bool,
               response: str | list[str] | None = None, kind: str = "quiz") -> SavedResult:
        """Save one checked answer: the attempt count goes up, the first attempt's verdict is kept.

        Every argument is read before the file is touched: a bad one raises :class:`ProgressRecordError` naming it.
        """
        if not isinstance(kind, str) or kind not in KINDS:  # kept apart from the record's own check for its wording
            raise ProgressRecordError("kind", kind, f"one of {', '.join(KINDS)}", message=f"kind must be one of {', '.join(KINDS)}, not {_short(kind)}")
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        correct = read_bool(correct, "correct", error=ProgressRecordError)  # never bool("no")
        first = SavedResult(lesson, source, question, objective, kind, 1, correct, correct, response, now)
        lesson, source, question, objective, correct, response = (first.lesson, first.source, first.question, first.objective,
                                                                  first.correct_now, first.response)
        key = (lesson, record_key(source, question))

        def merged_with(previous: SavedResult | None) -> SavedResult:
            if previous is None:
                return first
            return replace(previous, objective=objective, kind=kind, attempts=min(previous.attempts + 1, MAX_ATTEMPTS), correct_now=correct,
                           response=response, saved_at=now)

        try:
            self._folder()
            with _locked(self.lock_path):
                on_file = self._read_file()
                on_file.update(self._unsaved)
                result = merged_with(on_file.get(key))
                on_file[key] = result
                try:
                    _write_atomically(self.path, progress_text(on_file))
                except OSError as error:
                    raise _file_problem(self.path, self._unwritable(error)) from None
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
            raise _file_problem(self.path, self._unwritable(error)) from None

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
            raise _file_problem(self.path, self.problem) from None
        self.problem = ""


_stores: dict[Path, ProgressStore] = {}


def progress_store() -> ProgressStore:
    """This kernel's store for the progress file :func:`progress_path` names (one per file, so memory is shared)."""
    path = progress_path()
    if path not in _stores:
        _stores[path] = ProgressStore(path)
    return _stores[path]
