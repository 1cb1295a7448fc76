"""The counselling checklist of notebook 07: what to tell a patient collecting isotretinoin.

Each topic has the advice in plain words for the patient, a one-line reason
for the pharmacist, the bibliography keys it rests on, and the patients for
whom it is *essential* (everyone, patients who can get pregnant, contact-lens
wearers, users of hormonal contraception). :func:`counselling_summary` turns
the topics a pharmacist ticked into a printable summary and lists the essential
topics left out. The advice is the course's own wording of the sources, written
for teaching; it is not a patient leaflet.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from typing import Iterable

import ipywidgets as widgets

from .isotretinoin_pk import FORMULATIONS
from .markup import inline_markup
from .risk_management import CATEGORIES

CONDITIONS = ("always", "can_get_pregnant", "hormonal_contraception", "contact_lenses", "recommended")
CONDITION_WORDING = {
    "always": "every patient",
    "can_get_pregnant": "patients who can get pregnant",
    "hormonal_contraception": "patients using hormonal contraception",
    "contact_lenses": "contact-lens wearers",
    "recommended": "recommended, not essential",
}


class CounsellingError(ValueError):
    """A profile or a choice of topics the checklist cannot use."""


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    advice: str  # to the patient, in plain words
    reason: str  # to the pharmacist: why it matters
    sources: tuple[str, ...]  # bibliography keys
    essential_for: str  # one of CONDITIONS


@dataclass(frozen=True)
class Profile:
    """What the pharmacist knows about the patient that changes the essentials."""

    category: str = "can_get_pregnant"
    formulation: str = "conventional"
    hormonal_contraception: bool = False
    contact_lenses: bool = False

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise CounsellingError(f"category must be one of {', '.join(CATEGORIES)}; got {self.category!r}")
        if self.formulation not in FORMULATIONS:
            raise CounsellingError(f"formulation must be one of {', '.join(FORMULATIONS)}; got {self.formulation!r}")
        if self.hormonal_contraception and self.category != "can_get_pregnant":
            raise CounsellingError("hormonal contraception as a pregnancy-prevention method applies only to a patient who can get pregnant")


def _how_to_take(formulation: str) -> str:
    meal = FORMULATIONS[formulation].meal_advice
    return (
        f"Take the capsules exactly as prescribed, in two doses a day, {meal}. Do not change the dose yourself; "
        "ask us if you are unsure."
    )


TOPICS: tuple[Topic, ...] = (
    Topic(
        "how_to_take", "How to take it",
        "",  # depends on the formulation: see topic_advice()
        "Conventional capsules deliver less than half the drug without food; Absorica and Absorica LD depend less on meals (notebook 03).",
        ("fda-absorica-2023", "webster2013"), "always",
    ),
    Topic(
        "pregnancy", "Preventing pregnancy",
        "Isotretinoin can cause severe birth defects, even from a short exposure. Use the two contraception methods you "
        "agreed with your prescriber from one month before, during, and for one month after treatment, and take every "
        "pregnancy test, including the one a month after your last dose. If you have sex without contraception, miss a "
        "period or think you may be pregnant, stop the capsules and contact your prescriber at once.",
        "The boxed warning: any exposure in pregnancy risks life-threatening birth defects; the programme's rules are in notebook 06.",
        ("fda-isotretinoin-generic-2022", "fda-absorica-2023"), "can_get_pregnant",
    ),
    Topic(
        "contraception_interactions", "Medicines that can make contraception fail",
        "Do not take St John's wort: it can make hormonal contraception less reliable. A progestin-only pill "
        "(\"minipill\") may not be enough. Ask us before starting any new medicine or herbal product.",
        "St John's wort lowered progestin exposure and tripled breakthrough bleeding in a trial; the Accutane label called micro-dosed progestin pills possibly inadequate.",
        ("pfrunder2003", "accutane-label-druglib"), "hormonal_contraception",
    ),
    Topic(
        "blood_donation", "No blood donation",
        "Do not give blood while you take isotretinoin or for one month after your last dose: your blood could reach a "
        "pregnant patient.",
        "FDA asked blood services in 1984 to defer donors on isotretinoin; a month covers elimination (notebook 03).",
        ("pinksheet-accutane-blood-donors",), "always",
    ),
    Topic(
        "mood", "Mood and mental health",
        "Tell your prescriber, and someone close to you, if you feel low, lose interest in things, feel unusually "
        "irritable or aggressive, or see or hear things others do not. If any of this happens, or you have thoughts "
        "of harming yourself, stop the capsules and contact your prescriber straight away.",
        "The label warns of depression, psychosis and, rarely, suicidal thoughts and acts, and says stopping may not be enough; large studies are reassuring (this notebook).",
        ("fda-absorica-2023", "tan2024"), "always",
    ),
    Topic(
        "dryness", "Dry lips, skin, eyes and nose",
        "Dry, cracked lips and dry skin are expected. Use a lip balm or ointment often and a fragrance-free "
        "moisturiser; tell us if dry eyes or nosebleeds bother you.",
        "Dry lips and dry skin head the list of common adverse reactions; knowing they are expected keeps patients on treatment.",
        ("fda-absorica-2023", "mims-oratane"), "always",
    ),
    Topic(
        "night_vision", "Eyesight and night driving",
        "Your eyesight in dim light may get worse. Take care driving at night. If your vision changes, stop the "
        "capsules and contact your prescriber: you may need an eye examination.",
        "The label says to stop and get an eye examination if visual problems occur; decreased night vision is reported, even after stopping.",
        ("fda-absorica-2023", "faa-ame-isotretinoin", "mims-oratane"), "always",
    ),
    Topic(
        "contact_lenses", "Contact lenses",
        "Dry eyes can make contact lenses uncomfortable during treatment; keep glasses to hand.",
        "Dry eye and contact-lens intolerance are reported; planning for them avoids eye injury and stopping treatment.",
        ("mims-oratane",), "contact_lenses",
    ),
    Topic(
        "warning_symptoms", "Symptoms that need help at once",
        "Stop the capsules and get medical help the same day for: a bad headache with sickness or blurred vision; "
        "severe stomach pain, bleeding from the back passage or severe diarrhoea; yellow skin or eyes; ringing in the "
        "ears or loss of hearing; a blistering or peeling rash; swelling of the face or difficulty breathing.",
        "Each points to a serious warning in the label: raised intracranial pressure, pancreatitis or bowel disease, hepatitis, hearing loss, severe skin reactions, anaphylaxis.",
        ("fda-absorica-2023", "fda-isotretinoin-generic-2022"), "always",
    ),
    Topic(
        "other_medicines", "Vitamin A and tetracyclines",
        "Do not take vitamin A supplements. Do not take tetracycline antibiotics (such as doxycycline or minocycline) "
        "with isotretinoin; remind any prescriber that you take it.",
        "Vitamin A adds to isotretinoin's toxicity; tetracyclines were involved in some cases of raised intracranial pressure.",
        ("fda-absorica-2023",), "always",
    ),
    Topic(
        "skin_and_sun", "Skin procedures and sun",
        "Ask your dermatologist before waxing, laser treatment, peels or dermabrasion during treatment or in the "
        "months after it. Your skin may burn more easily: use sunscreen and avoid sunbeds.",
        "Waiting 6-12 months after isotretinoin was widely taught; a 2017 consensus found too little evidence to delay several procedures but still advises against two (this notebook).",
        ("spring2017", "mims-oratane"), "always",
    ),
    Topic(
        "blood_tests", "Blood tests",
        "Go to every blood test your prescriber asks for. Lipid tests are done fasting; drink no alcohol for at least "
        "36 hours before one.",
        "Lipids and liver tests are checked before and during treatment (notebook 05); the label asks for 36 hours without alcohol before a lipid test.",
        ("fda-absorica-2023",), "always",
    ),
    Topic(
        "muscles_and_joints", "Muscles and joints",
        "Back and joint aches are common. Tell your prescriber if they are severe, or if you have muscle pain or "
        "weakness after hard exercise.",
        "Back pain, joint pain and raised creatine kinase are among the common adverse reactions.",
        ("fda-absorica-2023",), "recommended",
    ),
    Topic(
        "after_the_course", "After the course",
        "Your skin can keep improving for a while after the last capsule. If acne comes back, see your prescriber: a "
        "second course, if needed, starts no sooner than eight weeks after the first.",
        "About one patient in five relapses (Lai and Barbieri 2025); the label sets at least 8 weeks before a second course.",
        ("fda-absorica-2023", "lai2025"), "recommended",
    ),
)
TOPIC_KEYS = tuple(topic.key for topic in TOPICS)


def topic(key: str) -> Topic:
    for item in TOPICS:
        if item.key == key:
            return item
    raise CounsellingError(f"unknown topic {key!r}; the topics are: {', '.join(TOPIC_KEYS)}")


def topic_advice(item: Topic, profile: Profile) -> str:
    """The advice for this patient (the dosing advice depends on the formulation)."""
    return _how_to_take(profile.formulation) if item.key == "how_to_take" else item.advice


def is_essential(item: Topic, profile: Profile) -> bool:
    """Whether leaving this topic out is an omission for this patient."""
    applies = {
        "always": True,
        "can_get_pregnant": profile.category == "can_get_pregnant",
        "hormonal_contraception": profile.hormonal_contraception,
        "contact_lenses": profile.contact_lenses,
        "recommended": False,
    }
    return applies[item.essential_for]


def essential_topics(profile: Profile) -> tuple[Topic, ...]:
    return tuple(item for item in TOPICS if is_essential(item, profile))


@dataclass(frozen=True)
class CounsellingSummary:
    text: str  # printable, for the patient
    covered: tuple[Topic, ...]
    missing_essentials: tuple[Topic, ...]
    missing_recommended: tuple[Topic, ...]

    @property
    def complete(self) -> bool:
        return not self.missing_essentials


def counselling_summary(profile: Profile, chosen: Iterable[str], patient_label: str = "SYNTHETIC patient",
                        on: dt.date | None = None, width: int = 88) -> CounsellingSummary:
    """A printable summary of the chosen topics, in the course's order, and what essential topics are missing."""
    chosen = list(chosen)
    for key in chosen:
        topic(key)  # names an unknown key clearly
    if len(set(chosen)) != len(chosen):
        duplicates = sorted({key for key in chosen if chosen.count(key) > 1})
        raise CounsellingError(f"each topic can be chosen once; repeated: {', '.join(duplicates)}")
    covered = tuple(item for item in TOPICS if item.key in chosen)
    missing = tuple(item for item in essential_topics(profile) if item.key not in chosen)
    recommended = tuple(item for item in TOPICS if item.essential_for == "recommended" and item.key not in chosen)
    heading = f"Isotretinoin: what we discussed — {patient_label}"
    lines = [
        heading, "=" * len(heading),
        f"Date: {(on or dt.date.today()).isoformat()}    Product: {FORMULATIONS[profile.formulation].name}",
        "Teaching material with synthetic patients; not medical advice.", "",
    ]
    for number, item in enumerate(covered, 1):
        lines.append(f"{number}. {item.title}")
        lines.extend(textwrap.wrap(topic_advice(item, profile), width=width, initial_indent="   ", subsequent_indent="   "))
        lines.append("")
    if not covered:
        lines.append("(No topics chosen yet.)")
    return CounsellingSummary("\n".join(lines).rstrip() + "\n", covered, missing, recommended)


class CounsellingChecklist(widgets.VBox):
    """Tick the topics covered at the counter; see the printable summary and what is missing."""

    def __init__(self, profile: Profile, patient_label: str = "SYNTHETIC patient", on: dt.date | None = None) -> None:
        self.patient_label, self.on = patient_label, on
        self.category = widgets.Dropdown(options=[(c.replace("_", " "), c) for c in CATEGORIES], value=profile.category, description="Patient")
        self.formulation = widgets.Dropdown(options=[(FORMULATIONS[f].name, f) for f in FORMULATIONS], value=profile.formulation,
                                            description="Product", layout=widgets.Layout(width="34em"))
        self.hormonal = widgets.Checkbox(value=profile.hormonal_contraception, description="uses hormonal contraception", indent=False)
        self.lenses = widgets.Checkbox(value=profile.contact_lenses, description="wears contact lenses", indent=False)
        self.boxes = {item.key: widgets.Checkbox(value=False, description=item.title, indent=False,
                                                 layout=widgets.Layout(width="24em")) for item in TOPICS}
        self.status = widgets.HTML()
        self.printable = widgets.HTML()
        for control in (self.category, self.formulation, self.hormonal, self.lenses, *self.boxes.values()):
            control.observe(self._update, names="value")
        grid = widgets.GridBox(list(self.boxes.values()), layout=widgets.Layout(grid_template_columns="repeat(2, 24em)"))
        super().__init__([
            widgets.HTML("<p><strong>Counselling checklist</strong> — describe the patient, then tick what you covered.</p>"),
            widgets.HBox([self.category, self.formulation]), widgets.HBox([self.hormonal, self.lenses]),
            grid, self.status, self.printable,
        ])
        self._update()

    def profile(self) -> Profile:
        can_get_pregnant = self.category.value == "can_get_pregnant"
        self.hormonal.disabled = not can_get_pregnant
        return Profile(self.category.value, self.formulation.value, self.hormonal.value and can_get_pregnant, self.lenses.value)

    def choose(self, keys: Iterable[str]) -> None:
        """Tick exactly these topics (for demonstrations and tests)."""
        keys = set(keys)
        for key in keys:
            topic(key)
        for key, box in self.boxes.items():
            box.value = key in keys

    def summary(self) -> CounsellingSummary:
        chosen = [key for key, box in self.boxes.items() if box.value]
        return counselling_summary(self.profile(), chosen, self.patient_label, self.on)

    def _update(self, _change: object = None) -> None:
        summary = self.summary()
        self.status.value = status_html(summary)
        self.printable.value = f"<pre style='white-space:pre-wrap'>{inline_markup(summary.text)}</pre>"

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = "Counselling checklist (interactive: run the notebook to use it)"
        items = "".join(f"<li>{inline_markup(item.title)} — essential for {CONDITION_WORDING[item.essential_for]}</li>" for item in TOPICS)
        bundle["text/html"] = f"<p><strong>Counselling checklist</strong> (interactive when the notebook runs). Topics:</p><ul>{items}</ul>"
        return bundle


def status_html(summary: CounsellingSummary) -> str:
    """What is missing, for the pharmacist (not part of the patient's summary)."""
    if summary.missing_essentials:
        items = "".join(f"<li><strong>{inline_markup(item.title)}</strong>: {inline_markup(item.reason)}</li>" for item in summary.missing_essentials)
        text = f"<p>⚠ <strong>{len(summary.missing_essentials)} essential topic(s) missing for this patient:</strong></p><ul>{items}</ul>"
    else:
        text = "<p>✔ Every essential topic for this patient is covered.</p>"
    if summary.missing_recommended:
        text += "<p>Also worth covering: " + ", ".join(inline_markup(item.title) for item in summary.missing_recommended) + ".</p>"
    return f'<div role="status">{text}</div>'
