"""Property-based tests of every parser (issue 17: the habit that keeps the
parsers hardened).

Random text, and text assembled from the pieces parsers look for (URL
starts, note markers, quotes, brackets, wiki and HTML constructs, runs of
punctuation), is given to each parser: plain text, Markdown, HTML,
wikitext, and Word documents built in memory. Each example must finish
within its deadline and either give a sane ``ParsedDocument`` or be refused
with a ``DocumentError`` (never another exception). A quadratic pattern
shows up here as a missed deadline on a few hundred characters of the
right shape; the benchmark (``python -m bench parsers``) checks scaling at
sizes a test cannot afford.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from docx_build import document_xml, footnote, footnote_ref, footnotes_xml, make_docx, para, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.errors import DocumentError
from verifier.parse import parse_source
from verifier.parse.model import ParsedDocument
from verifier.parse.reading import Source

PIECES = [
    "http://",
    "https://example.com/a",
    "www.",
    "doi:10.1000/182",
    "<",
    ">",
    "<http://example.org/x>",
    "[^1]",
    "[^1]: ",
    "[1]",
    "1.",
    "¹",
    "(Smith 2020)",
    "Smith, J. (2019).",
    "“",
    "”",
    "‘",
    "’",
    '"',
    "«",
    "»",
    "„",
    "「",
    "」",
    "...",
    "?",
    "!",
    "…",
    ".",
    " ",
    "\n",
    "\n\n",
    "Notes\n",
    "References\n==========\n",
    "Accessed 3 May 2020",
    "[cited 2010 Aug 13]",
    "Ibid.",
    "according to",
    "said Anna de Vries",
    "<ref>",
    "</ref>",
    '<ref name="a"/>',
    "{{cite web |url=http://example.com/w |title=T |access-date=2020-01-02}}",
    "{{",
    "}}",
    "[[",
    "]]",
    "{|",
    "|}",
    "|",
    "=",
    "<!--",
    "-->",
    "[http://example.com/l label]",
    "<a href='http://example.com/h'>",
    "</a>",
    "<sup>",
    "</sup>",
    "&lt;",
    "&amp;",
    "#",
    "*",
    "_",
    "`",
    "Word",
    "The Claim Is Here",
    "2021",
]

# Text of either kind: arbitrary characters, or the pieces above in any order.
TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(PIECES), max_size=80).map("".join),
    st.tuples(st.sampled_from(PIECES), st.integers(1, 300)).map(lambda p: p[0] * p[1]),
)

SETTINGS = settings(
    max_examples=60,
    deadline=dt.timedelta(seconds=3),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def _check(doc: ParsedDocument) -> None:
    """What every parse must give, whatever the input."""
    assert isinstance(doc.citations, list)
    for citation in doc.citations:
        assert isinstance(citation.label, str) and citation.label
        assert citation.kind in {"note", "inline_link", "author_date"}
        for pu in citation.urls:
            parts = urlsplit(pu.url)
            assert parts.scheme in ("http", "https"), pu.url
            assert parts.netloc, pu.url
            assert not any(c.isspace() for c in pu.url), pu.url
        for quotation in citation.quotations:
            assert isinstance(quotation, str) and quotation.strip()
    for attribution in doc.attributions:
        assert isinstance(attribution.sentence, str)


def _parse(text: str, fmt: str, suffix: str) -> None:
    data = text.encode("utf-8")
    if not data.strip():
        return
    try:
        doc = parse_source(Source(path=f"prop{suffix}", data=data), fmt)
    except DocumentError:
        return
    _check(doc)


@SETTINGS
@given(TEXT)
def test_plain_text(text: str) -> None:
    _parse(text, "text", ".txt")


@SETTINGS
@given(TEXT)
def test_markdown(text: str) -> None:
    _parse(text, "markdown", ".md")


@SETTINGS
@given(TEXT)
def test_html(text: str) -> None:
    _parse("<html><body><p>" + text + "</p></body></html>", "html", ".html")


@SETTINGS
@given(TEXT)
def test_wikitext(text: str) -> None:
    _parse(text, "wikitext", ".wiki")


@SETTINGS
@given(st.lists(st.tuples(TEXT, TEXT, st.booleans()), min_size=1, max_size=4))
def test_docx(paragraphs: list[tuple[str, str, bool]]) -> None:
    # XML cannot hold most control characters: Word would not write them.
    def clean(s: str) -> str:
        return "".join(c for c in s if c in "\t\n" or (c >= " " and c not in "\ufffe\uffff"))

    body = []
    notes = []
    for n, (claim, note, custom) in enumerate(paragraphs, start=2):
        body.append(para(run(clean(claim)), footnote_ref(n, "*" if custom else None)))
        notes.append(footnote(n, clean(note)))
    data = make_docx(document_xml("".join(body)), footnotes_xml("".join(notes)))
    try:
        doc = parse_source(Source(path="prop.docx", data=data), "docx")
    except DocumentError:
        return
    _check(doc)
    assert len([c for c in doc.citations if c.kind == "note"]) == len(paragraphs)
