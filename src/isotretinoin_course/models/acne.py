"""Acne lesion counts, a lesion-count severity scheme, and where isotretinoin fits.

The severity scheme here is a *teaching device*. It is the lesion-count table
reproduced by the ICSI acne guideline (2006) and widely attributed to the AHRQ
evidence report behind Lehmann et al. (2002). The AAD has said that no single
grading system can be recommended (Zaenglein et al. 2016), so students should
treat the output as one structured view of a patient, not a diagnosis.

The isotretinoin summary contrasts two dated sources that students must tell
apart: the US prescribing information (indication: severe recalcitrant nodular
acne, multiple inflammatory nodules of 5 mm or more, unresponsive to
conventional therapy including systemic antibiotics) and the AAD 2024 guideline
(strongly recommended for acne that is severe, causing psychosocial burden or
scarring, or failing standard oral or topical therapy).
"""

from __future__ import annotations

from dataclasses import dataclass

from collections.abc import Mapping

from ..core.inputs import checked_arguments
from ..content.ranges import read_plausible
from ..core.errors import CourseInputError
from ..core.inputs import read_bool

SEVERITY_ORDER = ("clear", "mild", "moderate", "severe")

# Upper limits of each band, from the lesion-count table (ICSI 2006; attributed to Lehmann et al.).
# A count above the "moderate" limit is severe; at or above the "mild" limit, moderate.
THRESHOLDS = {
    #  name: (moderate from, severe above)
    "comedones": (20, 100),
    "inflammatory": (15, 50),
    "total": (30, 125),
}
NODULES_SEVERE_ABOVE = 5


class LesionCountError(CourseInputError):
    """A lesion count that cannot be real (negative, fractional, not a number)."""


@dataclass(frozen=True)
class LesionCounts:
    """Lesions counted on one patient at one visit.

    ``inflammatory`` counts papules and pustules; nodules (and cysts) are
    counted apart because they weigh most in the severity decision.
    """

    comedones: int
    inflammatory: int
    nodules: int

    def __post_init__(self) -> None:
        for name in ("comedones", "inflammatory", "nodules"):
            object.__setattr__(self, name, validate_count(getattr(self, name), name))

    @property
    def total(self) -> int:
        return self.comedones + self.inflammatory + self.nodules


@dataclass(frozen=True)
class SeverityAssessment:
    grade: str
    reasons: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """The grade and its reasons as plain text, one per line."""
        lines = [f"Grade: {self.grade}"] + [f"  because: {reason}" for reason in self.reasons]
        return "\n".join(lines + [f"  note: {note}" for note in self.notes])


@checked_arguments
def validate_count(value: object, name: str) -> int:
    """Return ``value`` as a lesion count, or raise :class:`LesionCountError` saying why not.

    Accepts whole numbers and text that spells one (what a student types), through the course's one
    number reader, within the plausible range of a lesion count (``content/plausible_ranges.yml``).
    """
    if not isinstance(name, str) or not name.strip():
        raise LesionCountError("name", name, "the name of the count", message=f"name: expected the name of the count as text, got {name!r}")
    return read_plausible(value, name.replace("_", " "), "lesion_count", integer=True, error=LesionCountError)


def _counts(counts: object) -> LesionCounts:
    """Lesion counts as :class:`LesionCounts`, or a mapping with its three fields."""
    if isinstance(counts, LesionCounts):
        return counts
    if isinstance(counts, Mapping) and set(counts) == {"comedones", "inflammatory", "nodules"}:
        return LesionCounts(**counts)
    raise LesionCountError("counts", counts, "LesionCounts(comedones=..., inflammatory=..., nodules=...)",
                           message=f"counts: expected LesionCounts(comedones=..., inflammatory=..., nodules=...) or a mapping of those three, "
                                   f"got {counts!r:.60}")


@checked_arguments
def classify_severity(counts: LesionCounts | Mapping[str, int]) -> SeverityAssessment:
    """Grade acne from lesion counts: the highest band that any single count reaches.

    >>> classify_severity(LesionCounts(comedones=25, inflammatory=5, nodules=0)).grade
    'moderate'
    """
    counts = _counts(counts)
    if counts.total == 0:
        return SeverityAssessment("clear", ("no lesions counted",))
    values = {"comedones": counts.comedones, "inflammatory": counts.inflammatory, "total": counts.total}
    severe: list[str] = []
    moderate: list[str] = []
    labels = {"comedones": "comedones", "inflammatory": "papules and pustules", "total": "lesions in total"}
    for name, (moderate_from, severe_above) in THRESHOLDS.items():
        value = values[name]
        if value > severe_above:
            severe.append(f"{value} {labels[name]} (more than {severe_above})")
        elif value >= moderate_from:
            moderate.append(f"{value} {labels[name]} ({moderate_from}–{severe_above})")
    notes: list[str] = []
    if counts.nodules > NODULES_SEVERE_ABOVE:
        severe.append(f"{counts.nodules} nodules (more than {NODULES_SEVERE_ABOVE})")
    elif counts.nodules > 0:
        moderate.append(f"{counts.nodules} nodule{'s' if counts.nodules > 1 else ''} (1–{NODULES_SEVERE_ABOVE})")
        if counts.nodules == NODULES_SEVERE_ABOVE:
            notes.append(
                "The published table says 'fewer than 5' nodules for moderate and 'more than 5' for severe, "
                "so exactly 5 falls in a gap; this tool counts it as moderate."
            )
    if severe:
        return SeverityAssessment("severe", tuple(severe), tuple(notes))
    if moderate:
        return SeverityAssessment("moderate", tuple(moderate), tuple(notes))
    return SeverityAssessment(
        "mild",
        (f"{counts.comedones} comedones, {counts.inflammatory} papules and pustules, no nodules: all below the moderate band",),
        tuple(notes),
    )


@dataclass(frozen=True)
class IsotretinoinFit:
    """How a presentation relates to the label's indication and to the AAD 2024 recommendation.

    ``meets_label_indication`` is ``True`` or ``False`` when the case settles it, and ``None`` when it is a
    clinical judgement the case cannot settle (a few nodules) or the case leaves out a fact the label needs
    (whether systemic antibiotics were tried); ``label_reasons`` says which.
    """

    meets_label_indication: bool | None
    label_reasons: tuple[str, ...]
    aad_2024_recommends: bool
    aad_reasons: tuple[str, ...]

    @property
    def label_verdict(self) -> str:
        """The label answer in words: "yes", "no" or "cannot tell from the case"."""
        return {True: "yes", False: "no", None: "cannot tell from the case"}[self.meets_label_indication]

    @property
    def aad_verdict(self) -> str:
        """The AAD 2024 answer in words, "yes" or "no", as the label answer is given."""
        return "yes" if self.aad_2024_recommends else "no"


# Each label reason opens with whether its criterion is met, so that a met criterion printed beside a "no" is not
# read as a reason for the "no".
MET, NOT_MET, CANNOT_TELL = "met: ", "not met: ", "cannot tell: "


def _label_nodules(counts: LesionCounts, severity: SeverityAssessment) -> tuple[bool | None, str]:
    """The label's "severe recalcitrant nodular acne ... multiple inflammatory nodules" against the counts."""
    if counts.nodules == 0:
        return False, NOT_MET + "no inflammatory nodules counted; the label's indication is nodular acne"
    if counts.nodules == 1:
        return False, NOT_MET + "one nodule is not the 'multiple inflammatory nodules' of the label's indication"
    if counts.nodules > NODULES_SEVERE_ABOVE and severity.grade == "severe":
        return True, MET + (f"{counts.nodules} inflammatory nodules: severe nodular acne with many nodules "
                            f"(more than {NODULES_SEVERE_ABOVE}, severe by the course's scheme)")
    return None, CANNOT_TELL + (f"{counts.nodules} nodules: whether this is 'severe' nodular acne is the prescriber's judgement "
                                "(labels in the older format define severe as many, as opposed to few or several, nodules; "
                                "the manufacturer's Absorica study enrolled five or more facial nodules)")


def _label_antibiotics(failed_systemic_antibiotics: bool | None) -> tuple[bool | None, str]:
    """The label's "unresponsive to conventional therapy, including systemic antibiotics"."""
    if failed_systemic_antibiotics is None:
        return None, CANNOT_TELL + "the case does not say whether systemic antibiotics were tried, which the label requires first"
    if failed_systemic_antibiotics:
        return True, MET + "unresponsive to conventional therapy including systemic antibiotics"
    return False, NOT_MET + "systemic antibiotics have not been tried; the label reserves isotretinoin for acne unresponsive to them"


@checked_arguments
def isotretinoin_fit(
    counts: LesionCounts | Mapping[str, int],
    *,
    scarring: bool = False,
    psychosocial_burden: bool = False,
    failed_standard_therapy: bool = False,
    failed_systemic_antibiotics: bool | None = None,
) -> IsotretinoinFit:
    """Contrast the US label indication with the AAD 2024 recommendation for one presentation.

    The label (US isotretinoin capsule labels, indication section): severe recalcitrant nodular acne with
    multiple inflammatory nodules of 5 mm or more, unresponsive to conventional therapy including systemic
    antibiotics. The labels give no number of nodules: a single nodule is not "multiple", more than five
    with a severe grade is taken as met, and two to five are left to the prescriber's judgement (``None``).
    Pass ``failed_systemic_antibiotics=None`` when the case does not say; the result then never claims
    they were or were not tried.

    A teaching comparison, not a prescribing decision: the label also requires that the patient is not
    pregnant and is 12 or older, and every real decision weighs contraindications, the risk-management
    programme and the patient's wishes.
    """
    counts = _counts(counts)
    scarring, psychosocial_burden, failed_standard_therapy = (
        read_bool(value, name, error=LesionCountError) for value, name in ((scarring, "scarring"), (psychosocial_burden, "psychosocial_burden"),
                                                                          (failed_standard_therapy, "failed_standard_therapy")))
    if failed_systemic_antibiotics is not None:
        failed_systemic_antibiotics = read_bool(failed_systemic_antibiotics, "failed_systemic_antibiotics (True, False or None when not known)",
                                                error=LesionCountError)
    severity = classify_severity(counts)
    nodular, nodule_reason = _label_nodules(counts, severity)
    antibiotics, antibiotic_reason = _label_antibiotics(failed_systemic_antibiotics)
    parts = (nodular, antibiotics)
    meets = False if False in parts else (True if all(part is True for part in parts) else None)
    aad_reasons = []
    if severity.grade == "severe":
        aad_reasons.append("severe acne (by the course's lesion-count scheme)")
    if psychosocial_burden:
        aad_reasons.append("acne causing psychosocial burden")
    if scarring:
        aad_reasons.append("acne causing scarring")
    if failed_standard_therapy or failed_systemic_antibiotics:
        aad_reasons.append("acne failing standard oral or topical therapy")
    return IsotretinoinFit(
        meets_label_indication=meets,
        label_reasons=(nodule_reason, antibiotic_reason),
        aad_2024_recommends=bool(aad_reasons),
        aad_reasons=tuple(aad_reasons) or ("none of: severe, psychosocial burden, scarring, failing standard therapy",),
    )
