"""PDF: the text layer, cleaned, then read with the plain-text rules.

**Library: pypdfium2** (PDFium, the engine in Chrome), chosen over pypdf after
measuring both on the same PDFs (LibreOffice prints of five corpus documents,
3 to 78 pages, and the fixtures in ``tests/data/formats``): PDFium extracted
the text 14 to 24 times faster (the 78-page Elvis Presley article: 0.26 s
against 4.7 s for pypdf) with the same characters and URLs, and it marks a
line-end hyphen with U+FFFE instead of leaving "commis-\\nsion" for us to
guess about. It also gives each character's font size, which tells page
footnotes (small print at the page foot) from body text, and the rectangle
of each link annotation, so the words a link covers can be read back.
pypdf is pure Python; only the benchmark (``bench/bench_formats.py``, the
``bench`` extra) still runs it, for that comparison.

Steps:

1. Each page's text lines, with their font size.
2. Running heads and feet: a line at the top or bottom of a page that
   repeats (digits ignored) on at least half the pages, and page numbers
   ("12", "Page 12", "12 of 40", roman numerals) there, are dropped.
3. Page footnotes: the run of small-print lines at the foot of a page
   (smaller than the document's body size) starting with a note number
   become the notes of a "Notes" section appended to the text, unless the
   text already ends with a notes section (then they are added to it).
   A footnote marked ``*`` or ``†`` (an author's note) is dropped.
4. Hyphenation: a word broken at a line end is joined ("commis-sion" ->
   "commission"), but the hyphen stays inside a URL, before a capital
   ("post-Soviet") and when the document writes that word with a hyphen
   elsewhere ("e-commerce").
5. The text goes through ``verifier.parse.plaintext.parse_text`` (notes
   section, body markers, citing sentences, quotations, author-date
   citations, unsourced attributions).
6. Link annotations (URI actions): a URL no citation has yet is added to the
   note whose text the link covers, else it becomes an ``inline_link``
   citation with the words it covers and their sentence.

A PDF without a text layer (a scan) gets a warning saying so, not silence;
an encrypted PDF that needs a password is refused with that reason.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from verifier.errors import DocumentError
from verifier.parse import plaintext
from verifier.parse.anchored import parsed_url, quotations_of
from verifier.parse.model import ParsedCitation, ParsedDocument, ParsedUrl
from verifier.parse.reading import Source
from verifier.parse.sentences import sentence_spans

__all__ = ["parse", "parse_pdf"]

_PAGE_NUMBER = re.compile(
    r"^(?:page\s+|seite\s+|p\.\s*)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/|von)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_NOTES_HEADING = re.compile(
    r"^(?:notes|endnotes|end\s+notes|footnotes|references|sources|bibliography|works\s+cited|"
    r"quellen|anmerkungen|einzelnachweise|fußnoten|endnoten|références)\s*:?$",
    re.IGNORECASE,
)
_FOOTNOTE_START = re.compile(r"^(\d{1,3}|[*†‡§])[.)]?\s+(\S.*)$")
_HYPHEN_MARK = "\ufffe"
_SOFT = re.compile(r"(\S*)[\ufffe\x02]\s*(\S*)")
_URLISH = re.compile(r"(?:://|www\.|/|\.[a-z]{2,}/)", re.IGNORECASE)
# Pages with fewer non-space characters than this have no usable text layer.
_MIN_PAGE_CHARS = 20
_EDGE = 3  # lines at the top and at the bottom that may be running heads or feet


@dataclass
class _Line:
    text: str
    size: float


@dataclass
class _Page:
    lines: list[_Line] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (uri, covered text)


def _open(data: bytes, path: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise DocumentError(
                path, "encrypted PDF: it needs a password to open; save an unprotected copy"
            ) from exc
        raise DocumentError(path, f"not a readable PDF ({message})") from exc


def _page_lines(textpage: pdfium.PdfTextPage) -> list[_Line]:
    text = textpage.get_text_range()
    count = textpage.count_chars()
    sizes: list[float] | None = None
    if len(text) == count:
        raw = textpage.raw
        sizes = [pdfium_c.FPDFText_GetFontSize(raw, i) for i in range(count)]
    lines: list[_Line] = []
    start = 0
    for match in re.finditer(r"\r\n|\n|\r", text + "\n"):
        end = match.start()
        piece = text[start:end]
        if piece.strip():
            size = 0.0
            if sizes is not None:
                chars = [sizes[i] for i in range(start, min(end, count)) if not text[i].isspace()]
                size = statistics.median(chars) if chars else 0.0
            lines.append(_Line(piece.strip(), round(size, 1)))
        start = match.end()
    return lines


def _page_links(
    document: pdfium.PdfDocument, page: pdfium.PdfPage, textpage: pdfium.PdfTextPage
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = ctypes.c_int(0)
    link = pdfium_c.FPDF_LINK()
    while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != pdfium_c.PDFACTION_URI:
            continue
        size = pdfium_c.FPDFAction_GetURIPath(document.raw, action, None, 0)
        if size <= 1:
            continue
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFAction_GetURIPath(document.raw, action, buffer, size)
        uri = buffer.value.decode("utf-8", "replace").strip()
        rect = pdfium_c.FS_RECTF()
        covered = ""
        if pdfium_c.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            covered = textpage.get_text_bounded(rect.left, rect.bottom, rect.right, rect.top)
        found.append((uri, " ".join(covered.replace(_HYPHEN_MARK, "").split())))
    return found


def _read_pages(document: pdfium.PdfDocument) -> list[_Page]:
    pages: list[_Page] = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        try:
            pages.append(_Page(_page_lines(textpage), _page_links(document, page, textpage)))
        finally:
            textpage.close()
            page.close()
    return pages


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower()).strip()


def _drop_running_lines(pages: list[_Page]) -> None:
    """Running heads/feet (repeated on half the pages) and page numbers out."""
    edge_keys: Counter[str] = Counter()
    for page in pages:
        lines = page.lines
        edges = lines[:_EDGE] + lines[-_EDGE:] if len(lines) > 2 * _EDGE else lines
        edge_keys.update({_key(line.text) for line in edges})
    threshold = max(2, (len(pages) + 1) // 2)
    running = {key for key, n in edge_keys.items() if n >= threshold}
    for page in pages:
        lines = page.lines
        n = len(lines)
        page.lines = [
            line
            for i, line in enumerate(lines)
            if not (
                (i < _EDGE or i >= n - _EDGE)
                and (_key(line.text) in running or _PAGE_NUMBER.match(line.text))
            )
        ]


def _body_size(pages: list[_Page]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _split_footnotes(pages: list[_Page], body_size: float) -> list[tuple[str, str]]:
    """Take the small-print footnotes off each page's foot.

    Footnotes are numbered in sequence through the document, so a line in
    the block starting with any other number ("6 June 2022, ...") continues
    the note before it.
    """
    notes: list[tuple[str, list[str]]] = []
    if body_size <= 0:
        return []
    last = 0
    for page in pages:
        lines = page.lines
        start = len(lines)
        while start > 0 and 0 < lines[start - 1].size < body_size * 0.92:
            start -= 1
        # The block must open with a note mark.
        while start < len(lines) and not _FOOTNOTE_START.match(lines[start].text):
            start += 1
        if start >= len(lines):
            continue
        foot = lines[start:]
        page.lines = lines[:start]
        current: list[str] | None = None
        for line in foot:
            match = _FOOTNOTE_START.match(line.text)
            label = match.group(1) if match else ""
            if match and (label == str(last + 1) or (not label.isdigit() and current is None)):
                current = [match.group(2)]
                notes.append((label, current))
                if label.isdigit():
                    last += 1
            elif current is not None:
                current.append(line.text)
    return [(label, " ".join(text)) for label, text in notes if label.isdigit()]


def _dehyphenate(text: str) -> str:
    hyphenated = {m.group(0).lower() for m in re.finditer(r"\w+-\w+", text)}
    joined_words = set(re.findall(r"\w+", text.lower()))

    def join(match: re.Match[str]) -> str:
        before, after = match.group(1), match.group(2)
        word_before = re.search(r"\w+$", before)
        word_after = re.match(r"\w+", after)
        keep = (
            _URLISH.search(before) is not None
            or after[:1].isupper()
            or (before[-1:].isdigit() if before else False)
            or (
                word_before is not None
                and word_after is not None
                and f"{word_before.group(0)}-{word_after.group(0)}".lower() in hyphenated
                and f"{word_before.group(0)}{word_after.group(0)}".lower() not in joined_words
            )
        )
        return f"{before}-{after}" if keep else f"{before}{after}"

    return _SOFT.sub(join, text)


def _paragraphs(lines: list[str]) -> str:
    """Lines joined into paragraphs (blank line between them); a notes
    section keeps one note line per line for the plain-text note rules."""
    if not lines:
        return ""
    typical = statistics.median(len(line) for line in lines)
    paragraphs: list[str] = []
    current: list[str] = []
    notes: list[str] = []
    in_notes = False
    for i, line in enumerate(lines):
        if not in_notes and _NOTES_HEADING.match(line):
            in_notes = True
            notes.append(line)
            continue
        if in_notes:
            notes.append(line)
            continue
        current.append(line)
        following = lines[i + 1] if i + 1 < len(lines) else ""
        short = len(line) < typical * 0.75
        ends_sentence = line.endswith((".", "!", "?", ":", "”", '"', "’", ")"))
        heading = (
            len(line) < typical * 0.6
            and not line.endswith((",", ";", "-", "–"))
            and following[:1].isupper()
        )
        if short and (ends_sentence or heading):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    text = "\n\n".join(p for p in paragraphs if p.strip())
    if notes:
        text += "\n\n" + notes[0] + "\n\n" + "\n".join(notes[1:])
    return text


# What a journal prints after the last reference, on the page, that is no
# reference: its submission links, licence and copyright lines.
_TRAILER = re.compile(
    r"submit\s+your\s+(?:next\s+)?manuscript|publish\s+with\s+us|"
    r"this\s+(?:article|work)\s+is\s+(?:distributed|licensed)|^©|^copyright\b",
    re.IGNORECASE,
)


def _without_trailer(lines: list[_Line]) -> list[_Line]:
    """Lines with the journal's trailer after a notes or references heading
    taken out: small print (under 85% of the list's usual size: the
    journal's own DOI, "Submit your manuscript here: …") and the trailer
    phrases, which would otherwise join the last reference."""
    heading = max(
        (i for i, line in enumerate(lines) if _NOTES_HEADING.match(line.text)), default=-1
    )
    if heading < 0:
        return lines
    after = [line for line in lines[heading + 1 :] if line.text.strip()]
    if not after:
        return lines
    usual = statistics.median(line.size for line in after)
    kept = [
        line for line in after if not (0 < line.size < usual * 0.85 or _TRAILER.search(line.text))
    ]
    return lines[: heading + 1] + kept


def _document_text(pages: list[_Page], footnotes: list[tuple[str, str]]) -> str:
    lines = [line.text for line in _without_trailer([x for page in pages for x in page.lines])]
    text = _paragraphs(lines)
    if footnotes:
        notes = "\n".join(f"{label}. {body}" for label, body in footnotes)
        has_section = any(_NOTES_HEADING.match(line) for line in lines)
        text = f"{text}\n{notes}" if has_section else f"{text}\n\nNotes\n\n{notes}"
    return _dehyphenate(text)


def _sentence_with(text: str, words: str) -> str | None:
    at = text.find(words)
    if at < 0:
        return None
    start = text.rfind("\n\n", 0, at) + 1
    end = text.find("\n\n", at)
    paragraph = text[start : end if end >= 0 else len(text)]
    offset = at - start
    for s, e in sentence_spans(paragraph):
        if s <= offset < e:
            return paragraph[s:e].strip()
    return paragraph.strip() or None


def _add_links(doc: ParsedDocument, pages: list[_Page], text: str) -> None:
    known = {u.url for c in doc.citations for u in c.urls}
    count = 0
    for page in pages:
        for uri, covered in page.links:
            pu = parsed_url(uri)
            if pu is None or pu.url in known:
                continue
            known.add(pu.url)
            holder = next(
                (
                    c
                    for c in doc.citations
                    if c.kind == "note" and covered and covered in " ".join(c.raw_text.split())
                ),
                None,
            )
            if holder is not None:
                holder.urls.append(pu)
                continue
            count += 1
            sentence = _sentence_with(text, covered) if covered else None
            doc.citations.append(
                ParsedCitation(
                    label=f"link-{count}",
                    kind="inline_link",
                    raw_text=covered or pu.url,
                    urls=[ParsedUrl(pu.url, False, pu.archive_url, pu.archive_date)],
                    sentence=sentence,
                    quotations=quotations_of(sentence),
                    link_text=covered or None,
                )
            )


def _title(document: pdfium.PdfDocument) -> str | None:
    try:
        title = document.get_metadata_value("Title")
    except (pdfium.PdfiumError, KeyError, ValueError):
        return None
    title = (title or "").strip()
    return title if title and title.lower() != "untitled" else None


def parse_pdf(data: bytes, path: str = "<pdf>") -> ParsedDocument:
    """Parse a PDF's text layer (``parse`` reads it from a ``Source``)."""
    document = _open(data, path)
    try:
        pages = _read_pages(document)
        title = _title(document)
    except pdfium.PdfiumError as exc:
        raise DocumentError(path, f"damaged PDF: cannot read its pages ({exc})") from exc
    finally:
        document.close()
    warnings: list[str] = []
    empty = [
        i + 1 for i, p in enumerate(pages) if sum(len(x.text) for x in p.lines) < _MIN_PAGE_CHARS
    ]
    if pages and len(empty) == len(pages):
        return ParsedDocument(
            path=path,
            format="pdf",
            title=title,
            warnings=[
                f"no text layer: none of its {len(pages)} pages has text (a scanned PDF?); "
                "no citations could be read. Run OCR on it (e.g. ocrmypdf) and ingest it again."
            ],
        )
    if empty:
        shown = ", ".join(str(n) for n in empty[:10]) + (" ..." if len(empty) > 10 else "")
        warnings.append(f"{len(empty)} of {len(pages)} pages have no text layer (pages {shown})")
    _drop_running_lines(pages)
    footnotes = _split_footnotes(pages, _body_size(pages))
    text = _document_text(pages, footnotes)
    doc = plaintext.parse_text(text, path)
    doc.format = "pdf"
    doc.title = title or doc.title
    doc.warnings = warnings + doc.warnings
    _add_links(doc, pages, text)
    return doc


def parse(source: Source) -> ParsedDocument:
    return parse_pdf(source.data, source.path)
