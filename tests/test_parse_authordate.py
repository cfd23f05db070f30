"""Author-date citations: seed 001 (text extracted from a PDF) and a small
document with a reference list."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from conftest import seed

from verifier.parse.authordate import clean_pdf_text, find_citations
from verifier.parse.model import ParsedDocument
from verifier.parse.plaintext import parse_text


@pytest.fixture(scope="module")
def seed001() -> ParsedDocument:
    return parse_text(seed(1).read_text(encoding="utf-8"), "seed001.txt")


def test_seed001_counts(seed001: ParsedDocument) -> None:
    kinds = Counter(c.kind for c in seed001.citations)
    # 112 parenthesised or narrative citations with an author, three of them
    # holding 2, 3 and 3 sources, plus 2 in the page footnotes: 117; and the
    # 2 page footnotes themselves.
    assert kinds == {"author_date": 117, "note": 2}
    # The paper has no reference list: every citation is reported as such.
    assert {c.problem for c in seed001.citations if c.kind == "author_date"} == {
        "no reference entry"
    }
    assert all(c.sentence for c in seed001.citations)


def test_seed001_multiple_sources_in_one_parenthesis(seed001: ParsedDocument) -> None:
    labels = [c.label for c in seed001.citations]
    i = labels.index("Aris 2009", labels.index("Yakovleva 2014") - 10)
    assert labels[i : i + 3] == ["Aris 2009", "Allison 2004", "Bailes et al. 2007"]
    assert labels.count("Hussain 2011") == 2 and "Renard 2014" in labels
    for label in ("Laumulin 2019", "Vasa 2020", "Saari 2019"):
        assert label in labels


@pytest.mark.parametrize(
    "label",
    [
        "Ambrosio 2008",  # "Am-\nbrosio (2008)" once the hyphenation is undone
        "Cooley 2015",
        "Dzhuraev & Muratalieva 2020",
        "Dzhuraev and Muratalieva 2020",
        "The EU and Central Asia… 2007",
        "Ihsan Qadir and ur Rehman 2016",
        "de Kerpel 2014",
        "Ünaldılar Kocamaz 2019",
        "Čech 2018",
        "Laruelle et al. 2018",
        "Vitaliy Vorobyov 2012",  # in page footnote 1
        "Deutsch 1969",  # "Karl W. Deutsch (1969, p. 5)" in page footnote 2
    ],
)
def test_seed001_citation_forms(seed001: ParsedDocument, label: str) -> None:
    assert label in {c.label for c in seed001.citations}


def test_seed001_ranges_and_running_heads_are_not_citations(seed001: ParsedDocument) -> None:
    labels = {c.label for c in seed001.citations}
    assert not any(label.startswith("2001") for label in labels)
    assert not any("Stonis" in (c.sentence or "") for c in seed001.citations)
    assert not any(
        "Comparative Analysis of the Shanghai" in (c.sentence or "") for c in seed001.citations
    )


def test_seed001_page_footnotes(seed001: ParsedDocument) -> None:
    notes = [c for c in seed001.citations if c.kind == "note"]
    assert [n.label for n in notes] == ["1", "2"]
    assert notes[0].raw_text.startswith("In particular, special representative")
    assert notes[0].raw_text.endswith("to combat them.")
    assert notes[0].sentence is not None and notes[0].sentence.endswith(
        "jointly combat terrorism, separatism and extremism."
    )
    assert notes[1].raw_text.startswith("Karl W. Deutsch (1969, p. 5) defines security community")
    assert (
        notes[1].sentence is not None and "ad hoc pragmatic security community" in notes[1].sentence
    )
    assert all(n.urls == [] for n in notes)


def test_seed001_quotation_goes_to_the_citation_after_it(seed001: ParsedDocument) -> None:
    cooley = [c for c in seed001.citations if c.raw_text == "(Cooley, 2015)"]
    assert cooley[0].quotations == [
        "regional groups themselves have become institutional arenas where democratic norms "
        "are contested and counter-norms introduced"
    ]


def test_clean_pdf_text_undoes_hyphenation_and_keeps_real_hyphens() -> None:
    text = seed(1).read_text(encoding="utf-8")
    clean, notes = clean_pdf_text(text)
    assert "political, economic, and security alliance formed in 2001" in clean
    assert "For example, Ambrosio (2008) states" in clean
    assert "21st-century agenda" in clean
    assert "Danylo Stonis76" not in clean
    assert len(notes) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("as shown (Ambrosio, 2008).", [("Ambrosio", "2008", None)]),
        ("(Dzhuraev & Muratalieva, 2020, p. 6)", [("Dzhuraev & Muratalieva", "2020", "p. 6")]),
        (
            "(Aris, 2009; Allison, 2004; Bailes et al., 2007)",
            [("Aris", "2009", None), ("Allison", "2004", None), ("Bailes et al.", "2007", None)],
        ),
        ("In this regard, Cooley (2015) argues", [("Cooley", "2015", None)]),
        ("(The EU and Central Asia…, 2007)", [("The EU and Central Asia…", "2007", None)]),
        ("for SCO Affairs (2001–2006) and in (2012) and (e.g., regulatory)", []),
    ],
)
def test_find_citations(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert [(c.who, c.year, c.pages) for c in find_citations(text)] == expected


def test_reference_list_resolution() -> None:
    text = (
        "Regional groups have become arenas where norms are contested (Cooley, 2015). Aris "
        "(2009)\nclaims the framework is less legalistic, and “norms and values promoted by the "
        "SCO are simply\nnot compatible” (Hussain, 2011; Renard, 2014).\n\n"
        "References\n\n"
        "Aris, S. (2009). The Shanghai Cooperation Organisation: Tackling the three evils. "
        "Europe-Asia Studies, 61(3), 457–482. https://doi.org/10.1080/09668130902753309\n"
        "Cooley, A. (2015). Countering democratic norms. Journal of Democracy, 26(3), 49–63. "
        "Retrieved 3 March 2020, from https://www.journalofdemocracy.org/articles/x/\n"
        "Hussain, N. (2011). “The EU and the SCO: Comparing Two Models of Integration”. "
        "Available at http://www.e-ir.info/2011/08/05/x/ (accessed 1 May 2012).\n"
    )
    doc = parse_text(text)
    by_label = {c.label: c for c in doc.citations}
    assert list(by_label) == ["Cooley 2015", "Aris 2009", "Hussain 2011", "Renard 2014"]
    cooley = by_label["Cooley 2015"]
    assert [u.url for u in cooley.urls] == ["https://www.journalofdemocracy.org/articles/x/"]
    assert cooley.accessed == dt.date(2020, 3, 3)
    assert cooley.title == "Countering democratic norms"
    assert cooley.raw_text.startswith("(Cooley, 2015)\nCooley, A. (2015).")
    assert [u.url for u in by_label["Aris 2009"].urls] == [
        "https://doi.org/10.1080/09668130902753309"
    ]
    assert (
        by_label["Hussain 2011"].title == "The EU and the SCO: Comparing Two Models of Integration"
    )
    assert by_label["Hussain 2011"].quotations == [
        "norms and values promoted by the SCO are simply not compatible"
    ]
    assert by_label["Renard 2014"].problem == "no reference entry"
    assert all(c.problem is None for c in doc.citations if c.label != "Renard 2014")


@pytest.mark.parametrize("number", range(5))
def test_line_pattern_matches_like_multiline_caret(number: int) -> None:
    # LinePattern finds headings from line breaks; it must match exactly
    # where "^" with re.MULTILINE does, on the seeds and on edge cases.
    import re

    from verifier.parse.authordate import LinePattern

    body = r"[ \t]*(?:#{1,6}[ \t]*)?(?:notes|references|sources|end\s+notes)[ \t]*:?[ \t]*$"
    fast = LinePattern(body, re.IGNORECASE)
    slow = re.compile("^" + body, re.IGNORECASE | re.MULTILINE)
    texts = [
        seed(number).read_text(encoding="utf-8"),
        "Notes\nbody\n  References:\n\nSources\n",
        "end\nnotes\nx\n## Notes",
    ]
    for text in texts:
        assert fast.spans(text) == [m.span() for m in slow.finditer(text)]
    assert fast.spans(texts[1], 12) == [m.span() for m in slow.finditer(texts[1], 0, 12)]
