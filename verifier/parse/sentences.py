"""Sentences and the quotations in them.

The citing sentence of a note and the passages it quotes are what gets
verified later, so a sentence must not be cut at "e.g.", "U.S.", "No. 5",
an initial ("Karl W. Deutsch") or a decimal, nor inside a quotation that
itself holds several sentences.

Quotation rule (``quotations_in``): a passage in ‘…’, “…”, "…", «…»,
„…“, »…«, ‚…‘, 「…」 or 『…』 is a quotation when it holds **at least two words**
(it contains a space after trimming); in Chinese and Japanese, which put
no spaces between words, when it holds at least five characters or a
clause mark (、，。). One-word terms in quotes ("the ‘Tmall’ store",
「一帯一路」) are names, not passages anyone could misquote. A right single
quote followed by a Latin letter or digit is an apostrophe (Beijing’s,
’90s), never the end of a quotation, and an opening ‘ must start a word
(a CJK character before it does not count: ``他说‘…’``).

Sentence ends (``sentence_spans``): ``.`` ``!`` ``?`` ``…`` ``؟`` followed
by white space and a capital, digit, quote or bracket (or any letter of a
script without capitals: Arabic, Hebrew, CJK); ``。`` ``！`` ``？``
with or without white space after. A sentence does not end inside a
quotation that goes on, but it does end with the quotation's own closing
mark: ``… laid before 1950." Trade press …`` is two sentences. After
``?"`` or ``!"`` (``"Why not?" Smith asked``) and after ``。」`` the
sentence goes on, unless a note marker stands right there.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterator


def _words(text: str) -> list[str]:
    return text.split()


__all__ = [
    "SentenceIndex",
    "is_quotation",
    "quotation_spans",
    "quotations_in",
    "sentence_spans",
    "split_paragraphs",
    "split_sentences",
]

# Words after which a full stop does not end a sentence (compared lower case,
# without the dot).
ABBREVIATIONS = frozenset(
    _words(
        """
    e.g i.e cf etc vs v al et no nos nr vol vols pp p para ch chap fig figs ed eds
    mr mrs ms dr prof st mt jr sr gen col lt capt sgt rev hon gov pres sen rep
    inc ltd co corp dept univ assn bros approx ca est jan feb mar apr jun jul aug
    sep sept oct nov dec u.s u.k u.n e.u op ibid art sec no
    """
    )
)

# Quotation patterns; each captures the quoted passage in group 1.
# Chinese, Japanese and Korean characters (and fullwidth forms): they are
# word characters to ``\w`` but never glue an apostrophe to a word.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile("[" + CJK + "]")
# A word character that is not CJK (a Latin, Cyrillic, Arabic letter or digit).
_WORD = r"[^\W" + CJK + "]"

_QUOTE_PATTERNS = [
    # (opening character, pattern); ‘…’ where ’ followed by a letter is an
    # apostrophe inside the passage.
    # (The look-behinds come after the opening quote, written with it, so
    # that the engine can skip ahead to a quote character.)
    (
        "‘",
        re.compile(
            r"‘(?<!" + _WORD + r"‘)(?<![‘’]‘)((?:[^‘’\n]|’(?=" + _WORD + r"))+?)’(?!" + _WORD + ")"
        ),
    ),
    ("“", re.compile(r"“([^“”\n]+)”")),
    ('"', re.compile(r"\"(?<!" + _WORD + r"\")(?<!\"\")([^\"\n]+)\"(?!" + _WORD + ")")),
    ("«", re.compile(r"«\s*([^«»\n]+?)\s*»")),
    ("„", re.compile(r"„([^„“”\n]+)[“”]")),
    # German »…« (never with a space inside the marks: French and Arabic
    # « … » read backwards would pair one quotation's end with the next's start)
    # and ‚…‘.
    ("»", re.compile(r"»(?=\S)([^«»\n]+?)(?<=\S)«")),
    ("‚", re.compile(r"‚([^‚‘’\n]+)‘")),
    ("「", re.compile(r"「([^「」\n]+)」")),
    ("『", re.compile(r"『([^『』\n]+)』")),
]
_QUOTE_CLOSERS = frozenset("’”“»«\"'")
# Clause and sentence marks of CJK text: a quoted passage holding one is a
# quotation however short.
_CJK_CLAUSE = re.compile("[、，。！？；：]")

# A candidate sentence end: terminal punctuation, optional closing quotes or
# brackets, an optional note marker glued on (``Road’.1``), then white space
# and the start of the next sentence. (``[.!?…][.!?…]*`` is ``[.!?…]+``
# written so that the engine can skip ahead to a punctuation mark: twice
# as fast. A boundary starts only at the first mark of a run, and takes the
# run possessively: tried from each of 20,000 "?", the search was quadratic.)
_BOUNDARY = re.compile(
    r"(?P<end>[.!?…؟](?<![.!?…؟][.!?…؟])[.!?…؟]*+[’”“»«\"')\]」』]*+(?:\d{1,3}(?![\d,.]))?)"
    # The next sentence starts with a capital, a digit, a quote or bracket,
    # or a letter of a script without capitals (Arabic, Hebrew, CJK).
    r"\s+(?=[‘“\"(\[«„A-ZÀ-ÖØ-ÞĀ-ſА-Я0-9\u0590-\u06ff\u0750-\u077f\u3040-\u30ff\u4e00-\u9fff])"
)
# The same for Chinese and Japanese: 。！？ end a sentence whatever follows
# (no space, no capitals in these scripts).
_CJK_BOUNDARY = re.compile(
    r"(?P<end>[。！？](?<![。！？][。！？])[。！？]*+[’”\"')\]」』）〕】]*+)\s*(?=\S)"
)


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of every quotation in ``text``, outermost only."""
    spans: list[tuple[int, int]] = []
    for opener, pattern in _QUOTE_PATTERNS:
        if opener not in text:
            continue
        for m in pattern.finditer(text):
            spans.append((m.start(), m.end()))
    spans.sort()
    outer: list[tuple[int, int]] = []
    for span in spans:
        if outer and span[0] < outer[-1][1]:
            if span[1] > outer[-1][1] and span[0] == outer[-1][0]:
                outer[-1] = span
            continue
        outer.append(span)
    return outer


def quotations_in(sentence: str) -> list[str]:
    """The quoted passages of a sentence (see the module's rule), in order."""
    found: list[str] = []
    for start, end in quotation_spans(sentence):
        inner = sentence[start + 1 : end - 1].strip(" ,.;:")
        inner = inner.strip()
        if is_quotation(inner) and inner not in found:
            found.append(inner)
    return found


def is_quotation(inner: str) -> bool:
    """Whether a quoted passage (quotes removed) is a quotation rather than
    a quoted name or term (see the module's rule)."""
    if " " in inner:
        return True
    if _CJK_CHAR.search(inner) is None:
        return False
    return len(inner) >= 5 or _CJK_CLAUSE.search(inner[:-1]) is not None


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` belongs to an abbreviation or initial."""
    # The word before the dot (letters, digits, _ and dots), within 40
    # characters: a walk back instead of a regex anchored at the end.
    lo = max(0, dot - 40)
    i = dot
    while i > lo and (text[i - 1].isalnum() or text[i - 1] in "._"):
        i -= 1
    if i == dot:
        return False
    word = text[i:dot].lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # An initial (W. in "Karl W. Deutsch") or a dotted acronym (U.S., e.g.).
    last = word.rsplit(".", 1)[-1]
    return len(last) == 1 and last.isalpha()


def _boundaries(text: str) -> Iterator[re.Match[str]]:
    """Candidate sentence ends in text order (Latin and CJK punctuation)."""
    latin = _BOUNDARY.finditer(text)
    if not any(c in text for c in "。！？"):
        yield from latin
        return
    merged = sorted([*latin, *_CJK_BOUNDARY.finditer(text)], key=lambda m: m.start())
    last = -1
    for m in merged:
        if m.start() >= last:
            yield m
            last = m.end()


def sentence_spans(text: str, cuts: Collection[int] = ()) -> list[tuple[int, int]]:
    """Spans of the sentences of one paragraph (white space trimmed).

    Never splits inside a quotation that goes on, after an abbreviation or
    initial, or inside a number. ``cuts``: offsets where a note marker
    stood (the offset just after the text it follows): a sentence end right
    before one is certain, even after ``?"``.
    """
    spans: list[tuple[int, int]] = []
    quotes = quotation_spans(text)
    count = len(quotes)
    qi = 0
    start = 0
    for m in _boundaries(text):
        at = m.start()
        if count:
            while qi < count and quotes[qi][1] <= at:
                qi += 1
            if qi < count and quotes[qi][0] < at < quotes[qi][1] - 1:
                # A mark inside a quotation: the sentence ends only when the
                # quotation closes with it ('laid before 1950." Trade'),
                # after "?" / "!" / "。" only at a note marker.
                closes = m.end("end") >= quotes[qi][1]
                if not closes:
                    continue
                if m.end("end") not in cuts and text[at] not in ".…":
                    continue
        end = m.end("end")
        if end <= start:
            continue
        # A full stop after an abbreviation or initial ends nothing (the
        # boundary's punctuation is "." and at most closing quotes or a
        # glued marker: 'the "U.S." Army'), unless a note marker stood there.
        if (
            text[at] == "."
            and end not in cuts
            and (
                end == at + 1
                or (text[at + 1 : end].isdigit() and text[at + 1 : end].isascii())
                or all(c in _QUOTE_CLOSERS for c in text[at + 1 : end])
            )
            and _is_abbreviation(text, at)
        ):
            continue
        spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph."""
    return [text[s:e].strip() for s, e in sentence_spans(text)]


# What a line that ends a sentence (or a heading with a colon) ends with.
TERMINAL = tuple(".!?:;…’”\"')]")
_TERMINAL = TERMINAL
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")


def split_paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """Paragraphs of plain text with their start offsets.

    Blank lines separate paragraphs, so no sentence runs across one. A
    single line break joins two lines into one paragraph when the text was
    wrapped (the line is long and does not end a sentence, it ends with a
    hyphen, or the next line starts in lower case); short unpunctuated lines
    such as headings stand alone. The returned paragraph has its line breaks
    replaced by spaces, so its length equals the original span's length.
    """
    pos = 0
    for block in _PARAGRAPH_BREAK.split(text):
        if not block or not block.strip():
            pos += len(block)
            continue
        lines = block.split("\n")
        current_start = pos
        current: list[str] = []
        offset = pos
        for i, line in enumerate(lines):
            current.append(line)
            offset += len(line) + 1
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if nxt is None:
                break
            stripped = line.rstrip()
            wrapped = (
                stripped.endswith("-")
                or nxt.lstrip()[:1].islower()
                or (len(stripped) >= 60 and not stripped.endswith(_TERMINAL))
            )
            if not wrapped:
                para = "\n".join(current)
                if para.strip():
                    yield current_start, para.replace("\n", " ")
                current = []
                current_start = offset
        para = "\n".join(current)
        if para.strip():
            yield current_start, para.replace("\n", " ")
        pos += len(block)


class SentenceIndex:
    """The paragraphs of a text, and the sentence spans of each, split once.

    One document's text is read for citing sentences and again for
    unsourced attributions; both share one index, and a paragraph is only
    split into sentences when one of them asks for it.
    """

    def __init__(self, text: str, cuts: Collection[int] = ()) -> None:
        self.text = text
        self.paragraphs: list[tuple[int, str]] = list(split_paragraphs(text))
        # Offsets in ``text`` where note markers stood (see ``sentence_spans``).
        self.cuts = sorted(set(cuts))
        self._spans: dict[int, list[tuple[int, int]]] = {}
        # Sentences that carry a citation, as (paragraph number, start in
        # the paragraph): marked by whoever attached citations to them.
        self.cited: set[tuple[int, int]] = set()

    def split_already(self, n: int) -> list[tuple[int, int]] | None:
        """Sentence spans of paragraph ``n`` if it has been split, else ``None``."""
        return self._spans.get(n)

    def spans(self, n: int) -> list[tuple[int, int]]:
        """Sentence spans of paragraph ``n`` (offsets in that paragraph)."""
        spans = self._spans.get(n)
        if spans is None:
            start, paragraph = self.paragraphs[n]
            cuts: list[int] = []
            if self.cuts:
                lo = bisect.bisect_left(self.cuts, start)
                hi = bisect.bisect_right(self.cuts, start + len(paragraph))
                cuts = [c - start for c in self.cuts[lo:hi]]
            spans = self._spans[n] = sentence_spans(paragraph, set(cuts))
        return spans
