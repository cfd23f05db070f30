"""Where each citation is in its document: line and column, for annotations.

Computed once at ingest from the document's text, for every format: the
parsers need not track offsets. A citation is looked for by what it wrote
(its first URL, as written or HTML-escaped, then the start of its note text,
then its citing sentence), from where the previous citation was found, so
that a URL cited twice is placed at each of its notes in order.

Searching is by a word index of the text (each word's offsets), not by
scanning it: a needle is looked up by its rarest whole word and checked
there, so a document with thousands of notes that are not in its text
costs no more than one that has them.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Sequence

from verifier.parse.model import ParsedCitation

__all__ = ["Location", "locate_citations", "locate_in_blocks"]

Location = tuple[int | None, int | None]

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
# The start of a note's text long enough to be distinctive.
_SNIPPET = 48
# Places tried per needle: bounds the work on a text made of one word repeated.
_MAX_CANDIDATES = 1000


def _needles(citation: ParsedCitation) -> list[str]:
    needles: list[str] = []
    for parsed in citation.urls:
        if parsed.inherited:
            continue
        needles += [parsed.url, html.escape(parsed.url, quote=False)]
        break
    for text in (citation.raw_text, citation.sentence or ""):
        first = _SPACE.sub(" ", text.strip().split("\n", 1)[0]).strip()[:_SNIPPET]
        if len(first) >= 8:
            needles.append(first)
    return [needle for needle in dict.fromkeys(needles) if needle]


# Characters scanned after ``start`` before the index is consulted: the next
# note is usually just after the previous one.
_WINDOW = 16 * 1024
# Characters of whole-text scans (fast, in C: some milliseconds) allowed
# before the index is built: a short document, or one with few misses,
# never needs it.
_SCAN_BUDGET = 32 * 1024 * 1024


def _flexible(needle: str) -> re.Pattern[str] | None:
    """The needle with each space matching a run of white space."""
    if " " not in needle:
        return None
    return re.compile(r"\s+".join(re.escape(part) for part in needle.split(" ")))


class _WordIndex:
    """Where each word of a text is, to find needles without scanning
    (built on the first needle not found near where the search starts)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._words: dict[str, list[int]] | None = None
        self._budget = _SCAN_BUDGET

    @property
    def words(self) -> dict[str, list[int]]:
        if self._words is None:
            self._words = {}
            for match in _WORD.finditer(self.text):
                self._words.setdefault(match.group(), []).append(match.start())
        return self._words

    def find(self, needle: str, start: int) -> int:
        """The first offset >= ``start`` where ``needle`` is, or -1. A space
        in the needle matches any white space (hard-wrapped text)."""
        near = self.text.find(needle, start, start + _WINDOW + len(needle))
        if near >= 0:
            return near
        flexible = _flexible(needle)
        if flexible is not None:
            found = flexible.search(self.text, start, start + _WINDOW + 2 * len(needle))
            if found is not None:
                return found.start()
        if self._words is None and self._budget > 0:
            self._budget -= len(self.text) - start
            if flexible is not None:
                found = flexible.search(self.text, start)
                return found.start() if found is not None else -1
            return self.text.find(needle, start)
        # A word with other characters of the needle on both sides is a
        # whole word wherever the needle occurs; one at an end may be a part.
        whole = [m for m in _WORD.finditer(needle) if m.start() > 0 and m.end() < len(needle)]
        if not whole:
            return self.text.find(needle, start)
        rarest = min(whole, key=lambda m: len(self.words.get(m.group(), ())))
        positions = self.words.get(rarest.group(), [])
        offset = rarest.start()
        first = bisect.bisect_left(positions, start + offset)
        for i in range(first, min(len(positions), first + _MAX_CANDIDATES)):
            if self.text.startswith(needle, positions[i] - offset):
                return positions[i] - offset
        return -1


def locate_citations(text: str, citations: Sequence[ParsedCitation]) -> list[Location]:
    """(line, column), 1-based, of each citation in ``text``; (None, None)
    where none of its wording is found."""
    line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]
    index = _WordIndex(text)
    located: list[Location] = []
    cursor = 0
    for citation in citations:
        offset = -1
        needles = _needles(citation)
        for start in (cursor, 0):
            for needle in needles:
                offset = index.find(needle, start)
                if offset >= 0:
                    break
            if offset >= 0:
                break
        if offset < 0:
            located.append((None, None))
            continue
        cursor = offset + 1
        line = bisect.bisect_right(line_starts, offset)
        located.append((line, offset - line_starts[line - 1] + 1))
    return located


def locate_in_blocks(blocks: Sequence[str], citations: Sequence[ParsedCitation]) -> list[Location]:
    """(block number, None), 1-based, of each citation: for formats without
    lines, where a block is a paragraph (.docx) or a page (PDF)."""
    text = "\n".join(_SPACE.sub(" ", block) for block in blocks)
    return [(line, None) for line, _column in locate_citations(text, citations)]
