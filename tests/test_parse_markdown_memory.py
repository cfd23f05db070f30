"""Markdown is parsed in memory bounded by a window, not by its token stream
(issue 16: a document citing 20,000 URLs in footnotes made markdown-it-py
build 300,000 tokens, 170 MB, before the parser read any).

The streamed reading must equal what markdown-it's complete token stream
(its footnote plugin's ``footnote_tail`` arrangement) gives, walked in one
go: ``_whole_stream`` below is that reading, checked against the streamed
one on awkward documents and on random ones.
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from verifier.parse import markdown
from verifier.parse.markdown import _Blocks, _Note, _parser, _read, _Walker, parse_text


def _whole_stream(text: str) -> tuple[_Walker, str | None]:
    """The walk over markdown-it's complete token stream (the parser before
    it streamed): notes after the body, in the order of their ids."""
    tokens = _parser().parse(text, {})
    walker = _Walker()
    note: _Note | None = None
    for tok in tokens:
        if tok.type == "footnote_open":
            fid = int(tok.meta["id"])
            label = tok.meta.get("label")
            if label is None:
                walker.inline_count += 1
                label = f"inline-{walker.inline_count}"
            note = walker.notes.setdefault(fid, _Note(fid, str(label)))
        elif tok.type == "footnote_close":
            note = None
        elif tok.type == "inline" and tok.children is not None:
            if note is not None:
                walker.note_inline(note, tok.children)
            else:
                walker.body_inline(tok.children)
    title = None
    if len(tokens) > 1 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        title = tokens[1].content.strip() or None
    return walker, title


def _reading(walker: _Walker, title: str | None) -> object:
    return (
        title,
        walker.body.blocks,
        walker.links,
        list(walker.note_order),
        {fid: walker.notes[fid] for fid in sorted(walker.notes)},
    )


def _bench_document(count: int) -> str:
    """bench/bench_web.py's document: one claim per paragraph, then the notes."""
    body = "\n".join(f"Claim number {n} is reported.[^{n}]\n" for n in range(1, count + 1))
    notes = "\n".join(
        f'[^{n}]: "Article {n}", Example News, <http://127.0.0.{n % 50 + 1}:8000/ok/b{n}/page>.'
        for n in range(1, count + 1)
    )
    return "# Cited\n\n" + body + "\n" + notes + "\n"


AWKWARD = {
    "notes at the end, one unused": (
        '# Title here\n\nBody cites [^a] and "a quoted phrase here"[^b] and again[^a].\n\n'
        "[^a]: First, <https://a.example/x>.\n"
        '[^b]: Second "Title B", https://b.example/y accessed 3 May 2020.\n'
        "[^c]: Unreferenced https://c.example/\n"
    ),
    "definition first, inline notes nested": (
        "[^1]: Defined first https://one.example/.\n\n# Heading after def\n\n"
        "Text.[^1] More ^[an inline note https://inl.example/ and "
        "^[nested inline https://nest.example/]] end.\n"
    ),
    "a definition nested in another": (
        "Outer[^o] inner[^i].\n\n[^o]: Outer text https://o.example/\n"
        "    [^i]: inner def https://i.example/\n\n"
        "    continuation of outer https://o2.example/\n\nAfter.\n"
    ),
    "definitions in a quotation and a list, one redefined": (
        "A[^x] B[^y].\n\n> [^x]: quoted def https://q.example/\n> more\n\n"
        "- [^y]: def in list https://l.example/\n- item two [link](https://li.example/)\n\n"
        "[^x]: redefined https://x2.example/\n"
    ),
    "references defined after their use": (
        "Use [ref link][r] and [^late] and [short].\n\n```\n"
        "[^late]: not a def in code https://code.example/\n```\n\n"
        '[r]: https://ref.example/\n[short]: https://short.example/ "T"\n'
        "[^late]: late def https://late.example/ \\_esc\\_ `https://code.example/`\n"
    ),
    "inline notes in definitions and a reused nested definition": (
        "* list[^l1]\n\n  continued[^l2] and[^i2]\n\n[^l1]: one https://l1.example/\n"
        "    [^i2]: in one https://i2.example/\n"
        "[^l2]: two ^[inline inside def https://iid.example/] https://l2.example/\n\n"
        "Final[^l1] http://bare.example/path and www.bare2.example.\n"
    ),
    "only definitions": "[^a]: only defs https://a.example/\n[^b]: https://b.example/\n",
    "no notes": "Nothing cited here. According to the council, things happened.\n",
    "a table, html and a heading second": (
        "Intro.\n\n# Not first\n\n| a | b |\n|---|---|\n"
        "| cell[^t] | [l](https://tbl.example/) |\n\n"
        "[^t]: table note https://t.example/\n\n<div>\n[^h]: html https://html.example/\n</div>\n\n"
        'Text[^h] ![img](https://img.example/x.png) [x](!Wikipedia "link rot")\n'
    ),
    "carriage returns and NUL": "# T\r\n\r\nText\x00 with NUL[^1].\r\n\r\n[^1]: CRLF https://c.example/\r\n",
    "many notes": _bench_document(40),
}


@pytest.mark.parametrize("window", [1, 3, markdown._WINDOW])
@pytest.mark.parametrize("name", sorted(AWKWARD))
def test_streamed_reading_is_the_whole_streams(
    name: str, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markdown, "_WINDOW", window)
    text = AWKWARD[name]
    assert _reading(*_read(text)) == _reading(*_whole_stream(text))


PIECES = [
    "[^a]", "[^b]", "[^1]", "^[inline https://i.example/x]", "^[in ^[nest]]",
    "[^a]: ", "[^b]: ", "[^1]: ", "\n", "\n\n", "    ", "> ", "- ", "1. ", "```\n",
    "# ", "Title", '"quoted words here" ', "‘two words’ ", "https://u.example/p ",
    "<https://auto.example/>", "[t](https://l.example/)", "[r]", "[r]: https://ref.example/\n",
    "[t][r]", "Some text. ", "according to the council, ", "`code https://c.example/`",
    "\\_", "|a|b|\n|-|-|\n|x|y|\n", "<div>\n", "</div>\n", "---\n", "    [^a]: nested ",
    "accessed 3 May 2020", "Ibid.", "www.x.example ", "[x](!Wikipedia)",
    "[y](https://web.archive.org/web/2015/http://z.example/)", "\r\n", "*em* ",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(PIECES), max_size=50), st.sampled_from([1, 2, 256]))
def test_streamed_reading_of_random_markdown_is_the_whole_streams(
    pieces: list[str], window: int
) -> None:
    text = "".join(pieces)
    saved = markdown._WINDOW
    markdown._WINDOW = window
    try:
        assert _reading(*_read(text)) == _reading(*_whole_stream(text))
    finally:
        markdown._WINDOW = saved


def test_the_core_rules_are_those_the_streaming_replaces() -> None:
    """The streaming runs markdown-it's core rules itself, footnote_tail
    excepted: a rule added to the chain must be placed on purpose."""
    assert _parser().core.ruler.get_active_rules() == [
        "normalize",
        "block",
        "inline",
        "footnote_tail",
        "text_join",
    ]


def test_block_tokens_are_handed_over_a_top_level_block_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sizes: list[int] = []
    take = _Blocks.take

    def counting(self: _Blocks, tokens: list[Token]) -> None:
        sizes.append(len(tokens))
        take(self, tokens)

    monkeypatch.setattr(_Blocks, "take", counting)
    parse_text(_bench_document(500))
    # a paragraph is 3 tokens, a one-paragraph definition 5; 1,000 blocks
    assert len(sizes) >= 1000
    assert max(sizes) <= 5


def test_few_tokens_are_alive_while_the_notes_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    alive: list[int] = []
    note_inline = _Walker.note_inline

    def counting(self: _Walker, note: _Note, children: list[Token]) -> None:
        if len(alive) < 3 and note.id == -1 and len(self.body.blocks) > 400:
            gc.collect()
            alive.append(sum(1 for o in gc.get_objects() if isinstance(o, Token)))
        note_inline(self, note, children)

    monkeypatch.setattr(_Walker, "note_inline", counting)
    parse_text(_bench_document(1000))
    assert alive
    # a window of inline tokens (256) and their children (5 for a note),
    # not the 14,000 tokens of the document
    assert max(alive) <= 2000


def test_the_parse_peaks_near_what_it_returns() -> None:
    """Before: tokens took 5 to 7 times the parsed document at its peak."""
    text = _bench_document(600)
    parse_text(text)  # caches and lazy imports
    gc.collect()
    tracemalloc.start()
    try:
        parsed = parse_text(text)
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(parsed.citations) == 600
    assert peak < 3.5 * retained
