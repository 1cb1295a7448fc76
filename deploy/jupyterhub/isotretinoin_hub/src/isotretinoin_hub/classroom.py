"""A temporary class on this machine: groups, accounts, exchange and a running hub, all removed at the end.

For the end-to-end test and the capacity benchmark (run as root, on 127.0.0.1 only)::

    with TemporaryClass(prefix, config, students=4, instructors=1) as tc:
        alice = tc.user(tc.students[0]); alice.login(); alice.start_server()

Every name it creates starts with a random tag (``jhtXXXX-``), so it cannot touch real accounts.
On exit, even after an error or Ctrl-C, it stops the hub and every process the hub started (found
by walking the process tree from the hub's pid, then by the temporary accounts' uids), deletes the
accounts, their homes and both groups, and removes its temporary folder. It kills nothing else.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from .accounts import add_instructor, add_student, init_course
from .client import HubUser
from .settings import Settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, uid, start time) for every process now."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            uid = os.stat(f"/proc/{entry}").st_uid
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        table[int(entry)] = (int(fields[1]), uid, fields[19])
    return table


def _descendants(root: int, table: dict[int, tuple[int, int, str]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class TemporaryClass:
    """Set up a throwaway class and hub; tear everything down on exit."""

    def __init__(self, prefix: Path, config: Path, students: int | list[str] = 4, instructors: int = 1,
                 cull_timeout: int = 3600, log_path: Path | None = None, start_hub: bool = True) -> None:
        self.prefix, self.config = Path(prefix), Path(config)
        self.tag = "jht" + secrets.token_hex(2)
        names = [f"s{i + 1}" for i in range(students)] if isinstance(students, int) else list(students)
        self.students = [f"{self.tag}-{n}" for n in names]
        self.instructors = [f"{self.tag}-i{i + 1}" for i in range(instructors)]
        self.passwords = {name: secrets.token_urlsafe(12) for name in self.students + self.instructors}
        self.cull_timeout = cull_timeout
        self.log_path = log_path
        self.should_start_hub = start_hub
        self.hub: subprocess.Popen | None = None
        self.root: Path | None = None
        self.settings: Settings | None = None
        self.base_url = ""

    # --- set-up
    def __enter__(self) -> "TemporaryClass":
        if os.geteuid() != 0:
            raise PermissionError("a temporary class needs root (it creates local accounts)")
        try:
            self._set_up()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def environment(self) -> dict[str, str]:
        assert self.root is not None
        return {
            "ISOHUB_PREFIX": str(self.prefix), "ISOHUB_STATE": str(self.root / "state"),
            "ISOHUB_EXCHANGE": str(self.root / "exchange"), "ISOHUB_COURSE_ID": "isotretinoin-course",
            "ISOHUB_STUDENTS_GROUP": f"{self.tag}-students", "ISOHUB_INSTRUCTORS_GROUP": f"{self.tag}-instructors",
            "ISOHUB_IP": "127.0.0.1", "ISOHUB_PORT": str(self.port), "ISOHUB_HUB_PORT": str(free_port()),
            "ISOHUB_PROXY_API_PORT": str(free_port()), "ISOHUB_CULL_TIMEOUT": str(self.cull_timeout),
        }

    def _set_up(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=f"{self.tag}-", dir="/tmp"))
        os.chmod(self.root, 0o755)  # students must reach the exchange inside it
        (self.root / "state").mkdir(mode=0o700)
        self.port = free_port()
        self.env = self.environment()
        self.settings = Settings.from_env(self.env)
        init_course(self.settings)
        for name in self.students:
            add_student(self.settings, name, self.passwords[name])
        for name in self.instructors:
            add_instructor(self.settings, name, self.passwords[name])
        if self.should_start_hub:
            self.start_hub()

    def start_hub(self, timeout: float = 60) -> None:
        assert self.root is not None
        log = open(self.log_path or (self.root / "hub.log"), "ab")
        env = {"PATH": f"{self.prefix}/envs/hub/bin:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **self.env}
        self.hub = subprocess.Popen(
            [str(self.prefix / "envs" / "hub" / "bin" / "jupyterhub"), "-f", str(self.config)],
            cwd=self.root / "state", env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.base_url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.hub.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.hub.returncode}:\n{self.hub_log()[-3000:]}")
            try:
                if requests.get(f"{self.base_url}/hub/api", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"the hub did not answer in {timeout:.0f} s:\n{self.hub_log()[-3000:]}")

    def hub_log(self) -> str:
        path = self.log_path or (self.root / "hub.log" if self.root else None)
        try:
            return Path(path).read_text(errors="replace") if path else ""
        except FileNotFoundError:
            return ""

    def user(self, name: str) -> HubUser:
        return HubUser(self.base_url, name, self.passwords[name])

    def home(self, name: str) -> Path:
        return Path(pwd.getpwnam(name).pw_dir)

    # --- tear-down
    def stop_hub(self, grace: float = 60) -> None:
        if self.hub is None:
            return
        table = _processes()
        started = {pid: table[pid][2] for pid in _descendants(self.hub.pid, table)}
        if self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)  # the hub stops the servers, the culler and the proxy itself
            try:
                self.hub.wait(grace)
            except subprocess.TimeoutExpired:
                self.hub.kill()
                self.hub.wait(10)
        now = _processes()
        for pid, start in started.items():  # anything the hub left behind (same pid *and* start time)
            if pid in now and now[pid][2] == start:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.hub = None

    def _kill_user_processes(self, uids: set[int]) -> None:
        for _ in range(3):
            victims = [pid for pid, (_, uid, _) in _processes().items() if uid in uids]
            if not victims:
                return
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.3)

    def close(self) -> None:
        """Remove everything this class created (safe to call twice)."""
        try:
            self.stop_hub()
        finally:
            uids = set()
            for name in self.students + self.instructors:
                try:
                    uids.add(pwd.getpwnam(name).pw_uid)
                except KeyError:
                    pass
            self._kill_user_processes(uids)
            for name in self.students + self.instructors:
                subprocess.run(["userdel", "--remove", "--force", name], capture_output=True, timeout=60)
            for group in (f"{self.tag}-students", f"{self.tag}-instructors"):
                try:
                    grp.getgrnam(group)
                    subprocess.run(["groupdel", group], capture_output=True, timeout=60)
                except KeyError:
                    pass
            if self.root is not None and self.root.exists():
                shutil.rmtree(self.root, ignore_errors=True)
