"""Building small .docx packages in memory for tests: a body, footnotes,
and relationships, written the way Word stores them."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
    "<w:continuationSeparator/></w:r></w:p></w:footnote>"
)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def footnote_ref(note_id: int, custom_mark: str | None = None) -> str:
    """A footnote reference; with ``custom_mark`` Word's custom mark (the
    reference has ``w:customMarkFollows`` and the mark is the next run)."""
    if custom_mark is None:
        return f'<w:r><w:footnoteReference w:id="{note_id}"/></w:r>'
    return f'<w:r><w:footnoteReference w:customMarkFollows="1" w:id="{note_id}"/></w:r>' + run(
        custom_mark
    )


def para(*parts: str) -> str:
    return "<w:p>" + "".join(parts) + "</w:p>"


def footnote(note_id: int, text: str) -> str:
    return f'<w:footnote w:id="{note_id}">' + para(run(text)) + "</w:footnote>"


def document_xml(body: str, doctype: str = "") -> str:
    return f"{_DECL}{doctype}<w:document {W_NS}><w:body>{body}</w:body></w:document>"


def footnotes_xml(notes: str) -> str:
    return f"{_DECL}<w:footnotes {W_NS}>{_SEPARATORS}{notes}</w:footnotes>"


def make_docx(document: str, footnotes: str | None = None, **parts: bytes | str) -> bytes:
    """A .docx holding ``document`` (word/document.xml), ``footnotes`` and
    any other parts by name (``word/x.xml`` written as ``word__x_xml``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", document)
        if footnotes is not None:
            z.writestr("word/footnotes.xml", footnotes)
        for name, data in parts.items():
            z.writestr(name.replace("__", "/").replace("_xml", ".xml"), data)
    return buffer.getvalue()
