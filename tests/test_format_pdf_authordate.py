"""Author-date reference lists in PDFs (issue 14, item 8).

``data/authordate/article-references.pdf`` (made by ``make_pdf.py`` there,
text written for these tests) is a journal-style article: running head and
foot with the article's own short citation and DOI, a reference list set
without blank lines (each entry wrapped, its DOI or URL on its last line),
and the journal's trailer in small print after the last entry.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from verifier.parse.authordate import reference_entries
from verifier.parse.pdf import parse_pdf

PDF = Path(__file__).parent / "data" / "authordate" / "article-references.pdf"


def test_each_reference_keeps_its_own_doi() -> None:
    doc = parse_pdf(PDF.read_bytes(), "article-references.pdf")
    urls = {c.label: [u.url for u in c.urls] for c in doc.citations}
    assert urls == {
        "Moreau & Lin 2015": ["https://doi.org/10.1111/2041-210X.00001"],
        "Okafor 2019": ["https://doi.org/10.1016/j.ecoinf.2019.00002"],
        "Schmidt et al. 2020": ["https://doi.org/10.1080/09524622.2020.00003"],
        "Tanaka & Horvath 2018": ["https://example.org/checklist-2018"],
    }
    assert all(c.problem is None for c in doc.citations)
    tanaka = next(c for c in doc.citations if c.label == "Tanaka & Horvath 2018")
    assert tanaka.accessed == dt.date(2021, 5, 2)


def test_running_heads_and_the_trailer_are_not_citations() -> None:
    doc = parse_pdf(PDF.read_bytes(), "article-references.pdf")
    assert not any("Webb" in c.label for c in doc.citations)
    every_url = {u.url for c in doc.citations for u in c.urls}
    assert "https://doi.org/10.7717/peerj-cs.123" not in every_url  # the journal's own DOI
    assert "https://peerj.com/submit/" not in every_url
    assert not any("Submit your manuscript" in c.raw_text for c in doc.citations)


def test_entries_in_surname_initials_style_are_split() -> None:
    text = (
        "Moreau P, Lin W. 2015. A modular toolkit. Methods 6(4):412-420\n"
        "https://doi.org/10.1/a\n"
        "Okafor C. 2019. Two hundred tools. Ecological Informatics 52:1-9\n"
        "van Dijk J, Okafor C. 2021. A further census. Ecological\n"
        "Informatics 60:3-8 https://doi.org/10.1/c\n"
    )
    entries = reference_entries(text)
    assert sorted(entries) == [("dijk", "2021"), ("moreau", "2015"), ("okafor", "2019")]
    assert entries[("moreau", "2015")].endswith("https://doi.org/10.1/a")
    assert entries[("dijk", "2021")].endswith("https://doi.org/10.1/c")


def test_a_wrapped_title_line_starting_with_a_name_does_not_start_an_entry() -> None:
    # "Smith JA," opens the line, but the line before did not end an entry.
    text = (
        "Okafor C. 2019. Reading the collected letters of\n"
        "Smith JA, 1841-1860, in context. History 3:1-9 https://doi.org/10.1/x\n"
    )
    assert list(reference_entries(text)) == [("okafor", "2019")]
