"""nbgrader configuration for the course's graded exercises (run nbgrader from this folder).

Everything works offline: the gradebook is a local SQLite file (gradebook.db), and releases,
submissions, autograded copies and feedback live in folders beside `source/` (git-ignored).
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "isotretinoin-course"
c.CourseDirectory.root = os.getcwd()  # nbgrader is always run from this folder
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Every cell gets at most 30 s, so an infinite loop in a submission fails that cell instead of
# hanging the batch; a kernel that does not start in 60 s fails the notebook.
c.ExecutePreprocessor.timeout = 30
c.ExecutePreprocessor.startup_timeout = 60
c.ExecutePreprocessor.interrupt_on_timeout = True

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
