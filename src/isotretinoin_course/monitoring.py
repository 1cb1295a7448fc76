"""Flagging laboratory results during isotretinoin treatment.

The bands are published classifications, not isotretinoin-specific rules:
fasting triglycerides by the NCEP ATP III classes and the Endocrine Society's
pancreatitis-risk level (both in Berglund et al. 2012, Table 1), and ALT by
the NCI CTCAE v5.0 grades (multiples of the upper limit of normal). The US
label gives no numeric action level; it reports that triglyceride rises can
reverse with dose reduction or diet, and says to stop if liver enzymes do not
readily normalise or hepatitis is suspected. The *suggested actions* below are
the course's teaching summary of those sources, for discussion with the
prescriber — not a protocol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TRIGLYCERIDE_BANDS = (  # (lower bound inclusive, label), ATP III classes
    (0.0, "normal"),
    (150.0, "borderline-high"),
    (200.0, "high"),
    (500.0, "very high"),
)
TRIGLYCERIDE_PANCREATITIS_RISK_ABOVE = 1000.0  # Endocrine Society 2012: > 1000 mg/dL is a pancreatitis risk
CHOLESTEROL_BANDS = ((0.0, "desirable"), (200.0, "borderline-high"), (240.0, "high"))
HDL_LOW_BELOW = 40.0
ALT_UPPER_LIMIT_U_L = 40.0  # a common laboratory ULN; each lab reports its own
ALT_GRADE_MULTIPLES = ((1.0, 1), (3.0, 2), (5.0, 3), (20.0, 4))  # CTCAE v5.0: above k×ULN → grade g


class LabValueError(ValueError):
    """A laboratory value that cannot be real."""


@dataclass(frozen=True)
class Flag:
    analyte: str
    value: float
    unit: str
    band: str
    abnormal: bool
    action: str

    def describe(self) -> str:
        return f"{self.analyte} {self.value:g} {self.unit}: {self.band} — {self.action}"


def _value(name: str, value: object, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise LabValueError(f"{name} must be a number in {unit}, got {value!r}")
    if value <= 0:
        raise LabValueError(f"{name} must be positive, got {value:g} {unit}")
    return float(value)


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    label = bands[0][1]
    for lower, name in bands:
        if value >= lower:
            label = name
    return label


def flag_triglycerides(mg_dl: float) -> Flag:
    """Fasting triglycerides against the ATP III classes, with the pancreatitis-risk level above 1000 mg/dL."""
    value = _value("triglycerides", mg_dl, "mg/dL")
    band = _band(value, TRIGLYCERIDE_BANDS)
    if value > TRIGLYCERIDE_PANCREATITIS_RISK_ABOVE:
        return Flag("Triglycerides", value, "mg/dL", "above 1000: pancreatitis risk", True,
                    "urgent: contact the prescriber today; the risk of pancreatitis rises above 1000 mg/dL")
    actions = {
        "normal": "no action",
        "borderline-high": "common on isotretinoin: diet and alcohol advice; recheck as planned",
        "high": "tell the prescriber: diet and alcohol advice, recheck sooner",
        "very high": "contact the prescriber: the label reports reversal with dose reduction or diet; recheck promptly",
    }
    return Flag("Triglycerides", value, "mg/dL", band, band != "normal", actions[band])


def flag_cholesterol(mg_dl: float) -> Flag:
    value = _value("total cholesterol", mg_dl, "mg/dL")
    band = _band(value, CHOLESTEROL_BANDS)
    action = "no action" if band == "desirable" else "usually reverses after treatment; recheck as planned"
    return Flag("Total cholesterol", value, "mg/dL", band, band != "desirable", action)


def flag_hdl(mg_dl: float) -> Flag:
    value = _value("HDL cholesterol", mg_dl, "mg/dL")
    low = value < HDL_LOW_BELOW
    return Flag("HDL cholesterol", value, "mg/dL", "low" if low else "normal", low, "recheck as planned" if low else "no action")


def alt_grade(u_l: float, upper_limit: float = ALT_UPPER_LIMIT_U_L) -> int:
    """CTCAE v5.0 grade of an ALT result: 0 at or below the ULN, 1 above it ... 4 above 20×ULN."""
    value = _value("ALT", u_l, "U/L")
    limit = _value("upper limit of normal", upper_limit, "U/L")
    grade = 0
    for multiple, level in ALT_GRADE_MULTIPLES:
        if value > multiple * limit:
            grade = level
    return grade


def flag_alt(u_l: float, upper_limit: float = ALT_UPPER_LIMIT_U_L) -> Flag:
    grade = alt_grade(u_l, upper_limit)
    value = float(u_l)
    band = "normal" if grade == 0 else f"CTCAE grade {grade} ({value / upper_limit:.1f}× ULN)"
    actions = {
        0: "no action",
        1: "often transient: recheck as planned",
        2: "contact the prescriber: the label reports some elevations normalise with dose reduction; recheck promptly",
        3: "contact the prescriber today: the label says to stop if enzymes do not readily normalise or hepatitis is suspected",
        4: "urgent: contact the prescriber today; stop pending review",
    }
    return Flag("ALT", value, "U/L", band, grade > 0, actions[grade])


def flag_panel(triglycerides_mg_dl: float, total_cholesterol_mg_dl: float, hdl_mg_dl: float, alt_u_l: float,
               alt_upper_limit: float = ALT_UPPER_LIMIT_U_L) -> list[Flag]:
    """All four flags for one blood draw, most urgent first."""
    flags = [flag_triglycerides(triglycerides_mg_dl), flag_alt(alt_u_l, alt_upper_limit), flag_cholesterol(total_cholesterol_mg_dl), flag_hdl(hdl_mg_dl)]
    urgency = {True: 0, False: 1}
    return sorted(flags, key=lambda flag: (urgency[flag.action.startswith(("urgent", "contact"))], not flag.abnormal))
