"""Long pages: where the fuzzy scans look, and what they give up.

A title is found exactly anywhere in a page's text, but with small
differences only near its start (``_TITLE_FUZZY_CHARS``); on a text longer
than ``_SCAN_WHOLE_BELOW`` a passage scoring under ``_HOPELESS`` is not
looked for. Everything found before is still found.
"""

from __future__ import annotations

from verifier.fetch.content import PageText
from verifier.match.matcher import match_quote
from verifier.match.passages import _HOPELESS, _SCAN_WHOLE_BELOW, match_text
from verifier.match.titles import _TITLE_FUZZY_CHARS

FILLER = "The committee met again on Tuesday and reviewed the figures for the region.\n"


def _page(text: str) -> PageText:
    return PageText(text=text, title="Annual figures", h1=None, og_title=None)


def _filler(chars: int) -> str:
    return FILLER * (chars // len(FILLER) + 1)


def test_a_title_deep_in_a_long_text_is_found_exactly() -> None:
    text = _filler(3 * _TITLE_FUZZY_CHARS) + "Harbour Dredging and the Estuary Birds\n" + FILLER
    result = match_quote("Harbour Dredging and the Estuary Birds", _page(text), "title")
    assert result.verdict == "exact"
    assert text[result.start : result.end] == "Harbour Dredging and the Estuary Birds"


def test_a_reworded_title_is_fuzzy_near_the_start_only() -> None:
    # named in running text (not a line of its own), with one letter changed
    line = "In its report, Harbour dredging and the estuary's birds in winter, the council said.\n"
    cited = "Harbour Dredging and the Estuary Birds in Winter"
    near = _filler(_TITLE_FUZZY_CHARS // 4) + line + _filler(_TITLE_FUZZY_CHARS)
    result = match_quote(cited, _page(near), "title")
    assert (result.verdict, result.method) == ("fuzzy", "partial_ratio")
    far = _filler(2 * _TITLE_FUZZY_CHARS) + line + FILLER
    assert match_quote(cited, _page(far), "title").verdict == "absent"


def test_a_changed_quotation_is_found_anywhere_in_a_long_text() -> None:
    said = "The dredging removed 40,000 tonnes of silt from the harbour mouth last year."
    quoted = "The dredging removed 40,000 tonnes of silt from the harbor mouth last year."
    text = _filler(2 * _SCAN_WHOLE_BELOW) + said + "\n" + FILLER
    assert len(text) > _SCAN_WHOLE_BELOW
    result = match_text(quoted, text)
    assert result.verdict == "fuzzy"
    assert "harbour mouth" in text[result.start : result.end]


def test_nothing_alike_in_a_long_text_is_no_passage() -> None:
    text = _filler(_SCAN_WHOLE_BELOW + 10_000)
    result = match_text("Zebras quietly juggle xylophones under violet skies", text)
    assert result.verdict == "absent"
    assert result.reason == "no similar passage"
    assert result.score < _HOPELESS
    # a short text still shows its closest passage, however unlike
    short = match_text("Zebras quietly juggle xylophones under violet skies", FILLER * 3)
    assert short.verdict == "absent"
    assert short.passage
