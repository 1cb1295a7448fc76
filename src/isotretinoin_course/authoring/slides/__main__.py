"""``python -m isotretinoin_course.authoring.slides``: build the class slides (``python3 course.py slides``)."""

import sys

from .build import main

sys.exit(main())
