"""The course map of notebook 00: the lessons of the manifest in order, in two rows, with the graded assignments."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..core.inputs import checked_arguments, read_instance, read_sequence
from ..content.lessons import Lesson, assignments, lessons
from .style import OKABE_ITO, number_word, use_course_style

# The map reads like text: two rows, left to right, in the order a student takes the notebooks.
_COLUMNS = 5


@checked_arguments
def learning_path_figure(items: tuple[Lesson, ...] | None = None) -> tuple[Figure, str]:
    """The map: the notebooks in order, in two rows, with the graded assignments beside the notebook they follow."""
    items = lessons() if items is None else tuple(read_sequence(items, "items", lambda item, where: read_instance(item, where, Lesson, "a Lesson (lessons())")))
    use_course_style()
    figure, ax = plt.subplots(figsize=(13, 5.4))
    ax.set_xlim(-0.55, _COLUMNS - 0.45)
    ax.set_ylim(-0.6, 2.05)
    ax.invert_yaxis()
    ax.axis("off")
    width, height = 0.9, 0.72
    positions = {item.number: divmod(index, _COLUMNS) for index, item in enumerate(items)}
    any_planned = any(not item.available for item in items)
    for item in items:
        row, column = positions[item.number]
        y = row * 1.25
        ax.add_patch(
            FancyBboxPatch(
                (column - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02",
                facecolor=OKABE_ITO["sky_blue"] if item.available else "#FFFFFF", edgecolor="#333333",
                linewidth=1.6 if item.available else 1.2, linestyle="-" if item.available else "--",
            )
        )
        ax.text(column, y - 0.2, f"{item.number}\n{textwrap.fill(item.title, 20)}", ha="center", va="center", fontsize=10, fontweight="bold")
        # The status line only says something while some notebooks are planned; without it the question has room at 10 pt.
        ax.text(column, y + (0.12 if any_planned else 0.17), textwrap.fill(item.question, 26), ha="center", va="center", fontsize=10)
        if any_planned:
            ax.text(column, y + 0.31, "(available)" if item.available else "(planned)", ha="center", va="center", fontsize=10, style="italic")
    for first, second in zip(items, items[1:]):
        (row_a, col_a), (row_b, col_b) = positions[first.number], positions[second.number]
        if row_a == row_b:
            start, end, style = (col_a + width / 2, row_a * 1.25), (col_b - width / 2, row_b * 1.25), "arc3,rad=0"
        else:
            start, end, style = (col_a, row_a * 1.25 + height / 2), (col_b, row_b * 1.25 - height / 2), "arc3,rad=-0.05"
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color="#555555", linewidth=1.3, connectionstyle=style))
    graded = assignments()
    text = "Graded assignments: " + "; ".join(f"{item.name} after notebook {item.lesson} ({item.title.lower()})" for item in graded)
    ax.text(-0.5, 1.95, textwrap.fill(text, 150), ha="left", va="center", fontsize=10)
    planned_lessons = [item for item in items if not item.available]
    ax.set_title("Learning path: solid blue boxes are available now, dashed white boxes are planned" if planned_lessons
                 else "Learning path: every notebook is available", fontsize=12)
    figure.tight_layout()
    available = ", ".join(f"{item.number} {item.title}" for item in items if item.available)
    planned = ", ".join(f"{item.number} {item.title}" for item in planned_lessons)
    description = (
        f"A map of the course's {len(items)} notebooks as boxes in two rows, joined by arrows in the order "
        f"00 to {items[-1].number}. Available now (solid blue boxes): {available}. "
        + (f"Planned (dashed white boxes): {planned}. " if planned_lessons else "None is still planned. ")
        + f"A line under the map lists the {number_word(len(graded))} graded assignments and the notebook each follows."
    )
    return figure, description

