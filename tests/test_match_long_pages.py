"""Long pages: where the fuzzy scans look, and what they give up.

A title is found exactly anywhere in a page's text, but with small
differences only near its start (``_TITLE_FUZZY_CHARS``); on a text longer
than ``_SCAN_WHOLE_BELOW`` a passage scoring under ``_HOPELESS`` is not
looked for. Everything found before is still found.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.fetch.content import PageText
from verifier.match import passages
from verifier.match.matcher import match_quote
from verifier.match.normalize import fold_accents, normalize, plain_lower, prefix_cut
from verifier.match.passages import (
    _HOPELESS,
    _SCAN_WHOLE_BELOW,
    _exact_chain,
    _provably_absent,
    match_text,
    prepare,
)
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


# Words, marks and spellings of "per cent" that a plain text's normalised
# form treats each its own way (percent tokens, quotation marks, white
# space, an ampersand that is not an entity), and an entity or an accent
# now and then, which make a text not plain.
_WORDS = ["per", "cent", "percent", "pct", "13", "Growth", "was", "region", "Report", "a", "the"]
_MARKS = [" ", "  ", "\n", "\n\n", "\t", ". ", ", ", "%", " %", '"', "'", "-", " - ", "&", "; "]
_RARE = ["&amp;", "é", "\u00ad"]


def _plain_text() -> st.SearchStrategy[str]:
    token = st.one_of(
        st.sampled_from(_WORDS),
        st.sampled_from(_MARKS),
        st.sampled_from(_MARKS + _RARE),
    )
    return st.lists(token, min_size=0, max_size=60).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_plain_text(), st.integers(min_value=0, max_value=200))
def test_a_plain_text_cut_where_prefix_cut_says_normalises_as_its_start(text: str, at: int) -> None:
    if plain_lower(text) is None:
        return
    cut = prefix_cut(text, at)
    if cut is None:
        return
    whole, start = normalize(text), normalize(text[:cut])
    assert whole.text.startswith(start.text)
    for i in range(len(start.text)):
        assert start.span(i, i + 1) == whole.span(i, i + 1)


@settings(max_examples=1500, deadline=None)
@given(
    _plain_text(),
    st.lists(st.sampled_from([*_WORDS, *_MARKS, "zebra", "Growth was"]), max_size=6),
)
def test_provably_absent_is_never_wrong(text: str, words: list[str]) -> None:
    lower = plain_lower(text)
    piece = "".join(words).strip()
    if lower is None or not piece:
        return
    if _provably_absent(piece, lower):
        page = prepare(text)
        norm = normalize(piece)
        # found exactly: in the text, at word boundaries
        assert _exact_chain([norm.text], page.norm.text) is None
        assert _exact_chain([fold_accents(norm).text], page.folded.text) is None


_SENTENCES = [
    "The committee published its annual report on Tuesday; growth was 13 percent.",
    "Exports rose by 4 per cent in the north, and by 6 % in the south.",
    'The minister said: "We will not raise the tax" -- twice.',
    "Figures for the harbour, region by region, follow below.",
    "Big report of the year",
]
# Only at the end of the long text.
_DEEP = "The tide turned at the harbour mouth in 1987."


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=6),
    st.sampled_from(
        [*_SENTENCES, _DEEP, "Harbour figures of the year", "Zebra report [sic] ... 13 percent"]
    ),
    st.integers(min_value=0, max_value=2),
    st.sampled_from([0, 300, 5000]),
)
def test_matching_the_start_of_a_long_text_gives_the_verdict_of_the_whole(
    sentences: list[str], quoted: str, mutation: int, fuzzy_chars: int
) -> None:
    """``_prepared_for`` reads only the start of a long plain text when the
    quotation cannot be in it exactly: the result is the very one matching
    the whole text gives."""
    block = "\n\n".join(sentences) + "\n"
    text = block * (40 * (fuzzy_chars + 12_000) // len(block) + 1) + _DEEP + "\n" + block
    quoted = [quoted, quoted.replace("report", "reports"), quoted.replace("e", "a", 1)][mutation]
    prepare.cache_clear()
    fast = match_text(quoted, text, fuzzy_chars)
    used_start = text not in prepare._cache
    prepare.cache_clear()
    whole = passages._PREFIX_FROM
    passages._PREFIX_FROM = 10**9
    try:
        slow = match_text(quoted, text, fuzzy_chars)
    finally:
        passages._PREFIX_FROM = whole
    assert fast == slow
    if not slow.found and "zebra" in quoted.lower():
        assert used_start


def test_an_absent_title_on_a_long_page_normalises_its_start_only() -> None:
    text = _filler(5_000_000)
    page = PageText(text=text, title="Big report", h1="Big report", og_title=None)
    prepare.cache_clear()
    result = match_quote("Harbour Dredging and the Estuary Birds", page, "title")
    assert result.verdict == "absent"
    assert text not in prepare._cache
    assert max(map(len, prepare._cache)) < 2 * _TITLE_FUZZY_CHARS
    # and the whole text when the title may be in it
    prepare.cache_clear()
    assert match_quote("The committee met again", page, "title").verdict == "exact"
    assert text in prepare._cache
