"""Word footnotes with a custom mark (issue 14, item 5).

A footnote reference with ``w:customMarkFollows`` shows the text of the run
after it ("*", "†") instead of a number. Such a note is labelled with its
mark and takes no number: the numbered notes after it are numbered as if it
were absent, as Word shows them.
"""

from __future__ import annotations

from docx_build import document_xml, footnote, footnote_ref, footnotes_xml, make_docx, para, run

from verifier.parse.docx import parse_docx


def _document(*paragraphs: str, notes: str) -> bytes:
    return make_docx(document_xml("".join(paragraphs)), footnotes_xml(notes))


def test_custom_mark_takes_no_number() -> None:
    data = _document(
        para(run("Funding came from the council."), footnote_ref(2, "*")),
        para(run("Rents rose by a third."), footnote_ref(3)),
        para(
            run("Wages did not."), footnote_ref(4, "†"), run(" Prices followed."), footnote_ref(5)
        ),
        notes=footnote(2, "Grant 77, https://council.example/grants")
        + footnote(3, "https://stats.example/rents")
        + footnote(4, "https://stats.example/wages")
        + footnote(5, "https://stats.example/prices"),
    )
    notes = parse_docx(data, "marks.docx").citations
    assert [(c.label, c.urls[0].url) for c in notes] == [
        ("*", "https://council.example/grants"),
        ("1", "https://stats.example/rents"),
        ("†", "https://stats.example/wages"),
        ("2", "https://stats.example/prices"),
    ]
    # The mark is a reference, not words of the sentence it follows.
    assert [c.sentence for c in notes] == [
        "Funding came from the council.",
        "Rents rose by a third.",
        "Wages did not.",
        "Prices followed.",
    ]


def test_documents_without_custom_marks_are_numbered_as_before() -> None:
    data = _document(
        para(run("One."), footnote_ref(7), run(" Two."), footnote_ref(8)),
        notes=footnote(7, "https://a.example/1") + footnote(8, "https://a.example/2"),
    )
    assert [c.label for c in parse_docx(data, "plain.docx").citations] == ["1", "2"]
