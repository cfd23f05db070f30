"""Normalising text before comparing a quotation with a page.

Two texts count as the same when they differ only in ways a reader does not
see or an editor does not care about: Unicode composition (NFC), case
(``str.casefold``), curly against straight quotes, the kind of dash, ``…``
against ``...``, runs of white space and line breaks, soft hyphens and
zero-width characters, and HTML entities left in the text. A second,
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

import html
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Normalized", "fold_accents", "normalize", "normalize_text"]

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

_SPECIAL = re.compile(
    "|".join(
        [
            # an HTML entity left in the text (&amp; &#8217; &nbsp; ...)
            r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
            # white space other than one plain space, with invisibles around it
            rf"[\s{_INVISIBLE}]{{2,}}|[^\S ]|[{_INVISIBLE}]",
            "["
            + re.escape("".join(k for k, v in _PUNCTUATION.items() if k != v) + _EXPANDING)
            + "]",
        ]
    )
)

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


@dataclass(frozen=True)
class Normalized:
    """A normalised text and where each of its characters came from.

    ``starts[i]``/``ends[i]`` is the span of ``source`` that produced
    ``text[i]``.
    """

    text: str
    source: str
    starts: array[int]
    ends: array[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` behind ``text[start:end]``."""
        if not self.text:
            return 0, 0
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        return self.starts[start], self.ends[end - 1]

    def original(self, start: int, end: int) -> str:
        """``text[start:end]`` as the source wrote it."""
        a, b = self.span(start, end)
        return self.source[a:b]


def _identity(n: int) -> tuple[array[int], array[int]]:
    return array("l", range(n)), array("l", range(1, n + 1))


def _compose(text: str) -> tuple[str, array[int], array[int]]:
    """NFC, keeping for each composed character the span it came from.

    Composition only happens within a base character and the combining marks
    (or Hangul vowel/trailing jamo) that follow it, so each such cluster is
    composed on its own.
    """
    if unicodedata.is_normalized("NFC", text):
        starts, ends = _identity(len(text))
        return text, starts, ends
    out: list[str] = []
    starts, ends = array("l"), array("l")
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or "\u1160" <= text[j] <= "\u11ff"):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(out), starts, ends


@lru_cache(maxsize=4096)
def _special(token: str) -> str:
    if token[0] == "&" and len(token) > 1:
        decoded = html.unescape(token)
        if decoded == token:
            return token.casefold()
        return normalize_text(unicodedata.normalize("NFC", decoded)) if decoded.strip() else " "
    if any(c.isspace() for c in token):
        return " "
    if token[0] in _INVISIBLE:
        return ""
    return _PUNCTUATION.get(token) or token.casefold()


def normalize(text: str) -> Normalized:
    """``text`` in its comparable form, with the map back to ``text``."""
    composed, c_starts, c_ends = _compose(text)
    out: list[str] = []
    starts, ends = array("l"), array("l")
    pos = 0
    for m in _SPECIAL.finditer(composed):
        a, b = m.span()
        if a > pos:
            out.append(composed[pos:a].casefold())
            starts.extend(range(pos, a))
            ends.extend(range(pos + 1, a + 1))
        piece = _special(m.group())
        if piece == " " and (not out or out[-1].endswith(" ")):
            # white space after white space (or at the start) adds nothing;
            # widen the previous space's span instead
            if out:
                ends[-1] = b
            pos = b
            continue
        out.append(piece)
        starts.extend([a] * len(piece))
        ends.extend([b] * len(piece))
        pos = b
    if pos < len(composed):
        out.append(composed[pos:].casefold())
        starts.extend(range(pos, len(composed)))
        ends.extend(range(pos + 1, len(composed) + 1))
    result = "".join(out)
    if "  " in result or result.startswith(" ") or result.endswith(" "):
        result, starts, ends = _squeeze(result, starts, ends)
    if composed is not text:
        starts = array("l", (c_starts[s] if s < len(c_starts) else len(text) for s in starts))
        ends = array("l", (c_ends[e - 1] if e > 0 else 0 for e in ends))
    return Normalized(result, text, starts, ends)


def _squeeze(text: str, starts: array[int], ends: array[int]) -> tuple[str, array[int], array[int]]:
    """Collapse the double spaces left where decoded entities met white space."""
    keep = [
        i for i, c in enumerate(text) if c != " " or (0 < i < len(text) - 1 and text[i - 1] != " ")
    ]
    if keep and text[keep[-1]] == " ":
        keep.pop()
    return (
        "".join(text[i] for i in keep),
        array("l", (starts[i] for i in keep)),
        array("l", (ends[i] for i in keep)),
    )


def normalize_text(text: str) -> str:
    """The normalised form of ``text`` without the map (for short strings)."""
    return normalize(text).text


@lru_cache(maxsize=8192)
def _fold_char(c: str) -> str:
    if c in _ACCENT_LETTERS:
        return _ACCENT_LETTERS[c]
    decomposed = unicodedata.normalize("NFD", c)
    return "".join(d for d in decomposed if not unicodedata.combining(d))


def fold_accents(normalized: Normalized) -> Normalized:
    """The accent-insensitive form of an already normalised text.

    Runs of characters that lose nothing (ASCII, most CJK, Cyrillic) are
    copied as they are; only letters with diacritics are rewritten.
    """
    text = normalized.text
    out: list[str] = []
    starts, ends = array("l"), array("l")
    pos = 0
    for m in _NON_ASCII.finditer(text):
        a, b = m.span()
        run = m.group()
        folded = unicodedata.normalize("NFD", run)
        if len(folded) == len(run) and not any(c in _ACCENT_LETTERS for c in run):
            continue
        if a > pos:
            out.append(text[pos:a])
            starts.extend(normalized.starts[pos:a])
            ends.extend(normalized.ends[pos:a])
        for i in range(a, b):
            piece = _fold_char(text[i])
            out.append(piece)
            starts.extend([normalized.starts[i]] * len(piece))
            ends.extend([normalized.ends[i]] * len(piece))
        pos = b
    if pos == 0:
        return normalized
    out.append(text[pos:])
    starts.extend(normalized.starts[pos:])
    ends.extend(normalized.ends[pos:])
    return Normalized("".join(out), normalized.source, starts, ends)
