"""HTML: endnotes, reference lists and links, read with BeautifulSoup + lxml.

Notes are found by what they are, not by one site's class names:

1. **Linked notes.** A marker is a short link into the page (``<a
   href="#fn3">3</a>``, ``<sup><a href="#cite_note-12">[12]</a></sup>``,
   WordPress footnote plugins, easy-footnotes) whose target is, or sits in,
   a list item or a notes block. The target is the note; the marker's
   sentence is its citing sentence. This covers ``<ol>`` endnotes,
   ``<section class="footnotes">``, WordPress plugins and Wikipedia's
   ``<ol class="references">`` alike. A note cited by several markers is one
   citation with one use per marker (its sentence and the quotations it
   cites); the sentence of the first is the citation's sentence.
2. **Reference lists.** A list under a heading such as References, Notes,
   Sources, Quellen, Literatur, Einzelnachweise, Bibliography (any element
   whose whole text is that word: ``<h2>``, ``<div class="...headline">``),
   or a list whose class or id says so (``references``, ``footnotes``,
   ``endnotes``, ``bibliography``): each item not already a linked note is a
   note, numbered by its place in the list, without a citing sentence.

Each note's URLs are its links' targets (a Wayback Machine capture is the
captured URL with the capture as its archived copy, so Wikipedia's
"Archived from the original" pairs merge into one URL) plus URLs typed in its
text; the note rules give the accessed date (``Retrieved 5 May 2020``,
``(Abruf: 01/22)``), title and author.

**Inline links.** Every other web link in the article's main text (``<main>``,
``<article>``, the Wikipedia content block, else ``<body>``; never
navigation, header, footer, sidebars, forms or scripts) is an
``inline_link`` citation labelled ``link-N`` with its text and sentence. A
link to the page's own site is navigation, not a source, and is left out.
Quotations in a citing sentence include ``<q>`` elements and text in
quotation marks. Soft hyphens (``&shy;``) are removed.

Malformed markup (unclosed or stray tags) is parsed leniently, as browsers
do; a file with no HTML markup at all, or binary content, is refused.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from bs4 import (
    BeautifulSoup,
    Comment,
    MarkupResemblesLocatorWarning,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)

from verifier.errors import DocumentError
from verifier.parse.anchored import (
    Body,
    attributions_in,
    cite_uses,
    fill_note,
    merge_urls,
    parsed_url,
)
from verifier.parse.model import ParsedCitation, ParsedDocument, ParsedUrl, ParsedUse
from verifier.parse.notes import resolve_short_forms
from verifier.parse.reading import Source
from verifier.urls import host_of

__all__ = ["parse", "parse_html"]

# Never content.
_DROP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "form",
        "button",
        "select",
        "input",
        "textarea",
        "head",
        "audio",
        "video",
        "map",
    ]
)
# Page furniture: no citations in here (note lists found elsewhere are kept).
_FURNITURE = frozenset(["nav", "header", "footer", "aside", "menu", "dialog"])
_FURNITURE_ROLES = frozenset(
    ["navigation", "banner", "contentinfo", "complementary", "search", "menu"]
)
_BLOCK = frozenset(
    [
        "p",
        "div",
        "li",
        "ol",
        "ul",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "main",
        "table",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "caption",
        "figure",
        "figcaption",
        "pre",
        "address",
        "details",
        "summary",
        "hr",
        "br",
        "center",
    ]
)
# Elements a notes heading can be ("Quellen" is a <div> on some sites).
_HEADING_TAGS = frozenset(
    ["h1", "h2", "h3", "h4", "h5", "h6", "div", "p", "dt", "strong", "b", "span"]
)
_CODE = frozenset(["pre", "code", "kbd", "samp", "tt"])
_NOTES_HEADING = re.compile(
    r"^\s*(?:\d+\.?\s*)?(?:references?|notes?|end\s?notes|foot\s?notes|sources?|"
    r"notes and references|references and notes|citations|works cited|bibliography|"
    r"quellen|quellenangaben|quellenverzeichnis|einzelnachweise|"
    r"anmerkungen|fu(?:ß|ss)noten|literatur|literaturverzeichnis|literaturhinweise|"
    r"références|notes et références|bibliographie|sources et références|"
    r"referencias|notas|fuentes|bibliografía|bibliografia|riferimenti|note)\s*:?\s*$",
    re.IGNORECASE,
)
_NOTES_CLASS = re.compile(
    r"(?:^|[-_\s])(?:references?|footnotes?|endnotes?|reflist|bibliography|citations|"
    r"easy-footnotes-wrapper|fn-list)(?:$|[-_\s])",
    re.IGNORECASE,
)
_MAIN_SELECTORS = (
    "main",
    "[role=main]",
    "#mw-content-text",
    "article",
    ".entry-content",
    ".post-content",
    "#content",
)
# Numbered lists that are not notes: author affiliations, contents, menus.
_NOT_NOTES = re.compile(r"affil|author|contrib|\btoc\b|menu|breadcrumb|\bnav", re.IGNORECASE)
# Share buttons are links, but not sources.
_SHARE_LINK = re.compile(
    r"^https?://(?:[\w-]+\.)*(?:twitter\.com/(?:intent|share)|x\.com/intent|"
    r"facebook\.com/shar|linkedin\.com/share|reddit\.com/submit|pinterest\.[a-z.]+/pin/create|"
    r"api\.whatsapp\.com/send|wa\.me/|t\.me/share|getpocket\.com/save|"
    r"tumblr\.com/share|mastodonshare|bsky\.app/intent)",
    re.IGNORECASE,
)
# What a marker's text looks like once brackets are removed: "3", "12", "a", "iv", "*".
_MARKER_TEXT = re.compile(r"^(?:\d{1,4}|[a-z]{1,3}|[*†‡§])$", re.IGNORECASE)
# Back-links inside a note ("↑", "^", "↩", "Jump up").
_BACKLINK_TEXT = re.compile(r"^\s*(?:[↑^↩⤴︎]|jump up|back|zurück|retour)?[\s↑^↩a-z]{0,3}$", re.I)
_SOFT_HYPHEN = "\u00ad"
_LEADING_BACKLINK = re.compile(r"^[\s^↑↩]+")
_NO_MARKUP = re.compile(rb"<\s*[a-zA-Z!/?]")


@dataclass
class _Note:
    element: Tag
    label: str
    markers: list[Tag] = field(default_factory=list)


def _classes(tag: Tag) -> str:
    value = tag.get("class")
    names = " ".join(value) if isinstance(value, list) else str(value or "")
    return f"{names} {tag.get('id') or ''}".strip()


def _is_furniture(tag: Tag) -> bool:
    if tag.name in _FURNITURE:
        return True
    role = str(tag.get("role") or "").lower()
    if role in _FURNITURE_ROLES:
        return True
    ident = str(tag.get("id") or "")
    return ident.startswith("wm-")  # the Wayback Machine's toolbar


def _text_of(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").replace(_SOFT_HYPHEN, "").split())


def _marker_label(anchor: Tag) -> str | None:
    text = _text_of(anchor).strip("[]() ")
    return text if _MARKER_TEXT.match(text) else None


def _note_element(target: Tag) -> Tag | None:
    """The note a marker points at: the list item holding its target, a
    notes block element, or the paragraph an empty anchor opens.

    Anything else (a ``<sup>`` in running text, which is where a note's
    back-link points) is not a note.
    """
    if target.name == "li":
        return target
    item = target.find_parent("li")
    if item is not None:
        return item
    if target.name == "sup" or target.find_parent("sup") is not None:
        return None
    if target.name in ("p", "div", "aside", "section", "dd") and _text_of(target):
        return target
    parent = target.parent
    if (
        not _text_of(target)
        and isinstance(parent, Tag)
        and parent.name in ("p", "div", "dd")
        and _text_of(parent)
    ):
        # <p><span id="fn1"></span>Note text</p>: the anchor must open the paragraph.
        before = "".join(str(s) for s in target.previous_siblings if isinstance(s, NavigableString))
        if not before.strip():
            return parent
    return None


class _Page:
    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.page_url = self._page_url()
        self.base = self._base()
        page_pu = parsed_url(self.page_url) if self.page_url else None
        self.page_host = host_of(page_pu.url) if page_pu else ""
        self.notes: list[_Note] = []
        self.note_of: dict[int, _Note] = {}  # id(element) -> note
        self.marker_note: dict[int, _Note] = {}  # id(anchor) -> note
        self.note_lists: list[Tag] = []
        self.ids: dict[str, Tag] = {}

    def _page_url(self) -> str:
        for selector, attr in (
            ("link[rel=canonical]", "href"),
            ("meta[property='og:url']", "content"),
            ("base", "href"),
        ):
            tag = self.soup.select_one(selector)
            if tag is not None and tag.get(attr):
                return str(tag.get(attr))
        return ""

    def _base(self) -> str | None:
        base = self.soup.select_one("base[href]")
        if base is not None:
            return str(base.get("href"))
        return self.page_url or None

    def url(self, href: str) -> ParsedUrl | None:
        return parsed_url(href, self.base)

    # --- notes ----------------------------------------------------------

    def find_linked_notes(self) -> None:
        ids = self.ids
        for tag in self.soup.find_all(id=True):
            ids.setdefault(str(tag["id"]), tag)
        for tag in self.soup.find_all("a"):
            if tag.get("name"):
                ids.setdefault(str(tag["name"]), tag)
        for anchor in self.soup.find_all("a", href=True):
            href = str(anchor["href"])
            if not href.startswith("#") or len(href) < 2:
                continue
            target = ids.get(href[1:])
            if target is None:
                continue
            label = _marker_label(anchor)
            if label is None:
                continue
            element = _note_element(target)
            if element is None or element in anchor.parents or anchor in element.parents:
                continue
            if _NOT_NOTES.search(_classes(element)) or any(
                _NOT_NOTES.search(_classes(p)) for p in element.parents if p.name in ("ol", "ul")
            ):
                continue
            note = self.note_of.get(id(element))
            if note is None:
                note = _Note(element, label)
                self.note_of[id(element)] = note
                self.notes.append(note)
            note.markers.append(anchor)
            self.marker_note[id(anchor)] = note

    def find_reference_lists(self) -> None:
        lists: list[Tag] = []
        for tag in self.soup.find_all(["ol", "ul"]):
            names = _classes(tag)
            if _NOTES_CLASS.search(names) and not _NOT_NOTES.search(names) and tag.find("li"):
                lists.append(tag)
        # Headings are found from their words (one pass over the text), then
        # widened to the element holding only those words: <h2><span>Notes</span></h2>.
        for words in self.soup.find_all(string=_NOTES_HEADING):
            heading = words.parent
            if not isinstance(heading, Tag):
                continue
            for _ in range(3):
                parent = heading.parent
                if not isinstance(parent, Tag) or parent.name in ("body", "html", "li"):
                    break
                if len(parent.get_text()) > 80 or not _NOTES_HEADING.match(_text_of(parent)):
                    break
                heading = parent
            if heading.name not in _HEADING_TAGS:
                continue
            found = self._list_after(heading)
            if found is not None:
                lists.append(found)
        # Lists holding linked notes first: their unreferenced items are notes too.
        holders: list[Tag] = []
        for note in self.notes:
            holder = note.element.find_parent(["ol", "ul"])
            if holder is not None and all(holder is not h for h in holders):
                holders.append(holder)
        for ordered in holders + lists:
            if any(ordered is seen or seen in ordered.parents for seen in self.note_lists):
                continue
            self.note_lists.append(ordered)
            items = ordered.find_all("li", recursive=False)
            for number, item in enumerate(items, start=1):
                if id(item) in self.note_of or not _text_of(item):
                    continue
                note = _Note(item, str(item.get("value") or number))
                self.note_of[id(item)] = note
                self.notes.append(note)

    def _list_after(self, heading: Tag) -> Tag | None:
        """The list under a heading, before any other heading."""
        steps = 0
        for element in heading.next_elements:
            steps += 1
            if steps > 400:
                return None
            if not isinstance(element, Tag) or element in heading.descendants:
                continue
            if re.fullmatch(r"h[1-6]", element.name or ""):
                return None
            if element.name in ("ol", "ul") and element.find("li") is not None:
                return element
        return None

    def note_citation(self, note: _Note, uses: list[ParsedUse]) -> ParsedCitation:
        element = note.element
        marker_ids = {str(m.get("id")) for m in note.markers if m.get("id")}
        urls: list[ParsedUrl] = []
        cited_entries: list[ParsedUrl] = []
        parts: list[str] = []
        # The text with each link's target where the link starts (see fill_note).
        linked: list[str] = []
        for piece in _note_pieces(element, marker_ids):
            if isinstance(piece, str):
                parts.append(piece)
                linked.append(piece)
                continue
            href = str(piece.get("href", ""))
            if href.startswith("#"):
                # A short form ("Guralnick 1994, p. 13") linking to its entry
                # in the bibliography: the entry's links are its URLs.
                entry = self.ids.get(href[1:])
                if entry is not None and entry is not element and element not in entry.parents:
                    cited_entries.extend(self._entry_urls(entry))
                continue
            pu = self.url(href)
            if pu is not None:
                urls.append(pu)
                if _text_of(piece).strip() != href.strip():
                    linked.append(f" <{pu.url}> ")
        text = " ".join("".join(parts).replace(_SOFT_HYPHEN, "").split())
        text = _LEADING_BACKLINK.sub("", text)
        citation = cite_uses(ParsedCitation(label=note.label, kind="note", raw_text=text), uses)
        offsite = [u for u in urls if not _same_site(host_of(u.url), self.page_host)]
        if offsite:
            # Links back into the site (a wiki's "doi" or author links) are
            # navigation when the note also cites something elsewhere.
            urls = offsite
        linked_text = _LEADING_BACKLINK.sub(
            "", " ".join("".join(linked).replace(_SOFT_HYPHEN, "").split())
        )
        fill_note(citation, text, merge_urls(urls), linked_text=linked_text)
        if not citation.urls and cited_entries:
            citation.urls = merge_urls(cited_entries)
        return citation

    def _entry_urls(self, entry: Tag) -> list[ParsedUrl]:
        if entry.name not in ("cite", "li", "p", "span", "div"):
            return []
        if id(entry) in self.note_of or len(_text_of(entry)) > 2000:
            return []
        found: list[ParsedUrl] = []
        for link in entry.find_all("a", href=True):
            pu = self.url(str(link["href"]))
            if pu is not None and not _same_site(host_of(pu.url), self.page_host):
                found.append(ParsedUrl(pu.url, True, pu.archive_url, pu.archive_date))
        return found


def _note_pieces(element: Tag, marker_ids: set[str]) -> Iterable[str | Tag]:
    """A note's text and its links, without the back-links to the markers."""
    for node in element.descendants:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if any(
                _is_backlink(p, marker_ids) or "mw-cite-backlink" in _classes(p)
                for p in node.parents
                if p is not element
            ):
                continue
            yield str(node)
        elif isinstance(node, Tag):
            if node.name == "a" and node.get("href") and not _is_backlink(node, marker_ids):
                yield node
            elif "mw-cite-backlink" in _classes(node) or node.name in _BLOCK:
                yield " "


def _is_backlink(tag: Tag, marker_ids: set[str]) -> bool:
    if tag.name != "a":
        return False
    href = str(tag.get("href") or "")
    return href.startswith("#") and (
        href[1:] in marker_ids or _BACKLINK_TEXT.match(_text_of(tag)) is not None
    )


class _BodyWalker:
    """Writes the main text into a ``Body``: markers and links anchored."""

    def __init__(self, page: _Page, with_links: bool = True) -> None:
        self.page = page
        self.body = Body()
        # Off when walking a note's own text: links there are the note's URLs.
        self.with_links = with_links
        self.links: list[tuple[Hashable, ParsedUrl, str]] = []
        self.note_lists = {id(t) for t in page.note_lists}
        self.note_elements = set(page.note_of)

    def walk(self, element: Tag) -> None:
        for child in element.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.body.add(str(child).replace(_SOFT_HYPHEN, ""))
                continue
            if not isinstance(child, Tag):
                continue
            self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name in _DROP or _is_furniture(tag) or "mw-cite-backlink" in _classes(tag):
            return
        if id(tag) in self.note_lists or id(tag) in self.note_elements:
            self.body.end_block()
            return
        if name in _CODE:
            if name == "pre":
                self.body.end_block()
            else:
                self.body.add(_text_of(tag))
            return
        if name == "a":
            self.anchor(tag)
            return
        if name == "q":
            self.body.add("“")
            self.walk(tag)
            self.body.add("”")
            return
        if name == "br":
            self.body.space()
            return
        if name == "img":
            return
        block = name in _BLOCK
        if block:
            self.body.end_block()
        self.walk(tag)
        if block:
            self.body.end_block()

    def anchor(self, tag: Tag) -> None:
        note = self.page.marker_note.get(id(tag))
        if note is not None:
            self.body.marker(("note", id(note.element)))
            return
        href = str(tag.get("href") or "")
        if href.startswith("#") and _BACKLINK_TEXT.match(_text_of(tag)):
            return  # a note's way back to its marker
        pu = self.page.url(href) if href and not href.startswith("#") else None
        if (
            pu is not None
            and self.with_links
            and not _same_site(host_of(pu.url), self.page.page_host)
            and not _SHARE_LINK.match(pu.url)
        ):
            key = ("link", len(self.links))
            text = _text_of(tag)
            self.links.append((key, pu, text))
            self.body.link_start(key)
        self.walk(tag)


def _same_site(host: str, page_host: str) -> bool:
    """Whether a link stays on the page's own site (www. and subdomains alike)."""
    if not page_host:
        return False
    site = page_host.removeprefix("www.")
    return host == site or host.endswith("." + site)


def _main_root(soup: BeautifulSoup) -> Tag:
    for selector in _MAIN_SELECTORS:
        found = soup.select_one(selector)
        if found is not None and len(_text_of(found)) > 200:
            return found
    return soup.body or soup


def _title(soup: BeautifulSoup) -> str | None:
    for selector, attr in (("meta[property='og:title']", "content"), ("title", None), ("h1", None)):
        tag = soup.select_one(selector)
        if tag is None:
            continue
        value = str(tag.get(attr) or "") if attr else _text_of(tag)
        if value.strip():
            return value.strip()
    return None


def parse_html(data: bytes | str, path: str = "<html>") -> ParsedDocument:
    """Parse an HTML document (``parse`` reads it from a ``Source``)."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    head = raw[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(path, "binary file, not an HTML document")
    if not _NO_MARKUP.search(raw[:1_000_000]):
        raise DocumentError(path, "no HTML markup found: not an HTML document")
    with warnings.catch_warnings():
        # XHTML is read as HTML on purpose; a short page is not a file name.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(data, "lxml")
    try:
        return _parse_soup(soup, path)
    except RecursionError as exc:
        # BeautifulSoup keeps any depth; walking it recursively does not.
        raise DocumentError(
            path, "markup nested too deeply to read (thousands of unclosed elements)"
        ) from exc


def _parse_soup(soup: BeautifulSoup, path: str) -> ParsedDocument:
    for tag in soup.find_all(list(_DROP - {"head"})):
        tag.decompose()
    title = _title(soup)
    page = _Page(soup)
    page.find_linked_notes()
    page.find_reference_lists()
    # Notes in the order of their lists, whichever way each was found.
    place = {id(tag): n for n, tag in enumerate(soup.find_all(["li", "p", "div", "dd"]))}
    page.notes.sort(key=lambda note: place.get(id(note.element), 0))

    walker = _BodyWalker(page)
    root = _main_root(soup)
    walker.walk(root)
    walker.body.end_block()
    uses = walker.body.uses()
    # A marker inside another note (a Wikipedia explanatory note citing its
    # source): the sentence is the one of that note's text it follows.
    inner = _BodyWalker(page, with_links=False)
    for note in page.notes:
        if any(id(m) in page.marker_note for m in note.element.find_all("a", href=True)):
            inner.walk(note.element)
            inner.body.end_block()
    for key, found in inner.body.uses().items():
        uses.setdefault(key, found)

    order: dict[Hashable, int] = {}
    for block_no, block in enumerate(walker.body.blocks):
        for pos, key in block.anchors:
            order.setdefault(key, block_no * 10_000_000 + pos)
    unanchored = len(walker.body.blocks) * 10_000_000

    # Notes in body order; one never cited keeps its place after the note
    # before it in its list.
    notes: list[tuple[int, int, ParsedCitation]] = []
    last = unanchored
    for number, note in enumerate(page.notes):
        key = ("note", id(note.element))
        citation = page.note_citation(note, uses.get(key, []))
        last = order.get(key, last if number else unanchored)
        notes.append((last, number, citation))
    notes.sort(key=lambda item: (item[0], item[1]))
    resolve_short_forms([c for _, _, c in notes])
    keyed = [(position, citation) for position, _, citation in notes]
    for n, (key, pu, text) in enumerate(walker.links, start=1):
        keyed.append(
            (
                order.get(key, unanchored),
                cite_uses(
                    ParsedCitation(
                        label=f"link-{n}",
                        kind="inline_link",
                        raw_text=text or pu.url,
                        urls=[pu],
                        link_text=text or None,
                    ),
                    uses.get(key, []),
                ),
            )
        )
    keyed.sort(key=lambda item: item[0])
    citations = [c for _, c in keyed]
    return ParsedDocument(
        path=path,
        format="html",
        title=title,
        citations=citations,
        attributions=attributions_in(walker.body, citations),
    )


def parse(source: Source) -> ParsedDocument:
    return parse_html(source.data, source.path)
