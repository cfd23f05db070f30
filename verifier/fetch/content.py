"""Page text: decode a fetched body and extract the text a citation points at.

The match stage looks for cited titles and quotations in this text, so the
extraction favours recall of the main text over removing every piece of
boilerplate: a quotation missed here is a false "absent" verdict, while a
menu item left in the text costs almost nothing. Measured on the 150 real
pages of ``tests/data/corpus/webpages``, trafilatura's main-text extraction
drops short paragraphs, captions and lists that citations do quote, and
plain tag stripping loses passages that cross inline markup. So HTML is
walked here:

* block elements (``p``, ``div``, ``li``, headings, ``br`` ...) break lines;
  inline elements (``a``, ``em``, ``span`` ...) are joined *without* adding
  spaces, so ``Wash<em>ington</em>`` stays one word;
* entities are decoded by the parser;
* scripts, styles, templates, forms' controls, hidden elements and the
  obvious site chrome (``nav``, ``footer``, ``aside``, landmark roles
  navigation/banner/contentinfo/complementary/search) are left out;
  ``noscript`` is kept, as some blogs (Blogger) put the article there.

Figures (``python -m bench fetch``): this walk keeps 442/442 ``with``
passages and lets 300/458 ``without`` boilerplate passages through;
trafilatura (favor_recall) keeps 427/442 and lets 46/458 through; naive tag
stripping keeps 437/442 and 405/458. Recall decides: a boilerplate passage
in the text never makes a citation look broken.

Charset, in order: a byte-order mark; the charset declared in the
``Content-Type`` header, then in a ``<meta>`` tag, unless the body is valid
UTF-8 with non-ASCII bytes while the declaration says otherwise (valid
multi-byte UTF-8 almost never happens by accident, so the declaration is the
thing that is wrong); a declared charset that fails to decode the body is
ignored; then charset-normalizer's guess (windows-1252 on a tie, the web's
default for unlabelled pages); then UTF-8 with replacement.

PDFs are read with pypdfium2, page by page; anything else textual is decoded
as plain text.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

# The page text type is shared vocabulary (the store keeps it, match reads it).
from verifier.vocabulary import PageText as PageText

__all__ = ["PageText", "decode_body", "extract_page", "is_html", "is_pdf"]


_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Elements whose content is never page text.
_SKIP = frozenset(
    {
        "script",
        "style",
        "template",
        "svg",
        "math",
        "head",
        "iframe",
        "object",
        "embed",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "nav",
        "footer",
        "aside",
    }
)
# Elements that start a new line of text; everything else is inline.
_BLOCK = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    }
)
# Landmark roles of site chrome around the main text. Class and id words
# ("share", "related", "cookie" ...) were measured too and cost recall: real
# articles use them for their own main-text containers.
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_SPACE_CHARS = str.maketrans(dict.fromkeys("\t\r\f\v\u00a0", " "))
_SPACE_RUNS = re.compile("  +")
_STRIPPED_BLANK_LINES = re.compile("\n\n\n+")
# Plain lxml elements: lxml.html's element classes cost a Python lookup per
# element touched, and nothing here needs their methods.
_HTML_PARSER = etree.HTMLParser()


def is_pdf(body: bytes, content_type: str | None) -> bool:
    return body[:5] == b"%PDF-" or "pdf" in (content_type or "").lower()


def is_html(body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    if kind and kind != "application/octet-stream" and not kind.endswith("xml"):
        return False
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<body" in head


def _valid_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _is_utf8_with_non_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_body(body: bytes, content_type: str | None, *, html: bool = False) -> str:
    """The body as text; see the module docstring for the order of charsets."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    declared: list[str] = []
    match = _HEADER_CHARSET_RE.search(content_type or "")
    if match:
        declared.append(match.group(1))
    if html:
        meta = _CHARSET_RE.search(body[:4096])
        if meta:
            declared.append(meta.group(1).decode("ascii", "replace"))
    utf8 = _is_utf8_with_non_ascii(body)
    for name in declared:
        codec = _valid_codec(name)
        if codec is None:
            continue
        if utf8 and codec != "utf-8":
            return body.decode("utf-8")
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    if body.isascii() or utf8:
        return body.decode("utf-8")
    from charset_normalizer import from_bytes

    guesses = from_bytes(body[:200_000])
    best = guesses.best()
    if best is not None:
        encoding = best.encoding
        # On a tie, windows-1252: the web's default for unlabelled pages.
        if any(
            g.encoding == "cp1252" and (g.chaos, g.coherence) == (best.chaos, best.coherence)
            for g in guesses
        ):
            encoding = "cp1252"
        return body.decode(encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
    return text or None


def _hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if element.get("role") in _CHROME_ROLES:
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


# Characters XML does not allow, which lxml will not write into a tree.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _drop(element: etree._Element) -> None:
    """Remove ``element`` and its subtree from the tree, keeping its tail."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# Elements that may be hidden: what ``_hidden`` reads, found by libxml2.
_MAYBE_HIDDEN = etree.XPath(".//*[@hidden or @aria-hidden or @role or @style]")


def _tidy(text: str) -> str:
    """Spaces collapsed, lines stripped, runs of blank lines made one."""
    # ``_SPACES.sub(" ", text)``, written so that a 5 MB page costs
    # milliseconds: a regular expression matching every single space does
    # not.
    text = text.translate(_SPACE_CHARS)
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    text = "\n".join([line.strip() for line in text.split("\n")])
    # Lines stripped, the whitespace between two line breaks is line breaks
    # only: a run of blank lines (``\n\s*\n+``) is then three or more line
    # breaks, which is a third of the time to find.
    return _STRIPPED_BLANK_LINES.sub("\n\n", text).strip()


def _parse_html(text: str) -> etree._Element | None:
    text = _XML_DECL_RE.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        root = etree.fromstring(text, _HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


def html_text(root: etree._Element) -> str:
    """The page text of a parsed HTML document (see the module docstring).

    Changes the tree: scripts, styles, hidden parts and comments are cut out
    and block elements get their line breaks; then libxml2 joins the text.
    The loops run over the few elements found by tag or attribute in C, not
    over every element in Python (a 5 MB page has 100,000 of them).
    """
    body = root.find(".//body")
    top = body if body is not None else root
    tag = top.tag if isinstance(top.tag, str) else ""
    if not tag or tag.lower() in _SKIP or _hidden(top):
        return ""
    cut = [e for e in top.iter(*_SKIP, etree.Comment, etree.ProcessingInstruction) if e is not top]
    cut += [e for e in _MAYBE_HIDDEN(top) if _hidden(e)]
    for element in cut:
        _drop(element)
    for element in top.iter(*_BLOCK):
        element.text = "\n" + (element.text or "")
        if element is not top:
            element.tail = "\n" + (element.tail or "")
    return _tidy("".join(top.itertext()))


def _first_text(root: etree._Element, xpath: str) -> str | None:
    for found in root.xpath(xpath):
        text = found if isinstance(found, str) else "".join(found.itertext())
        cleaned = _clean(str(text))
        if cleaned:
            return cleaned
    return None


def extract_html(text: str) -> PageText:
    try:
        return _extract_html(text)
    except ValueError:
        # libxml2 keeps a control character it read (a stray \x01, a NUL),
        # but lxml refuses to write one back when a script's tail is moved
        # or a line break added: read the page again without them, as a
        # browser shows it. Only such a page pays for the second reading.
        if not _NOT_XML.search(text):
            raise
        return _extract_html(_NOT_XML.sub("", text))


def _extract_html(text: str) -> PageText:
    root = _parse_html(text)
    if root is None:
        return PageText(text="", title=None, h1=None, og_title=None)
    # The titles first: ``html_text`` changes the tree.
    title = _first_text(root, "//title")
    h1 = _first_text(root, "//h1")
    og_title = _first_text(root, "//meta[@property='og:title' or @name='og:title']/@content")
    return PageText(text=html_text(root), title=title, h1=h1, og_title=og_title)


def extract_pdf(body: bytes) -> PageText:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(body)
    except pypdfium2.PdfiumError:
        return PageText(text="", title=None, h1=None, og_title=None)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        title = _clean(document.get_metadata_value("Title")) or None
    finally:
        document.close()
    text = "\n\n".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in pages)
    return PageText(text=_tidy(text), title=title, h1=None, og_title=None)


def names_pdf(url: str | None) -> bool:
    """Whether ``url``'s path ends in ``.pdf`` (what ``extract_page`` reads
    of a URL)."""
    return url is not None and url.lower().split("?")[0].endswith(".pdf")


def extract_page(body: bytes, content_type: str | None, url: str | None = None) -> PageText:
    """Decode ``body`` and extract its text and titles.

    ``content_type`` is the response's ``Content-Type`` header (with its
    charset, if any); ``url`` is only used to recognise a PDF by its name
    when the server sends no useful type.
    """
    if is_pdf(body, content_type) or (names_pdf(url) and body[:5] == b"%PDF-"):
        return extract_pdf(body)
    if is_html(body, content_type):
        return extract_html(decode_body(body, content_type, html=True))
    text = decode_body(body, content_type)
    return PageText(text=_tidy(text), title=None, h1=None, og_title=None)
