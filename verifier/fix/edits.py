"""Edits located in a document's own text, and the file's bytes kept.

A fix never re-serialises a parse tree: it finds each cited URL where it is
written, decides in the format's idiom what to insert next to it, and splices
that text in. Everything else in the file stays byte for byte as it was: the
text is decoded with the encoding the file was read with and encoded back
with the same one, after checking that this round trip gives the very same
bytes (a BOM, CRLF line endings and Windows-1252 all survive it).
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from charset_normalizer import from_bytes

__all__ = [
    "Edit",
    "TextFile",
    "apply_edits",
    "format_date",
    "occurrences",
    "unified_diff",
]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(value: dt.date, style: str) -> str:
    """A capture date as an article writes dates: ``dmy`` "1 March 2022",
    ``mdy`` "March 1, 2022", ``iso`` "2022-03-01"."""
    if style == "mdy":
        return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"
    if style == "iso":
        return value.isoformat()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``insert`` (an insertion when start == end)."""

    start: int
    end: int
    insert: str


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """The text with the edits spliced in; overlapping edits are a bug."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    parts: list[str] = []
    cursor = 0
    for edit in ordered:
        if edit.start < cursor:
            raise ValueError(f"overlapping edits at {edit.start}")
        parts.append(text[cursor : edit.start])
        parts.append(edit.insert)
        cursor = edit.end
    parts.append(text[cursor:])
    return "".join(parts)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass
class TextFile:
    """A text document's bytes, its text, and the encoding that maps one to
    the other exactly (a byte-order mark is kept aside, as it was)."""

    data: bytes
    text: str
    encoding: str
    bom: bytes = b""

    @classmethod
    def read(cls, data: bytes) -> TextFile | None:
        """The file's text, or None when no encoding gives back the same bytes
        (then the file cannot be edited without changing bytes we did not touch)."""
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                return cls._exact(data, data[len(bom) :], [encoding], bom)
        candidates = ["utf-8"]
        best = from_bytes(data[:2_000_000]).best()
        if best is not None:
            candidates.append(best.encoding)
        # cp1252 is the usual legacy encoding; latin-1 maps every byte
        candidates += ["cp1252", "latin-1"]
        return cls._exact(data, data, candidates, b"")

    @classmethod
    def _exact(cls, data: bytes, body: bytes, encodings: list[str], bom: bytes) -> TextFile | None:
        for encoding in encodings:
            try:
                text = body.decode(encoding)
                if text.encode(encoding) == body:
                    return cls(data, text, encoding, bom)
            except (UnicodeError, LookupError):
                continue
        return None

    def encode(self, text: str) -> bytes | None:
        """The new text in the file's encoding; None when an inserted
        character has no place in it."""
        try:
            return self.bom + text.encode(self.encoding)
        except UnicodeEncodeError:
            return None


# Characters that may continue a URL; anything else ends it.
_URL_CHAR = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
# Punctuation a URL is cleaned of when it ends a sentence or a bracket.
_TRAILING = ".,;:!?)]'\"*_"
# What starts the token a URL is written in (for "is it inside another URL").
_TOKEN_START = re.compile(r"[\s<>\"'(\[|{}=]")


def _variants(url: str) -> list[str]:
    found = [url]
    for other in (unquote(url), url.replace("&", "&amp;")):
        if other not in found:
            found.append(other)
    bare = re.sub(r"^https?://", "", url)
    if bare != url and bare.startswith("www."):
        found.append(bare)
    return found


def _ends_here(text: str, end: int) -> bool:
    """Whether a URL written up to ``end`` stops there (``.../a`` is not ``.../ab``)."""
    if end >= len(text):
        return True
    char = text[end]
    if not _URL_CHAR.match(char):
        return True
    if char in _TRAILING:
        # "…/a." or "…/a)," end the URL; "…/a.html" does not.
        rest = end
        while rest < len(text) and text[rest] in _TRAILING:
            rest += 1
        return rest >= len(text) or not _URL_CHAR.match(text[rest])
    # "…/a&amp;b" when the written URL is "…/a": not this URL
    return False


def _inside_other_url(text: str, start: int) -> bool:
    """Whether the URL at ``start`` is part of a longer one, e.g. the
    original URL inside a Wayback capture's address."""
    if start == 0:
        return False
    begin = start
    lower = max(0, start - 2048)
    while begin > lower and not _TOKEN_START.match(text[begin - 1]):
        begin -= 1
    return "://" in text[begin:start] or text[begin:start].lower().startswith("www.")


_URL_START = re.compile(r"https?://|www\.", re.I)
_KEY = 16


class UrlIndex:
    """Where URLs start in a text, by their first characters: a document
    with hundreds of cited URLs is scanned once, not once per URL."""

    def __init__(self, text: str) -> None:
        self.starts: dict[str, list[int]] = {}
        for match in _URL_START.finditer(text):
            at = match.start()
            self.starts.setdefault(text[at : at + _KEY], []).append(at)

    def candidates(self, text: str, variant: str) -> Iterator[int]:
        if len(variant) < _KEY or not _URL_START.match(variant):
            at = text.find(variant)
            while at != -1:
                yield at
                at = text.find(variant, at + 1)
            return
        for at in self.starts.get(variant[:_KEY], ()):
            if text.startswith(variant, at):
                yield at


def occurrences(text: str, url: str, index: UrlIndex | None = None) -> Iterator[tuple[int, int]]:
    """Each place the URL is written, as (start, end), in document order;
    with ``&amp;`` or percent-decoded spellings too; never inside a longer URL."""
    seen: set[int] = set()
    spans: list[tuple[int, int]] = []
    for variant in _variants(url):
        found = (index or _NO_INDEX).candidates(text, variant)
        for at in found:
            end = at + len(variant)
            if at not in seen and _ends_here(text, end) and not _inside_other_url(text, at):
                seen.add(at)
                spans.append((at, end))
    yield from sorted(spans)


class _Unindexed(UrlIndex):
    def __init__(self) -> None:
        self.starts = {}

    def candidates(self, text: str, variant: str) -> Iterator[int]:
        at = text.find(variant)
        while at != -1:
            yield at
            at = text.find(variant, at + 1)


_NO_INDEX = _Unindexed()


def archived_nearby(window: str, url: str, archive_url: str) -> bool:
    """Whether ``window`` (the text right after a URL) already gives an
    archived copy of it: that exact copy, or any capture address ending in
    the URL (``…/web/2019…/URL``)."""
    if archive_url in window:
        return True
    return any(re.search(r"\S/" + re.escape(variant), window) for variant in _variants(url))


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of the change, line endings shown as they are."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out: list[str] = []
    for line in lines:
        # a line without its newline (the last one) still ends the diff line
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
