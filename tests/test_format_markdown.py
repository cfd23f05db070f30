"""Markdown: footnotes, inline notes and links, on the real essays of
documents/markdown and the link-extraction edge cases of linkcheck/.

The INDEX.json counts are raw counts over the file (checked by reading and
with grep): ``footnote_definitions`` is the number of ``[^label]:`` lines,
``inline_notes`` the number of ``^[`` openings, ``http_urls`` every
``http://``/``https://`` occurrence (code blocks, comments and the original
URL inside a Wayback link included), ``wikipedia_shorthand_links`` every
``](!Wikipedia``. Where the parser's figure differs, the test says why.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.parse.markdown import parse_text
from verifier.parse.model import ParsedDocument

INDEX_FILES = [
    "gwern-Archiving-URLs.md",
    "gwern-Bitcoin-is-Worse-is-Better.md",
    "gwern-Charity-is-not-about-helping.md",
    "gwern-Girl-Scouts-and-good-governance.md",
    "gwern-In-Defense-Of-Inclusionism.md",
    "gwern-Silk-Road.md",
    "policyengine-behavioural-responses.md",
    "policyengine-labour-2024-manifesto.md",
    "policyengine-vance-ctc.md",
    "rust-inside-rust-all-hands-2026-retrospective.md",
]


@pytest.fixture(scope="module")
def folder(corpus: Path) -> Path:
    return corpus / "documents" / "markdown"


@pytest.fixture(scope="module")
def index(folder: Path) -> dict[str, dict[str, int]]:
    data: dict[str, dict[str, int]] = json.loads((folder / "INDEX.json").read_text())
    return data


def parsed(folder: Path, name: str) -> ParsedDocument:
    return parse_text((folder / name).read_text(encoding="utf-8"), name)


def notes(doc: ParsedDocument) -> list[str]:
    return [c.label for c in doc.citations if c.kind == "note"]


@pytest.mark.parametrize("name", INDEX_FILES)
def test_every_footnote_and_inline_note_is_a_citation(
    folder: Path, index: dict[str, dict[str, int]], name: str
) -> None:
    text = (folder / name).read_text(encoding="utf-8")
    expected = index[name]
    # The INDEX counts, recounted from the source.
    definitions = re.findall(r"^\[\^([^\]]+)\]:", text, re.MULTILINE)
    assert len(definitions) == expected["footnote_definitions"]
    assert text.count("^[") == expected["inline_notes"]
    assert len(re.findall(r"https?://", text)) == expected["http_urls"]

    doc = parsed(folder, name)
    labels = notes(doc)
    # Every definition is referenced in these essays, so every one is a note,
    # under the label as written; inline notes are inline-1, inline-2, ...
    assert sorted(label for label in labels if not label.startswith("inline-")) == sorted(
        definitions
    )
    assert [label for label in labels if label.startswith("inline-")] == [
        f"inline-{n}" for n in range(1, expected["inline_notes"] + 1)
    ]


def test_archiving_urls_notes_read_by_hand(folder: Path) -> None:
    doc = parsed(folder, "gwern-Archiving-URLs.md")
    by_label = {c.label: c for c in doc.citations}

    backups = by_label["backups"]
    # Links in the note, in order, plus its second (indented) paragraph's link.
    assert [u.url for u in backups.urls] == [
        "https://en.wikipedia.org/wiki/Amazon_S3",
        "http://s3tools.org/s3cmd",
        "http://www.nongnu.org/rdiff-backup/",
        "http://forre.st/storage#hdd",
        "https://en.wikipedia.org/wiki/PAR2",
    ]
    assert "I used to semiannually tar up my important folders" in backups.raw_text
    assert backups.sentence == (
        "I need backups not just for my files, but for the web pages I read and use - "
        "they're all part of my exomind."
    )

    # A definition glued to the previous note's indented quotation (no blank
    # line) is still its own note, as Pandoc reads it.
    schneier = by_label["schneier"]
    assert schneier.title == "When the Internet Is My Hard Drive, Should I Trust Third Parties?"
    assert [u.url for u in schneier.urls] == [
        "http://www.wired.com/politics/security/commentary/securitymatters/2008/02/"
        "securitymatters_0221"
    ]
    assert schneier.sentence is not None and "go dead in days" in schneier.sentence

    # The epigraph's inline note: the quotation it supports is the sentence.
    first = doc.citations[0]
    assert first.label == "inline-1"
    assert first.raw_text == "Last words of the Buddha."
    assert first.quotations == [
        "Decay is inherent in all compound things. Work out your own salvation with diligence"
    ]

    # [link rot](!Wikipedia) is an inline link to the article it names.
    link = next(c for c in doc.citations if c.link_text == "link rot")
    assert link.kind == "inline_link"
    assert link.label.startswith("link-")
    assert [u.url for u in link.urls] == ["https://en.wikipedia.org/wiki/Link_rot"]
    assert link.sentence == (
        "Given my interest in long term content and extensive linking, link rot is an issue "
        "of deep concern to me."
    )


def test_inclusionism_stress_document(folder: Path) -> None:
    """1,430 http(s) occurrences: 1,342 of them are the lists of edit URLs in
    indented code blocks (from "### Anime edits" on) and in the fenced Haskell
    and shell blocks, 2 in inline code (an ``elinks`` command line), 1 is an
    image: code and images are skipped, leaving 85 link targets."""
    doc = parsed(folder, "gwern-In-Defense-Of-Inclusionism.md")
    urls = [u.url for c in doc.citations for u in c.urls]
    wikipedia_shorthand = [u for u in urls if u.startswith("https://en.wikipedia.org/wiki/")]
    written = [u for u in urls if u not in wikipedia_shorthand]
    assert len(written) == 85
    assert not any("diff=prev&oldid=171214764" in u for u in urls)  # first code-block URL
    # 95 "](!Wikipedia" in the file; one of them sits inside another link's
    # title ("...Proposal to require [autoconfirmed](!Wikipedia "...") status..."),
    # which is not a link in CommonMark.
    assert len(wikipedia_shorthand) == 94
    assert len(notes(doc)) == 15 + 19


def test_wayback_link_is_the_archived_copy_of_the_original(folder: Path) -> None:
    doc = parsed(folder, "gwern-Bitcoin-is-Worse-is-Better.md")
    archived = [(c.label, u) for c in doc.citations for u in c.urls if u.archive_url]
    assert [(label, u.url, u.archive_url, u.archive_date) for label, u in archived] == [
        (
            "bitgold",
            "http://szabo.best.vwh.net/ttps.html",
            "http://web.archive.org/web/20101008225926/http://szabo.best.vwh.net/ttps.html",
            dt.date(2010, 10, 8),
        ),
        (
            "szabo",
            "http://szabo.best.vwh.net/bearer_contracts.html",
            "http://web.archive.org/web/20110724123419/"
            "http://szabo.best.vwh.net/bearer_contracts.html",
            dt.date(2011, 7, 24),
        ),
    ]
    # 64 "](!Wikipedia" in the file, one inside an HTML comment (lines 149-175).
    shorthand = [
        u for c in doc.citations for u in c.urls if u.url.startswith("https://en.wikipedia.org/")
    ]
    assert len(shorthand) == 63


def test_policyengine_post(folder: Path) -> None:
    doc = parsed(folder, "policyengine-vance-ctc.md")
    assert notes(doc) == ["repo", "crfb"]
    crfb = next(c for c in doc.citations if c.label == "crfb")
    assert crfb.title == "Build Your Own Child Tax Credit"
    assert [u.url for u in crfb.urls] == ["https://www.crfb.org/build-your-own-child-tax-credit"]
    # 20 http occurrences: 4 are images (![](https://cdn-images...)), skipped.
    assert len([u for c in doc.citations for u in c.urls]) == 16
    interview = next(c for c in doc.citations if c.link_text == "interview")
    assert interview.kind == "inline_link"
    assert interview.sentence is not None
    assert interview.sentence.startswith("In a 2021 interview with Charlie Kirk")
    assert interview.quotations == [
        "If you are making $100,000, $400,000 a year and you’ve got three kids, you should pay "
        "a different, lower tax rate than if you are making the same amount of money and you "
        "don’t have any kids"
    ]


SYNTHETIC = """# Corridor notes

The ministry called it “a new artery for trade”.[^1] See [the report][r] and
<https://auto.example.org/page>, or https://bare.example.net/x. Code such as
`https://code.example.com/inline` and [a mail](mailto:a@example.org) or
[an anchor](#notes) are not sources. A [capture](https://web.archive.org/web/2019/https://gone.example.com/)
is the archived copy.^[Inline note citing <https://inline.example.org/>.]

```
https://fenced.example.com/
```

    https://indented.example.com/

[r]: https://ref.example.org/report "Report"

[^1]: Ministry of Transport, ‘Annual Report’, https://www.example.gov/report.pdf,
    accessed 14 August 2022.

    A second paragraph: see also <https://second.example.gov/>.

[^note-a]: Defined but never referenced.
"""


def test_synthetic_rules() -> None:
    doc = parse_text(SYNTHETIC)
    assert doc.title == "Corridor notes"
    by_label = {c.label: c for c in doc.citations}
    note = by_label["1"]
    assert [u.url for u in note.urls] == [
        "https://www.example.gov/report.pdf",
        "https://second.example.gov/",
    ]
    assert note.accessed == dt.date(2022, 8, 14)
    assert note.title == "Annual Report"
    assert note.quotations == ["a new artery for trade"]
    links = [c for c in doc.citations if c.kind == "inline_link"]
    assert [(c.link_text, c.urls[0].url) for c in links] == [
        ("the report", "https://ref.example.org/report"),
        ("https://auto.example.org/page", "https://auto.example.org/page"),
        (None, "https://bare.example.net/x"),
        ("capture", "https://gone.example.com/"),
    ]
    assert links[-1].urls[0].archive_url == (
        "https://web.archive.org/web/2019/https://gone.example.com/"
    )
    assert links[-1].urls[0].archive_date == dt.date(2019, 1, 1)
    assert [u.url for u in by_label["inline-1"].urls] == ["https://inline.example.org/"]
    # Referenced notes only: an unreferenced definition is not rendered either.
    assert "note-a" not in by_label
    all_urls = " ".join(u.url for c in doc.citations for u in c.urls)
    for skipped in ("code.example.com", "fenced.example", "indented.example", "mailto", "#notes"):
        assert skipped not in all_urls


def test_linkcheck_code_blocks_and_schemes(corpus: Path) -> None:
    linkcheck = corpus / "linkcheck"
    code = parse_text((linkcheck / "TEST_CODE_BLOCKS.md").read_text())
    assert code.citations == []  # every URL there is in a code block or code span
    schemes = parse_text((linkcheck / "TEST_SCHEMES.md").read_text())
    assert [u.url for c in schemes.citations for u in c.urls] == [
        "https://example.com",
        "http://example.com",
    ]  # slack://channel?id=123 is not a web link
    email = parse_text((linkcheck / "TEST_EMAIL.md").read_text())
    assert all(not u.url.startswith("mailto:") for c in email.citations for u in c.urls)


_LINK_CHARS = "abcXYZ019;/?:&=+$,-_.!~*'()#@%"


def _check_plain(url: str) -> bool:
    """markdown-it's own normalisation gives what ``_plain_first`` gives."""
    from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText

    from verifier.parse.markdown import _PLAIN_LINK, _parser

    md = _parser()
    assert md.normalizeLink(url) == normalizeLink(url)
    assert md.normalizeLinkText(url) == normalizeLinkText(url)
    return bool(_PLAIN_LINK.match(url))


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(["http://", "https://", "HTTP://"]),
    st.text(alphabet="abcXYZ09.-", min_size=1, max_size=12),
    st.sampled_from(["", ":8080", ":", ":x"]),
    st.sampled_from(["", "/", "?", "#"]),
    st.text(alphabet=_LINK_CHARS, max_size=30),
)
def test_a_plain_link_target_is_what_markdown_it_makes_of_it(
    scheme: str, host: str, port: str, start: str, rest: str
) -> None:
    _check_plain(scheme + host + port + start + rest)


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(["http://", "https://"]), st.text(alphabet=_LINK_CHARS, max_size=30))
def test_any_link_target_is_what_markdown_it_makes_of_it(scheme: str, rest: str) -> None:
    _check_plain(scheme + rest)


def test_common_links_take_the_fast_path() -> None:
    for url in (
        "https://www.example.org/2019/05/report.pdf",
        "http://127.0.0.1:8080/ok/v12/page",
        "https://example.com/search?q=link+rot&page=2#results",
    ):
        assert _check_plain(url)


def test_links_markdown_it_rewrites_are_still_rewritten() -> None:
    from verifier.parse.markdown import _parser

    md = _parser()
    assert md.normalizeLink("https://example.org/Müller") == "https://example.org/M%C3%BCller"
    assert md.normalizeLink("http://@h/") == "http://h/"
    assert md.normalizeLinkText("https://xn--mnchen-3ya.de/") == "https://münchen.de/"
    assert md.normalizeLink("https://h/a%2") == "https://h/a%252"
