"""Normalising text before comparing a quotation with a page.

Two texts count as the same when they differ only in ways a reader does not
see or an editor does not care about: Unicode composition (NFC), case
(``str.casefold``), curly against straight quotes, the kind of dash, ``…``
against ``...``, runs of white space and line breaks, soft hyphens and
zero-width characters, HTML entities left in the text, and the ways of
writing "per cent" (``%``, ``percent``, ``per cent``, ``pct``, ``Prozent``
..., see ``_PERCENT_WORDS``), all written ``percent``. A second,
accent-insensitive form (``fold_accents``) also drops diacritics, for a
quotation typed without them.

Digits are never touched: NFKC would turn ``10²`` into ``102`` and ``½``
into ``1⁄2``, which is exactly the kind of change a checker must see, so
compatibility normalisation is not used anywhere.

Every normalised text keeps, for each of its characters, the span of the
original text it came from (``Normalized.span``), so a passage found in the
normalised page can be shown as the page wrote it.
"""

from __future__ import annotations

import heapq
import html
import re
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = [
    "Normalized",
    "fold_accents",
    "normalize",
    "normalize_text",
    "plain_lower",
    "plain_runs",
    "prefix_cut",
]

# Characters a reader does not see: soft hyphen, zero-width space/joiners,
# word joiner, byte-order mark.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

# One spelling for each family of quotation marks and dashes. Single and
# double quotes share one spelling: a quotation nested in a citing sentence
# turns the source's double quotes into single ones, and apostrophes come in
# both straight and curly forms.
_PUNCTUATION = {
    **dict.fromkeys("\"'‘’‚‛“”„‟«»‹›′″ʼ＂＇〝〞", "'"),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
    "…": "...",
}

# Characters whose case folding is longer than one character (ß -> ss,
# ﬁ -> fi ...): all of them are in the Basic Multilingual Plane.
_EXPANDING = "".join(
    c for c in map(chr, range(0x10000)) if not 0xD800 <= ord(c) < 0xE000 and len(c.casefold()) != 1
)

# One-for-one replacements (quotation marks, dashes, white space other than
# a plain space) are made by ``str.translate`` before the scan below: they
# keep every offset, so they need no map.
_WHITE_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != " ")
_ONE_FOR_ONE = {
    **{k: v for k, v in _PUNCTUATION.items() if len(v) == 1 and k != v},
    **dict.fromkeys(_WHITE_SPACE, " "),
}
_ONE_FOR_ONE_RE = re.compile("[" + re.escape("".join(_ONE_FOR_ONE)) + "]")


def _one_for_one(m: re.Match[str]) -> str:
    return _ONE_FOR_ONE[m.group()]


# "per cent" in the languages the matcher knows number words and negations
# of, and the percent signs: one thing, written ``percent`` (``38%``,
# ``38 %``, ``38 per cent`` and ``38 Prozent`` all become ``38 percent``).
# Read as words, "per cent" would be the number word "cent" (French for a
# hundred) and fail the number guard. Inflected forms are listed (Russian
# процента/процентов); "pct" only after a number, as it is also an acronym.
_PERCENT_WORDS = (
    "per cent|percent|pour cent|pourcent|por ciento|porciento|per cento|percento"
    "|por cento|procent|prozent|prosent|prosentti|prosenttia|százalék|szazalek"
    "|процент|процента|процентов|відсоток|відсотки|відсотків|パーセント|퍼센트"
    "|في المئة|في المائة|بالمئة|بالمائة"
)
_PERCENT_SIGNS = "%\uff05\u066a\ufe6a"


def _percent_pattern() -> str:
    """The signs, and the words at word boundaries.

    The pattern starts with one class of characters (the signs and the
    words' first letters), so the regular expression engine skips ahead to
    them; which word it is, and its boundaries, are checked after that
    character. It is a pass of its own: as a branch of ``_SPECIAL``, tried
    at every character, it made ``normalize`` up to 3 times slower; this way
    about 1.2 times (150 corpus pages, bench/bench_match.py's texts).
    """
    groups: dict[str, list[str]] = {}
    for word in _PERCENT_WORDS.split("|"):
        groups.setdefault(word[0].lower(), []).append(re.escape(word[1:]).replace(" ", " +"))
    branches = [f"(?<=[{_PERCENT_SIGNS}])"]
    for first, rests in groups.items():
        letters = "".join(dict.fromkeys(first + first.upper()))
        words = "|".join(sorted(rests, key=len, reverse=True))
        if "\u3040" <= first <= "\u30ff":
            # kana: no spaces between words, so no word boundaries to check
            branches.append(rf"(?<=[{letters}])(?:{words})")
            continue
        # "pct" only right after a number: it is also an acronym
        pct = r"|(?<=\d.)(?i:ct)|(?<=\d .)(?i:ct)" if first == "p" else ""
        branches.append(rf"(?<=[{letters}])(?<![^\W\d_].)(?:(?i:{words}){pct})(?![^\W\d_])")
    firsts = "".join(dict.fromkeys(_PERCENT_SIGNS + "".join(f + f.upper() for f in groups)))
    return rf"[{firsts}](?:{'|'.join(branches)})"


_PERCENT = re.compile(_percent_pattern())
# A token the pattern above found (without the context its look-behinds saw).
_PERCENT_TOKEN = re.compile(rf"[{_PERCENT_SIGNS}]|(?i:{_PERCENT_WORDS.replace(' ', ' +')}|pct)")
PERCENT = "percent"

_EXPANDING_CLASS = re.escape(
    "".join(k for k, v in _PUNCTUATION.items() if len(v) != 1) + _EXPANDING
)
# What ``normalize`` rewrites, leftmost first: an HTML entity left in the
# text (&amp; &#8217; &nbsp; ...); a run of spaces, with invisibles around
# them; an invisible alone; a punctuation mark written with several
# characters. Written as one class of first characters, each branch then
# checked by a look-behind (as ``_percent_pattern``): the engine skips ahead
# to those characters instead of trying every branch at every one (a 5 MB
# page: 0.15 -> 0.11 s). ``tests/test_match_normalize.py`` holds it to the
# plain alternation.
_ENTITY_BODY = r"(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_SPECIAL = re.compile(
    rf"[& {_INVISIBLE}{_EXPANDING_CLASS}]"
    rf"(?:(?<=&){_ENTITY_BODY}"
    rf"|(?<=[ {_INVISIBLE}])[ {_INVISIBLE}]+"
    rf"|(?<=[{_INVISIBLE}])"
    rf"|(?<=[{_EXPANDING_CLASS}]))"
)


_ENTITY = re.compile("&" + _ENTITY_BODY)
# Where a plain text may be cut (``prefix_cut``): after a mark that is
# neither a letter, a digit nor white space, before white space.
_CUT = re.compile(r"[^A-Za-z0-9\s]\s")
# A run of letters and digits of a plain text's normalised form.
_PLAIN_RUN = re.compile("[a-z0-9]+")


def plain_lower(text: str) -> str | None:
    """``text.lower()`` when ``text`` is plain: ASCII, without an HTML entity.

    ``normalize`` changes nothing in a plain text but its case, its white
    space (one space for each run), its quotation marks and its ways of
    writing "per cent" (``%``, ``pct`` ... written ``percent``). So each
    run of letters and digits of its normalised form without ``percent`` in
    it is a run of the text itself, lower-cased: a run of a quotation's
    normalised form (``plain_runs``) that is not in ``text.lower()`` is
    not in ``normalize(text).text`` either. Otherwise ``None``.
    """
    if not text.isascii() or ("&" in text and _ENTITY.search(text)):
        return None
    return text.lower()


def plain_runs(normalized: str) -> list[str]:
    """The runs of letters and digits of a normalised text that
    ``plain_lower`` vouches for (see there): those without ``percent``."""
    return [run for run in _PLAIN_RUN.findall(normalized) if PERCENT not in run]


def prefix_cut(text: str, at: int) -> int | None:
    """A place at or after ``at`` to cut a plain text (``plain_lower``) so
    that ``normalize(text[:cut])`` is the start of ``normalize(text)``: the
    same characters, from the same places of ``text``.

    ``normalize`` is local: each character is rewritten on its own, or as
    part of a token (a run of white space, a percent sign or word) that
    starts and ends where its characters do. A cut after a mark that is not
    a letter, a digit or white space and before white space is inside no
    token: a percent word ends at a letter, and the white space only starts
    there. ``None`` when there is no such place.
    """
    m = _CUT.search(text, at)
    return None if m is None else m.start() + 1


def _char_class(codes: range, test: Callable[[str], bool]) -> str:
    return "".join(
        re.escape(c) for c in map(chr, codes) if not 0xD800 <= ord(c) < 0xE000 and test(c)
    )


@cache
def _cluster() -> re.Pattern[str]:
    """What NFC changes: a base character with the combining marks (or
    Hangul vowel and final jamo) after it, and the few characters NFC
    replaces on their own (Å ANGSTROM SIGN, CJK compatibility ideographs ...).

    Built on first use (a scan of the Unicode tables, a few tenths of a
    second): a process that never meets a text outside NFC, such as a
    ``check`` with nothing due, does not pay for it.
    """
    marks = _char_class(range(0x300, 0x1F000), lambda c: unicodedata.combining(c) != 0)
    singletons = _char_class(
        range(0x2FA20),
        lambda c: unicodedata.combining(c) == 0 and unicodedata.normalize("NFC", c) != c,
    )
    return re.compile(rf"[{singletons}][{marks}\u1160-\u11ff]*|.[{marks}\u1160-\u11ff]+", re.S)


# Letters that carry their diacritic as part of the letter (no canonical
# decomposition), spelled the way a keyboard without them would.
_ACCENT_LETTERS = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "ħ": "h",
    "ı": "i",
    "ŀ": "l",
    "ŧ": "t",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


class _Map:
    """Where each character of a rewritten text came from, as segments.

    A segment either copies its input one character to one (``linear``:
    ordinary text, most of a page) or stands for a whole input span (a
    collapsed run of white space, a decoded entity, ``…`` written ``...``).
    Keeping segments instead of one offset per character keeps the map small
    and quick to build for a long page; a lookup is a binary search.
    """

    __slots__ = ("_in_end", "_in_start", "_linear", "_out_start")

    def __init__(self) -> None:
        self._out_start = array("q")
        self._in_start = array("q")
        self._in_end = array("q")
        self._linear = bytearray()

    def copy(self, out_at: int, in_start: int, in_end: int) -> None:
        self._out_start.append(out_at)
        self._in_start.append(in_start)
        self._in_end.append(in_end)
        self._linear.append(1)

    def token(self, out_at: int, in_start: int, in_end: int) -> None:
        self._out_start.append(out_at)
        self._in_start.append(in_start)
        self._in_end.append(in_end)
        self._linear.append(0)

    def start(self, i: int) -> int:
        """Start of the input behind output character ``i``."""
        k = bisect_right(self._out_start, i) - 1
        if k < 0:
            return 0
        if self._linear[k]:
            return min(self._in_start[k] + i - self._out_start[k], self._in_end[k])
        return self._in_start[k]

    def end(self, i: int) -> int:
        """End of the input behind output character ``i``."""
        k = bisect_right(self._out_start, i) - 1
        if k < 0:
            return 0
        if self._linear[k]:
            return min(self._in_start[k] + i - self._out_start[k] + 1, self._in_end[k])
        return self._in_end[k]


@dataclass(frozen=True)
class Normalized:
    """A normalised text and where each of its characters came from.

    ``span`` maps a span of ``text`` back to ``source``; ``base`` is the
    intermediate text the map points into when there is one (the NFC form of
    a source that was not in NFC, the normalised text of an accent-folded
    one).
    """

    text: str
    source: str
    map: _Map
    base: Normalized | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` behind ``text[start:end]``."""
        if not self.text:
            return 0, 0
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        a, b = self.map.start(start), self.map.end(end - 1)
        if self.base is None:
            return a, b
        if b <= a:
            b = a + 1
        return self.base.span(a, b)

    def original(self, start: int, end: int) -> str:
        """``text[start:end]`` as the source wrote it."""
        a, b = self.span(start, end)
        return self.source[a:b]


def _compose(text: str) -> Normalized | None:
    """NFC with its map, or ``None`` when ``text`` is already in NFC.

    Composition only happens within a cluster (see ``_cluster``), so each
    cluster is composed on its own and the text between is copied.
    """
    if unicodedata.is_normalized("NFC", text):
        return None
    out: list[str] = []
    mapping = _Map()
    length = pos = 0
    for m in _cluster().finditer(text):
        a, b = m.span()
        if a > pos:
            out.append(text[pos:a])
            mapping.copy(length, pos, a)
            length += a - pos
        piece = unicodedata.normalize("NFC", m.group())
        out.append(piece)
        mapping.token(length, a, b)
        length += len(piece)
        pos = b
    out.append(text[pos:])
    mapping.copy(length, pos, len(text))
    return Normalized("".join(out), text, mapping)


@lru_cache(maxsize=4096)
def _special(token: str) -> str:
    if _PERCENT_TOKEN.fullmatch(token):
        return PERCENT
    if token[0] == "&" and len(token) > 1:
        decoded = html.unescape(token)
        if decoded == token:
            return token.casefold()
        return normalize_text(unicodedata.normalize("NFC", decoded)) if decoded.strip() else " "
    if " " in token:
        return " "
    if token[0] in _INVISIBLE:
        return ""
    return _PUNCTUATION.get(token) or token.casefold()


def _specials(text: str) -> Iterable[re.Match[str]]:
    """The matches of ``_SPECIAL`` and of ``_PERCENT``, in order."""
    percents = list(_PERCENT.finditer(text))
    if not percents:
        return _SPECIAL.finditer(text)
    return heapq.merge(_SPECIAL.finditer(text), percents, key=lambda m: m.start())


def normalize(text: str) -> Normalized:
    """``text`` in its comparable form, with the map back to ``text``."""
    composed_form = _compose(text)
    composed = _ONE_FOR_ONE_RE.sub(
        _one_for_one, text if composed_form is None else composed_form.text
    )
    out: list[str] = []
    mapping = _Map()
    length = 0
    pos = 0
    last_space = True  # nothing written yet: a leading space is dropped
    for m in _specials(composed):
        a, b = m.span()
        if a < pos:
            continue  # inside a token already written ("per  cent")
        if a > pos:
            out.append(composed[pos:a].casefold())
            mapping.copy(length, pos, a)
            length += a - pos
            last_space = composed[a - 1] == " "
        piece = _special(m.group())
        if piece == PERCENT and not last_space and out[-1][-1:].isalnum():
            piece = " " + PERCENT  # 38% as 38 percent
        if piece == " " and last_space:
            # white space after white space adds nothing
            pos = b
            continue
        if piece:
            out.append(piece)
            mapping.token(length, a, b)
            length += len(piece)
            last_space = piece.endswith(" ")
        pos = b
    if pos < len(composed):
        out.append(composed[pos:].casefold())
        mapping.copy(length, pos, len(composed))
    result = "".join(out)
    if result.endswith(" "):
        result = result.rstrip(" ")
    if "  " in result or result.startswith(" "):
        # a plain space next to a decoded &nbsp;: rare, rebuilt the slow way
        return _squeeze(Normalized(result, text, mapping, composed_form))
    return Normalized(result, text, mapping, composed_form)


def _squeeze(normalized: Normalized) -> Normalized:
    """Collapse the double spaces left where decoded entities met white space."""
    text = normalized.text
    out: list[str] = []
    mapping = _Map()
    for i, c in enumerate(text):
        if c == " " and (not out or out[-1] == " "):
            continue
        mapping.copy(len(out), i, i + 1)
        out.append(c)
    while out and out[-1] == " ":
        out.pop()
    return Normalized("".join(out), normalized.source, mapping, normalized)


def normalize_text(text: str) -> str:
    """The normalised form of ``text`` without the map (for short strings)."""
    return normalize(text).text


@lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    if c in _ACCENT_LETTERS:
        return _ACCENT_LETTERS[c]
    decomposed = unicodedata.normalize("NFD", c)
    return "".join(d for d in decomposed if not unicodedata.combining(d))


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first use of each character."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


@cache
def _foldable() -> re.Pattern[str]:
    """The characters folding changes; a text without any is left as it is
    after one regular-expression scan. Built on first use, like ``_cluster``."""
    return re.compile("[" + _char_class(range(0x80, 0x10000), lambda c: _fold_char(c) != c) + "]+")


def _fold_match(m: re.Match[str]) -> str:
    return m.group().translate(_FOLD)


def fold_accents(normalized: Normalized) -> Normalized:
    """The accent-insensitive form of an already normalised text.

    Most folding is one letter for one (é -> e): then the normalised text's
    map serves as it is. Otherwise (æ -> ae, a lone combining mark dropped)
    the changed characters get a map of their own.
    """
    text = normalized.text
    if text.isascii() or not _foldable().search(text):
        return normalized
    folded = _foldable().sub(_fold_match, text)
    if len(folded) == len(text):
        return Normalized(folded, normalized.source, normalized.map, normalized.base)
    out: list[str] = []
    mapping = _Map()
    length = 0
    pos = 0
    for m in _NON_ASCII.finditer(text):
        a, b = m.span()
        run = m.group()
        piece = run.translate(_FOLD)
        if len(piece) == len(run):
            continue
        if a > pos:
            out.append(text[pos:a].translate(_FOLD))
            mapping.copy(length, pos, a)
            length += a - pos
        for i in range(a, b):
            piece = _FOLD[ord(text[i])]
            if len(piece) == 1:
                mapping.copy(length, i, i + 1)
            elif piece:
                mapping.token(length, i, i + 1)
            out.append(piece)
            length += len(piece)
        pos = b
    out.append(text[pos:].translate(_FOLD))
    mapping.copy(length, pos, len(text))
    return Normalized("".join(out), normalized.source, mapping, normalized)
