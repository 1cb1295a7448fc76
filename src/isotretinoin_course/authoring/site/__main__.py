"""``python -m isotretinoin_course.authoring.site``: build the course website (``python3 course.py site``)."""

import sys

from .build import main

sys.exit(main())
