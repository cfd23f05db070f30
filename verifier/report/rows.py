"""The one result model every report reads: a ``ReportRow`` per (citation, URL).

Every formatter (CSV, JSON, Markdown, HTML), the exit-code rule and the
terminal summary read these rows, so "what is broken" is decided once.

A row's columns are exactly those of docs/contract.md, in that order
(``COLUMNS``); ``detail`` carries the evidence the human-facing reports show
beside them (the note's text, the citing sentence, the matched passage in its
context) and is never written to the CSV.

Rows are built from the database in batches of citations, so a report over
hundreds of thousands of citations never holds them all in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from verifier.errors import InputError
from verifier.store.database import Database
from verifier.store.documents import find_document
from verifier.store.models import (
    Attribution,
    Check,
    Citation,
    CitationUrl,
    Document,
    LinkStatus,
    Match,
    Quote,
    QuoteKind,
    Snapshot,
    Url,
    Verdict,
)
from verifier.store.records import in_ids, records
from verifier.store.statistics import refresh_statistics
from verifier.vocabulary import FINE, MISSING

__all__ = [
    "COLUMNS",
    "QuoteEvidence",
    "ReportRow",
    "RowDetail",
    "UnsourcedAttribution",
    "format_timestamp",
    "report_rows",
    "resolve_document",
    "unsourced_attributions",
    "worst_verdict",
]

COLUMNS: tuple[str, ...] = (
    "document",
    "note",
    "url",
    "accessed",
    "status",
    "http_status",
    "final_url",
    "archive_url",
    "archive_date",
    "title",
    "title_match",
    "quote",
    "quote_match",
    "match_score",
    "checked_at",
    "failing_since",
    "failures_in_a_row",
    "error",
)

# Worst-of order. ``unchecked`` sits between the found and the not-found
# verdicts: a set of quotes of which one was never compared is not "exact",
# but nothing shows it is missing either.
_VERDICT_RANK = {
    Verdict.EXACT.value: 0,
    Verdict.FUZZY.value: 1,
    Verdict.UNCHECKED.value: 2,
    Verdict.ARCHIVE_ONLY.value: 3,
    Verdict.ABSENT.value: 4,
}

QUOTE_SEPARATOR = " | "

# Values read once per row, as plain strings.
_TITLE = QuoteKind.TITLE.value
_UNCHECKED = Verdict.UNCHECKED.value
_NO_URL = LinkStatus.NO_URL.value
_NOT_CHECKED = LinkStatus.UNCHECKED.value

# Citations per batch: each batch is a handful of queries, each sending its
# ids as one value (``in_ids``).
_BATCH = 400

# The tables a report reads, whose planner statistics it keeps fresh.
_TABLES_READ = (
    "documents",
    "citations",
    "citation_urls",
    "urls",
    "quotes",
    "matches",
    "checks",
    "snapshots",
    "archive_lookups",
)


def worst_verdict(verdicts: Iterable[str]) -> str:
    """The worst of several match verdicts ("" when there are none)."""
    worst = ""
    for verdict in verdicts:
        if not worst or _VERDICT_RANK.get(verdict, 2) > _VERDICT_RANK.get(worst, 2):
            worst = verdict
    return worst


def format_timestamp(value: dt.datetime | None) -> str:
    """ISO 8601 in UTC to the second (the database keeps naive UTC)."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


@dataclass(frozen=True)
class QuoteEvidence:
    """What matching found for one title or quotation: the evidence an
    editor needs to trust (or overrule) the verdict."""

    kind: str
    text: str
    verdict: str
    score: float | None = None
    # "live" or "archive": which text the passage comes from.
    source: str | None = None
    passage: str | None = None
    context: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RowDetail:
    """Evidence shown by the Markdown and HTML reports, not a CSV column."""

    note_text: str = ""
    sentence: str | None = None
    quotes: tuple[QuoteEvidence, ...] = ()
    # The archive the snapshot came from ("wayback", "document", ...).
    archive: str | None = None
    # Why the link itself failed (the check's error), without the text verdicts.
    link_error: str | None = None
    # The earlier note whose URL this one repeats ("Ibid.", "See note 41").
    inherited_from: str | None = None
    # Where the note is in the document (1-based; see verifier.store.locate).
    line: int | None = None
    column: int | None = None
    # Why this row is ignored (an ignore rule's reason): reported, never a failure.
    ignored: str | None = None
    # What the archive lookup says beside the copy shown (or its absence):
    # "archive unreachable: web.archive.org", "no archived copy found", or
    # why a copy after the accessed date was used. Also ends ``error``.
    archive_note: str | None = None


@dataclass(frozen=True)
class ReportRow:
    """One (citation, URL) row with exactly the contract's columns."""

    document: str
    note: str
    url: str
    accessed: dt.date | None
    status: str
    http_status: int | None
    final_url: str | None
    archive_url: str | None
    archive_date: dt.date | None
    title: str | None
    title_match: str
    quote: str
    quote_match: str
    match_score: float | None
    checked_at: dt.datetime | None
    failing_since: dt.datetime | None
    failures_in_a_row: int | None
    error: str | None
    detail: RowDetail = field(default_factory=RowDetail, compare=False, repr=False)

    @property
    def is_broken(self) -> bool:
        """Listed by ``--only broken``: any status but ok/redirected, or a
        title or quotation that is absent or only in the archive."""
        return self.status not in FINE or self.title_match in MISSING or self.quote_match in MISSING

    @property
    def verdicts(self) -> tuple[str, ...]:
        return tuple(v for v in (self.title_match, self.quote_match) if v)

    def as_record(self) -> dict[str, Any]:
        """The columns with JSON-friendly values (None for empty)."""
        return {
            "document": self.document,
            "note": self.note,
            "url": self.url or None,
            "accessed": self.accessed.isoformat() if self.accessed else None,
            "status": self.status,
            "http_status": self.http_status,
            "final_url": self.final_url or None,
            "archive_url": self.archive_url or None,
            "archive_date": self.archive_date.isoformat() if self.archive_date else None,
            "title": self.title or None,
            "title_match": self.title_match or None,
            "quote": self.quote or None,
            "quote_match": self.quote_match or None,
            "match_score": self.match_score,
            "checked_at": format_timestamp(self.checked_at) or None,
            "failing_since": format_timestamp(self.failing_since) or None,
            "failures_in_a_row": self.failures_in_a_row,
            "error": self.error or None,
        }

    def as_strings(self) -> dict[str, str]:
        """The columns as CSV cells: empty string for nothing."""
        record = self.as_record()
        cells: dict[str, str] = {}
        for name in COLUMNS:
            value = record[name]
            if value is None:
                cells[name] = ""
            elif isinstance(value, float):
                cells[name] = f"{value:g}"
            else:
                cells[name] = str(value)
        return cells


@dataclass(frozen=True)
class UnsourcedAttribution:
    """A sentence in a document that credits a source without citing it."""

    document: str
    sentence: str
    cue: str
    source: str | None


# --- building rows ----------------------------------------------------------

SnapshotFinder = Callable[[Session, int, "dt.date | None"], Any]
# A row read with SQLAlchemy Core: columns as attributes.
DbRow = Any


def _snapshot_finder() -> SnapshotFinder | None:
    """The archive stage's choice of copy (``verifier.archive.best_snapshot``)."""
    from verifier.archive import best_snapshot

    return best_snapshot


def _archive_notes(session: Session, url_ids: list[int]) -> dict[Any, Any]:
    """The archive stage's ``archive_notes`` for these URLs."""
    from verifier.archive import archive_notes

    return archive_notes(session, url_ids)


def resolve_document(db: Database, document: str) -> str:
    """The stored path of ``--document``; ``InputError`` when it was never ingested."""
    with db.session() as session:
        found = session.get(Document, _document_id(session, document))
        assert found is not None
        return found.path


def _document_id(session: Session, document: str) -> int:
    """The id of ``document``, however its path is spelled."""
    stored = find_document(session, document)
    if stored is None:
        known = session.scalars(select(Document.path).order_by(Document.path).limit(10)).all()
        hint = f"; ingested: {', '.join(known)}" if known else "; nothing is ingested yet"
        raise InputError(f"--document {document!r}: no such document in the database{hint}")
    return stored.id


def _score(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _latest_matches(session: Session, quote_ids: list[int]) -> dict[tuple[int, int], DbRow]:
    """The newest Match per (quote, URL) for these quotes.

    Two index lookups, not ``id IN (SELECT max(id) ...)``: PostgreSQL plans
    that as a hash join over a scan of the whole ``matches`` table, once per
    batch, so a report's time grew with the square of the database.
    """
    if not quote_ids:
        return {}
    newest = (
        session.connection()
        .scalars(
            select(func.max(Match.id))
            .where(in_ids(session, Match.quote_id, quote_ids))
            .group_by(Match.quote_id, Match.url_id)
        )
        .all()
    )
    return {
        (m.quote_id, m.url_id): m
        for m in _rows_by_id(session, Match.__table__, newest, _MATCH_COLUMNS)
    }


def _latest_checks(session: Session, url_ids: list[int]) -> dict[int, DbRow]:
    """The newest Check per URL (two index lookups, as ``_latest_matches``)."""
    if not url_ids:
        return {}
    newest = (
        session.connection()
        .scalars(
            select(func.max(Check.id))
            .where(in_ids(session, Check.url_id, url_ids))
            .group_by(Check.url_id)
        )
        .all()
    )
    return {c.url_id: c for c in _rows_by_id(session, Check.__table__, newest, _CHECK_COLUMNS)}


# The columns a row is built from (a check's redirect chain, a match's
# bookkeeping are not read).
_CHECK_COLUMNS = ("id", "url_id", "status", "http_status", "final_url", "error", "checked_at")
_MATCH_COLUMNS = (
    *("id", "quote_id", "url_id", "verdict", "score"),
    *("source", "passage", "context", "reason"),
)


def _rows_by_id(
    session: Session, table: Any, ids: Sequence[int], columns: Sequence[str]
) -> list[DbRow]:
    """These ``columns`` of the rows of ``table`` with these primary keys
    (one batch's: the ids go as one value, ``in_ids``)."""
    selected = select(*(table.c[name] for name in columns)).where(in_ids(session, table.c.id, ids))
    # fetched at once: a row at a time costs a call into the driver each
    return records(session.connection().execute(selected))


def _archived_urls(session: Session, url_ids: list[int]) -> set[int]:
    """Which of these URLs have an archived copy with text."""
    if not url_ids:
        return set()
    return set(
        session.connection().scalars(
            select(Snapshot.url_id)
            .where(in_ids(session, Snapshot.url_id, url_ids), Snapshot.content_hash.is_not(None))
            .distinct()
        )
    )


def _error_text(
    status: str, check: DbRow | None, problem: str | None, evidence: list[QuoteEvidence]
) -> str | None:
    """A short human-readable reason, when the row is not simply fine."""
    parts: list[str] = []
    if status not in FINE:
        if check is not None and check.error:
            parts.append(check.error)
        elif problem:
            parts.append(problem)
        elif status == LinkStatus.NO_URL.value:
            parts.append("the note gives no URL")
        elif status == LinkStatus.UNCHECKED.value:
            parts.append("not checked yet")
    for ev in evidence:
        if ev.verdict in MISSING:
            what = "title" if ev.kind == QuoteKind.TITLE.value else "quote"
            reason = ev.reason or (
                "only in the archived copy"
                if ev.verdict == Verdict.ARCHIVE_ONLY.value
                else "not found in the page"
            )
            parts.append(f"{what} {ev.verdict}: {reason}")
    return "; ".join(parts) or None


def _may_fail(
    url_ids: list[int], checks: dict[int, DbRow], matches: dict[tuple[int, int], DbRow]
) -> list[int]:
    """Those of ``url_ids`` whose rows may have an error: the latest check
    failed or there is none, or a verdict is absent or archive-only."""
    failing = {url_id for url_id in url_ids if url_id not in checks}
    failing.update(url_id for url_id, check in checks.items() if check.status not in FINE)
    failing.update(url_id for (_, url_id), match in matches.items() if match.verdict in MISSING)
    return sorted(failing)


def _by_citation(session: Session, table: Any, citation_ids: list[int]) -> dict[int, list[DbRow]]:
    """The rows of ``table`` (links, quotes) of these citations, by citation,
    each citation's in position order."""
    found: dict[int, list[DbRow]] = {}
    for row in records(
        session.connection().execute(
            select(table)
            .where(in_ids(session, table.c.citation_id, citation_ids))
            .order_by(table.c.citation_id, table.c.position)
        )
    ):
        found.setdefault(row.citation_id, []).append(row)
    return found


def _rows_for_batch(
    session: Session,
    citation_ids: list[int],
    finder: SnapshotFinder | None,
    paths: dict[int, str],
) -> Iterator[ReportRow]:
    # Plain rows (named tuples: ``records``), not ORM objects: a report reads
    # many and changes none.
    # Each document's path comes from ``paths`` (read once), not a join per
    # batch, which hashed the whole ``documents`` table every time.
    citations = {
        c.id: c
        for c in records(
            session.connection().execute(
                select(Citation.__table__).where(in_ids(session, Citation.id, citation_ids))
            )
        )
    }
    links = _by_citation(session, CitationUrl.__table__, citation_ids)
    url_ids = sorted({link.url_id for found in links.values() for link in found})
    urls = {
        u.id: u
        for u in records(
            session.connection().execute(
                select(Url.id, Url.failing_since, Url.failures_in_a_row).where(
                    in_ids(session, Url.id, url_ids)
                )
            )
        )
    }
    quotes = _by_citation(session, Quote.__table__, citation_ids)
    matches = _latest_matches(session, [q.id for qs in quotes.values() for q in qs])
    checks = _latest_checks(session, url_ids)

    # Only URLs with a stored copy are asked about (most links never need
    # one), and citations of one URL with one accessed date share one answer.
    archived = _archived_urls(session, url_ids) if finder is not None else set()
    snapshots: dict[tuple[int, dt.date | None], Any] = {}
    # What each lookup says beside the copy (or its absence): the archive
    # stage's wording (``verifier.archive.archive_notes``), read for the URLs
    # whose rows can have an error to add it to (a failed or missing check,
    # a title or quotation not found).
    notes = _archive_notes(session, _may_fail(url_ids, checks, matches))
    for citation_id in citation_ids:
        citation = citations[citation_id]
        cited = quotes.get(citation_id, [])
        pairs: list[tuple[DbRow | None, DbRow | None]] = [
            (link, urls[link.url_id]) for link in links.get(citation_id, [])
        ] or [(None, None)]
        for link, url in pairs:
            check = checks.get(url.id) if url is not None else None
            if url is None:
                status = _NO_URL
            elif check is None:
                status = _NOT_CHECKED
            else:
                status = check.status

            # A note citing several sources: each URL is judged on its own
            # title, with the accessed date written for it.
            own_title = link.title if link is not None else None
            accessed = (link.accessed if link is not None else None) or citation.accessed
            evidence: list[QuoteEvidence] = []
            for quote in cited:
                if own_title and quote.kind == _TITLE and quote.text != own_title:
                    continue
                match = matches.get((quote.id, url.id)) if url is not None else None
                evidence.append(
                    QuoteEvidence(
                        kind=quote.kind,
                        text=quote.text,
                        verdict=match.verdict if match else _UNCHECKED,
                        score=_score(match.score) if match else None,
                        source=match.source if match else None,
                        passage=match.passage if match else None,
                        context=match.context if match else None,
                        reason=match.reason if match else None,
                    )
                )
            titles = [e for e in evidence if e.kind == _TITLE]
            quotations = [e for e in evidence if e.kind != _TITLE]
            # An unchecked verdict's score measured nothing: it does not count.
            scores = [e.score for e in evidence if e.score is not None and e.verdict != _UNCHECKED]

            archive_url: str | None = None
            archive_date: dt.date | None = None
            archive_name: str | None = None
            snapshot_id: int | None = None
            if url is not None and finder is not None and url.id in archived:
                key = (url.id, accessed)
                if key not in snapshots:
                    snapshots[key] = finder(session, url.id, accessed)
                snapshot = snapshots[key]
                if snapshot is not None:
                    snapshot_id = snapshot.id
                    archive_url = snapshot.snapshot_url
                    archive_date = snapshot.captured_at.date()
                    archive_name = snapshot.archive
            if archive_url is None and link is not None and link.archive_url:
                archive_url, archive_date = link.archive_url, link.archive_date
                archive_name = "document"

            error = _error_text(status, check, citation.problem, evidence)
            note = notes.get((url.id, accessed)) if url is not None and error else None
            archive_note = note.text if note and note.applies(snapshot_id, archive_url) else None
            title = own_title or citation.title or (titles[0].text if titles else None)
            yield ReportRow(
                document=paths[citation.document_id],
                note=citation.label,
                url=link.written if link is not None else "",
                accessed=accessed,
                status=status,
                http_status=check.http_status if check is not None else None,
                final_url=check.final_url if check is not None else None,
                archive_url=archive_url,
                archive_date=archive_date,
                title=title,
                title_match=worst_verdict(e.verdict for e in titles),
                quote=QUOTE_SEPARATOR.join(e.text for e in quotations),
                quote_match=worst_verdict(e.verdict for e in quotations),
                match_score=min(scores) if scores else None,
                checked_at=check.checked_at if check is not None else None,
                failing_since=url.failing_since if url is not None else None,
                failures_in_a_row=(url.failures_in_a_row or 0) if url is not None else None,
                error="; ".join(filter(None, (error, archive_note))) or None,
                detail=RowDetail(
                    note_text=citation.raw_text,
                    sentence=citation.sentence,
                    quotes=tuple(evidence),
                    archive=archive_name,
                    link_error=_error_text(status, check, citation.problem, []),
                    line=citation.line,
                    column=citation.column,
                    inherited_from=(
                        citation.inherits_from if link is not None and link.inherited else None
                    ),
                    archive_note=archive_note,
                ),
            )


def _document_ids(
    session: Session, document: str | None, documents: Sequence[str] | None
) -> list[int] | None:
    """Ids of the documents asked for; None for every document."""
    if document is None and documents is None:
        return None
    wanted = ([document] if document is not None else []) + list(documents or [])
    return [_document_id(session, name) for name in wanted]


def report_rows(
    db: Database,
    *,
    only_broken: bool = False,
    document: str | None = None,
    documents: Sequence[str] | None = None,
) -> Iterator[ReportRow]:
    """Every ingested citation as report rows, documents by path, notes in
    document order; checked or not (an unchecked link has status
    ``unchecked``, a citation without a URL one ``no_url`` row).

    Rows are read in batches of citations: memory stays flat however large
    the database.
    """
    finder = _snapshot_finder()
    with db.session() as session:
        # Fresh planner statistics (PostgreSQL), committed before the long
        # read: without them every batch's ``IN (...)`` scans whole tables.
        refresh_statistics(session, _TABLES_READ)
    with db.session() as session:
        # Documents in path order (a few bytes each), then each document's
        # citations in note order, gathered into batches: memory follows the
        # number of documents and the batch, not the number of citations.
        docs = select(Document.id, Document.path).order_by(Document.path)
        ids_wanted = _document_ids(session, document, documents)
        if ids_wanted is not None:
            docs = docs.where(Document.id.in_(ids_wanted))
        paths: dict[int, str] = {doc_id: path for doc_id, path in session.execute(docs)}
        batch: list[int] = []
        for document_id in paths:
            batch += session.connection().scalars(
                select(Citation.id)
                .where(Citation.document_id == document_id)
                .order_by(Citation.position)
            )
            while len(batch) >= _BATCH:
                yield from _batch_rows(session, batch[:_BATCH], finder, only_broken, paths)
                del batch[:_BATCH]
        if batch:
            yield from _batch_rows(session, batch, finder, only_broken, paths)


def _batch_rows(
    session: Session,
    ids: list[int],
    finder: SnapshotFinder | None,
    only_broken: bool,
    paths: dict[int, str],
) -> Iterator[ReportRow]:
    for row in _rows_for_batch(session, ids, finder, paths):
        if not only_broken or row.is_broken:
            yield row
    # Forget the batch's objects so the identity map stays small.
    session.expunge_all()


def unsourced_attributions(
    db: Database, *, document: str | None = None, documents: Sequence[str] | None = None
) -> list[UnsourcedAttribution]:
    """Each document's sentences that credit a source without citing it."""
    with db.session() as session:
        stmt = (
            select(Document.path, Attribution.sentence, Attribution.cue, Attribution.source)
            .join(Document, Document.id == Attribution.document_id)
            .order_by(Document.path, Attribution.position)
        )
        ids_wanted = _document_ids(session, document, documents)
        if ids_wanted is not None:
            stmt = stmt.where(Attribution.document_id.in_(ids_wanted))
        return [
            UnsourcedAttribution(document=path, sentence=sentence, cue=cue, source=source)
            for path, sentence, cue, source in session.execute(stmt)
        ]
