"""What to fix in a document: each cited URL whose link is broken and that
has a chosen archived copy.

The copy is the one the report shows (``verifier.report.rows``: the archive
stage's choice, closest to the note's accessed date), so ``fix`` writes
into the document exactly what ``report`` lists in ``archive_url`` and
``archive_date``. Not planned: a URL the note only inherits ("Ibid.", a
reused wikitext ref: the archived copy goes where the URL is written), and a
URL for which the document already gives an archived copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from verifier.report.rows import report_rows
from verifier.store.database import Database
from verifier.store.models import Citation, CitationUrl, Document, LinkStatus
from verifier.vocabulary import FINE

__all__ = ["DEFAULT_STATUSES", "Repair", "plan_repairs"]

DEFAULT_STATUSES = frozenset({LinkStatus.DEAD.value, LinkStatus.SOFT_404.value})
# Statuses of a link that works: ``url-status=live`` in wikitext.


@dataclass(frozen=True)
class Repair:
    """One archived copy to write next to one URL of one note."""

    label: str
    # The citation's place in the document (its order among citations).
    position: int
    url: str
    status: str
    archive_url: str
    archive_date: dt.date
    raw_text: str

    @property
    def live(self) -> bool:
        return self.status in FINE


def plan_repairs(db: Database, document: str, statuses: Collection[str] | None) -> list[Repair]:
    """The repairs for one stored document, in document order; ``statuses``
    None means every status (``--all``)."""
    with db.session() as session:
        doc_id = session.scalar(select(Document.id).where(Document.path == document))
        if doc_id is None:
            return []
        # (label, written URL) pairs the document already archives itself
        given = {
            (label, written)
            for label, written in session.execute(
                select(Citation.label, CitationUrl.written)
                .join(CitationUrl, CitationUrl.citation_id == Citation.id)
                .where(Citation.document_id == doc_id, CitationUrl.archive_url.is_not(None))
            )
        }
    repairs: list[Repair] = []
    position = -1
    last: tuple[str, str] | None = None
    for row in report_rows(db, documents=[document]):
        key = (row.note, row.detail.note_text)
        if key != last:
            position += 1
            last = key
        if not row.url or row.archive_url is None or row.archive_date is None:
            continue
        if statuses is not None and row.status not in statuses:
            continue
        if row.detail.inherited_from is not None or (row.note, row.url) in given:
            continue
        repairs.append(
            Repair(
                label=row.note,
                position=position,
                url=row.url,
                status=row.status,
                archive_url=row.archive_url,
                archive_date=row.archive_date,
                raw_text=row.detail.note_text,
            )
        )
    return repairs
