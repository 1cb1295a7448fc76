"""The notebook builder's pure steps: references refresh, metadata cleaning, stable widget ids."""

from __future__ import annotations

import copy

import nbformat
from conftest import NOTEBOOKS

from isotretinoin_course.authoring.build import clean_metadata, refresh_references, stable_widget_ids
from isotretinoin_course.authoring.lint import WIDGET_VIEW
from isotretinoin_course.content.bibliography import load_bibliography

CLEAN = next(path for path in NOTEBOOKS if path.name.startswith("01_"))


def _widget_ids(nb):
    return [output["data"][WIDGET_VIEW]["model_id"] for cell in nb.cells for output in cell.get("outputs", []) if WIDGET_VIEW in output.get("data", {})]


def test_stable_widget_ids_are_deterministic_and_distinct():
    nb = nbformat.read(CLEAN, as_version=4)
    first = copy.deepcopy(nb)
    for cell in first.cells:
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"][WIDGET_VIEW]["model_id"] = "random"
    stable_widget_ids(first, "01_acne_pathophysiology")
    assert _widget_ids(first) == _widget_ids(nb)  # the committed notebook already carries the stable ids
    assert len(set(_widget_ids(first))) == len(_widget_ids(first)) == 2


def test_refresh_references_rewrites_a_stale_cell():
    nb = nbformat.read(CLEAN, as_version=4)
    stale = copy.deepcopy(nb)
    references = next(cell for cell in stale.cells if cell.source.startswith("## References"))
    references.source = "## References\n\n- out of date"
    refresh_references(stale, load_bibliography())
    assert references.source == next(cell for cell in nb.cells if cell.source.startswith("## References")).source


def test_clean_metadata_drops_widget_state_and_editor_noise():
    nb = nbformat.read(CLEAN, as_version=4)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb.metadata["toc"] = {"number_sections": True}
    nb.cells[1].metadata["collapsed"] = True
    nb.cells[1].metadata["tags"] = ["keep-me"]
    clean_metadata(nb)
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert dict(nb.cells[1].metadata) == {"tags": ["keep-me"]}
