"""Notebook 06's figures and tables (the timeline figure is also used by 09).

- :func:`timeline_figure`: one synthetic patient's tests, collection windows, supplies and contraception on one
  date axis, with the engine's verdict on each supply.
- :func:`programme_changes_figure`: what changed when, in the US, the EU and the UK, from the rule sets' own dates.
- Tables in plain language, as Markdown: the rules of a set with their source and how far they were checked
  (:func:`rules_markdown`), every set and when it applies (:func:`rule_sets_markdown`), where each test may be done
  (:func:`settings_table_markdown`), the method lists (:func:`methods_markdown`), what a set does not model
  (:func:`not_modelled_markdown`) and one record judged under each programme (:func:`comparison_markdown`).
  :func:`show_markdown` displays any of them. Students never see the rule sets' keys or status words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib.dates as mdates
from IPython.display import Markdown, display
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..core.inputs import checked_arguments
from ..content.contraception import contraceptive_methods
from ..content.programmes import category_words, programme, rule_title, source_label, source_note, status_words
from ..content.rule_sets import PROGRAMMES, RuleSet, RuleSetError, resolve_rule_set, rule_sets
from ..core.errors import CourseInputError
from ..core.inputs import read_date, read_instance, read_sequence, read_text
from ..models.risk_management import OUTCOME_WORDS, Evaluation, Timeline, decisions_by_programme, evaluate, validate_timeline
from .style import OKABE_ITO, mark_synthetic, use_course_style

TEXT_SIZE = 10  # the smallest text in these figures
TEST_MARKERS = {"lab": "o", "office": "s", "home": "^", "remote": "D"}
PROGRAMME_COLOURS = {"ipledge": OKABE_ITO["blue"], "eu": OKABE_ITO["bluish_green"], "uk": OKABE_ITO["reddish_purple"]}
SHORT_SETTINGS = {"lab": "laboratory", "office": "clinic or office", "home": "home", "remote": "remote, supervised"}
# How each outcome's supply bar is drawn: colour and hatch (the hatch tells them apart without colour).
OUTCOME_STYLE = {"dispense": (OKABE_ITO["orange"], ""), "query": (OKABE_ITO["yellow"], ".."), "refuse": (OKABE_ITO["vermillion"], "//"),
                 "not judged": ("#999999", "xx")}
OUTCOME_LEGEND = {"dispense": "supply the rules allow", "query": "supply held: query the prescriber", "refuse": "supply the rules refuse",
                  "not judged": "not judged (no modelled rule set)"}


# --------------------------------------------------------------------------- one patient's timeline


def _timeline_axes(figure: Figure) -> Axes:
    """The figure's timeline axes, emptied of the previous patient's data; new axes for any other figure.

    A widget draws one patient after another into the same figure. Emptying the axes keeps their ticks and
    formatting, which a new axes would build again (creating and clearing axes and their ticks cost about as
    much as the rest of the figure).
    """
    if len(figure.axes) == 1 and getattr(figure.axes[0], "_course_timeline", False):
        ax = figure.axes[0]
        for container in list(ax.containers):
            container.remove()
        for artist in [*ax.lines, *ax.patches, *ax.collections, *figure.texts]:
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.ignore_existing_data_limits = True  # the next patient's data alone sets the date range
        ax.set_autoscalex_on(True)
        return ax
    figure.clear()
    ax = figure.add_subplot()
    ax._course_timeline = True
    return ax


@checked_arguments
def timeline_figure(timeline: Timeline, rule_set: RuleSet | str | None = None, figure: Figure | None = None) -> tuple[Figure, str]:
    """Tests, collection windows, supplies and contraception on one date axis; ``rule_set`` defaults to the
    patient's programme, each collection judged under the set in force that day."""
    timeline = read_instance(timeline, "timeline", Timeline, "a Timeline")
    if not (timeline.pickups or timeline.pregnancy_tests or timeline.prescriptions):
        raise CourseInputError("timeline.pickups", [], "a pick-up, a test or a prescription to draw",
                               message=f"timeline.pickups: {timeline.patient_id} has no pick-up, pregnancy test or prescription, so there is "
                                       "nothing to draw on the timeline")
    if figure is not None:
        figure = read_instance(figure, "figure", Figure, "a matplotlib Figure")
    use_course_style()
    figure = figure or Figure(figsize=(10, 4.6), dpi=90)
    ax = _timeline_axes(figure)
    judged_by = rule_set if rule_set is not None else (timeline.programme or "ipledge")
    evaluation = evaluate(timeline, judged_by)
    lanes = {"contraception": 3, "tests": 2, "windows": 1, "supplies": 0}
    last = max([p.date for p in timeline.pickups] + [t.date for t in timeline.pregnancy_tests] + [p.date for p in timeline.prescriptions])
    for offset, method in enumerate(timeline.contraception):
        end = method.end or last + dt.timedelta(days=20)
        abstinence = "abstinence" in method.method.lower()
        ax.plot([method.start, end], [lanes["contraception"] + 0.15 * offset] * 2, color=OKABE_ITO["bluish_green"], linewidth=4,
                solid_capstyle="butt", linestyle=":" if abstinence else "-")
    for test in timeline.pregnancy_tests:
        colour = OKABE_ITO["vermillion"] if test.result == "positive" else OKABE_ITO["blue"]
        ax.plot([test.date], [lanes["tests"]], "X" if test.result == "positive" else TEST_MARKERS[test.setting], color=colour, markersize=9)
    supplies = {p.date: p.days_supply for p in timeline.prescriptions}
    for decision in evaluation.decisions:
        if decision.window:
            start, last_day = decision.window
            ax.barh(lanes["windows"], (last_day - start).days + 1, left=start, height=0.35, color=OKABE_ITO["sky_blue"], alpha=0.6)
        colour, hatch = OUTCOME_STYLE[decision.outcome]
        ax.barh(lanes["supplies"], supplies[decision.prescription_date], left=decision.date, height=0.35, color=colour, hatch=hatch, edgecolor="white")
    ax.set_yticks(list(lanes.values()), ["contraception\n(a line per method)", "pregnancy tests", "collection windows", "supplies collected"],
                 fontsize=TEXT_SIZE)
    ax.set_ylim(-0.6, 3.9)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.tick_params(axis="x", labelsize=TEXT_SIZE)
    ax.set_xlabel("Date", fontsize=TEXT_SIZE + 1)
    ax.grid(axis="x", alpha=0.3)
    used = sorted({test.setting for test in timeline.pregnancy_tests if test.result == "negative"}, key=list(TEST_MARKERS).index)
    shown = {"dispense", "refuse"} | {decision.outcome for decision in evaluation.decisions}
    handles = [Patch(facecolor=OUTCOME_STYLE[outcome][0], hatch=OUTCOME_STYLE[outcome][1], edgecolor="white", label=OUTCOME_LEGEND[outcome])
               for outcome in OUTCOME_STYLE if outcome in shown]
    handles.append(Patch(color=OKABE_ITO["sky_blue"], alpha=0.6, label="collection window"))
    handles += [Line2D([], [], marker=TEST_MARKERS[setting], color=OKABE_ITO["blue"], linestyle="", label=f"negative test: {SHORT_SETTINGS[setting]}") for setting in used]
    if any(test.result == "positive" for test in timeline.pregnancy_tests):
        handles.append(Line2D([], [], marker="X", color=OKABE_ITO["vermillion"], linestyle="", label="positive test"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize=TEXT_SIZE, frameon=False)
    under = resolve_rule_set(rule_set).short_name if rule_set is not None and not (isinstance(rule_set, str) and rule_set in PROGRAMMES) \
        else f"{programme(judged_by).name}, rules in force on each date"
    ax.set_title(f"{timeline.patient_id} under {under} (SYNTHETIC DATA)", fontsize=TEXT_SIZE + 2)
    mark_synthetic(figure, fontsize=TEXT_SIZE)
    figure.subplots_adjust(left=0.2, right=0.98, top=0.9, bottom=0.38)
    refused = [d for d in evaluation.decisions if d.outcome == "refuse"]
    held = [d for d in evaluation.decisions if d.outcome == "query"]
    unjudged = [d for d in evaluation.decisions if d.outcome == "not judged"]
    description = (
        f"A timeline for synthetic patient {timeline.patient_id} with four lanes: contraception methods as green lines (dotted for "
        f"abstinence), pregnancy tests as markers whose shape shows where each was done ({len(timeline.pregnancy_tests)} tests), collection "
        f"windows as blue bars, and each collected supply as a bar starting on its collection day ({len(evaluation.decisions)} collections). "
        + (f"{len(refused)} supply bar(s) are hatched red because the rules refuse them: "
           + "; ".join(f"{d.date} ({d.rule})" for d in refused) + ". " if refused else "")
        + (f"{len(held)} supply bar(s) are dotted yellow because the pharmacist holds them and queries the prescriber: "
           + "; ".join(f"{d.date} ({d.rule})" for d in held) + ". " if held else "")
        + (f"{len(unjudged)} supply bar(s) are grey: no rule set the course models governs that day. " if unjudged else "")
        + ("Every supply is allowed by the rules." if not (refused or held or unjudged) else "")
    ).strip()
    return figure, description


# --------------------------------------------------------------------------- what changed when


def _label(rule_set: RuleSet) -> str:
    if rule_set.date_detail.precision == "month":
        when = rule_set.applies_from.strftime("%b %Y") + " (month only)"
    else:
        when = f"{rule_set.applies_from.day} {rule_set.applies_from.strftime('%b %Y')}"
    if not rule_set.date_detail.confirmed:
        when += " (scheduled, not confirmed)"
    return when


@checked_arguments
def programme_changes_figure(until: dt.date = dt.date(2027, 6, 30)) -> tuple[Figure, str]:
    """One row per rule set: a marker on the day it starts, a line for the period it applies, and what changed."""
    until = read_date(until, "until", minimum=dt.date(2018, 1, 1), maximum=dt.date(2100, 12, 31))
    use_course_style()
    ordered = sorted(rule_sets().values(), key=lambda rule_set: (PROGRAMMES.index(rule_set.programme), rule_set.applies_from))
    figure = Figure(figsize=(12, 7), dpi=90)
    ax = figure.add_subplot()
    start = dt.date(2017, 7, 1)
    for row, rule_set in enumerate(reversed(ordered)):
        colour = PROGRAMME_COLOURS[rule_set.programme]
        end = rule_set.applies_until or until
        confirmed = rule_set.date_detail.confirmed
        ax.plot([rule_set.applies_from, end], [row, row], color=colour, linewidth=5, solid_capstyle="butt", linestyle="-" if confirmed else (0, (2, 1.5)))
        if not rule_set.end_confirmed:  # its end is another set's unconfirmed start: it may go on, drawn as a thin dashed tail
            ax.plot([end, until], [row, row], color=colour, linewidth=2, linestyle=(0, (2, 1.5)))
        if rule_set.date_detail.precision == "month":  # only the month is known: a short bar under the line spans it
            month_end = (rule_set.applies_from.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            ax.plot([rule_set.applies_from, month_end], [row - 0.22] * 2, color=colour, linewidth=3, solid_capstyle="butt")
        ax.plot([rule_set.applies_from], [row], "o", markersize=10, markerfacecolor=colour if confirmed else "white", markeredgecolor=colour,
                markeredgewidth=2)
        # What changed, left-aligned above the row so that every label fits whatever its date.
        ax.text(start + dt.timedelta(days=20), row + 0.2, f"{_label(rule_set)}: {rule_set.change}", ha="left", va="bottom", fontsize=TEXT_SIZE, color="#222222")
    ax.set_yticks(range(len(ordered)), [rule_set.short_name for rule_set in reversed(ordered)], fontsize=TEXT_SIZE + 1)
    ax.set_ylim(-0.6, len(ordered) - 0.2)
    ax.set_xlim(start, until)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="x", labelsize=TEXT_SIZE + 1)
    ax.set_xlabel("Year (a line runs while the rule set applies)", fontsize=TEXT_SIZE + 1)
    ax.grid(axis="x", alpha=0.3)
    handles = [Line2D([], [], color=PROGRAMME_COLOURS[key], linewidth=5, label=f"{programme(key).region}: {programme(key).name}") for key in PROGRAMMES]
    handles += [Line2D([], [], color="#555555", linewidth=5, linestyle=(0, (2, 1.5)), marker="o", markerfacecolor="white", markersize=9,
                       label="start date scheduled, not confirmed"),
                Line2D([], [], color="#555555", linewidth=2, linestyle=(0, (2, 1.5)), label="thin dashed tail: may go on if that start is delayed"),
                Line2D([], [], color="#555555", linewidth=3, label="short bar below: only the month is known")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=TEXT_SIZE, frameon=False)
    ax.set_title("Pregnancy risk-management rules for isotretinoin: what changed when", fontsize=TEXT_SIZE + 2)
    figure.subplots_adjust(left=0.13, right=0.98, top=0.94, bottom=0.24)
    description = "A timeline from mid-2017 to mid-2027 with one row per rule set, each starting with a marker and running as a line while it applies. " + " ".join(
        f"{programme(rule_set.programme).region}, {rule_set.short_name}: from {_label(rule_set)}"
        + (f" to {rule_set.applies_until.day} {rule_set.applies_until.strftime('%b %Y')}" if rule_set.applies_until else ", still in force")
        + (" (an end that depends on an unconfirmed date)" if not rule_set.end_confirmed else "")
        + f" ({rule_set.change})." for rule_set in ordered
    ) + (" The 2026 iPLEDGE line is dashed and its marker hollow because its start date is scheduled, not confirmed; the discretion line"
         " goes on as a thin dashed tail because it would still apply if that start was postponed.")
    return figure, description


# --------------------------------------------------------------------------- tables in plain language


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def _source(key: str, section: str = "") -> str:
    return f"[{source_label(key)}](#ref-{key})" + (f": {_cell(section)}" if section else "")


def _checked(status: str, source: str) -> str:
    """How far a rule could be checked, and what kind of source it rests on (its age and authority)."""
    note = source_note(source)
    return status_words(status) + (f" — {_cell(note)}" if note else "")


@checked_arguments
def rules_markdown(rule_set: RuleSet | str, only: Sequence[str] | None = None) -> str:
    """Every rule of a set (or only the rules named): what it requires, where it comes from, how far it was checked."""
    rule_set = resolve_rule_set(rule_set)
    names = read_sequence(only, "only", lambda item, where: read_text(item, where)) if only is not None else list(rule_set.rules)
    unknown = [name for name in names if name not in rule_set.rules]
    if unknown:
        raise RuleSetError("only", unknown[0], "a rule name", message=f"only: {unknown[0]!r} is not a rule; the rules are {', '.join(rule_set.rules)}")
    lines = [f"**{rule_set.name}** — applies {rule_set.period_words()}. {_cell(rule_set.date_detail.plain)}", "",
             "| Rule | What it requires | Source | How far we could check it, and what the source is |", "|---|---|---|---|"]
    for rule in (rule_set.rules[name] for name in names):
        lines.append(f"| {rule_title(rule.name)} | {_cell(rule.plain)} | {_source(rule.source, rule.section)} | {_checked(rule.status, rule.source)} |")
    return "\n".join(lines)


def rule_sets_markdown() -> str:
    """Every rule set: programme, when it applies and what changed."""
    lines = ["| Programme | Rule set | Applies | What changed | How sure we are of the start date |", "|---|---|---|---|---|"]
    ordered = sorted(rule_sets().values(), key=lambda rule_set: (PROGRAMMES.index(rule_set.programme), rule_set.applies_from))
    for rule_set in ordered:
        lines.append(f"| {programme(rule_set.programme).region} | {rule_set.short_name} | {rule_set.period_words()} | {_cell(rule_set.change)} | "
                     f"{_cell(rule_set.date_detail.plain)} ({_source(rule_set.date_detail.source)}) |")
    return "\n".join(lines)


def settings_table_markdown() -> str:
    """Where each test may be done under each rule set."""
    phases = {"screening": "Screening test", "confirmation": "Test just before the first dose", "during": "Tests during treatment",
              "after": "At and after the end of the course"}
    lines = ["| Rule set | " + " | ".join(phases.values()) + " |", "|---|" + "---|" * len(phases)]
    ordered = sorted(rule_sets().values(), key=lambda rule_set: (PROGRAMMES.index(rule_set.programme), rule_set.applies_from))
    for rule_set in ordered:
        cells = [", ".join(SHORT_SETTINGS[setting] for setting in rule_set.settings(phase)) or "no separate test" for phase in phases]
        lines.append(f"| {rule_set.short_name}, {rule_set.period_words()} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def methods_markdown() -> str:
    """Each method and its class in each programme, with where each list comes from."""
    methods = contraceptive_methods()
    lists = methods.lists
    lines = ["| Method | US iPLEDGE | EU | UK |", "|---|---|---|---|"]
    for method in methods.methods:
        cells = []
        for key in PROGRAMMES:
            classed = method.classes[key]
            cells.append(lists[key].classes[classed.klass] + (" (not confirmed)" if classed.status == "to-check" else ""))
        lines.append(f"| {method.name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"- **{programme(key).region}:** {lists[key].plain} Source: {_source(lists[key].source, lists[key].section)}; "
              f"{_checked(lists[key].status, lists[key].source)}." for key in PROGRAMMES]
    return "\n".join(lines)


@checked_arguments
def not_modelled_markdown(rule_set: RuleSet | str) -> str:
    """What a set requires that the course's engine does not check."""
    rule_set = resolve_rule_set(rule_set)
    lines = [f"Not checked by the course's engine under **{rule_set.short_name}**:", ""]
    lines += [f"- **{item.topic}.** {_cell(item.plain)} ({_source(item.source)}; {_checked(item.status, item.source)})" for item in rule_set.not_modelled]
    return "\n".join(lines)


@checked_arguments
def comparison_markdown(timeline: Timeline) -> str:
    """One record's collections decided under each programme's rules in force on each date, with the reasons for every
    verdict other than a plain dispense and every note."""
    timeline = validate_timeline(timeline)  # the record as read, or a refusal naming the entry (each programme's reasons come below)
    results = decisions_by_programme(timeline)
    dates = [pickup.date for pickup in timeline.pickups]
    lines = [f"Synthetic record {timeline.patient_id} ({category_words(timeline.category)}) judged under each programme:", "",
             "| Collection | " + " | ".join(programme(key).region for key in PROGRAMMES) + " |", "|---|" + "---|" * len(PROGRAMMES)]
    why = []
    for index, day in enumerate(dates):
        cells = []
        for key in PROGRAMMES:
            result = results[key]
            if isinstance(result, Evaluation):
                decision = result.decisions[index]
                cells.append(f"**{OUTCOME_WORDS[decision.outcome]}** — {_cell(decision.rule)}" + (" (see the note below)" if decision.flags else ""))
                if decision.outcome != "dispense":
                    why.append(f"- {day}, {programme(key).region}: {_cell(decision.reason)}.")
                why += [f"- {day}, {programme(key).region}, note: {_cell(flag)}." for flag in decision.flags]
            else:
                cells.append(f"cannot be judged: {_cell(result)}")
        lines.append(f"| {day} | " + " | ".join(cells) + " |")
    if why:
        lines += ["", "Why:", "", *why]
    return "\n".join(lines)


@checked_arguments
def show_markdown(text: str) -> None:
    text = read_text(text, "text", max_length=1_000_000)
    """Display one of the tables above in the notebook."""
    display(Markdown(text))
