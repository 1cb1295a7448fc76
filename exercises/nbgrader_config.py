"""nbgrader configuration for the course's graded exercises (run nbgrader from this folder).

Everything works offline: the gradebook is a local SQLite file (gradebook.db), and releases,
submissions, autograded copies, feedback and grading reports live in folders beside `source/`
(git-ignored).

Students' code runs only when autograding, and then in a sandbox (README.md, "Threat model"):
`python3 course.py nbgrader autograde ASSIGNMENT` grades each student in a process of its own; the
settings below make plain `nbgrader autograde` sandboxed too, and every feedback file private.
"""

import os

from isotretinoin_course.grading.config import apply

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "isotretinoin-course"
c.CourseDirectory.root = os.getcwd()  # nbgrader is always run from this folder
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The sandbox (isotretinoin_course/grading): autograding runs each notebook with SandboxExecute in a
# bubblewrap sandbox (SandboxKernelManager) that sees the system and Python read-only, the course's package
# and datasets read-only, its own working copy, and nothing else; feedback goes through PrivateFeedback.
apply(c)

# Time. Each cell gets at most 30 s: then it is interrupted, and if it does not stop within 3 s its sandbox is
# killed and a new one replays the cells that had completed, so a stuck cell costs only its own points. The
# whole notebook gets 600 s, and a kernel that does not start in 60 s fails the notebook.
c.ExecutePreprocessor.timeout = 30
c.ExecutePreprocessor.startup_timeout = 60
c.SandboxExecute.interrupt_grace = 3
c.SandboxExecute.notebook_timeout = 600

# Output kept in the autograded notebook (and so in the feedback): 256 KiB per cell, 4 MiB per notebook; the rest
# is dropped with a note that says so. nbgrader's LimitOutput then keeps at most 1000 lines per output.
c.SandboxExecute.max_cell_output_bytes = 256 * 1024
c.SandboxExecute.max_output_bytes = 4 * 1024 * 1024
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Resources of each sandboxed kernel (per kernel; the assignments need well under a tenth of these).
c.SandboxKernelManager.memory_bytes = 4 * 1024**3  # address space: a larger allocation raises MemoryError
c.SandboxKernelManager.cpu_seconds = 600
c.SandboxKernelManager.processes = 96  # threads count too; a kernel uses about 12
c.SandboxKernelManager.file_bytes = 64 * 1024**2
c.SandboxKernelManager.workdir_bytes = 64 * 1024**2
c.SandboxKernelManager.tmp_bytes = 64 * 1024**2

# Hidden tests and mark schemes stay out of feedback. Set to True (or use `python3 course.py feedback
# ASSIGNMENT --reveal-hidden-tests`) to show them, for example once the deadline has passed.
c.PrivateFeedback.reveal_hidden_tests = False
