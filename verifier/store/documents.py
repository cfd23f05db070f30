"""Writing parsed documents: one transaction per document.

A document is identified by its file's resolved path (absolute, symlinks
followed), so ``articles/rivers.md``, ``./articles/rivers.md`` and its
absolute path are one document. A file that is new at its path but has the
content of a document whose file is gone is that document, moved.

Re-ingesting an unchanged file (same file, same sha256) changes nothing; a
changed file replaces that document's citations, quotes and attributions.
URL rows are shared and never deleted, so their check history survives; the
verdicts of the replaced quotes are kept too (``matches.quote_id`` becomes
NULL) and stay tied to the same text by ``quote_key``. ``remove_documents``
forgets documents the same way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from verifier.parse.model import ParsedCitation, ParsedDocument
from verifier.store.inserts import insert_ignoring
from verifier.store.locate import Location
from verifier.store.models import (
    Attribution,
    Base,
    Citation,
    CitationUrl,
    Document,
    Quote,
    QuoteKind,
    Url,
    utcnow,
)
from verifier.urls import host_of, normalize_url, url_hash

IngestAction = Literal["new", "unchanged", "replaced", "moved"]

# Rows per INSERT/SELECT ... IN (...) statement: below SQLite's variable limit.
_CHUNK = 500


@dataclass
class StoredDocument:
    path: str
    action: IngestAction
    document_id: int
    citations: int = 0
    urls: int = 0
    attributions: int = 0
    warnings: list[str] = field(default_factory=list)


def _chunks(items: list[str], size: int = _CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def url_ids(session: Session, urls: Iterable[str]) -> dict[str, int]:
    """Id of each normalised URL, inserting the ones not seen before.

    ``INSERT ... ON CONFLICT DO NOTHING`` keeps this safe when several
    workers ingest documents citing the same URL at once.
    """
    wanted = {url_hash(u): u for u in urls}
    if not wanted:
        return {}
    hashes = list(wanted)
    found: dict[str, int] = {}
    for chunk in _chunks(hashes):
        existing = session.execute(select(Url.url_hash, Url.id).where(Url.url_hash.in_(chunk)))
        found.update({h: i for h, i in existing})
    missing = [h for h in hashes if h not in found]
    if missing:
        now = utcnow()
        for chunk in _chunks(missing):
            rows = [
                {
                    "url_hash": h,
                    "url": wanted[h],
                    "host": host_of(wanted[h]),
                    "first_seen": now,
                    "failures_in_a_row": 0,
                }
                for h in chunk
            ]
            # executemany (batched by SQLAlchemy's insertmanyvalues), not a
            # VALUES list: one cached statement however many rows, where a
            # VALUES list of a new length is compiled anew each time.
            session.execute(insert_ignoring(session, Url), rows)
            found.update(
                {
                    h: i
                    for h, i in session.execute(
                        select(Url.url_hash, Url.id).where(Url.url_hash.in_(chunk))
                    )
                }
            )
    return {wanted[h]: found[h] for h in hashes}


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def resolve_path(path: str) -> str:
    """A file's identity: its absolute path with symlinks and ``..`` resolved."""
    return os.path.realpath(os.path.expanduser(path))


def _file_of(document: Document) -> str:
    # Rows migrated from before 0005 may carry "#<id>" to stay unique.
    return (document.resolved_path or document.path).split("#", 1)[0]


def _display_path(session: Session, wanted: str, resolved: str, document_id: int | None) -> str:
    """The path reports show: as given, unless another file already shows under it."""
    other = session.scalar(select(Document.id).where(Document.path == wanted))
    return wanted if other is None or other == document_id else resolved


def find_document(session: Session, path: str) -> Document | None:
    """The stored document of ``path``, however it is spelled (resolved path
    first, then the path as stored)."""
    found = session.scalar(select(Document).where(Document.resolved_path == resolve_path(path)))
    if found is None:
        wanted = {path, os.path.normpath(path)}
        found = session.scalars(select(Document).where(Document.path.in_(wanted))).first()
    return found


def remove_documents(session: Session, paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """Forget documents: their citations, quotes, verdicts and attributions
    go; URL rows and their checks stay. A folder removes every document below
    it. Returns the paths removed and the arguments that matched nothing."""
    removed: list[str] = []
    unknown: list[str] = []
    for raw in paths:
        matched: list[Document] = []
        document = find_document(session, raw)
        if document is not None:
            matched.append(document)
        else:
            folder = resolve_path(raw).rstrip(os.sep) + os.sep
            matched = [
                d
                for d in session.scalars(select(Document).order_by(Document.path))
                if _file_of(d).startswith(folder)
            ]
        if not matched:
            unknown.append(raw)
        for document in matched:
            removed.append(document.path)
            session.execute(delete(Citation).where(Citation.document_id == document.id))
            session.execute(delete(Attribution).where(Attribution.document_id == document.id))
            session.execute(delete(Document).where(Document.id == document.id))
    return removed, unknown


def _sentence_of(citation: ParsedCitation, quotation: str) -> str | None:
    """The body sentence a quotation of ``citation`` comes from: that of the
    first use quoting it, else the citation's sentence."""
    for use in citation.uses:
        if quotation in use.quotations:
            return use.sentence
    return citation.sentence


def store_document(
    session: Session,
    parsed: ParsedDocument,
    sha256: str,
    size_bytes: int,
    *,
    resolved_path: str | None = None,
    locations: Sequence[Location] | None = None,
) -> StoredDocument:
    """Write one parsed document (the caller owns the transaction).

    ``resolved_path`` is the file's identity (default: ``parsed.path``
    resolved); ``locations`` the (line, column) of each citation."""
    resolved = resolved_path or resolve_path(parsed.path)
    existing = session.scalar(select(Document).where(Document.resolved_path == resolved))
    moved = False
    if existing is None:
        # Moved: same content as a document whose file is gone.
        for candidate in session.scalars(
            select(Document).where(Document.sha256 == sha256).order_by(Document.id)
        ):
            if not os.path.exists(_file_of(candidate)):
                existing, moved = candidate, True
                break
    if moved and existing is not None:
        existing.path = _display_path(session, parsed.path, resolved, existing.id)
        existing.resolved_path = resolved
    if existing is not None and existing.sha256 == sha256 and existing.format == parsed.format:
        if locations is not None:
            _fill_locations(session, existing.id, locations)
        return StoredDocument(
            path=existing.path,
            action="moved" if moved else "unchanged",
            document_id=existing.id,
            citations=len(existing.citations),
            attributions=len(existing.attributions),
        )
    action: IngestAction = "new"
    if existing is not None:
        action = "replaced"
        # Bulk deletes: ON DELETE CASCADE removes links and quotes.
        session.execute(delete(Citation).where(Citation.document_id == existing.id))
        session.execute(delete(Attribution).where(Attribution.document_id == existing.id))
        document = existing
    else:
        document = Document(
            path=_display_path(session, parsed.path, resolved, None), resolved_path=resolved
        )
        session.add(document)
    document.format = parsed.format
    document.sha256 = sha256
    document.size_bytes = size_bytes
    document.title = parsed.title
    document.warnings = json.dumps(parsed.warnings, ensure_ascii=False) if parsed.warnings else None
    document.ingested_at = utcnow()
    session.flush()

    normalized = {u.url: normalize_url(u.url) for c in parsed.citations for u in c.urls}
    ids = url_ids(session, normalized.values())
    # Core executemany rather than ORM objects: a document has hundreds of
    # rows and the unit of work cost several times the parse itself.
    rows: list[dict[str, object]] = [
        {
            "document_id": document.id,
            "label": pc.label,
            "position": position,
            "kind": pc.kind,
            "raw_text": pc.raw_text,
            "title": pc.title,
            "translated_title": pc.translated_title,
            "authors": pc.authors,
            "published": pc.published,
            "accessed": pc.accessed,
            "sentence": pc.sentence,
            "link_text": pc.link_text,
            "inherits_from": pc.inherits_from,
            "problem": pc.problem,
            "line": locations[position][0] if locations else None,
            "column": locations[position][1] if locations else None,
        }
        for position, pc in enumerate(parsed.citations)
    ]
    citations = _table(Citation)
    if rows:
        # Plain executemany, then the ids by position: INSERT ... RETURNING
        # in parameter order makes SQLAlchemy send SQLite one row at a time.
        session.execute(insert(citations), rows)
    by_position: dict[int, int] = {
        position: citation_id
        for position, citation_id in session.execute(
            select(citations.c.position, citations.c.id).where(
                citations.c.document_id == document.id
            )
        )
    }
    citation_ids = [by_position[position] for position in range(len(parsed.citations))]
    links: list[dict[str, object]] = []
    quotes: list[dict[str, object]] = []
    for citation_id, pc in zip(citation_ids, parsed.citations, strict=True):
        seen: set[int] = set()
        for pu in pc.urls:
            url_id = ids[normalized[pu.url]]
            if url_id in seen:  # the same URL twice in one note is one link
                continue
            links.append(
                {
                    "citation_id": citation_id,
                    "url_id": url_id,
                    "position": len(seen),
                    "written": pu.url,
                    "inherited": pu.inherited,
                    "archive_url": pu.archive_url,
                    "archive_date": pu.archive_date,
                    "title": pu.title,
                    "translated_title": pu.translated_title,
                    "authors": pu.authors,
                    "published": pu.published,
                    "accessed": pu.accessed,
                }
            )
            seen.add(url_id)
        # The cited title, then the titles of the note's other sources.
        titles = [pc.title] if pc.title else []
        titles += [pu.title for pu in pc.urls if pu.title and pu.title not in titles]
        texts: list[tuple[QuoteKind, str, str | None]] = [
            (QuoteKind.TITLE, title, None) for title in titles
        ]
        texts += [(QuoteKind.QUOTATION, q, _sentence_of(pc, q)) for q in pc.quotations]
        quotes += [
            {
                "citation_id": citation_id,
                "kind": kind.value,
                "text": text,
                "position": i,
                "sentence": sentence,
            }
            for i, (kind, text, sentence) in enumerate(texts)
        ]
    attributions = [
        {
            "document_id": document.id,
            "position": position,
            "sentence": pa.sentence,
            "cue": pa.cue,
            "source": pa.source,
        }
        for position, pa in enumerate(parsed.attributions)
    ]
    for model, children in ((CitationUrl, links), (Quote, quotes), (Attribution, attributions)):
        if children:
            session.execute(insert(_table(model)), children)
    return StoredDocument(
        path=document.path,
        action=action,
        document_id=document.id,
        citations=len(parsed.citations),
        urls=len(ids),
        attributions=len(parsed.attributions),
        warnings=list(parsed.warnings),
    )


def _fill_locations(session: Session, document_id: int, locations: Sequence[Location]) -> None:
    """Give an unchanged document's citations the locations it was stored
    without (ingested before locations were kept)."""
    missing = session.execute(
        select(Citation.id, Citation.position).where(
            Citation.document_id == document_id, Citation.line.is_(None)
        )
    ).all()
    updates = [
        {"id": cid, "line": locations[pos][0], "column": locations[pos][1]}
        for cid, pos in missing
        if pos < len(locations) and locations[pos][0] is not None
    ]
    if updates:
        session.execute(update(Citation), updates)
