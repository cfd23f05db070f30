"""Ingest: parse documents and store their citations, one transaction each.

A file that cannot be read or parsed is reported with its reason and the
others are still ingested; a failure while storing a document rolls back
that document only, leaving the database as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from verifier.errors import DocumentError
from verifier.parse import SUFFIXES, parse_path, parser_for
from verifier.parse.model import ParsedDocument
from verifier.parse.reading import Source
from verifier.store.database import Database
from verifier.store.documents import StoredDocument, resolve_path, store_document
from verifier.store.locate import Location, locate_citations, locate_in_blocks
from verifier.store.statistics import refresh_statistics

__all__ = ["IngestResult", "expand_paths", "ingest_paths"]

# The tables ingest writes and reads back (``urls`` by hash for every
# document): their planner statistics are kept fresh every so many
# documents (PostgreSQL; see verifier.store.statistics), or each lookup
# of a large ingest would scan a table growing with it.
_TABLES_WRITTEN = ("documents", "citations", "urls", "citation_urls", "quotes", "attributions")
_STATISTICS_EVERY = 100
# Analyzed again when a table has doubled since (each ANALYZE of a table of
# a million rows takes a second or so; the plans need the rough size only).
_STATISTICS_SCALE = 1.0


@dataclass
class IngestResult:
    stored: list[StoredDocument] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def expand_paths(paths: Iterable[str]) -> Iterator[tuple[Path, str] | DocumentError]:
    """Each file to ingest with the name it is stored under; a folder yields
    the documents below it (by suffix, sorted), an unusable path an error."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
            )
            if not found:
                yield DocumentError(raw, "folder contains no documents of a known format")
            for p in found:
                yield p, os.path.normpath(str(p))
        else:
            yield path, os.path.normpath(raw)


def ingest_paths(
    db: Database,
    paths: Iterable[str],
    format_name: str | None = None,
    on_document: Callable[[StoredDocument | DocumentError], None] | None = None,
) -> IngestResult:
    """Parse and store each document; returns what happened to each."""
    if format_name is not None:
        parser_for(format_name)  # an unknown --format fails before any file is read
    result = IngestResult()
    written = 0
    for item in expand_paths(paths):
        outcome: StoredDocument | DocumentError
        if isinstance(item, DocumentError):
            outcome = item
        else:
            path, display = item
            try:
                parsed, source = parse_path(path, format_name, display)
                locations = _locations(parsed, source)
                with db.session() as session:
                    outcome = store_document(
                        session,
                        parsed,
                        source.sha256,
                        len(source.data),
                        resolved_path=resolve_path(str(path)),
                        locations=locations,
                    )
            except DocumentError as exc:
                outcome = exc
        if isinstance(outcome, DocumentError):
            result.errors.append(outcome)
        else:
            result.stored.append(outcome)
            if outcome.action in ("new", "replaced"):
                written += 1
                if written % _STATISTICS_EVERY == 0:
                    _refresh_statistics(db)
        if on_document is not None:
            on_document(outcome)
    if written % _STATISTICS_EVERY:
        _refresh_statistics(db)
    return result


def _refresh_statistics(db: Database) -> None:
    with db.session() as session:
        refresh_statistics(session, _TABLES_WRITTEN, _STATISTICS_SCALE)


# Formats whose source is text with lines (.docx and PDF are not).
_TEXT_FORMATS = frozenset({"text", "markdown", "html", "wikitext"})


def _locations(parsed: ParsedDocument, source: Source) -> list[Location] | None:
    """Each citation's (line, column); for .docx (paragraph, None), for PDF (page, None)."""
    if not parsed.citations:
        return None
    if parsed.format in ("docx", "pdf"):
        from verifier.store.blocks import docx_paragraphs, pdf_pages

        blocks = docx_paragraphs(source.data) if parsed.format == "docx" else pdf_pages(source.data)
        return locate_in_blocks(blocks, parsed.citations) if blocks else None
    if parsed.format not in _TEXT_FORMATS:
        return None
    try:
        text = source.text
    except (UnicodeError, DocumentError):
        return None
    return locate_citations(text, parsed.citations)
