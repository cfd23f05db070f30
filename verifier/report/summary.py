"""Counts over report rows: what the summary at the end of ``check`` and
``audit`` (``verifier.cli.tables``) and the reports' headers show.

``ReportSummary`` is filled row by row while a report streams out, so the
summary costs no second pass over the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from verifier.report.outcome import FailurePolicy, Outcome
from verifier.report.rows import ReportRow, report_rows
from verifier.settings import IgnoreRule
from verifier.store.database import Database
from verifier.store.models import LinkStatus, Verdict

__all__ = [
    "DocumentCounts",
    "ReportSummary",
    "summarize",
]


@dataclass
class DocumentCounts:
    document: str
    rows: int = 0
    broken: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def dead(self) -> int:
        return self.statuses[LinkStatus.DEAD.value] + self.statuses[LinkStatus.SOFT_404.value]

    @property
    def absent(self) -> int:
        return self.verdicts[Verdict.ABSENT.value]

    @property
    def severity(self) -> tuple[int, int, int]:
        """Sort key, worst first: dead links, absent text, anything broken."""
        return (self.dead, self.absent, self.broken)


@dataclass
class ReportSummary:
    rows: int = 0
    broken: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    title_verdicts: Counter[str] = field(default_factory=Counter)
    quote_verdicts: Counter[str] = field(default_factory=Counter)
    documents: dict[str, DocumentCounts] = field(default_factory=dict)

    def add(self, row: ReportRow) -> None:
        self.rows += 1
        self.statuses[row.status] += 1
        if row.title_match:
            self.title_verdicts[row.title_match] += 1
        if row.quote_match:
            self.quote_verdicts[row.quote_match] += 1
        doc = self.documents.get(row.document)
        if doc is None:
            doc = self.documents[row.document] = DocumentCounts(row.document)
        doc.rows += 1
        doc.statuses[row.status] += 1
        for verdict in row.verdicts:
            doc.verdicts[verdict] += 1
        if row.is_broken:
            self.broken += 1
            doc.broken += 1

    def tally(self, rows: Iterable[ReportRow]) -> Iterator[ReportRow]:
        """Pass rows through, counting them on the way."""
        for row in rows:
            self.add(row)
            yield row

    @classmethod
    def of(cls, rows: Iterable[ReportRow]) -> ReportSummary:
        summary = cls()
        for row in rows:
            summary.add(row)
        return summary

    @property
    def verdicts(self) -> Counter[str]:
        return self.title_verdicts + self.quote_verdicts

    def worst_documents(self) -> list[DocumentCounts]:
        return sorted(
            self.documents.values(),
            key=lambda d: (*(-n for n in d.severity), d.document),
        )


def summarize(
    db: Database,
    policy: FailurePolicy,
    *,
    documents: Sequence[str] | None = None,
    ignore: Sequence[IgnoreRule] = (),
) -> tuple[ReportSummary, Outcome]:
    """Counts and the run's outcome over every row (or these documents'),
    in one streamed pass: the end of ``check``."""
    from verifier.report.ignore import apply_ignores

    summary = ReportSummary()
    outcome = Outcome(policy)
    for row in apply_ignores(report_rows(db, documents=documents), ignore):
        summary.add(row)
        outcome.add(row)
    return summary, outcome
