"""``verifier check --enqueue`` and ``verifier worker`` from the command line:
refused on SQLite with a clear message (exit 2); on PostgreSQL the queue
run is enqueued, worked, closed, and shown by ``verifier status``."""

from __future__ import annotations

from pathlib import Path

import pytest
from citing import Note, cite
from loopback import LoopbackWeb, article
from typer.testing import CliRunner

from verifier.cli import app
from verifier.store.database import Database

runner = CliRunner()


@pytest.mark.parametrize("command", [["check", "--enqueue"], ["worker", "--until-empty"]])
def test_sqlite_is_refused(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "sources.db"
    Database(str(path)).dispose()
    result = runner.invoke(app, [*command, "--db", str(path)])
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output
    assert "Traceback" not in result.output


def test_enqueue_work_and_status(pg_url: str, loopback: LoopbackWeb) -> None:
    urls = [
        loopback.add_page(f"/c/{n}", article(f"Page {n}", "Text."), host=n % 4) for n in range(6)
    ]
    db = Database(pg_url)
    cite(db, [Note(url, title=f"Page {n}") for n, url in enumerate(urls)])
    db.dispose()
    env = {"VERIFIER_MIN_INTERVAL": "0", "VERIFIER_PROBE_SOFT_404": "false"}
    result = runner.invoke(app, ["check", "--enqueue", "--no-archive", "--db", pg_url], env=env)
    assert result.exit_code == 0, result.output
    assert "6 URLs put on the queue in 4 jobs" in result.output
    status = runner.invoke(app, ["status", "--db", pg_url])
    assert "queue, run 1: 6 URLs: 6 due, 0 in flight, 0 done, 0 failed" in status.output
    worker = [
        "worker",
        "--until-empty",
        "--allow-private-hosts",
        "--stall-timeout",
        "2",
        "--db",
        pg_url,
    ]
    result = runner.invoke(app, worker, env=env)
    assert result.exit_code == 0, result.output
    assert "6 URLs checked" in result.output and "runs finished: 1" in result.output
    status = runner.invoke(app, ["status", "--db", pg_url])
    assert "queue, run 1: 6 URLs: 0 due, 0 in flight, 6 done, 0 failed" in status.output
    assert "stages done" in status.output
