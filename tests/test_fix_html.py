"""``verifier fix`` on HTML: Robust Links attributes on the cited link."""

from __future__ import annotations

from pathlib import Path

from fake_archive import FakeArchives
from fixing import dead_with_copy, run_fix
from loopback import LoopbackWeb

from verifier.fix import FixOptions
from verifier.store.database import Database


def page(dead: str, query: str, typed: str) -> str:
    escaped = query.replace("&", "&amp;")
    return (
        "<!DOCTYPE html>\n<html><head><title>Quay</title>"
        f'<link rel="canonical" href="{dead}"></head>\n<body><article>\n'
        '<p>The quay was rebuilt.<sup><a href="#fn1">1</a></sup> '
        f'See <a class="x" href="{escaped}">the survey</a>.</p>\n'
        '<ol class="footnotes">\n'
        f'<li id="fn1">“Old quay”, <a href="{dead}" >{dead}</a>. Retrieved 5 May 2020.</li>\n'
        f'<li id="fn2">Typed: {typed}, accessed 2020.</li>\n'
        f"</ol>\n<!-- {dead} -->\n</article></body></html>\n"
    )


def test_robust_links(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    dead, dead_copy = dead_with_copy(loopback, fake, "/quay")
    query, query_copy = dead_with_copy(loopback, fake, "/survey?x=1&y=2", "20190505000000", host=1)
    typed, typed_copy = dead_with_copy(loopback, fake, "/typed", "20180101000000")
    before = page(dead, query, typed)
    doc = tmp_path / "quay.html"
    doc.write_text(before, "utf-8")
    result = run_fix(db, fake, [doc], write=True)
    q_copy = query_copy.replace("&", "&amp;")
    expected = (
        before.replace(
            f'<a href="{dead}" >',
            f'<a href="{dead}" data-versionurl="{dead_copy}" data-versiondate="2022-03-01" >',
        )
        .replace(
            '">the survey',
            f'" data-versionurl="{q_copy}" data-versiondate="2019-05-05">the survey',
        )
        .replace(
            f"{typed}, accessed",
            f'{typed} (<a href="{typed_copy}" data-originalurl="{typed}" '
            'data-versiondate="2018-01-01">archived</a> 1 January 2018), accessed',
        )
    )
    assert doc.read_text("utf-8") == expected
    # the canonical <link>, the link's text and the comment are not citations
    assert not result.documents[0].skipped
    again = run_fix(db, fake, [doc], write=True)
    assert again.changes == 0 and doc.read_text("utf-8") == expected


def test_replace_inline_keeps_the_original(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    dead, copy = dead_with_copy(loopback, fake, "/gone")
    doc = tmp_path / "a.htm"
    before = f'<html><body><p>Read <a href="{dead}">this</a>.</p></body></html>'
    doc.write_text(before, "utf-8")
    run_fix(db, fake, [doc], write=True, options=FixOptions(replace_inline=True))
    assert doc.read_text("utf-8") == (
        f'<html><body><p>Read <a href="{copy}" data-originalurl="{dead}" '
        'data-versiondate="2022-03-01">this</a>.</p></body></html>'
    )
