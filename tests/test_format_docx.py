"""Word .docx: footnotes, endnotes and hyperlinks from the OOXML parts.

Fixtures (tests/data/formats, made by make_fixtures.py): ``notes.docx`` is
written by hand the way Word stores notes (separators -1/0 in footnotes,
0/1 in endnotes, a URL split over three runs, a URL only in a hyperlink
relationship, "Ibid.", a body hyperlink and a HYPERLINK field);
``notes-libreoffice.docx`` is a document LibreOffice saved as .docx;
``truncated.docx`` is cut off at 60%.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from verifier.errors import DocumentError
from verifier.parse.docx import number_label, parse_docx

DATA = Path(__file__).parent / "data" / "formats"


def test_word_notes_read_by_hand() -> None:
    doc = parse_docx((DATA / "notes.docx").read_bytes(), "notes.docx")
    assert doc.title == "Transport links in Central Asia"
    notes = [c for c in doc.citations if c.kind == "note"]
    # Footnotes 1-3, then endnotes i-ii (Word's default endnote numbering);
    # the separator notes are not citations.
    assert [c.label for c in notes] == ["1", "2", "3", "i", "ii"]

    first, second, ibid, endnote, book = notes
    # Typed in the note but split over three runs.
    assert [u.url for u in first.urls] == ["https://www.example.org/reports/corridor-2021.pdf"]
    assert first.title == "Corridor Development Report 2021"
    assert first.authors == "Ministry of Transport"
    assert first.accessed == dt.date(2022, 8, 14)
    assert first.sentence == (
        "The ministry described the corridor as “a new artery for regional trade” in its "
        "2021 report."
    )
    assert first.quotations == ["a new artery for regional trade"]

    # Only a hyperlink target in footnotes.xml.rels; the visible text is the title.
    assert [u.url for u in second.urls] == [
        "https://www.adb.example/publications/rail-outlook-2021"
    ]
    assert second.title == "Regional Rail Projects Outlook"
    assert second.raw_text.endswith("The outlook lists projects by country.")  # 2nd paragraph
    assert second.sentence == "The annual report counts forty-two projects under construction."

    assert ibid.raw_text == "Ibid."
    assert ibid.inherits_from == "2"
    assert [(u.url, u.inherited) for u in ibid.urls] == [
        ("https://www.adb.example/publications/rail-outlook-2021", True)
    ]
    assert ibid.sentence == "Most of them are railways."

    assert [u.url for u in endnote.urls] == ["https://news.example.com/2021/06/02/optimism"]
    assert endnote.accessed == dt.date(2022, 5, 5)
    assert endnote.quotations == ["optimistic at best"]
    assert book.urls == []
    assert book.sentence == "The audit office has not replied."

    links = [c for c in doc.citations if c.kind == "inline_link"]
    assert [(c.label, c.link_text, c.urls[0].url) for c in links] == [
        ("link-1", "programme website", "https://www.example.org/corridor-programme"),
        ("link-2", "corridor atlas", "https://www.example.org/atlas/corridors"),
    ]
    assert links[0].sentence == (
        "Background on the corridor is on the programme website and in the corridor atlas."
    )
    assert [(a.cue, a.source) for a in doc.attributions] == [
        ("according to", "the Asian Development Bank")
    ]


def test_libreoffice_docx() -> None:
    doc = parse_docx((DATA / "notes-libreoffice.docx").read_bytes(), "lo.docx")
    assert [(c.label, [u.url for u in c.urls]) for c in doc.citations] == [
        ("1", ["https://english.news.example.cn/20220606/rail-agreement.html"]),
        ("2", ["https://www.eurasian-rail.example/outlook-2023"]),
        ("i", []),
    ]
    first, second, endnote = doc.citations
    assert first.title == "China, Kyrgyzstan and Uzbekistan Sign Railway Agreement"
    assert first.accessed == dt.date(2022, 8, 14)
    assert first.sentence == "The new rail link between Kashgar and Osh was announced in 2022."
    assert second.accessed == dt.date(2023, 2, 2)
    assert second.quotations == ["the missing link of the middle corridor"]
    assert endnote.raw_text == "Interview with a freight forwarder, Bishkek, 12 March 2023."


def test_truncated_zip_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"truncated\.docx: not a valid \.docx"):
        parse_docx((DATA / "truncated.docx").read_bytes(), "truncated.docx")


def test_protected_or_old_word_file_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(DocumentError, match="password-protected"):
        parse_docx(ole, "secret.docx")


def test_zip_without_a_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "not a Word file")
    with pytest.raises(DocumentError, match=r"no word/document\.xml"):
        parse_docx(buffer.getvalue(), "other.docx")


def test_number_formats() -> None:
    assert [number_label(n, "lowerRoman") for n in (1, 4, 9, 14, 40)] == [
        "i",
        "iv",
        "ix",
        "xiv",
        "xl",
    ]
    assert number_label(3, "upperLetter") == "C"
    assert number_label(27, "lowerLetter") == "aa"
    assert number_label(12, "decimal") == "12"
