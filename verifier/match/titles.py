"""Is the cited title the page's title?

A page states its title in several places: ``<title>`` (usually with the
site's name: "... | Reuters", "... - BBC News"), the ``<h1>`` heading, the
``og:title`` meta tag, and the text. The cited title matches when it is one
of them, with or without a site name before or after it (after it only, in
the cited title); a segment separated by `` | ``, `` - ``, `` – ``, `` — ``,
`` · ``, `` :: `` or `` » ``, shorter than the rest, counts as a site name.
A colon does not: "Title: Subtitle" is one title. Failing the metadata,
the title is looked for in the page text like a quotation.

Titles are not prose, and have a rule of their own (``same_title``): in a
Title Case title every word is capitalised, so capitals say nothing about
names, and citing authors write a title with a common abbreviation (Ltd,
Co., &, Dept., Univ. ...) or with one word more or less at its end ("...
Progress on Leakage Reduction" for the page's "... progress on leakage").
So a cited title is also ``fuzzy`` when, case aside and abbreviations
written out, its words are those of the page's title (or of a line of its
text: a heading, or a part of a line between separators) with at most one
word added or dropped at the end: never a number or a negation, and after
at least ``MIN_TITLE_WORDS`` words in common; or when, its abbreviations
written out (or its words abbreviated), it is exactly in the running text.
Numbers and negations are guarded as everywhere else, and the reworded
title of the metadata (score at least ``FUZZY_THRESHOLD``) must still have
every name and longer word of the cited one, abbreviations written out. The
score given is the similarity of the two titles with their abbreviations
written out; methods ``title``, ``h1``, ``og_title`` (metadata),
``text_line`` (a line of the text) and ``abbreviation`` (running text).

A bracketed translation after the title (``[‘...’]``) is the citing
author's, never expected in the source, and is left out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from verifier.match.guards import Token, compare_bags, tokens
from verifier.match.normalize import fold_accents, normalize
from verifier.match.passages import (
    CONTEXT_CHARS,
    FUZZY_THRESHOLD,
    MatchResult,
    PageLike,
    match_text,
)
from verifier.store.models import Verdict

__all__ = ["MIN_TITLE_WORDS", "match_title", "same_title", "title_variants"]

# A title in a page's text is found exactly anywhere in it, but with small
# differences only in its first this many characters: the head of an article,
# the cover and contents of a report. A fuzzy scan of the whole of a 5 MB
# page costs about a second for each title cited on it, and far into a long
# text a near-miss is more often another heading than the title.
_TITLE_FUZZY_CHARS = 100_000
_SITE_SEPARATOR = re.compile(r" (?:\||-|--|·|•|::|»|/) ")
_TRANSLATION = re.compile(r"\s*\[[^\[\]]*\]\s*$")
_OUTER_QUOTES = "\"'‘’“”„‚«»‹› "
# A segment longer than this is not a site name.
_MAX_SITE_NAME = 60

# Abbreviations of organisation names and their words, as written in titles
# (lower case, accents folded). Each is read as its word wherever titles
# are compared, with or without its full stop.
_ABBREVIATIONS = {
    "ltd": "limited",
    "co": "company",
    "cos": "companies",
    "corp": "corporation",
    "inc": "incorporated",
    "dept": "department",
    "depts": "departments",
    "univ": "university",
    "govt": "government",
    "intl": "international",
    "natl": "national",
    "assn": "association",
    "assoc": "association",
    "inst": "institute",
    "bros": "brothers",
    "mfg": "manufacturing",
    "mgmt": "management",
    "admin": "administration",
    "cie": "compagnie",
    "abt": "abteilung",
    "ges": "gesellschaft",
}
_ABBREVIATION_RE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")(?![\w-])\.?",
    re.IGNORECASE,
)
_FULL_WORDS = {word: short for short, word in reversed(_ABBREVIATIONS.items())}
_FULL_WORD_RE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(_FULL_WORDS, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
_AMPERSAND = re.compile(r"\s*&\s*")
_AND_RE = re.compile(r"(?<![\w-])(?:and|und|et)(?![\w-])", re.IGNORECASE)
# "&" and the words it stands for in the languages of the corpus: left out
# when the words of two titles are compared.
_CONJUNCTION_WORDS = ("and", "und", "et", "y")
_CONJUNCTIONS = frozenset(_CONJUNCTION_WORDS)
# Words two titles must have in common before one word more or less at the
# end is allowed: "Climate Change" is not "Climate Change Denial".
MIN_TITLE_WORDS = 3
# A line of the page text scoring below this (rapidfuzz ratio, lower case)
# against the cited title is not compared word by word.
_SEGMENT_CUTOFF = 60.0
# Lines, and parts of a line between separators ("Title | Site"): not
# sentences, whose full stops also end abbreviations ("Warner Bros. Discovery").
_SEPARATOR_MARKS = "-–—|·•"
_SEPARATOR = re.compile(rf"[ \t][{_SEPARATOR_MARKS}][ \t]")
_UNSPACED_WORD = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


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


def _written_out(words: list[Token]) -> list[Token]:
    for word in words:
        word.key = _ABBREVIATIONS.get(word.key, word.key)
    return words


def _guarded(cited: str, found: str) -> str | None:
    # word order aside (a site may reorder its headline), the same numbers,
    # negations, names and words: a title is short, every word counts
    return compare_bags(
        _written_out(tokens(normalize(cited))), _written_out(tokens(normalize(found)))
    )


def _expand(m: re.Match[str]) -> str:
    word = _ABBREVIATIONS[m.group(1).lower()]
    return word.capitalize() if m.group(1)[:1].isupper() else word


def _canonical(folded: str) -> str:
    """A folded title with its abbreviations written out and "&" as "and"."""
    if "&" in folded:
        folded = _AMPERSAND.sub(" and ", folded).strip()
    return _ABBREVIATION_RE.sub(_expand, folded)


@dataclass(frozen=True)
class _Word:
    key: str
    number: bool
    negation: bool


@lru_cache(maxsize=4096)
def _title_words(title: str) -> tuple[_Word, ...]:
    """The words of a title as the title rule compares them: folded,
    abbreviations written out, "&" and the words for "and" left out."""
    words = tokens(normalize(_canonical(_folded(title))))
    return tuple(_Word(t.key, t.number, t.negation) for t in words if t.key not in _CONJUNCTIONS)


def same_title(a: str, b: str) -> bool:
    """Are ``a`` and ``b`` one title by the title rule (module docstring)?

    Case, punctuation, accents, abbreviations and "&"/"and" aside, the same
    words in the same order, or one more word at the end of one of them (not
    a number, a negation or a character of a script without spaces) after
    at least ``MIN_TITLE_WORDS`` in common.
    """
    x, y = _title_words(a), _title_words(b)
    if len(x) > len(y):
        x, y = y, x
    if not x or [w.key for w in x] != [w.key for w in y[: len(x)]]:
        return False
    if len(y) == len(x):
        return True
    if len(y) > len(x) + 1 or len(x) < MIN_TITLE_WORDS:
        return False
    extra = y[-1]
    return not (extra.number or extra.negation or _UNSPACED_WORD.match(extra.key))


def _spellings(cited: str) -> list[str]:
    """The cited title with its abbreviations written out ("&" as the word
    for "and" of each language), and with its words abbreviated (with and
    without a full stop, "and" as "&"), for finding it in the running text."""
    spelled = []
    if "&" in cited or _ABBREVIATION_RE.search(cited):
        expanded = _ABBREVIATION_RE.sub(_expand, cited)
        for word in _CONJUNCTION_WORDS if "&" in cited else ("and",):
            spelled.append(_AMPERSAND.sub(f" {word} ", expanded))
    if _FULL_WORD_RE.search(cited) or _AND_RE.search(cited):
        for stop in (".", ""):
            short = _FULL_WORD_RE.sub(functools.partial(_abbreviate, stop=stop), cited)
            spelled.append(_AND_RE.sub("&", short))
    return [s for s in dict.fromkeys(spelled) if s != cited]


def _abbreviate(m: re.Match[str], stop: str) -> str:
    short = _FULL_WORDS[m.group(1).lower()]
    return (short.capitalize() if m.group(1)[:1].isupper() else short) + stop


def _segments(text: str, cited: str) -> list[tuple[int, int]]:
    """Spans of the lines of ``text`` (and of their parts between
    separators) near the cited title's length.

    The lines long enough, and the separators, are found by regular
    expressions over the whole text (a separator never spans a line break);
    a 5 MB page of long lines costs milliseconds, not a Python loop over
    every line and its own separator scan.
    """
    low, high = len(cited) // 2, 2 * len(cited) + 20
    spans: list[tuple[int, int]] = []

    def add(start: int, end: int) -> None:
        if end - start > high and not (text[start].isspace() or text[end - 1].isspace()):
            return  # too long, and nothing to strip: most lines of a long page
        piece = text[start:end]
        stripped = piece.strip()
        if low <= len(stripped) <= high:
            lead = start + len(piece) - len(piece.lstrip())
            spans.append((lead, lead + len(stripped)))

    if low < 1:
        # every line counts, empty ones too
        lines: Iterable[tuple[int, int]] = _line_spans(text)
    else:
        lines = (m.span() for m in re.finditer(f"[^\n]{{{low},}}", text))
    separators = _separators(text)
    k = 0
    for line_start, line_end in lines:
        add(line_start, line_end)
        # the first separator of the line, if any (lines come in order)
        while k < len(separators) and separators[k][0] < line_start:
            k += 1
        start = line_start
        while k < len(separators) and separators[k][1] <= line_end:
            add(start, separators[k][0])
            start = separators[k][1]
            k += 1
        if start != line_start:
            add(start, line_end)
    return spans


def _separators(text: str) -> list[tuple[int, int]]:
    """The spans ``_SEPARATOR.finditer(text)`` gives, found with ``str.find``
    (a regular expression starting with a space tries every space of a page:
    0.15 s on 5 MB). Each is three characters; of two overlapping ones the
    first counts, as with ``finditer``."""
    found = []
    for mark in _SEPARATOR_MARKS:
        i = text.find(mark, 1)
        while i != -1:
            if text[i - 1] in " \t" and text[i + 1 : i + 2] in (" ", "\t"):
                found.append((i - 1, i + 2))
            i = text.find(mark, i + 1)
    found.sort()
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    at = 0
    for line in text.split("\n"):
        yield at, at + len(line)
        at += len(line) + 1


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    return " ".join(
        (("…" if start > CONTEXT_CHARS else "") + before + text[start:end] + after).split()
    )


def _in_text_by_rule(cited: str, text: str) -> MatchResult | None:
    """A line of the page text (or a part of one between separators) that is
    the cited title by the title rule, as ``fuzzy`` (method ``text_line``)."""
    spans = _segments(text, cited)
    if not spans:
        return None
    wanted = _canonical(_folded(cited))
    choices = [text[a:b].lower() for a, b in spans]
    best: tuple[float, int] | None = None
    for _, _, index in process.extract(
        cited.lower(), choices, scorer=fuzz.ratio, score_cutoff=_SEGMENT_CUTOFF, limit=8
    ):
        a, b = spans[index]
        if same_title(cited, text[a:b]):
            score = fuzz.ratio(wanted, _canonical(_folded(text[a:b])))
            if best is None or score > best[0]:
                best = (score, index)
    if best is None:
        return None
    a, b = spans[best[1]]
    return MatchResult(
        Verdict.FUZZY,
        round(best[0], 1),
        "text_line",
        passage=text[a:b],
        start=a,
        end=b,
        context=_context(text, a, b),
    )


def match_title(title: str, page: PageLike) -> MatchResult:
    """The verdict for a cited title: the page's metadata first, then its text."""
    cited = _clean(title)
    if not cited:
        return MatchResult(Verdict.ABSENT, 0.0, "none", reason="empty title")
    mine = title_variants(cited, leading=False)
    canonical_mine = [_canonical(v) for v in mine]
    fields = [("title", page.title), ("h1", page.h1), ("og_title", page.og_title)]
    best: tuple[float, str, str] | None = None
    ruled: tuple[float, str, str] | None = None
    for method, value in fields:
        if not value:
            continue
        theirs = title_variants(value)
        if set(mine) & set(theirs):
            return MatchResult(Verdict.EXACT, 100.0, method, passage=value, context=value)
        for a in canonical_mine:
            for b in map(_canonical, theirs):
                # a site may reorder its headline's words (see compare_bags)
                score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
                if best is None or score > best[0]:
                    best = (score, method, value)
                plain = fuzz.ratio(a, b)
                if (ruled is None or plain > ruled[0]) and same_title(a, b):
                    ruled = (plain, method, value)
    in_text = match_text(cited, page.text, _TITLE_FUZZY_CHARS)
    if in_text.found:
        return in_text
    guarded: MatchResult | None = None
    if best is not None and best[0] >= FUZZY_THRESHOLD:
        score, method, value = best
        reason = _guarded(cited, value)
        if reason is None:
            return MatchResult(Verdict.FUZZY, round(score, 1), method, passage=value, context=value)
        guarded = MatchResult(
            Verdict.ABSENT, round(score, 1), method, passage=value, context=value, reason=reason
        )
    if ruled is not None:
        score, method, value = ruled
        return MatchResult(Verdict.FUZZY, round(score, 1), method, passage=value, context=value)
    for spelled in _spellings(cited):
        found = match_text(spelled, page.text, fuzzy_chars=0)
        # exact: the abbreviations are the only difference, and the text
        # matcher's allowances for prose are not stacked on them
        if found.verdict == Verdict.EXACT:
            return replace(found, verdict=Verdict.FUZZY, method="abbreviation")
    by_rule = _in_text_by_rule(cited, page.text)
    if by_rule is not None:
        return by_rule
    if guarded is not None:
        return guarded
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
