"""What a student's kernel may see and use, as a bubblewrap command line.

The sandbox is an allow-list: the kernel gets a fresh, empty root and only what
is bound into it: the system directories and Python's installation read-only,
its own working copy and a small /tmp (size-limited, in memory), and the
folder that holds its Unix sockets. Everything else (the course folder with
``source/``, the gradebook, ``release/`` and the other submissions, the
repository, the instructor's home, other users' sockets in /run and /tmp) is
simply absent. It has no network (its own network namespace), its own PID
namespace (it cannot see or signal the grader), and runs as an unprivileged
user so that the process limit counts only its own processes.

Standard library only: the launcher imports this module, and it must stay cheap.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Where this folder (the ``grading`` package) is mounted inside the sandbox (read-only).
SANDBOX_LIB = "/.sandbox/lib"
#: Where the grader's copy of the working files is mounted inside the sandbox (read-only).
SANDBOX_INITIAL = "/.sandbox/initial"
#: System directories mounted read-only (or recreated as the same symlink, on merged-/usr systems).
SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
NOBODY = 65534

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass
class Limits:
    """Resource limits of one sandboxed kernel (setrlimit values; the kernel inherits them)."""

    memory_bytes: int = 4 * GiB  # address space (RLIMIT_AS): an allocation beyond it raises MemoryError
    cpu_seconds: int = 600  # CPU time of each process (RLIMIT_CPU); SIGXCPU ends it after that
    processes: int = 96  # tasks of the sandbox's user, threads included (RLIMIT_NPROC)
    file_bytes: int = 64 * MiB  # largest file it may write (RLIMIT_FSIZE); Python gets OSError(EFBIG)
    open_files: int = 256  # RLIMIT_NOFILE
    workdir_bytes: int = 64 * MiB  # size of the in-memory working copy
    tmp_bytes: int = 64 * MiB  # size of the in-memory /tmp (and /dev/shm gets a quarter)
    nice: int = 0  # raise (e.g. 10) to favour everything else on a shared machine; grading then waits longer


@dataclass
class LaunchSpec:
    """Everything the launcher needs; written as JSON next to the kernel's sockets (grader-owned)."""

    command: list[str]
    sandboxed: bool
    uid: int | None
    gid: int | None
    limits: Limits
    pid_file: str
    status_file: str
    env: dict | None = None  # only without the sandbox; bwrap sets the sandbox's environment itself
    cwd: str | None = None

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: str | Path) -> "LaunchSpec":
        data = json.loads(Path(path).read_text())
        data["limits"] = Limits(**data["limits"])
        return cls(**data)


def protected_folders(course: Path) -> list[Path]:
    """What a kernel must never see: the course folder, the repository around it (if any), the home folder."""
    course = _real(course)
    protected = [course, _real(Path.home())]
    for parent in course.parents:
        if (parent / ".git").exists():
            protected.append(parent)
            break
    return protected


def _real(path: str | os.PathLike) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def python_prefixes() -> list[Path]:
    """The Python installation the kernel runs from (the venv and the interpreter it was made from)."""
    found = []
    for prefix in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                   os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))):
        for candidate in (Path(prefix), _real(prefix)):
            if candidate.is_dir() and candidate not in found:
                found.append(candidate)
    return found


def exposed_paths(protected: list[Path], extra: list[str | os.PathLike] = ()) -> list[Path]:
    """Read-only folders the kernel needs besides the system: Python's installation and ``extra``.

    Python's installation is the venv and the interpreter it was made from (their library folders
    included). ``sys.path`` entries outside it are never exposed on their own: the grader's working
    folder, a test runner's folders, or the course folder nbgrader puts on ``sys.path`` would show
    files of the course or of other students. A folder the kernel needs besides Python (the course's
    package and datasets in an editable install) is named in ``extra``; one that contains a protected
    folder (the course folder, the kernel's working folder, the home folder, the repository) is refused.
    """
    protected = [_real(p) for p in protected]
    paths = []
    for prefix in python_prefixes():
        real = _real(prefix)
        if any(_inside(p, real) for p in protected):
            raise ValueError(f"refusing to expose Python's installation {prefix}: it contains "
                             f"{next(p for p in protected if _inside(p, real))}")
        paths.append(real)
    for entry in extra:
        real = _real(entry)
        if any(_inside(p, real) for p in protected):
            raise ValueError(f"refusing to expose {entry}: it contains {next(p for p in protected if _inside(p, real))}")
        if real.exists():
            paths.append(real)
    # Drop anything already inside another exposed folder.
    unique: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if not any(_inside(path, other) for other in unique):
            unique.append(path)
    return unique


USERNS_FD = "{userns_fd}"  # replaced by the launcher with the user namespace it prepared


def bwrap_command(bwrap: str, *, workdir: Path, initial: Path, run_dir: Path, expose: list[Path],
                  env: dict[str, str], limits: Limits, inner: list[str], as_root: bool) -> list[str]:
    """The bubblewrap command line that runs ``inner`` (the kernel) in the sandbox.

    ``as_root``: the grader runs as root. bwrap then joins a user namespace the
    launcher prepared (uid 0 and 65534 mapped to themselves), mounts as root
    there (so it can bind a Python that lives under /root), keeps only the
    capabilities to change user, and boot.py becomes ``nobody`` before any
    other code runs: the kernel's host uid is 65534, so RLIMIT_NPROC holds (root
    is exempt from it) and root-only files such as /etc/shadow stay unreadable.
    Otherwise bwrap makes its own user namespace for the grader's uid.
    """
    package = Path(__file__).resolve().parent
    if as_root:
        namespaces = ["--userns", USERNS_FD, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                      "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                      "--setenv", "SANDBOX_DROP_TO", f"{NOBODY}:{NOBODY}"]
    else:
        namespaces = ["--unshare-all", "--unshare-user", "--disable-userns"]
    args = [bwrap, *namespaces, "--die-with-parent", "--new-session", "--as-pid-1", "--hostname", "sandbox",
            "--clearenv"]
    env = dict(env)
    if as_root:
        env["SANDBOX_DROP_TO"] = f"{NOBODY}:{NOBODY}"
    for key, value in env.items():
        args += ["--setenv", key, value]
    for name in SYSTEM_DIRS:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limits.tmp_bytes // 4), "--tmpfs", "/dev/shm",
             "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    system = [Path("/") / name for name in SYSTEM_DIRS]
    expose = [path for path in expose if not any(_inside(path, folder) for folder in system)]
    # bwrap would give the parents of a mount point the host's modes (/root is 0700): make them traversable.
    parents: list[Path] = []
    for target in [*expose, Path(SANDBOX_LIB) / package.name, Path(SANDBOX_INITIAL), workdir, run_dir]:
        for parent in reversed(target.parents):
            if parent != Path("/") and parent not in parents and not any(_inside(parent, f) for f in system):
                parents.append(parent)
    for parent in parents:
        if parent not in (Path("/tmp"), Path("/dev"), Path("/proc")):
            args += ["--perms", "0755", "--dir", str(parent)]
    for path in expose:
        args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(package), f"{SANDBOX_LIB}/{package.name}",
             "--ro-bind", str(initial), SANDBOX_INITIAL,
             "--perms", "0777", "--size", str(limits.workdir_bytes), "--tmpfs", str(workdir),
             "--bind", str(run_dir), str(run_dir),
             "--remount-ro", "/",
             "--chdir", str(workdir), "--"]
    return args + inner


def sandbox_env(workdir: Path, passenv: list[str] = (), trusted: list[Path] = (), hidden: list[Path] = ()) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's (tokens, paths) unless asked for in ``passenv``.

    ``trusted``: the read-only folders whose code the guard counts as library code (guard.install). ``hidden``: the
    grader's folders the sandbox hides, so that the guard can tell the instructor the notebook looked for them.
    """
    bin_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp/home",
        "LANG": "C.UTF-8",
        "PYTHONPATH": SANDBOX_LIB,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "IPYTHONDIR": "/tmp/ipython",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "XDG_CACHE_HOME": "/tmp/cache",
        "JUPYTER_CONFIG_DIR": "/tmp/jupyter/config",
        "JUPYTER_DATA_DIR": "/tmp/jupyter/data",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter/runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "MALLOC_ARENA_MAX": "2",  # fewer 64 MiB malloc arenas reserved per thread, so RLIMIT_AS measures real use
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "SANDBOX_WORKDIR": str(workdir),
        "SANDBOX_TRUSTED": os.pathsep.join([SANDBOX_LIB, *map(str, trusted)]),
        "SANDBOX_HIDDEN": os.pathsep.join(map(str, hidden)),
    }
    if "VIRTUAL_ENV" in os.environ or sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
    for name in passenv:
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def sandbox_user() -> tuple[int | None, int | None]:
    """The unprivileged user the kernel runs as: ``nobody`` when grading as root, else the grader's own user."""
    if os.geteuid() == 0:
        return NOBODY, NOBODY
    return None, None


CLONE_NEWUSER = 0x10000000


def prepare_user_namespace(uid: int = NOBODY, gid: int = NOBODY) -> int:
    """As root: a user namespace mapping 0 and ``uid`` to themselves, where no further namespace can be made.

    Returns an fd of it for ``bwrap --userns``. A helper process makes the namespace;
    the fd keeps it alive after the helper exits.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    go_read, go_write = os.pipe()
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # helper
        try:
            os.close(go_write)
            os.close(ready_read)
            if libc.unshare(CLONE_NEWUSER) != 0:
                os.write(ready_write, b"E")
                os._exit(1)
            os.write(ready_write, b"1")
            os.read(go_read, 1)  # maps written by the parent: we are root in the namespace now
            with open("/proc/sys/user/max_user_namespaces", "w") as handle:
                handle.write("0")  # nothing inside the sandbox can make a user namespace of its own
            os.write(ready_write, b"2")
        finally:
            os._exit(0)
    os.close(go_read)
    os.close(ready_write)
    try:
        if os.read(ready_read, 1) != b"1":
            raise SandboxUnavailable(REFUSAL.format(reason="could not create a user namespace"))
        for name, first in (("uid_map", uid), ("gid_map", gid)):
            with open(f"/proc/{pid}/{name}", "w") as handle:
                handle.write(f"0 0 1\n{first} {first} 1\n")
        fd = os.open(f"/proc/{pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
        os.write(go_write, b"1")
        if os.read(ready_read, 1) != b"2":
            os.close(fd)
            raise SandboxUnavailable(REFUSAL.format(reason="could not lock the user namespace"))
        return fd
    finally:
        os.close(go_write)
        os.close(ready_read)
        os.waitpid(pid, 0)


class SandboxUnavailable(RuntimeError):
    """No sandbox can start here; grading must refuse unless the instructor opts out explicitly."""


REFUSAL = ("refusing to run students' code: no sandbox can start on this machine ({reason}). "
           "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and allow unprivileged user "
           "namespaces, or pass --unsandboxed to run each submission with YOUR permissions, files and "
           "network (only for submissions you trust).")


def find_bwrap() -> str:
    path = shutil.which("bwrap")
    if not path:
        raise SandboxUnavailable(REFUSAL.format(reason="bwrap is not installed"))
    return path


def launcher_command(spec_path: Path) -> list[str]:
    """How to start the launcher with the grader's Python, whatever the working folder."""
    package = Path(__file__).resolve().parent
    code = (f"import sys; sys.path.insert(0, sys.argv[1]); from {package.name}.launcher import main; "
            "sys.exit(main(sys.argv[2:]))")
    return [sys.executable, "-I", "-c", code, str(package.parent), str(spec_path)]


def boot_module() -> str:
    """The module that starts a kernel inside the sandbox (this package, mounted under its folder name)."""
    return f"{Path(__file__).resolve().parent.name}.boot"


def probe(protected: list[Path], expose: list[str | os.PathLike] = (), limits: Limits | None = None,
          timeout: float = 60) -> str:
    """Start a throw-away sandbox through the launcher, exposing what kernels will see, and check from inside
    that it hides every entry of ``protected`` (except the way to an exposed folder) and cannot reach a port
    the grader listens on. Returns a one-line description, or raises SandboxUnavailable with the reason.
    """
    bwrap = find_bwrap()
    limits = limits or Limits()
    uid, gid = sandbox_user()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as base:
        base_path = Path(base)
        work, initial, run = base_path / "work", base_path / "initial", base_path / "run"
        for folder in (work, initial, run):
            folder.mkdir()
        if uid is not None:
            os.chown(run, uid, gid)
        try:
            expose = exposed_paths(protected, expose)
        except ValueError as error:
            raise SandboxUnavailable(REFUSAL.format(reason=str(error))) from None
        # Entries of the protected folders (not on the way to an exposed folder) that must be invisible inside.
        secrets = []
        for folder in protected:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            secrets += [str(folder / name) for name in names
                        if not any(_inside(path, folder / name) for path in expose)][:100]
        inner = [sys.executable, "-m", boot_module(), "--probe", str(port), *secrets]
        command = bwrap_command(bwrap, workdir=work, initial=initial, run_dir=run, expose=expose,
                                env=sandbox_env(work, trusted=expose), limits=limits, inner=inner, as_root=uid is not None)
        spec = LaunchSpec(command=command, sandboxed=True, uid=uid, gid=gid, limits=limits,
                          pid_file=str(base_path / "pids.json"), status_file=str(base_path / "status.json"))
        spec.write(base_path / "launch.json")
        try:
            result = subprocess.run(launcher_command(base_path / "launch.json"), capture_output=True, text=True,
                                    timeout=timeout, cwd=base, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SandboxUnavailable(REFUSAL.format(reason=f"bwrap did not run: {error}")) from None
        finally:
            try:
                connection, _ = listener.accept()
                connection.close()
                reached_outside = True
            except OSError:
                reached_outside = False
            listener.close()
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("PROBE ")), None)
    if result.returncode != 0 or line is None:
        reason = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise SandboxUnavailable(REFUSAL.format(reason=f"bwrap failed: {reason}"))
    _, seen, reached, inner_uid = line.split()
    if int(seen) or reached == "True" or reached_outside or (uid is not None and int(inner_uid) != uid):
        raise SandboxUnavailable(REFUSAL.format(reason="the sandbox started but did not isolate (files or network visible)"))
    return f"bubblewrap sandbox ready ({bwrap}; kernels run as uid {inner_uid}, no network, course folder hidden)"
