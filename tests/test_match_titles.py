"""Titles against <title>, <h1>, og:title and the text."""

from __future__ import annotations

from verifier.fetch.content import PageText
from verifier.match.matcher import match_quote
from verifier.match.titles import title_variants

PAGE = PageText(
    text="Home\n\nWorld news\n\nA headline that appears only in the text body\n\nBody text.",
    title="Ukraine grain deal extended for 120 days | Reuters",
    h1="Ukraine grain deal extended",
    og_title="BBC News - Ukraine grain deal extended for 120 days",
)


def test_site_names_are_not_part_of_the_title() -> None:
    assert "ukraine grain deal extended for 120 days" in title_variants(PAGE.title or "")
    assert "ukraine grain deal extended for 120 days" in title_variants(PAGE.og_title or "")


def test_title_matches_metadata_with_or_without_the_site_name() -> None:
    for cited in (
        "Ukraine grain deal extended for 120 days",
        "“Ukraine Grain Deal Extended for 120 Days”",
        "Ukraine grain deal extended for 120 days - BBC News",
        "Ukraine grain deal extended",
    ):
        result = match_quote(cited, PAGE, "title")
        assert result.verdict == "exact", cited
        assert result.method in ("title", "h1", "og_title")


def test_translated_title_is_not_expected() -> None:
    page = PageText(text="", title="Росія продовжила угоду", h1=None, og_title=None)
    cited = "Росія продовжила угоду [‘Russia extended the deal’]"
    assert match_quote(cited, page, "title").verdict == "exact"


def test_title_in_the_text() -> None:
    result = match_quote("A headline that appears only in the text body", PAGE, "title")
    assert result.verdict == "exact"
    assert result.start is not None


def test_changed_number_in_a_title_is_absent() -> None:
    result = match_quote("Ukraine grain deal extended for 60 days", PAGE, "title")
    assert result.verdict == "absent"
    assert result.reason is not None and "number" in result.reason


def test_reworded_title_is_fuzzy_but_a_different_one_absent() -> None:
    page = PageText(
        text="",
        title="NASA+ Streaming startet: Ohne Registrierung, Gebühren oder Werbung",
        h1=None,
        og_title=None,
    )
    cited = "NASA+ Streaming startet: Ohne Gebühren, Registrierung oder Werbung"
    assert match_quote(cited, page, "title").verdict == "fuzzy"
    assert match_quote("ESA startet neuen Satelliten", page, "title").verdict == "absent"


def test_a_changed_word_in_a_reworded_title_is_absent() -> None:
    page = PageText(
        text="",
        title="Rezoning plan plagues Bronx city councilmember's re-election bid - Gothamist",
        h1=None,
        og_title=None,
    )
    reworded = "Rezoning plan plagued Bronx re-election bid for city councilmember"
    assert match_quote(reworded, page, "title").verdict == "fuzzy"
    changed = "Rezoning plan plagues Bronx city councilmember's re-election hopes"
    result = match_quote(changed, page, "title")
    assert result.verdict == "absent"
    assert result.reason == "word not in source: hopes"
