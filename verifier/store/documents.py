"""Writing parsed documents: one transaction per document.

Re-ingesting an unchanged file (same path, same sha256) changes nothing; a
changed file replaces that document's citations, quotes and attributions.
URL rows are shared and never deleted, so their check history survives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from verifier.parse.model import ParsedDocument
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

IngestAction = Literal["new", "unchanged", "replaced"]

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
        insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert  # type: ignore[union-attr]
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
            session.execute(insert(Url).on_conflict_do_nothing(), rows)
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


def store_document(
    session: Session, parsed: ParsedDocument, sha256: str, size_bytes: int
) -> StoredDocument:
    """Write one parsed document (the caller owns the transaction)."""
    existing = session.scalar(select(Document).where(Document.path == parsed.path))
    if existing is not None and existing.sha256 == sha256 and existing.format == parsed.format:
        return StoredDocument(
            path=parsed.path,
            action="unchanged",
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
        document = Document(path=parsed.path)
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
                }
            )
            seen.add(url_id)
        texts = [(QuoteKind.TITLE, pc.title)] if pc.title else []
        texts += [(QuoteKind.QUOTATION, q) for q in pc.quotations]
        quotes += [
            {"citation_id": citation_id, "kind": kind.value, "text": text, "position": i}
            for i, (kind, text) in enumerate(texts)
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
        path=parsed.path,
        action=action,
        document_id=document.id,
        citations=len(parsed.citations),
        urls=len(ids),
        attributions=len(parsed.attributions),
        warnings=list(parsed.warnings),
    )
