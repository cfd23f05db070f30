"""``verifier worker``: take jobs from the queue and check their URLs.

A worker runs procrastinate's worker loop with two tasks:

* ``verifier.fetch`` (run id, batch id, URL ids of one host): fetches the
  batch's URLs that have no check in the run yet and writes their checks
  (``CheckWriter``, as ``verifier check`` does). The job that completes the
  run's last batch queues ``verifier.finish``;
* ``verifier.finish`` (run id): the later stages of ``verifier check`` (match,
  archive fallback, match again) and closing the run, in a thread so the
  worker keeps heartbeating.

Requests in flight are capped at ``concurrency`` per worker whatever the jobs
it runs; procrastinate's per-key lock keeps one job per host in flight over
all workers. A worker takes a job only when the jobs it holds leave a
request slot unused (``_Room``), so it holds about ``concurrency /
per_host`` + 1 jobs, not a fixed number: the rest stay on the queue for the
other workers, and the run's end is not held back by one worker's pile.
Beside the loop a watcher returns to the queue the jobs of workers whose
heartbeat is older than ``stall_timeout`` (killed, frozen, cut off), and,
with ``until_empty``, stops the worker once no job waits or runs.

Ctrl-C (SIGINT) or SIGTERM: no new jobs and no new URLs are started, requests
in flight finish and are written, and each running job puts its unchecked
URLs back on the queue as a new job. A second Ctrl-C stops at once (the jobs
come back after the stall timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import math
import signal
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg
from procrastinate import App, RetryStrategy, exceptions
from procrastinate.connector import BaseConnector
from procrastinate.jobs import Job, Status
from procrastinate.manager import JobManager
from procrastinate.worker import Worker
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.exc import OperationalError

from verifier.fetch import Fetcher, FetchResult, fetch_urls
from verifier.fetch.engine import Progress
from verifier.fetch.pacing import host_key
from verifier.fetch.writer import write_results
from verifier.queue.app import FETCH_TASK, FINISH_TASK, LIVE_STATUSES, QUEUE, queue_app
from verifier.queue.enqueue import defer_finish
from verifier.queue.pacing import hand_over, take_over
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Check, LinkStatus, QueueBatch, Run, Url, utcnow

__all__ = ["WorkerOptions", "WorkerResult", "run_worker"]

log = logging.getLogger(__name__)


@dataclass
class WorkerOptions:
    # Stop when no job waits or runs (else wait for jobs until stopped).
    until_empty: bool = False
    # Seconds without a heartbeat after which a worker's jobs are retried.
    stall_timeout: float = 30.0
    # Seconds between polls for jobs when no notification came.
    poll_interval: float = 1.0
    # ``Fetcher`` keyword arguments (tests pass a resolver).
    fetcher_options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def heartbeat(self) -> float:
        return max(0.2, self.stall_timeout / 4)


@dataclass
class WorkerResult:
    # URLs this worker checked, by status.
    counts: dict[str, int] = field(default_factory=dict)
    jobs: int = 0
    runs_finished: list[int] = field(default_factory=list)
    # Jobs of stalled workers this one put back on the queue.
    recovered: int = 0
    interrupted: bool = False

    @property
    def checked(self) -> int:
        return sum(self.counts.values())


class _Room:
    """Whether the worker can use one more job now: a worker takes a job
    only when the jobs it holds leave a request slot unused, so it holds
    just enough jobs to keep its ``concurrency`` requests going (about
    ``concurrency / per_host`` + 1), not a fixed number. The jobs it does
    not need stay on the queue for the other workers: when the queue runs
    dry, no worker sits on a pile of URLs while the others idle (the tail).

    ``waiting``: URLs ready to start but waiting for a slot (of a request, or
    of a result to write): while any waits, another job would only wait too.
    ``starting``: jobs taken whose URLs have not asked for a slot yet (each
    counted as ``per_host`` requests to come)."""

    def __init__(self, concurrency: int, per_host: int) -> None:
        self.concurrency = concurrency
        self.per_host = max(1, per_host)
        self.in_flight = 0
        self.waiting = 0
        self.starting = 0
        self.changed = asyncio.Event()

    def wanted(self) -> bool:
        return (
            self.waiting == 0 and self.in_flight + self.starting * self.per_host < self.concurrency
        )

    def touch(self) -> None:
        self.changed.set()

    async def until_wanted(self, stopped: asyncio.Event) -> None:
        """Return once one more job would be used (or the worker is stopping)."""
        while not self.wanted() and not stopped.is_set():
            self.changed.clear()
            # A bound on the wait, should a change go unsignalled.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 1.0)


class _Slots:
    """A worker's limits over all the jobs it runs: at most ``concurrency``
    requests in flight (``requests``), and at most twice ``concurrency`` URLs
    from their request to their check committed (``unwritten``): so up to
    ``concurrency`` results may wait for their write while as many requests
    are in flight, and a slow write never idles a request slot. A worker
    killed at any moment loses at most twice ``concurrency`` URLs: its
    requests in flight and the results not yet committed."""

    def __init__(self, fetcher: Fetcher, room: _Room) -> None:
        self.fetcher = fetcher
        self.room = room
        self.requests = asyncio.Semaphore(room.concurrency)
        self.unwritten = asyncio.Semaphore(2 * room.concurrency)


class _JobFetcher:
    """One job's view of the worker's ``Fetcher`` (everything else is the
    fetcher's): it counts the job's URLs in flight, from the request until
    ``done`` (the check committed), and once the worker is stopping it
    starts no new request: ``step`` (the scheduler's one attempt) then waits
    until the job is cancelled."""

    def __init__(self, slots: _Slots, stopping: asyncio.Event) -> None:
        self._slots = slots
        self._stopping = stopping
        self._held: dict[str, int] = {}
        self._starting = True
        self.active = 0
        self.changed = asyncio.Event()

    def started(self) -> None:
        """The job's URLs are asking for slots (or it has none): no longer
        counted as a job starting (``_Room.starting``)."""
        if self._starting:
            self._starting = False
            self._slots.room.starting -= 1
            self._slots.room.touch()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._slots.fetcher, name)

    async def step(self, progress: Progress, *, paced: bool = False) -> FetchResult | float:
        """One attempt, counted in flight until its result is written; a URL
        parked for a retry is not in flight. Once the worker is stopping, no
        attempt starts: the step waits until the job is cancelled."""
        if self._stopping.is_set():
            await asyncio.Future()  # never: cancelled with the job's fetch
        self.started()
        self.active += 1
        room = self._slots.room
        room.waiting += 1
        waiting = True
        try:
            await self._slots.unwritten.acquire()
            try:
                async with self._slots.requests:
                    room.waiting -= 1
                    waiting = False
                    room.in_flight += 1
                    room.touch()
                    try:
                        outcome = await self._slots.fetcher.step(progress, paced=paced)
                    finally:
                        room.in_flight -= 1
                        room.touch()
            except BaseException:
                self._slots.unwritten.release()
                raise
        except BaseException:
            self._end()
            raise
        finally:
            if waiting:
                room.waiting -= 1
                room.touch()
        if not isinstance(outcome, FetchResult):
            # Parked until its next attempt: its slots go to other URLs.
            self._slots.unwritten.release()
            self._end()
            return outcome
        self._held[progress.url] = self._held.get(progress.url, 0) + 1
        return outcome

    def done(self, url: str) -> None:
        """The result of ``url`` is written (or lost): its slot is free."""
        count = self._held.pop(url, 0)
        if count:
            if count > 1:
                self._held[url] = count - 1
            self._slots.unwritten.release()
            self._end()

    def _end(self) -> None:
        self.active -= 1
        self.changed.set()

    async def idle(self) -> None:
        while self.active:
            self.changed.clear()
            await self.changed.wait()


class _Writer:
    """Group commit of one run's checks, shared by the worker's jobs:
    ``write`` returns once its result is committed. A write lingers
    ``linger`` seconds after its first result (unless ``batch`` are waiting
    already), and results that arrive during a write go together in the
    next one: a transaction costs about the same CPU for one check as for
    ten, and a transaction per check would cost more CPU than its fetch."""

    def __init__(self, db: Database, run_id: int, *, linger: float = 0.05, batch: int = 8) -> None:
        self.db = db
        self.run_id = run_id
        self.linger = linger
        self.batch = batch
        self._pending: list[tuple[int, FetchResult, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, url_id: int, result: FetchResult) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((url_id, result, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            if len(self._pending) < self.batch:
                await asyncio.sleep(self.linger)
            batch, self._pending = self._pending, []
            try:
                await asyncio.to_thread(self._write, [(u, r) for u, r, _ in batch])
            except Exception as exc:
                for _, _, future in batch:
                    future.set_exception(exc)
            else:
                for _, _, future in batch:
                    future.set_result(None)

    def _write(self, items: list[tuple[int, FetchResult]]) -> None:
        with self.db.session() as session:
            write_results(session, self.run_id, items)


class _JobManager(JobManager):
    """procrastinate's job manager with what many workers need:

    * ``fetch_job`` takes a job only when the worker has room for it
      (``_Room``), and counts a fetch job as starting;
    * ``finish_job`` wakes the workers when the finished job's host has
      another job waiting: its lock is free now, and procrastinate notifies
      only new jobs, so idle workers would otherwise wait for their next poll;
    * ``retry_job`` (a stalled worker's job put back, a job retried after a
      lost connection) wakes them too, for the same reason.
    """

    def __init__(self, connector: BaseConnector, room: _Room, stopped: asyncio.Event) -> None:
        super().__init__(connector)
        self.room = room
        self.stopped = stopped

    async def fetch_job(self, queues: Iterable[str] | None, worker_id: int) -> Job | None:
        await self.room.until_wanted(self.stopped)
        if self.stopped.is_set():
            return None
        job = await super().fetch_job(queues, worker_id)
        if job is not None and job.task_name == FETCH_TASK:
            self.room.starting += 1
        return job

    async def finish_job(self, job: Job, status: Status, delete_job: bool) -> None:
        await super().finish_job(job, status, delete_job)
        if job.lock is not None:
            await self.wake(job.lock)

    async def retry_job(
        self,
        job: Job,
        retry_at: datetime.datetime | None = None,
        priority: int | None = None,
        queue: str | None = None,
        lock: str | None = None,
    ) -> None:
        await super().retry_job(job, retry_at, priority, queue, lock)
        await self.wake(None)

    async def wake(self, lock: str | None) -> None:
        """Tell the workers a job may be ready (as procrastinate does for a
        new job); with ``lock``, only when a job of that lock waits."""
        with contextlib.suppress(psycopg.Error, exceptions.ConnectorException):
            await self.connector.execute_query_async(
                "SELECT pg_notify(%(channel)s, %(payload)s) WHERE %(lock)s::text IS NULL"
                " OR EXISTS (SELECT 1 FROM procrastinate_jobs"
                " WHERE lock = %(lock)s AND status = 'todo')",
                channel=_CHANNEL,
                payload=json.dumps({"type": "job_inserted", "job_id": None}),
                lock=lock,
            )


# The channel procrastinate's workers of the queue listen on.
_CHANNEL = f"procrastinate_queue_v1#{QUEUE}"


@dataclass
class _State:
    db: Database
    settings: Settings
    app: App
    room: _Room
    slots: _Slots | None = None
    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    writers: dict[int, _Writer] = field(default_factory=dict)
    stopping: bool = False
    result: WorkerResult = field(default_factory=WorkerResult)


def run_worker(
    db: Database, settings: Settings, options: WorkerOptions | None = None
) -> WorkerResult:
    """Work until stopped (Ctrl-C, SIGTERM) or, with ``until_empty``, until
    the queue is empty; a lost database connection is reconnected."""
    options = options or WorkerOptions()
    app = queue_app(db, max_size=max(4, settings.concurrency // 4 + 2))
    state = _State(db, settings, app, _Room(settings.concurrency, settings.per_host))
    # Before the tasks are registered: they keep the app's job manager.
    app.job_manager = _JobManager(app.connector, state.room, state.stopped)
    _register(state)
    asyncio.run(_main(state, options))
    return state.result


def _register(state: _State) -> None:
    app = state.app

    # A job cut off from the database (server restart, fail-over) is run
    # again a moment later; it carries on with the URLs it had not written.
    retry = RetryStrategy(
        max_attempts=10,
        wait=1,
        linear_wait=1,
        retry_exceptions={
            OperationalError,
            psycopg.OperationalError,
            exceptions.ConnectorException,
        },
    )

    @app.task(name=FETCH_TASK, queue=QUEUE, retry=retry)
    async def fetch_batch(run_id: int, batch_id: int, url_ids: list[int]) -> None:
        await _fetch_batch(state, run_id, batch_id, url_ids)

    @app.task(name=FINISH_TASK, queue=QUEUE, retry=retry)
    async def finish(run_id: int) -> None:
        if await asyncio.to_thread(close_queued_run, state.db, state.settings, run_id):
            state.result.runs_finished.append(run_id)


async def _main(state: _State, options: WorkerOptions) -> None:
    loop = asyncio.get_running_loop()
    worker: Worker | None = None
    interrupts = 0

    def interrupt() -> None:
        nonlocal interrupts
        interrupts += 1
        state.stopping = True
        state.stopped.set()
        state.room.touch()
        state.result.interrupted = True
        if worker is not None:
            worker.stop()
        if interrupts > 1:
            for task in asyncio.all_tasks(loop):
                task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt)
    backoff = 1.0
    try:
        while not state.stopping:
            try:
                async with (
                    state.app.open_async(),
                    Fetcher(state.settings, **dict(options.fetcher_options)) as fetcher,
                ):
                    state.slots = _Slots(fetcher, state.room)
                    worker = Worker(
                        state.app,
                        queues=[QUEUE],
                        concurrency=_jobs_at_once(state.settings),
                        wait=True,
                        fetch_job_polling_interval=options.poll_interval,
                        install_signal_handlers=False,
                        update_heartbeat_interval=options.heartbeat,
                        stalled_worker_timeout=options.stall_timeout,
                        delete_jobs="never",
                    )
                    watcher = asyncio.create_task(_watch(state, worker, options))
                    try:
                        await worker.run()
                    finally:
                        watcher.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await watcher
                return
            except (psycopg.OperationalError, exceptions.ConnectorException, OperationalError):
                if state.stopping:
                    raise
                log.warning("database connection lost; reconnecting in %.0f s", backoff)
                await asyncio.sleep(backoff)
                backoff = min(30.0, backoff * 2)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _jobs_at_once(settings: Settings) -> int:
    """The most jobs run at once (``_Room`` decides how many are taken
    below it). A job fetches from one host, often fewer than ``per_host`` at
    a time (pacing, its last URLs), and spends moments in the database at
    its start and end: enough jobs to fill the ``concurrency`` slots at two
    requests each, twice over. More would hold hosts' locks (keeping other
    workers off them) while waiting for slots."""
    return max(2, 2 * math.ceil(settings.concurrency / max(1, min(settings.per_host, 2))))


async def _watch(state: _State, worker: Worker, options: WorkerOptions) -> None:
    """Return stalled workers' jobs to the queue; stop when it is empty (``until_empty``)."""
    manager = state.app.job_manager
    while True:
        await asyncio.sleep(options.heartbeat)
        try:
            stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=options.stall_timeout)
            for job in stalled:
                if worker.worker_id is not None and job.worker_id == worker.worker_id:
                    continue  # our own, late heartbeat: the job is running here
                with contextlib.suppress(Exception):  # another worker was first
                    await manager.retry_job(job)
                    state.result.recovered += 1
                    log.info("job %s of a stalled worker returned to the queue", job.id)
            if options.until_empty and not await _queue_busy(state.app):
                worker.stop()
                return
        except (psycopg.OperationalError, exceptions.ConnectorException) as exc:
            # The pool reconnects; look again at the next beat.
            log.warning("queue watch: database unreachable (%s)", exc)


async def _queue_busy(app: App) -> bool:
    row = await app.connector.execute_query_one_async(
        "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE queue_name = %(queue)s"
        " AND status::text = ANY(%(live)s)) AS busy",
        queue=QUEUE,
        live=list(LIVE_STATUSES),
    )
    return bool(row["busy"])


async def _fetch_batch(state: _State, run_id: int, batch_id: int, url_ids: list[int]) -> None:
    assert state.slots is not None
    limited = _JobFetcher(state.slots, state.stopped)
    try:
        await _fetch_urls(state, limited, run_id, batch_id, url_ids)
    finally:
        limited.started()


async def _fetch_urls(
    state: _State, limited: _JobFetcher, run_id: int, batch_id: int, url_ids: list[int]
) -> None:
    db, settings = state.db, state.settings
    todo = await asyncio.to_thread(_unchecked, db, run_id, url_ids)
    assert state.slots is not None
    limiter = state.slots.fetcher.limiter
    hosts = {host_key(url) for _, url in todo}
    # The host's last start (or Retry-After) on the worker that ran its
    # previous job holds here too.
    await asyncio.to_thread(take_over, db, limiter, hosts)
    writer = state.writers.get(run_id)
    if writer is None:
        writer = state.writers[run_id] = _Writer(db, run_id, batch=settings.concurrency)
    counts = state.result.counts
    url_of = dict(todo)

    async def jobs() -> AsyncIterator[tuple[int, str]]:
        for url_id, url in todo:
            if state.stopping:
                return
            if settings.is_excluded(url):
                await record(url_id, _excluded(url))
                continue
            yield url_id, url

    async def record(url_id: int, fetched: FetchResult) -> None:
        try:
            await writer.write(url_id, fetched)
        finally:
            limited.done(url_of[url_id])
        counts[str(fetched.status)] = counts.get(str(fetched.status), 0) + 1

    fetching = asyncio.create_task(fetch_urls(cast(Fetcher, limited), jobs(), record))
    stopping = asyncio.create_task(state.stopped.wait())
    try:
        await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not fetching.done():
            # Ctrl-C: what is in flight finishes and is written; the fetch
            # engine's queued URLs are dropped (they go back on the queue).
            await limited.idle()
            fetching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await fetching
    finally:
        stopping.cancel()
        fetching.cancel()
    state.result.jobs += 1
    # Before the host's lock is free: the next job of the host, on any
    # worker, waits as this worker would have.
    await asyncio.to_thread(hand_over, db, limiter, hosts)
    left = await asyncio.to_thread(_unchecked, db, run_id, url_ids)
    if left and state.stopping:
        # Ctrl-C: the unchecked rest goes back on the queue (same host lock).
        job = Job(
            queue=QUEUE,
            lock=f"verifier:host:{await asyncio.to_thread(_batch_host, db, batch_id)}",
            queueing_lock=None,
            task_name=FETCH_TASK,
            task_kwargs={"run_id": run_id, "batch_id": batch_id, "url_ids": [u for u, _ in left]},
        )
        await state.app.job_manager.batch_defer_jobs_async([job])
        return
    if await asyncio.to_thread(_finish_batch, db, run_id, batch_id):
        await defer_finish(state.app, run_id)


def _unchecked(db: Database, run_id: int, url_ids: list[int]) -> list[tuple[int, str]]:
    """The batch's URLs without a check in the run (a retried job's rest)."""
    done = exists().where(and_(Check.run_id == run_id, Check.url_id == Url.id))
    with db.session() as session:
        rows = session.execute(
            select(Url.id, Url.url).where(Url.id.in_(url_ids), ~done).order_by(Url.id)
        ).all()
    return [(row[0], row[1]) for row in rows]


def _batch_host(db: Database, batch_id: int) -> str:
    with db.session() as session:
        return session.scalar(select(QueueBatch.host).where(QueueBatch.id == batch_id)) or ""


def _finish_batch(db: Database, run_id: int, batch_id: int) -> bool:
    """Mark the batch done; whether it was the run's last. The run's row is
    locked meanwhile, so of two batches ending together one sees the other."""
    with db.session() as session:
        session.execute(select(Run.id).where(Run.id == run_id).with_for_update())
        session.execute(
            update(QueueBatch)
            .where(QueueBatch.id == batch_id, QueueBatch.done_at.is_(None))
            .values(done_at=utcnow())
        )
        left = session.scalar(
            select(func.count())
            .select_from(QueueBatch)
            .where(QueueBatch.run_id == run_id, QueueBatch.done_at.is_(None))
        )
    return not left


def close_queued_run(db: Database, settings: Settings, run_id: int) -> bool:
    """The later stages of a queued run and its closing; ``False`` when it
    was closed already or still has open batches."""
    import json

    from verifier.check import CheckResult, close_run

    with db.session() as session:
        run = session.get(Run, run_id)
        if run is None or run.finished_at is not None:
            return False
        open_batches = session.scalar(
            select(func.count())
            .select_from(QueueBatch)
            .where(QueueBatch.run_id == run_id, QueueBatch.done_at.is_(None))
        )
        if open_batches:
            return False
        options = json.loads(run.options or "{}")
        counts = dict(
            session.execute(
                select(Check.status, func.count())
                .where(Check.run_id == run_id)
                .group_by(Check.status)
            ).all()
        )
        started_at = run.started_at
    # The run's own archive options (given to ``check --enqueue``) decide.
    stage_settings = settings.replace(
        **{k: options[k] for k in ("archive", "archive_all", "archive_today") if k in options}
    )
    result = CheckResult(run_id=run_id, checked=sum(counts.values()), counts=counts)
    # The run's wall time: from ``check --enqueue`` to the end of its stages.
    started = time.perf_counter() - (utcnow() - started_at).total_seconds()
    close_run(db, stage_settings, result, started=started)
    return True


def _excluded(url: str) -> FetchResult:
    return FetchResult(
        url=url,
        status=LinkStatus.EXCLUDED,
        error="matches an exclude pattern: not fetched",
        attempts=0,
    )
