"""Re-execute the course notebooks in place, from a fresh kernel, so nobody hand-runs them.

First every content file is validated against its schema, and the quiz banks and the capstone case's built
questions against the banks' balance lint (a notebook built on broken content is not worth executing).
Then, for each notebook: regenerate its References cell from the bibliography, strip editor noise from the metadata, run every cell top to bottom in a new ``python3`` kernel (no
widget state stored; an empty saved-progress folder of its own), and lint the result. Use it through ``python3 course.py execute [NOTEBOOK ...]``
(``course.py`` passes the notebooks folder when no notebook is named).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbclient import NotebookClient

from ..core.errors import CourseInputError
from ..core.inputs import checked_arguments, read_path, read_sequence, read_text
from ..content.bibliography import REFERENCES_HEADING, Bibliography, cited_keys, load_bibliography, references_markdown
from ..content.validation import course_content_problems
from ..core.identity import request_fixed_order
from ..core.progress_store import PROGRESS_DIR_VARIABLE
from .lint import ALLOWED_CELL_METADATA, WIDGET_VIEW, capstone_balance_problems, citing_texts, lint_notebook

CELL_TIMEOUT_SECONDS = 300


@checked_arguments
def notebook_paths(arguments: Sequence[str]) -> list[Path]:
    """The notebooks named, with a folder standing for the lesson notebooks in it (``NN_*.ipynb``)."""
    paths: list[Path] = []
    for argument in read_sequence(arguments, "arguments", lambda item, where: read_path(item, where)):
        path = argument
        paths += sorted(path.glob("[0-9][0-9]_*.ipynb")) if path.is_dir() else [path]
    return paths


@checked_arguments
def refresh_references(nb: NotebookNode, bibliography: Bibliography) -> None:
    """Rewrite the ``## References`` cell from the keys the notebook cites, in its text and its stored outputs."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith(REFERENCES_HEADING):
            cell.source = references_markdown(cited_keys(citing_texts(nb, cell)), bibliography)
            return


@checked_arguments
def clean_metadata(nb: NotebookNode) -> None:
    """Keep only kernelspec/language_info and cell tags: no widget state, no editor noise."""
    nb.metadata = nbformat.NotebookNode(
        {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            **({"language_info": nb.metadata["language_info"]} if "language_info" in nb.metadata else {}),
        }
    )
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode({key: value for key, value in cell.metadata.items() if key in ALLOWED_CELL_METADATA})
        if cell.cell_type == "markdown" and not cell.get("attachments"):
            cell.pop("attachments", None)


@checked_arguments
def stable_widget_ids(nb: NotebookNode, name: str) -> None:
    """Replace the random model ids of stored widget views with ids derived from the notebook and position.

    No widget state is saved, so a stored id never refers to a live model; a
    stable one keeps re-execution from changing the file when nothing else did.
    """
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                count += 1
                view["model_id"] = hashlib.sha256(f"{name}:{count}".encode()).hexdigest()[:32]


@contextlib.contextmanager
def empty_progress() -> Iterator[None]:
    """Kernels started inside see an empty progress folder of their own, never the author's saved progress, so the
    stored outputs cannot depend on what this machine has saved (a quiz would otherwise restore the author's answers)."""
    previous = os.environ.get(PROGRESS_DIR_VARIABLE)
    with tempfile.TemporaryDirectory(prefix="course-progress-") as folder:
        os.environ[PROGRESS_DIR_VARIABLE] = folder
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(PROGRESS_DIR_VARIABLE, None)
            else:
                os.environ[PROGRESS_DIR_VARIABLE] = previous


@checked_arguments
def execute_notebook(path: Path, bibliography: Bibliography) -> None:
    """Execute a notebook from a fresh kernel, refresh its references and save it in place."""
    path = read_path(path, "path", kind="file")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises several types for a file that is not a notebook
        raise CourseInputError("path", str(path), "a notebook (.ipynb) file", message=f"path: {path} is not a notebook ({type(error).__name__})") from None
    refresh_references(nb, bibliography)
    clean_metadata(nb)
    request_fixed_order()  # the kernel inherits it: the quizzes store the course's fixed option order
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        store_widget_state=False,
        record_timing=False,
    )
    with empty_progress():
        client.execute()
    refresh_references(nb, bibliography)  # again: the new outputs may cite what the text does not
    clean_metadata(nb)
    stable_widget_ids(nb, path.stem)
    nbformat.validate(nb)
    nbformat.write(nb, path)


@checked_arguments
def main(argv: Sequence[str] | None = None) -> int:
    paths = notebook_paths(read_sequence(argv if argv is not None else sys.argv[1:], "argv", lambda item, where: read_text(item, where)))
    if not paths:
        print("usage: course-build-notebooks NOTEBOOK_OR_FOLDER [...]", file=sys.stderr)
        return 2
    unusable = [f"{path}: {'no such file' if not path.exists() else 'not a notebook (.ipynb file)'}" for path in paths
                if not path.is_file() or path.suffix != ".ipynb"]
    if unusable:  # refused before anything runs, naming each path
        print("\n".join(["course-build-notebooks: cannot build:", *unusable]), file=sys.stderr)
        return 2
    content_problems = course_content_problems() + capstone_balance_problems()  # the capstone's questions are built, not a bank file
    if content_problems:
        print("\n".join(["content files that do not validate (fix them first):", *content_problems]))
        return 1
    bibliography = load_bibliography()
    problems: list[str] = []
    for path in paths:
        print(f"executing {path} ...", flush=True)
        execute_notebook(path, bibliography)
        problems += lint_notebook(path, bibliography)
    if problems:
        print("\n".join(["lint problems after execution:", *problems]))
        return 1
    print(f"{len(paths)} notebook(s) executed and linted cleanly")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
