"""The match stage: is the cited title, is every quotation, really in the source?

``match_quote`` gives the verdict for one title or quotation against one
page text; ``verify_run`` records a verdict for every title and quotation of
a run (live text first, then the archived copy); ``drifted_url_ids`` tells
the archive stage which live pages no longer hold what their citations
quote.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifier.match.matcher import (
        FUZZY_THRESHOLD,
        MIN_FUZZY_CHARS,
        MatchResult,
        PageLike,
        match_quote,
        match_text,
        prepare,
    )
    from verifier.match.normalize import Normalized, fold_accents, normalize, normalize_text
    from verifier.match.quotes import MAX_GAP, split_quotation
    from verifier.match.titles import match_title
    from verifier.match.verify import (
        VerifySummary,
        drifted_url_ids,
        prematch_run,
        standing_match_ids,
        verify_run,
    )

# Where each name lives. A name is imported on first use, so ``from
# verifier.match import verify_run`` in a run with nothing to match does not
# load the matcher (rapidfuzz, the normalising tables).
_WHERE = {
    **dict.fromkeys(
        (
            "FUZZY_THRESHOLD",
            "MIN_FUZZY_CHARS",
            "MatchResult",
            "PageLike",
            "match_quote",
            "match_text",
            "prepare",
        ),
        "matcher",
    ),
    **dict.fromkeys(("Normalized", "fold_accents", "normalize", "normalize_text"), "normalize"),
    **dict.fromkeys(("MAX_GAP", "split_quotation"), "quotes"),
    "match_title": "titles",
    **dict.fromkeys(
        ("VerifySummary", "drifted_url_ids", "prematch_run", "standing_match_ids", "verify_run"),
        "verify",
    ),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'verifier.match' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"verifier.match.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "FUZZY_THRESHOLD",
    "MAX_GAP",
    "MIN_FUZZY_CHARS",
    "MatchResult",
    "Normalized",
    "PageLike",
    "VerifySummary",
    "drifted_url_ids",
    "fold_accents",
    "match_quote",
    "match_text",
    "match_title",
    "normalize",
    "normalize_text",
    "prematch_run",
    "prepare",
    "split_quotation",
    "standing_match_ids",
    "verify_run",
]
