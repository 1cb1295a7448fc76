"""Figures, synthetic-data labels and safe text: the helpers every notebook leans on."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from isotretinoin_course.content import lessons  # noqa: E402
from isotretinoin_course.content.lessons import learning_path_markdown  # noqa: E402
from isotretinoin_course.core.constants import SYNTHETIC_LABEL  # noqa: E402
from isotretinoin_course.core.errors import CourseInputError  # noqa: E402
from isotretinoin_course.core.markup import inline_markup, paragraphs  # noqa: E402
from isotretinoin_course.data import demo  # noqa: E402
from isotretinoin_course.figures import demo_weight_figure, learning_path_figure, lesion_progression_figure, pathogenic_factors_figure  # noqa: E402
from isotretinoin_course.figures import style as plots  # noqa: E402


def test_show_figure_refuses_a_missing_description():
    figure = plt.figure()
    with pytest.raises(CourseInputError, match="needs a real text description"):
        plots.show_figure(figure, "A plot.")
    plt.close(figure)


def test_show_figure_prints_the_description_under_the_figure(capsys):
    figure = plt.figure()
    plots.show_figure(figure, "A blank figure used only to test that the description is shown.", number=3)
    printed = capsys.readouterr().out
    assert printed.startswith("Figure(")  # outside IPython, display() prints the plain repr
    assert "<IPython.core.display.Markdown object>" in printed
    assert figure.number not in plt.get_fignums()  # closed, so the inline backend will not draw it twice


@pytest.mark.parametrize("make", [lesion_progression_figure, pathogenic_factors_figure, learning_path_figure])
def test_a_shown_figure_is_cropped_to_its_drawing_and_keeps_its_text(make):
    """show_figure draws once and crops away only background (like bbox_inches="tight"); text/plain stays the figure's."""
    import io

    import numpy as np
    from matplotlib.image import imread

    figure, _description = make()
    shown = plots.RenderedFigure(figure)
    assert repr(shown) == repr(figure) and repr(shown).startswith("<Figure size")
    full = imread(io.BytesIO(plots.figure_png(figure)))
    cropped = imread(io.BytesIO(shown._repr_png_()))
    assert cropped.shape[0] < full.shape[0] or cropped.shape[1] < full.shape[1]
    background = full[0, 0]
    assert np.count_nonzero((full != background).any(axis=2)) == np.count_nonzero((cropped != background).any(axis=2))
    plt.close(figure)


@pytest.mark.parametrize("make", [lesion_progression_figure, pathogenic_factors_figure, learning_path_figure])
def test_course_figures_come_with_long_descriptions(make):
    figure, description = make()
    assert len(description.split()) > 40
    assert figure.axes and all(ax.get_title() or figure._suptitle for ax in figure.axes[:1])
    plt.close(figure)


def test_palette_is_okabe_ito():
    assert plots.OKABE_ITO["vermillion"] == "#D55E00"
    assert len(set(plots.OKABE_ITO.values())) == 8


def test_demo_patients_are_seeded_and_reproducible():
    first = demo.demo_patients(n=50)
    second = demo.demo_patients(n=50)
    assert first.equals(second)
    assert first.attrs["synthetic"] is True
    assert first["patient_id"].iloc[0] == "SYN-0001"
    assert first["weight_kg"].between(40, 130).all()
    assert not first.equals(demo.demo_patients(n=50, seed=1))


def test_demo_patients_refuses_an_empty_roster():
    with pytest.raises(CourseInputError, match="n of 0 patients is outside 1–10000 patients"):
        demo.demo_patients(n=0)


def test_synthetic_table_and_figure_are_labelled(capsys):
    roster = demo.demo_patients(n=20)
    plots.show_table(roster, "Demo", rows=3)
    html = capsys.readouterr().out
    assert "<IPython.core.display.HTML object>" in html
    figure, description = demo_weight_figure(roster)
    texts = [text.get_text() for text in figure.texts]
    assert SYNTHETIC_LABEL in texts
    assert "SYNTHETIC DATA" in figure.axes[0].get_title()
    assert figure.axes[0].get_xlabel() == "Body weight (kg)"
    assert "synthetic" in description
    plt.close(figure)


def test_synthetic_table_html_is_deterministic_and_captioned():
    roster = demo.demo_patients(n=5)
    html = roster.style.set_uuid("synthetic").set_caption("x").to_html()
    assert html == roster.style.set_uuid("synthetic").set_caption("x").to_html()


def test_learning_path_markdown_links_only_available_notebooks():
    table = learning_path_markdown()
    assert "[Acne pathophysiology](01_acne_pathophysiology.ipynb)" in table
    assert "[Capstone case](09_capstone_case.ipynb)" in table
    planned = tuple(dataclasses.replace(item, available=item.number != "07") for item in lessons.lessons())
    table = learning_path_markdown(planned)
    assert "| 07 | Adverse effects and counselling |" in table and "| planned |" in table


def test_inline_markup_escapes_html_and_keeps_emphasis():
    assert inline_markup("*C. acnes* <b>x</b> **bold**") == "<em>C. acnes</em> &lt;b&gt;x&lt;/b&gt; <strong>bold</strong>"
    assert inline_markup("2 * 3 * 4") == "2 * 3 * 4"
    assert paragraphs("one\nline\n\ntwo") == "<p>one line</p><p>two</p>"


def test_a_static_layer_is_laid_over_the_rest_and_refuses_a_resized_figure():
    """StaticLayer: the artists drawn once, hidden from the figure, and blended back over each later drawing."""
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    figure = Figure(figsize=(3, 2), dpi=50)
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], label="a line")
    legend = ax.legend(loc="upper left")
    whole = imread(io.BytesIO(plots.figure_png(figure)))
    layer = plots.StaticLayer(figure, [legend])
    assert not legend.get_visible()
    assert np.abs(imread(io.BytesIO(plots.figure_png(figure, layer=layer))) - whole).max() <= 2 / 255
    figure.set_size_inches(4, 2)
    with pytest.raises(CourseInputError, match="layer: drawn at 100 x 150 pixels, but the figure is 100 x 200 .*changed size"):
        plots.figure_png(figure, layer=layer)
