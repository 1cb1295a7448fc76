"""The deployment's settings, read from environment variables with the defaults of a one-server install.

One home for every path and name the hub, the account tool and the install script share. The
systemd unit loads them from ``/etc/isotretinoin-hub/hub.env``; the end-to-end test sets them to a
temporary folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

# Linux account names that are also safe as nbgrader student ids ('+' separates fields in the exchange).
NAME_PATTERN = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class SettingsError(ValueError):
    """A setting that cannot work, named in the message."""


@dataclass(frozen=True)
class Settings:
    """Where things live and what the course's groups are called."""

    prefix: Path            # environments, the proxy and the course files (root-owned, read-only to users)
    state: Path             # the hub's database and cookie secret (root only)
    exchange: Path          # the nbgrader exchange root
    course_id: str          # nbgrader course id (matches exercises/nbgrader_config.py)
    students_group: str
    instructors_group: str
    lessons_folder: str     # name of the lesson folder in each student's home
    ip: str                 # where students connect (the proxy's public address)
    port: int
    hub_port: int           # the hub's internal API, always on 127.0.0.1
    proxy_api_port: int     # the proxy's control API, always on 127.0.0.1
    cull_timeout: int       # seconds without activity before the idle culler stops a server
    admins: frozenset[str]  # hub administrators (not the instructors: admins can act as any user)

    @property
    def student_env(self) -> Path:
        return self.prefix / "envs" / "student"

    @property
    def instructor_env(self) -> Path:
        return self.prefix / "envs" / "instructor"

    @property
    def hub_env(self) -> Path:
        return self.prefix / "envs" / "hub"

    @property
    def lessons_source(self) -> Path:
        return self.prefix / "course" / "notebooks"

    @property
    def course_exchange(self) -> Path:
        return self.exchange / self.course_id

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Read ``ISOHUB_*`` variables; refuse values that cannot work, naming the variable."""
        env = os.environ if environ is None else environ
        settings = cls(
            prefix=Path(env.get("ISOHUB_PREFIX", "/opt/isotretinoin-hub")),
            state=Path(env.get("ISOHUB_STATE", "/srv/jupyterhub")),
            exchange=Path(env.get("ISOHUB_EXCHANGE", "/srv/nbgrader/exchange")),
            course_id=env.get("ISOHUB_COURSE_ID", "isotretinoin-course"),
            students_group=env.get("ISOHUB_STUDENTS_GROUP", "isotretinoin-students"),
            instructors_group=env.get("ISOHUB_INSTRUCTORS_GROUP", "isotretinoin-instructors"),
            lessons_folder=env.get("ISOHUB_LESSONS_FOLDER", "isotretinoin"),
            ip=env.get("ISOHUB_IP", "0.0.0.0"),
            port=_port("ISOHUB_PORT", env.get("ISOHUB_PORT", "8000")),
            hub_port=_port("ISOHUB_HUB_PORT", env.get("ISOHUB_HUB_PORT", "8081")),
            proxy_api_port=_port("ISOHUB_PROXY_API_PORT", env.get("ISOHUB_PROXY_API_PORT", "8001")),
            cull_timeout=_seconds("ISOHUB_CULL_TIMEOUT", env.get("ISOHUB_CULL_TIMEOUT", "3600")),
            admins=frozenset(filter(None, env.get("ISOHUB_ADMINS", "").replace(",", " ").split())),
        )
        for name, path in (("ISOHUB_PREFIX", settings.prefix), ("ISOHUB_STATE", settings.state),
                           ("ISOHUB_EXCHANGE", settings.exchange)):
            if not path.is_absolute():
                raise SettingsError(f"{name} must be an absolute path, got {str(path)!r}")
        for name, value in (("ISOHUB_COURSE_ID", settings.course_id), ("ISOHUB_STUDENTS_GROUP", settings.students_group),
                            ("ISOHUB_INSTRUCTORS_GROUP", settings.instructors_group),
                            ("ISOHUB_LESSONS_FOLDER", settings.lessons_folder)):
            if not NAME_PATTERN.match(value):
                raise SettingsError(f"{name} must match {NAME_PATTERN.pattern}, got {value!r}")
        return settings


def _port(name: str, text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise SettingsError(f"{name} must be between 1 and 65535, got {port}")
    return port


def _seconds(name: str, text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number of seconds, got {text!r}") from None
    if seconds < 60:
        raise SettingsError(f"{name} must be at least 60 seconds, got {seconds}")
    return seconds
