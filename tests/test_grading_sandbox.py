"""The grading sandbox on its own: what a kernel sees, writes and reaches (of this repository, only the course's
package and datasets), its limits, interrupts, and the pure helpers (control tests, private feedback, staging,
the report's order). The whole class is graded in test_exercises_hostile.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from isotretinoin_course.grading import report
from isotretinoin_course.grading.config import course_folders
from isotretinoin_course.grading.driver import edited_locked_cells, stage
from isotretinoin_course.grading.execute import names_read, negate_asserts
from isotretinoin_course.grading.feedback import PrivateFeedback
from isotretinoin_course.grading.kernel import SandboxKernelManager
from isotretinoin_course.grading.sandbox import (LaunchSpec, Limits, bwrap_command, exposed_paths, find_bwrap,
                                                 launcher_command, probe, protected_folders, sandbox_env, sandbox_user)

pytestmark = pytest.mark.timeout(180)


class Kernel:
    """A sandboxed kernel started the way nbgrader starts one, with a tiny runner for code."""

    def __init__(self, workdir: Path, course: Path, **limits):
        self.km = SandboxKernelManager(kernel_name="python3", course_root=str(course), expose=course_folders(), **limits)
        self.workdir = workdir
        self.loop = asyncio.new_event_loop()

    def start(self):
        async def start():
            await self.km.start_kernel(cwd=str(self.workdir))
            self.kc = self.km.client()
            self.kc.start_channels()
            await self.kc.wait_for_ready(timeout=60)
        self.loop.run_until_complete(start())

    def run(self, code: str, timeout: float = 30, interrupt_after: float | None = None) -> tuple[str, str]:
        async def run():
            msg_id = self.kc.execute(code)
            if interrupt_after is not None:
                await asyncio.sleep(interrupt_after)
                await self.km.interrupt_kernel()
            while True:
                reply = await self.kc.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            text = []
            while True:
                msg = await self.kc.get_iopub_msg(timeout=10)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    text.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    text.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            return reply["content"]["status"], "".join(text)
        return self.loop.run_until_complete(run())

    def stop(self):
        async def stop():
            self.kc.stop_channels()
            await self.km.shutdown_kernel(now=True)
        self.loop.run_until_complete(stop())
        self.loop.close()


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    base = tmp_path_factory.mktemp("sandbox")
    course = base / "course"
    work = course / "autograded" / "s1" / "a1"
    work.mkdir(parents=True)
    (work / "data.csv").write_text("dose\n40\n")
    (work / "a1.ipynb").write_text('{"hidden tests": "assert x == 110"}')
    (work / "link").symlink_to(course / "gradebook.db")
    (course / "gradebook.db").write_text("GRADEBOOK-SECRET")
    (course / "source").mkdir()
    (course / "source" / "solution.txt").write_text("SOURCE-SECRET")
    return {"course": course, "work": work}


@pytest.fixture(scope="module")
def kernel(place, tmp_path_factory):
    # Started from a long temporary folder: the kernel's Unix sockets must still fit in a socket path.
    long_tmp = tmp_path_factory.mktemp("a-temporary-folder-with-a-rather-long-name-" + "x" * 40)
    old = tempfile.tempdir
    tempfile.tempdir = str(long_tmp)
    kernel = Kernel(place["work"], place["course"], workdir_bytes=16 * 2**20)
    try:
        kernel.start()
    finally:
        tempfile.tempdir = old
    yield kernel
    kernel.stop()


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to collect it is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def test_the_probe_finds_a_working_sandbox_for_the_course():
    assert "sandbox ready" in probe(protected_folders(ROOT / "exercises"), course_folders())


def test_the_kernel_sees_only_its_working_copy(kernel, place):
    status, text = kernel.run(f"""
import os
print(sorted(os.listdir('.')))
print(os.path.exists({str(place['course'] / 'gradebook.db')!r}), os.path.exists({str(place['course'] / 'source')!r}))
print(os.path.exists(os.path.expanduser('~root/.bashrc')), sorted(os.listdir('/tmp')))
print(os.getuid(), os.getpid(), sorted(os.environ)[:3])
try:
    open('/etc/shadow').read(1)
except OSError as error:
    print('shadow', type(error).__name__)
""")
    lines = text.splitlines()
    assert status == "ok", text
    assert lines[0] == "['data.csv']"  # no notebook (it holds the hidden tests), no symbolic link
    assert lines[1] == "False False"
    assert lines[2].startswith("False")
    uid, pid = lines[3].split()[:2]
    assert pid == "1" and (os.geteuid() != 0 or uid == "65534")
    assert lines[4] == "shadow PermissionError" or os.geteuid() != 0


def test_of_this_repository_the_kernel_sees_the_course_package_and_its_datasets_only(kernel):
    """The assignments import the package and read its tables (found through importlib.resources); the rest of the
    repository (exercises/ with the solutions, tests/, .git, the lessons) is absent."""
    status, text = kernel.run(f"""
import os, json
root = {str(ROOT)!r}
print(json.dumps(sorted(name for name in {sorted(os.listdir(ROOT))!r} if os.path.exists(os.path.join(root, name)))))
print(json.dumps(sorted(os.listdir(os.path.join(root, 'src')))))
from isotretinoin_course.data.loader import load_table
from importlib import resources
print(len(load_table('labs')) > 0, resources.files('isotretinoin_course.datasets'))
""")
    assert status == "ok", text
    visible, in_src, loaded = text.splitlines()
    python_home = [part for part in Path(sys.prefix).resolve().relative_to(ROOT).parts[:1]] if Path(sys.prefix).resolve().is_relative_to(ROOT) else []
    assert set(json.loads(visible)) == {"src", "datasets", *python_home}, visible  # the venv is Python's installation
    assert json.loads(in_src) == ["isotretinoin_course"]
    assert loaded.startswith("True ") and loaded.endswith("datasets")


def test_the_kernel_cannot_write_outside_its_working_copy_or_reach_the_network(kernel, place):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    status, text = kernel.run(f"""
import os, socket, subprocess
for path in [{str(place['course'] / 'x.txt')!r}, '/usr/x', '/x', {str(place['work'].parent / 'x')!r},
             {str(ROOT / 'datasets' / 'x.csv')!r}]:
    try:
        open(path, 'w').write('x'); print('WROTE', path)
    except OSError as error:
        print('refused', type(error).__name__)
open('mine.txt', 'w').write('ok'); print('own copy writable')
try:
    socket.create_connection(('127.0.0.1', {port}), timeout=2); print('CONNECTED')
except OSError as error:
    print('network', type(error).__name__)
print(subprocess.run(['unshare', '-U', 'true'], capture_output=True, text=True).returncode != 0)
""")
    try:
        listener.accept()
        connected = True
    except OSError:
        connected = False
    listener.close()
    assert "WROTE" not in text and "CONNECTED" not in text and not connected, text
    assert "own copy writable" in text and text.strip().endswith("True"), text  # no user namespace inside
    assert not (place["course"] / "x.txt").exists() and not (place["work"] / "mine.txt").exists()
    assert not (ROOT / "datasets" / "x.csv").exists()


def test_limits_memory_file_size_processes(kernel):
    status, text = kernel.run("x = bytearray(64 * 2**30)")
    assert status == "error" and "MemoryError" in text
    status, text = kernel.run("open('big', 'wb').write(b'x' * (40 * 2**20))")  # the working copy holds 16 MiB here
    assert status == "error" and "OSError" in text, text
    status, text = kernel.run("""
import os, time
n = 0
try:
    while n < 3000:
        if os.fork() == 0:
            time.sleep(60); os._exit(0)
        n += 1
except OSError as error:
    print('refused after', n)
""")
    assert "refused after" in text and int(text.split()[-1]) < 200, text


def test_an_interrupt_reaches_the_sandboxed_kernel(place):
    kernel = Kernel(place["work"], place["course"])
    kernel.start()
    try:
        start = time.monotonic()
        status, text = kernel.run("while True: pass", interrupt_after=1)
        assert "KeyboardInterrupt" in text and time.monotonic() - start < 8
        status, text = kernel.run("import time; time.sleep(10**6)", interrupt_after=1)
        assert "KeyboardInterrupt" in text
        assert kernel.run("print(6 * 7)")[1].strip() == "42"
        pids = kernel.km.sandbox_pids()
    finally:
        kernel.stop()
    time.sleep(0.5)
    assert not [pid for pid in pids.values() if pid and alive(pid)], pids


def test_a_cpu_limit_ends_a_spinning_sandbox(tmp_path):
    for name in ("work", "initial", "run"):
        (tmp_path / name).mkdir()
    uid, gid = sandbox_user()
    if uid is not None:
        os.chown(tmp_path / "run", uid, gid)
    limits = Limits(cpu_seconds=1)
    inner = [sys.executable, "-c", "while True: pass"]
    if uid is not None:  # drop privileges as boot.py does for a kernel
        inner = [sys.executable, "-c", "import os; os.setgroups([]); os.setgid(65534); os.setuid(65534)\nwhile True: pass"]
    command = bwrap_command(find_bwrap(), workdir=tmp_path / "work", initial=tmp_path / "initial", run_dir=tmp_path / "run",
                            expose=exposed_paths([tmp_path]), env=sandbox_env(tmp_path / "work"), limits=limits,
                            inner=inner, as_root=uid is not None)
    spec = LaunchSpec(command=command, sandboxed=True, uid=uid, gid=gid, limits=limits,
                      pid_file=str(tmp_path / "pids.json"), status_file=str(tmp_path / "status.json"))
    spec.write(tmp_path / "launch.json")
    start = time.monotonic()
    result = subprocess.run(launcher_command(tmp_path / "launch.json"), capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode != 0 and time.monotonic() - start < 30
    assert json.loads((tmp_path / "status.json").read_text())["returncode"] != 0


def test_a_folder_that_holds_the_course_is_never_exposed(tmp_path):
    course = tmp_path / "repo" / "exercises"
    course.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    protected = protected_folders(course)
    assert tmp_path / "repo" in protected and course in protected
    with pytest.raises(ValueError, match="refusing to expose"):
        exposed_paths(protected, [tmp_path / "repo"])
    assert tmp_path / "repo" / "datasets" not in exposed_paths(protected, [tmp_path / "repo" / "datasets"])  # absent: skipped


# ---------------------------------------------------------------------- pure helpers


def test_control_tests_negate_every_assert_and_names_are_the_answers():
    control = negate_asserts("x = 1\nassert isinstance(days_needed, int), 'msg'\nfor v in vals:\n    assert v > 0")
    assert "assert not isinstance(days_needed, int), 'msg'" in control and "assert not v > 0" in control
    assert negate_asserts("print(1)") is None
    assert set(names_read("assert abs(mg_per_kg_day - 1.09375) < 0.005\nassert end_day > days_needed")) == \
        {"mg_per_kg_day", "end_day", "days_needed"}


def feedback_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("assert x > 0, 'x must be positive'\n### BEGIN HIDDEN TESTS\nassert x == 110\n### END HIDDEN TESTS")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    test.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="",
                                           traceback=["----> 3 assert x == 110", "AssertionError: "])]
    task = nbformat.v4.new_markdown_cell("Answer.\n=== BEGIN MARK SCHEME ===\nGive 2 points for naming the rule\n=== END MARK SCHEME ===")
    leak = nbformat.v4.new_code_cell("print(In)")
    leak.outputs = [nbformat.v4.new_output("stream", name="stdout", text="history: assert x == 110\nok\nassert not x == 110")]
    nb.cells = [test, task, leak]
    return nb


def test_private_feedback_removes_hidden_tests_mark_schemes_and_what_quotes_them():
    nb, _ = PrivateFeedback().preprocess(feedback_notebook(), {})
    text = json.dumps(nb)
    assert "x == 110" not in text and "naming the rule" not in text and "HIDDEN" not in text
    assert nb.cells[0].outputs[0]["evalue"] == "a hidden test failed"
    assert "x must be positive" in nb.cells[0].source and "ok" in nb.cells[2].outputs[0]["text"]
    original = feedback_notebook()
    revealed, _ = PrivateFeedback(reveal_hidden_tests=True).preprocess(nbformat.from_dict(json.loads(json.dumps(original))), {})
    assert revealed == original  # the instructor's switch leaves nbgrader's feedback as it was


def test_staging_renamed_invalid_and_linked_files(tmp_path):
    course = tmp_path / "course"
    release = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("assert True")
    cell.metadata["nbgrader"] = {"locked": True, "grade_id": "t", "grade": True, "points": 1}
    release.cells = [cell]
    (course / "release" / "a").mkdir(parents=True)
    nbformat.write(release, course / "release" / "a" / "a.ipynb")
    renamed = course / "submitted" / "s1" / "a"
    renamed.mkdir(parents=True)
    nbformat.write(release, renamed / "a (final).ipynb")
    (renamed / "data.csv").write_text("1")
    (renamed / "secret").symlink_to(course / "release" / "a" / "a.ipynb")
    findings = stage(course, "a", "s1", ["a.ipynb"], tmp_path / "stage" / "s1")
    assert [f.reason for f in findings] == ["file renamed"]
    assert sorted(p.name for p in (tmp_path / "stage" / "s1").iterdir()) == ["a.ipynb", "data.csv"]
    broken = course / "submitted" / "s2" / "a"
    broken.mkdir(parents=True)
    (broken / "a.ipynb").write_bytes(b"%PDF-1.4")
    findings = stage(course, "a", "s2", ["a.ipynb"], tmp_path / "stage" / "s2")
    assert findings[0].reason == "not a notebook" and (tmp_path / "stage" / "s2" / "a.ipynb").exists()  # the blank release
    edited = nbformat.v4.new_notebook()
    edited.cells = [nbformat.v4.new_code_cell("pass")]
    edited.cells[0].metadata["nbgrader"] = {"grade_id": "t"}
    (tmp_path / "stage" / "s3").mkdir()
    nbformat.write(edited, tmp_path / "stage" / "s3" / "a.ipynb")
    assert edited_locked_cells(course, "a", tmp_path / "stage" / "s3", ["a.ipynb"])[0].reason == "locked cell edited or deleted"


def test_one_reason_per_submission_most_serious_first():
    entry = report.Entry("s", [report.Finding("output truncated", "cell 3"), report.Finding("time limit", "cell a1_q3_answer"),
                               report.Finding("file renamed")])
    assert entry.primary.text() == "time limit in cell a1_q3_answer" and entry.needs_look
    assert not report.Entry("t").needs_look and report.Entry("t").primary.reason == "graded"
    assert report.ORDER[-1] == "graded" and len(set(report.ORDER)) == len(report.ORDER)
