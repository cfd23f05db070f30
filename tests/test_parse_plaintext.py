"""Seed 000 note by note, and the plain-text rules on small real excerpts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import seed
from data.seed000_expected import (
    NO_URL,
    NOTES,
    SHORT_FORMS,
    THREE_URLS,
    TWO_URLS,
)

from verifier.parse.model import ParsedDocument
from verifier.parse.plaintext import find_markers, find_notes_section, parse_text


@pytest.fixture(scope="module")
def seed000() -> ParsedDocument:
    return parse_text(seed(0).read_text(encoding="utf-8"), "seed000.txt")


def test_seed000_has_89_notes_in_order(seed000: ParsedDocument) -> None:
    assert [c.label for c in seed000.citations] == [str(n) for n in range(1, 90)]
    assert all(c.kind == "note" for c in seed000.citations)
    assert seed000.warnings == []


@pytest.mark.parametrize("label", list(NOTES))
def test_seed000_note(seed000: ParsedDocument, label: str) -> None:
    note = next(c for c in seed000.citations if c.label == label)
    want = NOTES[label]
    assert tuple(u.url for u in note.urls) == want.urls
    assert all(u.inherited == (want.inherits is not None) for u in note.urls)
    assert note.title == want.title
    assert note.translated_title == want.translated
    assert note.accessed == (dt.date.fromisoformat(want.accessed) if want.accessed else None)
    assert note.inherits_from == want.inherits
    if want.url_titles is not None:
        assert tuple(u.title for u in note.urls) == want.url_titles
    else:
        assert all(u.title is None for u in note.urls)
    assert note.sentence, f"note {label} has no citing sentence"
    assert note.raw_text.strip()


def test_seed000_url_counts(seed000: ParsedDocument) -> None:
    by_count: dict[int, set[str]] = {}
    for c in seed000.citations:
        by_count.setdefault(len(c.urls), set()).add(c.label)
    assert by_count[0] == NO_URL
    assert by_count[2] == TWO_URLS
    assert by_count[3] == THREE_URLS
    assert set(by_count) == {0, 1, 2, 3}
    assert {c.label: c.inherits_from for c in seed000.citations if c.inherits_from} == SHORT_FORMS


@pytest.mark.parametrize(
    ("label", "sentence_start", "sentence_end"),
    [
        ("1", "Seen through China’s eyes", "realising a new ‘Silk Road’."),
        ("3", "Starting in Central Asia", "developing a Digital Silk Road (DSR)."),
        ("8", "However, a series of terrorist incidents", "Uzbekistan in particular."),
        ("13", "Yet, while the security side of the SCO thrived,", "failed to move forwards."),
        ("39", "All of this took place", "between 2014 and 2018."),
        ("65", "Huawei’s own overseas academy", "in Uzbekistan in 2016 and Kazakhstan in 2017."),
        ("66", "Huawei’s own overseas academy", "in Uzbekistan in 2016 and Kazakhstan in 2017."),
        ("78", "Kazakh President Kassym-Jomart Tokayev", "emulating the Chinese model."),
        ("87", "Ozon, which could be seen", "compete with it at home."),
    ],
)
def test_seed000_markers_glued_to_words_years_and_punctuation(
    seed000: ParsedDocument, label: str, sentence_start: str, sentence_end: str
) -> None:
    note = next(c for c in seed000.citations if c.label == label)
    assert note.sentence is not None
    assert note.sentence.startswith(sentence_start)
    assert note.sentence.endswith(sentence_end)


def test_seed000_quotations_go_to_the_marker_after_them(seed000: ParsedDocument) -> None:
    notes = {c.label: c for c in seed000.citations}
    assert notes["1"].quotations == ["Silk Road"]
    assert notes["26"].quotations == [
        "the Agreement is the SCO’s practical contribution to the development and "
        "implementation of the Silk Road Economic Belt project"
    ]
    # 34 and 35 share a sentence; the quotation sits between their markers.
    assert notes["34"].sentence == notes["35"].sentence
    assert notes["34"].quotations == []
    assert notes["35"].quotations[0].startswith("affecting all aspects of national security")
    # A quotation of several sentences stays whole.
    assert notes["79"].quotations[0].startswith("have gone far ahead, they deeply digitalized")
    assert notes["79"].quotations[0].endswith("just before our capital’s leadership")
    assert notes["84"].quotations[0].startswith("the country’s oldest football club")


def test_seed000_body_attribution_without_marker(seed000: ParsedDocument) -> None:
    assert [(a.cue, a.source) for a in seed000.attributions] == [("according to", "StatCounter")]


def test_markers_are_not_years_or_quantities() -> None:
    body = (
        "In 1996, the first treaty covered 3,000 km and 45% of trade.4 Then in "
        "Tashkent5 – in 20166 and 0.19 to 0.79 – G20 leaders met.7"
    )
    markers = find_markers(body, ["4", "5", "6", "7"])
    assert {k: body[v[0] - 5 : v[1]] for k, v in markers.items()} == {
        "4": "rade.4",
        "5": "hkent5",
        "6": " 20166",
        "7": " met.7",
    }


def test_notes_section_without_heading_and_wrapped_notes() -> None:
    text = (
        "Body text citing a source.1 And another.2 And a third.3\n\n"
        "1. Author, ‘A Title That Wraps\nover Two Lines’, <https://example.org/a/\nb.html>, "
        "accessed 1 May 2020.\n"
        "2. Ibid.\n"
        "3. Other, ‘Third’, https://example.org/c, accessed 2020-05-02.\n"
    )
    start, notes = find_notes_section(text)
    assert text[start:].startswith("1. Author")
    assert [n.label for n in notes] == ["1", "2", "3"]
    doc = parse_text(text)
    first, second, third = doc.citations
    assert first.title == "A Title That Wraps over Two Lines"
    assert [u.url for u in first.urls] == ["https://example.org/a/b.html"]
    assert second.inherits_from == "1" and second.urls[0].inherited
    assert third.accessed == dt.date(2020, 5, 2)
    assert first.sentence == "Body text citing a source."


@pytest.mark.parametrize(
    ("label", "authors", "published"),
    [
        ("1", "People’s Republic of China Ministry of Foreign Affairs", "2000-11-11"),
        (
            "13",
            "China National Institute for SCO International Exchange and Judicial Cooperation",
            None,
        ),
        ("14", "Nargis Kassenova", "2012-11"),
        ("21", "Raffaello Pantucci and Alexandros Petersen", "2012-07"),
        ("40", "Business Year", "2017"),
        ("43", "Sébastien Peyrouse", "2008-07"),
        ("52", "Huawei", "2017-11-14"),
        ("62", "qdcaijing.com", "2020-11-20"),
        ("89", "Sahkalp Phartiyal", "2020-06-30"),
    ],
)
def test_seed000_authors_and_publication_dates(
    seed000: ParsedDocument, label: str, authors: str, published: str | None
) -> None:
    note = next(c for c in seed000.citations if c.label == label)
    assert (note.authors, note.published) == (authors, published)


def test_superscript_and_bracketed_markers() -> None:
    text = (
        "China wanted a new ‘Silk Road’.¹ Premier Li Peng toured the region in 1994.² "
        "Xi Jinping launched it in Astana [3] in 2013, and 12 ministers attended.¹⁰\n\n"
        "Notes\n\n"
        + "".join(
            f"{n}. Source {n}, ‘Title {n} here’, https://example.org/{n}\n" for n in range(1, 11)
        )
    )
    doc = parse_text(text)
    sentences = {c.label: c.sentence for c in doc.citations}
    assert sentences["1"] == "China wanted a new ‘Silk Road’."
    assert sentences["2"] == "Premier Li Peng toured the region in 1994."
    assert sentences["3"] == "Xi Jinping launched it in Astana in 2013, and 12 ministers attended."
    assert sentences["10"] == sentences["3"]
    assert [w for w in doc.warnings] == [
        f"note {n}: no marker found in the text" for n in range(4, 10)
    ]


def test_sentence_does_not_cross_a_blank_line() -> None:
    # A heading, a blank line, then the citing sentence (as the PDF parser
    # hands over a LibreOffice heading).
    text = (
        "Title line\n\nThe new rail link was announced in 2022.1\n\n"
        "Notes\n\n"
        "1. Xinhua, ‘Railway Agreement’, https://example.org/rail, accessed 14 August 2022.\n"
    )
    (note,) = parse_text(text).citations
    assert note.sentence == "The new rail link was announced in 2022."


def test_blank_line_inside_a_sentence_is_mended(seed000: ParsedDocument) -> None:
    # Seed 000 has a stray blank line in the middle of note 49's sentence
    # ("… to Uzbekistan’s⏎⏎Beeline, a data centralisation tool …").
    note = next(c for c in seed000.citations if c.label == "49")
    assert note.sentence is not None
    assert note.sentence.startswith("In 2021, ZTE handed a SDM (Subscriber Data Management)")
    assert note.sentence.endswith("many other cloud-based functions.")
    # A short heading above a paragraph is never joined to it.
    heading = parse_text(
        "A heading without a full stop at its end\n\nIts backers agreed in 2023.1\n\n"
        "Notes\n\n1. Council, ‘Outlook’, https://example.org/outlook\n"
    )
    assert heading.citations[0].sentence == "Its backers agreed in 2023."


def test_pdf_heading_is_not_part_of_the_first_sentence() -> None:
    from verifier.parse.pdf import parse_pdf

    data = (Path(__file__).parent / "data" / "formats" / "notes-libreoffice.pdf").read_bytes()
    doc = parse_pdf(data, "lo.pdf")
    first = next(c for c in doc.citations if c.label == "1")
    assert first.sentence == "The new rail link between Kashgar and Osh was announced in 2022."


def test_libreoffice_roman_endnote_in_a_pdf() -> None:
    # LibreOffice numbers endnotes i, ii, …: the PDF's endnote page reads
    # "i Interview with …", marked in the body as "mountain section.i".
    from verifier.parse.pdf import parse_pdf

    data = (Path(__file__).parent / "data" / "formats" / "notes-libreoffice.pdf").read_bytes()
    doc = parse_pdf(data, "lo.pdf")
    assert [c.label for c in doc.citations if c.kind == "note"] == ["1", "2", "i"]
    endnote = doc.citations[-1]
    assert endnote.raw_text == "Interview with a freight forwarder, Bishkek, 12 March 2023."
    assert endnote.sentence == "Freight forwarders remain cautious about the mountain section."
    assert endnote.urls == []
    assert doc.warnings == []


def test_roman_numbered_notes_section() -> None:
    text = (
        "The corridor opened in 2017.i Its backers called it “the missing link of the "
        "middle corridor”.ii Freight forwarders stayed cautious;iii traffic grew anyway.\n\n"
        "Endnotes\n\n"
        "i. Xinhua, ‘Railway Agreement’, https://example.org/rail, accessed 14 August 2022.\n"
        "ii. Council, ‘Middle Corridor Outlook’, <https://example.org/outlook>, "
        "retrieved 2 February 2023.\n"
        "iii. Interview with a freight forwarder, Bishkek, 12 March 2023.\n"
    )
    doc = parse_text(text)
    notes = {c.label: c for c in doc.citations}
    assert list(notes) == ["i", "ii", "iii"]
    assert notes["i"].sentence == "The corridor opened in 2017."
    assert [u.url for u in notes["ii"].urls] == ["https://example.org/outlook"]
    assert notes["ii"].accessed == dt.date(2023, 2, 2)
    assert notes["ii"].quotations == ["the missing link of the middle corridor"]
    assert notes["iii"].sentence == "Freight forwarders stayed cautious; traffic grew anyway."
    assert doc.warnings == []


def test_words_i_are_not_roman_notes() -> None:
    # A closing paragraph that starts with a typed "i", and an "i" glued to
    # a word ("taxi"), with no marker glued to punctuation: no notes.
    text = (
        "We took a taxi to the border in 2019 and waited for i think three hours.\n\n"
        "i was told the crossing had closed, so we drove back to Osh.\n"
    )
    doc = parse_text(text)
    assert doc.citations == []
    assert find_markers("a taxi ride and i think", ["i"]) == {}
    assert find_markers("the section.i Then", ["i"]) == {"i": (12, 13)}
