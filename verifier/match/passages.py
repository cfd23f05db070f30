"""Is a quotation in a page's text? The verdict and its evidence.

(Titles have a rule of their own in ``titles``, which falls back on this one
for a title written in the page's text; ``matcher.match_quote`` picks the
rule by kind.)

In order, for a quotation split into pieces at its ellipses (``quotes``):

1. ``exact``: every piece is in the normalised page text (``normalize``),
   in order, each within ``MAX_GAP`` of the previous one, starting and
   ending at word boundaries (so "30 percent" is not found inside
   "130 percent"); then the same in the accent-insensitive form.
2. ``fuzzy``: each piece's closest passage is found with rapidfuzz's
   ``partial_ratio_alignment``, refined to whole words, and scored with
   ``fuzz.ratio`` against the piece; every piece must score at least
   ``FUZZY_THRESHOLD`` and keep its numbers, negations and proper names
   (``guards``), else the verdict is ``absent`` with the reason.

``partial_ratio_alignment`` finds the optimal alignment only for a needle of
up to 64 characters; a longer piece is cut into chunks of at most 64
characters, each chunk's best place in the page proposes where the whole
piece starts, and the best of those proposals is refined and scored as a
whole.

Methods recorded with the verdict: ``normalized`` and ``accent_insensitive``
(exact), ``partial_ratio`` (fuzzy or the closest absent passage).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz

from verifier.match.guards import compare_words, tokens
from verifier.match.normalize import (
    Normalized,
    fold_accents,
    normalize,
    plain_lower,
    plain_runs,
    prefix_cut,
)
from verifier.match.quotes import MAX_GAP, split_quotation
from verifier.store.models import Verdict

__all__ = [
    "FUZZY_THRESHOLD",
    "MIN_FUZZY_CHARS",
    "MatchResult",
    "PageLike",
    "PreparedText",
    "match_pieces",
    "match_text",
    "prepare",
]

# A passage scoring at least this (rapidfuzz ``fuzz.ratio``, 0-100) is the
# quotation with small differences. 90 allows one changed character in ten:
# a typo, a missing or extra space where inline markup met, a changed
# spelling (color/colour), an inflection. On the 150 real pages of
# tests/data/corpus/webpages it accepts every true passage that is not exact,
# and a passage taken from another page never scores above the low 80s
# (tests/test_match_eval.py prints the figures). Numbers, negations and
# names are guarded separately, since one character there changes the
# meaning.
FUZZY_THRESHOLD = 90.0
# A quotation shorter than this is found exactly or not at all: in a short
# string one or two changed characters are a different word, and in a long
# page some short string always scores 90.
MIN_FUZZY_CHARS = 16
# Below this score the closest passage is not the quotation's counterpart
# (a passage from another page scores up to the low 80s but mostly far
# lower), so the reason given is the score, not which number or name differs.
_COUNTERPART_SCORE = 75.0
# A place whose alignment scores below this is not refined word by word: no
# refinement brings it near FUZZY_THRESHOLD.
_HOPELESS = 65.0
# rapidfuzz aligns needles up to this length optimally.
ALIGN_LIMIT = 64
# In a text longer than this (characters), the scan for a piece's place
# looks only for places scoring ``_HOPELESS`` or more: rapidfuzz skips most
# of a long text with a cut-off (a 5 MB page: 0.94 s without, 0.1 s with),
# and a place scoring under it is no evidence of anything (the row says "no
# similar passage"). Shorter texts are scanned whole, so their rows still
# show the closest passage however unlike the quotation it is.
_SCAN_WHOLE_BELOW = 200_000
# At most this many chunks of a long piece are aligned on their own.
_MAX_CHUNKS = 8
# Characters of page text shown on each side of a passage.
CONTEXT_CHARS = 80
# Occurrences of a first piece tried before giving up the exact pass.
_MAX_OCCURRENCES = 50
# Longest passage kept as evidence.
_MAX_PASSAGE = 4000
# Normalised characters read past the farthest a fuzzy pass limited to a
# text's start may reach (``_prepared_for``): room for a passage's end snapped
# to a word and the context shown after it, whatever a character becomes
# (``%`` is eight characters, `` percent``).
_PREFIX_MARGIN = 2000
# Only a text at least this many times as long as that start is cut.
_PREFIX_FROM = 4

# Han, kana, Thai, Lao, Khmer, Myanmar: no spaces between words, so no word
# boundaries to check, and one character carries a word's meaning.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)


class PageLike(Protocol):
    """What matching needs of a page (``verifier.fetch.content.PageText``)."""

    text: str
    title: str | None
    h1: str | None
    og_title: str | None


@dataclass(frozen=True)
class MatchResult:
    """The verdict for one title or quotation in one page text.

    ``start``/``end`` are offsets of ``passage`` in the page's ``text``
    (``None`` when the title matched the page's metadata, or nothing was
    close).
    """

    verdict: str
    score: float
    method: str
    passage: str | None = None
    start: int | None = None
    end: int | None = None
    context: str | None = None
    reason: str | None = None

    @property
    def found(self) -> bool:
        return self.verdict in (Verdict.EXACT, Verdict.FUZZY)


@dataclass(frozen=True)
class PreparedText:
    """A page text normalised once for every quotation matched against it."""

    norm: Normalized
    folded: Normalized


class _PreparedCache:
    """The prepared forms of the latest page texts, the newest kept first.

    Bounded by entries and by characters: a prepared 5 MB page holds its
    text three times over (source, normalised, accent-folded) and their
    maps, so 64 of them would keep gigabytes alive. The newest page is
    always kept, whatever its size (its quotes are matched one after the
    other).
    """

    def __init__(self, entries: int, chars: int) -> None:
        self.entries = entries
        self.chars = chars
        self._cache: OrderedDict[str, PreparedText] = OrderedDict()
        self._size = 0

    def __call__(self, text: str) -> PreparedText:
        found = self._cache.get(text)
        if found is not None:
            self._cache.move_to_end(text)
            return found
        norm = normalize(text)
        prepared = PreparedText(norm, fold_accents(norm))
        self._cache[text] = prepared
        self._size += len(text)
        while len(self._cache) > 1 and (len(self._cache) > self.entries or self._size > self.chars):
            old, _ = self._cache.popitem(last=False)
            self._size -= len(old)
        return prepared

    def cache_clear(self) -> None:
        self._cache.clear()
        self._size = 0


# The normalised and accent-insensitive forms of a page text (cached).
prepare = _PreparedCache(entries=64, chars=25_000_000)


@dataclass
class _Hit:
    start: int
    end: int
    score: float
    reason: str | None = None


def _unspaced(c: str) -> bool:
    """A character of a script written without spaces between words."""
    return bool(_UNSPACED.match(c))


def _joined(a: str, b: str) -> bool:
    """Would ``a`` and ``b`` side by side be one word (or one number)?"""
    if a.isdigit() or b.isdigit():
        return a.isalnum() and b.isalnum()
    return a.isalnum() and b.isalnum() and not (_unspaced(a) or _unspaced(b))


def _boundary_ok(needle: str, hay: str, start: int, end: int) -> bool:
    """The occurrence starts and ends where the page's words do: "30 percent"
    is not in "130 percent", "no" is not in "not"."""
    if start > 0 and _joined(hay[start - 1], needle[0]):
        return False
    return not (end < len(hay) and _joined(needle[-1], hay[end]))


def _occurrences(needle: str, hay: str, lo: int, hi: int) -> Iterator[int]:
    found = 0
    i = hay.find(needle, lo, hi)
    while i != -1 and found < _MAX_OCCURRENCES:
        if _boundary_ok(needle, hay, i, i + len(needle)):
            found += 1
            yield i
        i = hay.find(needle, i + 1, hi)


def _window(hay: str, previous_end: int, needle: str) -> tuple[int, int]:
    return previous_end, min(len(hay), previous_end + MAX_GAP + 2 * len(needle) + 1)


def _exact_chain(pieces: list[str], hay: str) -> list[_Hit] | None:
    """Every piece found in order within the gap, or ``None``.

    Each occurrence of the first piece is tried; later pieces take their
    first occurrence after the previous piece.
    """
    for first in _occurrences(pieces[0], hay, 0, len(hay)):
        hits = [_Hit(first, first + len(pieces[0]), 100.0)]
        for piece in pieces[1:]:
            lo, hi = _window(hay, hits[-1].end, piece)
            nxt = next(_occurrences(piece, hay, lo, hi), None)
            if nxt is None:
                break
            hits.append(_Hit(nxt, nxt + len(piece), 100.0))
        else:
            return hits
    return None


def _chunks(needle: str) -> list[tuple[int, str]]:
    """``needle`` cut at spaces into chunks of at most ``ALIGN_LIMIT`` characters."""
    count = -(-len(needle) // ALIGN_LIMIT)
    size = -(-len(needle) // count)
    chunks: list[tuple[int, str]] = []
    start = 0
    while start < len(needle):
        end = min(len(needle), start + size)
        if end < len(needle):
            cut = needle.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        chunks.append((start, needle[start:end].strip()))
        start = end
    chunks = [(o, c) for o, c in chunks if c]
    if len(chunks) > _MAX_CHUNKS:
        step = len(chunks) / _MAX_CHUNKS
        chunks = [chunks[int(i * step)] for i in range(_MAX_CHUNKS)]
    return chunks


def _candidates(needle: str, hay: str, lo: int, hi: int) -> list[tuple[float, int, int]]:
    """Where in ``hay[lo:hi]`` the needle most probably is: (score, start, end),
    best first."""
    # the whole text as it is: a copy of a 5 MB page per piece is not free
    window = hay if lo == 0 and hi >= len(hay) else hay[lo:hi]
    cutoff = _HOPELESS if len(window) > _SCAN_WHOLE_BELOW else 0.0
    if len(needle) <= ALIGN_LIMIT:
        al = fuzz.partial_ratio_alignment(needle, window, score_cutoff=cutoff)
        if al is None:
            return []
        return [(al.score, lo + al.dest_start, lo + al.dest_end)]
    proposals: list[tuple[float, int]] = []
    for offset, chunk in _chunks(needle):
        al = fuzz.partial_ratio_alignment(chunk, window, score_cutoff=cutoff)
        if al is not None:
            proposals.append((al.score, lo + al.dest_start - offset))
    proposals.sort(reverse=True)
    chosen: list[tuple[float, int, int]] = []
    for score, start in proposals:
        if all(abs(start - s) > len(needle) // 4 for _, s, _ in chosen):
            chosen.append((score, max(lo, start), min(hi, start + len(needle))))
        if len(chosen) == 3:
            break
    return chosen


def _snap(hay: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words (at most 30 characters each way)."""
    limit = max(lo, start - 30)
    while start > limit and hay[start - 1].isalnum():
        start -= 1
    limit = min(hi, end + 30)
    while end < limit and hay[end].isalnum():
        end += 1
    return start, end


def _refine(piece: Normalized, page: Normalized, a: int, b: int, lo: int, hi: int) -> _Hit:
    """The passage around ``[a, b)`` that the piece covers, its score and guard."""
    hay = page.text
    needle = piece.text
    # rapidfuzz's alignment of a short needle is exact, a long one's place is
    # estimated from one chunk: leave room for words put in or left out
    margin = 8 if len(needle) <= ALIGN_LIMIT else 8 + (b - a) // 5
    ra, rb = _snap(hay, max(lo, a - margin), min(hi, b + margin), lo, hi)
    page_words = tokens(page, ra, rb)
    comparison = compare_words(tokens(piece), page_words)
    if page_words:
        pa, pb = page_words[comparison.first].start, page_words[comparison.last].end
    else:
        pa, pb = a, b
    score = fuzz.ratio(needle, hay[pa:pb])
    # punctuation the piece starts or ends with lies just outside the words
    lead = len(needle) - len(needle.lstrip("'\"-([ "))
    trail = len(needle) - len(needle.rstrip("'\"-)] "))
    if lead or trail:
        score = max(score, fuzz.ratio(needle, hay[max(0, pa - lead) : pb + trail]))
    return _Hit(pa, pb, score, comparison.reason)


def _fuzzy_piece(piece: Normalized, page: Normalized, lo: int, hi: int) -> _Hit | None:
    best: _Hit | None = None
    for score, a, b in _candidates(piece.text, page.text, lo, hi):
        if score < _HOPELESS:
            # nothing like the piece: not worth the word alignment
            a, b = _snap(page.text, a, b, lo, hi)
            hit = _Hit(a, b, fuzz.ratio(piece.text, page.text[a:b]))
        else:
            hit = _refine(piece, page, a, b, lo, hi)
        if best is None or _rank(hit) > _rank(best):
            best = hit
    return best


def _rank(hit: _Hit) -> tuple[bool, float]:
    return (hit.score >= FUZZY_THRESHOLD and hit.reason is None, hit.score)


def _result(
    verdict: str,
    score: float,
    method: str,
    page: Normalized,
    hits: list[_Hit],
    reason: str | None = None,
) -> MatchResult:
    if not hits:
        return MatchResult(verdict, round(score, 1), method, reason=reason)
    start, end = page.span(hits[0].start, hits[-1].end)
    source = page.source
    passage = source[start:end]
    before = source[max(0, start - CONTEXT_CHARS) : start]
    after = source[end : end + CONTEXT_CHARS]
    shown = passage if len(passage) <= 3 * CONTEXT_CHARS else passage[: 3 * CONTEXT_CHARS] + "…"
    context = " ".join(
        (("…" if start > CONTEXT_CHARS else "") + before + shown + after).split()
    ) + ("…" if end + CONTEXT_CHARS < len(source) else "")
    return MatchResult(
        verdict,
        round(score, 1),
        method,
        passage=passage[:_MAX_PASSAGE],
        start=start,
        end=end,
        context=context,
        reason=reason,
    )


def _weight(text: str) -> int:
    """Length for ``MIN_FUZZY_CHARS``: a character of an unspaced script
    counts as two, as it carries about a word."""
    return len(text) + len(_UNSPACED.findall(text))


def match_pieces(
    pieces: list[str], page: PreparedText, fuzzy_chars: int | None = None
) -> MatchResult:
    """Match the pieces of one quotation (see ``split_quotation``) against a page.

    The exact passes search the whole text; the fuzzy pass searches its
    first ``fuzzy_chars`` characters (all of it when ``None``, none when 0)."""
    if not pieces:
        return MatchResult(Verdict.ABSENT, 0.0, "none", reason="nothing to match")
    norm_pieces = [normalize(p) for p in pieces]
    hits = _exact_chain([p.text for p in norm_pieces], page.norm.text)
    if hits is not None:
        return _result(Verdict.EXACT, 100.0, "normalized", page.norm, hits)
    folded_pieces = [fold_accents(p) for p in norm_pieces]
    hits = _exact_chain([p.text for p in folded_pieces], page.folded.text)
    if hits is not None:
        return _result(Verdict.EXACT, 100.0, "accent_insensitive", page.folded, hits)

    text = page.folded.text
    fuzzy_hits: list[_Hit] = []
    lo, hi = 0, len(text) if fuzzy_chars is None else min(len(text), fuzzy_chars)
    if hi == 0:
        return MatchResult(Verdict.ABSENT, 0.0, "normalized", reason="not found exactly")
    for piece in folded_pieces:
        hit = _fuzzy_piece(piece, page.folded, lo, hi)
        if hit is None:
            break
        fuzzy_hits.append(hit)
        lo, hi = _window(text, hit.end, piece.text)
    if not fuzzy_hits:
        return MatchResult(Verdict.ABSENT, 0.0, "partial_ratio", reason="no similar passage")
    total = sum(len(p.text) for p in folded_pieces[: len(fuzzy_hits)])
    score = sum(h.score * len(p.text) for h, p in zip(fuzzy_hits, folded_pieces, strict=False))
    score = score / total if total else 0.0
    if len(fuzzy_hits) < len(folded_pieces):
        score = min(score, FUZZY_THRESHOLD - 1)
        reason = f"piece {len(fuzzy_hits) + 1} of {len(folded_pieces)} not found after the previous"
        return _result(Verdict.ABSENT, score, "partial_ratio", page.folded, fuzzy_hits, reason)
    worst = min(h.score for h in fuzzy_hits)
    guarded = next((h.reason for h in fuzzy_hits if h.reason), None)
    if guarded and worst >= _COUNTERPART_SCORE:
        return _result(Verdict.ABSENT, score, "partial_ratio", page.folded, fuzzy_hits, guarded)
    if worst < FUZZY_THRESHOLD:
        reason = f"closest passage scores {worst:.0f}, below {FUZZY_THRESHOLD:.0f}"
        return _result(Verdict.ABSENT, score, "partial_ratio", page.folded, fuzzy_hits, reason)
    short = min(_weight(p.text) for p in folded_pieces)
    if short < MIN_FUZZY_CHARS:
        reason = f"not found exactly, and too short ({short} characters) for a fuzzy match"
        return _result(Verdict.ABSENT, score, "partial_ratio", page.folded, fuzzy_hits, reason)
    return _result(Verdict.FUZZY, score, "partial_ratio", page.folded, fuzzy_hits)


class _LowerMemo:
    """``plain_lower`` of the latest page text: a title and its other
    spellings are matched one after the other against the same page."""

    def __init__(self) -> None:
        self._last: tuple[str, str | None] | None = None

    def __call__(self, text: str) -> str | None:
        last = self._last
        if last is not None and last[0] is text:
            return last[1]
        lower = plain_lower(text)
        self._last = (text, lower)
        return lower


_lower = _LowerMemo()


def _provably_absent(piece: str, lower: str) -> bool:
    """Is ``piece`` certainly in neither exact pass of ``match_pieces`` over
    the plain text ``lower`` is the lower case of? Its normalised and its
    accent-folded forms each have a character or a run of letters the text
    cannot have (``plain_lower``)."""
    norm = normalize(piece)
    for form in {norm.text, fold_accents(norm).text}:
        if form.isascii() and all(run in lower for run in plain_runs(form)):
            return False
    return True


def _prepared_for(page_text: str, fuzzy_chars: int | None, *quotations: list[str]) -> PreparedText:
    """The page text prepared for matching ``quotations`` (lists of pieces):
    the whole text, or only its start when that gives the same verdict and
    evidence at a fraction of the cost.

    That is when the fuzzy pass reads only the first ``fuzzy_chars``
    characters (a title's, ``titles``) of a long plain text, and some piece
    of each quotation is certainly not in it exactly: then the exact passes
    find nothing in the whole text, and the fuzzy pass, its passage and the
    passage's context only need the text up to a little past
    ``fuzzy_chars``, plus what a later piece's window (``MAX_GAP``) may
    reach. A 5 MB page in which a cited title is absent is then normalised
    for its first 110,000 characters or so, not whole (about 0.3 s).
    """
    if fuzzy_chars is None or not quotations or not all(quotations):
        return prepare(page_text)
    longest = max(len(piece) for pieces in quotations for piece in pieces)
    reach = fuzzy_chars + MAX_GAP + 2 * longest + _PREFIX_MARGIN
    if len(page_text) < _PREFIX_FROM * reach:
        return prepare(page_text)
    lower = _lower(page_text)
    if lower is None or not all(
        any(_provably_absent(piece, lower) for piece in pieces) for pieces in quotations
    ):
        return prepare(page_text)
    at = reach
    while at < len(page_text) // _PREFIX_FROM:
        cut = prefix_cut(page_text, at)
        if cut is None:
            break
        page = prepare(page_text[:cut])
        if len(page.folded.text) >= reach:
            return page
        at *= 2
    return prepare(page_text)


def match_text(text: str, page_text: str, fuzzy_chars: int | None = None) -> MatchResult:
    """Match a quotation against a plain page text (``fuzzy_chars``: see
    ``match_pieces``)."""
    pieces = split_quotation(text)
    literal = split_quotation(text, editorial=False) if "[" in text else pieces
    page = _prepared_for(page_text, fuzzy_chars, pieces, literal)
    result = match_pieces(pieces, page, fuzzy_chars)
    if result.verdict != Verdict.EXACT and literal != pieces:
        as_written = match_pieces(literal, page, fuzzy_chars)
        if as_written.found and (not result.found or as_written.score > result.score):
            return as_written
    return result
