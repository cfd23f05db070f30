"""Resume after ``kill -9``: a real ``verifier check`` process is killed in the
middle of a run; the next ``check`` carries on with the same run, re-fetches
at most what was in flight, and no URL gets two rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from loopback import LoopbackWeb, Page, Request
from sqlalchemy import func, select
from test_check import cite, settings

from verifier.check import run_check
from verifier.store.database import Database
from verifier.store.models import Check, Run, Url

URLS = 240
CONCURRENCY = 8


def count_checks(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Check)) or 0


def test_resume_after_kill_9(tmp_path: Path, loopback: LoopbackWeb) -> None:
    def slow(request: Request) -> Page:
        time.sleep(0.05)
        return Page(200, f"<title>Page {request.path}</title><p>Text of {request.path}</p>")

    urls = [loopback.add_handler(f"/r/{n}", slow, host=n % 4) for n in range(URLS)]
    path = tmp_path / "sources.db"
    db = Database(str(path))
    ids = cite(db, urls)
    env = {**os.environ, "VERIFIER_MIN_INTERVAL": "0", "VERIFIER_PROBE_SOFT_404": "false"}
    command = [sys.executable, "-m", "verifier", "check", "--db", str(path)]
    command += ["--allow-private-hosts", "--no-archive", "--retries", "0"]
    command += ["--concurrency", str(CONCURRENCY), "--per-host", "2"]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while count_checks(db) < URLS // 3:
            assert process.poll() is None, "check ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    kept = count_checks(db)
    assert URLS // 3 <= kept < URLS
    with db.session() as session:
        [run] = session.scalars(select(Run)).all()
        assert run.finished_at is None  # killed: not closed
        checked = session.scalar(
            select(func.count()).select_from(Url).where(Url.last_check_id.is_not(None))
        )
    assert checked == kept  # each check row came with its URL's update
    requested_before = {r.path for r in loopback.requests}

    loopback.requests.clear()
    result = run_check(db, settings(retries=0, concurrency=CONCURRENCY, per_host=2))
    assert result.resumed and result.run_id == run.id
    assert result.checked == URLS - kept

    with db.session() as session:
        rows = session.execute(select(Check.url_id, Check.run_id)).all()
        finished = session.get(Run, run.id)
        assert finished is not None and finished.finished_at is not None
    assert len(rows) == URLS
    assert {url_id for url_id, _ in rows} == set(ids.values())
    assert {run_id for _, run_id in rows} == {run.id}
    # Fetched twice: only what was in flight (or arriving during the last
    # write) when the process died.
    requested_again = {r.path for r in loopback.requests} & requested_before
    assert len(requested_again) <= 2 * CONCURRENCY
    db.dispose()


def test_ctrl_c_stops_cleanly_and_keeps_what_was_done(
    tmp_path: Path, loopback: LoopbackWeb
) -> None:
    def slow(request: Request) -> Page:
        time.sleep(0.1)
        return Page(200, f"<title>Page {request.path}</title><p>Text</p>")

    urls = [loopback.add_handler(f"/s/{n}", slow, host=n % 4) for n in range(200)]
    path = tmp_path / "sources.db"
    db = Database(str(path))
    cite(db, urls)
    env = {**os.environ, "VERIFIER_MIN_INTERVAL": "0", "VERIFIER_PROBE_SOFT_404": "false"}
    command = [sys.executable, "-m", "verifier", "check", "--db", str(path)]
    command += ["--allow-private-hosts", "--no-archive", "--concurrency", "4"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    )
    try:
        deadline = time.monotonic() + 60
        while count_checks(db) < 10:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err.decode()
    assert b"interrupted" in err and b"Traceback" not in err
    kept = count_checks(db)
    assert 10 <= kept < 200
    with db.session() as session:
        [run] = session.scalars(select(Run)).all()
        assert run.finished_at is not None
        assert '"interrupted": true' in (run.summary or "")
    # Every request answered before the interrupt was written: nothing that
    # finished is lost (at most the 4 in flight were cut short).
    answered = sum(1 for r in loopback.requests if r.path.startswith("/s/"))
    assert answered - kept <= 4
    db.dispose()
