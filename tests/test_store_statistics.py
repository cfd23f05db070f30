"""Planner statistics on PostgreSQL (verifier.store.statistics): the tables a
bulk write left unanalyzed are analyzed before a report reads them, so that
each batch's ``IN (...)`` uses the indexes instead of scanning whole tables."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import insert, text

from verifier.report import report_rows
from verifier.store.database import Database
from verifier.store.models import Citation, Document
from verifier.store.statistics import refresh_statistics, stale_tables


def _bulk_citations(db: Database, count: int, path: str = "bulk.txt") -> None:
    with db.session() as session:
        document = Document(path=path, format="text", sha256="0" * 64)
        session.add(document)
        session.flush()
        session.execute(
            insert(Citation),
            [
                {
                    "document_id": document.id,
                    "label": str(n),
                    "position": n,
                    "kind": "note",
                    "raw_text": f"note {n}",
                }
                for n in range(count)
            ],
        )


def _statistics(db: Database, table: str) -> tuple[int, float, bool]:
    """(rows changed since the last analyze, the planner's row count, analyzed?)"""
    with db.session() as session:
        row = session.execute(
            text(
                "SELECT s.n_mod_since_analyze, c.reltuples,"
                " s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL"
                " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
                " WHERE s.relid = to_regclass(:table)"
            ),
            {"table": table},
        ).one()
        return int(row[0]), float(row[1]), bool(row[2])


def _counted(db: Database, table: str, at_least: int) -> None:
    """Wait for the server's statistics collector to count the writes."""
    deadline = time.monotonic() + 10
    while _statistics(db, table)[0] < at_least:
        assert time.monotonic() < deadline, "the writes were never counted"
        time.sleep(0.1)


def test_a_bulk_written_table_is_analyzed_once(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        _bulk_citations(db, 400)
        _counted(db, "citations", 400)
        with db.session() as session:
            stale = stale_tables(session, ["citations", "quotes", "no_such_table"])
        # quotes is empty and unchanged; an unknown name is no error.
        assert [name.rsplit(".", 1)[-1] for name in stale] == ["citations"]
        with db.session() as session:
            assert refresh_statistics(session, ["citations", "quotes"]) == stale
        changed, estimated, analyzed = _statistics(db, "citations")
        assert analyzed and changed == 0 and estimated == 400
        # Fresh now: nothing to do, however often asked.
        with db.session() as session:
            assert refresh_statistics(session, ["citations", "quotes"]) == []
        # 150 more rows: past 50 + 10 % of 400, not past 50 + 100 % (ingest's
        # scale: analyzed again once a table has doubled).
        _bulk_citations(db, 150, path="more.txt")
        _counted(db, "citations", 150)
        with db.session() as session:
            assert stale_tables(session, ["citations"], scale=1.0) == []
            assert refresh_statistics(session, ["citations"], scale=1.0) == []
            assert refresh_statistics(session, ["citations"]) == stale
    finally:
        db.dispose()


def test_a_report_reads_with_fresh_statistics(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        _bulk_citations(db, 300)
        _counted(db, "citations", 300)
        assert not _statistics(db, "citations")[2]
        assert sum(1 for _row in report_rows(db)) == 300
        _changed, estimated, analyzed = _statistics(db, "citations")
        assert analyzed and estimated == 300
    finally:
        db.dispose()


def test_nothing_to_do_on_sqlite(tmp_path: Path) -> None:
    with Database(str(tmp_path / "sources.db")) as db:
        _bulk_citations(db, 100)
        with db.session() as session:
            assert stale_tables(session, ["citations"]) == []
            assert refresh_statistics(session, ["citations"]) == []
