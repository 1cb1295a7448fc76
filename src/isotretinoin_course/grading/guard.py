"""Inside the student's kernel: undo, and report, hooks that could make tests pass without answers.

The grader calls the guard before every graded test cell through an
``execute_request`` whose code is empty and whose ``user_expressions`` holds
the call. IPython evaluates user expressions with ``eval`` in the user
namespace, *after* the (empty) cell and *without* the input and AST
transformers, so a transformer that rewrites test cells cannot rewrite the
guard. The call does not go through a name in the user namespace either: it
finds the guard class through ``object.__subclasses__()``.

What the guard checks, restores and reports (each change is a finding):

* IPython's input transformers (cleanup, line, token, post), AST transformers,
  event callbacks, custom exception handlers, display formatters for plain text;
* methods of IPython's, ipykernel's and jupyter_client's classes (shell, kernel,
  session, compiler, transformer manager, formatter, display hook) and
  attributes set on those objects that shadow their methods;
* ``builtins`` (``AssertionError``, ``print``, ``exec``, ``__import__``,
  ``isinstance``, ``abs``...), ``sys.settrace``/``setprofile`` (and threading's),
  ``sys.excepthook``/``displayhook``, ``gc.callbacks``, timers and signal
  handlers that could run code in the middle of a test, import hooks;
* functions or classes written in the notebook that were stored into an
  installed module (``math.isclose = ...``);
* threads running notebook code while tests run;
* attempts, seen by an audit hook installed before any student code, to add
  audit hooks, to replace a function's code, or to patch a class with notebook
  code;
* values the test reads whose class was written in the notebook (an ``int``
  subclass whose ``__eq__`` always returns True passes ``x == 110``).

Besides findings (tampering: no test counts), the audit hook keeps *notices*: what
the notebook tried that the sandbox blocked or hides - opening or listing a path
outside its working copy, /tmp, the system and Python, connecting a socket,
signalling every process or its group. The grade stands, the report says
"blocked by the sandbox" so that the instructor can look. Best effort, like the
rest: code that makes system calls itself (ctypes) raises no audit event.

What it cannot do: the guard runs in the same process as the student's code.
Code written against this guard (patching it through ``gc``, ``ctypes`` or
``/proc/self/mem``, or faking the whole reply) can defeat it. The grader
therefore also runs a control test it knows must fail (see execute.py) and
treats a missing or malformed guard reply as tampering. See README.md.

Standard library only (IPython and ipykernel are imported lazily, when present).
"""

from __future__ import annotations

import builtins
import functools
import gc
import json
import os
import signal
import sys
import threading
import types

_FUNCTION_TYPES = (types.FunctionType, types.MethodType, functools.partial, type)
_C_CALLABLES = (types.BuiltinFunctionType, types.BuiltinMethodType, types.MethodWrapperType,
                types.WrapperDescriptorType, types.MethodDescriptorType, types.ClassMethodDescriptorType)
_TIMER_SIGNALS = tuple(getattr(signal, name) for name in ("SIGALRM", "SIGVTALRM", "SIGPROF", "SIGUSR1", "SIGUSR2")
                       if hasattr(signal, name))
_IGNORED_BUILTINS = frozenset({"_", "__", "___"})


def _is_under(path: str, prefixes) -> bool:
    return any(path == p or path.startswith(p + os.sep) for p in prefixes)


class _SandboxGuard:
    """Holds the baseline taken before any student code ran. Its attributes cannot be replaced (audit hook)."""

    prefixes: tuple = ()
    baseline: tuple | None = None
    snapshots: dict = {}
    attempts: list = []
    notices: list = []
    roots: tuple = ()  # where the notebook may read without a notice (its working copy, the system, Python, /tmp)
    hidden: tuple = ()  # the grader's folders the sandbox hides ($SANDBOX_HIDDEN: the course, its repository, home)
    work: str = ""
    armed: bool = False

    # ------------------------------------------------------------------ trust

    @staticmethod
    def origin(filename, _cache={}, fresh=False) -> str:
        """Where code comes from: "trusted" (an installed file, or frozen into Python), "notebook" (any other
        file: the kernel's cell files, files the notebook wrote), or "generated" (``<string>``: exec'd code,
        such as the methods dataclasses write). ``fresh``: without the cache (a notebook can reach the cache
        and write into it, see trusted_class)."""
        if not isinstance(filename, str):
            return "generated"
        if filename.startswith("<frozen"):
            return "trusted"
        if not filename.startswith("/"):
            return "generated"
        verdict = None if fresh else _cache.get(filename)
        if verdict is None:
            verdict = "trusted" if _is_under(os.path.realpath(filename), _SandboxGuard.prefixes) else "notebook"
            if not fresh:
                _cache[filename] = verdict
        return verdict

    @staticmethod
    def trusted_file(filename) -> bool:
        return _SandboxGuard.origin(filename) == "trusted"

    @staticmethod
    def untrusted_value(value) -> bool:
        """A function or class written in the notebook, or an object of such a class."""
        if isinstance(value, _FUNCTION_TYPES) or callable(value) and not isinstance(value, type(sys)):
            return not _SandboxGuard.trusted_callable(value, strict=False)
        return not _SandboxGuard.trusted_class(type(value))

    @staticmethod
    def trusted_callable(obj, depth: int = 0, strict: bool = True) -> bool:
        """True if ``obj`` comes from an installed file (a library). ``strict``: code made by exec is not trusted."""
        if depth > 4:
            return False
        again = _SandboxGuard.trusted_callable
        if isinstance(obj, _C_CALLABLES):
            return True
        if isinstance(obj, (classmethod, staticmethod)):
            return again(obj.__func__, depth + 1, strict)
        if isinstance(obj, property):
            return all(again(f, depth + 1, strict) for f in (obj.fget, obj.fset, obj.fdel) if f)
        if isinstance(obj, types.MethodType):
            return again(obj.__func__, depth + 1, strict)
        if isinstance(obj, functools.partial):
            return again(obj.func, depth + 1, strict)
        if isinstance(obj, types.FunctionType):
            where = _SandboxGuard.origin(obj.__code__.co_filename)
            return where == "trusted" or (not strict and where == "generated")
        if isinstance(obj, type):
            return _SandboxGuard.trusted_class(obj)
        return _SandboxGuard.trusted_class(type(obj))  # callable objects, and hook objects such as AST transformers

    @staticmethod
    def trusted_class(cls, _cache={}, fresh=False) -> bool:
        """False for a class written in the notebook (or with any method written there).

        ``fresh``: decide without the caches. The caches make scanning every module cheap, but a notebook can
        reach them (``trusted_class.__defaults__``) and declare its own class trusted; the values a test reads
        are therefore judged fresh."""
        known = None if fresh else _cache.get(id(cls))
        if known is not None and known[0] is cls:
            return known[1]
        verdict = True
        for klass in getattr(cls, "__mro__", (cls,)):
            if klass is object or getattr(klass, "__flags__", 0) & (1 << 9) == 0:  # C types cannot come from a cell
                continue
            if klass.__module__ == "__main__":
                verdict = False
                break
            for value in list(vars(klass).values()):
                for function in (value, getattr(value, "__func__", None), getattr(value, "fget", None)):
                    if isinstance(function, types.FunctionType) and \
                            _SandboxGuard.origin(function.__code__.co_filename, fresh=fresh) == "notebook":
                        verdict = False
                        break
                if not verdict:
                    break
            if not verdict:
                break
        if not fresh:
            _cache[id(cls)] = (cls, verdict)
        return verdict

    # ------------------------------------------------------------------ what is guarded

    @staticmethod
    def components():
        """The live objects whose behaviour decides whether a test cell passes, by name."""
        shell = None
        try:
            from IPython import get_ipython

            shell = get_ipython()
        except ImportError:
            pass
        found = {}
        if shell is not None:
            found["shell"] = shell
            for name in ("kernel", "compile", "input_transformer_manager", "display_formatter", "displayhook",
                         "display_pub", "events", "InteractiveTB", "SyntaxTB", "payload_manager"):
                value = getattr(shell, name, None)
                if value is not None:
                    found[name] = value
            kernel = found.get("kernel")
            if kernel is not None and getattr(kernel, "session", None) is not None:
                found["session"] = kernel.session
            formatters = getattr(shell.display_formatter, "formatters", {})
            if "text/plain" in formatters:
                found["plain_formatter"] = formatters["text/plain"]
        return found

    @staticmethod
    def guarded_classes(components) -> list:
        classes = []
        extra = []
        try:
            from IPython.core.interactiveshell import ExecutionResult

            extra.append(ExecutionResult)
        except ImportError:
            pass
        try:
            import zmq

            extra.append(zmq.Socket)
        except ImportError:
            pass
        for cls in [type(obj) for obj in components.values()] + extra:
            for klass in cls.__mro__:
                if klass is not object and klass not in classes:
                    classes.append(klass)
        return classes  # _SandboxGuard itself is protected by the audit hook instead

    @staticmethod
    def _lists(shell):
        """The hook lists of the shell, by name (each a live list object)."""
        lists = {}
        if shell is None:
            return lists
        manager = getattr(shell, "input_transformer_manager", None)
        for name in ("cleanup_transforms", "line_transforms", "token_transformers"):
            if manager is not None and isinstance(getattr(manager, name, None), list):
                lists[f"input_transformer_manager.{name}"] = getattr(manager, name)
        for name in ("input_transformers_post", "ast_transformers"):
            if isinstance(getattr(shell, name, None), list):
                lists[name] = getattr(shell, name)
        events = getattr(shell, "events", None)
        for event, callbacks in getattr(events, "callbacks", {}).items():
            lists[f"events.{event}"] = callbacks
        return lists

    # ------------------------------------------------------------------ baseline

    @staticmethod
    def take_baseline() -> str:
        """Called once by the grader, before any cell of the notebook ran."""
        if _SandboxGuard.baseline is not None:
            return "already"
        components = _SandboxGuard.components()
        shell = components.get("shell")
        classes = _SandboxGuard.guarded_classes(components)
        _SandboxGuard.snapshots = {id(module): (module, tuple(vars(module).items()))
                                   for name, module in list(sys.modules.items())
                                   if isinstance(module, types.ModuleType)
                                   and (_SandboxGuard.trusted_file(getattr(module, "__file__", None)) or name == "builtins")}
        modules = ()
        plain = components.get("plain_formatter")
        printers = tuple((name, tuple(getattr(plain, name, {}).items())) for name in
                         ("type_printers", "deferred_printers", "singleton_printers")) if plain is not None else ()
        _SandboxGuard.baseline = (
            tuple(components.items()),
            tuple((cls, tuple(vars(cls).items())) for cls in classes),
            tuple((name, tuple(obj.__dict__.keys())) for name, obj in components.items() if hasattr(obj, "__dict__")),
            tuple((name, tuple(items)) for name, items in _SandboxGuard._lists(shell).items()),
            modules,
            printers,
            (sys.excepthook, sys.displayhook),
            tuple((sig, signal.getsignal(sig)) for sig in _TIMER_SIGNALS + (signal.SIGINT,)),
            frozenset(sys._current_frames()),
            (tuple(sys.meta_path), tuple(sys.path_hooks)),
            (shell.user_ns if shell is not None else None, getattr(shell, "custom_exceptions", ())),
        )
        _SandboxGuard.armed = True
        return "ok"

    # ------------------------------------------------------------------ check

    @staticmethod
    def check(names=(), nonce="") -> str:
        """Restore everything to the baseline; report what had changed, and suspicious values in ``names``."""
        findings = []
        base = _SandboxGuard.baseline
        if base is None:
            return json.dumps({"nonce": nonce, "findings": ["the guard had no baseline"]})
        (components, class_dicts, instance_keys, lists, modules, printers, hooks, handlers, threads,
         import_hooks, (user_ns, custom_exc)) = base
        trusted = _SandboxGuard.trusted_callable
        untrusted = _SandboxGuard.untrusted_value
        live = _SandboxGuard.components()
        shell = live.get("shell")
        gc.collect(1)  # run young garbage's finalizers now, not in the middle of the test (a full collection costs ~0.1 s)

        # Objects swapped for others.
        for name, obj in components:
            if live.get(name) is not obj:
                findings.append(f"IPython's {name} was replaced")
                if shell is not None and name != "shell":
                    try:
                        setattr(shell, name, obj)
                    except Exception:
                        pass
        # Class methods replaced or added.
        for cls, items in class_dicts:
            original = dict(items)
            current = dict(vars(cls))
            for key, value in original.items():
                if current.get(key, _SandboxGuard) is not value:
                    findings.append(f"{cls.__module__}.{cls.__qualname__}.{key} was changed")
                    try:
                        setattr(cls, key, value)
                    except Exception:
                        pass
            for key in current.keys() - original.keys():
                if not trusted(current[key]):
                    findings.append(f"{cls.__module__}.{cls.__qualname__}.{key} was added by the notebook")
                    try:
                        delattr(cls, key)
                    except Exception:
                        pass
        # Instance attributes that shadow methods.
        for name, keys in instance_keys:
            obj = dict(components).get(name)
            if obj is None or not hasattr(obj, "__dict__"):
                continue
            for key in list(obj.__dict__.keys() - set(keys)):
                value = obj.__dict__[key]
                if callable(value) and not trusted(value):
                    findings.append(f"{name}.{key} was set to notebook code")
                    try:
                        del obj.__dict__[key]
                    except Exception:
                        pass
        # Hook lists: keep what libraries added, drop what the notebook added, put back what was removed.
        current_lists = _SandboxGuard._lists(shell)
        for name, items in lists:
            target = current_lists.get(name)
            if target is None:
                continue
            kept = [item for item in target if any(item is i for i in items) or trusted(item)]
            dropped = len(target) - len(kept)
            missing = [item for item in items if not any(item is k for k in kept)]
            if dropped:
                findings.append(f"{dropped} hook(s) written in the notebook were added to {name}")
            if missing:
                findings.append(f"{len(missing)} hook(s) were removed from {name}")
            if dropped or missing:
                target[:] = list(items) + [item for item in kept if not any(item is i for i in items)]
        for name, target in current_lists.items():
            if name not in dict(lists) and any(not trusted(item) for item in target):
                findings.append(f"hooks written in the notebook were registered as {name}")
                target[:] = [item for item in target if trusted(item)]
        # Custom exception handlers (they can swallow AssertionError).
        if shell is not None and getattr(shell, "custom_exceptions", ()) != custom_exc:
            findings.append("a custom exception handler was installed (set_custom_exc)")
            try:
                shell.set_custom_exc(custom_exc or (), None)
            except Exception:
                shell.custom_exceptions = custom_exc
        if shell is not None and shell.user_ns is not user_ns:
            findings.append("the user namespace was replaced")
            shell.user_ns = user_ns
        if shell is not None and shell.user_ns.get("__builtins__", builtins) not in (builtins, builtins.__dict__):
            findings.append("__builtins__ of the notebook was replaced")
            shell.user_ns["__builtins__"] = builtins
        # Modules: builtins strictly; installed modules for notebook code stored into them. A module loaded
        # after the baseline is scanned once, when first seen, and compared by identity afterwards.
        snapshots = _SandboxGuard.snapshots
        for name, module in list(sys.modules.items()):
            if not isinstance(module, types.ModuleType):
                continue
            entry = snapshots.get(id(module))
            current = vars(module)
            if entry is None or entry[0] is not module:
                if not _SandboxGuard.trusted_file(getattr(module, "__file__", None)):
                    continue  # the notebook's own modules
                for key, value in list(current.items()):
                    if isinstance(value, _FUNCTION_TYPES) and untrusted(value):
                        findings.append(f"{name}.{key} was replaced by notebook code")
                        break
                snapshots[id(module)] = (module, tuple(current.items()))
                continue
            original = entry[1]
            if name == "builtins":  # strict: any change at all
                changed = [key for key, value in original
                           if key not in _IGNORED_BUILTINS and current.get(key, _SandboxGuard) is not value]
                keys = {key for key, _ in original}
                added = [key for key in current if key not in keys and key not in _IGNORED_BUILTINS]
            else:  # libraries rebind their own globals; only notebook code or notebook objects count
                changed = [key for key, value in original
                           if current.get(key, value) is not value and untrusted(current[key])]
                added = []
                if len(current) != len(original):
                    keys = {key for key, _ in original}
                    added = [key for key in current if key not in keys and untrusted(current[key])]
            if changed or added:
                findings.append(f"{name}: {', '.join(sorted(changed + added)[:8])} changed by the notebook")
                restore = dict(original)
                for key in changed:
                    current[key] = restore[key]
                for key in added:
                    del current[key]
        # Pretty printers for plain text.
        plain = live.get("plain_formatter")
        for name, items in printers:
            table = getattr(plain, name, None)
            if isinstance(table, dict):
                for key in list(table):
                    if not trusted(table[key]) and not any(key is k for k, _ in items):
                        findings.append(f"a notebook function was registered as a {name[:-1].replace('_', ' ')}")
                        del table[key]
        # Tracing, profiling, hooks, timers, signals, import hooks.
        if sys.gettrace() is not None:
            findings.append("sys.settrace was used")
        if sys.getprofile() is not None:
            findings.append("sys.setprofile was used")
        if getattr(threading, "_trace_hook", None) is not None or getattr(threading, "_profile_hook", None) is not None:
            findings.append("threading.settrace/setprofile was used")
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
        if (sys.excepthook, sys.displayhook) != hooks:
            findings.append("sys.excepthook or sys.displayhook was replaced")
            sys.excepthook, sys.displayhook = hooks
        if any(not trusted(callback) for callback in gc.callbacks):
            findings.append("gc.callbacks holds notebook code")
            gc.callbacks[:] = [callback for callback in gc.callbacks if trusted(callback)]
        for which in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF):
            if signal.getitimer(which) != (0.0, 0.0):
                findings.append("an interval timer was running")
                signal.setitimer(which, 0)
        for sig, handler in handlers:
            if signal.getsignal(sig) is not handler:
                if sig != signal.SIGINT:
                    findings.append(f"the handler of {signal.Signals(sig).name} was replaced")
                try:
                    signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
                except (TypeError, ValueError, OSError):
                    pass
        meta_path, path_hooks = import_hooks
        for hooks_list, original, label in ((sys.meta_path, meta_path, "sys.meta_path"),
                                            (sys.path_hooks, path_hooks, "sys.path_hooks")):
            foreign = [hook for hook in hooks_list if not any(hook is h for h in original) and not trusted(hook)]
            if foreign:
                findings.append(f"an import hook written in the notebook was added to {label}")
                hooks_list[:] = [hook for hook in hooks_list if not any(hook is f for f in foreign)]
        for ident, frame in sys._current_frames().items():
            if ident in threads or ident == threading.get_ident():
                continue
            stack, depth = frame, 0
            while stack is not None and depth < 50:
                if _SandboxGuard.origin(stack.f_code.co_filename) == "notebook":
                    findings.append("a thread running notebook code was alive while the tests ran")
                    break
                stack, depth = stack.f_back, depth + 1
        # Attempts the audit hook saw.
        findings.extend(_SandboxGuard.attempts[:10])
        notices = _SandboxGuard.take_notices()
        # Values the test will read.
        if shell is not None:
            for name in names:
                value = shell.user_ns.get(name, _SandboxGuard)
                if value is _SandboxGuard:
                    continue
                suspect = _SandboxGuard.suspect_value(value)
                if suspect:
                    findings.append(f"the test reads `{name}`, {suspect}")
        return json.dumps({"nonce": nonce, "findings": list(dict.fromkeys(findings)), "notices": notices})

    @staticmethod
    def take_notices() -> list:
        """What the notebook tried that the sandbox blocked, since the last call (the grader asks before each
        test cell and after the last cell)."""
        taken = list(_SandboxGuard.notices)
        del _SandboxGuard.notices[:]
        return taken

    @staticmethod
    def reap() -> int:
        """Collect the exit status of children the grader stopped, so they stop counting against the limit."""
        count = 0
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return count
            if pid == 0:
                return count
            count += 1

    @staticmethod
    def suspect_value(value, depth: int = 0):
        cls = type(value)
        if not _SandboxGuard.trusted_class(cls, fresh=True):
            return f"an object of class {cls.__qualname__!s} written in the notebook"
        if depth < 2 and isinstance(value, (list, tuple, set, frozenset, dict)):
            items = list(value.items())[:100] if isinstance(value, dict) else list(value)[:100]
            for item in items:
                for part in (item if isinstance(value, dict) else (item,)):
                    found = _SandboxGuard.suspect_value(part, depth + 1)
                    if found:
                        return found
        return None


_PATH_EVENTS = {"open": 0, "os.listdir": 0, "os.scandir": 0, "glob.glob": 0, "sqlite3.connect": 0, "os.mkdir": 0,
                "os.remove": 0, "os.rmdir": 0, "os.rename": 1, "os.symlink": 1, "os.link": 1, "os.chmod": 0,
                "shutil.rmtree": 0, "shutil.copyfile": 1, "os.truncate": 0, "os.utime": 0}


def _notice(text: str) -> None:
    notices = _SandboxGuard.notices
    if len(notices) < 20 and text not in notices:
        notices.append(text)


def _watch(event, args) -> None:
    """Notices (see the module's docstring): never raises, never refuses anything."""
    try:
        if event in _PATH_EVENTS:
            path = args[_PATH_EVENTS[event]]
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            if not isinstance(path, str) or not path:
                return
            full = os.path.normpath(os.path.join(os.getcwd(), os.path.expanduser(path)))
            if event == "open":
                verb = "write" if any(flag in str(args[1]) for flag in "wax+") else "read"
            else:
                verb = {"os.listdir": "list", "os.scandir": "list", "glob.glob": "list", "sqlite3.connect": "read"}.get(event, "change")
            guard = _SandboxGuard
            if _is_under(full, (guard.work,)):
                return
            if _is_under(full, guard.hidden) and not _is_under(full, guard.prefixes):
                blocked = True  # the course, the repository, the grader's home (the way to the working copy included)
            elif verb in ("write", "change"):
                blocked = not _is_under(full, ("/tmp", "/var/tmp", "/dev"))
            else:
                blocked = not _is_under(full, guard.roots) and full != "/"
            if blocked:
                _notice(f"{verb} {full} ({event})")
        elif event == "socket.connect":
            sock, address = args[0], args[1]
            if getattr(sock, "family", None) != socket_family_unix() or not (
                    isinstance(address, str) and _is_under(os.path.normpath(address), _SandboxGuard.roots)):
                _notice(f"connect to {address!r}")
        elif event == "os.kill" and args[0] <= 0 or event == "os.killpg":
            _notice(f"signal {args[1]} to {'process group ' if event == 'os.killpg' else 'process '}{args[0]}")
    except Exception:
        pass


def socket_family_unix() -> int:
    return 1  # socket.AF_UNIX on Linux; not imported, to keep the audit hook from importing anything


def _audit(event, args, _guard=_SandboxGuard, _untrusted=_SandboxGuard.untrusted_value):
    if not _guard.armed:
        return
    if event in _PATH_EVENTS or event in ("socket.connect", "os.kill", "os.killpg"):
        _watch(event, args)
        return
    if event == "sys.addaudithook":
        _guard.attempts.append("the notebook tried to add an audit hook")
        raise RuntimeError("refused")
    if event == "object.__setattr__" and len(args) >= 3:
        obj, name, value = args[0], args[1], args[2]
        if obj is _guard or (isinstance(obj, types.FunctionType) and obj.__module__ == __name__):
            _guard.attempts.append("the notebook tried to change the grader's guard")
            raise PermissionError("refused")
        if name in ("__code__", "__defaults__", "__kwdefaults__") and isinstance(obj, types.FunctionType):
            # Libraries do this too (pyparsing sets __kwdefaults__ at import): refuse it only from notebook code.
            caller = sys._getframe(1)
            if _guard.origin(caller.f_code.co_filename) == "notebook" and _guard.trusted_file(obj.__code__.co_filename):
                _guard.attempts.append(f"the notebook tried to replace the code of {obj.__qualname__}")
                raise PermissionError("refused")
        elif isinstance(obj, type) and callable(value) and _untrusted(value) and _guard.trusted_class(obj):
            _guard.attempts.append(f"the notebook patched {obj.__module__}.{obj.__qualname__}.{name}")


def install() -> None:
    """Called by boot.py before ipykernel starts: remember which files are trusted, add the audit hook.

    Trusted code is code from the folders the grader mounted read-only (``$SANDBOX_TRUSTED``: Python's
    installation, the course's package, this folder), so nothing the notebook writes can become trusted.
    Without that variable (a kernel started by hand), Python's own folders, minus the working folder and /tmp.
    """
    work = os.path.realpath(os.environ.get("SANDBOX_WORKDIR", os.getcwd()))
    given = [entry for entry in os.environ.get("SANDBOX_TRUSTED", "").split(os.pathsep) if entry]
    candidates = given or [sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]
    prefixes = []
    for entry in candidates:
        if not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        if real == "/" or _is_under(work, (real,)) or _is_under(real, (work,)):
            continue
        if not given and _is_under(real, ("/tmp",)):
            continue
        prefixes.append(real)
    _SandboxGuard.prefixes = tuple(dict.fromkeys(prefixes))
    system = ("/tmp", "/dev", "/proc", "/sys", "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
              "/.sandbox", "/var/tmp")
    _SandboxGuard.roots = tuple(dict.fromkeys([work, *system, *_SandboxGuard.prefixes]))
    _SandboxGuard.work = work
    _SandboxGuard.hidden = tuple(entry for entry in os.environ.get("SANDBOX_HIDDEN", "").split(os.pathsep) if entry)
    sys.addaudithook(_audit)


#: What the grader evaluates as a user expression: no name that the notebook could shadow. Inside the
#: sandbox this package is mounted as a top-level package named after its folder (sandbox.bwrap_command).
SANDBOX_MODULE = f"{os.path.basename(os.path.dirname(os.path.abspath(__file__)))}.guard"
EXPRESSION = ("[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_SandboxGuard' "
              f"and c.__module__ == {SANDBOX_MODULE!r}][0].{{call}}")
