"""Titles against <title>, <h1>, og:title and the text."""

from __future__ import annotations

import pytest

from verifier.fetch.content import PageText
from verifier.match.matcher import match_quote
from verifier.match.titles import same_title, title_variants

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


# --- titles are not prose (issue 14, item 11) ------------------------------

RELEASE = PageText(
    text=(
        "Skip to main content\n\nNews story\n\n"
        "Regulator welcomes progress on leakage\n\n"
        "The regulator said on Tuesday that water companies had cut leakage by "
        "6 per cent in the year to March, and that the Harbour Water Company Limited "
        "met its target for the first time.\n\nPublished 4 May 2023 | Department for "
        "Environment, Food & Rural Affairs"
    ),
    title="Regulator welcomes progress on leakage - GOV.UK",
    h1="Regulator welcomes progress on leakage",
    og_title=None,
)
HEADING_ONLY = PageText(
    text=(
        "Menu\nSearch\n\nRegulator welcomes progress on leakage\n\n"
        "The regulator said on Tuesday that water companies had cut leakage."
    ),
    title=None,
    h1=None,
    og_title=None,
)
ANNUAL = PageText(
    text="Home\n\nReports\n\nSmith and Sons Limited: Annual Report 2022\n\nRevenue grew.",
    title="Smith and Sons Limited: Annual Report 2022",
    h1=None,
    og_title=None,
)


@pytest.mark.parametrize(
    ("cited", "page"),
    [
        # a word added or dropped at the end, in Title Case
        ("Regulator Welcomes Progress on Leakage Reduction", RELEASE),
        ("Regulator Welcomes Progress on Leakage Reduction", HEADING_ONLY),
        ("REGULATOR WELCOMES PROGRESS ON LEAKAGE REDUCTION", HEADING_ONLY),
        # common abbreviations, against the metadata and against a line
        ("Smith & Sons Ltd: Annual Report 2022", ANNUAL),
        ("Smith & Sons Ltd.: Annual Report 2022", PageText(ANNUAL.text, None, None, None)),
        ("Smith and Sons Ltd: Annual Report 2022 Update", ANNUAL),
    ],
)
def test_title_case_abbreviations_and_a_word_at_the_end_are_fuzzy(
    cited: str, page: PageText
) -> None:
    result = match_quote(cited, page, "title")
    assert result.verdict == "fuzzy", result
    assert result.reason is None


@pytest.mark.parametrize(
    ("abbreviated", "full"),
    [
        (
            "Harvard Univ. Dept. of Physics Annual Review",
            "Harvard University Department of Physics Annual Review",
        ),
        ("Acme Co. Wins Regional Export Award", "Acme Company wins regional export award"),
        ("Brown Bros. & Co. Open New Office", "Brown Brothers and Company open new office"),
        ("Müller & Söhne GmbH feiert Jubiläum", "Müller und Söhne GmbH feiert Jubiläum"),
    ],
)
def test_abbreviations_either_way(abbreviated: str, full: str) -> None:
    for cited, shown in ((abbreviated, full), (full, abbreviated)):
        in_metadata = PageText(text="Home", title=f"{shown} | Newsroom", h1=None, og_title=None)
        in_text = PageText(
            text=f"News\n\nLast week {shown} at a ceremony in the city hall.", title=None,
            h1=None, og_title=None,
        )  # fmt: skip
        assert match_quote(cited, in_metadata, "title").verdict == "fuzzy", (cited, shown)
        assert match_quote(cited, in_text, "title").verdict == "fuzzy", (cited, shown)


@pytest.mark.parametrize(
    ("cited", "reason"),
    [
        ("Regulator Welcomes Progress on Leakage 2024", None),
        ("Regulator Welcomes No Progress on Leakage", "negation"),
        ("Regulator Welcomes Progress on Leakage Not", None),
        ("Regulator Welcomes Progress on Flooding", None),
        ("Regulator Condemns Progress on Leakage", None),
        ("Regulator Welcomes Progress", None),  # fine: dropped words are in the page
    ],
)
def test_numbers_negations_and_other_words_are_still_absent(cited: str, reason: str | None) -> None:
    result = match_quote(cited, HEADING_ONLY, "title")
    if cited == "Regulator Welcomes Progress":
        assert result.verdict == "exact"  # a prefix of the heading, as written
        return
    assert result.verdict == "absent", result
    if reason:
        assert result.reason is not None and reason in result.reason


def test_a_changed_number_with_an_abbreviation_is_absent() -> None:
    result = match_quote("Smith & Sons Ltd: Annual Report 2021", ANNUAL, "title")
    assert result.verdict == "absent"
    assert result.reason is not None and "number" in result.reason


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Progress on Leakage Reduction", "progress on leakage", True),
        ("Smith & Sons Ltd", "Smith and Sons Limited", True),
        ("Climate Change Denial", "Climate change", False),  # too few words in common
        ("Annual Report of the Trust 2022", "Annual report of the trust", False),  # a number
        ("Annual Report of the Trust Not", "Annual report of the trust", False),  # a negation
        ("A Review of the Evidence Base", "A review of the evidence", True),
        ("A Review of the Evidence Base Today", "A review of the evidence", False),  # two words
        ("Review of the Evidence", "A review of the evidence", False),  # at the start
    ],
)
def test_same_title(a: str, b: str, same: bool) -> None:
    assert same_title(a, b) is same
    assert same_title(b, a) is same
