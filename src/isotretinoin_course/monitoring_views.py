"""Notebook 05's views of the synthetic cohort: one patient's aligned timeline, and the cohort by month."""

from __future__ import annotations

import io
from pathlib import Path

import ipywidgets as widgets
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .cohort import PLANTED, SCHEMAS
from .datasets import load_table
from .markup import inline_markup
from .monitoring import ALT_UPPER_LIMIT_U_L, TRIGLYCERIDE_PANCREATITIS_RISK_ABOVE, flag_panel
from .plots import OKABE_ITO, SYNTHETIC_LABEL, mark_synthetic, use_course_style

TG_REFERENCE, TG_VERY_HIGH = 150.0, 500.0


def load_cohort(directory: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the synthetic cohort, validated against its schema."""
    return {name: load_table(name, directory) for name in SCHEMAS}


def daily_doses(dispensing: pd.DataFrame, patient_id: str) -> pd.Series:
    """Daily dose in mg on each calendar day, from what was collected (uncollected prescriptions add nothing).

    A new supply is started when the previous one runs out, so supplies collected
    a few days early are not counted twice.
    """
    rows = dispensing[(dispensing["patient_id"] == patient_id) & dispensing["pickup_date"].notna()].sort_values("pickup_date")
    if rows.empty:
        raise KeyError(f"no collected dispensing for {patient_id}")
    days: dict[pd.Timestamp, float] = {}
    next_free = rows["pickup_date"].iloc[0]
    for row in rows.itertuples():
        first_day = max(row.pickup_date, next_free)
        for offset in range(int(row.days_supply)):
            days[first_day + pd.Timedelta(days=offset)] = float(row.daily_dose_mg)
        next_free = first_day + pd.Timedelta(days=int(row.days_supply))
    series = pd.Series(days).sort_index()
    return series.reindex(pd.date_range(series.index.min(), series.index.max(), freq="D"), fill_value=0.0)


def planted_labels() -> dict[str, str]:
    """Patient ids that carry a teachable event, with what it is."""
    labels: dict[str, list[str]] = {}
    for field_name, text in (("triglycerides_past_action", "triglycerides past 500"), ("alt_rise", "ALT rise"),
                             ("missed_pickup", "missed pick-up"), ("relapse_after_course", "relapse after the course")):
        for index in getattr(PLANTED, field_name):
            labels.setdefault(f"SYN-{index + 1:04d}", []).append(text)
    return {patient: ", ".join(items) for patient, items in labels.items()}


def patient_timeline_figure(tables: dict[str, pd.DataFrame], patient_id: str, figure: Figure | None = None) -> tuple[Figure, str]:
    """Aligned panels for one synthetic patient: dose, triglycerides, ALT, lesions and events on one time axis."""
    patients = tables["patients"].set_index("patient_id")
    if patient_id not in patients.index:
        raise KeyError(f"{patient_id} is not in the synthetic cohort")
    patient = patients.loc[patient_id]
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
    ax.legend(loc="upper left", fontsize=8)
    twin.legend(loc="lower right", fontsize=8)

    labs = tables["labs"][tables["labs"]["patient_id"] == patient_id]
    ax = axes[1]
    ax.axhspan(0, TG_REFERENCE, color=OKABE_ITO["bluish_green"], alpha=0.12, label="reference (< 150)")
    ax.axhspan(TG_VERY_HIGH, max(TG_VERY_HIGH * 1.6, labs["triglycerides_mg_dl"].max() * 1.1), color=OKABE_ITO["vermillion"], alpha=0.12, label="very high (≥ 500)")
    ax.plot(labs["date"], labs["triglycerides_mg_dl"], "o-", color=OKABE_ITO["vermillion"], label="triglycerides")
    ax.set_ylabel("Triglycerides\n(mg/dL)")
    ax.set_ylim(0, max(TG_VERY_HIGH * 1.3, labs["triglycerides_mg_dl"].max() * 1.1))
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[2]
    ax.axhspan(0, ALT_UPPER_LIMIT_U_L, color=OKABE_ITO["bluish_green"], alpha=0.12, label=f"reference (≤ {ALT_UPPER_LIMIT_U_L:g})")
    ax.axhspan(3 * ALT_UPPER_LIMIT_U_L, max(5 * ALT_UPPER_LIMIT_U_L, labs["alt_u_l"].max() * 1.1), color=OKABE_ITO["vermillion"], alpha=0.12, label="> 3× ULN (grade 2+)")
    ax.plot(labs["date"], labs["alt_u_l"], "s-", color=OKABE_ITO["reddish_purple"], label="ALT")
    ax.set_ylabel("ALT\n(U/L)")
    ax.set_ylim(0, max(4 * ALT_UPPER_LIMIT_U_L, labs["alt_u_l"].max() * 1.1))
    ax.legend(loc="upper left", fontsize=8)

    lesions = tables["lesion_counts"][tables["lesion_counts"]["patient_id"] == patient_id]
    ax = axes[3]
    ax.plot(lesions["date"], lesions["inflammatory"], "o-", color=OKABE_ITO["blue"], label="papules + pustules")
    ax.plot(lesions["date"], lesions["comedones"], "^--", color=OKABE_ITO["sky_blue"], label="comedones")
    ax.plot(lesions["date"], lesions["nodules"], "D:", color=OKABE_ITO["black"], label="nodules")
    ax.set_ylabel("Lesions\n(count)")
    ax.legend(loc="upper right", fontsize=8)

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
        ax.legend(loc="upper right", fontsize=8, ncol=3)
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
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


def patient_flags_html(tables: dict[str, pd.DataFrame], patient_id: str) -> str:
    """Each blood draw of one patient, with its flags (most urgent first)."""
    labs = tables["labs"][tables["labs"]["patient_id"] == patient_id]
    rows = []
    for row in labs.itertuples():
        flags = [flag for flag in flag_panel(row.triglycerides_mg_dl, row.total_cholesterol_mg_dl, row.hdl_mg_dl, row.alt_u_l) if flag.abnormal]
        text = "; ".join(flag.describe() for flag in flags) if flags else "all within reference ranges"
        rows.append(f"<tr><td>{row.date:%Y-%m-%d}</td><td>{row.visit}</td><td style='text-align:left'>{inline_markup(text)}</td></tr>")
    return f"<table><thead><tr><th>Date</th><th>Visit</th><th>Flags</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"


class PatientExplorer(widgets.VBox):
    """Pick a synthetic patient; see the aligned timeline and the flags of every blood draw."""

    def __init__(self, tables: dict[str, pd.DataFrame], patient_id: str = "SYN-0008") -> None:
        self.tables = tables
        planted = planted_labels()
        options = [(f"{pid} — {planted[pid]}" if pid in planted else pid, pid) for pid in tables["patients"]["patient_id"]]
        self.picker = widgets.Dropdown(options=options, value=patient_id, description="Patient", layout=widgets.Layout(width="30em"))
        self.plot = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width="900px"))
        self.description = widgets.HTML()
        self.flags = widgets.HTML()
        self._figure = Figure(figsize=(10, 9.5), dpi=90)
        self.picker.observe(self._update, names="value")
        super().__init__([widgets.HTML(f"<p><strong>Synthetic patient explorer</strong> — {SYNTHETIC_LABEL}</p>"), self.picker, self.plot, self.description, self.flags])
        self._update()

    def _update(self, _change: object = None) -> None:
        figure, description = patient_timeline_figure(self.tables, self.picker.value, self._figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        self.plot.value = buffer.getvalue()
        self.description.value = f"<p><small><em>Figure description:</em> {inline_markup(description)}</small></p>"
        self.flags.value = patient_flags_html(self.tables, self.picker.value)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Synthetic patient explorer (interactive: run the notebook to use it)"
        bundle["text/html"] = f"<p><em>The patient explorer is interactive when the notebook runs. Flags for {self.picker.value} (synthetic):</em></p>" + self.flags.value
        return bundle


def threshold_shares(labs: pd.DataFrame, upper_limit: float = ALT_UPPER_LIMIT_U_L) -> pd.DataFrame:
    """Share of patients (%) above each threshold at each visit."""
    checks = {
        "triglycerides > 150 mg/dL": labs["triglycerides_mg_dl"] > TG_REFERENCE,
        "triglycerides ≥ 500 mg/dL": labs["triglycerides_mg_dl"] >= TG_VERY_HIGH,
        "total cholesterol > 200 mg/dL": labs["total_cholesterol_mg_dl"] > 200,
        "ALT > ULN (40 U/L)": labs["alt_u_l"] > upper_limit,
        "ALT > 3× ULN": labs["alt_u_l"] > 3 * upper_limit,
    }
    frame = pd.DataFrame({name: values for name, values in checks.items()})
    frame["visit"] = labs["visit"].to_numpy()
    order = ["baseline"] + sorted({v for v in labs["visit"] if v != "baseline"}, key=lambda v: int(v.split("_")[1]))
    shares = frame.groupby("visit").mean().mul(100).round(1).reindex(order)
    shares.insert(0, "patients tested", labs.groupby("visit")["patient_id"].nunique().reindex(order))
    return shares


def cohort_threshold_figure(labs: pd.DataFrame) -> tuple[Figure, str]:
    """Grouped bars: share of synthetic patients above each threshold at baseline, month 1 and month 2."""
    use_course_style()
    shares = threshold_shares(labs).loc[["baseline", "month_1", "month_2"]].drop(columns="patients tested")
    figure = Figure(figsize=(10, 4.6), dpi=100)
    ax = figure.add_subplot()
    colours = [OKABE_ITO[name] for name in ("orange", "vermillion", "sky_blue", "reddish_purple", "black")]
    hatches = ["", "//", "", "..", "xx"]
    width = 0.16
    x = np.arange(len(shares.index))
    for position, (column, colour, hatch) in enumerate(zip(shares.columns, colours, hatches)):
        bars = ax.bar(x + (position - 2) * width, shares[column], width, color=colour, hatch=hatch, edgecolor="white", label=column)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
    ax.set_xticks(x, ["baseline", "month 1", "month 2"])
    ax.set_ylabel("Patients above the threshold (%)")
    ax.set_xlabel("Blood draw")
    ax.set_title("Synthetic cohort: share of patients above each threshold (SYNTHETIC DATA)")
    ax.legend(fontsize=8, ncol=2, loc="upper left")
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
