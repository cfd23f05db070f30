"""What one note says: its URLs, access date, title, author and date.

Shared by every format: a Markdown footnote, an HTML endnote, a wikitext
``<ref>`` without a template and a plain-text note all end up as a string
that ``analyse_note`` reads. ``resolve_short_forms`` then links "Ibid.",
"As highlighted in note 41." and repeated short titles to the note they
repeat, so that they inherit its URLs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from verifier.parse.dates import NoteCues, accessed_date_at, first_access_cue, publication_date
from verifier.parse.model import ParsedCitation, ParsedUrl
from verifier.parse.sentences import CJK

__all__ = [
    "NoteFields",
    "analyse_note",
    "find_title",
    "find_urls",
    "resolve_short_forms",
]

# --- URLs -----------------------------------------------------------------

# A DOI split by a PDF line break ("http://dx.doi. org/10...") or written
# "doi: 10.1000/x"; both are repaired before URLs are looked for.
_DOI_SPACE = re.compile(r"(doi)\.\s+(org/)", re.IGNORECASE)
# URLs inside angle brackets may be wrapped over lines: the brackets say
# where they end. ``<<http://`` (a common slip) is accepted.
# (``<<*`` is ``<+`` written so that the engine can skip ahead to a "<";
# the same trick below puts look-behinds after a pattern's first character.
# A match starts only at the first "<" of a run and takes the run
# possessively: tried from every "<" of 20,000, the search was quadratic.)
_ANGLED = re.compile(r"<(?<!<<)<*+\s*((?:https?|ftp)://[^<>]{1,2000}?)\s*>", re.IGNORECASE)
# Bare URLs: with a scheme or starting www.; a host name with a path
# ("classiques.uqac.ca/…") is found from its first slash (``_host_before``).
# Punctuation of other scripts never stands unencoded in a URL: Arabic
# comma, semicolon and question mark, CJK full stops, commas, brackets and
# quotes, fullwidth forms of ASCII punctuation ("https://example.jp/a。次",
# "https://example.org/ar/report، تم"). A URL ends at the first of them.
_FOREIGN_STOPS = "،؛؟۔、。，．：；！？（）［］｛｝＜＞「」『』【】〈〉《》〔〕\u3000"
_URL_CHARS = r"[^\s<>\"“”‘’«»|\\^`{}" + _FOREIGN_STOPS + "]"
_BARE = re.compile(r"(?<![\w@/.:-])(?:https?://|www\d?\.)" + _URL_CHARS + "+", re.IGNORECASE)
_HOST_END = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,6}$", re.IGNORECASE)
_PATH = re.compile(_URL_CHARS + "*")
_DOI = re.compile(
    r"(?:\bdoi:\s*|\bdoi\s+|https?://(?:dx\.)?doi\.org/|(?<![\w/.])(?:dx\.)?doi\.org/)"
    r"(10\.\d{4,9}/[^\s<>\"“”‘’" + _FOREIGN_STOPS + "]+)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'’”\"*"
_URL_START = re.compile(r"(?:https?:|www\.|doi:)", re.IGNORECASE)
_TLD_SLASH = re.compile(r"[a-z]{2,6}/")
_TWO_LETTERS = re.compile(r"[a-z]{2,}")
# Where an unclosed ‘title runs to: the end of its sentence, or a URL.
_UNCLOSED_END = re.compile(r"(?<=[^.])\.\s+(?=[A-Z])|<|https?://")
_CLAUSE_END = re.compile(r"[.;](?<=[a-z\d)’”][.;])\s+(?=[A-Z])")
_LEADING_NUMBER = re.compile(r"^\[?\d{1,4}[\].)]?\s+")
_YEAR_IN_PARENS = re.compile(r"\s*[(（](?:19|20)\d\d[a-z]?(?:年)?[)）]$")
_SCHEMES_SKIPPED = ("mailto:", "data:", "javascript:", "tel:", "file:", "about:")


def _trim(url: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, keeping a
    closing bracket the URL itself opened (``...S0043-1354(98)00447-3``)."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in ")]}":
            opening = {")": "(", "]": "[", "}": "{"}[last]
            if url.count(opening) < url.count(last):
                url = url[:-1]
            else:
                break
        else:
            break
    return url


_WRAPPED = re.compile(
    r"((?:https?://|www\.)[^\s<>" + _FOREIGN_STOPS + r"]*?)[ \t]*\n[ \t]*(?=([^\s<>]+))"
)
# Where each of those two patterns can start: a URL start and the run of
# characters its URL part takes (see ``_sub_runs``).
_WRAPPED_RUN = re.compile(r"(?:https?://|www\.)[^\s<>" + _FOREIGN_STOPS + r"]*+")
_SPACED_RUN = re.compile(r"(?:https?://|www\.)[^\s<>\"“”]*+", re.IGNORECASE)


def _sub_runs(
    pattern: re.Pattern[str],
    run: re.Pattern[str],
    repl: Callable[[re.Match[str]], str],
    text: str,
) -> str:
    """``pattern.sub(repl, text)``, tried once per run of URL characters.

    The pattern's URL part runs to the end of a run whatever URL start it
    began at, so when it fails at a run's first URL start it fails at every
    later one in the run ("http://a/" * 6000 is 6000 starts): a plain
    ``sub`` retried each, quadratic in the run's length.
    """
    out: list[str] = []
    last = pos = 0
    while (r := run.search(text, pos)) is not None:
        m = pattern.match(text, r.start())
        if m is None:
            pos = r.end()
            continue
        out.append(text[last : m.start()])
        out.append(repl(m))
        last = pos = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _join_wrapped(text: str) -> str:
    """Rejoin URLs broken over a line break: a URL running to the end of a
    line continues on the next line when it ends with a character a URL
    cannot end with (``/ - _ . = ? & %``) or the next line starts with
    ``/``, ``?`` or ``#`` or a path-like token with no spaces and a slash."""
    if "\n" not in text:
        return text
    return _sub_runs(_WRAPPED, _WRAPPED_RUN, _wrap_repl, text)


_SPACED = re.compile(
    r"((?:https?://|www\.)[^\s<>\"“”" + _FOREIGN_STOPS + r"]*)[ \t](?=([^\s<>\"“”]+))",
    re.IGNORECASE,
)
_FILE_END = re.compile(r"\.(?:pdf|s?html?|aspx?|php|jsp|cfm|docx?|xlsx?|pptx?)\W*$", re.IGNORECASE)


def _join_spaced(text: str) -> str:
    """Rejoin URLs that a PDF line break turned into a space: the part after
    the space continues the URL when it can only be a path ("-educational",
    "/assets", "com/article/…", "development/assets/x.pdf",
    "Sovereign_Credibility.pdf", "hello-world-2" after a slash)."""
    return _sub_runs(_SPACED, _SPACED_RUN, _spaced_repl, text)


def _spaced_repl(m: re.Match[str]) -> str:
    head, tail = m.group(1), m.group(2)
    if _URL_START.match(tail) or not head.strip(_TRAILING):
        return m.group(0)
    joined = (
        tail[0] in "-/_?&=#"
        or (head.endswith(".") and _TLD_SLASH.match(tail) is not None)
        or ("/" in tail.rstrip("/.,;)") and not tail[0].isupper() and head.count("/") >= 3)
        or (head.endswith("/") and _FILE_END.search(tail) is not None)
        or (head.endswith("/") and ("-" in tail or "_" in tail) and tail[0].islower())
        or (_FILE_END.search(tail) is not None and head.count("/") >= 3 and "." not in tail[:-5])
    )
    return head if joined else m.group(0)


def _wrap_repl(m: re.Match[str]) -> str:
    head, tail = m.group(1), m.group(2)
    if head.endswith(".") and tail[:1].isupper() and "/" not in tail:
        # "…/report-2022.pdf.⏎Accessed 2023-03-04": the full stop ends the
        # sentence and the next line is a new one.
        return m.group(0)
    if head.endswith(("/", "-", "_", "=", "?", "&", "%", ".", "#")) or tail[:1] in "/?#&=":
        return head
    if "/" in tail and not tail[:1].isupper() and not tail.startswith(("http", "www")):
        return head
    return m.group(0)


def _doi_url(doi: str) -> str:
    return "https://doi.org/" + _trim(doi)


def find_urls(text: str) -> list[str]:
    """Every web URL in a note, in order, each once.

    Handles URLs in ``<...>`` (also the malformed ``<<http://...``), bare
    URLs followed by ``,`` ``.`` ``)`` ``;``, URLs wrapped over a line break,
    ``www.`` addresses (given ``http://``) and host-plus-path addresses,
    and DOIs (``doi:10....``, ``https://dx.doi.org/10....``) as
    ``https://doi.org/10....``. ``mailto:``, ``data:``, ``javascript:`` and
    other non-web schemes are skipped.
    """
    if not text:
        return []
    return _find_urls(text, text.lower())


def _find_urls(text: str, lower: str) -> list[str]:
    """``find_urls`` given the note lower-cased."""
    if "/" not in text and "www" not in lower and "doi" not in lower:
        return []
    if "doi" in lower:
        text = _DOI_SPACE.sub(r"\1.\2", text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    if "<" in text:
        for m in _ANGLED.finditer(text):
            url = _WHITE_SPACE.sub("", m.group(1))
            found.append((m.start(), _normalise_found(url)))
            taken.append((m.start(), m.end()))
    # Everything else is searched with the angled URLs blanked out.
    rest = _blank(text, taken)
    # A bare URL needs a scheme or "www" (the joins below only lengthen
    # URLs that have one): without either, those searches are skipped.
    bare = "://" in rest or ("www" in lower and "www" in rest.lower())
    if bare:
        rest = _join_spaced(_join_wrapped(rest))
    if "doi" in lower:
        taken = []
        for m in _DOI.finditer(rest):
            found.append((m.start(), _doi_url(m.group(1))))
            taken.append((m.start(), m.end()))
        rest = _blank(rest, taken)
    taken = []
    for m in _BARE.finditer(rest) if bare else ():
        taken.append((m.start(), m.end()))
        before = rest[max(0, m.start() - 12) : m.start()].lower()
        if any(before.endswith(s) for s in _SCHEMES_SKIPPED):
            continue
        url = _trim(m.group(0))
        if "://" not in url:
            url = "http://" + url
        if len(url) >= 12:
            found.append((m.start(), _normalise_found(url)))
    rest = _blank(rest, taken)
    for start, raw in _host_paths(rest):
        before = rest[max(0, start - 12) : start].lower()
        if any(before.endswith(s) for s in _SCHEMES_SKIPPED):
            continue
        url = "http://" + _trim(raw)
        if len(url) >= 12:
            found.append((start, _normalise_found(url)))
    found.sort()
    urls: list[str] = []
    for _, url in found:
        if url not in urls:
            urls.append(url)
    return urls


def _host_paths(text: str) -> list[tuple[int, str]]:
    """Addresses written as host name plus path without a scheme
    ("classiques.uqac.ca/classiques/…"), found from each slash backwards."""
    found: list[tuple[int, str]] = []
    i = text.find("/")
    while i != -1:
        window_start = max(0, i - 80)
        m = _HOST_END.search(text, window_start, i)
        if m is not None and (m.start() > window_start or window_start == 0):
            start = m.start()
            prev = text[start - 1] if start else ""
            if not (prev.isalnum() or prev in "@/.:-_") and _TWO_LETTERS.search(m.group(0)):
                path = _PATH.match(text, i)
                end = path.end() if path else i + 1
                found.append((start, text[start:end]))
                i = text.find("/", end)
                continue
        i = text.find("/", i + 1)
    return found


_WHITE_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_DOI_ORG = re.compile(r"https?://(?:dx\.)?doi\.org/(10\..+)$", re.IGNORECASE)


def _normalise_found(url: str) -> str:
    url = _trim(url)
    m = _DOI_ORG.match(url)
    if m:
        return _doi_url(m.group(1))
    return url


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        parts.append(text[pos:start])
        parts.append(" " * (end - start))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


# --- Titles -----------------------------------------------------------------

# An opening quote of a title: ‘ “ " « „ at the start of a word.
# Japanese 「article」 and 『book or newspaper』, Chinese 《title》 too.
_OPENERS = {
    "‘": "’",
    "“": "”",
    '"': '"',
    "«": "»",
    "„": "“”",
    "「": "」",
    "『": "』",
    "《": "》",
}
_CJK_OPENERS = "「『《"
# The quote characters alone: found with a fast scan, the look-behind is
# checked by ``_next_opener``.
_QUOTE_CHAR = re.compile(r"[‘“\"«„「『《]")
_CJK = re.compile("[" + CJK + "]")


def _glued(prev: str) -> bool:
    """Whether a quote after ``prev`` is glued to a word (an apostrophe or
    a quote inside a word); a CJK character before a quote glues nothing."""
    return bool(prev) and ((prev.isalnum() and _CJK.match(prev) is None) or prev in "_‘’")


def _next_opener(text: str, pos: int) -> re.Match[str] | None:
    """The next opening quote from ``pos``: one that starts a word (「『《
    always open)."""
    m = _QUOTE_CHAR.search(text, pos)
    while m is not None:
        i = m.start()
        if m.group(0) in _CJK_OPENERS or not _glued(text[i - 1] if i > 0 else ""):
            return m
        m = _QUOTE_CHAR.search(text, i + 1)
    return None


_SINGLE_QUOTES = re.compile(r"[‘’]")
_LOOSE_CLOSE = re.compile(r"’(?!\w)")


def _closing_at(text: str, opener: str, start: int) -> int | None:
    """Index of the quote closing the one opened at ``start``.

    For ‘…’ the closing ’ must be followed by the end of the note, by
    punctuation, or by white space and a bracket or punctuation; a ’ that
    ends a sentence inside the title (``explained,’ The Guardian``) counts
    too. Anything else is an apostrophe (``China’s``, ``perenyat’ u``).
    """
    closers = _OPENERS[opener]
    if opener != "‘":
        positions = [i for i in (text.find(c, start + 1) for c in closers) if i != -1]
        return min(positions) if positions else None
    depth = 0
    # Only the quote characters matter: jump from one to the next.
    for m in _SINGLE_QUOTES.finditer(text, start + 1):
        i = m.start()
        if m.group(0) == "‘":
            if i == 0 or not _glued(text[i - 1]):
                depth += 1
            continue
        nxt = text[i + 1 : i + 3]
        prev = text[i - 1] if i > 0 else ""
        ends = (
            nxt == ""
            or nxt[0] in ',.;:)]}!?”"»、。，；：）」』》'
            or _CJK.match(nxt[0]) is not None
            or (nxt[0].isspace() and (nxt[1:2] in ("", "[", "(", ",", ".", ";", ":", "<")))
            or (nxt[0].isspace() and prev in ',.?!”"')
        )
        if ends:
            if depth == 0:
                return i
            depth -= 1
    if opener == "‘":
        # No strict end: fall back to the first ’ that is not an apostrophe
        # (‘Seeds for the Future’ programme).
        loose = _LOOSE_CLOSE.search(text, start + 1)
        if loose is not None:
            return loose.start()
    return None


@dataclass
class _Quoted:
    start: int
    end: int  # after the closing quote (or the note's end when unclosed)
    text: str
    bracketed: bool


def _quoted_passages(text: str) -> list[_Quoted]:
    passages: list[_Quoted] = []
    pos = 0
    while True:
        m = _next_opener(text, pos)
        if m is None:
            break
        opener = m.group(0)
        close = _closing_at(text, opener, m.start())
        # Whether a "[" comes just before the quote (white space between):
        # a walk back rather than a copy of the text before it.
        i = m.start()
        while i > 0 and text[i - 1].isspace():
            i -= 1
        bracketed = i > 0 and text[i - 1] == "["
        if close is None:
            if opener == "‘":
                # An unclosed title runs to the end of its sentence or note.
                tail = text[m.start() + 1 :]
                inner = _UNCLOSED_END.split(tail, 1)[0]
                inner = inner.strip().rstrip(".,;")
                if inner:
                    passages.append(
                        _Quoted(m.start(), m.start() + 1 + len(inner), inner, bracketed)
                    )
                break
            pos = m.end()
            continue
        inner = text[m.start() + 1 : close].strip().rstrip(",")
        passages.append(_Quoted(m.start(), close + 1, inner.strip(), bracketed))
        pos = close + 1
    return passages


def find_title(text: str) -> tuple[str | None, str | None, int, int]:
    """The cited title of a note, its bracketed translation, and the span
    from the title's start to the end of the translation (or title).

    The title is the last quoted passage before the note's first URL that
    is not itself a bracketed translation (so that in "In 2018, Huawei’s
    ‘Seeds for the Future’ programme launched … Huawei, ‘Huawei Central Asia
    Innovation Day…’, <url>" the cited page's title wins); without a URL,
    the first quoted passage.
    """
    return _find_title(text, text.lower())


def _find_title(text: str, lower: str) -> tuple[str | None, str | None, int, int]:
    """``find_title`` given the note lower-cased."""
    passages = [p for p in _quoted_passages(text) if p.text]
    if not passages:
        return None, None, -1, -1
    first_url = _first_url_at(text, lower)
    candidates = [p for p in passages if not p.bracketed]
    if not candidates:
        return None, None, -1, -1
    chosen = candidates[0]
    before = candidates
    if first_url is not None:
        before = [p for p in candidates if p.start < first_url]
        if before:
            chosen = before[-1]
    if text[chosen.start] == "『":
        # Japanese: 「article」『newspaper』: the article is the cited page.
        articles = [p for p in before if text[p.start] == "「"]
        if articles:
            chosen = articles[-1]
    translation: str | None = None
    end = chosen.end
    after = [p for p in passages if p.bracketed and p.start >= chosen.end]
    if after and not text[chosen.end : after[0].start].strip(" ,[").strip():
        translation = after[0].text
        close_bracket = text.find("]", after[0].end)
        end = close_bracket + 1 if close_bracket != -1 else after[0].end
    return chosen.text, translation, chosen.start, end


_FIRST_URL = re.compile(r"<+\s*https?://|https?://|\bwww\.|\bdoi:", re.IGNORECASE)
# Letters that match an ASCII letter of those words under IGNORECASE but
# are left alone by ``str.lower`` (dotless i, long s, Kelvin sign, dotted I).
_CASE_TRAP = re.compile("[\u0131\u017f\u212a\u0130]")


def _first_url_at(text: str, lower: str | None = None) -> int | None:
    """Where the first URL (or ``www.`` address, or ``doi:``) starts; a URL
    in ``<...>`` starts at its first ``<``.

    The same as searching ``_FIRST_URL``, found with ``str.find`` on the
    lower-cased note (the regex, tried at every position, costs ten times
    more); notes where lower-casing is not a plain letter-for-letter fold
    take the regex.
    """
    if lower is None:
        lower = text.lower()
    if len(lower) != len(text) or _CASE_TRAP.search(text) is not None:
        m = _FIRST_URL.search(text)
        return m.start() if m else None
    found = -1
    i = lower.find("http")
    while i != -1:
        j = i + 5 if lower.startswith("s", i + 4) else i + 4
        if lower.startswith("://", j):
            # Back over "<  " to the first "<" of a run before the URL.
            k = i
            while k > 0 and lower[k - 1].isspace():
                k -= 1
            if k > 0 and lower[k - 1] == "<":
                while k > 0 and lower[k - 1] == "<":
                    k -= 1
                i = k
            found = i
            break
        i = lower.find("http", i + 1)
    for word in ("www.", "doi:"):
        end = len(text) if found == -1 else found
        i = lower.find(word, 0, end)
        while i != -1 and i > 0 and (lower[i - 1].isalnum() or lower[i - 1] == "_"):
            i = lower.find(word, i + 1, end)
        if i != -1:
            found = i
    return None if found == -1 else found


# --- One note ---------------------------------------------------------------


@dataclass
class NoteFields:
    """What ``analyse_note`` reads off one note."""

    urls: list[str] = field(default_factory=list)
    accessed: dt.date | None = None
    title: str | None = None
    translated_title: str | None = None
    authors: str | None = None
    published: str | None = None
    # A note citing several sources: the fields of each source, by URL
    # (empty when the note cites one source, or cannot be cut into sources).
    sources: dict[str, NoteFields] = field(default_factory=dict)


_LEADING_WORDS = re.compile(
    r"^(?:see\s+also|see|cf\.?|compare|for\s+example,?|e\.g\.,?|quoted\s+in|in)\s+",
    re.IGNORECASE,
)


def _authors_before(text: str, title_start: int) -> str | None:
    """The author or publisher written just before the title."""
    before = text[:title_start]
    if "<" in before:
        # A link's target written before its text ("City, <url> “Title”").
        before = _ANGLED.sub(" ", before)
    # Only the last sentence before the title ("... in Shanghai. See X, ‘T’").
    parts = _CLAUSE_END.split(before)
    head = parts[-1].strip()
    head = _LEADING_NUMBER.sub("", head)  # a leading note number
    head = _LEADING_WORDS.sub("", head).strip()
    head = head.rstrip(" ,:;.–—-，：、；،؛\u3000").strip()
    if head.endswith((")", "）")) and _YEAR_IN_PARENS.search(head):
        head = _YEAR_IN_PARENS.sub("", head).rstrip(" ,.")
    if not head or len(head) > 200 or head.lower() in {"and", "in", "see"}:
        return None
    return head


def analyse_note(text: str) -> NoteFields:
    """Read one note: URLs, accessed date, title (without its translation),
    the bracketed English translation ``[‘...’]``, author or publisher (as
    written before the title) and publication date (ISO at the precision
    written, see ``dates.publication_date``).

    A note that cites several sources gets the fields of each in
    ``sources`` (see ``_sources``); its own fields are those of the first."""
    fields = _analyse_one(text)
    if len(fields.urls) > 1:
        fields.sources = _sources(text, fields)
    return fields


# Where a note's sources are separated: "; " or a full stop and a space
# (the next source's author starts there).
_SOURCE_BREAK = re.compile(r"(?<=[;；؛])\s*|(?<=[.。])\s+(?=\S)|(?<=[。])(?=\S)")
_LOWER_START = re.compile(r"\s*[a-zà-ÿ(\[]")


def _sources(text: str, whole: NoteFields) -> dict[str, NoteFields]:
    """The fields of each source of a note that cites several.

    Rule: the note is cut after "; " and after sentence ends that lie
    outside quoted titles; each piece that holds URLs, with the pieces
    before it that hold none (the author, title and date written before
    its URL), is one source; a piece without a URL right after a source
    that starts in lower case or holds an access cue ("Accessed
    2023-03-04.") still belongs to it. Each URL gets the title, author and
    dates of its source; a source without an access date of its own takes
    the note's. When the pieces do not give back the note's URLs in order,
    or a piece links to several pages (prose mentioning pages, not a list
    of sources), the note is not cut (every URL keeps the note's fields).
    """
    quoted = [(p.start, p.end) for p in _quoted_passages(text)]
    cuts = [0]
    for m in _SOURCE_BREAK.finditer(text):
        at = m.start()
        if any(qs < at < qe for qs, qe in quoted):
            continue
        # Not after an abbreviation or initial ("J. Smith", "Aug. 2022", "No. 5").
        word = text[max(0, at - 6) : at].split()[-1:] or [""]
        token = word[0].rstrip(".")
        if text[at - 1 : at] == "." and (len(token) <= 2 or token.lower() in _SHORT_WORDS):
            continue
        cuts.append(m.end())
    cuts.append(len(text))
    pieces = [text[a:b] for a, b in itertools.pairwise(cuts) if text[a:b].strip()]
    groups: list[str] = []
    pending = ""
    for piece in pieces:
        has_url = bool(_find_urls(piece, piece.lower()))
        if has_url:
            groups.append(pending + piece)
            pending = ""
        elif (
            groups
            and not pending
            and (_LOWER_START.match(piece) or first_access_cue(piece) is not None)
        ):
            groups[-1] += piece
        else:
            pending += piece
    if pending and groups:
        groups[-1] += pending
    found: dict[str, NoteFields] = {}
    order: list[str] = []
    for group in groups:
        fields = _analyse_one(group)
        if len([u for u in fields.urls if not _ARCHIVE_COPY.match(u)]) != 1:
            # Several links in one piece: prose that mentions pages, not a
            # list of sources (an archived copy beside its URL is one source).
            return {}
        if fields.title and "<" in fields.title:
            # A link inside a quoted title ("“<url> Heartbreak Hotel”").
            fields.title = _ANGLED.sub(" ", fields.title)
        for url in fields.urls:
            order.append(url)
            found.setdefault(url, fields)
    if order != whole.urls or len(groups) < 2:
        return {}
    for fields in found.values():
        fields.accessed = fields.accessed or whole.accessed
    return found


# Words whose full stop ends no source ("Aug. 2022", "No. 5", "et al.").
_ARCHIVE_COPY = re.compile(
    r"https?://(?:web\.)?archive\.(?:org/web|today|ph|is|li|vn|fo|md)/", re.IGNORECASE
)
_SHORT_WORDS = frozenset(
    re.split(
        r"\s+",
        "jan feb mar apr jun jul aug sep sept oct nov dec no vol pp ed eds et al etc vs dr mr "
        "mrs ms prof inc ltd co corp dept univ",
    )
)


def _analyse_one(text: str) -> NoteFields:
    """``analyse_note`` for one source."""
    if not text:
        return NoteFields()
    lower = text.lower()
    cues = NoteCues(text, lower)
    fields = NoteFields(urls=_find_urls(text, lower), accessed=accessed_date_at(text, cues.words))
    title, translation, start, end = _find_title(text, lower)
    fields.title = _clean_title(title)
    fields.translated_title = _clean_title(translation)
    if title is not None:
        fields.authors = _authors_before(text, start)
        after = text[end:]
        stop = _first_url_at(after, lower[end:] if len(lower) == len(text) else None)
        cue = cues.first_after(end)
        limit = len(after)
        if stop is not None:
            limit = min(limit, stop)
        if cue is not None:
            limit = min(limit, cue - end)
        written = after[:limit]
        # Every date form has digits: without one there is nothing to read.
        fields.published = publication_date(written) if _DIGIT.search(written) else None
    return fields


def _clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    # " ".join(split()) is re.sub(r"\s+", " ", title).strip() (the same
    # white space), at a fraction of the cost.
    title = " ".join(title.split()).rstrip(" ,;:.").strip()
    return title or None


def source_urls(fields: NoteFields, urls: list[ParsedUrl]) -> list[ParsedUrl]:
    """``urls`` with the fields of their own source filled in, for a note
    that cites several (``NoteFields.sources``); in place, and returned."""
    if not fields.sources:
        return urls
    for pu in urls:
        own = fields.sources.get(pu.url)
        if own is None:
            continue
        pu.title = _clean_title(own.title)
        pu.translated_title = _clean_title(own.translated_title)
        pu.authors = own.authors
        pu.published = own.published
        pu.accessed = own.accessed
    return urls


# --- Short forms ------------------------------------------------------------

_IBID = re.compile(r"^\W*(?:ibid|ibidem|id|ebenda|ebd|ebda)\b\.?", re.IGNORECASE)
_NOTE_REF = re.compile(
    r"\b(?:(?:see|cf\.?|as\s+(?:highlighted|noted|mentioned|discussed|cited|shown)\s+in)\s+)?"
    r"(?:supra\s+|above\s+)?(?:note|n\.|fn\.?|footnote|endnote)\s+(\d{1,4})\b",
    re.IGNORECASE,
)


_NON_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    """Text compared loosely: case, quotes and punctuation ignored (accents
    are kept: a short form repeats its source's spelling)."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def _authors_agree(short: str | None, full: str | None) -> bool:
    if not short or not full:
        return True
    short_words = _fold(short).split()
    full_words = set(_fold(full).split())
    if not short_words:
        return True
    return short_words[-1] in full_words or _fold(full).endswith(_fold(short))


def resolve_short_forms(citations: list[ParsedCitation]) -> None:
    """Link short forms to the note they repeat, in place.

    A note without URLs of its own that is "Ibid." (the previous note),
    refers to another note ("As highlighted in note 41.", "See note 12"),
    or repeats an earlier note's title (the same title, or the start of it,
    with a compatible author: "SCO, ‘SCO Promotes Transport Links’.") gets
    ``inherits_from`` set to that note's label and a copy of its URLs marked
    ``inherited=True``. Only notes (kind "note") are linked.

    When the repeated note cites several sources, which of them: "Ibid."
    repeats the **last source** cited there (what the reader read last);
    a repeated title, the source with that title; "See note 12", the whole
    note (every source).
    """
    by_label: dict[str, ParsedCitation] = {}
    earlier: list[ParsedCitation] = []
    # The earlier notes with a title, in order, with it folded.
    titled: list[tuple[str, ParsedCitation]] = []
    for citation in citations:
        if citation.kind != "note":
            continue
        title = _fold(citation.title) if citation.title else ""
        if not citation.urls and citation.inherits_from is None:
            target = _target_of(citation, title, earlier, by_label, titled)
            if target is not None and target is not citation:
                citation.inherits_from = target.label
                chosen = _sources_repeated(citation, title, target)
                citation.urls = [
                    ParsedUrl(
                        url=u.url,
                        inherited=True,
                        archive_url=u.archive_url,
                        archive_date=u.archive_date,
                        title=u.title,
                        translated_title=u.translated_title,
                        authors=u.authors,
                        published=u.published,
                        accessed=u.accessed,
                    )
                    for u in chosen
                ]
                if citation.accessed is None:
                    citation.accessed = (
                        chosen[0].accessed if len(chosen) == 1 and chosen[0].accessed else None
                    ) or target.accessed
        by_label.setdefault(citation.label, citation)
        earlier.append(citation)
        if title:
            titled.append((title, citation))
        # The other sources of a note citing several can be repeated too.
        for u in citation.urls:
            if u.title and not u.inherited and _fold(u.title) != title:
                titled.append((_fold(u.title), citation))


def _sources_repeated(
    citation: ParsedCitation, title: str, target: ParsedCitation
) -> list[ParsedUrl]:
    """Which URLs of ``target`` a short form repeats (see ``resolve_short_forms``)."""
    urls = target.urls
    if len(urls) < 2 or not any(u.title for u in urls):
        return urls
    text = citation.raw_text.strip()
    if _IBID.match(text):
        return urls[-1:]
    if title and not _NOTE_REF.search(text):
        start = title + " "
        same = [
            u
            for u in urls
            if u.title and (_fold(u.title) == title or _fold(u.title).startswith(start))
        ]
        if same:
            return same
    return urls


def _target_of(
    citation: ParsedCitation,
    title: str,
    earlier: list[ParsedCitation],
    by_label: dict[str, ParsedCitation],
    titled: list[tuple[str, ParsedCitation]],
) -> ParsedCitation | None:
    """The note ``citation`` repeats; ``title``: its title folded ("" without
    one); ``titled``: the earlier notes with a title, folded, in order."""
    text = citation.raw_text.strip()
    if earlier and _IBID.match(text):
        return earlier[-1]
    m = _NOTE_REF.search(text)
    if m and len(text) < 200 and m.group(1) in by_label:
        return by_label[m.group(1)]
    if title:
        if len(title) < 4:
            return None
        start = title + " "
        matches = [
            c
            for other, c in titled
            if (other == title or other.startswith(start))
            and _authors_agree(citation.authors, c.authors)
        ]
        with_urls = [c for c in matches if c.urls]
        if with_urls:
            return with_urls[-1]
        if matches:
            return matches[-1]
    return None
