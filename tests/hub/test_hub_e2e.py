"""A whole class on the hub, end to end: accounts, login, lessons, the nbgrader exchange, grading, feedback.

Runs as root on 127.0.0.1 against a hub installed by ``deploy/jupyterhub/install.sh --no-system``
(``ISOHUB_TEST_PREFIX``, default ``/opt/isotretinoin-hub-ci``). It creates four students (correct,
partial, broken, hostile) and one instructor as local accounts with a random ``jhtXXXX-`` prefix, and
removes them, their homes, the groups, the exchange and every process the hub started at the end,
even when a step fails. The instructor grades with the course's sandboxed driver
(``python -m isotretinoin_course.grading``, exercises/README.md) from their own server, so bubblewrap
and unprivileged user namespaces are needed as on a real hub. Without root or the installed hub it
skips, except under ``CI=true``, where it fails and says what to install (``.ci/run`` installs it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "jupyterhub"
sys.path.insert(0, str(DEPLOY / "isotretinoin_hub" / "src"))

from isotretinoin_hub.classroom import TemporaryClass  # noqa: E402
from isotretinoin_hub.client import HubUser, Kernel  # noqa: E402

PREFIX = Path(os.environ.get("ISOHUB_TEST_PREFIX", "/opt/isotretinoin-hub-ci"))
COURSE_ID = "isotretinoin-course"
ASSIGNMENT = "a1_dosing"
LESSON = "04_dosing_and_cumulative_dose.ipynb"
# The instructor grades with the course's sandboxed driver (what `python3 course.py nbgrader autograde` and
# `course.py feedback` run in the repository), on their hub course folder.
GRADER = ["-m", "isotretinoin_course.grading"]
AUTOGRADE = [*GRADER, "autograde", ASSIGNMENT, "--course", "."]
FEEDBACK = [*GRADER, "feedback", ASSIGNMENT, "--course", "."]
ROLES = ["correct", "partial", "broken", "hostile"]

pytestmark = pytest.mark.timeout(600)


def _missing_requirement() -> str | None:
    if os.geteuid() != 0:
        return "needs root (it creates local accounts and runs JupyterHub, which starts servers as them)"
    if not shutil.which("bwrap"):
        return "needs bubblewrap for the sandboxed grading (apt-get install bubblewrap)"
    for env in ("hub", "student", "instructor"):
        if not (PREFIX / "envs" / env / "bin" / "python").exists():
            return (f"no hub installed at {PREFIX}: run `bash deploy/jupyterhub/install.sh --prefix {PREFIX} "
                    "--no-system` (about 2 minutes; needs npm)")
    src = DEPLOY / "isotretinoin_hub" / "src" / "isotretinoin_hub"
    for env in ("hub", "student", "instructor"):
        installed = next((PREFIX / "envs" / env / "lib").glob("python3*/site-packages/isotretinoin_hub"))
        for py in src.glob("*.py"):
            if not (installed / py.name).exists() or (installed / py.name).read_bytes() != py.read_bytes():
                return f"{PREFIX}/envs/{env} has an old isotretinoin_hub ({py.name}): run install.sh again"
    return None


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    problem = _missing_requirement()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    log = tmp_path_factory.mktemp("hub") / "hub.log"
    start = time.monotonic()
    with TemporaryClass(PREFIX, DEPLOY / "jupyterhub_config.py", students=ROLES, instructors=1, log_path=log) as tc:
        tc.by_role = dict(zip(ROLES, tc.students))
        tc.setup_seconds = round(time.monotonic() - start, 1)
        try:
            yield tc
        except BaseException:
            print("---- hub log (tail) ----\n" + tc.hub_log()[-6000:])
            raise
        finally:
            teardown = time.monotonic()
    print(f"\nteardown (hub, servers, accounts, exchange removed): {time.monotonic() - teardown:.1f} s")


# --- helpers ----------------------------------------------------------------------------------

def solutions(source: Path) -> dict[str, str]:
    """grade_id of each answer cell -> the solution code between the BEGIN/END SOLUTION markers."""
    nb = json.loads(source.read_text())
    found = {}
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            text = "".join(cell["source"])
            body = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
            assert body, f"answer cell {meta['grade_id']} has no solution markers"
            found[meta["grade_id"]] = body.group(1)
    return found


def expected_points(source: Path, answered: set[str]) -> float:
    """Points of the test cells that follow an answered cell (each test cell checks the answer above it)."""
    nb = json.loads(source.read_text())
    points, last_answer = 0.0, None
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            last_answer = meta["grade_id"]
        elif meta.get("grade") and cell["cell_type"] == "code":
            assert last_answer, f"test cell {meta['grade_id']} has no answer cell before it"
            points += float(meta["points"]) if last_answer in answered else 0.0
    return points


def answer(release: dict, answers: dict[str, str]) -> dict:
    """The released notebook with these answer cells filled in, as a student would type them."""
    for cell in release["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return release


def run_as_instructor(kernel: Kernel, *args: str, timeout: float = 300, python: bool = False) -> dict:
    """Run an nbgrader command (or, with ``python``, a Python command line such as the grading driver) in the
    instructor's own server (a kernel cell), from the course folder."""
    program = "sys.executable" if python else 'os.path.join(sys.prefix, "bin", "nbgrader")'
    code = textwrap.dedent(f"""
        import json, os, subprocess, sys
        r = subprocess.run([{program}, *{list(args)!r}],
                           cwd=os.path.expanduser("~/isotretinoin-exercises"), capture_output=True, text=True,
                           timeout={timeout - 10})
        print(json.dumps({{"rc": r.returncode, "out": r.stdout[-30000:] + r.stderr[-30000:]}}))
    """)
    result = kernel.execute(code, timeout=timeout)
    assert not result.error, result.error
    return json.loads(result.text.strip().splitlines()[-1])


ATTACK = textwrap.dedent('''
    import json, os, shutil, subprocess, sys
    results = {}
    def attempt(name, action):
        try:
            action()
            results[name] = "SUCCEEDED"
        except PermissionError as error:
            results[name] = f"denied: {error}"
        except Exception as error:
            results[name] = f"{type(error).__name__}: {error}"
    def nbgrader(*args):
        r = subprocess.run([os.path.join(sys.prefix, "bin", "nbgrader"), *args], capture_output=True, text=True,
                           timeout=120)
        if r.returncode == 0:
            return None
        raise PermissionError((r.stdout + r.stderr)[-300:])
''')


def attack_code(steps: dict[str, str]) -> str:
    lines = [ATTACK]
    for name, action in steps.items():
        lines.append(f"attempt({name!r}, lambda: {action})")
    lines.append("print(json.dumps(results))")
    return "\n".join(lines)


# --- the test ---------------------------------------------------------------------------------

def test_class_on_the_hub(klass, record_property):
    tc = klass
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def step(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 1)
        clock = now

    roles = tc.by_role
    instructor_name = tc.instructors[0]
    users = {role: tc.user(name) for role, name in roles.items()}
    teacher = tc.user(instructor_name)
    everyone = [*users.values(), teacher]
    exchange = tc.settings.course_exchange
    source = PREFIX / "course" / "exercises" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    pool = ThreadPoolExecutor(max_workers=len(everyone))
    timings["5 accounts, exchange and hub started (fixture)"] = tc.setup_seconds

    # 1. Everyone logs in through the hub's login form (PAM) and gets a server; a wrong password does not.
    intruder = HubUser(tc.base_url, roles["correct"], "not-the-password")
    refused = pool.submit(lambda: pytest.raises(Exception, intruder.login))
    list(pool.map(lambda u: u.login(), everyone))
    list(pool.map(lambda u: u.start_server(), everyone))
    assert "refused" in str(refused.result().value)
    step("login and spawn 5 servers")

    # 2. Each student has the lessons and runs one through the hub's kernel API without an error.
    lessons = sorted(p.name for p in (PREFIX / "course" / "notebooks").glob("*.ipynb"))
    for user in users.values():
        listing = {item["name"] for item in user.contents(tc.settings.lessons_folder)["content"]}
        assert set(lessons) <= listing, f"{user.name} is missing lessons: {set(lessons) - listing}"

    def run_lesson(user: HubUser) -> int:
        path = f"{tc.settings.lessons_folder}/{LESSON}"
        notebook = user.contents(path)["content"]
        session, kernel = user.open_kernel(path)
        try:
            results = kernel.run_notebook(notebook, timeout=120)
        finally:
            kernel.close()
            user.close_session(session)
        errors = [(r.index, r.error["ename"], r.error["evalue"]) for r in results if r.error]
        assert not errors, f"{user.name}: {LESSON} failed: {errors}"
        return len(results)

    ran = list(pool.map(run_lesson, users.values()))
    assert all(n == sum(c["cell_type"] == "code" for c in users["correct"].contents(
        f"{tc.settings.lessons_folder}/{LESSON}")["content"]["cells"]) for n in ran)
    step("4 students run lesson 04 through the kernel websocket")

    # 3. A student's own changes survive a restart; a deleted lesson comes back.
    partial = users["partial"]
    mine = f"{tc.settings.lessons_folder}/00_start_here.ipynb"
    notebook = partial.contents(mine)["content"]
    notebook["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "My own notes: keep me."})
    partial.save_notebook(mine, notebook)
    partial.server("DELETE", f"api/contents/{tc.settings.lessons_folder}/{lessons[1]}", 204)
    partial.stop_server()
    partial.start_server()
    kept = partial.contents(mine)["content"]
    assert kept["cells"][-1]["source"] == "My own notes: keep me."
    assert partial.contents(f"{tc.settings.lessons_folder}/{lessons[1]}")["type"] == "notebook"
    step("restart keeps a student's edit and restores a deleted lesson")

    # 4. The instructor releases the assignment through the exchange, from their own server.
    session, teacher_kernel = teacher.open_kernel("isotretinoin-exercises/instructor.ipynb", timeout=300)
    for args in (["generate_assignment", ASSIGNMENT, "--force"], ["release_assignment", ASSIGNMENT, "--force"]):
        result = run_as_instructor(teacher_kernel, *args)
        assert result["rc"] == 0, result["out"]
    # The Formgrader (run from the instructor's home, not the course folder) sees the same course.
    formgrader = teacher.server("GET", "formgrader/api/assignments", 200).json()
    statuses = {a["name"]: a["status"] for a in formgrader}
    sources = {p.name for p in (PREFIX / "course" / "exercises" / "source").iterdir() if p.is_dir()}
    assert statuses == {name: "released" if name == ASSIGNMENT else "draft" for name in sources}, statuses
    # Students have the Assignments panel (below) and not the instructor's tools.
    for path in ("formgrader/api/assignments", "formgrader/api/status", "formgraders"):
        assert users["correct"].server("GET", path).status_code == 404, path
    step("instructor generates and releases")

    # 5. Students fetch it from the Assignments panel's API, answer, and submit.
    released = {a["assignment_id"] for a in users["correct"].assignments("list", COURSE_ID)["value"]}
    assert ASSIGNMENT in released
    list(pool.map(lambda u: u.assignments("fetch", COURSE_ID, ASSIGNMENT), users.values()))
    answers = solutions(source)
    ids = list(answers)
    chosen = {
        "correct": answers,
        "partial": {k: answers[k] for k in ids[: len(ids) // 2]},
        "broken": {k: answers[k].replace("=", "= (", 1) for k in ids},  # a syntax error in every answer
        "hostile": {},
    }
    path = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    for role in ("correct", "partial", "broken"):
        user = users[role]
        user.save_notebook(path, answer(user.contents(path)["content"], chosen[role]))
        reply = user.assignments("submit", COURSE_ID, ASSIGNMENT)
        assert reply.get("success", True) is not False, reply
    step("3 students fetch, answer and submit")

    # 6. The hostile student attacks the others' submissions, homes and the instructor's files.
    victim = roles["correct"]
    victim_entry = next((exchange / "inbound" / victim).iterdir())  # root's view: the real name
    victim_nb = victim_entry / f"{ASSIGNMENT}.ipynb"
    assert victim_nb.is_file()  # so "denied" below means denied, not "wrong path"
    teacher_home = tc.home(instructor_name)
    hostile = users["hostile"]
    session_h, hostile_kernel = hostile.open_kernel("attack.ipynb")
    future = "2099-01-01 00:00:00.000000 UTC"
    steps = {
        "list inbound": f"os.listdir({str(exchange / 'inbound')!r})",
        "list victim's inbound": f"os.listdir({str(exchange / 'inbound' / victim)!r})",
        "stat victim's submission": f"os.stat({str(victim_entry)!r})",
        "read victim's submission": f"open({str(victim_nb)!r}).read()",
        "overwrite victim's submission": f"open({str(victim_nb)!r}, 'w').write('{{}}')",
        "delete victim's submission": f"shutil.rmtree({str(victim_entry)!r})",
        "rename victim's submission": f"os.rename({str(victim_entry)!r}, {str(victim_entry) + '-x'!r})",
        "add a newer submission to victim's folder": (
            f"os.mkdir({str(exchange / 'inbound' / victim / f'{victim}+{ASSIGNMENT}+{future}+x')!r})"),
        "create a folder in inbound": f"os.mkdir({str(exchange / 'inbound' / 'newcomer')!r})",
        "submit as the victim": f"nbgrader('submit', {ASSIGNMENT!r}, '--student={victim}')",
        "read victim's home": f"os.listdir({str(tc.home(victim))!r})",
        "read instructor's course": f"os.listdir({str(teacher_home)!r})",
        "write into outbound": f"open({str(exchange / 'outbound' / ASSIGNMENT / 'x.ipynb')!r}, 'w')",
    }
    result = hostile_kernel.execute(attack_code(steps))
    outcome = json.loads(result.text.strip().splitlines()[-1])
    assert all(outcome[name].startswith("denied") for name in steps), outcome
    assert "as yourself" in outcome["submit as the victim"], outcome
    listed = hostile_kernel.execute(
        "import subprocess, sys, os; r = subprocess.run([os.path.join(sys.prefix, 'bin', 'nbgrader'), 'list', "
        "'--inbound'], capture_output=True, text=True, timeout=120); print(r.stdout + r.stderr)")
    assert victim not in listed.text, listed.text

    # Positive control: the same code can use the hostile student's own folder.
    own = exchange / "inbound" / roles["hostile"]
    control = hostile_kernel.execute(f"import os; print(len(os.listdir({str(own)!r})))")
    assert control.text.strip() == "0", control.outputs

    # The hostile student submits a blank notebook, then, inside their own submission, swaps the
    # notebook for a link to the instructor's source (solutions and hidden tests: nbgrader's default
    # collect would copy them and autograde them as this student's work, for full marks and a
    # feedback page showing the hidden tests), and forges a newer "submission" of the victim's.
    # The file system allows both (it is their own folder); collect must refuse them.
    assert hostile.assignments("submit", COURSE_ID, ASSIGNMENT).get("success", True) is not False
    plant = textwrap.dedent(f"""
        import os, shutil
        own = {str(own)!r}
        entry = os.path.join(own, os.listdir(own)[0])
        os.remove(os.path.join(entry, {ASSIGNMENT + '.ipynb'!r}))
        os.symlink({str(teacher_home / 'isotretinoin-exercises' / 'source' / ASSIGNMENT / (ASSIGNMENT + '.ipynb'))!r},
                   os.path.join(entry, {ASSIGNMENT + '.ipynb'!r}))
        forged = os.path.join(own, {f'{victim}+{ASSIGNMENT}+{future}+forged'!r})
        shutil.copytree(entry, forged, symlinks=True)
        print("planted")
    """)
    planted = hostile_kernel.execute(plant)
    assert planted.text.strip() == "planted", planted.outputs
    step("hostile attacks (13 denied, nothing listed) and plants a link and a forgery")

    # 7. The instructor collects, autogrades, writes and releases feedback, and exports grades.
    collect = run_as_instructor(teacher_kernel, "collect", ASSIGNMENT)
    assert collect["rc"] == 0, collect["out"]
    refusals = [line for line in collect["out"].splitlines() if "] REFUSED " in line]
    assert all(f"/inbound/{roles['hostile']}/" in line for line in refusals), refusals  # honest work untouched
    assert any("symbolic link" in line or "links are not followed" in line for line in refusals), collect["out"]
    assert any("names " + repr(victim) in line for line in refusals), collect["out"]
    collected = sorted(p.name for p in (teacher_home / "isotretinoin-exercises" / "submitted").iterdir())
    assert collected == sorted(tc.students), collected
    step("collect")
    graded = run_as_instructor(teacher_kernel, *AUTOGRADE, timeout=540, python=True)
    # Exit 1: the broken and the hostile submissions need a look (2 would be a refusal: no sandbox).
    assert graded["rc"] == 1, graded["out"][-8000:]
    assert "sandbox" in graded["out"] and "UNSANDBOXED" not in graded["out"], graded["out"][-3000:]
    step("autograde 4 submissions in the sandbox")
    course_dir = teacher_home / "isotretinoin-exercises"
    report = json.loads((course_dir / "grading_reports" / f"{ASSIGNMENT}.json").read_text())
    reasons = {entry["student"]: entry["reason"] for entry in report["submissions"]}
    assert set(reasons) == set(tc.students), reasons
    # The hostile student's only notebook was a link that collect refused: graded as the blank release, and said so.
    assert reasons[roles["hostile"]].startswith("not a notebook") and "missing" in reasons[roles["hostile"]], reasons
    assert reasons[roles["broken"]].startswith("syntax error"), reasons
    assert reasons[roles["correct"]] == reasons[roles["partial"]] == "graded", reasons
    for command in (FEEDBACK, ["release_feedback", ASSIGNMENT], ["export"]):
        result = run_as_instructor(teacher_kernel, *command, python=command is FEEDBACK)
        if result["rc"] != 0:
            print("\n".join(sorted(str(p.relative_to(course_dir)) for p in course_dir.rglob("*"))))
            print(graded["out"][-8000:])
        assert result["rc"] == 0, result["out"]
    step("private feedback generated and released, grades exported")
    grades_csv = (teacher_home / "isotretinoin-exercises" / "grades.csv").read_text()
    scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(io.StringIO(grades_csv))
              if row["assignment"] == ASSIGNMENT}
    total = expected_points(source, set(answers))
    expected = {
        roles["correct"]: total,
        roles["partial"]: expected_points(source, set(chosen["partial"])),
        roles["broken"]: 0.0,
        roles["hostile"]: 0.0,  # the blank release stood in for the refused link
    }
    assert 0 < expected[roles["partial"]] < total
    assert scores == expected, (scores, graded["out"][-3000:])
    hostile_collected = teacher_home / "isotretinoin-exercises" / "submitted" / roles["hostile"] / ASSIGNMENT
    assert not (hostile_collected / f"{ASSIGNMENT}.ipynb").exists()

    # 8. Each student fetches feedback and gets exactly their own (the hostile one: the blank release's),
    # with no hidden test in it or anywhere else in a student's home.
    list(pool.map(lambda u: u.assignments("fetch_feedback", COURSE_ID, ASSIGNMENT), users.values()))
    hidden = [line.strip() for line in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
              "".join("".join(c["source"]) + "\n" for c in json.loads(source.read_text())["cells"]), re.S)]
    assert hidden
    for name in tc.students:
        for path in tc.home(name).rglob("*"):
            if path.is_file() and not path.is_symlink():
                text = path.read_text(errors="replace")
                assert not any(h in text for h in hidden), f"a hidden test reached {name}: {path}"
    digests = {}
    for role, user in users.items():
        instructor_copy = (teacher_home / "isotretinoin-exercises" / "feedback" / user.name / ASSIGNMENT /
                           f"{ASSIGNMENT}.html").read_bytes()
        fetched = list((tc.home(user.name) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(fetched) == 1, (role, fetched)
        assert fetched[0].read_bytes() == instructor_copy, f"{role} fetched feedback that is not theirs"
        in_exchange = list((exchange / "feedback" / user.name).glob("*.html"))
        assert len(in_exchange) == 1 and in_exchange[0].read_bytes() == instructor_copy
        digests[role] = hashlib.sha256(instructor_copy).hexdigest()
    assert len(set(digests.values())) == len(digests), "two students received the same feedback file"
    step("students fetch feedback: 4 get their own, no hidden test")

    # 9. ...and the hostile student can reach nobody else's, neither in the exchange nor through the hub.
    victim_feedback = next((exchange / "feedback" / victim).glob("*.html"))
    steps = {
        "list feedback": f"os.listdir({str(exchange / 'feedback')!r})",
        "list victim's feedback": f"os.listdir({str(exchange / 'feedback' / victim)!r})",
        "read victim's feedback": f"open({str(victim_feedback)!r}).read()",
        "replace victim's feedback": f"os.replace('attack.ipynb', {str(victim_feedback)!r})",
        "fetch feedback as the victim": f"nbgrader('fetch_feedback', {ASSIGNMENT!r}, '--student={victim}')",
    }
    hostile_kernel.execute("open('attack.ipynb', 'w').write('{}')")
    outcome = json.loads(hostile_kernel.execute(attack_code(steps)).text.strip().splitlines()[-1])
    assert all(outcome[name].startswith("denied") for name in steps), outcome
    assert "as yourself" in outcome["fetch feedback as the victim"], outcome
    through_hub = hostile.server("GET", f"api/contents/{ASSIGNMENT}", owner=victim)
    assert through_hub.status_code == 403, through_hub.status_code
    step("hostile feedback attacks (5 denied, and 403 through the hub)")

    for kernel, user, sid in ((hostile_kernel, hostile, session_h), (teacher_kernel, teacher, session)):
        kernel.close()
        user.close_session(sid)
    pool.shutdown()
    timings["total (after hub start)"] = round(sum(timings.values()), 1)
    record_property("timings", timings)
    print("\nstep timings (s):", json.dumps(timings, indent=1))
