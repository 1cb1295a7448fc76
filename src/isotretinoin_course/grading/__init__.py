"""Sandboxed, fault-tolerant autograding of the graded exercises with nbgrader, for instructors.

What belongs here: everything that runs students' code for grading and tells the instructor what
happened. The course folder (``exercises/``) is always an argument; nothing here guesses where it is.

Grader side (trusted, imports nbgrader where it plugs into it):
    driver    the batch: refuses without a sandbox, stages each submission, grades each student in a
              process of its own with a wall-clock limit; ``autograde``, ``feedback``, ``report``, ``check``
    execute   SandboxExecute, nbgrader's Execute step made to survive hostile notebooks
    kernel    SandboxKernelManager, a jupyter_client kernel manager whose kernels run in the sandbox
    feedback  PrivateFeedback: no hidden tests or mark schemes in students' feedback
    config    the nbgrader settings that switch all of this on, and the folders kernels may read
    report    one reason per submission; the grade-id checks

Sandbox side (each must import only the standard library and the other modules of this list, because
the launcher and the sandboxed kernel import this folder as a top-level package ``grading`` with
nothing of the course around it; ``tests/test_architecture.py`` checks this):
    sandbox   what a kernel may see and use, as a bubblewrap command line; the probe
    launcher  the process jupyter_client starts: limits, user namespace, interrupt forwarding
    boot      the sandboxed kernel's first code: working copy, drop to ``nobody``, guard, ipykernel
    guard     inside the kernel, before every test cell: undo and report hooks that neutralise tests

This ``__init__`` imports nothing, so that importing ``grading`` inside the sandbox costs nothing.

May import: core, content, grading.
"""
