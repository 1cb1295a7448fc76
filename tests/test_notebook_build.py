"""The notebook builder's pure steps: references refresh, metadata cleaning, stable widget ids."""

from __future__ import annotations

import copy

import nbformat
from conftest import NOTEBOOKS

from isotretinoin_course.authoring.build import clean_metadata, refresh_references, stable_widget_ids
from isotretinoin_course.authoring.lint import WIDGET_VIEW, check_references
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
    assert len(set(_widget_ids(first))) == len(_widget_ids(first)) >= 2


def test_refresh_references_rewrites_a_stale_cell():
    nb = nbformat.read(CLEAN, as_version=4)
    stale = copy.deepcopy(nb)
    references = next(cell for cell in stale.cells if cell.source.startswith("## References"))
    references.source = "## References\n\n- out of date"
    refresh_references(stale, load_bibliography())
    assert references.source == next(cell for cell in nb.cells if cell.source.startswith("## References")).source


def test_a_citation_in_a_stored_output_reaches_the_references_cell():
    # A quiz's sources and a table of rules cite in their HTML output; a student clicking one must land on an entry.
    nb = nbformat.read(CLEAN, as_version=4)
    key = "lammer1985"
    references = next(cell for cell in nb.cells if cell.source.startswith("## References"))
    assert f'id="ref-{key}"' not in references.source
    output = nbformat.v4.new_output("display_data", data={"text/markdown": f"Source: [Lammer 1985](#ref-{key})"})
    nb.cells.append(nbformat.v4.new_code_cell("show()", outputs=[output]))
    assert any("out of date" in problem for problem in check_references(nb, load_bibliography()))
    refresh_references(nb, load_bibliography())
    assert f'id="ref-{key}"' in references.source and check_references(nb, load_bibliography()) == []


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
