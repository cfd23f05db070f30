"""Is the cited title the page's title?

A page states its title in several places: ``<title>`` (usually with the
site's name: "... | Reuters", "... - BBC News"), the ``<h1>`` heading, the
``og:title`` meta tag, and the text. The cited title matches when it is one
of them, with or without a site name before or after it (after it only, in
the cited title); a segment separated by `` | ``, `` - ``, `` – ``, `` — ``,
`` · ``, `` :: `` or `` » ``, shorter than the rest, counts as a site name.
A colon does not: "Title: Subtitle" is one title. Failing the metadata,
the title is looked for in the page text like a quotation.

A bracketed translation after the title (``[‘...’]``) is the citing
author's, never expected in the source, and is left out.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from verifier.match.guards import compare_bags, tokens
from verifier.match.normalize import fold_accents, normalize
from verifier.match.passages import FUZZY_THRESHOLD, MatchResult, PageLike, match_text
from verifier.store.models import Verdict

__all__ = ["match_title", "title_variants"]

_SITE_SEPARATOR = re.compile(r" (?:\||-|--|·|•|::|»|/) ")
_TRANSLATION = re.compile(r"\s*\[[^\[\]]*\]\s*$")
_OUTER_QUOTES = "\"'‘’“”„‚«»‹› "
# A segment longer than this is not a site name.
_MAX_SITE_NAME = 60


def _folded(text: str) -> str:
    return fold_accents(normalize(text)).text


def title_variants(title: str, *, leading: bool = True) -> list[str]:
    """``title`` folded (see ``normalize``), and without a site name after
    it (or before it, with ``leading``), longest first.

    A site name is the shorter side: what is left must be longer than what
    is dropped, so "Bad Grades – Until Now" never becomes "Until Now". A
    cited title is only stripped of a trailing site name ("... - BBC News"):
    its first segment is the title's own ("Studen BE - A6 gesperrt").
    """
    folded = _folded(title)
    variants = [folded]
    spans = [m.span() for m in _SITE_SEPARATOR.finditer(folded)]
    if spans:
        first, last = spans[0], spans[-1]
        kept = [
            (0, last[0]),  # "Title | Site"
            (first[1], len(folded)),  # "Site | Title"
            (first[1], last[0]),  # "Site | Title | Site"
        ]
        for start, end in kept if leading else kept[:1]:
            dropped = len(folded) - (end - start)
            if end > start and dropped <= 2 * _MAX_SITE_NAME and end - start > dropped:
                variants.append(folded[start:end])
    return [v for v in dict.fromkeys(variants) if v.strip()]


def _clean(title: str) -> str:
    title = _TRANSLATION.sub("", title) if "[" in title else title
    return title.strip().strip(_OUTER_QUOTES).rstrip(" .,;:")


def _guarded(cited: str, found: str) -> str | None:
    # word order aside (a site may reorder its headline), the same numbers,
    # negations, names and words: a title is short, every word counts
    return compare_bags(tokens(normalize(cited)), tokens(normalize(found)))


def match_title(title: str, page: PageLike) -> MatchResult:
    """The verdict for a cited title: the page's metadata first, then its text."""
    cited = _clean(title)
    if not cited:
        return MatchResult(Verdict.ABSENT, 0.0, "none", reason="empty title")
    mine = title_variants(cited, leading=False)
    fields = [("title", page.title), ("h1", page.h1), ("og_title", page.og_title)]
    best: tuple[float, str, str] | None = None
    for method, value in fields:
        if not value:
            continue
        theirs = title_variants(value)
        if set(mine) & set(theirs):
            return MatchResult(Verdict.EXACT, 100.0, method, passage=value, context=value)
        for a in mine:
            for b in theirs:
                # a site may reorder its headline's words (see compare_bags)
                score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
                if best is None or score > best[0]:
                    best = (score, method, value)
    in_text = match_text(cited, page.text)
    if in_text.found:
        return in_text
    if best is not None and best[0] >= FUZZY_THRESHOLD:
        score, method, value = best
        reason = _guarded(cited, value)
        if reason is None:
            return MatchResult(Verdict.FUZZY, round(score, 1), method, passage=value, context=value)
        return MatchResult(
            Verdict.ABSENT, round(score, 1), method, passage=value, context=value, reason=reason
        )
    if best is not None and best[0] > in_text.score:
        score, method, value = best
        return MatchResult(
            Verdict.ABSENT,
            round(score, 1),
            method,
            passage=value,
            context=value,
            reason=f"closest title scores {score:.0f}, below {FUZZY_THRESHOLD:.0f}",
        )
    return in_text
