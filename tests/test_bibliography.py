"""The course bibliography: every entry usable, every citation resolvable, rendering stable."""

from __future__ import annotations

import json

import pytest

from isotretinoin_course.content.bibliography import (
    BibliographyError,
    cited_keys,
    entry_problems,
    format_entry,
    load_bibliography,
    references_markdown,
)

SEED_HOST_WORDS = ("absorica.com", "acne.org", "healthline", "webmd", "drugs.com")


@pytest.fixture(scope="module")
def bibliography():
    return load_bibliography()


def test_course_bibliography_loads_and_every_entry_has_year_and_source(bibliography):
    assert len(bibliography.entries) >= 25
    for key, entry in bibliography.entries.items():
        assert entry_problems(entry) == [], key


def test_bibliography_holds_the_authoritative_anchors(bibliography):
    for key in ("reynolds2024", "fda-isotretinoin-generic-2022", "fda-absorica-2023", "ema-retinoids-2018", "mhra-dsu-2026"):
        assert key in bibliography


def test_no_consumer_or_sales_sites_in_the_bibliography(bibliography):
    for key, entry in bibliography.entries.items():
        url = entry.get("URL", "").lower()
        assert not any(word in url for word in SEED_HOST_WORDS), key


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("broken_no_year.json", "entry 'no-year' has no year"),
        ("broken_no_source.json", "entry 'no-source' has no source"),
        ("broken_duplicate_id.json", "id 'twice' is used twice"),
        ("broken_article_without_author.json", "entry 'anonymous' is a journal article without 'author'"),
        ("broken_not_json.json", "not valid JSON"),
    ],
)
def test_broken_bibliography_is_refused(fixtures_dir, fixture, expected):
    with pytest.raises(BibliographyError) as caught:
        load_bibliography(fixtures_dir / "bibliography" / fixture)
    assert expected in str(caught.value)
    assert fixture in str(caught.value)


def test_cited_key_missing_from_bibliography_is_named(bibliography):
    with pytest.raises(BibliographyError, match="cited but not in references.json: not-a-real-key"):
        references_markdown(["reynolds2024", "not-a-real-key"], bibliography)


def test_cited_keys_in_order_of_first_appearance():
    texts = ["See [A 2020](#ref-alpha) and [B](#ref-beta-2).", "Again [A](#ref-alpha); [link](https://x.org) is not a citation."]
    assert cited_keys(texts) == ["alpha", "beta-2"]


def test_format_journal_article(bibliography):
    text = format_entry(bibliography.entry("williams2012"))
    assert text == (
        "Williams HC, Dellavalle RP, Garner S. Acne vulgaris. *The Lancet*. 2012;379(9813):361-372. "
        "doi:[10.1016/S0140-6736(11)60321-8](https://doi.org/10.1016/S0140-6736(11)60321-8)"
    )


def test_format_long_author_list_is_cut_to_six_then_et_al(bibliography):
    assert format_entry(bibliography.entry("reynolds2024")).startswith(
        "Reynolds RV, Yeung H, Cheng CE, Cook-Bolden F, Desai SR, Druby KM, et al. Guidelines of care"
    )


def test_format_organisation_document(bibliography):
    text = format_entry(bibliography.entry("ema-retinoids-2018"))
    assert text.startswith("European Medicines Agency. Retinoid-containing medicinal products")
    assert "European Medicines Agency; 2018." in text
    assert text.endswith("<https://www.ema.europa.eu/en/medicines/human/referrals/retinoid-containing-medicinal-products>")


def test_references_cell_sorted_with_anchors(bibliography):
    cell = references_markdown(["williams2012", "asai2016"], bibliography)
    lines = cell.splitlines()
    assert lines[0] == "## References"
    assert lines[-2].startswith('- <a id="ref-asai2016"></a>Asai Y')
    assert lines[-1].startswith('- <a id="ref-williams2012"></a>Williams HC')


def test_verification_notes_are_not_rendered(bibliography):
    for key, entry in bibliography.entries.items():
        if "annote" in entry:
            assert entry["annote"] not in format_entry(entry), key


def test_fixture_files_are_otherwise_valid_json_lists(fixtures_dir):
    for path in (fixtures_dir / "bibliography").glob("broken_*.json"):
        if path.name != "broken_not_json.json":
            assert isinstance(json.loads(path.read_text()), list)
