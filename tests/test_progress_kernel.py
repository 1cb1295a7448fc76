"""Saved progress through a real Jupyter kernel: a quiz answered, the kernel restarted, the quiz drawn again.

tests/test_progress_widgets.py imitates a restart by forgetting the in-memory store; here an ipykernel process is
started with jupyter_client, restarted (a new process, as Kernel → Restart does), and asked what the quiz shows.
The kernel's progress folder comes from the environment variable the notebook build and the tests set
(``ISOTRETINOIN_COURSE_PROGRESS_DIR``); a second test shows that ``course.py execute`` gives the kernels it starts
an empty folder of their own, whatever the machine has saved. About 10 s.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from isotretinoin_course.authoring.build import empty_progress
from isotretinoin_course.core.progress_store import PROGRESS_DIR_VARIABLE, ProgressStore

BANK = "01_acne_pathophysiology"
START = 60  # seconds for a kernel to start on a busy 2-core machine

ANSWER = f"""
import json, os
from isotretinoin_course.core.progress_store import progress_path
from isotretinoin_course.widgets import quiz_for
quiz = quiz_for("{BANK}")
card = quiz.cards[0]
right = sorted(card.question.correct_option_ids)[0]
wrong = next(option.id for option in card.question.options if not option.correct)
card.set_response(wrong); card.check_button.click()
card.set_response(right); card.check_button.click()
print(json.dumps({{"pid": os.getpid(), "path": str(progress_path()), "score": quiz.score.value, "right": right,
                  "question": card.question.id}}))
"""

SHOW = f"""
import json, os
from isotretinoin_course.widgets import quiz_for
quiz = quiz_for("{BANK}")
card = quiz.cards[0]
print(json.dumps({{"pid": os.getpid(), "score": quiz.score.value, "response": card.response(), "feedback": card.feedback.value,
                  "note": quiz.progress_note.value}}))
"""

CHECK_AGAIN = """
card.set_response(sorted(card.question.correct_option_ids)[0]); card.check_button.click()
print(json.dumps({"score": quiz.score.value, "note": quiz.progress_note.value, "feedback": card.feedback.value}))
"""


def run(client, code: str) -> dict:
    """Run ``code`` in the kernel; return the JSON it printed last (fail with the kernel's error otherwise)."""
    printed: list[str] = []
    errors: list[str] = []

    def hook(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            errors.append("\n".join(message["content"]["traceback"]))

    reply = client.execute_interactive(code, timeout=120, output_hook=hook)
    assert reply["content"]["status"] == "ok", "\n".join(errors)
    return json.loads("".join(printed).strip().splitlines()[-1])


@pytest.fixture
def kernel(tmp_path):
    folder = tmp_path / "progress"
    env = {**os.environ, PROGRESS_DIR_VARIABLE: str(folder)}
    manager, client = start_new_kernel(kernel_name="python3", startup_timeout=START, env=env)
    try:
        yield manager, client, folder
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_quiz_answer_survives_a_kernel_restart_and_a_corrupt_file_only_gives_a_notice(kernel):
    manager, client, folder = kernel
    before = run(client, ANSWER)
    assert Path(before["path"]) == folder / "progress.json"
    assert "attempts: 2" in before["score"] and "Score: 1 of" in before["score"]

    manager.restart_kernel(now=True)
    client.wait_for_ready(timeout=START)
    after = run(client, SHOW)
    assert after["pid"] != before["pid"]  # a new kernel process: only the file is shared
    assert after["score"] == before["score"]
    assert after["response"] == before["right"] and "✔ Correct." in after["feedback"]
    assert "saved in an earlier session are shown (1 of" in after["note"]
    saved = ProgressStore(folder / "progress.json").result("01", f"quiz {BANK}", before["question"])
    assert (saved.attempts, saved.correct_first_time, saved.correct_now) == (2, False, True)

    (folder / "progress.json").write_text('{"format": "isotretinoin-course progress", "lessons": ', encoding="utf-8")
    manager.restart_kernel(now=True)
    client.wait_for_ready(timeout=START)
    broken = run(client, SHOW)
    assert "could not be read" in broken["note"] and "Reset my progress" in broken["note"]
    assert "Score: 0 of" in broken["score"]
    again = run(client, CHECK_AGAIN)  # the quiz still checks and scores, in memory
    assert "✔ Correct." in again["feedback"] and "Score: 1 of" in again["score"] and "could not be read" in again["note"]
    assert (folder / "progress.json").read_text(encoding="utf-8").endswith('"lessons": ')  # left as it was


def test_the_notebook_build_gives_its_kernels_an_empty_progress_folder(tmp_path, monkeypatch):
    """An author's own saved answers never reach a committed notebook's outputs."""
    author = tmp_path / "author"
    monkeypatch.setenv(PROGRESS_DIR_VARIABLE, str(author))
    ProgressStore(author / "progress.json").record("01", f"quiz {BANK}", "any", "LO1", True, "a")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\nfrom isotretinoin_course.core.progress_store import progress_store\n"
        f"print(os.environ['{PROGRESS_DIR_VARIABLE}'], len(progress_store().results()))")])
    with empty_progress():
        inside = os.environ[PROGRESS_DIR_VARIABLE]
        NotebookClient(notebook, timeout=120, kernel_name="python3", startup_timeout=START).execute()
        assert Path(inside).is_dir() and not any(Path(inside).iterdir())
    folder, count = notebook.cells[0].outputs[0]["text"].split()
    assert folder == inside != str(author) and count == "0"
    assert os.environ[PROGRESS_DIR_VARIABLE] == str(author)  # put back afterwards
    assert not Path(inside).exists()  # and the empty folder removed
