"""The non-editable wheel on Python 3.13, with the student's dependencies from the lock: every lesson notebook and
every assignment's solution executes (see tests/wheel_check.py)."""

from __future__ import annotations

from wheel_check import check_installed_wheel


def test_the_installed_wheel_runs_every_notebook_on_python_313(tmp_path):
    check_installed_wheel("3.13", tmp_path)
