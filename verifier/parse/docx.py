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
# Parts larger than this (uncompressed) are refused: a zip bomb, not a document.
MAX_PART_BYTES = 200 * 1024 * 1024
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"', re.IGNORECASE)
# Elements that end an open w:hyperlink when met outside it.
_CONTENT = frozenset(["t", "tab", "br", "footnoteReference", "endnoteReference", "hyperlink"])
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


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

    def xml(self, name: str) -> etree._Element | None:
        if name not in self.names:
            return None
        try:
            info = self.zip.getinfo(name)
            if info.file_size > MAX_PART_BYTES:
                raise DocumentError(self.path, f"{name} is too large ({info.file_size} bytes)")
            raw = self.zip.read(name)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise DocumentError(
                self.path, f"not a valid .docx: cannot read {name} ({exc})"
            ) from exc
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
                    yield "text", el.text or ""
            elif name in ("tab", "br", "cr"):
                yield "text", " "
            elif name == "noBreakHyphen":
                yield "text", "-"
            elif name == "footnoteReference":
                yield "footnote", str(el.get(f"{_W}id"))
            elif name == "endnoteReference":
                yield "endnote", str(el.get(f"{_W}id"))
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
    links: list[tuple[Hashable, ParsedUrl, list[str]]] = []
    body_root = document.find(f"{_W}body")
    for paragraph in _paragraphs(body_root if body_root is not None else document):
        current: list[str] | None = None
        for item, value in writer.runs(paragraph):
            if item == "text":
                body.add(value)
                if current is not None:
                    current.append(value)
            elif item in ("footnote", "endnote"):
                if (item, value) not in order:
                    order.append((item, value))
                body.marker((item, value))
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
        numbers[kind] += 1
        raw = "\n".join(note.paragraphs)
        sentence = sentences.get((kind, note_id))
        citation = ParsedCitation(
            label=number_label(numbers[kind], formats[kind]),
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
