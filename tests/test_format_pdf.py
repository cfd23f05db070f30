"""PDF: text layer, link annotations, hyphenation, running heads, page
footnotes, scans and encryption.

Fixtures (tests/data/formats, made by make_fixtures.py): ``article.pdf``
(reportlab: three pages, running head and page number on each, words
hyphenated at line ends, an author's ``*`` footnote, a link annotation over
"summary report" whose URL is not in the text, a "Notes" section with a URL
wrapped over two lines and an "Ibid."), ``notes-libreoffice.pdf``
(LibreOffice: real page footnotes in small print, an endnote page, running
head, page numbers, link annotations), ``scanned.pdf`` (no text layer) and
``encrypted.pdf`` (user password).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from verifier.errors import DocumentError
from verifier.parse.pdf import _dehyphenate, parse_pdf

DATA = Path(__file__).parent / "data" / "formats"


def test_article_with_notes_section() -> None:
    doc = parse_pdf((DATA / "article.pdf").read_bytes(), "article.pdf")
    assert doc.format == "pdf"
    assert doc.title == "Water rights along the Syr Darya"
    assert doc.warnings == []
    notes = [c for c in doc.citations if c.kind == "note"]
    assert [c.label for c in notes] == ["1", "2", "3"]
    first, second, ibid = notes
    # The URL wrapped over two lines of the notes section is whole again.
    assert [u.url for u in first.urls] == [
        "https://www.icwc-example.org/reports/water-balance-2019.pdf"
    ]
    assert first.title == "Annual Water Balance Report 2019"
    assert first.accessed == dt.date(2022, 8, 14)
    # "commis-sion" was hyphenated at a line end.
    assert first.sentence == (
        "A 2019 study by the regional water commission found that upstream reservoirs "
        "release water in winter, when downstream farms cannot use it."
    )
    assert [u.url for u in second.urls] == ["https://water.example.uz/news/2022/05/03/barter"]
    # "Offi-cials" on page 2, and the running head between pages gone.
    assert second.sentence == (
        "Officials in Tashkent said the barter scheme had “never been implemented in full”."
    )
    assert second.quotations == ["never been implemented in full"]
    assert ibid.inherits_from == "2"
    assert ibid.sentence == (
        "Independent hydrologists disagree about the causes of the decline in river flow."
    )

    # The link annotation's URL is nowhere in the text: an inline link with
    # the words it covers and their sentence.
    (link,) = [c for c in doc.citations if c.kind == "inline_link"]
    assert link.urls[0].url == "https://www.icwc-example.org/summary-2019"
    assert link.link_text == "summary report"
    assert link.sentence == "The scheme is described in the commission's summary report."

    everything = " ".join(
        [c.sentence or "" for c in doc.citations] + [a.sentence for a in doc.attributions]
    )
    assert "Central Asia Review" not in everything  # running head
    assert "author thanks" not in everything  # the * footnote
    assert [(a.cue, a.source) for a in doc.attributions] == [("according to", "the World Bank")]


def test_libreoffice_page_footnotes() -> None:
    doc = parse_pdf((DATA / "notes-libreoffice.pdf").read_bytes(), "lo.pdf")
    notes = [c for c in doc.citations if c.kind == "note"]
    # Two page footnotes and the document's endnote, numbered "i" by LibreOffice.
    assert [c.label for c in notes] == ["1", "2", "i"]
    first, second, _endnote = notes
    # The footnote's second line starts with "6 June 2022": not note 6.
    assert first.title == "China, Kyrgyzstan and Uzbekistan Sign Railway Agreement"
    assert first.published == "2022-06-06"
    assert first.accessed == dt.date(2022, 8, 14)
    # The URL was broken at its own hyphen: the hyphen stays.
    assert [u.url for u in first.urls] == [
        "https://english.news.example.cn/20220606/rail-agreement.html"
    ]
    assert second.accessed == dt.date(2023, 2, 2)
    assert (
        second.sentence == "Its backers describe it as “the missing link of the middle corridor”."
    )
    assert second.quotations == ["the missing link of the middle corridor"]
    # The link annotations point at the URLs the notes already have.
    assert [c for c in doc.citations if c.kind == "inline_link"] == []
    assert all("Eurasia Rail Monitor" not in (c.sentence or "") for c in doc.citations)


def test_scanned_pdf_warns() -> None:
    doc = parse_pdf((DATA / "scanned.pdf").read_bytes(), "scanned.pdf")
    assert doc.citations == []
    assert len(doc.warnings) == 1
    assert doc.warnings[0].startswith("no text layer: none of its 1 pages has text")
    assert "OCR" in doc.warnings[0]


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"encrypted\.pdf: encrypted PDF: it needs a password"):
        parse_pdf((DATA / "encrypted.pdf").read_bytes(), "encrypted.pdf")


def test_damaged_pdf_is_refused() -> None:
    data = (DATA / "article.pdf").read_bytes()
    with pytest.raises(DocumentError, match=r"broken\.pdf: not a readable PDF"):
        parse_pdf(data[:200], "broken.pdf")


def test_hyphenation_rules() -> None:
    mark = "\ufffe"
    text = (
        f"commis{mark}sion, e{mark}commerce and e-commerce, post{mark}Soviet, "
        f"https://example.org/rail{mark}agreement.html, 2019{mark}20"
    )
    assert _dehyphenate(text) == (
        "commission, e-commerce and e-commerce, post-Soviet, "
        "https://example.org/rail-agreement.html, 2019-20"
    )
