"""Notebook 06's timeline figure (also used by 09): tests, pick-up windows, supplies and contraception on one date axis."""

from __future__ import annotations

import datetime as dt

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..content.rule_sets import RuleSet
from ..models.risk_management import Timeline, evaluate
from .style import OKABE_ITO, mark_synthetic, use_course_style


def timeline_figure(timeline: Timeline, rule_set: RuleSet, figure: Figure | None = None) -> tuple[Figure, str]:
    """Tests, 7-day windows, supplies and contraception coverage on one date axis."""
    use_course_style()
    figure = figure or Figure(figsize=(10, 3.8), dpi=90)
    figure.clear()
    ax = figure.add_subplot()
    evaluation = evaluate(timeline, rule_set)
    lanes = {"contraception": 3, "tests": 2, "windows": 1, "supplies": 0}
    for offset, method in enumerate(timeline.contraception):
        end = method.end or max(p.date for p in timeline.pickups) + dt.timedelta(days=60)
        ax.plot([method.start, end], [lanes["contraception"] + 0.15 * offset] * 2, color=OKABE_ITO["bluish_green"], linewidth=4, solid_capstyle="butt")
    window_days = rule_set.pickup_window_days[timeline.category]
    for test in timeline.pregnancy_tests:
        marker, colour = ("X", OKABE_ITO["vermillion"]) if test.result == "positive" else ({"lab": "o", "office": "s", "home": "^"}[test.setting], OKABE_ITO["blue"])
        ax.plot([test.date], [lanes["tests"]], marker, color=colour, markersize=8)
        if window_days and rule_set.pickup_window_starts[timeline.category] == "pregnancy_test" and test.result == "negative":
            ax.barh(lanes["windows"], window_days, left=test.date, height=0.35, color=OKABE_ITO["sky_blue"], alpha=0.6)
    if window_days and rule_set.pickup_window_starts[timeline.category] == "prescription":
        for prescription in timeline.prescriptions:
            ax.barh(lanes["windows"], window_days, left=prescription.date, height=0.35, color=OKABE_ITO["sky_blue"], alpha=0.6)
    supplies = {p.date: p.days_supply for p in timeline.prescriptions}
    for decision in evaluation.decisions:
        colour = OKABE_ITO["orange"] if decision.allowed else OKABE_ITO["vermillion"]
        ax.barh(lanes["supplies"], supplies[decision.prescription_date], left=decision.date, height=0.35, color=colour,
                hatch="" if decision.allowed else "//", edgecolor="white")
    ax.set_yticks(list(lanes.values()), ["contraception\n(a line per method)", "pregnancy tests", "pick-up windows", "supplies collected"])
    ax.set_ylim(-0.6, 3.9)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.set_xlabel("Date")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color=OKABE_ITO["orange"], label="supply the rules allow"),
                       Patch(facecolor=OKABE_ITO["vermillion"], hatch="//", edgecolor="white", label="supply the rules refuse"),
                       Patch(color=OKABE_ITO["sky_blue"], alpha=0.6, label=f"{window_days}-day pick-up window" if window_days else "no window")],
              loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, fontsize=8, frameon=False)
    ax.set_title(f"{timeline.patient_id} under {rule_set.name} (SYNTHETIC DATA)", fontsize=11)
    mark_synthetic(figure)
    figure.subplots_adjust(left=0.2, right=0.98, top=0.88, bottom=0.34)
    refused = [d for d in evaluation.decisions if not d.allowed]
    description = (
        f"A timeline for synthetic patient {timeline.patient_id} with four lanes: contraception methods as green lines, pregnancy "
        f"tests as markers ({len(timeline.pregnancy_tests)} tests), pick-up windows as blue bars, and each collected supply as a bar "
        f"starting on its collection day ({len(evaluation.decisions)} collections). "
        + (f"{len(refused)} supply bar(s) are hatched red because the rules refuse them: "
           + "; ".join(f"{d.date} ({d.rule})" for d in refused) + "." if refused else "Every supply is allowed by the rules.")
    )
    return figure, description


