"""Where each citation is in its document: line and column, for annotations.

Computed once at ingest from the document's text, for every format: the
parsers need not track offsets. A citation is looked for by what it wrote
(its first URL, as written or HTML-escaped, then the start of its note text,
then its citing sentence), from where the previous citation was found, so
that a URL cited twice is placed at each of its notes in order.
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
# The start of a note's text long enough to be distinctive.
_SNIPPET = 48


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


def locate_citations(text: str, citations: Sequence[ParsedCitation]) -> list[Location]:
    """(line, column), 1-based, of each citation in ``text``; (None, None)
    where none of its wording is found."""
    line_starts = [0] + [match.end() for match in re.finditer(r"\n", text)]
    located: list[Location] = []
    cursor = 0
    for citation in citations:
        offset = -1
        needles = _needles(citation)
        for start in (cursor, 0):
            for needle in needles:
                offset = text.find(needle, start)
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
