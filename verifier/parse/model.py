"""What the parse stage produces: one model for every document format.

Each format parser turns a document into a ``ParsedDocument``; the store
stage writes it; later stages never care which format a citation came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

CitationKindName = Literal["note", "author_date", "inline_link"]


@dataclass(slots=True)
class ParsedUrl:
    """A URL as written in a citation, cleaned of wrapping ``<>`` and trailing
    punctuation (normalisation for deduplication happens in the store)."""

    url: str
    # Inherited from an earlier note ("Ibid.", "See note 41") rather than written here.
    inherited: bool = False
    # An archived copy the document itself gives (wikitext ``archive-url``,
    # a Markdown link to a web.archive.org capture).
    archive_url: str | None = None
    archive_date: dt.date | None = None
    # In a note that cites several sources ("CGTN, ‘A’, <url1>; Xinhua,
    # ‘B’, <url2>"), what the note says of this one: the title, author,
    # publication and access dates written before (and, for the access
    # date, just after) it. ``None``: the citation's own fields apply.
    title: str | None = None
    translated_title: str | None = None
    authors: str | None = None
    published: str | None = None
    accessed: dt.date | None = None


@dataclass(slots=True)
class ParsedUse:
    """One place in the body that cites a note: a note cited twice
    (``[^1]`` twice, two markers into one HTML note, a reused named
    ``<ref>``) has two uses, each with its own sentence and quotations."""

    sentence: str
    quotations: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ParsedCitation:
    """One note, author-date citation or inline link."""

    # The note number or label as written ("12", "note-a"); for author-date
    # citations the in-text form, e.g. "Cooley 2015".
    label: str
    kind: CitationKindName
    # The note's full text (or the in-text citation plus its reference entry).
    raw_text: str
    urls: list[ParsedUrl] = field(default_factory=list)
    accessed: dt.date | None = None
    # The cited title (in ‘...’, “...” or "..."), without the translation.
    title: str | None = None
    # A bracketed English translation of the title: [‘...’].
    translated_title: str | None = None
    # Author(s) or publisher, as written before the title.
    authors: str | None = None
    # Publication date as written or ISO (a year, "2022-08-14", ...).
    published: str | None = None
    # The body sentence that cites this note (its first use), and the
    # quotations it cites: those of every use, in order, each once.
    sentence: str | None = None
    quotations: list[str] = field(default_factory=list)
    # Every place the body cites this note, in order (formats that mark
    # notes structurally; empty when the parser records one sentence only).
    uses: list[ParsedUse] = field(default_factory=list)
    # For inline links: the link text.
    link_text: str | None = None
    # Label of the earlier citation this one repeats, when it inherits its URL.
    inherits_from: str | None = None
    # Why the citation cannot be followed up, e.g. "no reference entry".
    problem: str | None = None


@dataclass(slots=True)
class ParsedAttribution:
    """A sentence that credits a source without citing it."""

    sentence: str
    # The wording that makes it an attribution: "according to", "said", "report by".
    cue: str
    # The named source, when one can be read off ("the China Global Investment Tracker").
    source: str | None = None


@dataclass(slots=True)
class ParsedDocument:
    path: str
    format: str
    title: str | None = None
    citations: list[ParsedCitation] = field(default_factory=list)
    attributions: list[ParsedAttribution] = field(default_factory=list)
    # Things the user should know that did not stop the parse
    # ("scanned PDF: no text layer").
    warnings: list[str] = field(default_factory=list)
