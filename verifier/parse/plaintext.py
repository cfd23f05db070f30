"""Plain-text documents: numbered endnotes, page footnotes, author-date citations.

The reference case is an article pasted from a web page: the body, then a
"Notes" heading and numbered notes (``1. People’s Republic of China …``).
Body markers are bare digits glued to the text (``Silk Road’.1``,
``Tashkent8 –``, even ``in 201665`` for 2016 + note 65), so they are told
apart from years and quantities by looking for each note's number in turn,
after the previous marker, in a position only a marker can take.

reStructuredText footnotes and citations (``.. [1] https://…`` under an
underlined "References" heading, cited as ``[1]_``, ``[#]_``, ``[CIT2002]_``)
are read too, each reference a use of its note.

Text extracted from a PDF (line-wrapped, hyphenated, with running heads and
page footnotes) is cleaned first; author-date citations are read by
``verifier.parse.authordate``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from verifier.parse import authordate
from verifier.parse.anchored import cite_uses
from verifier.parse.attributions import find_attributions
from verifier.parse.authordate import LinePattern, Note
from verifier.parse.model import ParsedCitation, ParsedDocument, ParsedUrl, ParsedUse
from verifier.parse.notes import analyse_note, resolve_short_forms, source_urls
from verifier.parse.reading import Source
from verifier.parse.sentences import TERMINAL, SentenceIndex, quotation_spans

# Fewer author-date citations than this, and no reference list: not an
# author-date document.
MIN_AUTHOR_DATE = 3

__all__ = [
    "MIN_AUTHOR_DATE",
    "Note",
    "find_markers",
    "find_notes_section",
    "find_roman_endnotes",
    "parse",
    "parse_text",
    "roman",
]

_HEADING = LinePattern(
    r"[ \t]*(?:#{1,6}[ \t]*)?(?:notes|endnotes|end\s+notes|footnotes|references|sources|"
    r"bibliography|works\s+cited|notes\s+and\s+references|references\s+and\s+notes|"
    r"quellen|anmerkungen|einzelnachweise|fußnoten|endnoten|références|sources\s+et\s+notes)"
    r"[ \t]*:?[ \t]*$",
    re.IGNORECASE,
)
# "1. text", "1) text", "[1] text", "(1) text", "1  text" (a PDF footnote).
_NUMBERED = re.compile(
    r"^[ \t]*(?:\[(?P<a>\d{1,4})\]|\((?P<b>\d{1,4})\)|(?P<c>\d{1,4})[.)]|(?P<d>\d{1,4})(?=[ \t]))"
    r"[ \t]*(?P<rest>\S.*)?$"
)


# The same with lower-case roman numerals (LibreOffice numbers endnotes i,
# ii, iii …): "i. text", "ii) text", "[iii] text", "iv text".
_ROMAN_NUMBERED = re.compile(
    r"^[ \t]*(?:\[(?P<a>[ivxlc]{1,7})\]|\((?P<b>[ivxlc]{1,7})\)|(?P<c>[ivxlc]{1,7})[.)]"
    r"|(?P<d>[ivxlc]{1,7})(?=[ \t]))[ \t]*(?P<rest>\S.*)?$"
)
_ROMAN_DIGITS = (
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def roman(number: int) -> str:
    """``number`` (1 to 399) as a lower-case roman numeral: 4 -> "iv"."""
    out = []
    for value, letters in _ROMAN_DIGITS:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def _label(number: int, roman_numbers: bool) -> str:
    return roman(number) if roman_numbers else str(number)


def _numbered(line: str, roman_numbers: bool = False) -> tuple[str, str] | None:
    m = (_ROMAN_NUMBERED if roman_numbers else _NUMBERED).match(line)
    if m is None:
        return None
    number = m.group("a") or m.group("b") or m.group("c") or m.group("d")
    return number, (m.group("rest") or "")


def _continues(line: str, note_text: str) -> bool:
    """Whether a line after a blank line still belongs to the note."""
    stripped = line.strip()
    if not stripped:
        return False
    if stripped[0].islower() or stripped.startswith(("<", "http", "www.", "doi:")):
        return True
    # An angle-bracketed URL left open continues.
    return note_text.count("<") > note_text.count(">")


# A line holding more than white space (without its line break).
_FIRST_TEXT_LINE = re.compile(r"[^\n]*[^\s][^\n]*")


def split_notes(text: str, start: int, roman_numbers: bool = False) -> tuple[list[Note], int]:
    """Numbered notes from ``start`` on, numbered 1, 2, 3 … in order (i,
    ii, iii … with ``roman_numbers``).

    A line starting with the next number starts a note; other lines continue
    the current note (notes wrapped over lines). After a blank line, a line
    that neither starts the next note nor continues the current one ends the
    section ("Leave a comment"). Returns the notes and where they end.
    """
    notes: list[Note] = []
    # The first line with text must be the first note: checked before the
    # rest of the text is split into lines (a heading followed by prose).
    first = _FIRST_TEXT_LINE.search(text, start)
    if first is None:
        return [], start
    numbered = _numbered(first.group(0), roman_numbers)
    if numbered is None or numbered[0] != _label(1, roman_numbers):
        return [], start
    expected = 1
    blank = False
    pos = start
    end = start
    for line in text[start:].split("\n"):
        line_start = pos
        pos += len(line) + 1
        numbered = _numbered(line, roman_numbers)
        if numbered is not None and numbered[0] == _label(expected, roman_numbers):
            notes.append(Note(numbered[0], numbered[1].strip(), line_start))
            expected += 1
            blank = False
            end = pos
            continue
        if not line.strip():
            blank = True
            continue
        if not notes:
            # Text between the heading and the first note: not a notes section.
            return [], start
        if blank and not _continues(line, notes[-1].text):
            break
        notes[-1].text += "\n" + line.strip()
        blank = False
        end = pos
    return notes, min(end, len(text))


def find_notes_section(text: str) -> tuple[int, list[Note]]:
    """Where the notes section starts and its notes; ``(len(text), [])`` if none.

    The last heading (Notes, Endnotes, Footnotes, References, Sources,
    Bibliography, …) followed by notes numbered from 1 (or from i) wins;
    without one, a trailing run of at least three numbered paragraphs from
    1 that reaches the end of the document (give or take a short trailer)
    is the section.
    """
    for heading_start, heading_end in reversed(_HEADING.spans(text)):
        for roman_numbers in (False, True):
            notes, _ = split_notes(text, heading_end + 1, roman_numbers)
            if notes:
                return heading_start, notes
    for start, _ in reversed(_FIRST_NOTE.spans(text)):
        notes, end = split_notes(text, start)
        if len(notes) >= 3 and len(text[end:].strip()) < 300:
            return start, notes
    return len(text), []


_FIRST_NOTE = LinePattern(r"[ \t]*(?:\[1\]|\(1\)|1[.)])[ \t]+\S")
# Note i at the start of a paragraph.
_FIRST_ROMAN_NOTE = LinePattern(r"[ \t]*(?:\[i\]|\(i\)|i[.)]|i)[ \t]+\S", after=r"\n[ \t]*\n")


def find_roman_endnotes(text: str, end: int) -> tuple[int, list[Note]]:
    """Endnotes numbered i, ii, iii … without a heading, as LibreOffice
    prints them on a page of their own: a run of paragraphs from "i" that
    runs up to ``end`` (the numbered notes section, or the end of the text).

    English text has words "i" only as typing slips, but a paragraph may
    well start with one; the caller keeps these notes only when the body
    marks note i (``section.i``). Returns ``(end, [])`` when there is none.
    """
    for start, _ in reversed(_FIRST_ROMAN_NOTE.spans(text, end)):
        notes, notes_end = split_notes(text[:end], start, roman_numbers=True)
        if notes and not text[notes_end:end].strip():
            return start, notes
    return end, []


# --- reStructuredText footnotes and citations -------------------------------------

# ".. [1] text", ".. [#] text", ".. [#label] text", ".. [CIT2002] text".
_REST_DEFINITION = re.compile(r"^\.\.[ \t]+\[(?P<label>#?[\w.-]*)\][ \t]*(?P<rest>.*)$", re.M)
_REST_REFERENCE = re.compile(r"[ \t]*\[(#?[\w.-]*)\]_(?!\w)")
# A heading underlined (and maybe overlined) with one punctuation character.
_REST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}[ \t]*$")


def find_rest_notes(text: str) -> tuple[int, list[Note], dict[str, str], list[str]]:
    """reST footnotes and citations: ``.. [1] https://…`` definitions
    (continued on indented lines), and where their section starts (the
    heading over the first one, ``References`` underlined ``==========``,
    when there is one). Auto-numbered ``[#]`` and ``[#name]`` notes are
    numbered in the order they are defined, as docutils does. Returns the
    start, the notes, each written label's note label (``#name`` -> "2"),
    and the labels of the ``[#]`` notes in order."""
    notes: list[Note] = []
    names: dict[str, str] = {}
    anonymous: list[str] = []
    auto = 0
    taken = {m.group("label") for m in _REST_DEFINITION.finditer(text)}
    for m in _REST_DEFINITION.finditer(text):
        written = m.group("label")
        if written.startswith("#"):
            auto += 1
            while str(auto) in taken:
                auto += 1
            label = str(auto)
        else:
            label = written
        body = [m.group("rest").strip()]
        pos = m.end() + 1
        # Indented lines (and blank lines between them) continue the note.
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            line = text[pos:end]
            if line.strip() and not line[:1].isspace():
                break
            if line.strip():
                body.append(line.strip())
            pos = end + 1
        notes.append(Note(label, "\n".join(b for b in body if b), m.start()))
        if written == "#":
            anonymous.append(label)
        else:
            names[written] = label
    if not notes:
        return len(text), [], {}, []
    start = notes[0].offset
    head = text[:start].rstrip()
    lines = head.split("\n")
    # "References" over "==========" (and maybe an overline) just before the
    # first note: the section starts at the heading.
    if len(lines) >= 2 and _REST_UNDERLINE.match(lines[-1]) and lines[-2].strip():
        start = len(head) - len(lines[-1]) - 1 - len(lines[-2])
        if len(lines) >= 3 and _REST_UNDERLINE.match(lines[-3]):
            start -= len(lines[-3]) + 1
    return max(start, 0), notes, names, anonymous


def find_rest_markers(
    body: str, names: dict[str, str], anonymous: list[str]
) -> list[tuple[str, tuple[int, int]]]:
    """Every ``[label]_`` reference in the body, with the note it cites, in
    order. ``[#]_`` cites the auto-numbered notes in turn."""
    found: list[tuple[str, tuple[int, int]]] = []
    auto = iter(anonymous)
    # The white space before a reference goes with it ("town" [1]_.").
    for m in _REST_REFERENCE.finditer(body):
        written = m.group(1)
        label = next(auto, None) if written == "#" else names.get(written)
        if label is not None:
            found.append((label, m.span()))
    return found


# --- Body markers -------------------------------------------------------------

_MARKER_BEFORE = set(".,;:)]’”\"'!?…*")
_YEAR_BEFORE = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d$")


def _is_marker_at(body: str, i: int, label: str) -> bool:
    end = i + len(label)
    after = body[end : end + 2]
    if after and (after[0].isalnum() or after[0] in "%°/"):
        return False
    if after[:1] and after[0] in ".," and after[1:2].isdigit():
        return False  # 1.5, 10,000
    if i == 0:
        return False
    prev = body[i - 1]
    if prev.isalpha():
        # "G20", "F16": a lone capital before the digits is a name, not a word.
        return not (prev.isupper() and (i < 2 or not body[i - 2].isalpha()))
    if prev in _MARKER_BEFORE:
        if prev in ".," and i >= 2 and body[i - 2].isdigit():
            # After a number only when that number is a year ("in 2018.39").
            return _YEAR_BEFORE.search(body[max(0, i - 6) : i - 1]) is not None
        return True
    if prev.isdigit():
        # Glued to a year: "in 201665" is 2016 + marker 65.
        return _YEAR_BEFORE.search(body[max(0, i - 5) : i]) is not None
    return False


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


# (One digit, then any more: the engine skips ahead to a superscript digit.)
_SUPERSCRIPT_NUMBER = re.compile("[" + _SUPERSCRIPT_DIGITS + "][" + _SUPERSCRIPT_DIGITS + "]*")
_BRACKETED_NUMBER = re.compile(r"\[(\d+)\]")


class _WrittenMarkers:
    """Where a body writes note numbers as superscripts (``Road’.¹``) or in
    square brackets (``Road [1].``), found in one pass over the body rather
    than one search of the whole body per note."""

    def __init__(self, body: str) -> None:
        self.superscript: dict[str, list[int]] = {}
        self.bracketed: dict[str, list[int]] = {}
        if any(d in body for d in _SUPERSCRIPT_DIGITS):
            for m in _SUPERSCRIPT_NUMBER.finditer(body):
                self.superscript.setdefault(m.group(0), []).append(m.start())
        if "[" in body:
            for m in _BRACKETED_NUMBER.finditer(body):
                self.bracketed.setdefault(m.group(1), []).append(m.start())

    @staticmethod
    def _first(starts: list[int] | None, pos: int) -> int:
        if not starts:
            return -1
        k = bisect.bisect_left(starts, pos)
        return starts[k] if k < len(starts) else -1

    def superscript_at(self, label: str, pos: int) -> int:
        """Start of the first superscript ``label`` at or after ``pos`` that
        is a whole superscript number, else -1."""
        return self._first(self.superscript.get(label.translate(_SUPERSCRIPT)), pos)

    def bracketed_at(self, label: str, pos: int) -> int:
        """Start of the first ``[label]`` at or after ``pos``, else -1."""
        return self._first(self.bracketed.get(label), pos)


def _written_marker(
    body: str, label: str, pos: int, written: _WrittenMarkers
) -> tuple[int, int] | None:
    """The first place after ``pos`` where note ``label`` is marked: bare
    digits where only a marker can stand, superscript digits (``Road’.¹``),
    or the number in square brackets (``Road [1].``)."""
    candidates: list[tuple[int, int]] = []
    i = body.find(label, pos)
    while i != -1 and not _is_marker_at(body, i, label):
        i = body.find(label, i + 1)
    if i != -1:
        candidates.append((i, i + len(label)))
    j = written.superscript_at(label, pos)
    if j != -1:
        candidates.append((j, j + len(label)))
    k = written.bracketed_at(label, pos)
    if k != -1:
        candidates.append((k, k + len(label) + 2))
    return min(candidates) if candidates else None


_ROMAN_LABEL = re.compile(r"[ivxlc]{1,7}")


def _written_roman_marker(body: str, label: str, pos: int) -> tuple[int, int] | None:
    """The first place after ``pos`` where note ``label`` (i, ii, …) is
    marked: glued to punctuation (``section.i``, ``corridor”.ii``), never to
    a word (letters glued to letters are part of the word), or in square
    brackets (``[iv]``)."""
    candidates: list[tuple[int, int]] = []
    i = body.find(label, pos)
    while i != -1:
        end = i + len(label)
        if i > 0 and body[i - 1] in _MARKER_BEFORE and not body[end : end + 1].isalnum():
            candidates.append((i, end))
            break
        i = body.find(label, i + 1)
    bracketed = f"[{label}]"
    k = body.find(bracketed, pos)
    if k != -1:
        candidates.append((k, k + len(bracketed)))
    return min(candidates) if candidates else None


def find_markers(body: str, labels: list[str]) -> dict[str, tuple[int, int]]:
    """Span of each note's marker in the body, found in label order.

    Markers run in increasing order, so each is looked for after the
    previous one; a label with no acceptable position is left out (and the
    search goes on from the last marker found). Numbered notes (1, 2, …)
    and roman-numbered endnotes (i, ii, …) are two runs of their own.
    """
    found: dict[str, tuple[int, int]] = {}
    written = _WrittenMarkers(body)
    pos = 0
    for label in labels:
        if not label.isdigit():
            continue
        span = _written_marker(body, label, pos, written)
        if span is None:
            continue
        found[label] = span
        pos = span[1]
    pos = 0
    for label in labels:
        if _ROMAN_LABEL.fullmatch(label) is None:
            continue
        span = _written_roman_marker(body, label, pos)
        if span is None:
            continue
        found[label] = span
        pos = span[1]
    return found


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
_SENTENCE_END = re.compile(r"[.!?][’”\"')\]]*\d{0,3} +[A-Z‘“\"]")


def _mend_broken_sentence(m: re.Match[str]) -> str:
    """A blank line inside a sentence (a paste slip: "… a SDM platform to
    Uzbekistan’s⏎⏎Beeline, a data centralisation tool …") becomes spaces of
    the same length: the paragraph before it is made of sentences and ends
    in a long line without closing punctuation, and the text after it starts
    with a word. A heading is short and holds no sentence end, so it always
    stands alone ("The Kashgar–Osh line⏎⏎The new rail link …")."""
    text = m.string
    last = text[text.rfind("\n", 0, m.start()) + 1 : m.start()].rstrip()
    if (
        len(last) >= 60
        and not last.endswith(TERMINAL)
        and text[m.end() : m.end() + 1].isalpha()
        and _SENTENCE_END.search(last) is not None
    ):
        return " " * (m.end() - m.start())
    return m.group(0)


def mend_broken_sentences(text: str) -> str:
    """``text`` with blank lines that fall inside a sentence turned into
    spaces (same length: offsets stay valid); other blank lines, which end
    a paragraph, are kept, so no citing sentence runs across one."""
    return _BLANK_LINES.sub(_mend_broken_sentence, text)


def _without_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """``text`` with the spans removed, and where each span was in the result."""
    parts: list[str] = []
    where: list[int] = []
    pos = 0
    length = 0
    for start, end in spans:
        parts.append(text[pos:start])
        length += start - pos
        where.append(length)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), where


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    # Where it is in the index: paragraph number and start in the paragraph.
    paragraph: int
    offset: int


def _sentences(index: SentenceIndex, wanted: list[int] | None = None) -> list[_Sentence]:
    """Sentences of the indexed text; with ``wanted`` (sorted offsets), only
    those of the paragraphs holding one of the offsets."""
    out: list[_Sentence] = []
    for n, (pstart, paragraph) in enumerate(index.paragraphs):
        if wanted is not None:
            k = bisect.bisect_left(wanted, pstart)
            if k == len(wanted) or wanted[k] > pstart + len(paragraph) + 1:
                continue
        for s, e in index.spans(n):
            out.append(_Sentence(pstart + s, pstart + e, paragraph[s:e].strip(), n, s))
    return out


def _sentence_at(sentences: list[_Sentence], starts: list[int], offset: int) -> int | None:
    """Index of the sentence that contains ``offset`` (or ends just before it)."""
    k = bisect.bisect_right(starts, offset) - 1
    if k < 0:
        return None
    if offset <= sentences[k].end + 1:
        return k
    return None


_SPACES = re.compile(r"\s+")


def attach_sentences(
    text: str, anchors: list[tuple[int, int]], index: SentenceIndex | None = None
) -> list[tuple[str | None, list[str]]]:
    """For each anchor (start, end) in ``text`` (a marker's place, or an
    in-text citation's span), its sentence and the quotations it cites.

    A quotation belongs to the first anchor at or after it in the same
    sentence ("‘…’.35"), quotations after the sentence's last anchor to
    that last anchor. ``index``: the text's paragraphs and sentences when
    the caller has them already (``SentenceIndex(text)``); the sentences
    returned are marked cited in it.
    """
    # Paragraphs are split on the text as written: a sentence never runs
    # across a blank line (a heading is not the start of the next sentence).
    if index is None:
        index = SentenceIndex(text)
    sentences = _sentences(index, sorted(a[0] for a in anchors))
    text = text.replace("\n", " ")  # same length: offsets stay valid
    starts = [s.start for s in sentences]
    located = [_sentence_at(sentences, starts, a[0]) for a in anchors]
    in_sentence: dict[int, list[tuple[int, int]]] = {}
    for anchor, k in zip(anchors, located, strict=True):
        if k is not None:
            in_sentence.setdefault(k, []).append(anchor)
    for same in in_sentence.values():
        same.sort()
    quoted: dict[int, list[tuple[int, int]]] = {}
    written: dict[int, str] = {}
    result: list[tuple[str | None, list[str]]] = []
    for anchor, k in zip(anchors, located, strict=True):
        if k is None:
            result.append((None, []))
            continue
        sentence = sentences[k]
        index.cited.add((sentence.paragraph, sentence.offset))
        same = in_sentence[k]
        idx = same.index(anchor)
        lo = same[idx - 1][1] if idx > 0 else sentence.start
        hi = anchor[0] if idx < len(same) - 1 else sentence.end
        spans = quoted.get(k)
        if spans is None:
            spans = quoted[k] = quotation_spans(text[sentence.start : sentence.end])
        quotes: list[str] = []
        for qs, qe in spans:
            qs += sentence.start
            qe += sentence.start
            if lo <= qs and qe <= hi + 2:
                inner = text[qs + 1 : qe - 1].strip(" ,.;:")
                if " " in inner.strip() and inner not in quotes:
                    quotes.append(_SPACES.sub(" ", inner))
        if k not in written:
            # (The sentence is stripped: the same as _SPACES.sub(" ", …).)
            written[k] = " ".join(sentence.text.split())
        result.append((written[k], quotes))
    return result


def _citation_from_note(note: Note) -> ParsedCitation:
    fields = analyse_note(note.text)
    return ParsedCitation(
        label=note.label,
        kind="note",
        raw_text=note.text,
        urls=source_urls(fields, [ParsedUrl(url=u) for u in fields.urls]),
        accessed=fields.accessed,
        title=fields.title,
        translated_title=fields.translated_title,
        authors=fields.authors,
        published=fields.published,
    )


def _title(text: str) -> str | None:
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line[:300] if len(line) <= 300 else None
    return None


def parse_text(text: str, path: str = "<text>") -> ParsedDocument:
    """Parse plain text (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    doc = ParsedDocument(path=path, format="text", title=_title(text))
    rest_start, rest_notes, rest_names, rest_auto = find_rest_notes(text)
    rest_markers = find_rest_markers(text[:rest_start], rest_names, rest_auto) if rest_notes else []
    notes_from_section = True
    if rest_markers:
        # reStructuredText: ".. [1] …" definitions, "[1]_" references.
        notes = rest_notes
        references_start, references = authordate.find_reference_list(text[:rest_start])
        body = text[: min(rest_start, references_start)]
    else:
        notes_start, notes = find_notes_section(text)
        endnotes: list[Note] = []
        endnotes_start = notes_start
        if not (notes and notes[0].label == "i"):
            endnotes_start, endnotes = find_roman_endnotes(text, notes_start)
            # Roman endnotes only when the body marks the first of them.
            if endnotes and "i" not in find_markers(text[:endnotes_start], ["i"]):
                endnotes_start, endnotes = notes_start, []
        references_start, references = authordate.find_reference_list(text)
        body, page_notes = authordate.clean_pdf_text(
            text[: min(notes_start, endnotes_start, references_start)]
        )
        notes_from_section = bool(notes)
        if not notes:
            notes = page_notes
        notes = notes + endnotes
    citations = [_citation_from_note(n) for n in notes]

    marked = rest_markers or list(find_markers(body, [c.label for c in citations]).items())
    by_label = {c.label: c for c in citations}
    marked = sorted(
        ((label, span) for label, span in marked if label in by_label), key=lambda m: m[1]
    )
    clean, where = _without_spans(body, [span for _, span in marked])
    clean = mend_broken_sentences(clean)
    offsets: dict[int, int] = {}
    anchors = [(w, w) for w in where]
    index = SentenceIndex(clean, where)
    uses: dict[str, list[ParsedUse]] = {}
    for (label, _), (sentence, quotes) in zip(
        marked, attach_sentences(clean, anchors, index), strict=True
    ):
        if sentence is not None:
            uses.setdefault(label, []).append(ParsedUse(sentence, quotes))
    for (label, _), w in zip(marked, where, strict=True):
        offsets.setdefault(id(by_label[label]), w)
    for citation in citations:
        found_uses = uses.get(citation.label, [])
        if len(found_uses) > 1:
            cite_uses(citation, found_uses)
        elif found_uses:
            citation.sentence, citation.quotations = (
                found_uses[0].sentence,
                found_uses[0].quotations,
            )
        if id(citation) not in offsets:
            doc.warnings.append(f"note {citation.label}: no marker found in the text")

    in_text = authordate.find_citations(clean)
    # One or two "Name (2024)" in a news piece without a reference list are
    # a turn of phrase ("a study published in AlterEconomics (2024)"), not a
    # citation style: they are left to the attribution check.
    if len(in_text) < MIN_AUTHOR_DATE and not references:
        in_text = []
    if in_text:
        anchors = [(c.start, c.end) for c in in_text]
        for found, (sentence, quotes) in zip(
            in_text, attach_sentences(clean, anchors, index), strict=True
        ):
            citation = authordate.to_citation(found, references)
            citation.sentence = sentence
            citation.quotations = quotes
            offsets[id(citation)] = found.start
            citations.append(citation)

    # Citations inside page footnotes ("2  Karl W. Deutsch (1969, p. 5) …")
    # come right after their footnote.
    if not notes_from_section:
        for citation in citations[: len(notes)]:
            for found in authordate.find_citations(citation.raw_text):
                inner = authordate.to_citation(found, {})
                inner.sentence, inner.quotations = attach_sentences(
                    citation.raw_text, [(found.start, found.end)]
                )[0]
                offsets[id(inner)] = offsets.get(id(citation), len(clean))
                citations.append(inner)

    # Document order: by place in the text; notes without a marker keep
    # their place after the note before them.
    last = -1
    keyed: list[tuple[int, int, ParsedCitation]] = []
    for n, citation in enumerate(citations):
        last = offsets.get(id(citation), last)
        keyed.append((last, n, citation))
    keyed.sort(key=lambda item: (item[0], item[1]))
    doc.citations = [c for _, _, c in keyed]
    resolve_short_forms(doc.citations)

    cited = [c.sentence for c in doc.citations if c.sentence]
    doc.attributions = find_attributions(clean, cited, index)
    return doc


def parse(source: Source) -> ParsedDocument:
    """Parse a plain-text document read by ``verifier.parse.reading``."""
    return parse_text(source.text, source.path)
