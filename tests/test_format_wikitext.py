# ruff: noqa: E501  (wikitext samples keep their real one-line refs)
"""Wikitext: <ref> citations on the six real articles of documents/wikitext.

The INDEX.json counts were recounted from the sources: ``ref_tags`` counts
every ``<ref`` opening, reuses (``<ref name="x" />``) included
(United-Kingdom: 615 with content + 72 reuses = 687); ``cite_templates``
every ``{{cite ...}}``; ``params_url`` every ``|url=``; ``params_archive_url``
every ``|archive-url=``/``|archiveurl=``, inside refs or not.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from verifier.parse.model import ParsedDocument
from verifier.parse.wikitext import parse_text

FILES = {
    # name: (ref_tags, reuses, cite templates inside refs)
    "AACTA-Award-for-Outstanding-Achievement-in-Short-Film-Screen-Craft.wiki": (2, 0, 6),
    "Bodmin.wiki": (49, 2, 25),
    "Elizabeth-Gilbert.wiki": (37, 2, 19),
    "United-Kingdom.wiki": (687, 72, 508),
    "toronto.wiki": (134, 16, 74),
    "toronto_star.wiki": (33, 1, 20),
}


@pytest.fixture(scope="module")
def folder(corpus: Path) -> Path:
    return corpus / "documents" / "wikitext"


def parsed(folder: Path, name: str) -> ParsedDocument:
    return parse_text((folder / name).read_text(encoding="utf-8"), name)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_ref_tag_is_a_citation(folder: Path, name: str) -> None:
    index = json.loads((folder / "INDEX.json").read_text())[name]
    text = (folder / name).read_text(encoding="utf-8")
    ref_tags, reuses, _ = FILES[name]
    assert len(re.findall(r"<ref[ >/]", text, re.IGNORECASE)) == index["ref_tags"] == ref_tags
    assert len(re.findall(r"<ref [^>]*/>", text, re.IGNORECASE)) == reuses

    doc = parsed(folder, name)
    assert len(doc.citations) == ref_tags
    reused = [c for c in doc.citations if c.inherits_from]
    assert len(reused) == reuses
    labels = {c.label for c in doc.citations if not c.inherits_from}
    for citation in reused:
        # A reuse cites the same source again: same label, inherited URLs.
        assert citation.label == citation.inherits_from
        assert citation.label in labels
        assert all(u.inherited for u in citation.urls)
    assert all(c.kind == "note" for c in doc.citations)


def test_united_kingdom(folder: Path) -> None:
    name = "United-Kingdom.wiki"
    text = (folder / name).read_text(encoding="utf-8")
    doc = parsed(folder, name)
    first_uses = [c for c in doc.citations if not c.inherits_from]
    assert len(first_uses) == 615
    urls = {u.url for c in first_uses for u in c.urls}
    # 468 url= parameters. One is in body text: an edit deleted its "<ref>{{"
    # ("... in the 1980scite web |url=http://www.statista.com/..."), so it is
    # no citation; the other 467 are citation URLs.
    written = [m.group(1) for m in re.finditer(r"\|\s*url\s*=\s*([^|}<\s]+)", text)]
    assert len(written) == 468
    missing = [url for url in written if url not in urls]
    assert missing == [
        "http://www.statista.com/statistics/283093/homicide-in-england-and-wales-uk-y-on-y/"
    ]
    # The 115 archive-url parameters become archived copies of their URLs.
    archived = [u for c in first_uses for u in c.urls if u.archive_url]
    assert len(archived) == 115
    assert all(u.archive_date is not None for u in archived)

    national_anthem = first_uses[0]
    assert national_anthem.label == "1"
    assert national_anthem.title == "National Anthem"
    assert national_anthem.accessed == dt.date(2016, 6, 4)
    assert [u.url for u in national_anthem.urls] == ["https://www.royal.uk/national-anthem"]
    assert national_anthem.sentence == (
        "There is no authorised version of the national anthem as the words are a matter of "
        "tradition; only the first verse is usually sung."
    )
    # quote= is a quotation to verify against the source.
    devolution = next(c for c in first_uses if c.label == "16")
    assert devolution.title == "Devolution of powers to Scotland, Wales and Northern Ireland"
    assert devolution.quotations[0].startswith(
        "In a similar way to how the government is formed from members"
    )


def test_bundled_ref_with_archive_copies(folder: Path) -> None:
    doc = parsed(folder, "AACTA-Award-for-Outstanding-Achievement-in-Short-Film-Screen-Craft.wiki")
    afi, winners = doc.citations
    assert afi.title == "Non-Feature Award Winners, 1958-2010"
    assert afi.accessed == dt.date(2011, 12, 24)
    assert afi.authors == "Australian Film Institute (AFI)"
    assert len(afi.urls) == 1
    assert afi.urls[0].archive_url is not None
    assert afi.urls[0].archive_url.startswith("http://www.webcitation.org/60ETb1bQB")
    assert afi.urls[0].archive_date == dt.date(2011, 7, 17)
    # Five cite web templates in one ref: five URLs, four with an archived copy
    # (2006 has only {{dead link}}).
    assert [u.url.rsplit("/", 1)[1] for u in winners.urls] == [
        f"{year}.aspx" for year in range(2006, 2011)
    ]
    assert [u.archive_date for u in winners.urls] == [None] + [dt.date(2012, 4, 25)] * 4
    assert winners.title == "AACTA - Past Winners - 2000-2010 - 2006"


def test_cite_templates_outside_refs_are_not_citations(folder: Path) -> None:
    """Bodmin has 31 {{cite ...}}: 25 in refs and 6 in "External links" /
    "Further reading" lists; its 18 archive-url parameters: 13 in refs."""
    doc = parsed(folder, "Bodmin.wiki")
    urls = [u for c in doc.citations if not c.inherits_from for u in c.urls]
    assert not any("ncdc.gov.uk" in u.url for u in urls)  # an External links entry
    assert len([u for u in urls if u.archive_url]) == 13


def test_cite_news_fields(folder: Path) -> None:
    doc = parsed(folder, "Elizabeth-Gilbert.wiki")
    first = doc.citations[0]
    assert first.title == "Paperback Nonfiction"
    assert first.authors == "The New York Times"
    assert first.published == "2010-02-28"
    assert first.accessed == dt.date(2010, 5, 1)
    assert first.sentence is not None
    assert first.sentence.startswith("She is best known for her 2006 memoir, Eat, Pray, Love,")


SYNTHETIC = """'''Corridor''' is a railway.<ref name="later"/> It opened in 2022.<ref name="xin">{{cite news
 |url=https://news.example.cn/rail |title=Railway opens |trans-title=The railway opens
 |access-date=2022-08-14 |archive-url=https://web.archive.org/web/20220901000000/https://news.example.cn/rail
 |archive-date=1 September 2022 |url-status=dead |last=Wang |first=Li
 |quote=The line will carry five million tonnes a year}}</ref>
Critics called it "a white elephant in the mountains".<ref>http://bare.example.org/critique Retrieved 3 May 2021.</ref>
Freight grew.<ref>[https://stats.example.org/freight Freight statistics], accessed 2 June 2023 {{webarchive |url=https://web.archive.org/web/20230602/https://stats.example.org/freight |date=2 June 2023}}</ref> It fell again.<ref name="xin" /><ref group="note">An explanatory note.</ref><ref name="ghost"/>

{{Infobox railway | length = 900 km<ref>{{cite web |url=https://length.example.org |title=Length}}</ref> }}

==References==
{{reflist|refs=
<ref name="later">{{cite web |url=https://later.example.org/defined-in-reflist |title=Defined later}}</ref>
}}
"""


def test_synthetic_refs() -> None:
    doc = parse_text(SYNTHETIC)
    by = [(c.label, c.inherits_from) for c in doc.citations]
    assert by == [
        ("1", None),
        ("2", None),
        ("3", None),
        ("4", None),
        ("2", "2"),
        ("note 1", None),
        ("5", None),
        ("6", None),
    ]
    later, xin, bare, freight, again, note, ghost, length = doc.citations
    assert [u.url for u in later.urls] == ["https://later.example.org/defined-in-reflist"]
    assert later.sentence == "Corridor is a railway."
    assert xin.title == "Railway opens"
    assert xin.translated_title == "The railway opens"
    assert xin.authors == "Wang, Li"
    assert xin.accessed == dt.date(2022, 8, 14)
    assert xin.urls[0].archive_url == (
        "https://web.archive.org/web/20220901000000/https://news.example.cn/rail"
    )
    assert xin.urls[0].archive_date == dt.date(2022, 9, 1)
    assert xin.quotations == ["The line will carry five million tonnes a year"]
    assert xin.sentence == "It opened in 2022."
    assert [u.url for u in bare.urls] == ["http://bare.example.org/critique"]
    assert bare.accessed == dt.date(2021, 5, 3)
    assert bare.quotations == ["a white elephant in the mountains"]
    assert [u.url for u in freight.urls] == ["https://stats.example.org/freight"]
    assert freight.urls[0].archive_date == dt.date(2023, 6, 2)
    assert freight.accessed == dt.date(2023, 6, 2)
    assert again.sentence == "It fell again."
    assert [(u.url, u.inherited) for u in again.urls] == [("https://news.example.cn/rail", True)]
    assert note.urls == []
    assert ghost.problem == "ref name=ghost is never defined"
    assert [u.url for u in length.urls] == ["https://length.example.org"]
    assert length.sentence == "900 km"
