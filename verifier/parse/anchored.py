"""Body text with citation markers anchored in it, shared by the formatted
parsers (Markdown, HTML, Word, PDF, wikitext).

A formatted document marks its citations structurally (a footnote reference
token, an ``<a href>``, a ``w:footnoteReference``), so these parsers do not
hunt for markers in text the way the plain-text parser must. What they share
is the step after: the body is written out block by block as plain text with
each marker's offset recorded, the blocks are split into sentences, and each
marker gets the sentence it sits in (the claim that has to be verified) and
the quotations in that sentence.

Also here: turning a hyperlink target into a ``ParsedUrl`` (only web links
count; a Wayback Machine capture is recorded as the archived copy of the URL
it captured) and filling a note citation from its text with the shared note
rules.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from verifier.parse.attributions import find_attributions
from verifier.parse.model import ParsedAttribution, ParsedCitation, ParsedUrl, ParsedUse
from verifier.parse.notes import NoteFields, analyse_note, find_urls, source_urls
from verifier.parse.sentences import (
    SentenceIndex,
    is_quotation,
    quotation_spans,
    quotations_in,
    sentence_spans,
)
from verifier.urls import normalize_url

__all__ = [
    "Body",
    "attributions_in",
    "cite_uses",
    "fill_note",
    "parsed_url",
    "quotations_of",
    "web_url",
]

_SPACE = re.compile(r"\s+")


@dataclass
class _Block:
    text: str
    # (character index that must lie in the citing sentence, key)
    anchors: list[tuple[int, Hashable]]
    # Which of ``anchors`` are note markers (the others start a link's text).
    markers: set[int] = field(default_factory=set)


@dataclass
class Body:
    """The document body as plain text, block by block, with anchors.

    ``add`` appends text (white space is collapsed as it goes, so offsets
    stay valid); ``marker`` records a note marker at the current position
    (its sentence is the one ending just before it: a marker follows the
    words it supports); ``link_start`` records where a link's text begins
    (its sentence is the one containing that text).
    """

    blocks: list[_Block] = field(default_factory=list)
    _parts: list[str] = field(default_factory=list)
    _length: int = 0
    _anchors: list[tuple[int, Hashable]] = field(default_factory=list)
    _markers: set[int] = field(default_factory=set)
    _space_pending: bool = False

    def add(self, text: str) -> None:
        if not text:
            return
        collapsed = _SPACE.sub(" ", text)
        if collapsed.startswith(" "):
            self._space_pending = True
            collapsed = collapsed[1:]
        if not collapsed:
            return
        if self._space_pending and self._length:
            self._parts.append(" ")
            self._length += 1
        self._space_pending = collapsed.endswith(" ")
        if self._space_pending:
            collapsed = collapsed[:-1]
        self._parts.append(collapsed)
        self._length += len(collapsed)

    def space(self) -> None:
        self._space_pending = True

    def marker(self, key: Hashable) -> None:
        self._markers.add(len(self._anchors))
        self._anchors.append((max(self._length - 1, 0), key))

    def link_start(self, key: Hashable) -> None:
        pos = self._length + (1 if self._space_pending and self._length else 0)
        self._anchors.append((pos, key))

    def end_block(self) -> None:
        text = "".join(self._parts)
        if text.strip() or self._anchors:
            self.blocks.append(_Block(text, self._anchors, self._markers))
        self._parts = []
        self._length = 0
        self._anchors = []
        self._markers = set()
        self._space_pending = False

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.text)

    def sentences(self) -> dict[Hashable, str]:
        """The citing sentence of each anchored key (its first occurrence)."""
        found: dict[Hashable, str] = {}
        for block in self.blocks:
            if not block.anchors:
                continue
            spans = sentence_spans(block.text, {block.anchors[i][0] + 1 for i in block.markers})
            ends = [e for _, e in spans]
            # One string per sentence, however many anchors it holds: the
            # steps after (quotations, attributions) then see the same object
            # again and skip it in constant time.
            texts: dict[int, str] = {}
            for pos, key in block.anchors:
                if key in found:
                    continue
                i = min(bisect_right(ends, pos), len(spans) - 1) if spans else -1
                if i not in texts:
                    texts[i] = _sentence_at(block.text, spans, pos, ends)
                sentence = texts[i]
                if sentence:
                    found[key] = sentence
        return found

    def uses(self) -> dict[Hashable, list[ParsedUse]]:
        """Every use of each anchored key, in order: its sentence and the
        quotations it cites.

        A quotation belongs to the first note marker after it in its
        sentence (``"a scandal"[^1] and "a disgrace"[^2]``); quotations
        after a sentence's last marker go to that marker. A link gets every
        quotation of its sentence. A key anchored twice (a note cited
        twice) gets one use per anchor, each with its own sentence.
        """
        found: dict[Hashable, list[ParsedUse]] = {}
        for block in self.blocks:
            if not block.anchors:
                continue
            text = block.text
            cuts = {block.anchors[i][0] + 1 for i in block.markers}
            spans = sentence_spans(text, cuts)
            # Anchor index -> sentence index; markers of each sentence, in order.
            ends = [e for _, e in spans]
            located: list[int] = [_span_index(ends, pos) for pos, _ in block.anchors]
            markers_in: dict[int, list[int]] = {}
            for i in sorted(block.markers, key=lambda i: block.anchors[i][0]):
                markers_in.setdefault(located[i], []).append(block.anchors[i][0])
            # Each marker's place among its sentence's markers, each sentence's
            # text and quotation spans: computed once per sentence, not per
            # anchor (a paragraph may hold 100,000 markers).
            rank = {pos: n for same in markers_in.values() for n, pos in enumerate(same)}
            sentences: dict[int, str] = {}
            quoted: dict[int, tuple[list[int], list[tuple[int, int]]]] = {}
            for i, (pos, key) in enumerate(block.anchors):
                k = located[i]
                if k < 0:
                    continue
                base, end = spans[k]
                if k not in sentences:
                    sentences[k] = text[base:end].strip()
                sentence = sentences[k]
                if not sentence:
                    continue
                lo, hi = base, end
                if i in block.markers:
                    same = markers_in[k]
                    n = rank[pos]
                    lo = same[n - 1] + 1 if n > 0 else base
                    hi = pos + 1 if n < len(same) - 1 else end
                if k not in quoted:
                    spans_k = [(a + base, b + base) for a, b in quotation_spans(text[base:end])]
                    quoted[k] = ([a for a, _ in spans_k], spans_k)
                starts, spans_k = quoted[k]
                quotes: list[str] = []
                for qs, qe in spans_k[bisect_left(starts, lo) :]:
                    if qs > hi:
                        break
                    if qe <= hi + 1:
                        inner = " ".join(text[qs + 1 : qe - 1].strip(" ,.;:").split())
                        if is_quotation(inner) and inner not in quotes:
                            quotes.append(inner)
                found.setdefault(key, []).append(ParsedUse(sentence, quotes))
        return found


def _span_index(ends: Sequence[int], pos: int) -> int:
    """Index of the sentence holding ``pos`` (-1: the block has none), found
    by bisection over the sentences' ends (a scan per anchor is quadratic in
    a paragraph with many markers)."""
    if not ends:
        return -1
    return min(bisect_right(ends, pos), len(ends) - 1)


def cite_uses(citation: ParsedCitation, uses: Sequence[ParsedUse]) -> ParsedCitation:
    """Give a citation its uses: the sentence of the first, the quotations
    of all (in order, each once)."""
    if not uses:
        return citation
    citation.uses = list(uses)
    citation.sentence = uses[0].sentence
    quotations: list[str] = []
    for use in uses:
        quotations += [q for q in use.quotations if q not in quotations]
    citation.quotations = quotations
    return citation


def _sentence_at(
    text: str, spans: Sequence[tuple[int, int]], pos: int, ends: Sequence[int] | None = None
) -> str:
    """The first sentence ending after ``pos`` (else the last); ``ends`` are
    the spans' ends, given by a caller asking for many anchors (a bisection,
    not a scan per anchor: 100,000 markers in a paragraph took minutes)."""
    if not spans:
        return text.strip()
    i = bisect_right(ends if ends is not None else [e for _, e in spans], pos)
    chosen = spans[i] if i < len(spans) else spans[-1]
    return text[chosen[0] : chosen[1]].strip()


@lru_cache(maxsize=64)
def _quotations(sentence: str) -> tuple[str, ...]:
    return tuple(quotations_in(sentence))


def quotations_of(sentence: str | None) -> list[str]:
    # Cached: every note of a 100,000-marker sentence asks for its quotations.
    return list(_quotations(sentence)) if sentence else []


def attributions_in(body: Body, citations: Iterable[ParsedCitation]) -> list[ParsedAttribution]:
    """Sentences of the body that credit a source without citing it; the
    citing sentences of ``citations`` (notes and links) are sourced."""
    cited = list(
        dict.fromkeys(
            s for c in citations for s in (c.sentence, *(u.sentence for u in c.uses)) if s
        )
    )
    # The body split as the citing sentences were: at the note markers too.
    cuts: list[int] = []
    offset = 0
    for block in body.blocks:
        if not block.text:
            continue
        cuts += [offset + block.anchors[i][0] + 1 for i in block.markers]
        offset += len(block.text) + 2
    return list(find_attributions(body.text, cited, SentenceIndex(body.text, cuts)))


# --- URLs -------------------------------------------------------------------

_WAYBACK = re.compile(
    r"^https?://(?:web\.)?archive\.org/web/(?P<ts>\d{4,14})[a-z_]*/(?P<url>.+)$", re.IGNORECASE
)
_ARCHIVE_TODAY = re.compile(
    r"^https?://archive\.(?:today|ph|is|li|vn|fo|md)/(?P<ts>\d{14})/(?P<url>https?://.+)$",
    re.IGNORECASE,
)
_WEB_SCHEMES = ("http", "https")


def timestamp_date(ts: str) -> dt.date | None:
    """The date of a Wayback-style timestamp (``YYYYMMDDhhmmss``, may be cut short)."""
    try:
        return dt.date(int(ts[:4]), int(ts[4:6] or 1), int(ts[6:8] or 1))
    except ValueError:
        return None


def web_url(href: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL for a link target, or ``None`` when it is not a
    web link (mailto:, data:, javascript:, a bare fragment, a relative link
    without a base)."""
    href = href.strip().replace("\n", "").replace("\r", "")
    if not href or href.startswith("#"):
        return None
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    if not scheme:
        if href.startswith("//"):
            href = "https:" + href
        elif base:
            href = urljoin(base, href)
        else:
            return None
        scheme = urlsplit(href).scheme.lower()
    if scheme not in _WEB_SCHEMES:
        return None
    try:
        if not urlsplit(href).hostname:
            return None
    except ValueError:
        return None
    return href


def parsed_url(href: str, base: str | None = None) -> ParsedUrl | None:
    """A link target as a ``ParsedUrl``; a Wayback Machine or archive.today
    capture becomes the captured URL with the capture as its archived copy."""
    url = web_url(href, base)
    if url is None:
        return None
    for pattern in (_WAYBACK, _ARCHIVE_TODAY):
        match = pattern.match(url)
        if match:
            original = match.group("url")
            if original.startswith("//"):
                original = "http:" + original
            if not re.match(r"https?://", original, re.IGNORECASE):
                # "web/2015/www.example.com" style captures
                original = "http://" + original
            return ParsedUrl(
                url=original, archive_url=url, archive_date=timestamp_date(match.group("ts"))
            )
    return ParsedUrl(url=url)


def merge_urls(*groups: Iterable[ParsedUrl]) -> list[ParsedUrl]:
    """URLs in order, each once; an archived copy given later is kept."""
    merged: dict[str, ParsedUrl] = {}
    for group in groups:
        for pu in group:
            # "www.zitate.net" typed and "http://www.zitate.net/" linked, or a
            # DOI written with "/" and linked with "%2F", are one URL.
            key = normalize_url(unquote(pu.url))
            have = merged.get(key)
            if have is None:
                merged[key] = pu
            elif have.archive_url is None and pu.archive_url is not None:
                have.archive_url, have.archive_date = pu.archive_url, pu.archive_date
    return list(merged.values())


def fill_note(
    citation: ParsedCitation,
    text: str,
    link_urls: Iterable[ParsedUrl] = (),
    linked_text: str | None = None,
) -> ParsedCitation:
    """Fill a note's fields from its text with the shared note rules.

    ``link_urls`` are the URLs the format gives structurally (hyperlinks in
    the note); they come first, then URLs typed in the text that no link
    already gave. A URL typed in the text that is a Wayback capture is
    recorded as the archived copy of the captured URL. ``linked_text``: the
    note's text with each hyperlink's target written in ``<…>`` where the
    link starts, so that a note citing several sources through links
    ("City, “A”, <a>link</a>; Board, “B”, <a>link</a>") is cut into its
    sources like a note with typed URLs.
    """
    fields = analyse_note(text)
    typed = [pu for u in fields.urls if (pu := parsed_url(u)) is not None]
    citation.urls = merge_urls(citation.urls, link_urls, typed)
    if len(citation.urls) > 1 and linked_text is not None and linked_text != text:
        fields.sources = analyse_note(linked_text).sources
    if fields.sources:
        # A structural link and the URL typed for it match by their normal form.
        own = {normalize_url(unquote(u)): f for u, f in fields.sources.items()}
        sources = {}
        for pu in citation.urls:
            found = own.get(normalize_url(unquote(pu.url)))
            if found is not None:
                sources[pu.url] = found
        source_urls(NoteFields(sources=sources), citation.urls)
    citation.accessed = citation.accessed or fields.accessed
    citation.title = citation.title or fields.title
    citation.translated_title = citation.translated_title or fields.translated_title
    citation.authors = citation.authors or fields.authors
    citation.published = citation.published or fields.published
    return citation


def bare_urls(text: str) -> list[str]:
    """URLs typed in running text (not marked up as links)."""
    return list(find_urls(text))
