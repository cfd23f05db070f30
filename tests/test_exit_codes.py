"""The contract's exit codes and the nightly options that tune them:
``--fail-on dead|quote|any`` and ``--min-failures N``."""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import LoopbackWeb
from report_fixtures import SEED_DOC, XSS_DOC, fill
from sqlalchemy import delete, update
from typer.testing import CliRunner

from verifier.cli import app
from verifier.errors import InputError
from verifier.report import FailurePolicy, judge, report_rows
from verifier.report.outcome import EXIT_FAILURES, EXIT_OK
from verifier.store.database import Database
from verifier.store.models import Check, Citation, Document, Match, Url


@pytest.fixture
def filled(db: Database) -> Database:
    fill(db)
    return db


def failing(db: Database, fail_on: list[str] | None = None, min_failures: int | None = None):  # type: ignore[no-untyped-def]
    outcome = judge(report_rows(db), FailurePolicy.from_options(fail_on, min_failures))
    return outcome.exit_code, {
        (row.document, row.note): reasons for row, reasons in outcome.failures
    }


def test_contract_rule(filled: Database) -> None:
    code, failures = failing(filled)
    assert code == EXIT_FAILURES
    # Dead (note 5) and soft-404 with an absent quotation (note 6); blocked,
    # timeout, invalid URL, no URL and unchecked links do not fail the run,
    # nor does a title found only in the archive.
    assert failures == {
        (SEED_DOC, "5"): ["dead"],
        (SEED_DOC, "6"): ["soft_404", "quote absent"],
    }


def test_fail_on_each(filled: Database) -> None:
    assert failing(filled, ["dead"])[1] == {
        (SEED_DOC, "5"): ["dead"],
        (SEED_DOC, "6"): ["soft_404"],
    }
    assert failing(filled, ["quote"])[1] == {(SEED_DOC, "6"): ["quote absent"]}
    code, failures = failing(filled, ["any"])
    assert code == EXIT_FAILURES
    assert failures == {
        (SEED_DOC, "5"): ["dead", "title archive_only"],
        (SEED_DOC, "6"): ["soft_404", "quote absent"],
        (SEED_DOC, "7"): ["blocked"],
        (SEED_DOC, "8"): ["timeout"],
        (XSS_DOC, "2"): ["invalid_url"],
    }


def test_min_failures(filled: Database) -> None:
    # Note 5 has failed 3 checks in a row, note 6 once, note 8 twice.
    assert failing(filled, ["dead"], 2)[1] == {(SEED_DOC, "5"): ["dead"]}
    assert failing(filled, ["dead"], 4) == (EXIT_OK, {})
    assert failing(filled, ["any"], 2)[1] == {
        (SEED_DOC, "5"): ["dead", "title archive_only"],
        (SEED_DOC, "6"): ["quote absent"],  # quotations do not flicker
        (SEED_DOC, "8"): ["timeout"],
    }


def test_all_fine_is_zero(filled: Database) -> None:
    with filled.session() as session:
        session.execute(update(Check).values(status="ok", http_status=200, error=None))
        session.execute(update(Url).values(failures_in_a_row=0, failing_since=None))
        session.execute(update(Match).where(Match.verdict == "absent").values(verdict="fuzzy"))
    code, failures = failing(filled)
    assert (code, failures) == (EXIT_OK, {})
    # Unchecked and URL-less citations do not fail a run: nothing was found wrong.
    rows = list(report_rows(filled))
    assert {r.status for r in rows} == {"ok", "no_url", "unchecked"}


def test_empty_database_is_zero(db: Database) -> None:
    assert failing(db) == (EXIT_OK, {})
    with db.session() as session:
        session.execute(delete(Citation))
        session.execute(delete(Document))
    assert failing(db, ["any"]) == (EXIT_OK, {})


def test_bad_options() -> None:
    with pytest.raises(InputError, match="--fail-on 'broken'"):
        FailurePolicy.from_options(["broken"])
    with pytest.raises(InputError, match="--min-failures"):
        FailurePolicy.from_options(None, 0)
    assert FailurePolicy.from_options(["dead", "quote"]) == FailurePolicy()


def test_check_command_exit_codes(tmp_path: Path, loopback: LoopbackWeb) -> None:
    """``verifier check`` judges every citation after the run, as the contract says."""
    dead = loopback.add_page("/news/old-quay", "<h1>Not Found</h1>", status=404)
    (tmp_path / "quay.md").write_text(
        f"The quay.[^1]\n\n[^1]: “The old quay”, <{dead}>, accessed 5 March 2023.\n", "utf-8"
    )
    db = str(tmp_path / "sources.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path / "quay.md"), "--db", db]).exit_code == 0
    check = ["check", "--db", db, "--allow-private-hosts", "--no-archive", "--timeout", "2"]
    result = runner.invoke(app, [*check, "--fail-on", "quote"])
    assert result.exit_code == 0, result.output
    assert "nothing fails the run (exit 0)" in result.stdout
    # The link was checked just now and is not due: judged on what is stored.
    result = runner.invoke(app, check)
    assert result.exit_code == 1, result.output
    assert "1 fails the run (exit 1)" in result.stdout
    assert "Documents, worst first" in result.stdout
    assert runner.invoke(app, [*check, "--min-failures", "2"]).exit_code == 0
    assert runner.invoke(app, [*check, "--recheck", "--min-failures", "2"]).exit_code == 1
    result = runner.invoke(app, [*check, "--fail-on", "broken"])
    assert result.exit_code == 2 and "--fail-on 'broken'" in result.output
