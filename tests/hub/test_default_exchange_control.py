"""Control for the end-to-end test: with nbgrader's *default* exchange the same attacks succeed.

This shows that the hostile student's attacks in ``test_hub_e2e.py`` are real (they are denied there
because of the private exchange, not because they cannot work), and records the weakness of the
default exchange that nbgrader issues #978 and #1174 describe. No hub: the same local accounts, with
the commands run as each user by ``runuser``. Root only; skips (or fails under CI=true) like the
end-to-end test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_hub_e2e import DEPLOY, PREFIX, _missing_requirement  # noqa: E402

from isotretinoin_hub.classroom import TemporaryClass  # noqa: E402

ASSIGNMENT = "a1_dosing"
DEFAULTS = textwrap.dedent("""
    # nbgrader's own exchange, for the control (overrides the hub-wide private exchange).
    for name in ("exchange", "fetch_assignment", "fetch_feedback", "release_assignment", "release_feedback",
                 "list", "submit", "collect"):
        kind = {"exchange": "Exchange", "fetch_assignment": "ExchangeFetchAssignment",
                "fetch_feedback": "ExchangeFetchFeedback", "release_assignment": "ExchangeReleaseAssignment",
                "release_feedback": "ExchangeReleaseFeedback", "list": "ExchangeList",
                "submit": "ExchangeSubmit", "collect": "ExchangeCollect"}[name]
        setattr(c.ExchangeFactory, name, "nbgrader.exchange.default." + kind)
    c.Exchange.root = ROOT
""")


def run_as(user: str, argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    home = Path(os.path.expanduser(f"~{user}"))
    full = {"PATH": f"{PREFIX}/envs/instructor/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **env}
    return subprocess.run(["/usr/sbin/runuser", "-u", user, "--", *argv], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=300)


def test_default_exchange_lets_a_student_read_overwrite_and_impersonate():
    problem = _missing_requirement()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    with TemporaryClass(PREFIX, DEPLOY / "jupyterhub_config.py", students=["victim", "hostile"], instructors=1,
                        start_hub=False) as tc:
        victim, hostile = tc.students
        teacher = tc.instructors[0]
        root = tc.root / "default-exchange"
        root.mkdir()
        os.chmod(root, 0o777)  # what nbgrader's documentation asks for
        env = dict(tc.env)
        course = tc.home(teacher) / "course"
        shutil.copytree(PREFIX / "course" / "exercises", course)
        (course / "nbgrader_config.py").write_text(
            (course / "nbgrader_config.py").read_text() + DEFAULTS.replace("ROOT", repr(str(root))))
        for home in (tc.home(victim), tc.home(hostile)):
            (home / "nbgrader_config.py").write_text("c = get_config()\n" + DEFAULTS.replace("ROOT", repr(str(root))))
        for user in (teacher, victim, hostile):
            subprocess.run(["chown", "-R", f"{user}:", str(tc.home(user))], check=True)

        for argv in (["nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
                     ["nbgrader", "release_assignment", ASSIGNMENT, "--force"]):
            result = run_as(teacher, argv, course, env)
            assert result.returncode == 0, result.stderr
        for argv in (["nbgrader", "fetch_assignment", ASSIGNMENT], ["nbgrader", "submit", ASSIGNMENT]):
            result = run_as(victim, argv, tc.home(victim), env)
            assert result.returncode == 0, result.stderr

        inbound = root / "isotretinoin-course" / "inbound"
        entry = next(inbound.iterdir())  # root's view; a hostile student would search the name (issue #978)
        attack = textwrap.dedent(f"""
            import json, os, shutil
            out = {{}}
            nb = os.path.join({str(entry)!r}, "{ASSIGNMENT}.ipynb")
            try:
                os.listdir({str(inbound)!r}); out["list"] = "SUCCEEDED"
            except PermissionError:
                out["list"] = "denied"
            out["read"] = "SUCCEEDED" if open(nb).read() else "empty"
            os.remove(nb)  # the folder is world-writable, so the victim's file can be replaced
            open(nb, "w").write(json.dumps({{"cells": [], "metadata": {{"tampered": True}}, "nbformat": 4,
                                             "nbformat_minor": 5}}))
            out["overwrite"] = "SUCCEEDED"
            forged = os.path.join({str(inbound)!r}, "{victim}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+x")
            shutil.copytree({str(tc.home(hostile) / ASSIGNMENT)!r}, forged)
            open(os.path.join(forged, "{ASSIGNMENT}.ipynb"), "w").write(json.dumps({{"cells": [],
                "metadata": {{"forged_by": "hostile"}}, "nbformat": 4, "nbformat_minor": 5}}))
            open(os.path.join(forged, "timestamp.txt"), "w").write("2099-01-01 00:00:00.000000 UTC")
            out["impersonate"] = "SUCCEEDED"
            print(json.dumps(out))
        """)
        result = run_as(hostile, ["nbgrader", "fetch_assignment", ASSIGNMENT], tc.home(hostile), env)
        assert result.returncode == 0, result.stderr
        result = run_as(hostile, [str(PREFIX / "envs" / "instructor" / "bin" / "python"), "-c", attack],
                        tc.home(hostile), env)
        assert result.returncode == 0, result.stderr
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        # Listing is denied (inbound is 0733), but a known name is enough to read and replace.
        assert outcome == {"list": "denied", "read": "SUCCEEDED", "overwrite": "SUCCEEDED",
                           "impersonate": "SUCCEEDED"}, outcome

        collect = run_as(teacher, ["nbgrader", "collect", ASSIGNMENT], course, env)
        assert collect.returncode == 0, collect.stderr
        assert "cheating attempt?" in collect.stderr  # only a warning: the forgery is collected anyway
        collected = json.loads((course / "submitted" / victim / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
        assert collected["metadata"] == {"forged_by": "hostile"}, collected["metadata"]
