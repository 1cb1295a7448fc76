"""The counselling checklist: essentials per patient, the printable summary, sources, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from isotretinoin_course.content.bibliography import load_bibliography
from isotretinoin_course.content.counselling import counselling_topics
from isotretinoin_course.models.counselling import CounsellingError, Profile, counselling_summary, essential_topics, topic_keys, topics
from isotretinoin_course.widgets import CounsellingChecklist

TOPIC_KEYS = topic_keys()

DAY = dt.date(2026, 11, 22)


def keys(topics):
    return [item.key for item in topics]


def test_essentials_depend_on_the_patient():
    base = set(keys(essential_topics(Profile("cannot_get_pregnant"))))
    assert "pregnancy" not in base and "contact_lenses" not in base
    assert {"mood", "blood_donation", "warning_symptoms", "other_medicines", "night_vision", "no_sharing", "medication_guide"} <= base
    can = set(keys(essential_topics(Profile("can_get_pregnant"))))
    assert can - base == {"pregnancy"}
    hormonal = set(keys(essential_topics(Profile("can_get_pregnant", hormonal_contraception=True))))
    assert hormonal - can == {"contraception_interactions"}
    lenses = set(keys(essential_topics(Profile("cannot_get_pregnant", contact_lenses=True))))
    assert lenses - base == {"contact_lenses"}


def test_recommended_topics_are_never_flagged_as_missing_essentials():
    summary = counselling_summary(Profile("cannot_get_pregnant"), [], on=DAY)
    missing = keys(summary.missing_essentials)
    assert "after_the_course" not in missing and "muscles_and_joints" not in missing
    assert keys(summary.missing_recommended) == ["muscles_and_joints", "after_the_course"]


def test_summary_lists_chosen_topics_in_course_order_and_flags_the_rest():
    profile = Profile("can_get_pregnant", "absorica", hormonal_contraception=True)
    summary = counselling_summary(profile, ["mood", "pregnancy", "how_to_take"], patient_label="SYN-0024", on=DAY)
    assert keys(summary.covered) == ["how_to_take", "pregnancy", "mood"]
    assert "contraception_interactions" in keys(summary.missing_essentials)
    assert not summary.complete
    text = summary.text
    assert text.splitlines()[0] == "Isotretinoin: what we discussed — SYN-0024"
    assert "Date: 2026-11-22" in text and "not medical advice" in text
    assert text.index("1. How to take it") < text.index("2. Preventing pregnancy") < text.index("3. Mood")
    assert "with or without a meal" in text  # Absorica's label: food matters less
    assert max(len(line) for line in text.splitlines()) <= 88


def test_how_to_take_follows_the_formulation():
    conventional = counselling_summary(Profile("cannot_get_pregnant", "conventional"), ["how_to_take"], on=DAY).text
    assert "with a meal" in conventional and "without" not in conventional


def test_everything_chosen_is_complete_for_every_profile():
    for profile in (Profile("can_get_pregnant", hormonal_contraception=True, contact_lenses=True), Profile("cannot_get_pregnant")):
        summary = counselling_summary(profile, TOPIC_KEYS, on=DAY)
        assert summary.complete and not summary.missing_recommended
        assert len(summary.covered) == len(TOPIC_KEYS)


def test_empty_choice_says_so():
    summary = counselling_summary(Profile("cannot_get_pregnant"), [], on=DAY)
    assert "(No topics chosen yet.)" in summary.text


def test_every_topic_has_advice_reason_and_known_sources():
    known = set(load_bibliography().entries)
    for item in topics():
        assert item.essential_for in counselling_topics().conditions
        assert item.reason and item.sources
        assert item.advice or item.key == "how_to_take"
        assert set(item.sources) <= known, item.key
    assert len(set(TOPIC_KEYS)) == len(TOPIC_KEYS)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Profile("pregnant"), "category: 'pregnant' is not one of"),
        (lambda: Profile("can_get_pregnant", "generic"), "formulation: 'generic' is not one of"),
        (lambda: Profile("cannot_get_pregnant", hormonal_contraception=True), "applies only to a patient who can get pregnant"),
        (lambda: counselling_summary(Profile(), ["mood", "sunscreen"]), "topic: 'sunscreen' is not one of"),
        (lambda: counselling_summary(Profile(), ["mood", "blood_donations"]), "did you mean 'blood_donation'"),
        (lambda: counselling_summary(Profile(), ["mood", "mood"]), "chosen: 'mood' is listed twice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(make, message):
    with pytest.raises(CounsellingError, match=message) as caught:
        make()
    assert caught.value.field and caught.value.field in str(caught.value)


def test_widget_flags_missing_topics_and_updates_with_the_profile():
    checklist = CounsellingChecklist(Profile("cannot_get_pregnant"), patient_label="SYN-0008", on=DAY)
    assert "essential topic(s) missing" in checklist.status.value
    essentials = keys(essential_topics(Profile("cannot_get_pregnant")))
    checklist.choose(essentials)
    assert "Every essential topic" in checklist.status.value
    assert "SYN-0008" in checklist.printable.value
    checklist.category.value = "can_get_pregnant"  # now pregnancy prevention is essential too
    assert "Preventing pregnancy" in checklist.status.value
    assert checklist.hormonal.disabled is False
    checklist.category.value = "cannot_get_pregnant"
    assert checklist.hormonal.disabled is True
    with pytest.raises(CounsellingError, match="is not one of"):
        checklist.choose(["no_such_topic"])


def test_widget_has_a_static_representation():
    bundle = CounsellingChecklist(Profile(), on=DAY)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Counselling checklist")
    assert "Preventing pregnancy" in bundle["text/html"]


def test_the_quiz_question_on_missing_essentials_matches_the_checklist():
    from isotretinoin_course.content.quiz_banks import load_bank

    question = load_bank("07_adverse_effects_and_counselling").question("ae-missing-essentials")
    summary = counselling_summary(Profile("cannot_get_pregnant", contact_lenses=True), ["dryness", "blood_tests", "mood"], on=DAY)
    missing_titles = {item.title for item in summary.missing_essentials}
    assert {"No blood donation", "Contact lenses", "Vitamin A and tetracyclines", "Never share your capsules"} <= missing_titles
    assert "Preventing pregnancy" not in missing_titles
    assert [option.text for option in question.options if not option.correct] == ["Contraception and pregnancy tests"]
    correct_texts = {option.text for option in question.options if option.correct}
    assert "Never share your capsules" in correct_texts and "Never share your capsules" in missing_titles
