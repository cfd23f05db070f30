"""The work queue on PostgreSQL: ``check --enqueue`` then ``verifier worker``
processes, one of them killed with ``kill -9`` mid-job, against the loopback
web. Every URL gets exactly one check, the run is closed by its later stages
(match) run as a job, and the results are those of a single-process
``check`` of the same citations.

Skipped without ``VERIFIER_TEST_PG_URL`` (like the other PostgreSQL tests).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from citing import Note, cite, loopback_settings
from loopback import LoopbackWeb, Page, Request, article
from sqlalchemy import create_engine, func, select, text

from verifier.check import run_check
from verifier.queue import WorkerOptions, enqueue_run, queue_progress, run_worker
from verifier.store.database import Database, database_url
from verifier.store.models import Check, Match, QueueBatch, Run, Url

PG_URL = os.environ.get("VERIFIER_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="VERIFIER_TEST_PG_URL is not set")

URLS = 96
WORKER_CONCURRENCY = 4
STALL = 1.5


def _site(loopback: LoopbackWeb, count: int, delay: float) -> list[Note]:
    """``count`` cited pages over the loopback hosts: most fine (title and
    quotation on the page), every 7th gone, every 11th without its quotation."""

    def page(request: Request) -> Page:
        time.sleep(delay)
        number = int(request.path.rsplit("/", 1)[1])
        if number % 7 == 0:
            return Page(404, "<title>Not found</title><p>No such page.</p>")
        quote = "the river rose by four metres" if number % 11 else "something else entirely"
        return Page(200, article(f"Report number {number}", f"Witnesses said {quote} overnight."))

    notes = []
    for n in range(count):
        url = loopback.add_handler(f"/q/{n}", page, host=n % len(loopback.hosts))
        notes.append(
            Note(url, title=f"Report number {n}", quotations=["the river rose by four metres"])
        )
    return notes


def _checks_per_url(db: Database, run_id: int) -> dict[str, list[str]]:
    with db.session() as session:
        rows = session.execute(
            select(Url.url, Check.status)
            .join(Check, Check.url_id == Url.id)
            .where(Check.run_id == run_id)
        ).all()
    found: dict[str, list[str]] = {}
    for url, status in rows:
        found.setdefault(url, []).append(status)
    return found


def _verdicts(db: Database, run_id: int) -> dict[tuple[str, str], str]:
    with db.session() as session:
        rows = session.execute(
            text(
                "SELECT u.url, q.text, m.verdict FROM matches m JOIN urls u ON u.id = m.url_id"
                " JOIN quotes q ON q.id = m.quote_id WHERE m.run_id = :run"
            ),
            {"run": run_id},
        ).all()
    return {(url, quote): verdict for url, quote, verdict in rows}


def _worker(url: str, cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VERIFIER_MIN_INTERVAL": "0", "VERIFIER_PROBE_SOFT_404": "false"}
    command = [sys.executable, "-m", "verifier", "worker", "--db", url, "--until-empty"]
    command += ["--allow-private-hosts", "--retries", "0", "--per-host", "2"]
    command += ["--concurrency", str(WORKER_CONCURRENCY), "--stall-timeout", str(STALL)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd
    )


def _count(db: Database, run_id: int) -> int:
    with db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Check).where(Check.run_id == run_id))
            or 0
        )


def test_two_workers_one_killed(pg_url: str, tmp_path: Path, loopback: LoopbackWeb) -> None:
    notes = _site(loopback, URLS, delay=0.03)
    settings = loopback_settings(retries=0, probe_soft_404=False, per_host=2)

    # The single-process run of the same citations, the reference.
    reference = Database(str(tmp_path / "single.db"))
    cite(reference, notes)
    single = run_check(reference, settings)
    expected_status = {
        url: statuses for url, statuses in _checks_per_url(reference, single.run_id).items()
    }
    expected_verdicts = _verdicts(reference, single.run_id)
    assert {"exact", "absent", "unchecked"} <= set(expected_verdicts.values())
    assert {"ok", "dead"} <= {status for [status] in expected_status.values()}
    hits_before = {n: loopback.hits(f"/q/{n}", host=n % len(loopback.hosts)) for n in range(URLS)}

    db = Database(pg_url)
    cite(db, notes)
    queued = enqueue_run(db, settings)
    assert queued.urls == URLS and queued.jobs >= len(loopback.hosts)

    first, second = _worker(pg_url, tmp_path), _worker(pg_url, tmp_path)
    try:
        deadline = time.monotonic() + 30
        while _count(db, queued.run_id) < URLS // 4:
            assert first.poll() is None, first.stdout.read() if first.stdout else ""
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        output = second.communicate(timeout=60)[0].decode()
        assert second.returncode == 0, output
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
                process.wait()

    # Every URL checked exactly once, with the single-process run's statuses.
    checks = _checks_per_url(db, queued.run_id)
    assert checks == expected_status
    assert all(len(statuses) == 1 for statuses in checks.values())
    # Only what the killed worker had in flight (fetching, or fetched and
    # not yet written: a worker holds a slot until its check is committed)
    # was fetched twice: at most twice its concurrency (as many results
    # may wait for their write as requests are in flight).
    hits = sum(
        loopback.hits(f"/q/{n}", host=n % len(loopback.hosts)) - hits_before[n] for n in range(URLS)
    )
    assert URLS <= hits <= URLS + 2 * WORKER_CONCURRENCY, output
    # The later stages ran as a job and closed the run, with the same verdicts.
    with db.session() as session:
        run = session.get(Run, queued.run_id)
        assert run is not None and run.finished_at is not None
        open_batches = session.scalar(
            select(func.count()).select_from(QueueBatch).where(QueueBatch.done_at.is_(None))
        )
        assert open_batches == 0
        assert session.scalar(select(func.count()).select_from(Match)) == len(expected_verdicts)
    assert _verdicts(db, queued.run_id) == expected_verdicts
    [progress] = queue_progress(db)
    assert (progress.urls, progress.done, progress.due, progress.in_flight) == (URLS, URLS, 0, 0)
    assert progress.stages == "done" and progress.finished
    db.dispose()


def test_enqueue_again_while_busy_adds_nothing(pg_url: str, loopback: LoopbackWeb) -> None:
    notes = _site(loopback, 12, delay=0.0)
    settings = loopback_settings(retries=0, probe_soft_404=False)
    db = Database(pg_url)
    cite(db, notes)
    first = enqueue_run(db, settings)
    again = enqueue_run(db, settings)
    assert again.busy and again.run_id == first.run_id and again.urls == 0
    [progress] = queue_progress(db)
    assert (progress.due, progress.done, progress.stages) == (12, 0, "waiting")
    result = run_worker(db, settings, WorkerOptions(until_empty=True, stall_timeout=2))
    assert result.checked == 12 and result.runs_finished == [first.run_id]
    # Nothing due now: a new run is opened and closed by its stages job alone.
    nothing = enqueue_run(db, settings)
    assert nothing.run_id != first.run_id and (nothing.urls, nothing.fresh) == (0, 12)
    result = run_worker(db, settings, WorkerOptions(until_empty=True, stall_timeout=2))
    assert result.runs_finished == [nothing.run_id] and result.checked == 0
    db.dispose()


def test_worker_reconnects_after_losing_the_database(pg_url: str, loopback: LoopbackWeb) -> None:
    """Every connection of the worker is cut (as a server restart would) in
    the middle of the run: it reconnects and finishes the run."""
    tag = f"h7reconnect{uuid.uuid4().hex[:8]}"
    url = f"{pg_url}&application_name={tag}"
    notes = _site(loopback, 48, delay=0.05)
    settings = loopback_settings(retries=0, probe_soft_404=False, per_host=1, concurrency=2)
    db = Database(url)
    cite(db, notes)
    queued = enqueue_run(db, settings)
    admin = create_engine(database_url(PG_URL or ""))
    cut = threading.Event()

    def cut_connections() -> None:
        deadline = time.monotonic() + 20
        while _count(db, queued.run_id) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        with admin.begin() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = :tag"
                ),
                {"tag": tag},
            ).scalar()
        if killed:
            cut.set()

    cutter = threading.Thread(target=cut_connections)
    cutter.start()
    try:
        result = run_worker(db, settings, WorkerOptions(until_empty=True, stall_timeout=2))
    finally:
        cutter.join()
        admin.dispose()
    assert cut.is_set()
    checks = _checks_per_url(db, queued.run_id)
    assert len(checks) == 48 and all(len(statuses) == 1 for statuses in checks.values())
    assert result.runs_finished == [queued.run_id]
    db.dispose()


def test_ctrl_c_finishes_in_flight_and_returns_the_job(
    pg_url: str, tmp_path: Path, loopback: LoopbackWeb
) -> None:
    """SIGINT mid-job: the worker ends promptly with 130 after writing what it
    had in flight, its unchecked URLs go back on the queue, and the next
    worker checks only those: no URL is fetched twice."""
    notes = _site(loopback, 40, delay=0.04)
    settings = loopback_settings(retries=0, probe_soft_404=False, per_host=2)
    db = Database(pg_url)
    cite(db, notes)
    queued = enqueue_run(db, settings)
    process = _worker(pg_url, tmp_path)
    try:
        deadline = time.monotonic() + 30
        while _count(db, queued.run_id) < 8:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=20)[0].decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, output
    checked = _count(db, queued.run_id)
    assert 8 <= checked < 40
    [progress] = queue_progress(db)
    assert (progress.done, progress.due, progress.in_flight) == (checked, 40 - checked, 0)
    result = run_worker(db, settings, WorkerOptions(until_empty=True, stall_timeout=2))
    assert result.checked == 40 - checked and result.runs_finished == [queued.run_id]
    hits = sum(loopback.hits(f"/q/{n}", host=n % len(loopback.hosts)) for n in range(40))
    assert hits == 40
    db.dispose()


def test_a_run_whose_jobs_are_gone_is_queued_again(pg_url: str, loopback: LoopbackWeb) -> None:
    """The jobs of an unfinished run are lost (deleted, or the enqueueing
    process died): the next ``check --enqueue`` carries on with the same run
    and queues its URLs still due, and a crashed single-process ``check``
    is taken over the same way."""
    notes = _site(loopback, 10, delay=0.0)
    settings = loopback_settings(retries=0, probe_soft_404=False)
    db = Database(pg_url)
    cite(db, notes)
    first = enqueue_run(db, settings)
    with db.session() as session:
        session.execute(text("DELETE FROM procrastinate_jobs"))
    again = enqueue_run(db, settings)
    assert (again.run_id, again.resumed, again.busy, again.urls) == (first.run_id, True, False, 10)
    result = run_worker(db, settings, WorkerOptions(until_empty=True, stall_timeout=2))
    assert result.checked == 10 and result.runs_finished == [first.run_id]
    with db.session() as session:
        batches = session.scalar(select(func.count()).select_from(QueueBatch))
    assert batches == len(loopback.hosts)
    db.dispose()
