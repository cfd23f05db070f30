"""Storing citations straight into a test database, for the tests of the
stages after ingest (check, match, archive), and their common settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import select

from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Citation, CitationUrl, Document, Quote, Url
from verifier.urls import host_of, normalize_url, url_hash


class Note(NamedTuple):
    """One note of a test document: its URL, and what it says about it."""

    url: str
    title: str | None = None
    quotations: Sequence[str] = ()
    accessed: dt.date | None = None


def cite(db: Database, notes: Iterable[str | Note], document: str = "doc.md") -> dict[str, int]:
    """Store a document with one note per item (a bare string is a note
    giving only that URL); returns each URL as written -> its url id."""
    ids: dict[str, int] = {}
    with db.session() as session:
        doc = Document(path=document, format="markdown", sha256=url_hash(document))
        session.add(doc)
        session.flush()
        for position, item in enumerate(notes):
            note = Note(item) if isinstance(item, str) else item
            normal = normalize_url(note.url)
            url = session.scalar(select(Url).where(Url.url_hash == url_hash(normal)))
            if url is None:
                url = Url(url_hash=url_hash(normal), url=normal, host=host_of(normal))
                session.add(url)
                session.flush()
            citation = Citation(
                document_id=doc.id,
                label=str(position + 1),
                position=position,
                kind="note",
                raw_text=note.url,
                title=note.title,
                accessed=note.accessed,
            )
            citation.links.append(CitationUrl(url_id=url.id, position=0, written=note.url))
            texts = [("title", note.title)] if note.title else []
            texts += [("quotation", q) for q in note.quotations]
            for i, (kind, text) in enumerate(texts):
                citation.quotes.append(Quote(kind=kind, text=text, position=i))
            session.add(citation)
            ids[note.url] = url.id
    return ids


def loopback_settings(**changes: object) -> Settings:
    """Settings for checks against the loopback web: private hosts allowed,
    short time-outs and back-offs, no pacing, no archive lookups."""
    base = Settings(
        allow_private_hosts=True,
        timeout=1.0,
        retries=1,
        retry_backoff=0.01,
        max_bytes=1_000_000,
        min_interval=0.0,
        archive=False,
    )
    return base.replace(**changes)


def archive_settings(fake: object, **changes: object) -> Settings:
    """Loopback settings with the archives pointed at a ``FakeArchives``."""
    values: dict[str, object] = {
        "archive": True,
        "archive_rate": 50.0,
        "wayback_url": fake.wayback_url,  # type: ignore[attr-defined]
        "memento_url": fake.memento_url,  # type: ignore[attr-defined]
        "archive_today_url": fake.archive_today_url,  # type: ignore[attr-defined]
    }
    return loopback_settings(**{**values, **changes})
