"""What changed between runs: a link that breaks, one that recovers, a
quotation that drifts, a link skipped by the second run, and ``--since``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from loopback import LoopbackWeb, Page, article
from report_fixtures import (
    SEED_DOC,
    _quote,
    _url_id,
    add_check,
    add_match,
    ingest_fixture_documents,
)
from sqlalchemy import select
from typer.testing import CliRunner

from verifier.check import run_check
from verifier.cli import app
from verifier.errors import InputError
from verifier.ingest import ingest_paths
from verifier.report import diff_runs, list_runs
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Run

NIGHT = dt.datetime(2026, 11, 20, 2, 0)


def night(db: Database, number: int, checks: dict[str, tuple[str, int | None, int]]) -> int:
    """Record run ``number`` (a night) with checks: note -> (status, HTTP, failures in a row)."""
    with db.session() as session:
        started = NIGHT + dt.timedelta(days=number)
        run = Run(started_at=started, finished_at=started + dt.timedelta(minutes=3))
        session.add(run)
        session.flush()
        for note, (status, http, failures) in checks.items():
            add_check(
                session, run, _url_id(session, SEED_DOC, note), status, http,
                error=None if status == "ok" else f"{status} on night {number}",
                failures=failures, failing_since=started if failures else None,
            )  # fmt: skip
        return run.id


def quote_verdict(db: Database, run_id: int, note: str, verdict: str, reason: str | None) -> None:
    with db.session() as session:
        run = session.get(Run, run_id)
        assert run is not None
        add_match(
            session, run, _quote(session, SEED_DOC, note, "quotation"),
            _url_id(session, SEED_DOC, note), verdict, 100.0 if verdict == "exact" else 60.0,
            reason=reason,
        )  # fmt: skip


@pytest.fixture
def nights(db: Database) -> tuple[Database, list[int]]:
    ingest_fixture_documents(db)
    first = night(
        db,
        1,
        {
            "2": ("ok", 200, 0),
            "3": ("ok", 200, 0),
            "5": ("dead", 404, 1),
            "8": ("timeout", None, 1),
        },
    )
    quote_verdict(db, first, "2", "exact", None)
    quote_verdict(db, first, "6", "exact", None)
    # Night 2: note 3 breaks, note 5 comes back, note 8 is still timing out,
    # note 2 is skipped (checked recently) and keeps its state; the quotation
    # of note 2 is no longer in the page, only in the archive.
    second = night(
        db, 2, {"3": ("dead", 404, 1), "5": ("ok", 200, 0), "8": ("timeout", None, 2)}
    )  # fmt: skip
    quote_verdict(db, second, "2", "archive_only", "only in the archived copy of 2022-08-14")
    # Night 3: nothing changes but note 7, new and blocked.
    third = night(db, 3, {"3": ("dead", 404, 2), "7": ("blocked", 403, 1)})
    return db, [first, second, third]


def test_previous_run(nights: tuple[Database, list[int]]) -> None:
    db, (first, second, _third) = nights
    diff = diff_runs(db, run=second)
    assert diff.run is not None and diff.run.id == second and diff.run.checks == 3
    assert diff.since is not None and diff.since.id == first
    assert [(c.url.split("/")[2], c.before, c.after) for c in diff.newly_broken] == [
        ("www.fmprc.gov.cn", "ok", "dead")
    ]
    assert diff.newly_broken[0].cited_by == ((SEED_DOC, "3"),)
    assert diff.newly_broken[0].error == "dead on night 2"
    assert [(c.url.split("/")[2], c.before, c.after) for c in diff.recovered] == [
        ("thediplomat.com", "dead", "ok")
    ]
    assert diff.still_broken == 1  # note 8, timing out both nights
    assert [(t.note, t.kind, t.before, t.after, t.reason) for t in diff.newly_drifted] == [
        ("2", "quotation", "exact", "archive_only", "only in the archived copy of 2022-08-14")
    ]


def test_newest_run_by_default(nights: tuple[Database, list[int]]) -> None:
    db, (_first, second, third) = nights
    diff = diff_runs(db)
    assert diff.run is not None and diff.run.id == third
    assert diff.since is not None and diff.since.id == second
    assert [(c.before, c.after) for c in diff.newly_broken] == [(None, "blocked")]
    assert diff.recovered == [] and diff.newly_drifted == []
    # Note 3 (dead again) and note 8 (not rechecked, still timing out).
    assert diff.still_broken == 2


def test_since(nights: tuple[Database, list[int]]) -> None:
    db, (first, second, third) = nights
    diff = diff_runs(db, since=first)
    assert diff.since is not None and diff.since.id == first
    assert sorted(c.after for c in diff.newly_broken) == ["blocked", "dead"]
    assert [c.before for c in diff.recovered] == ["dead"]
    assert len(diff.newly_drifted) == 1
    with pytest.raises(InputError, match="no such run"):
        diff_runs(db, since=99)
    with pytest.raises(InputError, match="older than"):
        diff_runs(db, since=third)
    assert [r.id for r in list_runs(db)] == [third, second, first]


def test_no_runs(db: Database) -> None:
    diff = diff_runs(db)
    assert diff.run is None and not diff.changed
    with pytest.raises(InputError):
        diff_runs(db, since=1)


def test_status_command(nights: tuple[Database, list[int]], db_url: str) -> None:
    db, (first, second, _third) = nights
    runner = CliRunner()
    result = runner.invoke(app, ["status", "--db", db_url], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"Changes since run {second}" in result.stdout
    assert "1 newly broken, 0 recovered, 0 newly drifted, 2 still broken" in result.stdout
    result = runner.invoke(
        app, ["status", "--db", db_url, "--since", str(first)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "2 newly broken, 1 recovered, 1 newly drifted, 1 still broken" in result.stdout
    assert "thediplomat.com" in result.stdout  # the recovered link
    assert "only in the archived copy of 2022-08-14" in result.stdout
    result = runner.invoke(app, ["status", "--db", db_url, "--since", "42"])
    assert result.exit_code == 2
    with db.session() as session:
        assert len(session.scalars(select(Run)).all()) == 3


def test_two_real_runs(db: Database, tmp_path: Path, loopback: LoopbackWeb) -> None:
    """Two nights against the loopback web: one link breaks, one recovers,
    one quotation disappears from its page."""
    breaks = loopback.add_sequence(
        "/news/breaks",
        [Page(200, article("Quay repairs", "The quay was repaired in May.")), Page(404, "gone")],
    )
    recovers = loopback.add_sequence(
        "/news/recovers",
        [Page(503, "down"), Page(200, article("Harbour dues", "Dues rose in March."))],
    )
    drifts = loopback.add_sequence(
        "/news/drifts",
        [
            Page(200, article("Fish prices", "Herring prices doubled in one winter.")),
            Page(200, article("Fish prices", "This story has been updated.")),
        ],
    )
    (tmp_path / "harbour.md").write_text(
        "Repairs.[^1] Dues.[^2] Prices “doubled in one winter”.[^3]\n\n"
        f"[^1]: “Quay repairs”, <{breaks}>.\n"
        f"[^2]: “Harbour dues”, <{recovers}>.\n"
        f"[^3]: “Fish prices”, <{drifts}>.\n",
        "utf-8",
    )
    assert ingest_paths(db, [str(tmp_path / "harbour.md")]).ok
    settings = Settings(allow_private_hosts=True, archive=False, retries=0, min_interval=0.0)
    first = run_check(db, settings)
    assert first.counts == {"ok": 2, "server_error": 1}
    second = run_check(db, settings, recheck=True)
    assert second.counts == {"ok": 2, "dead": 1}

    diff = diff_runs(db)
    assert diff.since is not None and diff.since.id == first.run_id
    assert [(c.url, c.before, c.after) for c in diff.newly_broken] == [(breaks, "ok", "dead")]
    assert [(c.url, c.before, c.after) for c in diff.recovered] == [
        (recovers, "server_error", "ok")
    ]
    assert [(t.note, t.kind, t.before, t.after) for t in diff.newly_drifted] == [
        ("3", "quotation", "exact", "absent")
    ]
    assert diff.newly_broken[0].cited_by == ((str(tmp_path / "harbour.md"), "1"),)


def test_min_failures_reports_a_link_once(nights: tuple[Database, list[int]], db_url: str) -> None:
    """With --min-failures 2 a link is newly broken on the night of its second
    failure in a row, and a link that failed once and came back is no news."""
    db, (_, second, _) = nights
    latest = diff_runs(db, min_failures=2)
    assert [(c.url.split("/")[2], c.after, c.failures_in_a_row) for c in latest.newly_broken] == [
        ("www.fmprc.gov.cn", "dead", 2)
    ]
    assert (latest.still_broken, latest.waiting) == (1, 1)  # note 8; note 7 (blocked once)
    middle = diff_runs(db, run=second, min_failures=2)
    assert [c.after for c in middle.newly_broken] == ["timeout"]  # note 8, second failure
    assert middle.recovered == []  # note 5 failed only once
    assert middle.waiting == 1  # note 3, dead once

    runner = CliRunner()
    status = ["status", "--db", db_url]
    assert runner.invoke(app, [*status, "--fail-on-new"]).exit_code == 1
    result = runner.invoke(app, [*status, "--min-failures", "2", "--fail-on-new"])
    assert result.exit_code == 1
    assert "1 newly broken" in result.stdout
    result = runner.invoke(app, [*status, "--min-failures", "3", "--fail-on-new"])
    assert result.exit_code == 0, result.output
    assert "3 failing but not yet often enough" in result.stdout
    assert runner.invoke(app, [*status, "--min-failures", "0"]).exit_code == 2
