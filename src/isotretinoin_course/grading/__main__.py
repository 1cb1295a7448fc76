"""``python -m isotretinoin_course.grading autograde|feedback|report|check ...``: see driver.py."""

from .driver import main

raise SystemExit(main())
