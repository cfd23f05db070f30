"""Report benchmark: rows per second and memory of ``verifier report``.

A database as a nightly run leaves it (documents, citations with a title and
a quotation each, one URL each, a check per URL, a match per quote) is
reported as CSV, at two sizes. Memory is the peak of Python allocations
while the report streams (tracemalloc), and should stay flat as the
database grows: rows are read in batches, never all at once.

The baseline, in the same run, is a bare dump: one SQL join over
documents, citations, URLs and their checks written with ``csv.writer``,
no quotes, verdicts or archive lookups. The ratio says what the report's
evidence costs over reading the rows at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from verifier.report import report_rows, write_csv
from verifier.store.database import Database
from verifier.store.models import (
    Check,
    Citation,
    CitationUrl,
    Document,
    Match,
    Quote,
    Run,
    Url,
)

SIZES = (5_000, 20_000)
PER_DOCUMENT = 200
STATUSES = ("ok", "ok", "ok", "redirected", "dead", "soft_404", "blocked", "timeout")
VERDICTS = ("exact", "exact", "fuzzy", "archive_only", "absent")


class Sink:
    """A text file that keeps nothing."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def fill(db: Database, citations: int) -> None:
    now = dt.datetime(2026, 11, 20, 2, 0)
    with db.session() as session:
        run = Run(started_at=now, finished_at=now)
        session.add(run)
        session.flush()
        documents = [
            {"id": d + 1, "path": f"essays/{d:04d}.md", "format": "markdown", "sha256": f"{d:064d}"}
            for d in range(citations // PER_DOCUMENT)
        ]
        session.execute(insert(Document), documents)
        session.execute(
            insert(Url),
            [
                {
                    "id": i + 1,
                    "url_hash": f"{i:064d}",
                    "url": f"https://news{i % 50}.example.org/story/{i}",
                    "host": f"news{i % 50}.example.org",
                    "failures_in_a_row": 0,
                }
                for i in range(citations)
            ],
        )
        session.execute(
            insert(Citation),
            [
                {
                    "id": i + 1,
                    "document_id": i // PER_DOCUMENT + 1,
                    "label": str(i % PER_DOCUMENT + 1),
                    "position": i % PER_DOCUMENT,
                    "kind": "note",
                    "raw_text": f"Author {i}, ‘Story number {i}’, <https://news{i % 50}"
                    f".example.org/story/{i}>, accessed 14 August 2022.",
                    "title": f"Story number {i}",
                    "accessed": dt.date(2022, 8, 14),
                    "sentence": f"The minister said “the figure was {i} percent”.",
                }
                for i in range(citations)
            ],
        )
        session.execute(
            insert(CitationUrl),
            [
                {
                    "citation_id": i + 1,
                    "url_id": i + 1,
                    "position": 0,
                    "written": f"https://news{i % 50}.example.org/story/{i}",
                    "inherited": False,
                }
                for i in range(citations)
            ],
        )
        quotes = []
        for i in range(citations):
            quotes.append(
                {"id": 2 * i + 1, "citation_id": i + 1, "kind": "title",
                 "text": f"Story number {i}", "position": 0}
            )  # fmt: skip
            quotes.append(
                {"id": 2 * i + 2, "citation_id": i + 1, "kind": "quotation",
                 "text": f"the figure was {i} percent", "position": 1}
            )  # fmt: skip
        session.execute(insert(Quote), quotes)
        session.execute(
            insert(Check),
            [
                {
                    "run_id": run.id,
                    "url_id": i + 1,
                    "checked_at": now,
                    "status": STATUSES[i % len(STATUSES)],
                    "http_status": 200,
                    "attempts": 1,
                }
                for i in range(citations)
            ],
        )
        session.execute(
            insert(Match),
            [
                {
                    "run_id": run.id,
                    "quote_id": q["id"],
                    "url_id": q["citation_id"],
                    "verdict": VERDICTS[q["id"] % len(VERDICTS)],
                    "score": 90.0,
                    "method": "bench",
                    "source": "live",
                    "passage": q["text"],
                    "context": f"... and {q['text']} in the end ...",
                    "matched_at": now,
                }
                for q in quotes
            ],
        )


def bare_dump(db: Database) -> int:
    """The baseline: one join, written as CSV."""
    sink = Sink()
    writer = csv.writer(sink)
    count = 0
    with db.session() as session:
        rows = session.execute(
            select(
                Document.path,
                Citation.label,
                CitationUrl.written,
                Citation.accessed,
                Check.status,
                Check.http_status,
                Check.checked_at,
                Url.failures_in_a_row,
            )
            .join(Citation, Citation.document_id == Document.id)
            .join(CitationUrl, CitationUrl.citation_id == Citation.id)
            .join(Url, Url.id == CitationUrl.url_id)
            .outerjoin(Check, Check.url_id == Url.id)
            .order_by(Document.path, Citation.position)
        )
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def report(db: Database) -> int:
    return write_csv(report_rows(db), Sink())  # type: ignore[arg-type]


def timed(func: Any, db: Database) -> tuple[float, int]:
    started = time.perf_counter()
    count = func(db)
    return time.perf_counter() - started, count


def peak_mb(func: Any, db: Database) -> float:
    tracemalloc.start()
    func(db)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(peak / 1e6, 1)


def main() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            db = Database(str(Path(folder) / f"report-{size}.db"))
            fill(db, size)
            base_seconds, base_rows = timed(bare_dump, db)
            seconds, rows = timed(report, db)
            assert rows == base_rows == size, (rows, base_rows, size)
            figures[str(size)] = {
                "rows": rows,
                "report_rows_per_s": round(rows / seconds),
                "bare_dump_rows_per_s": round(base_rows / base_seconds),
                "ratio_to_bare_dump": round(seconds / base_seconds, 2),
                "report_peak_mb": peak_mb(report, db),
                "bare_dump_peak_mb": peak_mb(bare_dump, db),
            }
            print(size, figures[str(size)], flush=True)
            db.dispose()
    small, large = (figures[str(s)]["report_peak_mb"] for s in SIZES)
    figures["peak_memory_growth"] = round(large / small, 2) if small else None
    return figures


if __name__ == "__main__":
    print(main())
