"""The text of a .docx by paragraph and of a PDF by page: where a citation
is in a document that has no lines (see ``verifier.store.locate``).

Read after the format's parser accepted the file, with the same caution:
no entities, no network, bounded part sizes."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

__all__ = ["docx_paragraphs", "pdf_pages"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_PART = 200 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def docx_paragraphs(data: bytes) -> list[str]:
    """The body's paragraphs' text, in order (empty when unreadable)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo("word/document.xml")
            if info.file_size > _MAX_PART:
                return []
            root = etree.fromstring(package.read(info), _PARSER)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, etree.XMLSyntaxError):
        return []
    return ["".join(p.itertext()) for p in root.iter(f"{_W}p")]


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, in order (empty when unreadable)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    pages: list[str] = []
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                pages.append(textpage.get_text_range())
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()
    return pages
