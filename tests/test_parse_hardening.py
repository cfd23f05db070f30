"""Inputs crafted to make the parsers slow or greedy (issue 17, items 3-6).

Each was minutes, or gigabytes, before: runs of "<", "?", "." or "…" that a
pattern retried from every character, 100,000 note markers in a paragraph,
wikitext full of constructs never closed, a .docx that decompresses to
hundreds of megabytes. The bounds here are loose (a slow shared machine);
the inputs are sized so that the old code was far over them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx_build import (
    document_xml,
    footnote,
    footnote_ref,
    footnotes_xml,
    make_docx,
    para,
    run,
)

from verifier.errors import DocumentError
from verifier.parse import docx as docx_module
from verifier.parse import parse_source
from verifier.parse.anchored import Body
from verifier.parse.docx import parse_docx
from verifier.parse.notes import analyse_note, find_urls
from verifier.parse.reading import Source
from verifier.parse.sentences import sentence_spans, split_sentences
from verifier.parse.wikitext import parse_text, unclosed_constructs


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


# --- item 3: regular expressions tried from every character of a run ------


@pytest.mark.parametrize(
    "note",
    [
        "<" * 40_000 + " http://example.com/a",
        "<" * 40_000,
        "http://a/" * 6_000,  # one 54,000-character "URL" made of URL starts
        "www." * 10_000 + "\nnext line",
        "<http://" * 6_000,
    ],
    ids=["angled-run", "angled-run-no-url", "url-starts", "www-starts", "unclosed-angled"],
)
def test_notes_made_of_url_starts_are_linear(note: str) -> None:
    _, seconds = _timed(lambda: analyse_note(note))
    assert seconds < 2.0  # each was 10 s to minutes before


def test_angled_url_after_a_run_of_brackets_is_still_found() -> None:
    assert find_urls("<" * 5_000 + "http://example.com/a>") == ["http://example.com/a"]
    assert find_urls("see <<http://example.com/b> and <c>") == ["http://example.com/b"]


@pytest.mark.parametrize("mark", ["?", ".", "…", "!"])
def test_sentences_with_a_run_of_end_marks_are_linear(mark: str) -> None:
    text = "It began " + mark * 40_000 + "x and went on. Then It ended."
    spans, seconds = _timed(lambda: sentence_spans(text))
    assert seconds < 2.0  # 13 s for 20,000 "?" before
    assert text[spans[-1][0] : spans[-1][1]] == "Then It ended."


def test_sentence_splitting_of_ordinary_runs_unchanged() -> None:
    assert split_sentences("Wait... What?! It rose 3.5%. Next one.") == [
        "Wait...",
        "What?!",
        "It rose 3.5%.",
        "Next one.",
    ]


def test_a_paragraph_with_100000_markers_is_linear() -> None:
    body = Body()
    for i in range(100_000):
        body.add(f"Claim {i}. ")
        body.marker(("note", i))
    body.end_block()
    sentences, seconds = _timed(body.sentences)
    assert seconds < 10.0  # 151 s before
    assert sentences[("note", 0)] == "Claim 0."
    assert sentences[("note", 99_999)] == "Claim 99999."


# --- item 4: wikitext the parser would backtrack through for minutes ---------


@pytest.mark.parametrize(
    "text",
    [
        "{{a|[[b|{{c|" * 4_000,
        "<ref>" * 50_000,
        "<b x=" * 20_000,
        "{|\n" * 20_000,
        "[http://a " * 20_000,
        "<!--" * 20_000,
        "}}" * 5_000 + "{{a|" * 5_000,  # closers first close nothing
    ],
    ids=["nested", "refs", "tag-starts", "tables", "links", "comments", "misordered"],
)
def test_tangled_wikitext_is_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="too tangled to parse"):
        parse_text(text, "tangled.wiki")
    assert time.perf_counter() - started < 2.0  # 75 s to hours before


def test_real_wikitext_shapes_have_nothing_unclosed() -> None:
    article = (
        "'''Bodmin''' is a town.<ref name=\"a\">{{cite web |url=http://example.com/a "
        '|title=A}}</ref> It grew.<ref name="a"/> <br> See [[Cornwall|the county]].\n'
        "{| class=wikitable\n|-\n| cell || cell\n|}\n<!-- note -->"
        "<ref>[http://example.com/b B] <small>x</small></ref>\n"
    )
    assert unclosed_constructs(article) == {}
    doc = parse_text(article * 200)
    assert len(doc.citations) == 600


def test_a_few_stray_openers_in_a_long_article_still_parse() -> None:
    article = ("Text.<ref>{{cite web |url=http://example.com/x |title=X}}</ref>\n" * 2_000) + (
        "{{stray|" * 3
    )
    doc = parse_text(article)
    assert len(doc.citations) == 2_000


# --- item 5 and 6: .docx decompression and DTD entities ---------------------


def test_docx_with_too_many_elements_is_refused() -> None:
    bomb = document_xml("<w:p/>" * (docx_module.MAX_ELEMENTS + 10))
    data = make_docx(bomb)
    assert len(data) < 200_000  # a small file...
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="too many XML elements"):
        parse_docx(data, "bomb.docx")
    assert time.perf_counter() - started < 5.0


def test_docx_parts_count_against_one_total(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each part under the per-part bound, the two together over the total.
    monkeypatch.setattr(docx_module, "MAX_PART_BYTES", 3_000_000)
    monkeypatch.setattr(docx_module, "MAX_TOTAL_BYTES", 4_000_000)
    monkeypatch.setattr(docx_module, "_CHUNK", 64 * 1024)
    padding = " " * 2_500_000
    doc = document_xml(para(run("Claim.") + footnote_ref(2)) + padding)
    notes = footnotes_xml(footnote(2, "See https://example.com/a") + padding)
    with pytest.raises(DocumentError, match="too large once decompressed"):
        parse_docx(make_docx(doc, notes), "two-parts.docx")
    # Either part alone is read.
    assert parse_docx(make_docx(doc), "one-part.docx").citations == []


def test_docx_part_over_its_own_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_module, "MAX_PART_BYTES", 1_000_000)
    data = make_docx(document_xml(para(run("x")) + " " * 1_100_000))
    with pytest.raises(DocumentError, match="a zip bomb, not a document"):
        parse_docx(data, "big.docx")


def test_docx_text_after_an_unresolved_entity_is_kept() -> None:
    notes = footnotes_xml(footnote(2, "ENTITY")).replace(
        '<w:t xml:space="preserve">ENTITY</w:t>',
        "<w:t>Report &e; at https://example.com/after accessed 2 May 2020</w:t>",
    )
    for doctype in ('[<!ENTITY e "value">]', 'SYSTEM "http://127.0.0.1:9/word.dtd"'):
        declared = notes.replace(
            ' standalone="yes"?>\n', f"?>\n<!DOCTYPE w:footnotes {doctype}>", 1
        )
        data = make_docx(document_xml(para(run("Claim."), footnote_ref(2))), declared)
        (note,) = parse_docx(data, "entity.docx").citations
        assert note.raw_text == "Report &e; at https://example.com/after accessed 2 May 2020"
        assert [u.url for u in note.urls] == ["https://example.com/after"]


def test_markdown_paragraph_of_distinct_notes_is_linear() -> None:
    # Every marker a note of its own, in one sentence: each note's sentence,
    # quotations and attribution check was a pass over the whole paragraph.
    n = 10_000
    text = "Claim " + "".join(f"w{i}[^{i}] " for i in range(n)) + "\n\n"
    text += "".join(f"[^{i}]: http://example.com/{i}\n" for i in range(n))
    doc, seconds = _timed(lambda: parse_source(Source("many.md", text.encode()), "markdown"))
    assert seconds < 12.0  # 23 s before (4 s after, on a busy machine)
    assert len(doc.citations) == n
    assert doc.citations[-1].urls[0].url == f"http://example.com/{n - 1}"


def test_ingest_names_such_files_and_exits_2(db_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from verifier.cli import app

    tangled = tmp_path / "tangled.wiki"
    tangled.write_text("{{a|[[b|{{c|" * 4_000)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(make_docx(document_xml("<w:p/>" * (docx_module.MAX_ELEMENTS + 10))))
    good = tmp_path / "good.md"
    good.write_text("A claim.[^1]\n\n[^1]: https://example.com/a\n")
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["ingest", str(tangled), str(bomb), str(good), "--db", db_url])
    assert time.perf_counter() - started < 20.0
    assert result.exit_code == 2
    flat = " ".join(result.stderr.split())
    assert f"{tangled}: wikitext too tangled to parse in bounded time" in flat
    assert f"{bomb}: too many XML elements" in flat
    assert f"new  {good}" in result.stdout
