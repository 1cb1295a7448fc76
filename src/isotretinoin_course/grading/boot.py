"""First code of the sandboxed kernel, before any student code: working copy, guard, then ipykernel.

    python -m grading.boot -f CONNECTION_FILE [ipykernel options]   (inside the sandbox: this folder is /.sandbox/lib/grading)

1. Copy the working files the grader prepared (read-only at /.sandbox/initial)
   into the kernel's working folder, an in-memory tmpfs of limited size.
2. Install the guard's audit hook (guard.install), so that it sees everything
   the notebook does from its first cell on.
3. Start ipykernel exactly as ``python -m ipykernel_launcher`` would.
"""

from __future__ import annotations

import os
import shutil
import sys


def copy_working_files(source: str | None = None, target: str | None = None) -> None:
    source = source or os.environ.get("SANDBOX_INITIAL", "/.sandbox/initial")
    target = target or os.getcwd()
    if not os.path.isdir(source):
        return
    for root, dirs, files in os.walk(source):
        relative = os.path.relpath(root, source)
        destination = os.path.normpath(os.path.join(target, relative))
        os.makedirs(destination, exist_ok=True)
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            try:
                shutil.copyfile(path, os.path.join(destination, name))
            except OSError as error:  # the working folder is full: the kernel still starts
                print(f"sandbox: could not copy {name}: {error}", file=sys.stderr)


def drop_privileges() -> None:
    """Become the unprivileged sandbox user (only when bwrap started us as root in our user namespace)."""
    target = os.environ.pop("SANDBOX_DROP_TO", "")
    if not target:
        return
    uid, gid = (int(part) for part in target.split(":"))
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise SystemExit("sandbox: could not drop root privileges")


def probe(args: list[str]) -> None:
    """``--probe PORT PATH...``: report what the sandbox lets us see and reach (used before grading starts)."""
    import socket

    port, paths = int(args[0]), args[1:]
    seen = [path for path in paths if os.path.exists(path)]
    connection = socket.socket()
    connection.settimeout(2)
    try:
        connection.connect(("127.0.0.1", port))
        reached = True
    except OSError:
        reached = False
    print("PROBE", len(seen), reached, os.getuid(), flush=True)


def main() -> None:
    drop_privileges()
    if sys.argv[1:2] == ["--probe"]:
        probe(sys.argv[2:])
        return
    for folder in ("/tmp/home", "/tmp/ipython", "/tmp/matplotlib", "/tmp/cache", "/tmp/jupyter/runtime"):
        os.makedirs(folder, exist_ok=True)
    copy_working_files()
    import importlib

    guard = importlib.import_module(f"{__spec__.parent}.guard")  # the package is mounted under its folder name
    guard.install()
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does; IPython puts the working folder back
    from ipykernel import kernelapp

    # parent_handle=1: no parent poller (in its own PID namespace the kernel's parent looks like PID 0/1
    # and the poller would stop it at once); bwrap's --die-with-parent ends it when the grader goes.
    kernelapp.launch_new_instance(argv=[*sys.argv[1:], "--IPKernelApp.parent_handle=1"])


if __name__ == "__main__":
    main()
