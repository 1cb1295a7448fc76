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
from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from PIL import Image

from ..core.inputs import checked_arguments
from ..core.inputs import read_bool, read_frame, read_instance, read_number, read_sequence, read_text
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
    display(RenderedFigure(figure))
    plt.close(figure)
    label = f"{FIGURE_DESCRIPTION_PREFIX} {number}:*" if number is not None else f"{FIGURE_DESCRIPTION_PREFIX}:*"
    display(Markdown(f"{label} {description}"))


@checked_arguments
def mark_synthetic(figure: Figure, fontsize: float = 10) -> Figure:
    """Stamp a figure made from synthetic patient data so it is never mistaken for real data."""
    fontsize = read_number(fontsize, "fontsize", unit="pt", minimum=4, maximum=40)
    figure.text(0.995, 0.005, SYNTHETIC_LABEL, ha="right", va="bottom", fontsize=fontsize, color="#444444", style="italic")
    return figure


# zlib level 1: a course figure (mostly flat colour) compresses to within a few per cent of the default level's
# size at a fraction of its time (about 10 ms against 25 ms for a 900 x 850 pixel figure).
PNG_COMPRESS_LEVEL = 1
TIGHT_PAD_INCHES = 0.1  # the margin matplotlib's bbox_inches="tight" leaves


def _agg_canvas(figure: Figure) -> FigureCanvasAgg:
    return figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)


class StaticLayer:
    """The artists of a redrawn figure that never change, drawn once and laid over every later drawing of the rest.

    Text is the slow part of drawing with matplotlib: every label is shaped and rasterised again at each draw, and a
    figure's legends, axis labels and captions can cost half of it. A widget that redraws one figure for new data
    makes a ``StaticLayer`` of the artists that stay the same, in place as well as in content (give axis labels a
    fixed place with ``set_label_coords``, and legends a fixed ``loc``), and passes it to :func:`figure_png`. The
    artists are hidden from the figure itself, so a figure with a layer is only complete in that PNG.
    """

    @checked_arguments
    def __init__(self, figure: Figure, artists: Iterable[Artist]) -> None:
        self.figure = figure
        self.artists = read_sequence(artists, "artists", lambda item, where: read_instance(item, where, Artist, "a matplotlib Artist"))
        canvas = _agg_canvas(figure)
        canvas.draw()  # lays everything out (legend boxes, label positions) before the artists are drawn alone
        renderer = canvas.get_renderer()
        renderer.clear()  # transparent
        for artist in self.artists:
            artist.draw(renderer)
            artist.set_visible(False)
        layer = np.asarray(renderer.buffer_rgba())
        self.rows, self.columns = np.nonzero(layer[..., 3])
        pixels = layer[self.rows, self.columns].astype(np.float32)
        self.alpha = pixels[:, 3:] / 255
        self.colour = pixels[:, :3] * self.alpha
        self.size = layer.shape[:2]

    @checked_arguments
    def lay_over(self, pixels: np.ndarray) -> np.ndarray:
        """``pixels`` (an opaque drawing of the rest of the figure) with the layer on top."""
        if pixels.ndim != 3 or pixels.shape[:2] != self.size or pixels.shape[2] < 3:
            raise CourseInputError("pixels", pixels.shape, f"an image of {self.size[0]} x {self.size[1]} pixels",
                                   message=f"pixels: an image of {' x '.join(map(str, pixels.shape[:2]))} pixels, but the static layer "
                                           f"was drawn at {self.size[0]} x {self.size[1]} (the figure changed size since)")
        pixels = pixels.copy()
        below = pixels[self.rows, self.columns, :3].astype(np.float32)
        pixels[self.rows, self.columns, :3] = (self.colour + below * (1 - self.alpha) + 0.5).astype(np.uint8)
        return pixels


@checked_arguments
def figure_png(figure: Figure, tight: bool = False, layer: StaticLayer | None = None, colours: int | None = None) -> bytes:
    """The figure as PNG bytes, drawn once on an Agg canvas at the figure's own dpi and lightly compressed.

    This is the fast path for anything a student waits for: a widget that redraws its figure into an
    ``ipywidgets.Image`` (keep one ``Figure`` and its canvas, update the artists' data, then call this),
    and :func:`show_figure`. ``savefig`` would draw the figure twice with ``bbox_inches="tight"`` (once to
    measure, once to paint) and compress harder. ``tight=True`` crops the drawn image to the artists' extent
    plus a small margin, which looks like the inline backend's ``bbox_inches="tight"``; widgets leave it off
    so that their image keeps one size from update to update. ``layer``: the figure's :class:`StaticLayer`, laid
    over the drawing. ``colours``: quantise an opaque figure to a palette of that many colours (see :func:`quick_png`).
    """
    tight = read_bool(tight, "tight")
    if colours is not None:
        colours = read_number(colours, "colours", minimum=2, maximum=256, integer=True)
    canvas = _agg_canvas(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    if layer is not None:
        if pixels.shape[:2] != layer.size:
            raise CourseInputError("layer", layer, "the static layer of this figure",
                                   message=f"layer: drawn at {layer.size[0]} x {layer.size[1]} pixels, but the figure is "
                                           f"{pixels.shape[0]} x {pixels.shape[1]} (another figure's layer, or the figure changed size)")
        pixels = layer.lay_over(pixels)
    if tight:
        pixels = _cropped_to_drawing(pixels, figure)
    if pixels[..., 3].min() == 255:
        pixels = pixels[..., :3]  # an opaque figure: RGB is a quarter less to compress than RGBA
    image = Image.fromarray(np.ascontiguousarray(pixels))
    if colours is not None:
        image = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    # PIL directly: matplotlib's imsave adds a copy and metadata and took twice as long (46 ms against 24 ms here).
    image.save(buffer, format="png", dpi=(figure.dpi, figure.dpi), compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def _cropped_to_drawing(pixels: np.ndarray, figure: Figure) -> np.ndarray:
    """The pixels that differ from the figure's background, with a margin of TIGHT_PAD_INCHES.

    Found in the drawn image itself (a few milliseconds) rather than with ``get_tightbbox``, which measures every
    artist again and costs up to a third of the drawing.
    """
    background = np.array(to_rgba_array(figure.get_facecolor())[0] * 255 + 0.5, dtype=np.uint8)
    drawn = pixels.view(np.uint32)[..., 0] != background.view(np.uint32)[0]
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if rows.size == 0:
        return pixels
    pad = round(TIGHT_PAD_INCHES * figure.dpi)
    return pixels[max(0, rows[0] - pad):rows[-1] + 1 + pad, max(0, columns[0] - pad):columns[-1] + 1 + pad]


class RenderedFigure:
    """A figure drawn to PNG once, displayed as the inline backend displays a figure (the same ``text/plain``).

    Stored outputs therefore keep their ``<Figure size ... with N Axes>`` text, which strict nbval compares;
    only the image (which nbval does not compare) is made by :func:`figure_png`.
    """

    @checked_arguments
    def __init__(self, figure: Figure) -> None:
        self.png = figure_png(figure, tight=True)
        self._repr, self._str = repr(figure), str(figure)

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return self._repr

    def __str__(self) -> str:
        return self._str


@checked_arguments
def quick_png(figure: Figure) -> bytes:
    """The figure as a small PNG in a 256-colour palette: :func:`figure_png` with ``colours=256``.

    For a line plot that a widget redraws on every change (the PK simulator): a line plot has few colours, so the
    palette (fast octree quantisation) looks the same, and the image is about half the size, which also shortens
    its trip to the browser.
    """
    return figure_png(figure, colours=256)


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
