"""Wikitext external-link templates give their URLs (issue 14, item 7).

One case per template of ``LINK_TEMPLATES``, written as Wikipedia articles
write them (named and positional ids, ids with and without their prefix).
"""

from __future__ import annotations

import pytest

from verifier.parse.wikitext import LINK_TEMPLATES, parse_text

CASES: list[tuple[str, str, str, str | None]] = [
    # (table name, ref content, URL, title)
    (
        "youtube",
        "{{youtube|id=dQw4w9WgXcQ|title=Launch video}}",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "Launch video",
    ),
    (
        "yt",
        "{{YT|dQw4w9WgXcQ|Launch video}}",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "Launch video",
    ),
    (
        "imdbtitle",
        "{{IMDb title|0133093|The Matrix}}",
        "https://www.imdb.com/title/tt0133093/",
        "The Matrix",
    ),
    (
        "imdbname",
        "{{IMDb name|id=nm0000206|name=Keanu Reeves}}",
        "https://www.imdb.com/name/nm0000206/",
        "Keanu Reeves",
    ),
    ("imdbcompany", "{{IMDb company|0017902}}", "https://www.imdb.com/company/co0017902/", None),
    (
        "imdbepisode",
        "{{IMDb episode|tt0583459|Pilot}}",
        "https://www.imdb.com/title/tt0583459/",
        "Pilot",
    ),
    (
        "imdbcharacter",
        "{{IMDb character|0000074}}",
        "https://www.imdb.com/character/ch0000074/",
        None,
    ),
    (
        "rottentomatoes",
        "{{rotten-tomatoes|id=the_matrix|title=The Matrix}}",
        "https://www.rottentomatoes.com/m/the_matrix",
        "The Matrix",
    ),
    (
        "officialwebsite",
        "{{Official website|https://www.example.org/}}",
        "https://www.example.org/",
        None,
    ),
    ("officialsite", "{{official site|example.org/home}}", "http://example.org/home", None),
    ("official", "{{Official|url=www.example.net}}", "http://www.example.net", None),
    (
        "url",
        "{{URL|www.example.com/report|Example report}}",
        "http://www.example.com/report",
        "Example report",
    ),
    ("twitter", "{{Twitter|id=nasa|name=NASA}}", "https://twitter.com/nasa", "NASA"),
    ("facebook", "{{Facebook|nasa}}", "https://www.facebook.com/nasa", None),
    ("instagram", "{{Instagram|nasa}}", "https://www.instagram.com/nasa/", None),
    (
        "mojotitle",
        "{{Mojo title|tt0133093|The Matrix}}",
        "https://www.boxofficemojo.com/title/tt0133093/",
        "The Matrix",
    ),
    (
        "boxofficemojotitle",
        "{{Box Office Mojo title|tt0133093}}",
        "https://www.boxofficemojo.com/title/tt0133093/",
        None,
    ),
    (
        "metacriticfilm",
        "{{Metacritic film|the-matrix|The Matrix}}",
        "https://www.metacritic.com/movie/the-matrix",
        "The Matrix",
    ),
    (
        "metacriticalbum",
        "{{Metacritic album|ok-computer/radiohead}}",
        "https://www.metacritic.com/music/ok-computer/radiohead",
        None,
    ),
    (
        "allmovietitle",
        "{{AllMovie title|v178428|The Matrix}}",
        "https://www.allmovie.com/movie/v178428",
        "The Matrix",
    ),
    (
        "discogsartist",
        "{{Discogs artist|Radiohead}}",
        "https://www.discogs.com/artist/Radiohead",
        None,
    ),
    (
        "discogsmaster",
        "{{Discogs master|21491|OK Computer}}",
        "https://www.discogs.com/master/21491",
        "OK Computer",
    ),
    (
        "gutenberg",
        "{{Gutenberg|no=1342|name=Pride and Prejudice}}",
        "https://www.gutenberg.org/ebooks/1342",
        "Pride and Prejudice",
    ),
    (
        "gutenbergauthor",
        "{{Gutenberg author|id=68|name=Jane Austen}}",
        "https://www.gutenberg.org/ebooks/author/68",
        "Jane Austen",
    ),
    (
        "internetarchive",
        "{{Internet Archive|id=prideprejudice00aust}}",
        "https://archive.org/details/prideprejudice00aust",
        None,
    ),
    ("findagrave", "{{Find a Grave|1234567}}", "https://www.findagrave.com/memorial/1234567", None),
    ("britannica", "{{Britannica|topic/Bodmin}}", "https://www.britannica.com/topic/Bodmin", None),
    ("curlie", "{{Curlie|Arts/Movies}}", "https://curlie.org/Arts/Movies", None),
    ("dmoz", "{{Dmoz|Arts/Music}}", "https://curlie.org/Arts/Music", None),
    ("cspan", "{{C-SPAN|12345}}", "https://www.c-span.org/person/?12345", None),
    ("vimeo", "{{Vimeo|76979871}}", "https://vimeo.com/76979871", None),
    ("soundcloud", "{{SoundCloud|radiohead}}", "https://soundcloud.com/radiohead", None),
    ("doi", "{{doi|10.1000/182}}", "https://doi.org/10.1000/182", None),
    ("hdl", "{{hdl|20.1000/100}}", "https://hdl.handle.net/20.1000/100", None),
    ("arxiv", "{{arXiv|2101.00001}}", "https://arxiv.org/abs/2101.00001", None),
    ("pmid", "{{PMID|12345678}}", "https://pubmed.ncbi.nlm.nih.gov/12345678/", None),
]


def test_every_template_of_the_table_has_a_case() -> None:
    assert {name for name, *_ in CASES} == set(LINK_TEMPLATES)


@pytest.mark.parametrize(("name", "content", "url", "title"), CASES, ids=[c[0] for c in CASES])
def test_link_template_in_a_ref_gives_its_url(
    name: str, content: str, url: str, title: str | None
) -> None:
    doc = parse_text(f"The film opened in 1999.<ref>{content}</ref> It ran long.")
    (citation,) = doc.citations
    assert [u.url for u in citation.urls] == [url]
    assert citation.title == title
    assert citation.sentence == "The film opened in 1999."


def test_link_template_beside_a_cite_template_and_its_archive() -> None:
    doc = parse_text(
        "Claim.<ref>{{cite web |url=http://example.com/a |title=A}} "
        "{{IMDb title|0133093|The Matrix}} "
        "{{webarchive |url=https://web.archive.org/web/2020/https://www.imdb.com/title/tt0133093/"
        " |date=2020-01-01}}</ref>"
    )
    (citation,) = doc.citations
    assert [(u.url, u.archive_url) for u in citation.urls] == [
        ("http://example.com/a", None),
        (
            "https://www.imdb.com/title/tt0133093/",
            "https://web.archive.org/web/2020/https://www.imdb.com/title/tt0133093/",
        ),
    ]
    assert citation.title == "A"


def test_template_without_an_id_gives_nothing() -> None:
    doc = parse_text("Claim.<ref>{{youtube}} {{URL|}} {{IMDb title}}</ref>")
    (citation,) = doc.citations
    assert citation.urls == []


def test_unknown_templates_are_not_links() -> None:
    doc = parse_text("Claim.<ref>{{lang|fr|texte}} {{convert|1|km}}</ref>")
    assert doc.citations[0].urls == []
