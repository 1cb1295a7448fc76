"""A jupyter_client kernel manager whose kernels run in the bubblewrap sandbox.

nbclient (and so nbgrader's Execute) creates kernels with
``kernel_manager_class``; setting it to :class:`SandboxKernelManager` is all it
takes. Each kernel gets a private folder (mode 0700, owned by the grader) with:

* ``run/``      the Unix sockets (jupyter_client's ``ipc`` transport: TCP cannot
                cross the sandbox's network namespace) and the connection file;
                the only host folder the kernel can write, watched by the launcher;
* ``initial/``  a copy of the working folder's plain files, without notebooks
                (the autograded notebook already holds the hidden tests) and
                without symbolic links;
* ``launch.json``, ``pids.json``, ``status.json`` for the launcher.

When no sandbox can start, starting a kernel raises ``SandboxUnavailable``
unless ``unsandboxed`` is set; then the kernel runs with the grader's own rights
(limits, timeouts and the guard still apply).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import channel_socket_types
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode, default

from .sandbox import (SANDBOX_INITIAL, LaunchSpec, Limits, SandboxUnavailable, boot_module, bwrap_command, exposed_paths,
                      find_bwrap, launcher_command, protected_folders, python_prefixes, sandbox_env, sandbox_user)

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)  # put on PYTHONPATH when running unsandboxed
MAX_SOCKET_PATH = 100  # a Unix socket's path has at most 107 bytes (sun_path); jupyter_client adds "-N" to ``ip``


class LimitedKernelClient(AsyncKernelClient):
    """A client that refuses oversized messages: a kernel cannot make the grader hold a 1 GB output in memory.

    ZeroMQ drops the connection on a message over ``MAXMSGSIZE``; the grader then
    sees the cell's output as lost and reports the output as truncated.
    """

    max_message_bytes = Integer(16 * 1024 * 1024, help="largest message accepted from a kernel").tag(config=True)

    def _create_connected_socket(self, channel, identity=None):
        url = self._make_url(channel)
        sock = self.context.socket(channel_socket_types[channel])
        sock.linger = 1000
        sock.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        if identity:
            sock.identity = identity
        sock.connect(url)
        return sock


class SandboxKernelManager(AsyncKernelManager):
    """Start each kernel in its own bubblewrap sandbox (see sandbox.py for what it sees)."""

    unsandboxed = Bool(False, help="Run kernels WITHOUT the sandbox (with the grader's files, rights and network). "
                                   "Only with an explicit instruction from the instructor.").tag(config=True)
    memory_bytes = Integer(Limits.memory_bytes, help="address-space limit of a kernel").tag(config=True)
    cpu_seconds = Integer(Limits.cpu_seconds, help="CPU-time limit of each kernel process").tag(config=True)
    processes = Integer(Limits.processes, help="tasks (processes and threads) a kernel may have").tag(config=True)
    file_bytes = Integer(Limits.file_bytes, help="largest file a kernel may write").tag(config=True)
    open_files = Integer(Limits.open_files).tag(config=True)
    workdir_bytes = Integer(Limits.workdir_bytes, help="size of the kernel's in-memory working folder").tag(config=True)
    tmp_bytes = Integer(Limits.tmp_bytes, help="size of the kernel's in-memory /tmp").tag(config=True)
    nice = Integer(Limits.nice).tag(config=True)
    expose = List(Unicode(), help="extra folders the kernel may read (the course's package and datasets: "
                                  "grading.config.course_folders)").tag(config=True)
    protect = List(Unicode(), help="extra folders never exposed, besides the course folder, its repository and "
                                   "the home folder").tag(config=True)
    passenv = List(Unicode(), ["MPLBACKEND", "ISOTRETINOIN_COURSE_DATASETS", "TZ"],
                   help="environment variables passed to the kernel (nothing else is)").tag(config=True)
    course_root = Unicode("", help="the course folder (default: the grader's working folder)").tag(config=True)

    @default("transport")
    def _transport_default(self):
        return "ipc"

    @default("client_class")
    def _client_class_default(self):
        return f"{__name__}.LimitedKernelClient"

    @property
    def limits(self) -> Limits:
        return Limits(memory_bytes=self.memory_bytes, cpu_seconds=self.cpu_seconds, processes=self.processes,
                      file_bytes=self.file_bytes, open_files=self.open_files, workdir_bytes=self.workdir_bytes,
                      tmp_bytes=self.tmp_bytes, nice=self.nice)

    # ------------------------------------------------------------------ start

    async def _async_pre_start_kernel(self, **kw):
        workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        self._workdir = workdir
        self._uid, self._gid = (None, None) if self.unsandboxed else sandbox_user()
        if not self.unsandboxed:
            self._bwrap = find_bwrap()  # raises SandboxUnavailable with the instructor-facing message
        base = Path(tempfile.mkdtemp(prefix="sk-"))
        if len(str(base / "run" / "k-99")) > MAX_SOCKET_PATH:  # a long $TMPDIR: Unix socket paths are short
            os.rmdir(base)
            base = Path(tempfile.mkdtemp(prefix="sk-", dir="/tmp"))
        self._base = base
        run, initial = base / "run", base / "initial"
        run.mkdir()
        self._copy_working_files(workdir, initial)
        if self._uid is not None:
            os.chown(run, self._uid, self._gid)
        self.connection_file = str(run / "kernel.json")
        self.ip = str(run / "k")
        kw["cwd"] = str(base)
        return await super()._async_pre_start_kernel(**kw)

    def _copy_working_files(self, source: Path, target: Path) -> None:
        """Plain files of the working folder, without notebooks and links, up to the working folder's size."""
        target.mkdir()
        budget = self.workdir_bytes // 2
        for root, dirs, files in os.walk(source):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d)) and not d.startswith(".ipynb_checkpoints")]
            destination = target / os.path.relpath(root, source)
            destination.mkdir(parents=True, exist_ok=True)
            for name in files:
                path = Path(root) / name
                if name.endswith(".ipynb") or path.is_symlink() or not path.is_file():
                    continue
                size = path.stat().st_size
                if size > budget:
                    self.log.warning("sandbox: %s not copied into the working folder (too large)", path)
                    continue
                budget -= size
                shutil.copyfile(path, destination / name)

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if getattr(self, "_uid", None) is not None:
            os.chown(self.connection_file, self._uid, self._gid)

    def format_kernel_cmd(self, extra_arguments=None):
        extra_arguments = list(extra_arguments or [])
        base = self._base
        inner = [sys.executable, "-m", boot_module(), "-f", self.connection_file, *extra_arguments]
        if self.unsandboxed:
            work = base / "work"
            shutil.copytree(base / "initial", work)
            trusted = [*python_prefixes(), *self.expose, PACKAGE_PARENT]
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [PACKAGE_PARENT, os.environ.get("PYTHONPATH")])),
                       SANDBOX_INITIAL=str(base / "initial"), SANDBOX_WORKDIR=str(work),
                       SANDBOX_TRUSTED=os.pathsep.join(map(str, trusted)),
                       SANDBOX_HIDDEN=os.pathsep.join(map(str, self._hidden())))
            env.pop("JPY_PARENT_PID", None)
            command, cwd = inner, str(work)
        else:
            expose = exposed_paths([*self._hidden(), self._workdir], self.expose)
            env = sandbox_env(self._workdir, self.passenv, trusted=expose, hidden=self._hidden())
            command = bwrap_command(self._bwrap, workdir=self._workdir, initial=base / "initial", run_dir=base / "run",
                                    expose=expose, env=env,
                                    limits=self.limits, inner=inner, as_root=self._uid is not None)
            env, cwd = None, None
        spec = LaunchSpec(command=command, sandboxed=not self.unsandboxed, uid=self._uid, gid=self._gid,
                          limits=self.limits, pid_file=str(base / "pids.json"), status_file=str(base / "status.json"),
                          env=env, cwd=cwd)
        spec.write(base / "launch.json")
        return launcher_command(base / "launch.json")

    def _hidden(self) -> list[Path]:
        """What the kernel must never see: the course folder, its repository, the home folder, ``protect``."""
        return [*protected_folders(Path(self.course_root or os.getcwd())), *map(Path, self.protect)]

    # ------------------------------------------------------------------ state for the grader

    def sandbox_pids(self) -> dict:
        try:
            return json.loads((self._base / "pids.json").read_text())
        except (AttributeError, OSError, ValueError):
            return {}

    def sandbox_status(self) -> dict:
        """How the sandbox ended (``returncode`` of bwrap/the kernel, ``killed_for``), once it has."""
        try:
            return json.loads((self._base / "status.json").read_text())
        except (AttributeError, OSError, ValueError):
            return {}

    # ------------------------------------------------------------------ stop

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        for key in ("kernel", "bwrap"):
            pid = self.sandbox_pids().get(key)
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        await super()._async_kill_kernel(restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        base = getattr(self, "_base", None)
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)


__all__ = ["SandboxKernelManager", "LimitedKernelClient", "SandboxUnavailable", "SANDBOX_INITIAL"]
