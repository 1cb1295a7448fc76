"""Adverse effects, interactions and procedures for notebook 07, as data with sources.

Each row carries the bibliography keys it rests on and, where the course could
not read the label's own sentence, a status that says so; a test checks every
key against the bibliography. Wording is the course's own paraphrase.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from .plots import OKABE_ITO, use_course_style

READ_IN_LABEL = "label text read"
SECONDARY_ONLY = "to check: label sentence not read; named in a drug-information summary"


@dataclass(frozen=True)
class SeriousWarning:
    topic: str
    label_says: str
    evidence_adds: str
    pharmacist_does: str
    sources: tuple[str, ...]


SERIOUS_WARNINGS: tuple[SeriousWarning, ...] = (
    SeriousWarning("Psychiatric effects",
            "Depression, psychosis and, rarely, suicidal ideation, attempts, suicide and aggressive or violent behaviour; assess before and during treatment; stopping may not be enough, refer if needed.",
            "A 2024 meta-analysis (1.6 million people) found 1-year risks of suicidal outcomes each under 0.5% and no rise in suicide attempts at 2 years; rare individual reactions cannot be excluded.",
            "Ask about mood at every visit; stop and contact the prescriber for new symptoms; urgent help for thoughts of self-harm.",
            ("fda-absorica-2023", "tan2024", "magin2024")),
    SeriousWarning("Raised intracranial pressure",
            "Cases of pseudotumor cerebri, some with tetracyclines; early signs are papilledema, headache, nausea and vomiting, visual disturbance; stop and refer to a neurologist if papilledema.",
            "Tetracyclines and vitamin A are linked to it on their own, which is why the combination is avoided.",
            "Never supply a tetracycline with isotretinoin; send a patient with a bad headache and visual symptoms for same-day review.",
            ("fda-absorica-2023", "friedman2005")),
    SeriousWarning("Lipids and pancreatitis",
            "Marked triglyceride rises in 25% in trials, sometimes above 800 mg/dL; acute pancreatitis, rarely fatal, with raised or normal triglycerides.",
            "New triglyceride abnormalities are common but grade 3 or worse is under 1% (notebook 05).",
            "Check the lipid result and the alcohol and diet advice; stop and seek care for severe abdominal pain.",
            ("fda-absorica-2023", "zane2006", "barbieri2020")),
    SeriousWarning("Liver",
            "Clinical hepatitis reported; mild to moderate enzyme rises in about 15% in trials, some settling with a lower dose; stop if hepatitis is suspected.",
            "New ALT abnormalities in about 11% of patients normal at baseline; serious injury is rare (notebook 05).",
            "Know the patient's latest ALT; yellow skin or eyes means stop and seek care.",
            ("fda-isotretinoin-generic-2022", "zane2006", "livertox_isotretinoin")),
    SeriousWarning("Vision",
            "Visual problems should be monitored; stop and have an eye examination if they occur.",
            "Decreased night vision is reported and can occur even after the drug is stopped; dry eye limits contact lenses.",
            "Warn about night driving; refer any change in vision.",
            ("fda-absorica-2023", "faa-ame-isotretinoin", "mims-oratane")),
    SeriousWarning("Hearing",
            "Hearing impairment reported, sometimes persisting; stop and refer for tinnitus or hearing loss.",
            "Mechanism and causality not established.",
            "Ask about ringing in the ears or hearing change; refer.",
            ("fda-isotretinoin-generic-2022",)),
    SeriousWarning("Bone",
            "May lower bone mineral density: 27 of 306 adolescents (9%) had declines during a 20-week course, without recovery on repeat scans within 2-3 months.",
            "Hyperostosis and early closure of growth plates were seen with long, high-dose use, mostly for other diseases.",
            "Keep to the recommended dose and duration; note other bone-affecting medicines.",
            ("fda-isotretinoin-generic-2022", "mims-oratane")),
    SeriousWarning("Inflammatory bowel disease",
            "Associated with inflammatory bowel disease in patients without prior bowel disorders; stop at once for abdominal pain, rectal bleeding or severe diarrhoea.",
            "A 2016 meta-analysis found no increased risk (odds ratio 1.08, 95% CI 0.82-1.42).",
            "Take bowel symptoms seriously (stop, refer) while explaining that the link is not supported by pooled studies.",
            ("fda-isotretinoin-generic-2022", "lee-sy2016")),
    SeriousWarning("Serious skin and allergic reactions",
            "Erythema multiforme, Stevens-Johnson syndrome and toxic epidermal necrolysis reported; anaphylaxis and allergic vasculitis; stop if they occur.",
            "Rare; the 25 mg Absorica capsule contains tartrazine.",
            "A blistering or peeling rash or facial swelling needs same-day care.",
            ("fda-absorica-2023",)),
)


@dataclass(frozen=True)
class Interaction:
    agent: str
    what_happens: str
    at_the_counter: str
    sources: tuple[str, ...]
    status: str


INTERACTIONS: tuple[Interaction, ...] = (
    Interaction("Vitamin A supplements", "Additive toxicity: isotretinoin is a vitamin A derivative.",
                "Advise against vitamin A supplements; check multivitamins.", ("fda-absorica-2023",), READ_IN_LABEL),
    Interaction("Tetracyclines (doxycycline, minocycline, tetracycline)", "Some cases of raised intracranial pressure involved the combination.",
                "Do not supply together; contact the prescriber if both are prescribed.", ("fda-absorica-2023",), READ_IN_LABEL),
    Interaction("St John's wort", "Induces metabolism of hormonal contraceptives: in a trial, progestin exposure fell by 44% and breakthrough bleeding became common.",
                "Advise against it for anyone relying on hormonal contraception; check herbal products.", ("pfrunder2003", "rxlist-absorica"), SECONDARY_ONLY),
    Interaction("Progestin-only pill (\"minipill\")", "May be an inadequate method during isotretinoin treatment.",
                "Check the two chosen methods with the programme's list (notebook 06).", ("accutane-label-druglib",), "label text read (Accutane label, iPLEDGE era)"),
    Interaction("Combined oral contraceptive", "No clinically relevant change in ethinylestradiol or norethindrone levels in 31 women on isotretinoin.",
                "No dose change; still two methods.", ("accutane-label-druglib",), "label text read (Accutane label, iPLEDGE era)"),
    Interaction("Phenytoin", "Named among the label's interactions (bone: osteomalacia).",
                "Note it; ask the prescriber about bone health on long courses.", ("rxlist-absorica",), SECONDARY_ONLY),
    Interaction("Systemic corticosteroids", "Named among the label's interactions (bone: osteoporosis).",
                "Note it; ask the prescriber about bone health on long courses.", ("rxlist-absorica",), SECONDARY_ONLY),
)


@dataclass(frozen=True)
class Procedure:
    procedure: str
    consensus_2017: str


# Spring et al. 2017 (JAMA Dermatol 153:802-809), consensus of a US expert panel; review date 2026-11-22.
PROCEDURES: tuple[Procedure, ...] = (
    Procedure("Manual dermabrasion, microdermabrasion", "insufficient evidence to delay"),
    Procedure("Superficial chemical peels", "insufficient evidence to delay"),
    Procedure("Cutaneous surgery (e.g. excisions)", "insufficient evidence to delay"),
    Procedure("Laser hair removal", "insufficient evidence to delay"),
    Procedure("Fractional ablative and non-ablative lasers", "insufficient evidence to delay"),
    Procedure("Mechanical dermabrasion", "not recommended during or soon after treatment"),
    Procedure("Fully ablative laser resurfacing", "not recommended during or soon after treatment"),
)

# Tan et al. 2024, isotretinoin users vs non-users. The 2-year value was read in the abstract; the 3- and 4-year
# values and the all-disorders value in summaries of it (see the bibliography note).
PSYCHIATRIC_RISK_RATIOS: tuple[tuple[str, float, float, float], ...] = (
    ("Suicide attempt at 2 years", 0.92, 0.84, 1.00),
    ("Suicide attempt at 3 years", 0.86, 0.77, 0.95),
    ("Suicide attempt at 4 years", 0.85, 0.72, 1.00),
    ("Any psychiatric disorder", 1.08, 0.99, 1.19),
)


def warnings_table() -> pd.DataFrame:
    return pd.DataFrame([{"Warning": w.topic, "The US label says": w.label_says, "Evidence adds": w.evidence_adds,
                          "The pharmacist": w.pharmacist_does} for w in SERIOUS_WARNINGS]).set_index("Warning")


def interactions_table() -> pd.DataFrame:
    return pd.DataFrame([{"With": i.agent, "What happens": i.what_happens, "At the counter": i.at_the_counter,
                          "Status": i.status} for i in INTERACTIONS]).set_index("With")


def procedures_table() -> pd.DataFrame:
    return pd.DataFrame([{"Procedure": p.procedure, "Spring et al. 2017 consensus": p.consensus_2017} for p in PROCEDURES]).set_index("Procedure")


def risk_ratio_figure() -> tuple[Figure, str]:
    """A forest plot of the pooled risk ratios, with the line of no difference at 1."""
    use_course_style()
    figure = Figure(figsize=(8, 3.2))
    ax = figure.add_subplot()
    rows = list(reversed(PSYCHIATRIC_RISK_RATIOS))
    for position, (label, ratio, low, high) in enumerate(rows):
        ax.plot([low, high], [position, position], color=OKABE_ITO["blue"], linewidth=2)
        ax.plot([ratio], [position], "s", color=OKABE_ITO["blue"], markersize=8)
        ax.text(1.24, position, f"{ratio:.2f} ({low:.2f}–{high:.2f})", va="center", fontsize=9)
    ax.axvline(1.0, color=OKABE_ITO["black"], linestyle="--", linewidth=1)
    ax.set_yticks(range(len(rows)), [row[0] for row in rows])
    ax.set_xlim(0.6, 1.45)
    ax.set_xlabel("Risk ratio, isotretinoin users vs non-users (95% CI); below 1 = lower risk")
    ax.set_title("Psychiatric outcomes in a 2024 meta-analysis (Tan et al.)")
    figure.subplots_adjust(left=0.3, right=0.97, bottom=0.2)
    description = (
        "A forest plot of four pooled risk ratios with 95% confidence intervals, against a dashed line at 1 (no difference). "
        + "; ".join(f"{label}: {ratio:.2f} ({low:.2f} to {high:.2f})" for label, ratio, low, high in PSYCHIATRIC_RISK_RATIOS)
        + ". The suicide-attempt intervals lie at or below 1; the interval for any psychiatric disorder crosses 1. "
        "None lies wholly above 1: the pooled studies found no increased risk."
    )
    return figure, description
