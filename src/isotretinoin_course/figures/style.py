"""The course's figure style and display helpers: a colour-blind-safe palette, figures shown with a text
description, the synthetic-data stamp, and synthetic tables shown with their label.

Every course figure goes through :func:`show_figure`, which shows the image and,
right under it, a text description for readers who cannot see it (the lint
fails on a figure without one). Colours come from the Okabe–Ito palette, which
stays distinguishable with the common colour-vision deficiencies; figures never
rely on colour alone: every coloured element is also labelled.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display
from matplotlib.figure import Figure

from ..core.inputs import checked_arguments
from ..core.inputs import read_frame, read_number, read_text
from ..core.constants import FIGURE_DESCRIPTION_PREFIX, SYNTHETIC_LABEL
from ..core.errors import CourseInputError

# Okabe M, Ito K. Color Universal Design (2008): eight colours safe for colour-blind readers.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

COURSE_STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.prop_cycle": plt.cycler(color=[OKABE_ITO[name] for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow", "black")]),
    "figure.dpi": 100,
    "savefig.dpi": 100,
}


def use_course_style() -> None:
    """Apply the course's readable, colour-blind-safe defaults to matplotlib."""
    plt.rcParams.update(COURSE_STYLE)


@checked_arguments
def show_figure(figure: Figure, description: str, number: int | None = None) -> None:
    """Display ``figure`` followed by its text description, then close it.

    Closing matters: an open figure would be drawn a second time at the end of
    the cell by the inline backend.
    """
    description = read_text(description, "description", max_length=10_000)
    if len(description.split()) < 8:
        raise CourseInputError("description", description, "a sentence of at least eight words",
                               message="description: a figure needs a real text description (at least a sentence) for readers who cannot see it")
    if number is not None:
        number = read_number(number, "number", minimum=1, maximum=1000, integer=True)
    display(figure)
    plt.close(figure)
    label = f"{FIGURE_DESCRIPTION_PREFIX} {number}:*" if number is not None else f"{FIGURE_DESCRIPTION_PREFIX}:*"
    display(Markdown(f"{label} {description}"))


@checked_arguments
def mark_synthetic(figure: Figure, fontsize: float = 10) -> Figure:
    """Stamp a figure made from synthetic patient data so it is never mistaken for real data."""
    fontsize = read_number(fontsize, "fontsize", unit="pt", minimum=4, maximum=40)
    figure.text(0.995, 0.005, SYNTHETIC_LABEL, ha="right", va="bottom", fontsize=fontsize, color="#444444", style="italic")
    return figure


@checked_arguments
def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, for an ``ipywidgets.Image`` that a widget redraws."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@checked_arguments
def quick_png(figure: Figure) -> bytes:
    """The figure as a small PNG, fast: for a widget that redraws on every change (issue 21: under 100 ms).

    ``savefig`` spends about as long compressing a full-colour PNG as drawing it. A line plot has few colours,
    so a 256-colour palette (fast octree quantisation) looks the same, and light compression of that image is
    quick and still about half the size of savefig's PNG, which also shortens the trip to the browser.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


@checked_arguments
def show_table(frame: pd.DataFrame, title: str, rows: int = 10) -> None:
    """Display the first ``rows`` of a table with a caption that marks it synthetic.

    A fixed table id keeps the HTML identical from run to run (pandas would
    otherwise add a random one), so stored outputs can be checked.
    """
    frame = read_frame(frame, "frame")
    title = read_text(title, "title", max_length=300)
    rows = read_number(rows, "rows", minimum=1, maximum=1000, integer=True)
    styled = frame.head(rows).style.set_uuid("synthetic").set_caption(f"{title} — {SYNTHETIC_LABEL}").hide(axis="index")
    styled = styled.format(precision=1)
    display(HTML(styled.to_html()))


@checked_arguments
def number_word(count: int) -> str:
    """A small count in words, as figure descriptions read ("four pooled risk ratios")."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    count = read_number(count, "count", integer=True)
    return words[count] if 0 <= count < len(words) else str(count)
