"""The learning path: every planned notebook and graded exercise, and a map of it.

This list is the one place that says what the course contains; the start-here
notebook draws it, and a test checks it against the notebooks that exist.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .plots import OKABE_ITO, use_course_style


@dataclass(frozen=True)
class Lesson:
    number: str
    slug: str
    title: str
    question: str
    builds_on: tuple[str, ...]
    available: bool

    @property
    def filename(self) -> str:
        return f"{self.number}_{self.slug}.ipynb"


LESSONS: tuple[Lesson, ...] = (
    Lesson("00", "start_here", "Start here", "How do I use this course?", (), True),
    Lesson("01", "acne_pathophysiology", "Acne pathophysiology", "What goes wrong in the follicle, and how severe is it?", ("00",), True),
    Lesson("02", "isotretinoin_mechanism", "Isotretinoin's mechanism", "How does one drug act on all four factors?", ("01",), True),
    Lesson("03", "pharmacokinetics", "Pharmacokinetics", "Why take it with food, and how long does it stay?", ("02",), True),
    Lesson("04", "dosing_and_cumulative_dose", "Dosing and cumulative dose", "How is a course dosed and how long does it run?", ("03",), True),
    Lesson("05", "laboratory_monitoring", "Laboratory monitoring", "Which blood tests, when, and what do results trigger?", ("04",), True),
    Lesson("06", "pregnancy_risk_management", "Pregnancy risk management", "What must the pharmacist verify before dispensing?", ("02",), True),
    Lesson("07", "adverse_effects_and_counselling", "Adverse effects and counselling", "What do I tell the patient at the counter?", ("05", "06"), True),
    Lesson("08", "evaluating_online_drug_information", "Evaluating online drug information", "Which online claims hold up?", ("06",), True),
    Lesson("09", "capstone_case", "Capstone case", "Can I follow one patient through a whole course?", ("04", "05", "06", "07"), True),
)

ASSIGNMENTS = (
    ("Assignment 1", "Dosing and cumulative-dose calculations", "04"),
    ("Assignment 2", "Interpreting a synthetic patient's laboratory results", "05"),
    ("Assignment 3", "Auditing a dispensing log against the programme's rules", "06"),
    ("Assignment 4", "Critiquing a claim from consumer drug information", "08"),
)

# The map reads like text: two rows, left to right, in the order a student takes the notebooks.
_COLUMNS = 5


def lesson(number: str) -> Lesson:
    for item in LESSONS:
        if item.number == number:
            return item
    raise KeyError(f"no lesson numbered {number!r}")


def learning_path_markdown() -> str:
    """The learning path as a Markdown table, with status and links to what exists."""
    rows = ["| # | Notebook | The question it answers | Builds on | Status |", "|---|---|---|---|---|"]
    for item in LESSONS:
        name = f"[{item.title}]({item.filename})" if item.available else item.title
        builds_on = ", ".join(item.builds_on) or "—"
        status = "available" if item.available else "planned"
        rows.append(f"| {item.number} | {name} | {item.question} | {builds_on} | {status} |")
    return "\n".join(rows)


def learning_path_figure() -> tuple[Figure, str]:
    """The map: the notebooks in order, in two rows, with the graded assignments beside the notebook they follow."""
    use_course_style()
    figure, ax = plt.subplots(figsize=(13, 5.4))
    ax.set_xlim(-0.55, _COLUMNS - 0.45)
    ax.set_ylim(-0.6, 2.05)
    ax.invert_yaxis()
    ax.axis("off")
    width, height = 0.9, 0.72
    positions = {item.number: divmod(index, _COLUMNS) for index, item in enumerate(LESSONS)}
    for item in LESSONS:
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
        ax.text(column, y + 0.14, textwrap.fill(item.question, 26), ha="center", va="center", fontsize=8)
        ax.text(column, y + 0.3, "(available)" if item.available else "(planned)", ha="center", va="center", fontsize=8, style="italic")
    for first, second in zip(LESSONS, LESSONS[1:]):
        (row_a, col_a), (row_b, col_b) = positions[first.number], positions[second.number]
        if row_a == row_b:
            start, end, style = (col_a + width / 2, row_a * 1.25), (col_b - width / 2, row_b * 1.25), "arc3,rad=0"
        else:
            start, end, style = (col_a, row_a * 1.25 + height / 2), (col_b, row_b * 1.25 - height / 2), "arc3,rad=-0.05"
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color="#555555", linewidth=1.3, connectionstyle=style))
    assignments = "Graded assignments: " + "; ".join(f"{name} after notebook {after} ({topic.lower()})" for name, topic, after in ASSIGNMENTS)
    ax.text(-0.5, 1.95, textwrap.fill(assignments, 150), ha="left", va="center", fontsize=9)
    planned_lessons = [item for item in LESSONS if not item.available]
    ax.set_title("Learning path: solid blue boxes are available now, dashed white boxes are planned" if planned_lessons
                 else "Learning path: every notebook is available", fontsize=12)
    figure.tight_layout()
    available = ", ".join(f"{item.number} {item.title}" for item in LESSONS if item.available)
    planned = ", ".join(f"{item.number} {item.title}" for item in planned_lessons)
    description = (
        f"A map of the course's {len(LESSONS)} notebooks as boxes in two rows, joined by arrows in the order "
        f"00 to {LESSONS[-1].number}. Available now (solid blue boxes): {available}. "
        + (f"Planned (dashed white boxes): {planned}. " if planned_lessons else "None is still planned. ")
        + "A line under the map lists the four graded assignments and the notebook each follows."
    )
    return figure, description
