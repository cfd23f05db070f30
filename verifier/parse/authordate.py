"""Author-date citations and text extracted from PDFs.

Academic text cites ``(Ambrosio, 2008)``, ``Cooley (2015)``,
``(Dzhuraev & Muratalieva, 2020, p. 6)``, ``(Aris, 2009; Allison, 2004;
Bailes et al., 2007)`` (three citations) or a title, ``(The EU and Central
Asia…, 2007)``. Each becomes a citation, resolved against the document's
reference list when it has one; one without an entry is kept with the
problem "no reference entry", the list an editor needs before publication.
A parenthesised range such as ``(2001–2006)`` names no author and is not a
citation.

Text copied out of a PDF is wrapped and hyphenated at line ends, carries
running heads ("Danylo Stonis76") and page footnotes (``1  In particular
…``); ``clean_pdf_text`` undoes that and returns the footnotes as notes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from verifier.parse.model import ParsedCitation, ParsedUrl
from verifier.parse.notes import analyse_note

__all__ = [
    "InTextCitation",
    "Note",
    "clean_pdf_text",
    "find_citations",
    "find_reference_list",
    "reference_entries",
    "to_citation",
]


@dataclass
class Note:
    """One numbered note as written: label, text (lines joined by a line
    break) and where it starts in the document."""

    label: str
    text: str
    offset: int


# --- PDF text -----------------------------------------------------------------

_TERMINAL = tuple(".!?:;…’”\"')]")


def looks_wrapped(text: str) -> bool:
    """Whether the text is hard-wrapped at a fixed width, as PDF text is."""
    lines = [line.rstrip() for line in text.split("\n") if line.strip()]
    if len(lines) < 20:
        return False
    medium = sum(1 for line in lines if 40 <= len(line) <= 130)
    open_ended = sum(1 for line in lines if not line.endswith(_TERMINAL))
    return medium >= 0.6 * len(lines) and open_ended >= 0.4 * len(lines)


# A running head or foot: a short line alone between blank lines (two or
# more before it) that ends in a page number.
_RUNNING_HEAD = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+[ \t]*[^\n]{0,100}?\d{1,4}[ \t]*\n[ \t]*\n")
# "1  In particular …": the number, then two spaces or a typographic space.
_FOOTNOTE_START = re.compile(r"^(\d{1,2})(?:[ \t]{2,}|[\u00a0\u2000-\u200b][ \t]*)(\S.*)$")


def clean_pdf_text(text: str) -> tuple[str, list[Note]]:
    """Undo PDF extraction: running heads out, page footnotes out (returned
    as notes), hyphenation at line ends undone, wrapped lines joined into
    one line per paragraph. Text that is not hard-wrapped is returned as is."""
    if not looks_wrapped(text):
        return text, []
    text = _RUNNING_HEAD.sub("\n", text)
    lines = text.split("\n")
    kept: list[str] = []
    notes: list[Note] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FOOTNOTE_START.match(line)
        blank_before = not kept or not kept[-1].strip()
        if m and blank_before and int(m.group(1)) == len(notes) + 1:
            body = [m.group(2).strip()]
            i += 1
            while i < len(lines) and lines[i].strip() and not lines[i][:1].isspace():
                body.append(lines[i].strip())
                i += 1
            notes.append(Note(m.group(1), _dehyphenate("\n".join(body)).replace("\n", " "), 0))
            # The page's text resumes (the blank line before the footnote
            # was the page break, not a paragraph break).
            if kept and not kept[-1].strip():
                kept.pop()
            continue
        kept.append(line)
        i += 1
    text = _dehyphenate("\n".join(line.strip() for line in kept))
    paragraphs = re.split(r"\n[ \t]*\n", text)
    return "\n\n".join(p.replace("\n", " ").strip() for p in paragraphs if p.strip()), notes


def _dehyphenate(text: str) -> str:
    """Join words hyphenated at a line end ("alli-\\nance" -> "alliance");
    a hyphen before a capital or after a digit is a real one (kept)."""

    def join(m: re.Match[str]) -> str:
        before, after = m.group(1), m.group(2)
        if after[:1].islower() and not re.search(r"\d", before):
            return before + after
        return before + "-" + after

    return re.sub(r"(\w+)-[ \t]*\n[ \t]*(\w)", join, text)


# --- In-text citations ----------------------------------------------------------

_YEAR = r"(?:1[5-9]|20)\d\d[a-z]?|n\.\s?d\."
_PAGES = r"(?:pp?\.|S\.|at)\s*\d+(?:\s*[–-]\s*\d+)?"
_PARTICLE = r"(?:de|van|von|der|den|du|da|di|ur|al|el|le|la|bin|ibn)"
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁ][\w’'-]*"
_NAME_CHAIN = (
    rf"(?:{_PARTICLE}\s+)?{_CAP}"
    rf"(?:\s+(?:(?:and|&)\s+)?(?:{_PARTICLE}\s+)?{_CAP})*(?:\s+et\s+al\.)?"
)
# "Cooley (2015)": found from the parenthesised year, then the names before it.
_YEAR_PARENS = re.compile(rf"\((?P<year>{_YEAR})(?:,\s*(?P<pages>{_PAGES}))?\)")
_NAMES_BEFORE = re.compile(rf"(?<![\w’'-])(?P<who>{_NAME_CHAIN})\s+$")
_PARENS = re.compile(r"\(([^()]{4,600})\)")
_PART = re.compile(
    rf"^(?:(?:e\.g\.|see(?:\s+also)?|cf\.)[,\s]+)?(?P<who>.+?),?\s+(?P<year>{_YEAR})"
    rf"(?:,\s*(?P<pages>{_PAGES}))?$",
    re.IGNORECASE,
)
# Capitalised words that open a sentence rather than name an author.
_OPENERS = frozenset(
    str.split(
        "In The For According As However Also Thus While Both See And But Although Unlike "
        "Moreover Finally Therefore Hence Yet Since When Then This These Those Recently "
        "Similarly Meanwhile Furthermore Indeed Notably Following After Before By"
    )
)


@dataclass
class InTextCitation:
    """An author-date citation as it stands in the text."""

    start: int
    end: int
    who: str
    year: str
    pages: str | None
    written: str

    @property
    def label(self) -> str:
        return f"{self.who} {self.year}"


def _valid_who(who: str) -> bool:
    if not who or len(who) > 120 or re.search(r"\d", who.replace("…", "")):
        return False
    first = who.split()[0]
    if re.fullmatch(_PARTICLE, first):
        return len(who.split()) > 1 and who.split()[1][:1].isupper()
    return first[:1].isupper()


def find_citations(text: str) -> list[InTextCitation]:
    """Every author-date citation in ``text``, in order (see module docstring)."""
    found: list[InTextCitation] = []
    for m in _PARENS.finditer(text):
        content = m.group(1)
        offset = m.start(1)
        for part_match in re.finditer(r"[^;]+", content):
            part = re.sub(r"\s+", " ", part_match.group(0)).strip()
            pm = _PART.match(part)
            if pm is None:
                continue
            who = pm.group("who").strip().rstrip(",")
            if not _valid_who(who):
                continue
            found.append(
                InTextCitation(
                    start=offset + part_match.start(),
                    end=offset + part_match.end(),
                    who=who,
                    year=pm.group("year").replace(" ", ""),
                    pages=pm.group("pages"),
                    written=f"({part})",
                )
            )
    for m in _YEAR_PARENS.finditer(text):
        names = _NAMES_BEFORE.search(text, max(0, m.start() - 200), m.start())
        if names is None:
            continue
        words = names.group("who").split()
        while words and words[0] in _OPENERS:
            words.pop(0)
        who = " ".join(words)
        if not who or not _valid_who(who):
            continue
        start = names.start("who") + names.group("who").index(words[0])
        found.append(
            InTextCitation(
                start=start,
                end=m.end(),
                who=who,
                year=m.group("year").replace(" ", ""),
                pages=m.group("pages"),
                written=re.sub(r"\s+", " ", text[start : m.end()]),
            )
        )
    found.sort(key=lambda c: c.start)
    return found


# --- Reference list ----------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _key_word(who: str) -> str:
    """The word a reference entry is filed under: the first author's surname
    (or the first word of a title)."""
    words = [w for w in re.split(r"[\s,]+", who.replace("…", " ")) if w]
    while len(words) > 1 and re.fullmatch(_PARTICLE, words[0]):
        words.pop(0)
    return _fold(words[0]).strip(".’'") if words else ""


class LinePattern:
    """A pattern that only matches at the start of a line.

    ``^`` with ``re.MULTILINE`` is tried at every position of the text (a
    60 kB document costs milliseconds); a pattern that starts with a line
    break is found with a fast scan for that character instead. Matches are
    the same as ``re.compile("^" + body, flags | re.MULTILINE).finditer``.
    """

    def __init__(self, body: str, flags: int = 0, after: str = r"\n") -> None:
        self.first = re.compile(body, flags | re.MULTILINE)
        # ``after``: what must come before the line (a line break; a blank
        # line with ``\n[ \t]*\n``).
        self.rest = re.compile(f"(?:{after})(?P<_line>{body})", flags | re.MULTILINE)

    def spans(self, text: str, end: int | None = None) -> list[tuple[int, int]]:
        """(start, end) of every match in ``text[:end]``, in order."""
        end = len(text) if end is None else end
        found: list[tuple[int, int]] = []
        pos = 0
        m = self.first.match(text, 0, end)
        if m is not None:
            found.append((m.start(), m.end()))
            pos = m.end()
        while (m := self.rest.search(text, pos, end)) is not None:
            found.append((m.start("_line"), m.end()))
            pos = m.end()
        return found


_REFERENCES_HEADING = LinePattern(
    r"[ \t]*(?:#{1,6}[ \t]*)?(?:references|reference\s+list|bibliography|works\s+cited|"
    r"literature(?:\s+cited)?|sources|literatur|literaturverzeichnis|quellen|bibliographie|"
    r"références|références\s+bibliographiques)[ \t]*:?[ \t]*$",
    re.IGNORECASE,
)


def find_reference_list(text: str) -> tuple[int, dict[tuple[str, str], str]]:
    """Where the reference list starts and its entries; ``(len(text), {})``
    when the document has none (the last matching heading wins)."""
    for start, end in reversed(_REFERENCES_HEADING.spans(text)):
        entries = reference_entries(text[end:])
        if entries:
            return start, entries
    return len(text), {}


# An entry's first line: "Cooley, A. (2015)" (a capitalised name and a comma
# or full stop), or, in the style of PeerJ and Vancouver, surname and
# initials without dots and then the year: "Moreau P, Lin W. 2015.".
_ENTRY_START = re.compile(r"^(?:\[\d+\]\s*|\d+\.\s+)?[A-ZÀ-Þ][^\s,.]*[,.]")
_NAME_YEAR = re.compile(
    rf"^(?:\[\d+\]\s*|\d+\.\s+)?(?:{_PARTICLE}\s+)?{_CAP}(?:\s+{_CAP})?\s+[A-Z]{{1,3}}[,.]"
    rf"[^\n]{{0,200}}?(?<!\d)(?:{_YEAR})(?!\d)"
)


def _ends_entry(line: str) -> bool:
    """Whether a line can be an entry's last: it ends with a full stop, a
    bracket, page numbers, or a DOI or URL (which starts no entry)."""
    last = line.rsplit(None, 1)[-1] if line.strip() else ""
    return line.endswith((".", ")")) or last[-1:].isdigit() or "://" in last or "doi" in last


def reference_entries(text: str) -> dict[tuple[str, str], str]:
    """Entries of a reference list keyed by (first surname or first word,
    year). Entries are separated by blank lines, or each starts a line with
    a capitalised name followed by a comma or full stop."""
    entries: dict[tuple[str, str], str] = {}
    if not text.strip():
        return entries
    blocks: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        current: list[str] = []
        for line in lines:
            if current and (
                _ENTRY_START.match(line) or (_ends_entry(current[-1]) and _NAME_YEAR.match(line))
            ):
                blocks.append(" ".join(current))
                current = []
            current.append(line)
        if current:
            blocks.append(" ".join(current))
    for entry in blocks:
        entry = re.sub(r"^(?:\[\d+\]\s*|\d+\.\s+)", "", entry)
        year = re.search(rf"(?<!\d)({_YEAR})(?!\d)", entry)
        if year is None:
            continue
        key = (_key_word(entry.split(",")[0].split("(")[0]), year.group(1).replace(" ", ""))
        entries.setdefault(key, entry)
    return entries


def to_citation(found: InTextCitation, references: dict[tuple[str, str], str]) -> ParsedCitation:
    """The citation for an in-text form, with its reference entry if any."""
    entry = references.get((_key_word(found.who), found.year))
    citation = ParsedCitation(
        label=found.label,
        kind="author_date",
        raw_text=found.written,
        authors=found.who,
        published=found.year,
    )
    if entry is None:
        citation.problem = "no reference entry"
        return citation
    fields = analyse_note(entry)
    citation.raw_text = f"{found.written}\n{entry}"
    citation.urls = [ParsedUrl(url=u) for u in fields.urls]
    citation.accessed = fields.accessed
    citation.title = fields.title or _unquoted_title(entry)
    citation.translated_title = fields.translated_title
    return citation


def _unquoted_title(entry: str) -> str | None:
    """The title of an APA-style entry, which is not in quotes:
    "Cooley, A. (2015). Countering democratic norms. Journal …"."""
    m = re.search(rf"\((?:{_YEAR})\)\.?\s+(?P<title>[^.?!]{{8,300}}[.?!])", entry)
    if m is None:
        return None
    return m.group("title").rstrip(".").strip()
