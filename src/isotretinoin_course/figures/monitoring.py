"""Notebook 05's figures (also used by 09): one synthetic patient's aligned timeline, and the cohort's laboratory shares."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..core.inputs import checked_arguments, read_choice, read_tables
from ..core.errors import CourseInputError
from ..models.dosing import daily_doses
from ..models.monitoring import (
    ALT_ACTION_MULTIPLE, ALT_UPPER_LIMIT_U_L, MMOL_L_PER_MG_DL, TRIGLYCERIDES_REFERENCE_MG_DL, TRIGLYCERIDES_VERY_HIGH_MG_DL, threshold_shares,
)
from .style import OKABE_ITO, mark_synthetic, use_course_style

TG_REFERENCE, TG_VERY_HIGH = TRIGLYCERIDES_REFERENCE_MG_DL, TRIGLYCERIDES_VERY_HIGH_MG_DL  # short names for the drawing code


# The tables (and columns) the patient figure draws from.
PATIENT_TABLES = {"patients": ("patient_id", "sex", "age_years", "weight_kg", "formulation", "cumulative_target_mg_per_kg"),
                  "labs": ("patient_id", "date", "triglycerides_mg_dl", "alt_u_l"),
                  "dispensing": ("patient_id", "prescription_date", "pickup_date", "days_supply", "daily_dose_mg"),
                  "lesion_counts": ("patient_id", "date", "comedones", "inflammatory", "nodules"),
                  "pregnancy_tests": ("patient_id", "date"),
                  "adverse_events": ("patient_id", "date", "event")}
# The tables a timeline draws a patient's rows from, each indexed by patient once (a widget shows one patient after another).
_PATIENT_TABLES = tuple(name for name in PATIENT_TABLES if name != "patients")
# Axis labels at fixed places (in axes fractions) rather than placed beside each patient's tick labels: the panels'
# labels line up, and they stay where a widget's StaticLayer drew them. The left one clears tick labels of three
# digits (the cohort's largest values: triglycerides 761 mg/dL, ALT 141 U/L).
_LEFT_LABEL_X, _RIGHT_LABEL_X, _DATE_LABEL_Y = -0.065, 1.065, -0.35


class PatientTimeline:
    """Aligned panels for one synthetic patient — dose, triglycerides, ALT, lesions and events on one time axis — built
    once and redrawn for another patient by updating the data of its artists.

    Creating five panels with their axes, ticks and legends costs more than drawing them, so the patient explorer
    keeps one ``PatientTimeline`` and calls :meth:`show` for each patient picked; :func:`patient_timeline_figure`
    is the one-off form for a static figure.
    """

    @checked_arguments
    def __init__(self, tables: dict[str, pd.DataFrame], figure: Figure | None = None) -> None:
        self.tables = tables = read_tables(tables, "tables", PATIENT_TABLES)
        self.patients = tables["patients"].set_index("patient_id")
        self._patient_ids = [str(pid) for pid in self.patients.index]
        self._rows = {name: tables[name].groupby("patient_id", sort=False).indices for name in _PATIENT_TABLES}
        use_course_style()
        self.figure = figure or Figure(figsize=(10, 9.5), dpi=90)
        self.figure.clear()
        axes = self.figure.subplots(5, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, 1.2, 1.2, 1.2, 0.6]})
        self.axes = axes
        for axis in axes:
            axis.xaxis_date()

        ax = axes[0]
        (self.dose,) = ax.step([], [], where="post", color=OKABE_ITO["blue"], label="daily dose (mg)")
        ax.set_ylabel("Daily dose\n(mg)")
        self.cumulative_axis = twin = ax.twinx()
        (self.cumulative,) = twin.plot([], [], color=OKABE_ITO["orange"], linestyle="--", label="cumulative (mg/kg)")
        self.target = twin.axhline(0, color=OKABE_ITO["orange"], linewidth=0.8, linestyle=":")
        twin.set_ylabel("Cumulative\n(mg/kg)")
        # Both legends belong to the dose panel, drawn over the twin's lines (a twin draws after its host and would
        # cross the host's legend): the panel goes on top, with its background hidden so the twin still shows.
        cumulative_legend = ax.add_artist(ax.legend(handles=[self.cumulative], loc="lower right", fontsize=10))
        self.legends = [ax.legend(loc="upper left", fontsize=10), cumulative_legend]
        ax.set_zorder(twin.get_zorder() + 1)
        ax.patch.set_visible(False)

        ax = axes[1]
        ax.axhspan(0, TG_REFERENCE, color=OKABE_ITO["bluish_green"], alpha=0.12, label=f"reference (< {TG_REFERENCE:g})")
        self.tg_very_high = ax.axhspan(TG_VERY_HIGH, TG_VERY_HIGH * 1.6, color=OKABE_ITO["vermillion"], alpha=0.12,
                                       label=f"very high (≥ {TG_VERY_HIGH:g})")
        (self.triglycerides,) = ax.plot([], [], "o-", color=OKABE_ITO["vermillion"], label="triglycerides")
        ax.set_ylabel("Triglycerides\n(mg/dL)")
        per_mg_dl = MMOL_L_PER_MG_DL["Triglycerides"]  # the axis scale (to_mmol_l reads lab values, and refuses 1 mg/dL)
        self.triglycerides_mmol = ax.secondary_yaxis("right", functions=(lambda mg_dl: mg_dl * per_mg_dl, lambda mmol_l: mmol_l / per_mg_dl))
        self.triglycerides_mmol.set_ylabel("(mmol/L)")
        self.legends.append(ax.legend(loc="upper right", fontsize=10))

        ax = axes[2]
        ax.axhspan(0, ALT_UPPER_LIMIT_U_L, color=OKABE_ITO["bluish_green"], alpha=0.12, label=f"reference (≤ {ALT_UPPER_LIMIT_U_L:g})")
        self.alt_high = ax.axhspan(ALT_ACTION_MULTIPLE * ALT_UPPER_LIMIT_U_L, 5 * ALT_UPPER_LIMIT_U_L, color=OKABE_ITO["vermillion"],
                                   alpha=0.12, label=f"> {ALT_ACTION_MULTIPLE:g}× ULN (grade 2+)")
        (self.alt,) = ax.plot([], [], "s-", color=OKABE_ITO["reddish_purple"], label="ALT")
        ax.set_ylabel("ALT\n(U/L)")
        self.legends.append(ax.legend(loc="upper right", fontsize=10))

        ax = axes[3]
        (self.inflammatory,) = ax.plot([], [], "o-", color=OKABE_ITO["blue"], label="papules + pustules")
        (self.comedones,) = ax.plot([], [], "^--", color=OKABE_ITO["sky_blue"], label="comedones")
        (self.nodules,) = ax.plot([], [], "D:", color=OKABE_ITO["black"], label="nodules")
        ax.set_ylabel("Lesions\n(count)")
        self.legends.append(ax.legend(loc="upper right", fontsize=10))

        ax = axes[4]
        (self.tests,) = ax.plot([], [], "|", color=OKABE_ITO["bluish_green"], markersize=14, label="pregnancy test (negative)")
        (self.adverse,) = ax.plot([], [], "*", color=OKABE_ITO["vermillion"], markersize=11, label="adverse event")
        (self.missed,) = ax.plot([], [], "x", color=OKABE_ITO["black"], markersize=10, label="prescription not collected")
        self.events_legend = None
        ax.set_ylim(-0.7, 2.7)
        ax.set_yticks([])
        ax.set_ylabel("Events")
        # At most about eight month ticks, the year written once beneath them: "%b %Y" on every month ran together.
        locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
        axes[-1].xaxis.set_major_locator(locator)
        axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes[-1].set_xlabel("Date")
        for axis in axes:
            axis.grid(alpha=0.25)
            axis.yaxis.set_label_coords(_LEFT_LABEL_X, 0.5)
        twin.yaxis.set_label_coords(_RIGHT_LABEL_X, 0.5)  # the mmol/L axis keeps its own placement (one-digit labels)
        axes[-1].xaxis.set_label_coords(0.5, _DATE_LABEL_Y)
        self.title = self.figure.suptitle("", fontsize=11)
        mark_synthetic(self.figure)
        self.stamp = self.figure.texts[-1]
        self.figure.subplots_adjust(left=0.1, right=0.9, top=0.95, bottom=0.06, hspace=0.15)

    def static_artists(self) -> list:
        """The artists that look the same and stay in the same place for every patient (legends of the first four
        panels, axis labels, the synthetic stamp): what a widget draws once as a :class:`~.style.StaticLayer`."""
        labels = [axis.yaxis.label for axis in (*self.axes, self.cumulative_axis)] + [self.axes[-1].xaxis.label]
        return self.legends + labels + [self.stamp]

    def rows(self, table: str, patient_id: str) -> pd.DataFrame:
        """One patient's rows of one table (none if the patient has none)."""
        table = read_choice(table, "table", list(_PATIENT_TABLES), what="tables with a row per patient and date")
        positions = self._rows[table].get(patient_id, [])
        return self.tables[table].iloc[positions]

    def show(self, patient_id: str) -> str:
        """Draw ``patient_id``'s timeline into the figure; return its text description."""
        patient_id = read_choice(patient_id, "patient_id", self._patient_ids, what="patient ids of the synthetic cohort")
        patient = self.patients.loc[patient_id]
        dispensing = self.rows("dispensing", patient_id)
        doses = daily_doses(dispensing, patient_id)
        cumulative = doses.cumsum() / patient["weight_kg"]
        target = patient["cumulative_target_mg_per_kg"]
        dose_days = mdates.date2num(doses.index.to_pydatetime())
        self.dose.set_data(dose_days, doses.to_numpy())
        self.axes[0].set_ylim(0, doses.max() * 1.15)
        self.cumulative.set_data(dose_days, cumulative.to_numpy())
        self.target.set_ydata([target, target])
        self.cumulative_axis.set_ylim(0, max(cumulative.max(), target) * 1.1)

        labs = self.rows("labs", patient_id)
        lab_days = mdates.date2num(labs["date"].dt.to_pydatetime())
        tg_max, alt_max = labs["triglycerides_mg_dl"].max(), labs["alt_u_l"].max()
        self.triglycerides.set_data(lab_days, labs["triglycerides_mg_dl"].to_numpy())
        self.tg_very_high.set_height(max(TG_VERY_HIGH * 1.6, tg_max * 1.1) - TG_VERY_HIGH)
        self.axes[1].set_ylim(0, max(TG_VERY_HIGH * 1.3, tg_max * 1.1))
        self.alt.set_data(lab_days, labs["alt_u_l"].to_numpy())
        alt_floor = ALT_ACTION_MULTIPLE * ALT_UPPER_LIMIT_U_L
        self.alt_high.set_height(max(5 * ALT_UPPER_LIMIT_U_L, alt_max * 1.1) - alt_floor)
        self.axes[2].set_ylim(0, max(4 * ALT_UPPER_LIMIT_U_L, alt_max * 1.1))

        lesions = self.rows("lesion_counts", patient_id)
        lesion_days = mdates.date2num(lesions["date"].dt.to_pydatetime())
        for line, column in ((self.inflammatory, "inflammatory"), (self.comedones, "comedones"), (self.nodules, "nodules")):
            line.set_data(lesion_days, lesions[column].to_numpy())
        self.axes[3].relim()
        self.axes[3].autoscale_view(scalex=False)

        events, shown = [], []
        tests = self.rows("pregnancy_tests", patient_id)
        adverse = self.rows("adverse_events", patient_id)
        missed = dispensing[dispensing["pickup_date"].isna()]
        for line, frame, column, height in ((self.tests, tests, "date", 2), (self.adverse, adverse, "date", 1),
                                            (self.missed, missed, "prescription_date", 0)):
            days = mdates.date2num(frame[column].dt.to_pydatetime()) if not frame.empty else []
            line.set_data(days, [height] * len(frame))
            if not frame.empty:
                shown.append(line)
        if not tests.empty:
            events.append(f"{len(tests)} pregnancy tests")
        if not adverse.empty:
            events.append("adverse events: " + "; ".join(f"{row.event} ({row.date:%d %b})" for row in adverse.itertuples()))
        if not missed.empty:
            events.append(f"{len(missed)} prescription not collected")
        if self.events_legend is not None:
            self.events_legend.remove()
        self.events_legend = self.axes[4].legend(handles=shown, loc="upper right", fontsize=10, ncol=3) if shown else None

        dates = [doses.index.to_series(), labs["date"], lesions["date"], tests["date"], adverse["date"], missed["prescription_date"]]
        first = min(column.min() for column in dates if not column.empty)
        last = max(column.max() for column in dates if not column.empty)
        low, high = mdates.date2num(first.to_pydatetime()), mdates.date2num(last.to_pydatetime())
        margin = (high - low) * 0.05  # matplotlib's default axes margin
        self.axes[-1].set_xlim(low - margin, high + margin)

        self.title.set_text(f"{patient_id}: {patient['sex']}, {patient['age_years']} y, {patient['weight_kg']:g} kg, "
                            f"{patient['formulation']} — SYNTHETIC DATA")
        peak_tg = labs.loc[labs["triglycerides_mg_dl"].idxmax()]
        peak_alt = labs.loc[labs["alt_u_l"].idxmax()]
        return (
            f"Five aligned panels for synthetic patient {patient_id} from {doses.index.min():%d %b %Y} to the last follow-up. Daily dose "
            f"steps between {doses[doses > 0].min():g} and {doses.max():g} mg and the cumulative dose rises to "
            f"{cumulative.iloc[-1]:.0f} mg/kg (target {target:g}). Triglycerides run from "
            f"{labs['triglycerides_mg_dl'].iloc[0]} at baseline to a peak of {peak_tg['triglycerides_mg_dl']} mg/dL on "
            f"{peak_tg['date']:%d %b %Y}; ALT peaks at {peak_alt['alt_u_l']} U/L. Inflammatory lesions go from "
            f"{lesions['inflammatory'].iloc[0]} to {lesions['inflammatory'].iloc[-1]} at the last follow-up. Events: "
            f"{'; '.join(events) if events else 'none'}."
        )


@checked_arguments
def patient_timeline_figure(tables: dict[str, pd.DataFrame], patient_id: str, figure: Figure | None = None) -> tuple[Figure, str]:
    """Aligned panels for one synthetic patient: dose, triglycerides, ALT, lesions and events on one time axis."""
    timeline = PatientTimeline(tables, figure)
    return timeline.figure, timeline.show(patient_id)


FIGURE_VISITS = ("baseline", "month_1", "month_2")


@checked_arguments
def cohort_threshold_figure(labs: pd.DataFrame) -> tuple[Figure, str]:
    """Grouped bars: share of synthetic patients above each threshold at baseline, month 1 and month 2."""
    shares = threshold_shares(labs)  # reads the table, naming a missing column or a value that is not a number
    missing = [visit for visit in FIGURE_VISITS if visit not in shares.index]
    if missing:
        raise CourseInputError("labs", missing, f"rows for {', '.join(FIGURE_VISITS)}",
                               message=f"labs: the figure compares {', '.join(FIGURE_VISITS)}; the table has no rows for {', '.join(missing)}")
    use_course_style()
    shares = shares.loc[list(FIGURE_VISITS)].drop(columns="patients tested")
    figure = Figure(figsize=(10, 4.6), dpi=100)
    ax = figure.add_subplot()
    colours = [OKABE_ITO[name] for name in ("orange", "vermillion", "sky_blue", "reddish_purple", "black")]
    hatches = ["", "//", "", "..", "xx"]
    width = 0.16
    x = np.arange(len(shares.index))
    for position, (column, colour, hatch) in enumerate(zip(shares.columns, colours, hatches)):
        bars = ax.bar(x + (position - 2) * width, shares[column], width, color=colour, hatch=hatch, edgecolor="white", label=column)
        ax.bar_label(bars, fmt="%.0f", fontsize=10, padding=1)
    ax.set_xticks(x, ["baseline", "month 1", "month 2"])
    ax.set_ylabel("Patients above the threshold (%)")
    ax.set_xlabel("Blood draw")
    ax.set_title("Synthetic cohort: share of patients above each threshold (SYNTHETIC DATA)")
    ax.legend(fontsize=10, ncol=2, loc="upper left")
    ax.set_ylim(0, max(60, float(shares.to_numpy().max()) + 12))
    ax.grid(axis="y", alpha=0.3)
    mark_synthetic(figure)
    figure.tight_layout()
    description = (
        "Grouped bars for baseline, month 1 and month 2 showing the percentage of synthetic patients above each threshold. "
        + "; ".join(f"{column}: {shares.loc['baseline', column]:.0f}% at baseline, {shares.loc['month_2', column]:.0f}% at month 2" for column in shares.columns)
        + ". Triglycerides above 150 mg/dL rise most; very high values and ALT above three times the upper limit stay rare."
    )
    return figure, description
