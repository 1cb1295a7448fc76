"""An nbgrader exchange in which each student's submissions and feedback are private by permission.

nbgrader's default exchange (0.9.6) keeps every submission in one ``inbound`` folder that every
student can write to. Each submission is made world-writable (mode 0777, files 0644) and is hidden
only by its unguessable name; ``collect`` takes the newest folder named after a student and merely
logs a warning when someone else owns it, so any student can submit *as* another student
(nbgrader issues #978 and #1174). Feedback files are world-readable and hidden only by a hash.

This exchange keeps nbgrader's commands, file names and JupyterLab panels, and changes where files
go and what is trusted:

- each student submits into ``inbound/STUDENT/`` and receives feedback in ``feedback/STUDENT/``,
  folders that root created (``isotretinoin-hub-accounts add-students``) and that no other student
  may enter (see ``accounts.py`` for the modes);
- a submission is readable by its owner and the instructors' group only (0750/0640);
- ``collect`` accepts an entry only when the folder's owner, the entry's owner and the student id in
  its name all agree, copies regular files only (a symbolic link to an instructor's file, a FIFO or
  a device in a submission is refused, not followed), and logs every refusal as an ERROR line
  starting with ``REFUSED``;
- ``release_feedback`` writes only into a feedback folder owned by the student it belongs to,
  through a fresh temporary file and an atomic rename (a link planted by the student is replaced,
  never followed).

Enable it in ``nbgrader_config.py`` (the install script writes this into both environments)::

    c.ExchangeFactory.exchange = "isotretinoin_hub.exchange.PrivateExchange"
    c.ExchangeFactory.release_assignment = "isotretinoin_hub.exchange.PrivateReleaseAssignment"
    ...  (one line per class below)
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import stat
import tempfile
from collections import defaultdict

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default import (
    Exchange,
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeReleaseFeedback,
    ExchangeSubmit,
)
from nbgrader.utils import check_mode, get_username, ignore_patterns, notebook_hash, parse_utc

SUBMISSION_FILE_MODE = 0o640
SUBMISSION_DIR_MODE = 0o750
FEEDBACK_FILE_MODE = 0o644  # the student reads it as "other"; only the student can enter the folder


class _Private:
    """Paths of the per-student layout, and a root check that does not need a writable root."""

    def ensure_root(self) -> None:
        # The default insists that the exchange root is writable by everyone (and the release
        # tries to chmod it 0777). Here root owns it; only the course's folders need to exist.
        course = os.path.join(self.root, self.coursedir.course_id or "")
        if not os.path.isdir(course):
            self.fail(f"The course's exchange folder {course} does not exist: ask the administrator to run "
                      "`isotretinoin-hub-accounts init` (see deploy/jupyterhub/README.md).")

    def course_folder(self, *parts: str) -> str:
        return os.path.join(self.root, self.coursedir.course_id, *parts)

    def own_student_id(self) -> str:
        """The account running this command; a student may name no one else."""
        me = get_username()
        requested = self.coursedir.student_id
        if requested not in ("*", "", me):
            self.fail(f"You can only submit or fetch feedback as yourself ({me}), not as {requested!r}.")
        return me


class PrivateExchange(_Private, Exchange):
    """Base class registered as ``ExchangeFactory.exchange``."""


class PrivateReleaseAssignment(_Private, ExchangeReleaseAssignment):
    """Release into ``outbound/`` (root-created, group-writable by instructors); never chmod the layout."""

    def init_dest(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = self.course_folder()
        self.outbound_path = self.course_folder("outbound")
        self.inbound_path = self.course_folder("inbound")
        self.dest_path = os.path.join(self.outbound_path, self.coursedir.assignment_id)
        if not check_mode(self.outbound_path, write=True, execute=True):
            self.fail(f"You cannot write to {self.outbound_path}: are you in the course's instructors group? "
                      "(log out and in again after being added)")


class PrivateFetchAssignment(_Private, ExchangeFetchAssignment):
    """Unchanged fetch (``outbound/`` is readable by every student); only the root check differs."""


class PrivateSubmit(_Private, ExchangeSubmit):
    """Submit into the student's own ``inbound/STUDENT/``, readable by the instructors' group only."""

    def init_dest(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        student_id = self.own_student_id()
        if not self.authenticator.has_access(student_id, self.coursedir.course_id):
            self.fail("You do not have access to this course.")
        self.inbound_path = self.course_folder("inbound", student_id)
        if not os.path.isdir(self.inbound_path) or not check_mode(self.inbound_path, write=True, execute=True):
            self.fail(f"Your submission folder {self.inbound_path} is missing or not yours: ask your instructor "
                      "to enrol you (isotretinoin-hub-accounts add-students).")
        self.cache_path = os.path.join(self.cache, self.coursedir.course_id)
        self.coursedir.student_id = student_id
        random_str = "" if not self.add_random_string else "+" + os.urandom(9).hex()
        self.assignment_filename = f"{student_id}+{self.coursedir.assignment_id}+{self.timestamp}{random_str}"

    def _copy_into(self, src: str, dest: str) -> None:
        """Copy the student's files without copying modes (see ``copy_files``), within nbgrader's size limits."""
        if self.get_size(src) > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big (maximum {1000 * self.coursedir.max_dir_size} bytes)")
        ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                 max_file_size=self.coursedir.max_file_size, log=self.log)
        for directory, dirnames, filenames in os.walk(src):
            skipped = set(ignore(directory, dirnames + filenames))
            dirnames[:] = [d for d in dirnames if d not in skipped]
            target = os.path.normpath(os.path.join(dest, os.path.relpath(directory, src)))
            for name in dirnames:
                os.mkdir(os.path.join(target, name))
            for name in filenames:
                if name not in skipped:
                    shutil.copyfile(os.path.join(directory, name), os.path.join(target, name))

    def copy_files(self) -> None:
        self.init_release()
        secret = secrets.token_hex(64)
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        cache = os.path.join(self.cache_path, self.assignment_filename.rsplit("+", 1)[0]
                             if self.add_random_string else self.assignment_filename)
        self.log.info("Source: %s", self.src_path)
        self.log.info("Destination: %s", dest)
        self.check_filename_diff()
        # Everything is created inside the student's setgid folder, so it belongs to the instructors'
        # group. Nothing copies a mode before the end: a student who is not in that group and changes a
        # folder's mode (as shutil.copytree does) clears its setgid bit, and files created after that
        # would belong to the student's own group, unreadable to the instructors.
        os.mkdir(dest)
        with open(os.path.join(dest, "timestamp.txt"), "w") as fh:
            fh.write(self.timestamp)
        with open(os.path.join(dest, "submission_secret.txt"), "w") as fh:
            fh.write(secret)
        self._copy_into(self.src_path, dest)
        # The default leaves the submission folder 0777 "so the instructor can delete later".
        self.set_perms(dest, fileperms=SUBMISSION_FILE_MODE, dirperms=SUBMISSION_DIR_MODE)
        # The student's own copy, used to find feedback later (in the student's home).
        os.makedirs(self.cache_path, exist_ok=True)
        self.do_copy(self.src_path, cache)
        with open(os.path.join(cache, "timestamp.txt"), "w") as fh:
            fh.write(self.timestamp)
        with open(os.path.join(cache, "submission_secret.txt"), "w") as fh:
            fh.write(secret)
        self.log.info("Submitted as: %s %s %s", self.coursedir.course_id, self.coursedir.assignment_id,
                      self.timestamp)


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class PrivateCollect(_Private, ExchangeCollect):
    """Collect from ``inbound/*/``, trusting only entries whose owners agree with their names."""

    def refuse(self, path: str, reason: str) -> None:
        self.refused.append((path, reason))
        self.log.error("REFUSED %s: %s", path, reason)

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.refused: list[tuple[str, str]] = []
        self.course_path = self.course_folder()
        self.inbound_path = self.course_folder("inbound")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for {self.inbound_path}: are you in the instructors group?")
        wanted = self.coursedir.student_id if self.coursedir.student_id not in ("", "*") else None
        records = []
        with os.scandir(self.inbound_path) as folders:
            for folder in sorted(folders, key=lambda entry: entry.name):
                if wanted and folder.name != wanted:
                    continue
                records.extend(self._student_records(folder))
        self._choose_records(records)

    def _student_records(self, folder: os.DirEntry) -> list[dict]:
        st = folder.stat(follow_symlinks=False)
        if not stat.S_ISDIR(st.st_mode):
            self.refuse(folder.path, "not a folder")
            return []
        owner = _owner_name(st.st_uid)
        if owner not in (folder.name, "root"):  # root owns the folders of removed accounts
            self.refuse(folder.path, f"folder of {folder.name!r} is owned by {owner!r}")
            return []
        try:
            entries = sorted(os.scandir(folder.path), key=lambda entry: entry.name)
        except PermissionError:
            self.refuse(folder.path, "cannot be read by the instructors' group")
            return []
        records = []
        for entry in entries:
            parts = entry.name.split("+")  # STUDENT+ASSIGNMENT+TIMESTAMP[+RANDOM]; ids cannot contain '+'
            if len(parts) not in (3, 4) or parts[1] != self.coursedir.assignment_id:
                if len(parts) in (3, 4) and parts[0] == folder.name:
                    continue  # another assignment of this student
                self.refuse(entry.path, "not a submission of this assignment by this student")
                continue
            entry_st = entry.stat(follow_symlinks=False)
            if parts[0] != folder.name:
                self.refuse(entry.path, f"submitted into {folder.name!r}'s folder but names {parts[0]!r}")
            elif not stat.S_ISDIR(entry_st.st_mode):
                self.refuse(entry.path, "not a folder")
            elif entry_st.st_uid != st.st_uid:
                self.refuse(entry.path, f"owned by {_owner_name(entry_st.st_uid)!r}, not {folder.name!r}")
            else:
                try:
                    timestamp = parse_utc(parts[2])
                except (ValueError, OverflowError):
                    self.refuse(entry.path, f"unreadable timestamp {parts[2]!r}")
                    continue
                records.append({"username": folder.name, "filename": entry.name, "path": entry.path,
                                "timestamp": timestamp})
        return records

    def _choose_records(self, records: list[dict]) -> None:
        """Newest submission per student, or newest before the due date when asked (as the default)."""
        by_student: dict[str, list[dict]] = defaultdict(list)
        for record in records:
            by_student[record["username"]].append(record)
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for student_records in by_student.values():
            ordered = self._sort_by_timestamp(student_records)
            if self.duedate is not None and self.before_duedate:
                before = [r for r in ordered if r["timestamp"] <= self.duedate]
                ordered = before or ordered
            self.src_records.append(ordered[0])

    def _safe_copy(self, src: str, dest: str) -> None:
        """Copy regular files only; refuse links and special files instead of following them."""
        ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                 max_file_size=self.coursedir.max_file_size, log=self.log)
        total, limit = 0, 1000 * self.coursedir.max_dir_size
        for directory, dirnames, filenames in os.walk(src, followlinks=False):
            rel = os.path.relpath(directory, src)
            target_dir = os.path.normpath(os.path.join(dest, rel))
            os.makedirs(target_dir, exist_ok=True)
            skipped = set(ignore(directory, dirnames + filenames))
            for name in list(dirnames):
                if name in skipped or os.path.islink(os.path.join(directory, name)):
                    if name not in skipped:
                        self.refuse(os.path.join(directory, name), "symbolic link (not followed)")
                    dirnames.remove(name)
            for name in filenames:
                if name in skipped:
                    continue
                path = os.path.join(directory, name)
                try:
                    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                except OSError as error:
                    self.refuse(path, f"cannot be opened safely ({error.strerror}; links are not followed)")
                    continue
                with os.fdopen(fd, "rb") as source:
                    info = os.fstat(source.fileno())
                    if not stat.S_ISREG(info.st_mode):
                        self.refuse(path, "not a regular file")
                        continue
                    total += info.st_size
                    if total > limit:
                        self.refuse(path, f"submission larger than {limit} bytes (CourseDirectory.max_dir_size)")
                        continue
                    with open(os.path.join(target_dir, name), "wb") as out:
                        shutil.copyfileobj(source, out)

    def copy_files(self) -> None:
        if not self.src_records:
            self.log.warning("No submissions of '%s' for course '%s' to collect",
                             self.coursedir.assignment_id, self.coursedir.course_id)
        for rec in self.src_records:
            student_id = rec["username"]
            dest_path = self.coursedir.format_path(self.coursedir.submitted_directory, student_id,
                                                   self.coursedir.assignment_id)
            os.makedirs(os.path.dirname(dest_path), exist_ok=True)
            copy = not os.path.isdir(dest_path)
            if not copy:
                existing = self.coursedir.get_existing_timestamp(dest_path)
                newer = existing is None or rec["timestamp"] > existing
                copy = (self.update and newer) or (self.before_duedate and existing != rec["timestamp"])
                if copy:
                    shutil.rmtree(dest_path)
            if copy:
                self.log.info("Collecting submission: %s %s", student_id, self.coursedir.assignment_id)
                self._safe_copy(rec["path"], dest_path)
            else:
                self.log.info("Submission already collected (use --update for newer ones): %s %s",
                              student_id, self.coursedir.assignment_id)
        if self.refused:
            self.log.error("%d item(s) refused, listed above", len(self.refused))


class PrivateReleaseFeedback(_Private, ExchangeReleaseFeedback):
    """Release each student's feedback into ``feedback/STUDENT/``, only if that student owns the folder."""

    def init_dest(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = self.course_folder()
        self.outbound_feedback_path = self.dest_path = self.course_folder("feedback")
        if not os.path.isdir(self.outbound_feedback_path):
            self.fail(f"Feedback folder {self.outbound_feedback_path} is missing: run `isotretinoin-hub-accounts init`.")

    def copy_files(self) -> None:
        exclude = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        regexp = re.escape(os.path.sep).join([
            self.coursedir.format_path(self.coursedir.feedback_directory, "(?P<student_id>.*)",
                                       self.coursedir.assignment_id, escape=True),
            "(?P<notebook_id>.*).html"])
        for html_file in sorted(glob.glob(os.path.join(self.src_path, "*.html"))):
            match = re.match(regexp, html_file)
            if match is None:
                self.log.error("Could not match '%s' with regexp '%s'", html_file, regexp)
                continue
            student_id, notebook_id = match.group("student_id"), match.group("notebook_id")
            if student_id in exclude:
                continue
            with open(os.path.join(os.path.dirname(html_file), "submission_secret.txt")) as fh:
                secret = fh.read()
            target_dir = os.path.join(self.outbound_feedback_path, student_id)
            try:
                st = os.lstat(target_dir)
                expected_uid = pwd.getpwnam(student_id).pw_uid
            except (FileNotFoundError, KeyError):
                self.log.error("REFUSED feedback for %s: no account or no folder %s", student_id, target_dir)
                continue
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != expected_uid:
                self.log.error("REFUSED feedback for %s: %s is not a folder owned by %s", student_id, target_dir,
                               student_id)
                continue
            checksum = notebook_hash(secret=secret, notebook_id=notebook_id)
            fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".feedback-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out, open(html_file, "rb") as inp:
                    shutil.copyfileobj(inp, out)
                os.chmod(tmp, FEEDBACK_FILE_MODE)
                os.replace(tmp, os.path.join(target_dir, f"{checksum}.html"))
            except BaseException:
                if os.path.lexists(tmp):
                    os.unlink(tmp)
                raise
            self.log.info("Feedback released for student '%s' on '%s/%s/%s'", student_id,
                          self.coursedir.course_id, self.coursedir.assignment_id, notebook_id)


def _own_feedback_path(exchange: _Private, course_id: str, student_id: str, secret: str, notebook_id: str) -> str:
    return os.path.join(exchange.root, course_id, "feedback", student_id,
                        notebook_hash(secret=secret, notebook_id=notebook_id) + ".html")


class PrivateFetchFeedback(_Private, ExchangeFetchFeedback):
    """Fetch feedback from the student's own ``feedback/STUDENT/`` folder."""

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        student_id = self.own_student_id()
        self.course_path = self.course_folder()
        self.src_path = self.outbound_path = self.course_folder("feedback", student_id)
        self.cache_path = os.path.join(self.cache, self.coursedir.course_id)
        if not os.path.isdir(self.src_path):
            self.fail(f"Your feedback folder {self.src_path} is missing: ask your instructor to enrol you.")
        assignment_id = self.coursedir.assignment_id or "*"
        self.feedback_files = []
        for submission in sorted(glob.glob(os.path.join(self.cache_path, f"*+{assignment_id}+*"))):
            _, found_assignment, timestamp = os.path.basename(submission).split("+")
            secret_path = os.path.join(submission, "submission_secret.txt")
            if not os.path.isfile(secret_path):
                self.log.warning("No submission secret for %s: submitted with another exchange?", submission)
                continue
            with open(secret_path) as fh:
                secret = fh.read()
            for notebook in sorted(glob.glob(os.path.join(submission, "*.ipynb"))):
                notebook_id = os.path.splitext(os.path.basename(notebook))[0]
                path = _own_feedback_path(self, self.coursedir.course_id, student_id, secret, notebook_id)
                if os.path.exists(path):
                    self.feedback_files.append((notebook_id, timestamp, path))
                    self.log.info("Found feedback for '%s/%s/%s' submitted at %s", self.coursedir.course_id,
                                  found_assignment, notebook_id, timestamp)
                else:
                    self.log.warning("Could not find feedback for '%s/%s/%s' submitted at %s",
                                     self.coursedir.course_id, found_assignment, notebook_id, timestamp)


class PrivateList(_Private, ExchangeList):
    """List with the per-student folders: instructors see ``inbound/*/``; students see their own feedback."""

    _INBOUND = re.compile(r".*/(?P<course_id>[^/]*)/inbound/[^/]*/(?P<student_id>[^+/]*)\+(?P<assignment_id>[^+/]*)"
                          r"\+(?P<timestamp>[^+/]*)(?P<random_string>\+[^/]*)?$")

    def init_dest(self) -> None:
        if not self.inbound:
            super().init_dest()
            return
        course_id = self.coursedir.course_id or "*"
        assignment_id = self.coursedir.assignment_id or "*"
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.root, course_id, "inbound", student_id, f"{student_id}+{assignment_id}+*")
        self.assignments = sorted(glob.glob(pattern))

    def parse_assignment(self, assignment: str) -> dict:
        if not self.inbound:
            return super().parse_assignment(assignment)
        match = self._INBOUND.match(assignment)
        if match is None:
            raise RuntimeError(f"Could not parse submission path {assignment!r}")
        return match.groupdict()

    def parse_assignments(self) -> list[dict]:
        assignments = super().parse_assignments()
        if not (self.inbound or self.cached):
            return assignments
        # The default looks for feedback in feedback/ itself; ours is in feedback/STUDENT/.
        for assignment in assignments:
            for info in assignment.get("submissions", []):
                secret_path = os.path.join(info["path"], "submission_secret.txt")
                if not os.path.isfile(secret_path):
                    continue
                with open(secret_path) as fh:
                    secret = fh.read()
                for nb in info["notebooks"]:
                    path = _own_feedback_path(self, info["course_id"], info["student_id"], secret, nb["notebook_id"])
                    nb["has_exchange_feedback"] = os.path.isfile(path)
                    if nb["has_local_feedback"] and nb["has_exchange_feedback"]:
                        with open(path, "rb") as a, open(nb["local_feedback_path"], "rb") as b:
                            nb["feedback_updated"] = a.read() != b.read()
                notebooks = info["notebooks"]
                info["has_exchange_feedback"] = bool(notebooks) and all(nb["has_exchange_feedback"] for nb in notebooks)
                info["feedback_updated"] = any(nb["feedback_updated"] for nb in notebooks)
        return assignments


EXCHANGE_CLASSES = {
    "exchange": PrivateExchange,
    "fetch_assignment": PrivateFetchAssignment,
    "fetch_feedback": PrivateFetchFeedback,
    "release_assignment": PrivateReleaseAssignment,
    "release_feedback": PrivateReleaseFeedback,
    "list": PrivateList,
    "submit": PrivateSubmit,
    "collect": PrivateCollect,
}


def configure(c) -> None:  # noqa: ANN001 (a traitlets Config)
    """Point nbgrader's ExchangeFactory at these classes (call from an nbgrader_config.py)."""
    for name, cls in EXCHANGE_CLASSES.items():
        setattr(c.ExchangeFactory, name, f"{cls.__module__}.{cls.__qualname__}")


__all__ = [cls.__name__ for cls in EXCHANGE_CLASSES.values()] + ["configure"]
