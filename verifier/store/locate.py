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
from collections.abc import Callable, Sequence

from verifier.parse.model import ParsedCitation

__all__ = ["Location", "locate_citations", "locate_in_blocks"]

Location = tuple[int | None, int | None]

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_RUN = re.compile(r"\s{2,}")
# White space other than a lone space: what folding replaces.
_FOLD = re.compile(r"\s{2,}|[^\S ]")
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
_WINDOW = 2048
# Characters of whole-text scans (fast, in C: some milliseconds) allowed
# before the index is built: a short document, or one with few misses,
# never needs it.
_SCAN_BUDGET = 32 * 1024 * 1024


def _fold(text: str) -> tuple[str, Callable[[int], int]]:
    """``text`` with each run of white space folded to one space (so that a
    needle matches hard-wrapped text), and a map from an offset in the
    folded text back to ``text``."""
    folded = _FOLD.sub(" ", text)
    if len(folded) == len(text):
        return folded, lambda offset: offset
    # Only runs of two or more characters move what follows them.
    starts: list[int] = []
    shifts: list[int] = []
    removed = 0
    for run in _RUN.finditer(text):
        starts.append(run.start() - removed)
        removed += len(run.group()) - 1
        shifts.append(removed)

    def original(offset: int) -> int:
        before = bisect.bisect_left(starts, offset)
        return offset + (shifts[before - 1] if before else 0)

    return folded, original


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
        """The first offset >= ``start`` where ``needle`` is, or -1."""
        end = start + _WINDOW + 2 * len(needle)
        near = self.text.find(needle, start, end)
        if near >= 0:
            return near
        if self._words is None and self._budget > 0:
            self._budget -= len(self.text) - start
            return self.text.find(needle, start)
        # A word with other characters of the needle on both sides is a
        # whole word wherever the needle occurs; one at an end may be a part.
        whole = [m for m in _WORD.finditer(needle) if m.start() > 0 and m.end() < len(needle)]
        if not whole:
            return -1  # past the scan budget, a needle of one word is not looked for
        words = self.words
        rarest = min(whole, key=lambda m: len(words.get(m.group(), ())))
        positions = words.get(rarest.group(), [])
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
    folded, original = _fold(text)
    index = _WordIndex(folded)
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
        offset = original(offset)
        line = bisect.bisect_right(line_starts, offset)
        located.append((line, offset - line_starts[line - 1] + 1))
    return located


def locate_in_blocks(blocks: Sequence[str], citations: Sequence[ParsedCitation]) -> list[Location]:
    """(block number, None), 1-based, of each citation: for formats without
    lines, where a block is a paragraph (.docx) or a page (PDF)."""
    text = "\n".join(_SPACE.sub(" ", block) for block in blocks)
    return [(line, None) for line, _column in locate_citations(text, citations)]
