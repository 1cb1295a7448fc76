"""The nbgrader settings that turn the sandbox on, and the folders of the course a kernel may read.

``exercises/nbgrader_config.py`` ends with::

    from isotretinoin_course.grading.config import apply
    apply(c)                      # sandboxed autograding + private feedback

so that plain ``nbgrader autograde`` and ``nbgrader generate_feedback`` are sandboxed and private too. The
batch driver (``python -m isotretinoin_course.grading autograde``) applies the same settings again on top of
the course's file, so a course file that forgets them cannot switch the sandbox off.
"""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

from isotretinoin_course.core.resources import PACKAGE, datasets_directory


def course_folders() -> list[str]:
    """What a grading kernel may read of the course besides Python: the package the assignments import and
    its datasets, found the way the package finds them (``importlib.resources``).

    Installed normally, both live inside Python's installation, which the kernel sees anyway. In an editable
    install (the repository's ``.venv-dev``) they are the repository's ``src/isotretinoin_course`` and
    ``datasets/`` folders: these two, and nothing else of the repository, are mounted read-only. A teacher's
    ``$ISOTRETINOIN_COURSE_DATASETS`` is honoured: that folder is mounted instead of the package's tables.
    """
    from importlib import resources

    found = []
    for folder in (resources.files(PACKAGE), datasets_directory()):
        path = Path(str(folder))
        if path.is_dir():
            found.append(str(path.resolve()))
    return found


def settings(*, unsandboxed: bool = False, expose: list[str] | tuple[str, ...] | None = None,
             reveal_hidden_tests: bool | None = None) -> Config:
    """The settings as a traitlets Config: SandboxExecute (then SafeHTML) in place of nbgrader's Execute,
    PrivateFeedback in the feedback, the course's folders exposed (``expose``: default ``course_folders()``)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, GetGrades, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)

    from .execute import SandboxExecute
    from .feedback import PrivateFeedback, SafeHTML

    c = Config()
    c.Autograde.autograde_preprocessors = [SandboxExecute, SafeHTML, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                           SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    c.GenerateFeedback.preprocessors = [GetGrades, PrivateFeedback, CSSHTMLHeaderPreprocessor]
    # A submission's outputs and markdown cells are its author's HTML: without this, a <script> in them runs in the
    # browser of whoever opens the feedback page or the formgrader (which reads this setting too).
    c.HTMLExporter.sanitize_html = True
    c.SandboxKernelManager.unsandboxed = unsandboxed
    c.SandboxKernelManager.expose = list(course_folders() if expose is None else expose)
    if reveal_hidden_tests is not None:
        c.PrivateFeedback.reveal_hidden_tests = reveal_hidden_tests
    return c


def apply(c: Config, **options) -> None:
    """Merge the sandbox settings into an nbgrader config object ``c`` (in place)."""
    c.merge(settings(**options))
