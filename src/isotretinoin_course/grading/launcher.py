"""The process jupyter_client starts as "the kernel": it runs bubblewrap and stands between the two.

    python -I -c "...from grading.launcher import main..." SPEC.json   (see sandbox.launcher_command)

Why a launcher outside the sandbox:

* **Interrupts.** jupyter_client interrupts a kernel with SIGINT to the kernel's
  process group. bubblewrap does not forward signals into its PID namespace, so
  a sandboxed ``while True: pass`` would never stop. The launcher learns the
  kernel's host PID from ``bwrap --info-fd`` (with ``--as-pid-1`` the kernel is
  the namespace's first process) and forwards SIGINT to it. bwrap runs in its
  own process group so that the SIGINT does not kill bwrap itself. A kernel that
  ignores SIGINT (or is stuck in C code) is killed by the grader instead.
* **Limits and user.** It sets the resource limits bwrap and the kernel
  inherit and, when grading as root, prepares the user namespace in which the
  kernel becomes ``nobody`` (see sandbox.bwrap_command).
* **Output and disk.** The kernel's raw stdout/stderr (``os.write(1, ...)``)
  are read here and only the first 64 KiB are passed on; the socket folder,
  the one host folder the kernel can write, is watched and the sandbox is
  killed if it grows past a few MiB.
* **Clean-up.** If the grader dies, the launcher dies (PR_SET_PDEATHSIG), bwrap
  dies with it (``--die-with-parent``), and with the namespace's first process
  every process in the sandbox.

Standard library only.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from .sandbox import USERNS_FD, LaunchSpec, Limits, prepare_user_namespace

RAW_OUTPUT_CAP = 64 * 1024
RUN_DIR_CAP = 8 * 1024 * 1024
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the grader died before we got here
        os._exit(1)


def _limit(limits: Limits) -> None:
    """In the child, before exec: the limits the kernel inherits."""
    pairs = [(resource.RLIMIT_AS, limits.memory_bytes), (resource.RLIMIT_CPU, limits.cpu_seconds),
             (resource.RLIMIT_FSIZE, limits.file_bytes), (resource.RLIMIT_NOFILE, limits.open_files),
             (resource.RLIMIT_CORE, 0)]
    pairs.append((resource.RLIMIT_NPROC, limits.processes))  # holds once the kernel is not root any more
    for which, value in pairs:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))
    if limits.nice:
        os.nice(limits.nice)


def _tree_size(folder: Path, cap_entries: int = 10_000) -> int:
    total = 0
    for count, (root, dirs, files) in enumerate(os.walk(folder)):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
        if count > cap_entries:
            return RUN_DIR_CAP + 1
    return total


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    spec = LaunchSpec.read(args[0])
    _die_with_parent()
    command = list(spec.command)
    pass_fds: list[int] = []
    info_read = None
    if spec.sandboxed:
        if spec.uid is not None:
            userns = prepare_user_namespace(spec.uid, spec.gid)
            os.set_inheritable(userns, True)
            pass_fds.append(userns)
            command = [str(userns) if arg == USERNS_FD else arg for arg in command]
        info_read, info_write = os.pipe()
        pass_fds.append(info_write)
        command = [command[0], "--info-fd", str(info_write), *command[1:]]
    kernel_pid: int | None = None
    child: subprocess.Popen | None = None

    def forward_interrupt(signum, frame):
        target = kernel_pid or (child.pid if child else None)
        if target:
            try:
                os.kill(target, signal.SIGINT)
            except ProcessLookupError:
                pass

    def stop(signum, frame):
        for pid in (kernel_pid, child.pid if child else None):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, forward_interrupt)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    child = subprocess.Popen(
        command, pass_fds=pass_fds, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=spec.env, cwd=spec.cwd, process_group=0, preexec_fn=lambda: _limit(spec.limits))
    for fd in pass_fds:
        os.close(fd)
    pids = {"launcher": os.getpid(), "bwrap": child.pid, "kernel": child.pid if not spec.sandboxed else None}
    if info_read is not None:
        with os.fdopen(info_read, "rb") as info:
            raw = info.read()  # bwrap closes it once the sandbox is set up (or failed)
        try:
            kernel_pid = int(json.loads(raw.decode() or "{}")["child-pid"])
            pids["kernel"] = kernel_pid
        except (ValueError, KeyError):
            pass
    Path(spec.pid_file).write_text(json.dumps(pids))
    run_dir = Path(spec.pid_file).parent / "run"
    streams = {child.stdout.fileno(): sys.stdout.buffer, child.stderr.fileno(): sys.stderr.buffer}
    passed = 0
    killed_for = None
    last_check = 0.0
    while streams:
        try:
            ready, _, _ = select.select(list(streams), [], [], 0.25)
        except InterruptedError:
            continue
        for fd in ready:
            data = os.read(fd, 65536)
            if not data:
                del streams[fd]
                continue
            if passed < RAW_OUTPUT_CAP:
                streams[fd].write(data[: RAW_OUTPUT_CAP - passed])
                streams[fd].flush()
            passed += len(data)
        now = time.monotonic()
        if spec.sandboxed and killed_for is None and now - last_check > 0.25 and run_dir.is_dir():
            last_check = now
            if _tree_size(run_dir) > RUN_DIR_CAP:
                killed_for = "the kernel wrote more than 8 MiB into its socket folder"
                stop_pids = [p for p in (kernel_pid, child.pid) if p]
                for pid in stop_pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
    returncode = child.wait()
    if kernel_pid:
        try:
            os.kill(kernel_pid, signal.SIGKILL)  # normally gone already: bwrap exits with it
        except ProcessLookupError:
            pass
    Path(spec.status_file).write_text(json.dumps({"returncode": returncode, "raw_output_bytes": passed,
                                                   "killed_for": killed_for}))
    return returncode if returncode >= 0 else 128 - returncode


if __name__ == "__main__":
    raise SystemExit(main())
