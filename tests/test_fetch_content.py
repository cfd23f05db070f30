"""Page text extraction on the real pages of the corpus and on charset cases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from corpus import webpage
from hypothesis import given, settings
from hypothesis import strategies as st
from loopback import make_pdf

from verifier.fetch.content import decode_body, extract_page
from verifier.store.contents import content_hash, load_content, store_content
from verifier.store.database import Database


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def test_every_main_text_passage_of_the_corpus_is_extracted(corpus: Path) -> None:
    truth = json.loads((corpus / "webpages" / "truth.json").read_text())
    found = total = leaked = boilerplate = 0
    missing = []
    for name, info in truth.items():
        page = extract_page(webpage(name), "text/html")
        text = _norm(page.text)
        for passage in info["with"]:
            total += 1
            if _norm(passage) in text:
                found += 1
            else:
                missing.append((name, passage))
        for passage in info["without"]:
            boilerplate += 1
            leaked += _norm(passage) in text
    assert total == 442
    assert missing == []
    # Site chrome (nav, footer, aside) is dropped: at least a third of the
    # boilerplate passages do not reach the text.
    assert leaked < boilerplate * 2 / 3


def test_titles_come_from_title_h1_and_og_title(corpus: Path) -> None:
    truth = json.loads((corpus / "webpages" / "truth.json").read_text())
    titled = [name for name, info in truth.items() if info.get("title")]
    hits = 0
    for name in titled:
        page = extract_page(webpage(name), None)
        wanted = _norm(truth[name]["title"])
        candidates = [page.title, page.h1, page.og_title]
        hits += any(c and (wanted in _norm(c) or _norm(c) in wanted) for c in candidates)
    assert hits >= len(titled) * 0.9


def test_inline_markup_and_entities_do_not_break_words() -> None:
    body = (
        b"<html><body><p>Wash<em>ing</em>ton &amp; Lee&#8217;s <a href=x>re</a>port</p>"
        b"<div>next</div><script>var x = 'no';</script><nav>Menu</nav></body></html>"
    )
    page = extract_page(body, "text/html")
    assert "Washington & Lee\u2019s report" in page.text
    assert "next" in page.text and "Menu" not in page.text and "var x" not in page.text
    assert page.text.index("report") < page.text.index("next")
    assert "report next" not in page.text  # blocks are separated by a line break


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # declared in the header
        ("<p>Zürich café</p>".encode("latin-1"), "text/html; charset=ISO-8859-1", "Zürich café"),
        # declared in a meta tag only
        (
            '<meta charset="windows-1251"><p>Москва</p>'.encode("cp1251"),
            "text/html",
            "Москва",
        ),
        # http-equiv meta
        (
            (
                '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>Привет</p>'
            ).encode("koi8_r"),
            "text/html",
            "Привет",
        ),
        # declared wrongly: says latin-1, bytes are UTF-8
        ("<p>Kraków straße</p>".encode(), "text/html; charset=iso-8859-1", "Kraków straße"),
        # declared wrongly: says UTF-8, bytes are latin-1 (not valid UTF-8)
        (
            "<p>Les élèves français étaient très nombreux à la fête</p>".encode("latin-1"),
            "text/html; charset=utf-8",
            "Les élèves français étaient très nombreux à la fête",
        ),
        # nothing declared, UTF-8
        ("<p>日本語のページ</p>".encode(), None, "日本語のページ"),
    ],
)
def test_charsets(body: bytes, content_type: str | None, expected: str) -> None:
    assert expected in extract_page(body, content_type).text


def test_byte_order_mark_wins() -> None:
    body = "\ufeff<p>Ωmega</p>".encode("utf-16-le")
    assert "Ωmega" in decode_body(body, "text/html; charset=iso-8859-1", html=True)


def test_plain_text_and_pdf() -> None:
    plain = extract_page(b"Line one\r\n\r\n\r\nLine  two", "text/plain; charset=utf-8")
    assert plain.text == "Line one\n\nLine two"
    pdf = extract_page(make_pdf("Quarterly report on growth", title="Growth"), "application/pdf")
    assert "Quarterly report on growth" in pdf.text
    assert pdf.title == "Growth"
    by_magic = extract_page(make_pdf("Magic bytes only"), "application/octet-stream")
    assert "Magic bytes only" in by_magic.text


def test_store_and_load_content_once_per_text(db: Database) -> None:
    page = extract_page(b"<title>T</title><h1>Head</h1><p>Body text</p>", "text/html")
    with db.session() as session:
        first = store_content(session, page)
        second = store_content(session, page)
    assert first == second == content_hash(page.text)
    with db.session() as session:
        loaded = load_content(session, first)
        with pytest.raises(KeyError):
            load_content(session, "0" * 64)
    assert loaded == page
    assert loaded.title == "T" and loaded.h1 == "Head"


_WHITESPACE_HEAVY = st.text(
    alphabet=st.sampled_from(list("ab \n\t\r\f\v\u00a0\u2003\u2028\u3000\x1c\x85")), max_size=60
)


@settings(max_examples=500, deadline=None)
@given(_WHITESPACE_HEAVY)
def test_tidy_is_the_plain_rule(text: str) -> None:
    """``_tidy``'s fast spelling gives what its rule says: tabs and the like
    as spaces, runs of spaces as one, lines stripped, blank lines as one."""
    import re

    from verifier.fetch.content import _SPACE_CHARS, _tidy

    plain = re.sub("  +", " ", text.translate(_SPACE_CHARS))
    plain = "\n".join(line.strip() for line in plain.split("\n"))
    assert _tidy(text) == re.sub(r"\n\s*\n+", "\n\n", plain).strip()
