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
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from verifier.parse.attributions import find_attributions
from verifier.parse.model import ParsedAttribution, ParsedCitation, ParsedUrl
from verifier.parse.notes import analyse_note, find_urls
from verifier.parse.sentences import quotations_in, sentence_spans
from verifier.urls import normalize_url

__all__ = [
    "Body",
    "attributions_in",
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
        self._anchors.append((max(self._length - 1, 0), key))

    def link_start(self, key: Hashable) -> None:
        pos = self._length + (1 if self._space_pending and self._length else 0)
        self._anchors.append((pos, key))

    def end_block(self) -> None:
        text = "".join(self._parts)
        if text.strip() or self._anchors:
            self.blocks.append(_Block(text, self._anchors))
        self._parts = []
        self._length = 0
        self._anchors = []
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
            spans = sentence_spans(block.text)
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
    cited = list(dict.fromkeys(c.sentence for c in citations if c.sentence))
    return list(find_attributions(body.text, cited))


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
    citation: ParsedCitation, text: str, link_urls: Iterable[ParsedUrl] = ()
) -> ParsedCitation:
    """Fill a note's fields from its text with the shared note rules.

    ``link_urls`` are the URLs the format gives structurally (hyperlinks in
    the note); they come first, then URLs typed in the text that no link
    already gave. A URL typed in the text that is a Wayback capture is
    recorded as the archived copy of the captured URL.
    """
    fields = analyse_note(text)
    typed = [pu for u in fields.urls if (pu := parsed_url(u)) is not None]
    citation.urls = merge_urls(citation.urls, link_urls, typed)
    citation.accessed = citation.accessed or fields.accessed
    citation.title = citation.title or fields.title
    citation.translated_title = citation.translated_title or fields.translated_title
    citation.authors = citation.authors or fields.authors
    citation.published = citation.published or fields.published
    return citation


def bare_urls(text: str) -> list[str]:
    """URLs typed in running text (not marked up as links)."""
    return list(find_urls(text))
