"""SYNTHETIC data of the graded assignments only (``isotretinoin_course.data.assessment`` writes it with seeds of its own).

No lesson loads these files; regenerate them with ``python3 course.py datasets``; never edit them by hand.

May import: nothing (no code lives here).
"""
