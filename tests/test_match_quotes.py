"""Quotations with ellipses and editorial brackets."""

from __future__ import annotations

import pytest

from verifier.match.matcher import match_text
from verifier.match.quotes import MAX_GAP, split_quotation

PAGE = (
    "The committee met on Monday. After a long debate, the members agreed that the "
    "budget would be cut, and that no new staff would be hired this year. "
    "Several members objected."
)


@pytest.mark.parametrize("ellipsis", ["…", "...", ". . .", "[…]", "[...]", "(...)"])
def test_ellipsis_splits_into_pieces(ellipsis: str) -> None:
    quote = f"the members agreed {ellipsis} no new staff would be hired"
    assert split_quotation(quote) == ["the members agreed", "no new staff would be hired"]
    result = match_text(quote, PAGE)
    assert result.verdict == "exact"
    assert result.passage is not None
    assert result.passage.startswith("the members agreed")
    assert result.passage.endswith("hired")


def test_pieces_must_come_in_order() -> None:
    result = match_text("no new staff would be hired … the members agreed that", PAGE)
    assert not result.found


def test_pieces_must_be_within_the_gap() -> None:
    page = "the members agreed " + "filler text " * (MAX_GAP // 12 + 10) + "no new staff"
    assert match_text("the members agreed … no new staff", page).verdict == "absent"
    near = "the members agreed " + "filler text " * 10 + "no new staff"
    assert match_text("the members agreed … no new staff", near).verdict == "exact"


def test_brackets_are_editorial() -> None:
    assert split_quotation("[T]he budget would be cut") == ["The budget would be cut"]
    assert split_quotation("the members [of the committee] agreed") == ["the members agreed"]
    assert split_quotation("“the budget would be cut [sic].”") == ["the budget would be cut"]
    assert match_text("[T]he members [of the committee] agreed that", PAGE).verdict == "exact"


def test_a_quotation_across_paragraphs_and_lines() -> None:
    page = "First paragraph ends <here>.\n\nSecond para\u00adgraph\nstarts here."
    assert match_text("ends <here>. Second", page).verdict == "exact"
    assert match_text("second paragraph starts here", page).verdict == "exact"


def test_brackets_the_source_prints_itself() -> None:
    page = (
        "“El récord anterior difiere en algo menos de un grado [los 19,8 grados en la isla "
        "Signy] y fue registrado hace 37 años”."
    )
    quote = "difiere en algo menos de un grado [los 19,8 grados en la isla Signy] y fue registrado"
    result = match_text(quote, page)
    assert result.verdict == "exact"
    assert result.passage is not None and "[los 19,8" in result.passage
    changed = quote.replace("19,8", "18,9")
    assert match_text(changed, page).verdict == "absent"
