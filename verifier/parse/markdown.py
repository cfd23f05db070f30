"""Markdown: footnotes and links, read with markdown-it-py's token stream.

Footnotes are parsed by mdit-py-plugins' footnote plugin (CommonMark/GFM
``[^1]``, named ``[^note-a]``, multi-paragraph notes, Pandoc inline notes
``^[...]``), never by regular expressions, so a ``[^1]`` inside a code span is
not a marker and a note's second indented paragraph stays in that note.

What becomes a citation:

- each footnote that the text references is a ``note``: its label as
  written (an inline note has none, so it is ``inline-N``, N counting inline
  notes in order), its text, the URLs of its links and the URLs typed in it,
  and every reference to it in the body (``uses``), each with its sentence
  and the quotations it cites;
- each web link in the body (``[text](url)``, ``<url>`` autolinks,
  reference-style ``[text][ref]``, and bare URLs typed in running text) is an
  ``inline_link`` labelled ``link-N``, with its link text and sentence.

Skipped: fenced and indented code blocks and inline code (URLs there are
examples, not sources), raw HTML blocks, images, and link targets that are
not web pages (mailto:, data:, fragments, relative links to the author's own
site). Pandoc's ``[text](!Wikipedia)`` interwiki shorthand (gwern.net) is
resolved to the English Wikipedia article it names. A link to a Wayback
Machine capture is the captured URL with the capture as its archived copy.

A YAML front-matter block (``---`` ... ``---`` or ``...``) is skipped; its
``title:`` is the document's title, else the first level-1 heading.

Memory: markdown-it-py builds every token of a document before handing any
back (a document with 20,000 footnotes made 300,000 tokens, 170 MB). Here its
stages run as it runs them, but no token outlives a window: the block stage
hands each top-level block's tokens over as the next one starts, and they are
reduced at once to the text of their inline tokens and the note they belong
to (read as the footnote plugin's ``footnote_tail`` would arrange them); the
inline stage then parses, joins and reads those texts ``_WINDOW`` at a time.
The inline stage still follows the whole block stage (a reference or a note
may be defined after its use), so what is held across the document is its
inline texts, about the size of the source, besides what the parse returns.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from verifier.parse.anchored import (
    Body,
    attributions_in,
    bare_urls,
    cite_uses,
    fill_note,
    merge_urls,
    parsed_url,
)
from verifier.parse.model import ParsedCitation, ParsedDocument, ParsedUrl
from verifier.parse.notes import resolve_short_forms
from verifier.parse.reading import Source

__all__ = ["parse", "parse_text"]

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FM_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.M)
_WIKIPEDIA_SHORTHAND = "!wikipedia"
# A footnote definition at the start of a line right after a non-blank line.
_GLUED_DEFINITION = re.compile(r"(?<=\S)[ \t]*\n(?=\[\^[^\]\s]+\]:)")


# Inline tokens parsed, joined and read at a time.
_WINDOW = 256
# The env key of the function that takes each top-level block's tokens.
_TAKE_BLOCKS = "verifier_take_blocks"


def _hand_over(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Not a rule of Markdown: run first at each block, it hands the tokens of
    the top-level blocks before this one (complete: no rule looks back past
    its own block) to ``env[_TAKE_BLOCKS]`` and drops them. Matches nothing."""
    if state.level == 0 and state.tokens:
        take = state.env.get(_TAKE_BLOCKS)
        if take is not None:
            take(state.tokens)
            state.tokens.clear()
    return False


# A link target markdown-it's normalizeLink and normalizeLinkText give back
# as it is: http(s), ASCII, only characters mdurl never escapes, no escapes
# to decode, no "@" (an empty user name is dropped), no punycode host
# ("xn--", written out in the link text). Such a target skips their parse and
# format: a fifth of the parse of a document of 5,000 notes citing URLs.
_PLAIN_LINK = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][A-Za-z0-9;/?:&=+$,\-_.!~*'()#]*)?\Z"
)


def _plain_first(normalize: Callable[[str], str]) -> Callable[[str], str]:
    def normalized(url: str) -> str:
        if _PLAIN_LINK.match(url) and "xn--" not in url.lower():
            return url
        return normalize(url)

    return normalized


def _markdown() -> MarkdownIt:
    # html=True so raw HTML is tokenised as HTML (and skipped), not as text.
    md = MarkdownIt("commonmark", {"html": True}).use(footnote_plugin).enable("table")
    md.normalizeLink = _plain_first(md.normalizeLink)  # type: ignore[assignment]
    md.normalizeLinkText = _plain_first(md.normalizeLinkText)  # type: ignore[assignment]
    first = md.block.ruler.get_all_rules()[0]
    md.block.ruler.before(first, "verifier_hand_over", _hand_over)
    return md


_MD: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _MD
    if _MD is None:
        _MD = _markdown()
    return _MD


@dataclass
class _Note:
    id: int
    label: str
    paragraphs: list[str] = field(default_factory=list)
    # The text without code spans: what the note rules read (URLs in code are examples).
    prose: list[str] = field(default_factory=list)
    urls: list[ParsedUrl] = field(default_factory=list)
    # The prose with each link's target written where the link starts.
    linked: list[str] = field(default_factory=list)


def _href(token: Token, link_text: str = "") -> ParsedUrl | None:
    href = str(token.attrs.get("href", ""))
    if href.lower() == _WIKIPEDIA_SHORTHAND:
        # [text](!Wikipedia "Article#Section"): the title, else the text, names the article.
        article = str(token.attrs.get("title") or link_text).strip()
        if not article:
            return None
        # Wikipedia capitalises an article name's first letter ("link rot" is Link_rot).
        article = article[0].upper() + article[1:]
        return ParsedUrl(
            url="https://en.wikipedia.org/wiki/" + quote(article.replace(" ", "_"), safe="/:#(),'")
        )
    return parsed_url(href)


def _link_text(children: list[Token], start: int) -> str:
    depth = 0
    parts: list[str] = []
    for tok in children[start + 1 :]:
        if tok.type == "link_open":
            depth += 1
        elif tok.type == "link_close":
            if depth == 0:
                break
            depth -= 1
        elif tok.type in ("text", "code_inline"):
            parts.append(tok.content)
    return "".join(parts)


class _Walker:
    def __init__(self) -> None:
        self.body = Body()
        self.notes: dict[int, _Note] = {}
        self.links: list[tuple[Hashable, ParsedUrl, str | None]] = []
        # footnote id -> order of first reference in the body
        # An ordered set (a dict): a list's "in" made 100,000 markers quadratic.
        self.note_order: dict[int, None] = {}
        self.inline_count = 0

    def inline_note(self, fid: int, children: list[Token]) -> None:
        """A Pandoc inline note (``^[...]``): labelled ``inline-N`` in the
        order of the notes' ids, as ``footnote_tail`` lists them."""
        self.inline_count += 1
        note = self.notes.setdefault(fid, _Note(fid, f"inline-{self.inline_count}"))
        self.note_inline(note, children)

    def labelled_note(self, fid: int, label: str, read: _Note | None, shared: bool) -> None:
        """A ``[^label]`` note: what its (last) definition read, if any.
        ``shared``: that reading is already another note's (its URLs are
        copied, since the citation steps after fill them in)."""
        note = _Note(fid, label)
        if read is not None:
            note.paragraphs, note.prose, note.linked = read.paragraphs, read.prose, read.linked
            note.urls = [replace(pu) for pu in read.urls] if shared else read.urls
        self.notes.setdefault(fid, note)

    def body_inline(self, children: list[Token]) -> None:
        body = self.body
        link_depth = 0
        for i, tok in enumerate(children):
            kind = tok.type
            if kind == "text":
                if link_depth == 0:
                    self._bare_links(tok.content)
                else:
                    body.add(tok.content)
            elif kind == "code_inline":
                body.add(tok.content)
            elif kind in ("softbreak", "hardbreak"):
                body.space()
            elif kind == "link_open":
                text = _link_text(children, i)
                pu = _href(tok, text)
                if pu is not None and link_depth == 0:
                    key = ("link", len(self.links))
                    self.links.append((key, pu, text or None))
                    body.link_start(key)
                link_depth += 1
            elif kind == "link_close":
                link_depth = max(link_depth - 1, 0)
            elif kind == "footnote_ref":
                fid = int(tok.meta["id"])
                self.note_order.setdefault(fid, None)
                body.marker(("note", fid))
            elif kind == "image":
                continue
        body.end_block()

    def _bare_links(self, text: str) -> None:
        """Running text, with URLs typed in it (GFM autolinks them) as links."""
        body = self.body
        if "://" not in text and "www." not in text:
            body.add(text)
            return
        cursor = 0
        for url in bare_urls(text):
            at = text.find(url, cursor)
            pu = parsed_url(url) if at >= 0 else None
            if pu is None:
                continue
            body.add(text[cursor:at])
            key = ("link", len(self.links))
            self.links.append((key, pu, None))
            body.link_start(key)
            body.add(url)
            cursor = at + len(url)
        body.add(text[cursor:])

    def note_inline(self, note: _Note, children: list[Token]) -> None:
        parts: list[str] = []
        prose: list[str] = []
        linked: list[str] = []
        link_depth = 0
        for i, tok in enumerate(children):
            kind = tok.type
            if kind == "text":
                parts.append(tok.content)
                prose.append(tok.content)
                linked.append(tok.content)
                if link_depth == 0 and "://" in tok.content:
                    # Typed URLs in their place among the links, so the note's
                    # URLs keep the order they are written in.
                    note.urls.extend(
                        pu for u in bare_urls(tok.content) if (pu := parsed_url(u)) is not None
                    )
            elif kind == "code_inline":
                parts.append(tok.content)
                prose.append(" ")
                linked.append(" ")
            elif kind == "link_close":
                link_depth = max(link_depth - 1, 0)
            elif kind in ("softbreak", "hardbreak"):
                parts.append("\n")
                prose.append("\n")
                linked.append("\n")
            elif kind == "link_open":
                link_depth += 1
                pu = _href(tok, _link_text(children, i))
                if pu is not None:
                    note.urls.append(pu)
                    if tok.markup != "autolink":
                        linked.append(f" <{pu.url}> ")
        text = "".join(parts).strip()
        if text:
            # Mostly the three are one text: kept once (20,000 notes).
            plain = "".join(prose).strip()
            plain = text if plain == text else plain
            with_links = "".join(linked).strip()
            note.paragraphs.append(text)
            note.prose.append(plain)
            note.linked.append(plain if with_links == plain else with_links)


def _front_matter(text: str) -> tuple[str, str | None]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, None
    title_match = _FM_TITLE.search(match.group(1))
    title = title_match.group(1).strip("'\"") if title_match else None
    # Keep the line count so token line maps still point at the source.
    blank = "\n" * match.group(0).count("\n")
    return blank + text[match.end() :], title


class _Blocks:
    """The block tokens, taken a top-level block at a time, kept as what the
    inline stage and the walk need: each inline token's text, with the
    definition it belongs to (``None``: the body).

    Footnote definitions are read as mdit-py-plugins' ``footnote_tail`` reads
    them: the tokens between a ``footnote_reference_open`` and the next
    ``footnote_reference_close`` belong to the open's label (the last
    definition of a label wins; a definition nested in another ends the
    outer one: the rest of that is body, and the outer label gets no text);
    the rest is the body.
    """

    def __init__(self) -> None:
        self.inline: deque[tuple[str, _Note | None]] = deque()
        # ":label" -> the reading of its last definition
        self.definitions: dict[str, _Note] = {}
        # The body's first two tokens (a level-1 heading there is the title).
        self.head: list[Token] = []
        self._inside = False
        self._current = _Note(-1, "")
        self._label = ""

    def take(self, tokens: list[Token]) -> None:
        for tok in tokens:
            kind = tok.type
            if kind == "footnote_reference_open":
                self._inside = True
                self._current = _Note(-1, "")
                self._label = str(tok.meta["label"])
            elif kind == "footnote_reference_close":
                self._inside = False
                self.definitions[":" + self._label] = self._current
            elif self._inside:
                if kind == "inline":
                    self.inline.append((tok.content, self._current))
            else:
                if len(self.head) < 2:
                    self.head.append(tok)
                if kind == "inline":
                    self.inline.append((tok.content, None))

    def title(self) -> str | None:
        """The document's title when it opens with a level-1 heading."""
        head = self.head
        if len(head) > 1 and head[0].type == "heading_open" and head[0].tag == "h1":
            return head[1].content.strip() or None
        return None


def _core_rules(md: MarkdownIt) -> list[tuple[str, Callable[[StateCore], Any]]]:
    return list(zip(md.core.ruler.get_active_rules(), md.core.ruler.getRules(""), strict=True))


def _read(text: str) -> tuple[_Walker, str | None]:
    """Parse ``text`` with markdown-it's core rules, a window at a time,
    into a walker (body, notes, links) and the first heading's title."""
    md = _parser()
    rules = _core_rules(md)
    names = [name for name, _ in rules]
    # The rules up to the block stage run once over the text (normalize,
    # block); those after it (inline, text_join, ...) once per window.
    # footnote_tail, which needs every token, is _Blocks, the inline notes
    # taken after each window and the end of this function.
    split = names.index("block") + 1
    tail = names.index("footnote_tail")
    blocks = _Blocks()
    env: dict[str, Any] = {_TAKE_BLOCKS: blocks.take}
    state = StateCore(text, md, env)
    for _, rule in rules[:split]:
        rule(state)
    blocks.take(state.tokens)
    del env[_TAKE_BLOCKS], state
    before_tail = [rule for _, rule in rules[split:tail]]
    after_tail = [rule for _, rule in rules[tail + 1 :]]

    walker = _Walker()
    pending = blocks.inline
    listed_upto = 0
    while pending:
        owners: list[_Note | None] = []
        window: list[Token] = []
        while pending and len(window) < _WINDOW:
            content, owner = pending.popleft()
            tok = Token("inline", "", 0)
            tok.content = content
            window.append(tok)
            owners.append(owner)
        state = StateCore("", md, env)
        state.tokens = window
        for rule in before_tail:
            # inline assigns the footnote ids in document order, window after window.
            rule(state)
        # Inline notes made in this window: footnote_tail puts each in a
        # paragraph of its own (joined by text_join like the others).
        listed: dict[int, dict[str, Any]] = env.get("footnotes", {}).get("list", {})
        made: list[tuple[int, Token]] = []
        while listed_upto < len(listed):
            data = listed[listed_upto]
            if "tokens" in data:
                tok = Token("inline", "", 0)
                tok.content = data.pop("content", "")
                tok.children = data.pop("tokens")
                made.append((listed_upto, tok))
            listed_upto += 1
        state.tokens = window + [tok for _, tok in made]
        for rule in after_tail:
            rule(state)
        for tok, owner in zip(window, owners, strict=True):
            if owner is None:
                walker.body_inline(tok.children or [])
            else:
                walker.note_inline(owner, tok.children or [])
        for fid, tok in made:
            walker.inline_note(fid, tok.children or [])
        del state, window, made

    used: set[int] = set()
    listed = env.get("footnotes", {}).get("list", {})
    for fid, data in listed.items():
        if "label" in data:
            read = blocks.definitions.get(":" + str(data["label"]))
            shared = read is not None and id(read) in used
            if read is not None:
                used.add(id(read))
            walker.labelled_note(fid, str(data["label"]), read, shared)
    return walker, blocks.title()


def parse_text(text: str, path: str = "<markdown>") -> ParsedDocument:
    """Parse Markdown text (``parse`` reads it from a ``Source``)."""
    text, title = _front_matter(text)
    # Pandoc starts a new note at every "[^label]:" line; CommonMark would read
    # one glued to the previous line as that paragraph's lazy continuation
    # (gwern's notes end with an indented quotation and no blank line).
    text = _GLUED_DEFINITION.sub("\n\n", text)
    walker, heading = _read(text)
    uses = walker.body.uses()

    # Body order: each citation at the position of its first anchor.
    order: dict[Hashable, int] = {}
    for block_no, block in enumerate(walker.body.blocks):
        for pos, key in block.anchors:
            order.setdefault(key, block_no * 10_000_000 + pos)

    # Each note and its uses are let go as its citation is made: the two
    # need not be held at once (20,000 notes).
    keyed: list[tuple[int, ParsedCitation]] = []
    for fid in walker.note_order:
        note = walker.notes.pop(fid, None)
        if note is None:
            continue
        raw = "\n\n".join(note.paragraphs)
        citation = cite_uses(
            ParsedCitation(label=note.label, kind="note", raw_text=raw),
            uses.pop(("note", fid), []),
        )
        fill_note(
            citation,
            "\n\n".join(note.prose),
            merge_urls(note.urls),
            linked_text="\n\n".join(note.linked),
        )
        keyed.append((order.get(("note", fid), 0), citation))
    walker.notes.clear()  # those the body never cites
    resolve_short_forms([c for _, c in keyed])
    for n, (key, pu, link_text) in enumerate(walker.links, start=1):
        citation = cite_uses(
            ParsedCitation(
                label=f"link-{n}",
                kind="inline_link",
                raw_text=link_text or pu.url,
                urls=[pu],
                link_text=link_text,
            ),
            uses.pop(key, []),
        )
        keyed.append((order.get(key, 0), citation))
    keyed.sort(key=lambda item: item[0])
    return ParsedDocument(
        path=path,
        format="markdown",
        title=title or heading,
        citations=[c for _, c in keyed],
        attributions=attributions_in(walker.body, [c for _, c in keyed]),
    )


def parse(source: Source) -> ParsedDocument:
    return parse_text(source.text, source.path)
