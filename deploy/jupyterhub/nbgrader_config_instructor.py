
# --- Instructors only (install.sh appends this part in the instructor environment).
# The Formgrader runs from the home folder, where the course's own nbgrader_config.py (which uses the
# current folder) is not read: point it at the course folder the hub copies for each instructor.
# Commands run *in* the course folder read that file too, which gives the same folder and gradebook.
import os.path  # noqa: E402

course_root = os.path.expanduser("~/isotretinoin-exercises")
c.CourseDirectory.root = course_root
c.CourseDirectory.db_url = f"sqlite:///{os.path.join(course_root, 'gradebook.db')}"
