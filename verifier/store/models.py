"""The database schema, as SQLAlchemy 2 typed models.

Every change here needs an Alembic migration under ``migrations/versions``;
the tests build their databases by running the migrations, so a model that
drifts from the migrations fails them.

Tables by stage:

* parse/store: ``documents``, ``citations``, ``urls``, ``citation_urls``,
  ``quotes``, ``attributions``
* fetch: ``runs``, ``checks``, ``contents`` (extracted page text, compressed,
  keyed by its hash) and the per-URL failure counters on ``urls``
* archive: ``snapshots``, ``archive_lookups``
* match: ``matches``
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

# The shared words live in verifier.vocabulary; the models name them too, for
# the code that reads them with the tables.
from verifier.vocabulary import CitationKind as CitationKind
from verifier.vocabulary import LinkStatus as LinkStatus
from verifier.vocabulary import QuoteKind as QuoteKind
from verifier.vocabulary import Verdict as Verdict


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# --- parse / store ---------------------------------------------------------


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The path as first given (relative to the folder ingest ran in): what
    # reports show. The file's identity is ``resolved_path`` (migration 0005).
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    resolved_path: Mapped[str | None] = mapped_column(String(4096), unique=True, index=True)
    format: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    warnings: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    citations: Mapped[list[Citation]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Citation.position",
    )
    attributions: Mapped[list[Attribution]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Attribution.position",
    )


class Citation(Base):
    __tablename__ = "citations"
    __table_args__ = (Index("ix_citations_document_position", "document_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    # The note number or label exactly as written ("12", "note-a"); for an
    # author-date citation the in-text form ("Cooley 2015").
    label: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    raw_text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    translated_title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(64))
    accessed: Mapped[dt.date | None] = mapped_column(Date)
    sentence: Mapped[str | None] = mapped_column(Text)
    link_text: Mapped[str | None] = mapped_column(Text)
    # Label of the earlier note this one repeats ("Ibid.", "See note 41").
    inherits_from: Mapped[str | None] = mapped_column(String(255))
    # Why the citation cannot be followed up, e.g. "no reference entry".
    problem: Mapped[str | None] = mapped_column(Text)
    # Where the note is in the document, 1-based (migration 0005): line and
    # column in text formats; the paragraph (.docx) or page (PDF) as line.
    line: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[int | None] = mapped_column(Integer)

    document: Mapped[Document] = relationship(back_populates="citations")
    links: Mapped[list[CitationUrl]] = relationship(
        back_populates="citation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CitationUrl.position",
    )
    quotes: Mapped[list[Quote]] = relationship(
        back_populates="citation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Quote.position",
    )


class Url(Base):
    """A normalised URL, shared by every citation that cites it.

    URL rows and their check history outlive the documents that cite them:
    re-ingesting a changed document never deletes them.
    """

    __tablename__ = "urls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # sha256 of ``url``: URLs can be longer than an index may hold.
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255), index=True)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Filled by the fetch stage (migration 0002).
    last_checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    last_status: Mapped[str | None] = mapped_column(String(32))
    last_check_id: Mapped[int | None] = mapped_column(Integer)
    failing_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)


class CitationUrl(Base):
    """The ordered link between a citation and the URLs it gives."""

    __tablename__ = "citation_urls"
    __table_args__ = (UniqueConstraint("citation_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citation_id: Mapped[int] = mapped_column(ForeignKey("citations.id", ondelete="CASCADE"))
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # The URL as written in the note, cleaned of wrapping <> and punctuation.
    written: Mapped[str] = mapped_column(Text)
    # Inherited from an earlier note ("Ibid.") rather than written here.
    inherited: Mapped[bool] = mapped_column(Boolean, default=False)
    # An archived copy the document itself gives (wikitext archive-url, ...).
    archive_url: Mapped[str | None] = mapped_column(Text)
    archive_date: Mapped[dt.date | None] = mapped_column(Date)
    # In a note citing several sources, what it says of this one (migration
    # 0009); NULL: the citation's own fields apply.
    title: Mapped[str | None] = mapped_column(Text)
    translated_title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(64))
    accessed: Mapped[dt.date | None] = mapped_column(Date)

    citation: Mapped[Citation] = relationship(back_populates="links")
    url: Mapped[Url] = relationship()


def quote_key(document: str, kind: str, text: str) -> str:
    """The identity of a title or quotation across re-ingests: sha256 of its
    document's path, its kind, and its text in NFC with case folded and
    white space collapsed.

    Re-ingesting a changed document gives its quotes new rows (and ids); a
    quote whose text is unchanged keeps its key, so its verdicts (``Match``
    rows, which carry the key) stay its history, whatever else changed
    around it: a heading, the note's number, other notes. Migration 0006
    holds a frozen copy of this function: changing it would cut every
    quote from its history.
    """
    canonical = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(f"{document}\x00{kind}\x00{canonical}".encode()).hexdigest()


class Quote(Base):
    """A piece of text to verify in the source: the cited title or a quotation.

    Its rows are replaced when its document is re-ingested; its identity
    across those is ``quote_key``.
    """

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citation_id: Mapped[int] = mapped_column(
        ForeignKey("citations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    # For a quotation, the body sentence it was taken from (a note cited
    # twice quotes from two sentences; migration 0009).
    sentence: Mapped[str | None] = mapped_column(Text)

    citation: Mapped[Citation] = relationship(back_populates="quotes")


class Attribution(Base):
    """A sentence that credits a source without citing it."""

    __tablename__ = "attributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[str] = mapped_column(Text)
    cue: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="attributions")


# --- fetch -----------------------------------------------------------------


class Run(Base):
    """One ``verifier check`` (or ``audit``) invocation."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # JSON: the options the run was started with.
    options: Mapped[str | None] = mapped_column(Text)
    # JSON: counts per status at the end of the run.
    summary: Mapped[str | None] = mapped_column(Text)


class QueueBatch(Base):
    """One batch of URLs of a run put on the work queue (``verifier.queue``)."""

    __tablename__ = "queue_batches"
    __table_args__ = (Index("ix_queue_batches_run", "run_id", "done_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(String(255))
    urls: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set by the job that checked the batch's last URL.
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class HostPacing(Base):
    """When a host may next be asked, handed from one worker to the next
    (``verifier.queue.pacing``; the database's clock)."""

    __tablename__ = "host_pacing"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Check(Base):
    """One fetch of one URL: every check is kept, so history is never lost."""

    __tablename__ = "checks"
    __table_args__ = (
        UniqueConstraint("run_id", "url_id"),
        Index("ix_checks_url_checked_at", "url_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"))
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(32))
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(Text)
    # JSON list of [status, url] hops.
    redirect_chain: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    content_type: Mapped[str | None] = mapped_column(String(255))
    content_hash: Mapped[str | None] = mapped_column(ForeignKey("contents.hash"))


class Content(Base):
    """Extracted text of a fetched page or archived copy, stored once per hash."""

    __tablename__ = "contents"

    # sha256 of the extracted text (UTF-8).
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # zstandard-compressed UTF-8 text.
    text_z: Mapped[bytes] = mapped_column(LargeBinary)
    length: Mapped[int] = mapped_column(Integer)
    # Page metadata used by title matching.
    title: Mapped[str | None] = mapped_column(Text)
    h1: Mapped[str | None] = mapped_column(Text)
    og_title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- archive ---------------------------------------------------------------


class Snapshot(Base):
    """An archived copy of a URL (Wayback, a Memento archive, archive.today,
    or one the document itself gives)."""

    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("url_id", "archive", "captured_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"), index=True)
    archive: Mapped[str] = mapped_column(String(32))
    captured_at: Mapped[dt.datetime] = mapped_column(DateTime)
    snapshot_url: Mapped[str] = mapped_column(Text)
    # HTTP status of the capture as the archive recorded or served it.
    status: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(ForeignKey("contents.hash"))
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ArchiveLookup(Base):
    """That an archive was asked about a URL near a date, and what it said,
    so a lookup is never repeated within a run."""

    __tablename__ = "archive_lookups"
    __table_args__ = (
        Index("ix_archive_lookups_key", "url_id", "archive", "target_date", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"))
    archive: Mapped[str] = mapped_column(String(32))
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    outcome: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    # Why this copy stands for the note's date when another rule than the
    # closest-before one chose it (content drift: see archive/choose.py).
    reason: Mapped[str | None] = mapped_column(Text)
    looked_up_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- match -----------------------------------------------------------------


class Match(Base):
    """The verdict for one quote (title or quotation) in one run.

    Every verdict is kept: when the quote's document is re-ingested, its
    quote rows are replaced and ``quote_id`` becomes NULL, while
    ``quote_key`` (see ``quote_key``) ties the verdict to the same text in
    the new rows. A quote's history is its matches by (``quote_key``,
    ``url_id``).
    """

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("run_id", "quote_id", "url_id"),
        Index("ix_matches_quote_key_url", "quote_key", "url_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="SET NULL"), index=True
    )
    # sha256 (``quote_key``): the quote's identity across re-ingests.
    quote_key: Mapped[str] = mapped_column(String(64))
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"))
    verdict: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(32))
    # Which text matched best: "live" or "archive".
    source: Mapped[str | None] = mapped_column(String(16))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    passage: Mapped[str | None] = mapped_column(Text)
    passage_start: Mapped[int | None] = mapped_column(Integer)
    passage_end: Mapped[int | None] = mapped_column(Integer)
    context: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    matched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


@event.listens_for(Match, "before_insert")
def _key_of_quote(_mapper: Mapper[Any], connection: Connection, match: Match) -> None:
    """A match added through the ORM without its key gets its quote's (the
    match stage writes its rows with the key; scripts and tests need not)."""
    if match.quote_key is not None or match.quote_id is None:
        return
    row = connection.execute(
        select(Document.path, Quote.kind, Quote.text)
        .join(Citation, Citation.id == Quote.citation_id)
        .join(Document, Document.id == Citation.document_id)
        .where(Quote.id == match.quote_id)
    ).first()
    if row is not None:
        match.quote_key = quote_key(row.path, row.kind, row.text)
