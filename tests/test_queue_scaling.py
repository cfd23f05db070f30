"""Scale-out details of ``verifier worker`` on PostgreSQL: a worker holds
only the jobs it can use, a host's next job is taken as soon as its lock is
free (not at the next poll), and a host's pacing carries over from one
worker to the next.

Skipped without ``VERIFIER_TEST_PG_URL`` (like the other PostgreSQL tests).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest
from citing import cite, loopback_settings
from loopback import LoopbackWeb, Page, Request, article
from sqlalchemy import text

import verifier.queue.enqueue as enqueue_module
from verifier.queue import WorkerOptions, enqueue_run, run_worker
from verifier.queue.worker import _Room
from verifier.store.database import Database

PG_URL = os.environ.get("VERIFIER_TEST_PG_URL")


def test_room_wants_a_job_only_for_an_unused_request_slot() -> None:
    room = _Room(concurrency=8, per_host=4)
    assert room.wanted()
    room.starting = 2  # two jobs taken, not yet asking: 8 requests to come
    assert not room.wanted()
    room.starting, room.in_flight = 0, 4
    assert room.wanted()  # one host's job: half the slots unused
    room.in_flight = 8
    assert not room.wanted()
    room.in_flight, room.waiting = 5, 1  # a URL waits for a slot: no room
    assert not room.wanted()


def test_room_wait_ends_on_a_change_or_when_stopping() -> None:
    async def scenario() -> None:
        room, stopped = _Room(concurrency=2, per_host=2), asyncio.Event()
        room.in_flight = 2
        waiter = asyncio.create_task(room.until_wanted(stopped))
        await asyncio.sleep(0.05)
        assert not waiter.done()
        room.in_flight = 1
        room.touch()
        await asyncio.wait_for(waiter, 0.5)
        room.in_flight = 2
        waiter = asyncio.create_task(room.until_wanted(stopped))
        await asyncio.sleep(0.05)
        stopped.set()
        room.touch()
        await asyncio.wait_for(waiter, 0.5)

    asyncio.run(scenario())


def _pages(
    loopback: LoopbackWeb, count: int, host: int, delay: float, log: list[float]
) -> list[str]:
    def page(request: Request) -> Page:
        log.append(time.monotonic())
        time.sleep(delay)
        return Page(200, article(f"Page {request.path}", "Some text."))

    return [loopback.add_handler(f"/s/{host}/{n}", page, host=host) for n in range(count)]


def _max_doing(url: str, stop: threading.Event, seen: list[int]) -> None:
    database = Database(url)
    try:
        while not stop.is_set():
            with database.session() as session:
                seen.append(
                    session.scalar(
                        text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
                    )
                    or 0
                )
            time.sleep(0.01)
    finally:
        database.dispose()


def test_a_worker_holds_only_the_jobs_it_can_use(
    pg_url: str, loopback: LoopbackWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--concurrency 4 --per-host 4``: one host's job fills the requests;
    a second is taken as the first runs dry, never more. The other jobs stay
    on the queue for other workers (procrastinate's worker alone would take
    as many as its job concurrency allows)."""
    monkeypatch.setattr(enqueue_module, "URLS_PER_JOB", 8)
    log: list[float] = []
    urls = [u for host in range(4) for u in _pages(loopback, 16, host, 0.2, log)]
    settings = loopback_settings(retries=0, probe_soft_404=False, per_host=4, concurrency=4)
    db = Database(pg_url)
    cite(db, urls)
    queued = enqueue_run(db, settings)
    assert queued.jobs == 8
    seen: list[int] = []
    stop = threading.Event()
    sampler = threading.Thread(target=_max_doing, args=(pg_url, stop, seen))
    sampler.start()
    try:
        result = run_worker(db, settings, WorkerOptions(until_empty=True, stall_timeout=2))
    finally:
        stop.set()
        sampler.join()
    assert result.checked == 64 and result.runs_finished == [queued.run_id]
    assert 1 <= max(seen) <= 2, seen
    db.dispose()


def test_a_hosts_next_job_starts_when_its_lock_is_free_not_at_the_next_poll(
    pg_url: str, loopback: LoopbackWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two jobs of one host: the second waits for the first's lock. When the
    first ends, the worker is told at once (procrastinate notifies only new
    jobs), so it does not wait for its 30 s poll."""
    monkeypatch.setattr(enqueue_module, "URLS_PER_JOB", 2)
    log: list[float] = []
    urls = _pages(loopback, 4, 0, 0.05, log)
    settings = loopback_settings(retries=0, probe_soft_404=False, per_host=4, concurrency=4)
    db = Database(pg_url)
    cite(db, urls)
    queued = enqueue_run(db, settings)
    assert queued.jobs == 2
    started = time.monotonic()
    options = WorkerOptions(until_empty=True, stall_timeout=2, poll_interval=30)
    result = run_worker(db, settings, options)
    assert result.checked == 4 and result.runs_finished == [queued.run_id]
    assert time.monotonic() - started < 10
    db.dispose()


def test_a_hosts_pacing_carries_over_to_the_next_worker(pg_url: str, loopback: LoopbackWeb) -> None:
    """``min_interval`` 3 s: one worker checks the host's URL, a new run is
    queued at once and another worker (a fresh limiter, as on another
    machine) checks it again. Its request waits for the interval from the
    first worker's request, not only from its own last one (it has none)."""
    log: list[float] = []
    [url] = _pages(loopback, 1, 0, 0.0, log)
    settings = loopback_settings(retries=0, probe_soft_404=False, min_interval=3.0)
    db = Database(pg_url)
    cite(db, [url])
    options = WorkerOptions(until_empty=True, stall_timeout=1)
    first = enqueue_run(db, settings)
    assert run_worker(db, settings, options).runs_finished == [first.run_id]
    second = enqueue_run(db, settings, recheck=True)
    assert second.urls == 1
    assert run_worker(db, settings, options).runs_finished == [second.run_id]
    assert len(log) == 2 and log[1] - log[0] >= 2.95, log
    # A host that may be asked at once leaves nothing to hand over.
    with db.session() as session:
        [(host, wait)] = session.execute(
            text("SELECT host, extract(epoch FROM next_start - clock_timestamp()) FROM host_pacing")
        ).all()
    assert host == "127.0.0.1" and 0 < wait <= 3.0
    db.dispose()
