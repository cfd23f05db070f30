"""HTML: endnotes and reference lists on the ten real pages of documents/html,
and the link-extraction edge cases of linkcheck/.

INDEX.json's ``external_links`` is the raw number of ``href="http...``
attributes in the file (navigation, ``<link>`` tags and share buttons
included; checked with grep), not a citation count. The note counts asserted
here were counted by reading each page's list (``<li>`` items).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from verifier.errors import DocumentError
from verifier.parse.html import parse_html
from verifier.parse.model import ParsedCitation, ParsedDocument

NOTES = {
    # file: (notes, notes with a citing sentence)
    "acpjournals.org.3075.html": (42, 0),  # <ul class="rlist"> references__item; abstract page
    "alexander-klier.net.zeitphilosophie.html": (1, 1),  # WordPress footnote plugin
    "archive.org.steinzeitwissen.de.werkzeuge.html": (13, 12),  # note 10 is never cited
    "en.wikipedia.org.tsne.html": (12, 12),  # <ol class="references">
    "fivethirtyeight.com.endorsement.html": (4, 4),  # <ol class="footnotes">
    "legrandcontinent.eu.heran.html": (1, 1),  # easy-footnotes "Sources"
    "link.springer.com.1007.html": (87, 0),  # c-article-references; body not in the page
    # INDEX says "numbered references section", but the saved page has none.
    "nature.com.telescope.html": (0, 0),
    "omeda.de-paxlovid.html": (6, 0),  # "Quellen" list
    "wikipedia-Elvis_Presley.html": (483, 483),  # 478 references + 5 explanatory notes
}


@pytest.fixture(scope="module")
def folder(corpus: Path) -> Path:
    return corpus / "documents" / "html"


def parsed(folder: Path, name: str) -> ParsedDocument:
    return parse_html((folder / name).read_bytes(), name)


def notes_of(doc: ParsedDocument) -> list[ParsedCitation]:
    return [c for c in doc.citations if c.kind == "note"]


@pytest.mark.parametrize("name", sorted(NOTES))
def test_notes_per_page(folder: Path, name: str) -> None:
    raw = (folder / name).read_bytes()
    index = json.loads((folder / "INDEX.json").read_text())[name]
    assert len(re.findall(rb'href="https?://', raw, re.IGNORECASE)) == index["external_links"]
    doc = parsed(folder, name)
    notes = notes_of(doc)
    expected, with_sentence = NOTES[name]
    assert len(notes) == expected
    assert sum(1 for c in notes if c.sentence) == with_sentence
    links = [c for c in doc.citations if c.kind == "inline_link"]
    assert all(c.label == f"link-{n}" for n, c in enumerate(links, start=1))
    # Inline links never point back into the page's own site or at share buttons.
    for link in links:
        assert "sharer" not in link.urls[0].url and "/intent/" not in link.urls[0].url


def test_fivethirtyeight_footnotes_and_links(folder: Path) -> None:
    doc = parsed(folder, "fivethirtyeight.com.endorsement.html")
    notes = notes_of(doc)
    assert [c.label for c in notes] == ["1", "2", "3", "4"]
    assert [u.url for u in notes[0].urls] == [
        "https://fivethirtyeight.com/methodology/how-our-presidential-endorsement-tracker-works/"
    ]
    assert notes[0].raw_text == "See here for more on how the points work."
    assert notes[0].sentence == (
        "Joe Biden has far more endorsement points than any other candidate, per "
        "FiveThirtyEight’s endorsement tracker, but the majority of major figures in the "
        "Democratic Party haven’t gotten behind anyone."
    )
    assert [c.urls for c in notes[1:]] == [[], [], []]
    generational = next(c for c in doc.citations if c.link_text == "generational")
    assert generational.urls[0].url.startswith("https://www.huffpost.com/entry/joe-biden-youth")
    assert generational.sentence is not None
    assert generational.sentence.startswith(
        "The Democratic Party has fissures along generational, ideological and racial lines"
    )
    # A link to the site's own pages (the colleague's article) is navigation.
    assert not any(
        "fivethirtyeight.com" in c.urls[0].url for c in doc.citations if c.kind == "inline_link"
    )


def test_german_sources_with_abruf_dates(folder: Path) -> None:
    doc = parsed(folder, "omeda.de-paxlovid.html")
    notes = notes_of(doc)
    assert [c.accessed for c in notes] == [
        dt.date(2022, 1, 1),  # (Abruf: 01/22): month and year -> first of the month
        dt.date(2022, 1, 1),
        dt.date(2022, 1, 1),
        dt.date(2022, 1, 27),  # (Stand: 27.1.2022)
        dt.date(2022, 1, 27),
        dt.date(2021, 11, 5),
    ]
    assert notes[0].urls[0].url == (
        "https://www.rki.de/DE/Content/InfAZ/N/Neuartiges_Coronavirus/Therapie/"
        "Arzneimittel_Tab.html"
    )
    assert all(len(c.urls) == 1 for c in notes)


def test_wayback_capture_of_a_wordpress_page(folder: Path) -> None:
    doc = parsed(folder, "archive.org.steinzeitwissen.de.werkzeuge.html")
    notes = notes_of(doc)
    assert [c.label for c in notes] == [str(n) for n in range(1, 14)]
    assert notes[9].sentence is None  # note 10: in the list, never cited
    # Soft hyphens (&shy;) are gone from the citing sentence.
    assert notes[0].sentence is not None
    assert notes[0].sentence.startswith("Abschläge mit und ohne Modifikation wurden")
    assert notes[0].raw_text.startswith(
        "Lutz Fiedler/ G. und W. Rosendahl, Altsteinzeit von A bis Z"
    )
    # Literature references without links, and no inline links (the Wayback
    # toolbar and the captured site's own pages are not sources).
    assert all(c.urls == [] for c in notes)
    assert [c for c in doc.citations if c.kind == "inline_link"] == []


def test_wikipedia_references(folder: Path) -> None:
    doc = parsed(folder, "en.wikipedia.org.tsne.html")
    notes = notes_of(doc)
    first = notes[0]
    assert first.title == "Visualizing Data Using t-SNE"
    assert [u.url for u in first.urls] == [
        "http://jmlr.org/papers/volume9/vandermaaten08a/vandermaaten08a.pdf"
    ]
    assert not first.raw_text.startswith("^")  # the back-link caret is not note text
    assert first.sentence is not None and first.sentence.startswith(
        "T-distributed Stochastic Neighbor Embedding (t-SNE) is a machine learning algorithm"
    )
    distill = notes[9]
    assert distill.title == "How to Use t-SNE Effectively"
    assert distill.accessed == dt.date(2017, 12, 4)
    # "doi" links to Wikipedia's own article on DOIs are navigation, the DOI is the source.
    assert [u.url for u in notes[11].urls] == ["https://doi.org/10.1007%2F978-3-319-68474-1_13"]


def test_elvis_presley_short_footnotes_inherit_the_bibliography(folder: Path) -> None:
    doc = parsed(folder, "wikipedia-Elvis_Presley.html")
    notes = notes_of(doc)
    labels = [c.label for c in notes]
    assert [label for label in labels if not label.isdigit()] == ["a", "b", "c", "d", "e"]
    # Note 2 is cited inside explanatory note "a": its sentence is that note's.
    cited_in_note = next(c for c in notes if c.label == "2")
    assert cited_in_note.sentence is not None
    assert cited_in_note.sentence.startswith("Although some pronounce his surname")
    # "Retrieved July 12, 2020." on the 13 web citations of this capture.
    assert sum(1 for c in notes if "Retrieved" in c.raw_text) == 13
    assert sum(1 for c in notes if c.accessed) == 13
    # A short footnote ("Guralnick 1994, p. 13") links to its Sources entry;
    # when that entry has a link, the note inherits it.
    inherited = [c for c in notes if c.urls and all(u.inherited for u in c.urls)]
    assert len(inherited) > 100
    # The Sources entries' Wayback links are archived copies of the URLs they
    # captured, not URLs of their own.
    archived = [u for c in notes for u in c.urls if u.archive_url]
    assert archived
    assert all(u.archive_url is not None and u.url in u.archive_url for u in archived)
    assert not any(u.url.startswith("https://web.archive.org/") for c in notes for u in c.urls)


def test_klier_note_sentence_is_the_quoted_motto(folder: Path) -> None:
    doc = parsed(folder, "alexander-klier.net.zeitphilosophie.html")
    (note,) = notes_of(doc)
    assert note.quotations == [
        "Es ist nicht zu wenig Zeit, die wir haben, sondern es ist zu viel Zeit, die wir "
        "nicht nutzen"
    ]
    assert [u.url for u in note.urls] == [
        "http://de.wikipedia.org/wiki/Seneca",
        "http://www.zitate.net/",
    ]


SYNTHETIC = b"""<!doctype html><html><head><title>Corridor</title>
<link rel="canonical" href="https://www.example.org/corridor"></head><body>
<nav><a href="https://nav.example.com/">Home</a></nav>
<header><a href="https://header.example.com/">Logo</a></header>
<article><h1>Corridor</h1>
<p>The minister called it <q>a new artery for trade</q>.<sup><a href="#fn3" id="ref3">3</a></sup>
Officials were <a href="https://news.example.net/story">quoted in the press</a>.
See <a href="/about">about us</a>, <a href="mailto:x@example.org">mail</a>,
<a href="data:text/plain,hi">data</a> and <a href="#top">top</a>.</p>
<pre>https://code.example.com/</pre>
<section class="footnotes"><ol>
<li id="fn3">Ministry, &#8216;Annual Report&#8217;, <a href="https://gov.example.com/report">report</a>,
accessed 14 August 2022. <a href="#ref3">&#8617;</a></li>
</ol></section>
<p>According to the Asian Development Bank, freight volumes rose by a third.
<p>Unclosed paragraph with <b>stray</i> tags
</article>
<footer><a href="https://footer.example.com/">Imprint</a></footer>
</body></html>"""


def test_synthetic_page() -> None:
    doc = parse_html(SYNTHETIC, "corridor.html")
    assert doc.title == "Corridor"
    note, link = doc.citations
    assert (note.kind, note.label) == ("note", "3")
    assert [u.url for u in note.urls] == ["https://gov.example.com/report"]
    assert note.accessed == dt.date(2022, 8, 14)
    assert note.title == "Annual Report"
    assert note.sentence == "The minister called it “a new artery for trade”."
    assert note.quotations == ["a new artery for trade"]
    assert "↩" not in note.raw_text
    assert (link.kind, link.link_text) == ("inline_link", "quoted in the press")
    assert link.sentence == "Officials were quoted in the press."
    assert [a.cue for a in doc.attributions] == ["according to"]


def test_linkcheck_edge_cases(corpus: Path) -> None:
    linkcheck = corpus / "linkcheck"

    def urls(name: str) -> list[str]:
        doc = parse_html((linkcheck / name).read_bytes(), name)
        return [u.url for c in doc.citations for u in c.urls]

    # "https;//example.com" and "https://example]org" are not links.
    assert urls("TEST_HTML5_MALFORMED_LINKS.html") == ["https://example.com/valid"]
    assert not any(u.startswith("data:") for u in urls("TEST_DATA_URIS.html"))
    # Invalid UTF-8 bytes do not stop the parse.
    assert urls("invalid_utf8/index.html") == ["https://example.com"]


def test_not_html_is_refused() -> None:
    with pytest.raises(DocumentError, match="no HTML markup"):
        parse_html(b"just some words, no markup at all", "plain.html")
    with pytest.raises(DocumentError, match="binary"):
        parse_html(b"\x00\x01\x02PNG\x00" * 100, "image.html")
    deep = b"<html><body>" + b"<div>" * 20_000 + b"<p>text</p>"
    with pytest.raises(DocumentError, match="nested too deeply"):
        parse_html(deep, "deep.html")
