"""One verdict for a cited title or quotation: the rule for its kind.

A quotation is looked for in the page's text (``passages``); a title in the
page's metadata first, then as a heading or a passage of its text
(``titles``). This module only picks the rule, so neither of those imports
the other's caller: ``titles`` builds on ``passages``, this module on both.
The text matcher's names are re-exported here for the callers that import
them from ``verifier.match.matcher``.
"""

from __future__ import annotations

from typing import Literal

from verifier.match.passages import (
    FUZZY_THRESHOLD,
    MIN_FUZZY_CHARS,
    MatchResult,
    PageLike,
    PreparedText,
    match_pieces,
    match_text,
    prepare,
)
from verifier.match.titles import match_title

__all__ = [
    "FUZZY_THRESHOLD",
    "MIN_FUZZY_CHARS",
    "Kind",
    "MatchResult",
    "PageLike",
    "PreparedText",
    "match_pieces",
    "match_quote",
    "match_text",
    "prepare",
]

Kind = Literal["title", "quotation"]


def match_quote(text: str, page: PageLike, kind: Kind = "quotation") -> MatchResult:
    """The verdict for a cited title or a quotation in ``page``.

    Never returns ``archive_only`` or ``unchecked``: those depend on which
    texts there are to match, which ``verify`` decides.
    """
    if kind == "title":
        return match_title(text, page)
    return match_text(text, page.text)
