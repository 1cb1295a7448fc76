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
    ALT_ACTION_MULTIPLE, ALT_UPPER_LIMIT_U_L, TRIGLYCERIDES_REFERENCE_MG_DL, TRIGLYCERIDES_VERY_HIGH_MG_DL, threshold_shares, to_mmol_l,
)
from .style import OKABE_ITO, mark_synthetic, use_course_style

TG_REFERENCE, TG_VERY_HIGH = TRIGLYCERIDES_REFERENCE_MG_DL, TRIGLYCERIDES_VERY_HIGH_MG_DL  # short names for the drawing code


# The tables (and columns) the patient figure draws from.
PATIENT_TABLES = {"patients": ("patient_id", "sex", "age_years", "weight_kg", "formulation", "cumulative_target_mg_per_kg"),
                  "labs": ("patient_id", "date", "triglycerides_mg_dl", "alt_u_l"),
                  "dispensing": ("patient_id", "prescription_date", "pickup_date", "days_supply", "daily_dose_mg"),
                  "lesion_counts": ("patient_id", "date", "comedones", "inflammatory", "nodules"),
                  "pregnancy_tests": ("patient_id", "date"),
                  "adverse_events": ("patient_id", "date")}


@checked_arguments
def patient_timeline_figure(tables: dict[str, pd.DataFrame], patient_id: str, figure: Figure | None = None) -> tuple[Figure, str]:
    """Aligned panels for one synthetic patient: dose, triglycerides, ALT, lesions and events on one time axis."""
    tables = read_tables(tables, "tables", PATIENT_TABLES)
    patients = tables["patients"].set_index("patient_id")
    patient = patients.loc[read_choice(patient_id, "patient_id", [str(pid) for pid in patients.index], what="patient ids of the synthetic cohort")]
    use_course_style()
    figure = figure or Figure(figsize=(10, 9.5), dpi=90)
    figure.clear()
    axes = figure.subplots(5, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, 1.2, 1.2, 1.2, 0.6]})
    doses = daily_doses(tables["dispensing"], patient_id)
    cumulative = doses.cumsum() / patient["weight_kg"]
    ax = axes[0]
    ax.step(doses.index, doses.values, where="post", color=OKABE_ITO["blue"], label="daily dose (mg)")
    ax.set_ylabel("Daily dose\n(mg)")
    ax.set_ylim(0, doses.max() * 1.15)
    twin = ax.twinx()
    twin.set_ylim(0, max(cumulative.max(), patient["cumulative_target_mg_per_kg"]) * 1.1)
    twin.plot(cumulative.index, cumulative.values, color=OKABE_ITO["orange"], linestyle="--", label="cumulative (mg/kg)")
    twin.axhline(patient["cumulative_target_mg_per_kg"], color=OKABE_ITO["orange"], linewidth=0.8, linestyle=":")
    twin.set_ylabel("Cumulative\n(mg/kg)")
    ax.legend(loc="upper left", fontsize=10)
    twin.legend(loc="lower right", fontsize=10)

    labs = tables["labs"][tables["labs"]["patient_id"] == patient_id]
    ax = axes[1]
    ax.axhspan(0, TG_REFERENCE, color=OKABE_ITO["bluish_green"], alpha=0.12, label=f"reference (< {TG_REFERENCE:g})")
    ax.axhspan(TG_VERY_HIGH, max(TG_VERY_HIGH * 1.6, labs["triglycerides_mg_dl"].max() * 1.1), color=OKABE_ITO["vermillion"], alpha=0.12,
               label=f"very high (≥ {TG_VERY_HIGH:g})")
    ax.plot(labs["date"], labs["triglycerides_mg_dl"], "o-", color=OKABE_ITO["vermillion"], label="triglycerides")
    ax.set_ylabel("Triglycerides\n(mg/dL)")
    per_mg_dl = to_mmol_l("Triglycerides", 1.0)
    ax.secondary_yaxis("right", functions=(lambda mg_dl: mg_dl * per_mg_dl, lambda mmol_l: mmol_l / per_mg_dl)).set_ylabel("(mmol/L)")
    ax.set_ylim(0, max(TG_VERY_HIGH * 1.3, labs["triglycerides_mg_dl"].max() * 1.1))
    ax.legend(loc="upper right", fontsize=10)

    ax = axes[2]
    ax.axhspan(0, ALT_UPPER_LIMIT_U_L, color=OKABE_ITO["bluish_green"], alpha=0.12, label=f"reference (≤ {ALT_UPPER_LIMIT_U_L:g})")
    ax.axhspan(ALT_ACTION_MULTIPLE * ALT_UPPER_LIMIT_U_L, max(5 * ALT_UPPER_LIMIT_U_L, labs["alt_u_l"].max() * 1.1), color=OKABE_ITO["vermillion"],
               alpha=0.12, label=f"> {ALT_ACTION_MULTIPLE:g}× ULN (grade 2+)")
    ax.plot(labs["date"], labs["alt_u_l"], "s-", color=OKABE_ITO["reddish_purple"], label="ALT")
    ax.set_ylabel("ALT\n(U/L)")
    ax.set_ylim(0, max(4 * ALT_UPPER_LIMIT_U_L, labs["alt_u_l"].max() * 1.1))
    ax.legend(loc="upper right", fontsize=10)

    lesions = tables["lesion_counts"][tables["lesion_counts"]["patient_id"] == patient_id]
    ax = axes[3]
    ax.plot(lesions["date"], lesions["inflammatory"], "o-", color=OKABE_ITO["blue"], label="papules + pustules")
    ax.plot(lesions["date"], lesions["comedones"], "^--", color=OKABE_ITO["sky_blue"], label="comedones")
    ax.plot(lesions["date"], lesions["nodules"], "D:", color=OKABE_ITO["black"], label="nodules")
    ax.set_ylabel("Lesions\n(count)")
    ax.legend(loc="upper right", fontsize=10)

    ax = axes[4]
    events = []
    tests = tables["pregnancy_tests"][tables["pregnancy_tests"]["patient_id"] == patient_id]
    if not tests.empty:
        ax.plot(tests["date"], [2] * len(tests), "|", color=OKABE_ITO["bluish_green"], markersize=14, label="pregnancy test (negative)")
        events.append(f"{len(tests)} pregnancy tests")
    adverse = tables["adverse_events"][tables["adverse_events"]["patient_id"] == patient_id]
    if not adverse.empty:
        ax.plot(adverse["date"], [1] * len(adverse), "*", color=OKABE_ITO["vermillion"], markersize=11, label="adverse event")
        events.append("adverse events: " + "; ".join(f"{row.event} ({row.date:%d %b})" for row in adverse.itertuples()))
    missed = tables["dispensing"][(tables["dispensing"]["patient_id"] == patient_id) & tables["dispensing"]["pickup_date"].isna()]
    if not missed.empty:
        ax.plot(missed["prescription_date"], [0] * len(missed), "x", color=OKABE_ITO["black"], markersize=10, label="prescription not collected")
        events.append(f"{len(missed)} prescription not collected")
    ax.set_ylim(-0.7, 2.7)
    ax.set_yticks([])
    ax.set_ylabel("Events")
    if events:
        ax.legend(loc="upper right", fontsize=10, ncol=3)
    # At most about eight month ticks, the year written once beneath them: "%b %Y" on every month ran together.
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes[-1].set_xlabel("Date")
    for axis in axes:
        axis.grid(alpha=0.25)
    figure.suptitle(f"{patient_id}: {patient['sex']}, {patient['age_years']} y, {patient['weight_kg']:g} kg, {patient['formulation']} — SYNTHETIC DATA", fontsize=11)
    mark_synthetic(figure)
    figure.subplots_adjust(left=0.1, right=0.9, top=0.95, bottom=0.06, hspace=0.15)
    peak_tg = labs.loc[labs["triglycerides_mg_dl"].idxmax()]
    peak_alt = labs.loc[labs["alt_u_l"].idxmax()]
    description = (
        f"Five aligned panels for synthetic patient {patient_id} from {doses.index.min():%d %b %Y} to the last follow-up. Daily dose "
        f"steps between {doses[doses > 0].min():g} and {doses.max():g} mg and the cumulative dose rises to "
        f"{cumulative.iloc[-1]:.0f} mg/kg (target {patient['cumulative_target_mg_per_kg']:g}). Triglycerides run from "
        f"{labs['triglycerides_mg_dl'].iloc[0]} at baseline to a peak of {peak_tg['triglycerides_mg_dl']} mg/dL on "
        f"{peak_tg['date']:%d %b %Y}; ALT peaks at {peak_alt['alt_u_l']} U/L. Inflammatory lesions go from "
        f"{lesions['inflammatory'].iloc[0]} to {lesions['inflammatory'].iloc[-1]} at the last follow-up. Events: "
        f"{'; '.join(events) if events else 'none'}."
    )
    return figure, description


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
