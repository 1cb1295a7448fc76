"""Flagging laboratory results during isotretinoin treatment.

The bands are published classifications, not isotretinoin-specific rules:
fasting triglycerides by the NCEP ATP III classes and the Endocrine Society's
pancreatitis-risk level (both in Berglund et al. 2012, Table 1), and ALT by
the NCI CTCAE v5.0 grades (multiples of the upper limit of normal). The US
label gives no numeric action level; it reports that triglyceride rises can
reverse with dose reduction or diet, and says to stop if liver enzymes do not
readily normalise or hepatitis is suspected. The *suggested actions* below are
the course's teaching summary of those sources, for discussion with the
prescriber — not a protocol; "stop pending review" at CTCAE grade 4 is the
course's own caution, not a label instruction. Total and HDL cholesterol bands
are the NCEP ATP III classes (ncep-atp3-2002); the ALT grades assume a normal
baseline (CTCAE v5.0 grades on multiples of the baseline when it is abnormal).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from ..content.ranges import read_plausible
from ..core.errors import CourseInputError
from ..core.inputs import checked_arguments, read_choice, read_frame, read_text

# The one home of every laboratory threshold the course uses (the cohort, its schema, the explorer and
# the capstone import these).
TRIGLYCERIDES_REFERENCE_MG_DL = 150.0  # ATP III: below 150 mg/dL is normal
TRIGLYCERIDES_VERY_HIGH_MG_DL = 500.0  # ATP III: "very high" from 500 mg/dL
TRIGLYCERIDE_BANDS = (  # (lower bound inclusive, label), ATP III classes
    (0.0, "normal"),
    (TRIGLYCERIDES_REFERENCE_MG_DL, "borderline-high"),
    (200.0, "high"),
    (TRIGLYCERIDES_VERY_HIGH_MG_DL, "very high"),
)
TRIGLYCERIDE_PANCREATITIS_RISK_ABOVE = 1000.0  # Endocrine Society 2012: > 1000 mg/dL is a pancreatitis risk
CHOLESTEROL_REFERENCE_MG_DL = 200.0  # ATP III: below 200 mg/dL is desirable
CHOLESTEROL_BANDS = ((0.0, "desirable"), (CHOLESTEROL_REFERENCE_MG_DL, "borderline-high"), (240.0, "high"))
HDL_LOW_BELOW = 40.0
ALT_UPPER_LIMIT_U_L = 40.0  # a common laboratory ULN; each lab reports its own
AST_UPPER_LIMIT_U_L = 40.0  # likewise; the course does not flag AST, the synthetic cohort reports it
ALT_ACTION_MULTIPLE = 3.0  # above 3×ULN (CTCAE grade 2 and higher) the prescriber is contacted
ALT_GRADE_MULTIPLES = ((1.0, 1), (ALT_ACTION_MULTIPLE, 2), (5.0, 3), (20.0, 4))  # CTCAE v5.0: above k×ULN → grade g
# Lipids are reported in mg/dL in the US and in mmol/L in the UK and most of Europe. The factors are the published
# ones of the AHRQ evidence synthesis's unit-conversion appendix (haney2007-units): mg/dL × 0.02586 = mmol/L for
# cholesterol (total or HDL) and × 0.01129 for triglycerides (about 38.67 and 88.57 mg/dL per mmol/L). They are used as
# published, the same numbers lesson 05 asks students to multiply by, not recomputed from molar masses: 10 / 386.65
# and 10 / 885.4 differ in the fourth figure and round values such as 145 mg/dL of cholesterol or 155 mg/dL of
# triglycerides to a different tenth from the one a student gets by hand.
MMOL_L_PER_MG_DL = {"Triglycerides": 0.01129, "Total cholesterol": 0.02586, "HDL cholesterol": 0.02586}


# Analyte → its quantity in the plausible-range table (content/plausible_ranges.yml).
LIPID_QUANTITIES = {"Triglycerides": "triglycerides_mg_dl", "Total cholesterol": "total_cholesterol_mg_dl", "HDL cholesterol": "hdl_mg_dl"}


def to_mmol_l(analyte: str, mg_dl: float) -> float:
    """A lipid result in mmol/L from mg/dL, e.g. ``to_mmol_l("Triglycerides", 500)`` is about 5.6.

    A value outside the plausible range of its analyte (an HDL of 500 mg/dL, or 1.7, a value in mmol/L already) is
    refused, never converted.
    """
    analyte = read_choice(analyte, "analyte", MMOL_L_PER_MG_DL, error=LabValueError)
    mg_dl = read_plausible(mg_dl, f"{analyte} (mg/dL)", LIPID_QUANTITIES[analyte], error=LabValueError)
    return mg_dl * MMOL_L_PER_MG_DL[analyte]


def visit_words(visit: str) -> str:
    """A visit label of the synthetic tables in words: ``"month_2"`` → ``"month 2"``, ``"follow_up_3"`` →
    ``"3 months after the course"``; ``"baseline"`` stays."""
    visit = read_text(visit, "visit", empty=False, max_length=60, error=LabValueError).strip()
    if match := re.fullmatch(r"month_(\d+)", visit):
        return f"month {match.group(1)}"
    if match := re.fullmatch(r"follow_up_(\d+)", visit):
        months = int(match.group(1))
        return f"{months} month{'s' if months != 1 else ''} after the course"
    return visit.replace("_", " ")


# Reference ranges (low, high) of each analyte of the synthetic cohort's laboratory table.
REFERENCE_RANGES = {
    "triglycerides_mg_dl": (None, TRIGLYCERIDES_REFERENCE_MG_DL),
    "total_cholesterol_mg_dl": (None, CHOLESTEROL_REFERENCE_MG_DL),
    "hdl_mg_dl": (HDL_LOW_BELOW, None),
    "alt_u_l": (None, ALT_UPPER_LIMIT_U_L),
    "ast_u_l": (None, AST_UPPER_LIMIT_U_L),
}


class LabValueError(CourseInputError):
    """A laboratory value that cannot be real (outside the plausible range of ``content/plausible_ranges.yml``)."""


@dataclass(frozen=True)
class Flag:
    analyte: str
    value: float
    unit: str
    band: str
    abnormal: bool
    action: str

    def describe(self) -> str:
        """One line for a student: the value with its unit (lipids also in mmol/L), the band and the action."""
        value = f"{self.value:g} {self.unit}"
        if self.unit == "mg/dL" and self.analyte in MMOL_L_PER_MG_DL:
            value += f" ({to_mmol_l(self.analyte, self.value):.1f} mmol/L)"
        return f"{self.analyte} {value}: {self.band} — {self.action}"


def _value(name: str, value: object, quantity: str) -> float:
    """A result within the plausible range of ``quantity``: extreme but real results are flagged, slips refused."""
    return float(read_plausible(value, name, quantity, error=LabValueError))


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    label = bands[0][1]
    for lower, name in bands:
        if value >= lower:
            label = name
    return label


@checked_arguments
def flag_triglycerides(mg_dl: float) -> Flag:
    """Fasting triglycerides against the ATP III classes, with the pancreatitis-risk level above 1000 mg/dL."""
    value = _value("triglycerides", mg_dl, "triglycerides_mg_dl")
    band = _band(value, TRIGLYCERIDE_BANDS)
    if value > TRIGLYCERIDE_PANCREATITIS_RISK_ABOVE:
        return Flag("Triglycerides", value, "mg/dL", "above 1000: pancreatitis risk", True,
                    "urgent: contact the prescriber today, and ask about abdominal pain: if present, same-day medical care "
                    "(pancreatitis risk rises above 1000 mg/dL, and pancreatitis also occurs at lower values)")
    actions = {
        "normal": "no action",
        "borderline-high": "common on isotretinoin: diet and alcohol advice; recheck as planned",
        "high": "tell the prescriber: diet and alcohol advice, recheck sooner",
        "very high": "contact the prescriber: the label reports reversal with dose reduction or diet; recheck promptly",
    }
    return Flag("Triglycerides", value, "mg/dL", band, band != "normal", actions[band])


@checked_arguments
def flag_cholesterol(mg_dl: float) -> Flag:
    value = _value("total cholesterol", mg_dl, "total_cholesterol_mg_dl")
    band = _band(value, CHOLESTEROL_BANDS)
    action = "no action" if band == "desirable" else "usually reverses after treatment; recheck as planned"
    return Flag("Total cholesterol", value, "mg/dL", band, band != "desirable", action)


@checked_arguments
def flag_hdl(mg_dl: float) -> Flag:
    value = _value("HDL cholesterol", mg_dl, "hdl_mg_dl")
    low = value < HDL_LOW_BELOW
    return Flag("HDL cholesterol", value, "mg/dL", "low" if low else "normal", low, "recheck as planned" if low else "no action")


@checked_arguments
def alt_grade(u_l: float, upper_limit: float = ALT_UPPER_LIMIT_U_L) -> int:
    """CTCAE v5.0 grade of an ALT result: 0 at or below the ULN, 1 above it ... 4 above 20×ULN."""
    value = _value("ALT", u_l, "alt_u_l")
    limit = _value("upper limit of normal", upper_limit, "alt_upper_limit_u_l")
    grade = 0
    for multiple, level in ALT_GRADE_MULTIPLES:
        if value > multiple * limit:
            grade = level
    return grade


def _uln_multiple_text(value: float, upper_limit: float) -> str:
    """The result as a multiple of the upper limit, to two decimals; where that would print a grade's own limit for a
    result on either side of it, it says which side instead (119.9 U/L with a ULN of 40 is "just under 3", grade 1)."""
    multiple = value / upper_limit
    shown = f"{multiple:.2f}".rstrip("0").rstrip(".")
    for limit in (1, *(level_multiple for level_multiple, _ in ALT_GRADE_MULTIPLES)):
        if float(shown) == limit and multiple != limit:
            return f"just {'over' if multiple > limit else 'under'} {limit:g}"
    return shown


@checked_arguments
def flag_alt(u_l: float, upper_limit: float = ALT_UPPER_LIMIT_U_L) -> Flag:
    grade = alt_grade(u_l, upper_limit)
    value, upper_limit = _value("ALT", u_l, "alt_u_l"), _value("upper limit of normal", upper_limit, "alt_upper_limit_u_l")
    band = "normal" if grade == 0 else f"CTCAE grade {grade} ({_uln_multiple_text(value, upper_limit)}× ULN)"
    actions = {
        0: "no action",
        1: "often transient: recheck as planned",
        2: "contact the prescriber: the label reports some elevations normalise with dose reduction; recheck promptly",
        3: "contact the prescriber today: the label says to stop if enzymes do not readily normalise or hepatitis is suspected",
        4: "urgent: contact the prescriber today; stop pending review",
    }
    return Flag("ALT", value, "U/L", band, grade > 0, actions[grade])


@checked_arguments
def flag_panel(triglycerides_mg_dl: float, total_cholesterol_mg_dl: float, hdl_mg_dl: float, alt_u_l: float,
               alt_upper_limit: float = ALT_UPPER_LIMIT_U_L) -> list[Flag]:
    """All four flags for one blood draw, most urgent first."""
    flags = [flag_triglycerides(triglycerides_mg_dl), flag_alt(alt_u_l, alt_upper_limit), flag_cholesterol(total_cholesterol_mg_dl), flag_hdl(hdl_mg_dl)]
    urgency = {True: 0, False: 1}
    return sorted(flags, key=lambda flag: (urgency[flag.action.startswith(("urgent", "contact"))], not flag.abnormal))


_LAB_COLUMNS = ("triglycerides_mg_dl", "total_cholesterol_mg_dl", "alt_u_l")


@checked_arguments
def threshold_shares(labs: pd.DataFrame, upper_limit: float = ALT_UPPER_LIMIT_U_L) -> pd.DataFrame:
    """Share of patients (%) above each threshold at each visit of the cohort's laboratory table."""
    labs = read_frame(labs, "labs", ("patient_id", "visit", *_LAB_COLUMNS), rows=True, error=LabValueError)
    upper_limit = _value("upper limit of normal", upper_limit, "alt_upper_limit_u_l")
    for column in _LAB_COLUMNS:
        if not pd.api.types.is_numeric_dtype(labs[column]):
            raise LabValueError(f"labs[{column!r}]", str(labs[column].dtype), "numbers",
                                message=f"labs: column {column!r} holds {labs[column].dtype} values, not numbers; load it with load_cohort()")
    unknown = sorted({str(visit) for visit in labs["visit"] if not re.fullmatch(r"baseline|month_[0-9]+", str(visit))})
    if unknown:
        raise LabValueError("labs['visit']", unknown[0], "baseline or month_N", message=f"labs: visit {unknown[0]!r} is not 'baseline' or 'month_N'")
    checks = {
        f"triglycerides > {TRIGLYCERIDES_REFERENCE_MG_DL:g} mg/dL ({to_mmol_l('Triglycerides', TRIGLYCERIDES_REFERENCE_MG_DL):.1f} mmol/L)": labs["triglycerides_mg_dl"] > TRIGLYCERIDES_REFERENCE_MG_DL,
        f"triglycerides ≥ {TRIGLYCERIDES_VERY_HIGH_MG_DL:g} mg/dL ({to_mmol_l('Triglycerides', TRIGLYCERIDES_VERY_HIGH_MG_DL):.1f} mmol/L)": labs["triglycerides_mg_dl"] >= TRIGLYCERIDES_VERY_HIGH_MG_DL,
        f"total cholesterol > {CHOLESTEROL_REFERENCE_MG_DL:g} mg/dL ({to_mmol_l('Total cholesterol', CHOLESTEROL_REFERENCE_MG_DL):.1f} mmol/L)": labs["total_cholesterol_mg_dl"] > CHOLESTEROL_REFERENCE_MG_DL,
        f"ALT > ULN ({upper_limit:g} U/L)": labs["alt_u_l"] > upper_limit,
        f"ALT > {ALT_ACTION_MULTIPLE:g}× ULN": labs["alt_u_l"] > ALT_ACTION_MULTIPLE * upper_limit,
    }
    frame = pd.DataFrame({name: values for name, values in checks.items()})
    frame["visit"] = labs["visit"].to_numpy()
    visits = {str(visit) for visit in labs["visit"]}
    order = ["baseline"] * ("baseline" in visits) + sorted(visits - {"baseline"}, key=lambda v: int(v.split("_")[1]))
    shares = frame.groupby("visit").mean().mul(100).round(1).reindex(order)
    shares.insert(0, "patients tested", labs.groupby("visit")["patient_id"].nunique().reindex(order))
    return shares
