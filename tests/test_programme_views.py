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
    for words in ("13 Dec 2021", "Oct 2023 (month only)", "8 Aug 2026 (scheduled, not confirmed)", "21 Jun 2018", "31 Oct 2023", "27 Oct 2025", "22 Jan 2026"):
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
