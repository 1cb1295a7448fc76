"""Notebook 07's tables and figure: every row sourced, honest about what was not read."""

from __future__ import annotations

from isotretinoin_course import adverse_effects
from isotretinoin_course.bibliography import load_bibliography


def test_every_row_cites_known_sources():
    known = set(load_bibliography().entries)
    rows = adverse_effects.SERIOUS_WARNINGS + adverse_effects.INTERACTIONS
    for row in rows:
        assert row.sources and set(row.sources) <= known, row


def test_interactions_the_issue_names_are_present_with_a_status():
    agents = " ".join(row.agent for row in adverse_effects.INTERACTIONS)
    for name in ("Vitamin A", "Tetracyclines", "St John's wort", "Progestin-only", "Phenytoin", "corticosteroids"):
        assert name in agents
    for row in adverse_effects.INTERACTIONS:
        assert row.status.startswith(("label text read", "to check"))


def test_unread_label_sentences_are_marked_to_check():
    secondary = {row.agent for row in adverse_effects.INTERACTIONS if row.status == adverse_effects.SECONDARY_ONLY}
    assert {"Phenytoin", "Systemic corticosteroids"} <= secondary


def test_tables_have_one_row_per_item():
    assert len(adverse_effects.warnings_table()) == len(adverse_effects.SERIOUS_WARNINGS)
    assert len(adverse_effects.interactions_table()) == len(adverse_effects.INTERACTIONS)
    assert list(adverse_effects.procedures_table().iloc[:, 0]).count("insufficient evidence to delay") == 5


def test_forest_plot_description_gives_every_estimate():
    figure, description = adverse_effects.risk_ratio_figure()
    for label, ratio, low, high in adverse_effects.PSYCHIATRIC_RISK_RATIOS:
        assert f"{label}: {ratio:.2f} ({low:.2f} to {high:.2f})" in description
        assert low <= ratio <= high
    axis = figure.axes[0]
    assert axis.get_xlabel().startswith("Risk ratio")
