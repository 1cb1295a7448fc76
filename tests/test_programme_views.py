"""What students see of the programmes: the dated timeline figure and the plain-language tables (no rule-set
keys or status words), and notebook 06 citing every source its tables link to."""

from __future__ import annotations

import json
import re

import matplotlib
import pytest
from conftest import ROOT

matplotlib.use("Agg")

from isotretinoin_course.content.bibliography import CITATION  # noqa: E402
from isotretinoin_course.content.bibliography import load_bibliography  # noqa: E402
from isotretinoin_course.content.programmes import programmes  # noqa: E402
from isotretinoin_course.content.rule_sets import rule_sets  # noqa: E402
from isotretinoin_course.data.programme_cases import comparison_patients  # noqa: E402
from isotretinoin_course.figures.risk_management import (  # noqa: E402
    comparison_markdown,
    methods_markdown,
    not_modelled_markdown,
    programme_changes_figure,
    rule_sets_markdown,
    rules_markdown,
    settings_table_markdown,
)

STATUS_KEYS = re.compile(r"verified-primary|verified-secondary|primary-copy|to-check|course-convention|not-applicable")


def all_tables() -> list[str]:
    tables = [rule_sets_markdown(), settings_table_markdown(), methods_markdown(), comparison_markdown(comparison_patients()["US-101"])]
    for key in rule_sets():
        tables += [rules_markdown(key), not_modelled_markdown(key)]
    return tables


def test_the_changes_figure_shows_every_rule_set_with_its_date_and_a_description():
    figure, description = programme_changes_figure()
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels == [rule_set.short_name for rule_set in sorted(rule_sets().values(), key=lambda r: (("ipledge", "eu", "uk").index(r.programme), r.applies_from))][::-1]
    for words in ("13 Dec 2021", "Oct 2023 (month only)", "8 Aug 2026 (scheduled, not confirmed)", "21 Jun 2018", "31 Oct 2023", "27 Oct 2025", "22 Jan 2026",
                  "UK 2018: from 21 Jun 2018 to 30 Oct 2023", "an end that depends on an unconfirmed date", "thin dashed tail"):
        assert words in description
    texts = [text for text in figure.findobj(matplotlib.text.Text) if text.get_text()]
    assert min(text.get_fontsize() for text in texts) >= 10


def test_tables_speak_plain_language():
    keys = set(rule_sets())
    for table in all_tables():
        assert not STATUS_KEYS.search(table), table[:200]
        assert not any(re.search(rf"\b{key}\b", table) for key in keys), table[:200]
        assert "{" not in table and "00:00:00" not in table


@pytest.mark.parametrize("notebook", ["06_pregnancy_risk_management.ipynb"])
def test_the_notebook_cites_every_source_its_tables_link_to(notebook):
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    cited = {key for cell in cells if cell["cell_type"] == "markdown" for key in CITATION.findall("".join(cell["source"]))}
    linked = {key for table in all_tables() for key in CITATION.findall(table)}
    assert linked <= cited, sorted(linked - cited)
    assert linked <= set(programmes().source_labels)


def test_rule_tables_say_how_old_and_how_authoritative_each_source_is():
    """Review I3: every source a rule set cites that is older than the set, and every copy of unverified provenance,
    carries a note students see beside the status words."""
    notes = programmes().source_notes
    bibliography = load_bibliography().entries
    for rule_set in rule_sets().values():
        for rule in rule_set.rules.values():
            issued = bibliography[rule.source].get("issued", {}).get("date-parts", [[None]])[0][0]
            if issued is not None and issued < rule_set.applies_from.year:
                assert rule.source in notes, (rule_set.key, rule.name, rule.source, issued)
    table = rules_markdown("ipledge_discretion_2023")
    assert "a copy of the Accutane label of the iPLEDGE era (2009 at the latest)" in table
    assert "a copy uploaded by a user, whose provenance we could not verify" in rules_markdown("uk_mhra_2026")
    assert "written before the 2018 programme, and cut off mid-sentence" in rules_markdown("uk_mhra_2026")


def test_uk_tables_cite_uk_sources():
    """Review I4: no UK rule rests on a Dutch, Italian or German source inherited from the EU set."""
    foreign = {"nhg-isotretinoine-2013", "aifa-nii-retinoids-2024", "de-amvv-3b", "bfarm-dhpc-2024"}
    for rule_set in rule_sets().values():
        if rule_set.programme == "uk":
            cited = {rule.source for rule in rule_set.rules.values()} | {item.source for item in rule_set.not_modelled}
            assert not cited & foreign, (rule_set.key, cited & foreign)


def test_the_comparison_table_gives_the_reason_and_the_note():
    """Review W4: the held EU and UK supplies say why."""
    table = comparison_markdown(comparison_patients()["US-101"])
    assert table.count("**hold and query the prescriber**") == 2
    assert "Why:" in table and "2026-03-10, United Kingdom: no negative test done" in table


@pytest.mark.parametrize("notebook", ["06_pregnancy_risk_management.ipynb"])
def test_the_notebook_tables_are_readable(notebook):
    """Review I7: no timestamps, no decimal day counts and no raw column names in the tables students see."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    html = [("".join(output.get("data", {}).get("text/html", ""))) for cell in cells if cell["cell_type"] == "code"
            for output in cell.get("outputs", [])]
    html = [table for table in html if "T_synthetic" in table]  # the tables shown with show_table (a pandas exercise cell may show raw columns)
    shown = "\n".join(html)
    assert "Collections more than 6 days after the latest negative test" in shown
    assert "00:00:00" not in shown
    assert not re.search(r">\s*\d+\.0\s*<", shown), "a day count shown as a decimal"
    for raw in ("patient_id", "prescription_date", "days_after_test", "pickup_date", "lab"):
        assert f">{raw}<" not in shown, raw
