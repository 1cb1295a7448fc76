"""Notebook 07's tables and figure: every row sourced, honest about what was not read."""

from __future__ import annotations

from isotretinoin_course.content import adverse_effects
from isotretinoin_course.content.bibliography import load_bibliography
from isotretinoin_course.figures import risk_ratio_figure


def test_every_row_cites_known_sources():
    known = set(load_bibliography().entries)
    content = adverse_effects.adverse_effects()
    rows = content.serious_warnings + content.interactions
    for row in rows:
        assert row.sources and set(row.sources) <= known, row


def test_interactions_the_issue_names_are_present_with_a_status():
    agents = " ".join(row.agent for row in adverse_effects.adverse_effects().interactions)
    for name in ("Vitamin A", "Tetracyclines", "St John's wort", "Progestin-only", "Phenytoin", "corticosteroids"):
        assert name in agents
    for row in adverse_effects.adverse_effects().interactions:
        assert row.status in content_statuses()


def content_statuses() -> set[str]:
    return set(adverse_effects.adverse_effects().statuses.values())


def test_statuses_are_readable_sentences_for_students():
    for status in content_statuses():
        assert " " in status and "to-check" not in status and "verified-" not in status


def test_unread_label_sentences_are_marked_to_check():
    content = adverse_effects.adverse_effects()
    secondary = {row.agent for row in content.interactions if row.status == content.statuses["secondary"]}
    assert {"Phenytoin", "Systemic corticosteroids"} <= secondary


def test_tables_have_one_row_per_item():
    content = adverse_effects.adverse_effects()
    assert len(adverse_effects.warnings_table()) == len(content.serious_warnings)
    assert len(adverse_effects.interactions_table()) == len(content.interactions)
    table = adverse_effects.procedures_table()
    assert list(table.columns) == ["Spring et al. 2017 (JAMA Dermatology)", "ASDS task force 2017"]
    assert list(table.iloc[:, 0]).count("insufficient evidence to delay") == 4
    assert "microdermabrasion" not in " ".join(table.index).lower()  # review item 34: not in Spring 2017
    assert all("soon after" not in value for value in table.iloc[:, 0])


def test_forest_plot_description_gives_every_estimate():
    figure, description = risk_ratio_figure()
    for label, ratio, low, high in [(row.outcome, row.ratio, row.low, row.high) for row in adverse_effects.adverse_effects().psychiatric_risk_ratios]:
        assert f"{label}: {ratio:.2f} ({low:.2f} to {high:.2f})" in description
        assert low <= ratio <= high
    axis = figure.axes[0]
    assert axis.get_xlabel().startswith("Risk ratio")


def test_risk_ratio_sources_are_in_the_bibliography():
    known = set(load_bibliography().entries)
    assert {row.source for row in adverse_effects.adverse_effects().psychiatric_risk_ratios} <= known
