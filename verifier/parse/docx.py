"""Word .docx: footnotes, endnotes and hyperlinks, read from the OOXML parts.

python-docx has no footnote API, so the package is read directly with
zipfile + lxml:

- ``word/document.xml``: the body. Each ``w:footnoteReference`` /
  ``w:endnoteReference`` is a marker; its citing sentence is the body
  sentence it follows. Hyperlinks in the body (``w:hyperlink`` with an
  ``r:id``, or a ``HYPERLINK`` field) are ``inline_link`` citations.
- ``word/footnotes.xml`` and ``word/endnotes.xml``: one citation of kind
  ``note`` per note. The separator notes Word and LibreOffice write (``w:type``
  ``separator`` / ``continuationSeparator`` / ``continuationNotice``, ids
  -1/0 or 0/1) are skipped by their type, whatever their id.
- ``word/_rels/*.xml.rels``: where each hyperlink points. A URL can be typed
  in a note as text, split over several runs (spell-check and edits split
  runs anywhere), or only be the target of a hyperlink whose visible text is
  a title: runs are joined before URLs are looked for, and every hyperlink's
  target is a URL of its note.

Labels are the numbers Word shows: notes are numbered in the order their
references appear in the body, footnotes and endnotes separately, in the
number format the document sets (Word's defaults: footnotes 1, 2, 3;
endnotes i, ii, iii). Text in deleted revisions (``w:del``) and field
instructions is not text.

A file that is not a zip (a truncated download, an old .doc, a
password-protected document, which Word stores as an OLE container) or that
has no ``word/document.xml`` is refused with the reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from verifier.errors import DocumentError
from verifier.parse.anchored import (
    Body,
    attributions_in,
    fill_note,
    merge_urls,
    parsed_url,
    quotations_of,
)
from verifier.parse.model import ParsedCitation, ParsedDocument, ParsedUrl
from verifier.parse.notes import resolve_short_forms
from verifier.parse.reading import Source

__all__ = ["parse", "parse_docx"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_W = f"{{{W}}}"
_SKIP_NOTE_TYPES = {"separator", "continuationSeparator", "continuationNotice"}
# Decompression bounds: a 600 kB .docx can hold 400 MB of empty paragraphs
# (a zip bomb, not a document), which took minutes and 9 GB as a tree.
# Every part read counts against one total, and each part's elements are
# counted (its "<" bytes, an upper bound) while it is decompressed, in
# chunks, before any tree is built: over a bound, the file is refused. A
# 1,000-page report is about 10 MB of XML and 400,000 elements.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 96 * 1024 * 1024
MAX_ELEMENTS = 2_000_000
_CHUNK = 1024 * 1024
_PARTS_READ = [
    f"word/{part}"
    for name in ("document", "footnotes", "endnotes")
    for part in (f"{name}.xml", f"_rels/{name}.xml.rels")
] + ["word/settings.xml"]
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"', re.IGNORECASE)
# Elements that end an open w:hyperlink when met outside it.
_CONTENT = frozenset(["t", "tab", "br", "footnoteReference", "endnoteReference", "hyperlink"])
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)


@dataclass
class _Note:
    kind: str  # "footnote" or "endnote"
    id: str
    paragraphs: list[str] = field(default_factory=list)
    urls: list[ParsedUrl] = field(default_factory=list)


def _roman(n: int) -> str:
    values = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc")]
    values += [(50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for value, letters in values:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word's letter format: a..z, then aa..zz, aaa...
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def number_label(n: int, fmt: str) -> str:
    """A note number in one of Word's number formats."""
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    return str(n)


class _Package:
    def __init__(self, data: bytes, path: str) -> None:
        self.path = path
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise DocumentError(
                path,
                "not a .docx: an OLE container (a password-protected document or an old "
                "Word .doc); save it as an unprotected .docx",
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zip.namelist())
        except zipfile.BadZipFile as exc:
            raise DocumentError(
                path, f"not a valid .docx: damaged or truncated zip ({exc})"
            ) from exc
        if "word/document.xml" not in self.names:
            raise DocumentError(path, "not a Word document: the zip has no word/document.xml")
        self.total_bytes = 0
        self.total_elements = 0
        # The parts read are decompressed (and counted) before any is parsed,
        # so that a bomb in the last part is refused before the first part's
        # tree is built.
        self._raw: dict[str, bytes] = {}
        for name in _PARTS_READ:
            if name in self.names:
                self._raw[name] = self._read(name)

    def _read_bounded(self, name: str) -> bytes:
        """A part's bytes, decompressed in chunks against the size and
        element bounds (the sizes a zip declares are not trusted)."""
        info = self.zip.getinfo(name)
        if info.file_size > MAX_PART_BYTES:
            raise DocumentError(
                self.path,
                f"{name} is too large ({info.file_size} bytes uncompressed, "
                f"over {MAX_PART_BYTES} bytes): a zip bomb, not a document",
            )
        chunks: list[bytes] = []
        with self.zip.open(name) as stream:
            while chunk := stream.read(_CHUNK):
                chunks.append(chunk)
                self.total_bytes += len(chunk)
                self.total_elements += chunk.count(b"<")
                if self.total_bytes > MAX_TOTAL_BYTES:
                    raise DocumentError(
                        self.path,
                        f"too large once decompressed (over {MAX_TOTAL_BYTES} bytes of XML "
                        f"by {name}): a zip bomb, not a document",
                    )
                if self.total_elements > MAX_ELEMENTS:
                    raise DocumentError(
                        self.path,
                        f"too many XML elements (over {MAX_ELEMENTS:,} by {name}): "
                        "a zip bomb, not a document",
                    )
        return b"".join(chunks)

    def _read(self, name: str) -> bytes:
        try:
            return self._read_bounded(name)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
            raise DocumentError(
                self.path, f"not a valid .docx: cannot read {name} ({exc})"
            ) from exc

    def xml(self, name: str) -> etree._Element | None:
        if name not in self.names:
            return None
        raw = self._raw.pop(name, None)
        if raw is None:
            raw = self._read(name)
        try:
            return etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise DocumentError(self.path, f"damaged .docx: {name} is not XML ({exc})") from exc

    def relationships(self, part: str) -> dict[str, str]:
        """rId -> target of a part's relationships (hyperlinks among them)."""
        folder, _, name = part.rpartition("/")
        root = self.xml(f"{folder}/_rels/{name}.rels")
        if root is None:
            return {}
        return {
            str(rel.get("Id")): str(rel.get("Target") or "")
            for rel in root.iter(f"{{{PKG_REL}}}Relationship")
        }


class _Writer:
    """Walks paragraphs' runs, sending text, markers and links to a sink."""

    def __init__(self, rels: dict[str, str]) -> None:
        self.rels = rels

    def runs(self, paragraph: etree._Element) -> Iterator[tuple[str, str]]:
        """("text", s), ("footnote"/"endnote", id), ("link", url), ("end_link", "")
        in document order; field-code hyperlinks included."""
        # Complex fields: begin, instruction runs, separate, shown runs, end.
        fields: list[str] = []
        open_link: etree._Element | None = None
        for el in paragraph.iter():
            tag = el.tag
            if not isinstance(tag, str) or not tag.startswith(_W):
                continue
            name = tag[len(_W) :]
            if open_link is not None and name in _CONTENT and not _within(el, open_link):
                yield "end_link", ""
                open_link = None
            if name == "t":
                if not _inside(el, "del"):
                    yield "text", _text_of(el)
            elif name in ("tab", "br", "cr"):
                yield "text", " "
            elif name == "noBreakHyphen":
                yield "text", "-"
            elif name in ("footnoteReference", "endnoteReference"):
                kind = name.removesuffix("Reference")
                # A custom mark ("*", "†") is the text of the runs that follow.
                if el.get(f"{_W}customMarkFollows") in ("1", "true", "on"):
                    kind = "custom_" + kind
                yield kind, str(el.get(f"{_W}id"))
            elif name == "hyperlink":
                # Its runs follow in this same iteration; the link ends after them.
                rid = el.get(f"{{{R}}}id")
                target = self.rels.get(rid, "") if rid else ""
                if target:
                    yield "link", target
                    open_link = el
            elif name == "fldSimple":
                match = _HYPERLINK_FIELD.search(el.get(f"{_W}instr") or "")
                if match:
                    yield "link", match.group(1)
            elif name == "fldChar":
                kind = el.get(f"{_W}fldCharType")
                if kind == "begin":
                    fields.append("")
                elif kind == "separate" and fields:
                    match = _HYPERLINK_FIELD.search(fields[-1])
                    if match:
                        yield "link", match.group(1)
                        fields[-1] = "\x00link"
                elif kind == "end" and fields and fields.pop() == "\x00link":
                    yield "end_link", ""
            elif name == "instrText" and fields:
                fields[-1] += el.text or ""
        if open_link is not None:
            yield "end_link", ""


def _text_of(t: etree._Element) -> str:
    """A ``w:t``'s text. An entity reference the parser left unresolved (a
    DTD, which Word never writes, declaring it) is kept as written, and so is
    the text after it, which ``.text`` alone would drop."""
    if not len(t):
        return t.text or ""
    parts = [t.text or ""]
    for child in t:
        if isinstance(child, etree._Entity):
            parts.append(child.text or "")
        parts.append(child.tail or "")
    return "".join(parts)


def _within(el: etree._Element, ancestor: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def _inside(el: etree._Element, name: str) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag == f"{_W}{name}":
            return True
        parent = parent.getparent()
    return False


def _paragraphs(root: etree._Element) -> Iterator[etree._Element]:
    """Top-level paragraphs, tables' paragraphs included, in order; a
    hyperlink's runs are read with its paragraph, not on their own."""
    for p in root.iter(f"{_W}p"):
        if not _inside(p, "p"):  # a text box's paragraphs are read with their host
            yield p


def _number_formats(document: etree._Element, settings: etree._Element | None) -> dict[str, str]:
    formats = {"footnote": "decimal", "endnote": "lowerRoman"}
    for root in (settings, document):
        if root is None:
            continue
        for kind in ("footnote", "endnote"):
            for pr in root.iter(f"{_W}{kind}Pr"):
                fmt = pr.find(f"{_W}numFmt")
                if fmt is not None and fmt.get(f"{_W}val"):
                    formats[kind] = str(fmt.get(f"{_W}val"))
    return formats


def _read_notes(package: _Package, kind: str) -> dict[str, _Note]:
    part = f"word/{kind}s.xml"
    root = package.xml(part)
    if root is None:
        return {}
    writer = _Writer(package.relationships(part))
    notes: dict[str, _Note] = {}
    for element in root.iter(f"{_W}{kind}"):
        if element.get(f"{_W}type") in _SKIP_NOTE_TYPES:
            continue
        note = _Note(kind, str(element.get(f"{_W}id")))
        for paragraph in _paragraphs(element):
            parts: list[str] = []
            for item, value in writer.runs(paragraph):
                if item == "text":
                    parts.append(value)
                elif item == "link":
                    pu = parsed_url(value)
                    if pu is not None:
                        note.urls.append(pu)
            text = " ".join("".join(parts).split())
            if text:
                note.paragraphs.append(text)
        notes[note.id] = note
    return notes


def parse_docx(data: bytes, path: str = "<docx>") -> ParsedDocument:
    """Parse a .docx package (``parse`` reads it from a ``Source``)."""
    package = _Package(data, path)
    document = package.xml("word/document.xml")
    assert document is not None
    formats = _number_formats(document, package.xml("word/settings.xml"))
    notes = {kind: _read_notes(package, kind) for kind in ("footnote", "endnote")}
    writer = _Writer(package.relationships("word/document.xml"))

    body = Body()
    order: list[tuple[str, str]] = []  # (kind, id) in order of first reference
    seen: set[tuple[str, str]] = set()
    # Notes whose reference carries a custom mark: the mark is their label,
    # and they take no number (Word numbers the others as if they were absent).
    custom: dict[tuple[str, str], str] = {}
    links: list[tuple[Hashable, ParsedUrl, list[str]]] = []
    body_root = document.find(f"{_W}body")
    for paragraph in _paragraphs(body_root if body_root is not None else document):
        current: list[str] | None = None
        awaiting_mark: tuple[str, str] | None = None
        for item, value in writer.runs(paragraph):
            if item == "text":
                if awaiting_mark is not None and value.strip():
                    # The mark is a reference, not body text (as a number is not).
                    if not custom[awaiting_mark]:
                        custom[awaiting_mark] = value.strip()
                    awaiting_mark = None
                    continue
                body.add(value)
                if current is not None:
                    current.append(value)
            elif item in ("footnote", "endnote", "custom_footnote", "custom_endnote"):
                kind = item.removeprefix("custom_")
                if (kind, value) not in seen:
                    seen.add((kind, value))
                    order.append((kind, value))
                if item.startswith("custom_"):
                    awaiting_mark = (kind, value)
                    custom.setdefault((kind, value), "")
                body.marker((kind, value))
            elif item == "link":
                pu = parsed_url(value)
                if pu is not None:
                    key: Hashable = ("link", len(links))
                    current = []
                    links.append((key, pu, current))
                    body.link_start(key)
            elif item == "end_link":
                current = None
        body.end_block()
    sentences = body.sentences()

    numbers = {"footnote": 0, "endnote": 0}
    note_citations: list[ParsedCitation] = []
    for kind, note_id in order:
        note = notes[kind].get(note_id)
        if note is None:
            continue
        mark = custom.get((kind, note_id))
        if mark is None:
            numbers[kind] += 1
            label = number_label(numbers[kind], formats[kind])
        else:
            label = mark or "*"
        raw = "\n".join(note.paragraphs)
        sentence = sentences.get((kind, note_id))
        citation = ParsedCitation(
            label=label,
            kind="note",
            raw_text=raw,
            sentence=sentence,
            quotations=quotations_of(sentence),
        )
        fill_note(citation, raw, merge_urls(note.urls))
        note_citations.append(citation)
    resolve_short_forms(note_citations)

    citations = list(note_citations)
    for n, (key, pu, text_parts) in enumerate(links, start=1):
        sentence = sentences.get(key)
        text = " ".join("".join(text_parts).split()) or None
        citations.append(
            ParsedCitation(
                label=f"link-{n}",
                kind="inline_link",
                raw_text=text or pu.url,
                urls=[pu],
                sentence=sentence,
                quotations=quotations_of(sentence),
                link_text=text,
            )
        )
    title = None
    core = package.xml("docProps/core.xml")
    if core is not None:
        found = core.find("{http://purl.org/dc/elements/1.1/}title")
        if found is not None and (found.text or "").strip():
            title = (found.text or "").strip()
    return ParsedDocument(
        path=path,
        format="docx",
        title=title,
        citations=citations,
        attributions=attributions_in(body, citations),
    )


def parse(source: Source) -> ParsedDocument:
    return parse_docx(source.data, source.path)
