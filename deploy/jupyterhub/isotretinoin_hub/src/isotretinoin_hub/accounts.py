"""Root-only tool that sets up the course's groups, the private nbgrader exchange and the accounts.

Why the exchange is laid out this way (nbgrader issues #978 and #1174): nbgrader's default exchange
has one ``inbound`` folder writable by every student, in which each submission is a world-writable
folder whose only protection is an unguessable name, and ``collect`` merely warns when a folder
named after one student is owned by another. Here root creates, for each student, folders that
only that student and the course's instructors can enter:

    EXCHANGE/                       root:root          0755
      COURSE/                       root:root          0755
        outbound/                   root:instructors   2775  instructors release, everyone reads
        inbound/                    root:instructors   0751  nobody but instructors can list it
          STUDENT/                  STUDENT:instructors 2750 only STUDENT writes; instructors read
        feedback/                   root:instructors   0751
          STUDENT/                  STUDENT:instructors 2770 instructors write; only STUDENT reads

Other students have no permission at all on ``inbound/STUDENT`` or ``feedback/STUDENT``: they can
neither list, read, rename nor add to them, whatever they know of the file names. Homes are 0700.

Usage (as root; settings come from the ``ISOHUB_*`` variables, see ``settings.py``):

    isotretinoin-hub-accounts init
    isotretinoin-hub-accounts add-instructor NAME
    isotretinoin-hub-accounts add-students NAME... [--passwords-file FILE]
    isotretinoin-hub-accounts remove NAME...
    isotretinoin-hub-accounts check
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from .settings import NAME_PATTERN, Settings, SettingsError

OUTBOUND_MODE = 0o2775
INBOUND_MODE = 0o751
FEEDBACK_MODE = 0o751
STUDENT_INBOUND_MODE = 0o2750
STUDENT_FEEDBACK_MODE = 0o2770
HOME_MODE = 0o700


class AccountError(RuntimeError):
    """An account or folder that could not be set up, named in the message."""


def _run(argv: list[str], stdin: str | None = None) -> None:
    result = subprocess.run(argv, input=stdin, text=True, capture_output=True, timeout=60)
    if result.returncode != 0:
        raise AccountError(f"{' '.join(argv[:2])} failed: {result.stderr.strip() or result.stdout.strip()}")


def check_name(name: str) -> str:
    """Refuse a name that is not a safe Linux account name and nbgrader student id."""
    if not NAME_PATTERN.match(name):
        raise AccountError(f"account name {name!r} must match {NAME_PATTERN.pattern} (lower case, no '+')")
    return name


def ensure_group(name: str) -> int:
    """The group's id, creating the group if needed."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run(["groupadd", name])
        return grp.getgrnam(name).gr_gid


def _ensure_dir(path: Path, uid: int, gid: int, mode: int) -> None:
    """Create ``path`` (not following a link) and set its owner and mode exactly."""
    try:
        path.mkdir()
    except FileExistsError:
        pass
    if path.is_symlink() or not path.is_dir():
        raise AccountError(f"{path} exists and is not a plain folder; move it away and run again")
    os.chown(path, uid, gid, follow_symlinks=False)
    os.chmod(path, mode)  # after chown: chown clears the setgid bit


def init_course(settings: Settings) -> None:
    """Create both groups and the course's exchange folders (idempotent)."""
    instructors = ensure_group(settings.instructors_group)
    ensure_group(settings.students_group)
    settings.exchange.mkdir(parents=True, exist_ok=True)
    os.chown(settings.exchange, 0, 0)
    os.chmod(settings.exchange, 0o755)
    course = settings.course_exchange
    _ensure_dir(course, 0, 0, 0o755)
    _ensure_dir(course / "outbound", 0, instructors, OUTBOUND_MODE)
    _ensure_dir(course / "inbound", 0, instructors, INBOUND_MODE)
    _ensure_dir(course / "feedback", 0, instructors, FEEDBACK_MODE)


def _ensure_user(name: str, groups: list[str]) -> pwd.struct_passwd:
    check_name(name)
    try:
        entry = pwd.getpwnam(name)
        _run(["usermod", "-a", "-G", ",".join(groups), name])
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "-K", f"HOME_MODE={HOME_MODE:04o}",
              "--groups", ",".join(groups), name])
        entry = pwd.getpwnam(name)
    # Debian's useradd makes 0755 homes by default: every student could read every other's work.
    os.chmod(entry.pw_dir, HOME_MODE)
    return entry


def set_password(name: str, password: str) -> None:
    """Set a local password (PAM checks it at the hub's login page)."""
    if ":" in password or "\n" in password:
        raise AccountError("a password may not contain ':' or a line break")
    _run(["chpasswd"], stdin=f"{name}:{password}\n")


def add_student(settings: Settings, name: str, password: str | None = None) -> pwd.struct_passwd:
    """Create (or complete) a student account and the student's private exchange folders."""
    entry = _ensure_user(name, [settings.students_group])
    if password is not None:
        set_password(name, password)
    instructors = grp.getgrnam(settings.instructors_group).gr_gid
    course = settings.course_exchange
    if not (course / "inbound").is_dir():
        raise AccountError(f"exchange not set up at {course}; run `isotretinoin-hub-accounts init` first")
    _ensure_dir(course / "inbound" / name, entry.pw_uid, instructors, STUDENT_INBOUND_MODE)
    _ensure_dir(course / "feedback" / name, entry.pw_uid, instructors, STUDENT_FEEDBACK_MODE)
    return entry


def add_instructor(settings: Settings, name: str, password: str | None = None) -> pwd.struct_passwd:
    """Create (or complete) an instructor account, a member of the instructors' group."""
    entry = _ensure_user(name, [settings.instructors_group])
    if password is not None:
        set_password(name, password)
    return entry


def remove_user(settings: Settings, name: str, keep_submissions: bool = True) -> None:
    """Delete an account and its home; its exchange folders are kept (owned by root) unless asked."""
    check_name(name)
    course = settings.course_exchange
    for folder in (course / "inbound" / name, course / "feedback" / name):
        if folder.is_dir() and not folder.is_symlink():
            if keep_submissions:
                for directory, dirnames, filenames in os.walk(folder):
                    for item in [directory, *(os.path.join(directory, n) for n in dirnames + filenames)]:
                        os.chown(item, 0, -1, follow_symlinks=False)
            else:
                subprocess.run(["rm", "-rf", "--one-file-system", str(folder)], check=True, timeout=120)
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    _run(["userdel", "--remove", name])


def check(settings: Settings) -> list[str]:
    """Every deviation from the intended owners and modes (an empty list means all is well)."""
    problems: list[str] = []
    try:
        instructors = grp.getgrnam(settings.instructors_group).gr_gid
        students = grp.getgrnam(settings.students_group)
    except KeyError as missing:
        return [f"group missing: {missing}"]

    def expect(path: Path, uid: int, gid: int, mode: int) -> None:
        try:
            st = path.lstat()
        except FileNotFoundError:
            problems.append(f"missing: {path}")
            return
        if not stat.S_ISDIR(st.st_mode):
            problems.append(f"not a folder: {path}")
        elif (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) != (uid, gid, mode):
            problems.append(f"{path}: owner {st.st_uid}:{st.st_gid} mode {stat.S_IMODE(st.st_mode):04o}, "
                            f"expected {uid}:{gid} {mode:04o}")

    course = settings.course_exchange
    expect(course / "outbound", 0, instructors, OUTBOUND_MODE)
    expect(course / "inbound", 0, instructors, INBOUND_MODE)
    expect(course / "feedback", 0, instructors, FEEDBACK_MODE)
    for name in students.gr_mem:
        entry = pwd.getpwnam(name)
        expect(course / "inbound" / name, entry.pw_uid, instructors, STUDENT_INBOUND_MODE)
        expect(course / "feedback" / name, entry.pw_uid, instructors, STUDENT_FEEDBACK_MODE)
        home_mode = stat.S_IMODE(os.stat(entry.pw_dir).st_mode)
        if home_mode & 0o077:
            problems.append(f"home of {name} is {home_mode:04o}: other users can enter it (expected 0700)")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="isotretinoin-hub-accounts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the groups and the exchange folders")
    add_i = sub.add_parser("add-instructor", help="create an instructor account")
    add_i.add_argument("names", nargs="+")
    add_s = sub.add_parser("add-students", help="create student accounts and their exchange folders")
    add_s.add_argument("names", nargs="+")
    add_s.add_argument("--passwords-file", type=Path,
                       help="write NAME,PASSWORD lines for new random passwords here (created 0600)")
    rem = sub.add_parser("remove", help="delete accounts (their submissions are kept, owned by root)")
    rem.add_argument("names", nargs="+")
    sub.add_parser("check", help="report any exchange folder or home with the wrong owner or mode")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("isotretinoin-hub-accounts must run as root", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
        if args.command == "init":
            init_course(settings)
        elif args.command == "add-instructor":
            for name in args.names:
                add_instructor(settings, name)
        elif args.command == "add-students":
            lines = []
            for name in args.names:
                password = secrets.token_urlsafe(9) if args.passwords_file else None
                add_student(settings, name, password)
                if password:
                    lines.append(f"{name},{password}\n")
            if args.passwords_file:
                fd = os.open(args.passwords_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                with os.fdopen(fd, "a") as handle:
                    handle.writelines(lines)
        elif args.command == "remove":
            for name in args.names:
                remove_user(settings, name)
        elif args.command == "check":
            problems = check(settings)
            for line in problems:
                print(line)
            print("exchange and homes: OK" if not problems else f"{len(problems)} problem(s)")
            return 1 if problems else 0
    except (AccountError, SettingsError, OSError) as error:
        print(f"isotretinoin-hub-accounts: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
