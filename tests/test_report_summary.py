"""The terminal summary at the end of ``check`` and ``audit``: counts per
status and verdict, the worst documents first, where the report went."""

from __future__ import annotations

from report_fixtures import SEED_DOC, XSS_DOC, fill
from rich.console import Console

from verifier.cli.tables import print_summary
from verifier.report import FailurePolicy, ReportSummary, report_rows, summarize
from verifier.status import status_summary
from verifier.store.database import Database


def test_counts_and_worst_documents_first(db: Database) -> None:
    fill(db)
    summary, outcome = summarize(db, FailurePolicy())
    assert summary.rows == 10 and summary.broken == 7
    assert summary.statuses["dead"] == 1 and summary.statuses["no_url"] == 1
    assert summary.title_verdicts["archive_only"] == 1
    assert summary.quote_verdicts == {"exact": 2, "absent": 1}
    assert [d.document for d in summary.worst_documents()] == [SEED_DOC, XSS_DOC]
    assert outcome.exit_code == 1 and len(outcome.failures) == 2

    console = Console(record=True, width=120)
    print_summary(console, summary, outcome=outcome, report_path="out/report.html")
    text = console.export_text()
    assert "Documents, worst first" in text
    assert text.index(SEED_DOC) < text.index(XSS_DOC)
    assert "10 citation links, 7 with problems; 2 fail the run (exit 1)" in text
    assert "report written to out/report.html" in text
    for name in ("ok", "redirected", "dead", "soft_404", "blocked", "timeout", "archive_only"):
        assert name in text


def test_only_some_documents(db: Database) -> None:
    fill(db)
    summary, outcome = summarize(db, FailurePolicy(), documents=[XSS_DOC])
    assert summary.rows == 2 and set(summary.documents) == {XSS_DOC}
    assert outcome.exit_code == 0
    assert ReportSummary.of(report_rows(db, documents=[XSS_DOC])).statuses == summary.statuses


def test_nothing_ingested(db: Database) -> None:
    summary, outcome = summarize(db, FailurePolicy())
    console = Console(record=True, width=100)
    print_summary(console, summary, outcome=outcome)
    text = console.export_text()
    assert "0 citation links, 0 with problems; nothing fails the run (exit 0)" in text


def test_status_counts_agree_with_the_report(db: Database) -> None:
    """``verifier status`` counts from the URLs' last status; the report from
    their latest check: the fetch stage keeps both, and they must agree."""
    fill(db)
    summary, _ = summarize(db, FailurePolicy())
    counted = status_summary(db)
    assert counted.statuses == summary.statuses
    assert {d.path: d.statuses for d in counted.documents} == {
        path: doc.statuses for path, doc in summary.documents.items()
    }
