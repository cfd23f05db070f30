"""``verifier status``: what is in the database, per document and overall."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from verifier.store.database import Database
from verifier.store.models import Attribution, Citation, CitationUrl, Document, LinkStatus, Url

__all__ = ["DocumentStatus", "StatusSummary", "status_summary"]


@dataclass
class DocumentStatus:
    path: str
    format: str
    citations: int = 0
    # Counts per link status over (citation, URL) rows, as the report lists them.
    statuses: Counter[str] = field(default_factory=Counter)
    attributions: list[tuple[str, str]] = field(default_factory=list)
    warnings: str | None = None


@dataclass
class StatusSummary:
    documents: list[DocumentStatus]
    urls: int

    @property
    def statuses(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for doc in self.documents:
            total.update(doc.statuses)
        return total

    @property
    def citations(self) -> int:
        return sum(doc.citations for doc in self.documents)


def status_summary(db: Database) -> StatusSummary:
    with db.session() as session:
        docs = {
            d.id: DocumentStatus(path=d.path, format=d.format, warnings=d.warnings)
            for d in session.scalars(select(Document).order_by(Document.path))
        }
        for doc_id, count in session.execute(
            select(Citation.document_id, func.count()).group_by(Citation.document_id)
        ):
            docs[doc_id].citations = count
        # (citation, URL) rows by the URL's latest status.
        for doc_id, status, count in session.execute(
            select(Citation.document_id, Url.last_status, func.count())
            .join(CitationUrl, CitationUrl.citation_id == Citation.id)
            .join(Url, Url.id == CitationUrl.url_id)
            .group_by(Citation.document_id, Url.last_status)
        ):
            docs[doc_id].statuses[status or LinkStatus.UNCHECKED.value] += count
        # Citations without any URL report as one no_url row each.
        has_url = select(CitationUrl.citation_id).distinct()
        for doc_id, count in session.execute(
            select(Citation.document_id, func.count())
            .where(Citation.id.not_in(has_url))
            .group_by(Citation.document_id)
        ):
            docs[doc_id].statuses[LinkStatus.NO_URL.value] += count
        for doc_id, sentence, cue in session.execute(
            select(Attribution.document_id, Attribution.sentence, Attribution.cue).order_by(
                Attribution.document_id, Attribution.position
            )
        ):
            docs[doc_id].attributions.append((cue, sentence))
        urls = session.scalar(select(func.count()).select_from(Url)) or 0
    return StatusSummary(documents=list(docs.values()), urls=urls)
