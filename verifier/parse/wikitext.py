"""Wikitext (MediaWiki source): ``<ref>`` citations, read with mwparserfromhell.

Every ``<ref>`` tag is a citation of kind ``note``. What a ref holds:

- cite templates (``{{cite web}}``, ``{{cite news}}``, ``{{cite book}}``,
  ``{{cite journal}}``, ``{{citation}}``, any ``{{cite ...}}``): ``url`` (or
  ``chapter-url``), ``title`` and ``trans-title``, ``access-date``,
  ``archive-url`` with ``archive-date`` (the archived copy of *that*
  template's URL, for the archive stage), ``quote`` (a quotation to verify),
  ``date``, and the author (``author``/``last``/``first``, numbered too) or
  else the publisher (``work``, ``website``, ``newspaper``, ``publisher``);
- bare URLs and ``[http://... title]`` links, with the note rules for the
  accessed date and title of the text around them;
- a ``{{webarchive |url=...}}`` after a citation: that citation's archived copy;
- external-link templates (``{{youtube|id=...}}``, ``{{IMDb title|...}}``,
  ``{{rotten-tomatoes|id=...}}``, ``{{official website|...}}``, ``{{URL|...}}``,
  ``{{doi|...}}`` and the others in ``LINK_TEMPLATES``): the URL they stand
  for, and their title when they give one.

A ref may bundle several cite templates ("Winners and nominees by year:
* 2006: {{cite web ...}} * 2007: ..."): one citation with each template's
  URL, in order, each with its own archived copy.

Labels are the numbers a reader sees: distinct refs are numbered 1, 2, 3 in
order of first use (per ``group``, a group other than the default is
written as a prefix: ``note 2``), as MediaWiki renders them.

**Reused refs.** ``<ref name="x">...</ref>`` defines a citation and each
``<ref name="x" />`` cites it again. Each use is a claim to verify, so each
use is its own citation with its own citing sentence: the first use carries
the ref's fields; every later use has the same label, the same fields,
``inherits_from`` set to that label and its URLs marked ``inherited``. The
store links all of them to the same URL rows, so the URL is fetched once.
A name that is reused but never defined (or defined only in
``{{reflist|refs=...}}``, which is read too) keeps its uses with
``problem = "ref name=... is never defined"``.

The citing sentence is the sentence of the article text (templates, tables
markup, comments and file links removed; link text kept) that the ref follows.
Refs inside a template parameter (an infobox value) get that value as their
sentence. External links in the article body are not citations: Wikipedia
keeps sources in refs and further reading in "External links".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from verifier.errors import DocumentError
from verifier.parse.anchored import (
    Body,
    attributions_in,
    cite_uses,
    fill_note,
    merge_urls,
    parsed_url,
)
from verifier.parse.dates import parse_date, publication_date
from verifier.parse.model import ParsedCitation, ParsedDocument, ParsedUrl, ParsedUse
from verifier.parse.reading import Source

__all__ = ["parse", "parse_text"]

# Tags whose content is not prose.
_SKIP_TAGS = frozenset(
    [
        "math",
        "chem",
        "ce",
        "gallery",
        "graph",
        "timeline",
        "score",
        "syntaxhighlight",
        "source",
        "templatestyles",
        "mapframe",
        "maplink",
        "imagemap",
        "hiero",
        "inputbox",
        "categorytree",
        "references",
    ]
)
# List, table and definition markup at the start of a line.
_LINE_MARKUP = re.compile(r"^(?:[*#:;]+|\{\||\|\}|\|-|\|\+|[|!])\s*")
_FILE_LINK = re.compile(r"^\s*:?\s*(file|image|category|media)\s*:", re.IGNORECASE)
# Templates whose visible text is their last positional parameter.
_TEXT_TEMPLATES = frozenset(
    ["lang", "nowrap", "transl", "nobr", "small", "smaller", "big", "em", "ill"]
)
_CITE_NAME = re.compile(r"^\s*(cite[\s_]|citation\s*$|vcite|cite\s*$)", re.IGNORECASE)
_AUTHOR_PARAMS = ("author", "authors", "author1", "last", "last1", "vauthors")
_FIRST_PARAMS = ("first", "first1")
_PUBLISHER_PARAMS = ("work", "website", "newspaper", "magazine", "journal", "publisher", "agency")


def _key(name: str) -> str:
    """A parameter name compared loosely: access-date, accessdate, access_date."""
    return re.sub(r"[\s_-]+", "", name).lower()


class _Params:
    """A template's named parameters, looked up by their loose name.

    ``Template.has`` strips every parameter name on every call; a cite
    template is asked for a dozen names, so the index is built once.
    """

    def __init__(self, template: Template) -> None:
        self.values: dict[str, Wikicode] = {}
        for param in template.params:
            value = param.value
            if str(value).strip():
                self.values.setdefault(_key(str(param.name)), value)

    def raw(self, *names: str) -> str:
        for name in names:
            value = self.values.get(_key(name))
            if value is not None:
                return str(value).strip()
        return ""

    def text(self, *names: str) -> str:
        """The parameter's text, wiki markup removed ("" when absent)."""
        for name in names:
            value = self.values.get(_key(name))
            if value is not None:
                return str(value.strip_code(keep_template_params=False)).strip()
        return ""


# --- external-link templates --------------------------------------------------
#
# Templates that stand for a link (``{{youtube|id=…}}``, ``{{IMDb title|…}}``,
# ``{{official website|…}}``, ``{{URL|…}}``) give their URL: one rule per
# template, from its named parameter or its first positional one, as the
# template's documentation on Wikipedia writes it. Names are compared loosely
# (case, spaces, "-" and "_" ignored: "Rotten Tomatoes" = "rotten-tomatoes").


_LinkRule = Callable[[_Params, list[str]], str | None]


def _with_scheme(url: str) -> str:
    url = url.strip()
    if url.startswith("//"):
        return "https:" + url
    return url if re.match(r"[a-z][a-z0-9+.-]*://", url, re.IGNORECASE) else "http://" + url


def _digits_id(prefix: str) -> Callable[[str], str]:
    """IMDb ids are written with or without their prefix: 0133093 or tt0133093."""

    def make(value: str) -> str:
        value = value.strip()
        return value if value.lower().startswith(prefix) else prefix + value

    return make


def _youtube(p: _Params, pos: list[str]) -> str | None:
    if vid := p.raw("id", "v") or (pos[0] if pos else ""):
        return f"https://www.youtube.com/watch?v={vid}"
    if user := p.raw("user", "u"):
        return f"https://www.youtube.com/user/{user}"
    if channel := p.raw("channel"):
        return f"https://www.youtube.com/channel/{channel}"
    if custom := p.raw("c", "custom", "handle"):
        return f"https://www.youtube.com/{'@' if p.raw('handle') else 'c/'}{custom.lstrip('@')}"
    if playlist := p.raw("list", "playlist"):
        return f"https://www.youtube.com/playlist?list={playlist}"
    return None


def _rotten_tomatoes(p: _Params, pos: list[str]) -> str | None:
    rid = (p.raw("id") or (pos[0] if pos else "")).strip("/")
    if not rid:
        return None
    kind = p.raw("type")
    if "/" not in rid:
        rid = f"{({'tv': 'tv'}).get(kind, 'm')}/{rid}"
    return f"https://www.rottentomatoes.com/{rid}"


def _url_of(p: _Params, pos: list[str]) -> str | None:
    url = p.raw("url", "1") or (pos[0] if pos else "")
    return _with_scheme(url) if url and "." in url else None


def _id_rule(pattern: str, *names: str, make: Callable[[str], str] = str) -> _LinkRule:
    """A template whose URL is ``pattern`` with its id (named or first positional)."""

    def rule(p: _Params, pos: list[str]) -> str | None:
        value = p.raw(*names, "id") or (pos[0] if pos else "")
        value = value.strip()
        return pattern.format(make(value)) if value and " " not in value else None

    return rule


# template name (loose) -> how its URL is built
LINK_TEMPLATES: dict[str, _LinkRule] = {
    "youtube": _youtube,
    "yt": _youtube,
    "imdbtitle": _id_rule("https://www.imdb.com/title/{}/", make=_digits_id("tt")),
    "imdbname": _id_rule("https://www.imdb.com/name/{}/", make=_digits_id("nm")),
    "imdbcompany": _id_rule("https://www.imdb.com/company/{}/", make=_digits_id("co")),
    "imdbepisode": _id_rule("https://www.imdb.com/title/{}/", make=_digits_id("tt")),
    "imdbcharacter": _id_rule("https://www.imdb.com/character/{}/", make=_digits_id("ch")),
    "rottentomatoes": _rotten_tomatoes,
    "officialwebsite": _url_of,
    "officialsite": _url_of,
    "official": _url_of,
    "url": _url_of,
    "twitter": _id_rule("https://twitter.com/{}", "user", "username"),
    "facebook": _id_rule("https://www.facebook.com/{}", "name"),
    "instagram": _id_rule("https://www.instagram.com/{}/", "user"),
    "mojotitle": _id_rule("https://www.boxofficemojo.com/title/{}/"),
    "boxofficemojotitle": _id_rule("https://www.boxofficemojo.com/title/{}/"),
    "metacriticfilm": _id_rule("https://www.metacritic.com/movie/{}"),
    "metacriticalbum": _id_rule("https://www.metacritic.com/music/{}"),
    "allmovietitle": _id_rule("https://www.allmovie.com/movie/{}"),
    "discogsartist": _id_rule("https://www.discogs.com/artist/{}"),
    "discogsmaster": _id_rule("https://www.discogs.com/master/{}"),
    "gutenberg": _id_rule("https://www.gutenberg.org/ebooks/{}", "no"),
    "gutenbergauthor": _id_rule("https://www.gutenberg.org/ebooks/author/{}"),
    "internetarchive": _id_rule("https://archive.org/details/{}"),
    "findagrave": _id_rule("https://www.findagrave.com/memorial/{}"),
    "britannica": _id_rule("https://www.britannica.com/{}"),
    "curlie": _id_rule("https://curlie.org/{}", "path"),
    "dmoz": _id_rule("https://curlie.org/{}", "path"),
    "cspan": _id_rule("https://www.c-span.org/person/?{}"),
    "vimeo": _id_rule("https://vimeo.com/{}"),
    "soundcloud": _id_rule("https://soundcloud.com/{}"),
    "doi": _id_rule("https://doi.org/{}"),
    "hdl": _id_rule("https://hdl.handle.net/{}"),
    "arxiv": _id_rule("https://arxiv.org/abs/{}", "eprint"),
    "pmid": _id_rule("https://pubmed.ncbi.nlm.nih.gov/{}/"),
}
# Templates whose title is their second positional parameter (or name=/title=).
_TITLE_PARAMS = ("title", "name", "display", "2")


def _loose_name(template: Template) -> str:
    return re.sub(r"[\s_\-]+", "", str(template.name)).lower()


def link_template_url(template: Template) -> tuple[ParsedUrl, str | None] | None:
    """The URL (and the title, when given) of an external-link template."""
    rule = LINK_TEMPLATES.get(_loose_name(template))
    if rule is None:
        return None
    params = _Params(template)
    positional = [str(p.value.strip_code()).strip() for p in template.params if not p.showkey]
    url = rule(params, positional)
    pu = parsed_url(url) if url else None
    if pu is None:
        return None
    title = params.text(*_TITLE_PARAMS) or (positional[1] if len(positional) > 1 else "")
    return pu, title or None


def _is_cite(template: Template) -> bool:
    return bool(_CITE_NAME.match(str(template.name)))


def _template_name(template: Template) -> str:
    return str(template.name).strip().lower().replace("_", " ")


@dataclass
class _Ref:
    """A ref's content, read once however often it is used."""

    raw: str
    urls: list[ParsedUrl] = field(default_factory=list)
    title: str | None = None
    translated_title: str | None = None
    accessed_text: str = ""
    published: str | None = None
    authors: str | None = None
    quotes: list[str] = field(default_factory=list)
    text: str = ""


def _read_ref(contents: Wikicode) -> _Ref:
    ref = _Ref(raw=str(contents).strip())
    cite_urls: list[ParsedUrl] = []
    webarchives: list[tuple[str, dt.date | None]] = []
    for template in contents.filter_templates(recursive=True):
        name = _template_name(template)
        if _is_cite(template):
            params = _Params(template)
            url = params.raw("url", "chapter-url", "contribution-url", "article-url")
            pu = parsed_url(url) if url else None
            archive = params.raw("archive-url")
            if pu is not None and archive:
                archived = parsed_url(archive)
                pu.archive_url = archived.archive_url or archive if archived else archive
                pu.archive_date = parse_date(params.text("archive-date")) or (
                    archived.archive_date if archived else None
                )
            elif pu is None and archive:
                # Only an archived copy given: cite the captured URL.
                pu = parsed_url(archive)
            if pu is not None:
                # Several cite templates in one ref: each URL its own source.
                pu.title = params.text("title", "chapter", "contribution") or None
                pu.translated_title = params.text("trans-title") or None
                pu.accessed = parse_date(params.text("access-date"))
                cite_urls.append(pu)
            if ref.title is None:
                ref.title = params.text("title", "chapter", "contribution") or None
                ref.translated_title = params.text("trans-title") or None
            if not ref.accessed_text:
                ref.accessed_text = params.text("access-date")
            if ref.published is None:
                date = params.text("date", "year", "publication-date")
                ref.published = (publication_date(date) or date or None) if date else None
            if ref.authors is None:
                author = params.text(*_AUTHOR_PARAMS)
                first = params.text(*_FIRST_PARAMS)
                if author and first:
                    author = f"{author}, {first}"
                ref.authors = author or params.text(*_PUBLISHER_PARAMS) or None
            quote = params.text("quote")
            if quote and quote not in ref.quotes:
                ref.quotes.append(quote)
        elif (link := link_template_url(template)) is not None:
            cite_urls.append(link[0])
            if ref.title is None and link[1]:
                ref.title = link[1]
        elif name == "webarchive":
            params = _Params(template)
            archived_at = params.raw("url")
            if archived_at:
                webarchives.append((archived_at, parse_date(params.text("date"))))
    if len(cite_urls) < 2:
        for pu in cite_urls:  # one source: the ref's own fields apply
            pu.title = pu.translated_title = None
            pu.accessed = None
    link_urls = [pu for url in _links_outside_templates(contents) if (pu := parsed_url(url))]
    ref.urls = merge_urls(cite_urls, link_urls)
    for archived_at, capture_date in webarchives:
        # {{webarchive}} follows the citation it archives: the URL it
        # captured, else the last one before it.
        captured = parsed_url(archived_at)
        target = next(
            (u for u in ref.urls if captured is not None and u.url == captured.url),
            ref.urls[-1] if ref.urls else None,
        )
        if target is not None and target.archive_url is None:
            target.archive_url = archived_at
            target.archive_date = capture_date or (captured.archive_date if captured else None)
    ref.text = " ".join(str(contents.strip_code(keep_template_params=False)).split())
    return ref


def _links_outside_templates(code: Wikicode) -> list[str]:
    """``[http://... title]`` and bare URLs written in a ref, not the ones
    inside a template's parameters (``url=`` and ``archive-url=`` are read
    by name)."""
    found: list[str] = []
    for node in code.nodes:
        if isinstance(node, ExternalLink):
            found.append(str(node.url))
        elif isinstance(node, Tag) and node.contents is not None:
            found.extend(_links_outside_templates(node.contents))
    return found


def _citation(label: str, ref: _Ref | None, uses: list[ParsedUse]) -> ParsedCitation:
    citation = cite_uses(
        ParsedCitation(label=label, kind="note", raw_text=ref.raw if ref else ""), uses
    )
    if ref is None:
        return citation
    citation.urls = [
        ParsedUrl(
            pu.url,
            pu.inherited,
            pu.archive_url,
            pu.archive_date,
            title=pu.title,
            translated_title=pu.translated_title,
            accessed=pu.accessed,
        )
        for pu in ref.urls
    ]
    citation.title = ref.title
    citation.translated_title = ref.translated_title
    citation.authors = ref.authors
    citation.published = ref.published
    citation.accessed = parse_date(ref.accessed_text) if ref.accessed_text else None
    # Typed URLs and the note rules fill what the templates did not give.
    fill_note(citation, ref.text)
    cited = citation.quotations
    citation.quotations = list(ref.quotes)
    for quotation in cited:
        if quotation not in citation.quotations:
            citation.quotations.append(quotation)
    return citation


class _Article:
    def __init__(self) -> None:
        self.body = Body()
        # each ref use in order: (key, group, name, contents or None)
        self.uses: list[tuple[int, str, str | None, Wikicode | None]] = []
        self.definitions: dict[tuple[str, str], Wikicode] = {}

    def walk(self, nodes: Iterable[Node]) -> None:
        body = self.body
        for node in nodes:
            if isinstance(node, Text):
                self._text(str(node))
            elif isinstance(node, Tag):
                self._tag(node)
            elif isinstance(node, Wikilink):
                title = str(node.title)
                if _FILE_LINK.match(title):
                    self._refs_in_template(node.text)
                    continue
                shown = node.text if node.text is not None else node.title
                body.add(str(shown.strip_code()))
            elif isinstance(node, ExternalLink):
                if node.title is not None:
                    body.add(str(node.title.strip_code()))
            elif isinstance(node, Template):
                self._template(node)
            elif isinstance(node, Heading):
                body.end_block()
                body.add(str(node.title.strip_code()))
                body.end_block()
            elif isinstance(node, HTMLEntity):
                body.add(node.normalize())
            elif isinstance(node, Comment):
                continue

    def _text(self, text: str) -> None:
        # One line of wikitext is one paragraph, list item or table cell.
        for i, line in enumerate(text.split("\n")):
            if i:
                self.body.end_block()
                line = _LINE_MARKUP.sub("", line)
            self.body.add(line.replace("||", " "))

    def _tag(self, node: Tag) -> None:
        name = str(node.tag).strip().lower()
        if name == "ref":
            self._ref(node)
        elif name == "br":
            self.body.space()
        elif name in _SKIP_TAGS or node.contents is None:
            if name == "references" and node.contents is not None:
                self._list_defined(node.contents)
        else:
            self.walk(node.contents.nodes)

    def _template(self, node: Template) -> None:
        name = _template_name(node)
        if name.startswith("reflist") or name == "references":
            if node.has("refs"):
                self._list_defined(node.get("refs").value)
            return
        if name in _TEXT_TEMPLATES and node.params:
            positional = [p for p in node.params if not p.showkey]
            if positional:
                self.body.add(str(positional[-1].value.strip_code()))
            return
        self._refs_in_template(node)

    def _refs_in_template(self, code: Wikicode | Template | None) -> None:
        """Refs inside an infobox value or a caption: the value is their sentence."""
        if code is None:
            return
        values: list[Wikicode] = (
            [p.value for p in code.params] if isinstance(code, Template) else [code]
        )
        for value in values:
            if not any(
                str(t.tag).strip().lower() == "ref" for t in value.filter_tags(recursive=True)
            ):
                continue
            self.body.end_block()
            self.walk(value.nodes)
            self.body.end_block()

    def _list_defined(self, code: Wikicode) -> None:
        for tag in code.filter_tags(recursive=False):
            if str(tag.tag).strip().lower() == "ref" and tag.contents is not None:
                group, name = _ref_id(tag)
                if name:
                    self.definitions.setdefault((group, name), tag.contents)

    def _ref(self, node: Tag) -> None:
        group, name = _ref_id(node)
        contents = (
            node.contents if node.contents is not None and str(node.contents).strip() else None
        )
        if contents is not None and name:
            self.definitions.setdefault((group, name), contents)
        key = len(self.uses)
        self.uses.append((key, group, name, contents))
        self.body.marker(("ref", key))


def _ref_id(tag: Tag) -> tuple[str, str | None]:
    def attr(name: str) -> str | None:
        if tag.has(name):
            value = str(tag.get(name).value).strip().strip("\"'")
            return value or None
        return None

    return attr("group") or "", attr("name")


# --- bounding the parser ------------------------------------------------------
#
# mwparserfromhell backtracks: a construct it cannot close (``{{a|`` with no
# ``}}``, ``<ref>`` with no ``</ref>``, ``<b x=`` with no ``>``) makes it read
# on to the end of the text, fail, and read the rest again as plain text. Its
# time grows with (unclosed constructs) x (text length): ``'{{a|[[b|{{c|' *
# 4000`` took 75 s, ``'<ref>' * 50000`` 101 s. Before parsing, one linear scan
# counts the constructs left unclosed (per kind, a closer only closing an
# opener before it) and the document is refused when that product is over
# ``MAX_BACKTRACK_WORK``: about 2 s in the worst shape measured (``{{a|``),
# far above any real article (a 300 kB article with a few stray ``{{`` is
# well under it).
MAX_BACKTRACK_WORK = 4_000_000

# Tags that never take a closing tag (a "<br>" left open is not unclosed).
_VOID_TAGS = frozenset(
    ["br", "wbr", "hr", "img", "meta", "link", "li", "dt", "dd", "td", "th", "tr", "p", "col"]
)
_CONSTRUCT = re.compile(
    r"(?P<open>\{\{|\[\[|^\{\||\[(?:https?:|ftp:|//))"
    r"|(?P<close>\}\}|\]\]|^\|\}|\])"
    r"|(?P<copen><!--)|(?P<cclose>-->)"
    r"|<(?P<end>/)?(?P<tag>[a-zA-Z][\w-]{0,30})(?P<attrs>[^<>]{0,2000})(?P<gt>>)?",
    re.MULTILINE,
)
_PAIRS = {"{{": "}}", "[[": "]]", "{|": "|}"}


def unclosed_constructs(text: str) -> dict[str, int]:
    """Constructs opened and never closed, by kind (``{{``, ``[[``, ``{|``,
    ``[http``, ``<!--``, ``<tag>``, ``<tag`` without ``>``), in one pass."""
    depth: dict[str, int] = {}
    for m in _CONSTRUCT.finditer(text):
        token = m.group(0)
        if m.group("open"):
            key = token if token in _PAIRS else "[http"
            depth[key] = depth.get(key, 0) + 1
        elif m.group("close"):
            key = next((k for k, v in _PAIRS.items() if v == token), "[http")
            if depth.get(key):
                depth[key] -= 1
        elif m.group("copen"):
            depth["<!--"] = depth.get("<!--", 0) + 1
        elif m.group("cclose"):
            depth["<!--"] = 0  # a comment ends at the first "-->"
        elif m.group("tag"):
            name = m.group("tag").lower()
            if m.group("gt") is None:
                depth["<tag"] = depth.get("<tag", 0) + 1
            elif m.group("end"):
                key = f"<{name}>"
                if depth.get(key):
                    depth[key] -= 1
            elif not m.group("attrs").endswith("/") and name not in _VOID_TAGS:
                key = f"<{name}>"
                depth[key] = depth.get(key, 0) + 1
    return {k: v for k, v in depth.items() if v}


def _check_parsable(text: str, path: str) -> None:
    unclosed = unclosed_constructs(text)
    count = sum(unclosed.values())
    if count * len(text) > MAX_BACKTRACK_WORK:
        worst = sorted(unclosed.items(), key=lambda kv: -kv[1])[:3]
        listed = ", ".join(f"{n} {kind}" for kind, n in worst)
        raise DocumentError(
            path,
            f"wikitext too tangled to parse in bounded time: {count} constructs never "
            f"closed ({listed}) in {len(text)} characters",
        )


def parse_text(text: str, path: str = "<wikitext>") -> ParsedDocument:
    """Parse MediaWiki source text (``parse`` reads it from a ``Source``).

    Raises ``DocumentError`` for a text the parser cannot read in bounded
    time (see ``MAX_BACKTRACK_WORK``)."""
    _check_parsable(text, path)
    code = mwparserfromhell.parse(text)
    article = _Article()
    article.walk(code.nodes)
    article.body.end_block()
    uses = article.body.uses()

    numbers: dict[str, int] = {}
    seen: dict[tuple[str, str], str] = {}
    refs: dict[tuple[str, str], _Ref] = {}
    citations: list[ParsedCitation] = []
    for key, group, name, contents in article.uses:
        sentence = uses.get(("ref", key), [])
        ident = (group, name) if name else None
        if ident is not None and ident in seen:
            label = seen[ident]
            citation = _citation(label, refs.get(ident), sentence)
            citation.inherits_from = label
            for pu in citation.urls:
                pu.inherited = True
            if ident not in refs:
                citation.problem = f"ref name={name} is never defined"
            citations.append(citation)
            continue
        numbers[group] = numbers.get(group, 0) + 1
        label = f"{group} {numbers[group]}" if group else str(numbers[group])
        definition = contents
        if definition is None and ident is not None:
            definition = article.definitions.get(ident)
        ref = _read_ref(definition) if definition is not None else None
        if ident is not None:
            seen[ident] = label
            if ref is not None:
                refs[ident] = ref
        citation = _citation(label, ref, sentence)
        if ref is None:
            citation.problem = (
                f"ref name={name} is never defined" if name else "empty <ref></ref> tag"
            )
        citations.append(citation)
    return ParsedDocument(
        path=path,
        format="wikitext",
        title=None,
        citations=citations,
        attributions=attributions_in(article.body, citations),
    )


def parse(source: Source) -> ParsedDocument:
    return parse_text(source.text, source.path)
