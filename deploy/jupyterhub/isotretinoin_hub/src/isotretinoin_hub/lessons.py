"""Copy the course's lessons into a student's home without ever overwriting the student's work.

The hub runs this at every server start, as the student (never as root, so a symbolic link the
student planted can only point the copy at the student's own files). For each file of the lesson
folder:

- missing in the student's folder (new lesson, or deleted by the student to get a fresh copy): copied;
- present and unchanged since it was copied, but changed in the course: replaced by the new version;
- present and changed by the student: left alone; if the course's version changed too, the new one is
  put beside it as ``NAME (course update YYYY-MM-DD).ipynb`` so nothing is lost either way.

What was copied is remembered in ``.lessons-manifest.json`` in the student's folder (relative path ->
SHA-256 of the copied bytes). Standard library only, so it runs in any environment.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".lessons-manifest.json"
SKIP_NAMES = {".ipynb_checkpoints", "__pycache__"}


@dataclass
class SyncReport:
    """What one synchronisation did, by relative path."""

    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    beside: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        """The report as plain data (printed as JSON for the hub's log)."""
        return {"copied": self.copied, "updated": self.updated, "kept": self.kept,
                "beside": self.beside, "unchanged": self.unchanged}


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, without following a symbolic link."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_files(source: Path) -> list[Path]:
    """Regular files under ``source`` (relative paths), skipping hidden files and Jupyter's caches."""
    found = []
    for directory, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_NAMES and not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(directory, name)
            if stat.S_ISREG(path.lstat().st_mode):
                found.append(path.relative_to(source))
    return found


def _write_copy(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` through a temporary file and an atomic rename (replaces a link, never follows it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".lesson-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while block := inp.read(1 << 20):
                out.write(block)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _beside_name(path: Path, today: _dt.date) -> Path:
    return path.with_name(f"{path.stem} (course update {today.isoformat()}){path.suffix}")


def _load_manifest(dest: Path) -> dict[str, str]:
    try:
        data = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def sync_lessons(source: Path, dest: Path, today: _dt.date | None = None) -> SyncReport:
    """Bring ``dest`` up to date with ``source`` without overwriting anything the student changed."""
    if not source.is_dir():
        raise FileNotFoundError(f"lesson folder not found: {source}")
    today = today or _dt.date.today()
    dest.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(dest)
    report = SyncReport()
    for rel in source_files(source):
        key = rel.as_posix()
        src, target = source / rel, dest / rel
        new = sha256_file(src)
        try:
            mode = target.lstat().st_mode
        except FileNotFoundError:
            _write_copy(src, target)
            manifest[key] = new
            report.copied.append(key)
            continue
        if not stat.S_ISREG(mode):
            report.kept.append(key)  # a folder or link the student made: theirs
            continue
        current = sha256_file(target)
        if current == new:
            manifest[key] = new
            report.unchanged.append(key)
        elif current == manifest.get(key):
            _write_copy(src, target)  # the student never touched it: take the course's update
            manifest[key] = new
            report.updated.append(key)
        else:
            report.kept.append(key)
            beside = _beside_name(target, today)
            if key in manifest and manifest[key] != new and not beside.exists():
                _write_copy(src, beside)
                report.beside.append(beside.relative_to(dest).as_posix())
    tmp = dest / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, dest / MANIFEST)
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: ``isotretinoin-hub-lessons --source DIR --dest DIR`` (prints a JSON report)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, type=Path, help="the course's lesson folder (read-only)")
    parser.add_argument("--dest", required=True, type=Path, help="the student's lesson folder, e.g. ~/isotretinoin")
    args = parser.parse_args(argv)
    try:
        report = sync_lessons(args.source, args.dest.expanduser())
    except (OSError, ValueError) as error:
        print(f"isotretinoin-hub-lessons: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
