"""nbgrader's Execute step, made to survive hostile notebooks.

``SandboxExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``.
It drives the kernel cell by cell itself (nbclient's loop cannot stop a kernel
that ignores interrupts) and adds, for each cell:

* **Time limit that holds.** At the cell's limit the kernel is interrupted
  (the launcher forwards SIGINT into the sandbox); if it has not answered
  ``interrupt_grace`` seconds later, the sandbox is killed, a new one started,
  and the cells that had completed are run again, silently, to rebuild the
  state; grading goes on with the next cell. The timed-out cell gets an error
  output, so its test (if any) earns nothing. A budget for the whole notebook
  (``notebook_timeout``) bounds the total, replays included.
* **Kernel deaths** (memory, a crash, ``os._exit``) are handled the same way.
* **Output limits while running**: at most ``max_cell_output_bytes`` per cell and
  ``max_output_bytes`` per notebook are kept; the rest is dropped and a note
  says so. (nbgrader's LimitOutput counts lines, so 50 lines of 1 MiB pass it.)
* **Leftover processes** of a cell are stopped after it, so a fork bomb cannot
  starve the rest of the notebook.
* **Test integrity**: before each autograder test cell the in-kernel guard
  restores and reports hooks (see guard.py); after a test cell that passed, a
  *control test* - the same cell with every ``assert`` negated, which must fail
  - is run the same way. A control test that passes means something in the
  kernel makes failing asserts pass. Any finding marks the notebook as
  tampering, and every test cell gets an error output, so no test counts.
* Test cells are graded from the kernel's reply, not from what the cell printed:
  an error reply always puts the error first in the outputs, and (unless
  ``allow_partial_credit``) execute results of test cells are shown but not used
  as partial credit.

Everything that happened is appended, as JSON lines, to the file named by
``events_path`` (default: ``$SANDBOX_GRADING_EVENTS``); the batch driver turns
it into the report.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import json
import os
import re
import secrets
import signal
import time
from pathlib import Path

import zmq
import zmq.asyncio
from nbclient.exceptions import CellExecutionComplete, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer, Type, Unicode, default
from jupyter_core.utils import run_sync

from .guard import EXPRESSION
from .kernel import SandboxKernelManager

SYNTAX_ERRORS = {"SyntaxError", "IndentationError", "TabError"}


class CellStuck(Exception):
    """The kernel neither answered nor stopped when interrupted."""


class KernelGone(Exception):
    """The kernel process ended."""


def negate_asserts(source: str) -> str | None:
    """The test cell with every ``assert X`` turned into ``assert not (X)``; None when it has no assert."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None

    class Negate(ast.NodeTransformer):
        count = 0

        def visit_Assert(self, node):
            self.count += 1
            return ast.copy_location(ast.Assert(test=ast.UnaryOp(op=ast.Not(), operand=node.test), msg=node.msg), node)

    negate = Negate()
    tree = ast.fix_missing_locations(negate.visit(tree))
    return ast.unparse(tree) if negate.count else None


def names_read(source: str) -> list[str]:
    """Names a test cell reads and does not define itself (the answers it checks)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    loaded, stored = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded.append if isinstance(node.ctx, ast.Load) else stored.add)(node.id)
    return [name for name in dict.fromkeys(loaded) if name not in stored and not hasattr(builtins, name)][:50]


def _size(msg: dict) -> int:
    content = msg["content"]
    if msg["msg_type"] == "stream":
        return len(content.get("text", "").encode("utf-8", "replace"))
    return len(json.dumps(content.get("data", content), default=str))


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


class SandboxExecute(Execute):
    """Drop-in for nbgrader's Execute: sandboxed kernels, hard time limits, output limits, test integrity."""

    interrupt_grace = Float(3.0, help="seconds a kernel has to stop after the interrupt before it is killed").tag(config=True)
    notebook_timeout = Integer(600, help="seconds for the whole notebook, restarts and replays included").tag(config=True)
    max_restarts = Integer(3, help="kernel restarts (after a kill or a crash) before the rest is given up").tag(config=True)
    max_cell_output_bytes = Integer(256 * 1024, help="output kept per cell").tag(config=True)
    max_output_bytes = Integer(4 * 1024 * 1024, help="output kept per notebook").tag(config=True)
    guard = Bool(True, help="restore and check kernel hooks before each test cell").tag(config=True)
    control_tests = Bool(True, help="after a passed test cell, run it with asserts negated; it must fail").tag(config=True)
    allow_partial_credit = Bool(False, help="let a test cell's execute_result give partial credit (nbgrader's feature)").tag(config=True)
    stop_leftover_processes = Bool(True, help="stop processes a cell leaves running").tag(config=True)
    events_path = Unicode("", help="JSON-lines file for what happened (default $SANDBOX_GRADING_EVENTS)").tag(config=True)

    kernel_manager_class = Type(SandboxKernelManager, klass=SandboxKernelManager, config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)  # nbgrader's Execute would set its own
        super().__init__(*args, **kwargs)

    @default("shutdown_kernel")
    def _shutdown_kernel_default(self):
        return "immediate"  # a polite shutdown waits ~1 s for the kernel; the sandbox is simply killed

    @default("events_path")
    def _events_path_default(self):
        return os.environ.get("SANDBOX_GRADING_EVENTS", "")

    # ------------------------------------------------------------------ events

    def _event(self, kind: str, index: int | None = None, detail: str = "", **extra) -> None:
        cell = self.nb.cells[index] if index is not None else None
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id") if cell is not None else None
        record = {"kind": kind, "cell": index, "grade_id": grade_id, "detail": detail,
                  "notebook": self.resources.get("nbgrader", {}).get("notebook"), "t": round(time.monotonic() - self._t0, 3), **extra}
        self._events.append(record)
        self.log.info("sandbox: %s %s %s", kind, grade_id or index or "", detail)
        if self.events_path:
            with open(self.events_path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")

    # ------------------------------------------------------------------ entry point

    def preprocess(self, nb, resources=None, km=None):
        return run_sync(self._async_preprocess)(nb, resources, km)

    async def _async_preprocess(self, nb, resources, km):
        from nbclient import NotebookClient

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._t0 = time.monotonic()
        self._events: list[dict] = []
        self._findings: list[str] = []
        self._blocked: list[str] = []
        self._output_total = 0
        self._restarts = 0
        self._deadline = self._t0 + self.notebook_timeout
        self._event("start")
        try:
            await self._start_kernel()
            self._event("kernel_ready")
            await self._run_cells()
            await self._collect_notices()
        finally:
            await self._stop_kernel()
        if self._findings:
            self._mark_tampering()
        self.set_widgets_metadata()
        self._event("finish", detail="tampering" if self._findings else "")
        return self.nb, self.resources

    # ------------------------------------------------------------------ kernel lifecycle

    async def _start_kernel(self) -> None:
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()
        info = await self.async_wait_for_reply(self.kc.kernel_info())
        if info:
            self.nb.metadata["language_info"] = info["content"]["language_info"]
        self._poller = zmq.asyncio.Poller()
        self._poller.register(self.kc.shell_channel.socket, zmq.POLLIN)
        self._poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)
        if self.guard:
            value, error = await self._expression("take_baseline()")
            if value != "ok":
                raise RuntimeError(f"the sandbox guard could not start in a fresh kernel: {error or value}")

    async def _stop_kernel(self) -> None:
        if getattr(self, "km", None) is None:
            return
        try:
            await self._async_cleanup_kernel()
        except Exception as error:  # a dead kernel may fail to shut down politely; it is killed anyway
            self.log.warning("sandbox: cleanup: %s", error)
            self.km = None
            self.kc = None

    async def _restart(self, index: int, executed: list[int]) -> bool:
        """Kill the kernel, start a new one, and replay the cells that had completed. False: give up."""
        self._restarts += 1
        if self._restarts > self.max_restarts:
            self._event("gave_up", index, f"more than {self.max_restarts} restarts")
            return False
        if self.km is not None:
            try:
                await self.km.shutdown_kernel(now=True)
            except Exception:
                pass
        await self._stop_kernel()
        try:
            await self._start_kernel()
        except Exception as error:
            self._event("gave_up", index, f"a new kernel did not start: {error}")
            return False
        for replay in executed:
            if time.monotonic() > self._deadline:
                return False
            try:
                await self._execute(self.nb.cells[replay].source, replay, record=False, silent=True, store_history=False)
            except (CellStuck, KernelGone):
                self._event("gave_up", replay, "replaying the earlier cells did not finish")
                return False
        self._event("replayed", index, f"{len(executed)} earlier cell(s) run again in a new kernel")
        return True

    # ------------------------------------------------------------------ the cell loop

    async def _run_cells(self) -> None:
        executed = self._executed = []
        abandoned = False
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            if self.skip_cells_with_tag in cell.metadata.get("tags", []):
                continue
            is_test = utils.is_grade(cell) and not utils.is_solution(cell)
            if abandoned or time.monotonic() > self._deadline:
                if not abandoned:
                    self._event("notebook_time_limit", index, f"the notebook used its {self.notebook_timeout} s")
                abandoned = True
                cell.outputs = [_error_output("NotRun", "the grader could not run this cell (see the cells above)")]
                continue
            if os.environ.get("SANDBOX_GRADING_TRACE"):
                self._event("cell", index)
            if is_test and self.guard and not await self._check_guard(index, cell):
                abandoned = True
                cell.outputs = [_error_output("NotRun", "the grader could not run this cell (see the cells above)")]
                continue
            try:
                reply = await self._execute(cell.source, index, record=True, silent=False, store_history=not is_test)
            except CellStuck:
                cell.outputs.append(_error_output("TimeLimitExceeded", f"the cell ran longer than {self._timeout(cell)} s "
                                                  "and did not stop when interrupted; the grader stopped it"))
                self._event("time_limit", index, "killed (did not stop when interrupted)")
                if not await self._restart(index, executed):
                    abandoned = True
                continue
            except KernelGone as gone:
                cell.outputs.append(_error_output("KernelDied", f"the kernel stopped while running this cell ({gone})"))
                self._event("kernel_died", index, str(gone))
                if not await self._restart(index, executed):
                    abandoned = True
                continue
            if not self._interrupted:  # an interrupted cell would time out again when replayed
                executed.append(index)
            self._after_cell(index, cell, reply, is_test)
            if self.stop_leftover_processes:
                await self._stop_leftovers(index)
            if is_test and reply["content"]["status"] == "ok" and self.control_tests:
                await self._control_test(index, cell)

    def _after_cell(self, index: int, cell: NotebookNode, reply: dict, is_test: bool) -> None:
        content = reply["content"]
        self.on_cell_executed(cell=cell, cell_index=index, execute_reply=reply)  # nbgrader: the reply's error is shown
        ename = content.get("ename", "")
        if content["status"] == "error":
            if ename in SYNTAX_ERRORS and not is_test:
                self._event("syntax_error", index, f"{ename}: {content.get('evalue', '')}"[:200])
            elif ename == "MemoryError":
                self._event("memory_limit", index, "MemoryError (address-space limit)")
            elif ename == "KeyboardInterrupt" and self._interrupted:
                self._event("time_limit", index, "interrupted at the time limit")
                cell.outputs.append(_error_output("TimeLimitExceeded", f"the cell ran longer than {self._timeout(cell)} s and was interrupted"))
        if is_test:
            outputs = list(cell.outputs)
            if not self.allow_partial_credit:
                for output in outputs:
                    if output.get("output_type") == "execute_result":
                        output["output_type"] = "display_data"
                        output.pop("execution_count", None)
            if content["status"] == "error":
                errors = [o for o in outputs if o.get("output_type") == "error"]
                first = errors[0] if errors else _error_output(ename or "Error", content.get("evalue", ""))
                outputs = [first] + [o for o in outputs if o is not first]
            cell.outputs = outputs

    # ------------------------------------------------------------------ one request

    def _timeout(self, cell: NotebookNode | None) -> int:
        return self._get_timeout(cell) or 30

    async def _execute(self, code: str, index: int, *, record: bool, silent: bool, store_history: bool,
                       user_expressions: dict | None = None, timeout: float | None = None) -> dict:
        """Send one execute_request; collect its outputs (if ``record``) and return its reply.

        Raises CellStuck (no reply even after the interrupt) or KernelGone.
        """
        cell = self.nb.cells[index] if index is not None and record else None
        if cell is not None:
            cell.outputs = []
            if self.record_timing:
                cell["metadata"]["execution"] = {}
            self.clear_before_next_output = False
            self._cell_bytes = 0
            self._cell_truncated = 0
        msg_id = self.kc.execute(code, silent=silent, store_history=store_history,
                                 user_expressions=user_expressions or {}, allow_stdin=False, stop_on_error=False)
        limit = timeout or self._timeout(self.nb.cells[index] if index is not None else None)
        start = time.monotonic()
        deadline = min(start + limit, max(self._deadline, start + 1))
        self._interrupted = False
        reply = None
        idle = False
        reply_at = None
        last_alive_check = start
        while not (reply is not None and idle):
            progressed = False
            while await self.kc.iopub_channel.msg_ready():
                msg = await self.kc.iopub_channel.get_msg(timeout=0)
                progressed = True
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    idle = True
                elif cell is not None:
                    self._record(msg, cell, index)
            while reply is None and await self.kc.shell_channel.msg_ready():
                msg = await self.kc.shell_channel.get_msg(timeout=0)
                progressed = True
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply, reply_at = msg, time.monotonic()
            if reply is not None and idle:
                break
            now = time.monotonic()
            if reply is not None and now - reply_at > self.iopub_timeout:
                self._event("output_lost", index, "the kernel replied but its output did not arrive (too large?)")
                break
            if now >= deadline:
                if self._interrupted:
                    raise CellStuck()
                self._interrupted = True
                await self.km.interrupt_kernel()
                deadline = now + self.interrupt_grace
                continue
            if not progressed:
                if now - last_alive_check >= 0.5:
                    last_alive_check = now
                    if not await self.km.is_alive():
                        raise KernelGone(self._death_reason())
                await self._poller.poll(timeout=int(min(deadline - now, 0.5) * 1000) + 1)
        if cell is not None and self._cell_truncated:
            note = (f"\n[output truncated by the grader: {self._cell_truncated} bytes over the limit of "
                    f"{min(self.max_cell_output_bytes, self.max_output_bytes)} bytes]\n")
            cell.outputs.append(NotebookNode(output_type="stream", name="stdout", text=note))
            self._event("output_truncated", index, f"{self._cell_truncated} bytes dropped")
        if cell is not None and self.coalesce_streams:
            self._coalesce(cell)
        return reply

    def _record(self, msg: dict, cell: NotebookNode, index: int) -> None:
        """nbclient's message handling, with the output budget applied first."""
        kind = msg["msg_type"]
        if kind in ("stream", "display_data", "execute_result", "error", "update_display_data"):
            size = _size(msg)
            room = min(self.max_cell_output_bytes - self._cell_bytes, self.max_output_bytes - self._output_total)
            if size > room:
                if kind == "stream" and room > 0:
                    text = msg["content"]["text"].encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
                    msg = {**msg, "content": {**msg["content"], "text": text}}
                    self._cell_truncated += size - len(text.encode())
                    size = len(text.encode())
                elif kind == "error":  # keep errors, shortened: they decide grades
                    content = msg["content"]
                    tb = [line[:2000] for line in content.get("traceback", [])[-20:]]
                    msg = {**msg, "content": {**content, "evalue": str(content.get("evalue", ""))[:2000], "traceback": tb}}
                    size = _size(msg)
                else:
                    self._cell_truncated += size
                    return
            self._cell_bytes += size
            self._output_total += size
        try:
            self.process_message(msg, cell, index)
        except CellExecutionComplete:
            pass

    def _coalesce(self, cell: NotebookNode) -> None:
        merged, streams = [], {}
        for output in cell.outputs:
            if output.get("output_type") == "stream":
                if output["name"] in streams:
                    streams[output["name"]]["text"] += output["text"]
                    continue
                streams[output["name"]] = output
            merged.append(output)
        cell.outputs = merged

    def _death_reason(self) -> str:
        status = self.km.sandbox_status() if isinstance(self.km, SandboxKernelManager) else {}
        code = status.get("returncode")
        if status.get("killed_for"):
            return status["killed_for"]
        if code is None:
            return "it exited"
        if code in (128 + signal.SIGXCPU, -signal.SIGXCPU):
            return "CPU-time limit"
        if code in (128 + signal.SIGKILL, -signal.SIGKILL):
            return "killed (SIGKILL)"
        if code in (128 + signal.SIGSEGV, -signal.SIGSEGV):
            return "crashed (SIGSEGV)"
        return f"exit status {code}"

    # ------------------------------------------------------------------ integrity

    async def _expression(self, call: str, index: int | None = None, timeout: float = 30) -> tuple[object, str]:
        """Evaluate a guard call as a user expression (outside the input/AST transformers)."""
        reply = await self._execute("", index, record=False, silent=True, store_history=False,
                                    user_expressions={"g": EXPRESSION.format(call=call)}, timeout=timeout)
        content = reply["content"] if reply else {}
        if content.get("status") != "ok":
            return None, f"{content.get('ename', 'no reply')}: {content.get('evalue', '')}"
        value = content.get("user_expressions", {}).get("g", {})
        if value.get("status") != "ok":
            return None, f"{value.get('ename', 'error')}: {value.get('evalue', '')}"
        try:
            return ast.literal_eval(value["data"]["text/plain"]), ""
        except (KeyError, ValueError, SyntaxError):
            return None, "malformed answer"

    def _tamper(self, index: int, finding: str) -> None:
        if finding not in self._findings:
            self._findings.append(finding)
            self._event("tampering", index, finding)

    async def _check_guard(self, index: int, cell: NotebookNode) -> bool:
        """Run the guard before a test cell. False: the kernel is gone and could not be brought back."""
        nonce = secrets.token_hex(8)
        try:
            value, error = await self._expression(f"check({names_read(cell.source)!r}, {nonce!r})", index)
        except (CellStuck, KernelGone) as problem:
            self._tamper(index, f"the guard did not answer before this test ({type(problem).__name__})")
            return await self._restart(index, self._executed)
        if value is None:
            self._tamper(index, f"the guard could not run before this test ({error})")
            return True
        try:
            answer = json.loads(value)
        except (TypeError, ValueError):
            self._tamper(index, "the guard's answer was not what the grader sent")
            return True
        if answer.get("nonce") != nonce:
            self._tamper(index, "the guard's answer was forged")
        for finding in answer.get("findings", []):
            self._tamper(index, str(finding))
        self._notices(answer.get("notices", []))
        return True

    def _notices(self, notices: list) -> None:
        """What the notebook tried that the sandbox blocked: the grade stands; the report asks for a look."""
        for notice in notices if isinstance(notices, list) else []:
            text = str(notice)[:300]
            if text not in self._blocked and len(self._blocked) < 20:
                self._blocked.append(text)
                self._event("blocked", None, f"the notebook tried to {text}")

    async def _collect_notices(self) -> None:
        """After the last cell: notices the guard kept since the last test cell."""
        if not self.guard or getattr(self, "kc", None) is None:
            return
        try:
            value, _ = await self._expression("take_notices()", None, timeout=10)
        except (CellStuck, KernelGone):
            return
        self._notices(value if isinstance(value, list) else [])

    async def _control_test(self, index: int, cell: NotebookNode) -> None:
        control = negate_asserts(cell.source)
        if control is None:
            return
        try:
            reply = await self._execute(control, index, record=False, silent=False, store_history=False)
        except CellStuck:
            self._tamper(index, "the control test (asserts negated) did not finish")
            await self._restart(index, self._executed)
            return
        except KernelGone as gone:
            self._tamper(index, f"the kernel died in the control test ({gone})")
            return
        content = reply["content"]
        if content["status"] == "ok":
            self._tamper(index, "a control test that must fail (this test with its asserts negated) passed: "
                                "something in the kernel makes failing asserts pass")
        elif content.get("ename") != "AssertionError":
            self._event("control_test", index, f"the control test raised {content.get('ename')} instead of AssertionError")

    def _mark_tampering(self) -> None:
        summary = "; ".join(self._findings[:3])
        for cell in self.nb.cells:
            if utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code":
                cell.outputs.insert(0, _error_output(
                    "TamperingDetected", "this notebook changed how tests run, so no test counts; "
                    f"the instructor will look at it ({summary})"))

    # ------------------------------------------------------------------ processes left behind

    async def _stop_leftovers(self, index: int) -> None:
        if not isinstance(self.km, SandboxKernelManager):
            return
        kernel = self.km.sandbox_pids().get("kernel")
        if not kernel:
            return
        leftovers = _descendants(kernel)
        if not leftovers:
            return
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if len(leftovers) + 16 >= self.km.processes:
            self._event("process_limit", index, f"{len(leftovers)} processes were left running (process limit reached)")
        else:
            self._event("processes_stopped", index, f"{len(leftovers)} process(es) left running were stopped")
        try:
            await self._expression("reap()", index, timeout=10)
        except (CellStuck, KernelGone):
            pass


def _children(pid: int) -> list[int] | None:
    """Direct children of ``pid`` from /proc/PID/task/*/children; None where the kernel lacks that file."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(part) for part in handle.read().split()]
        except FileNotFoundError:
            return None
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    """Host PIDs of all processes below ``pid``."""
    direct = _children(pid)
    if direct is not None:
        found, todo = [], list(direct)
        while todo:
            child = todo.pop()
            found.append(child)
            todo += _children(child) or []
        return found
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
