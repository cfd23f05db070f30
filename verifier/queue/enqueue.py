"""``verifier check --enqueue``: a run's due URLs put on the work queue."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from procrastinate import App, exceptions
from procrastinate.jobs import Job
from sqlalchemy import ColumnElement, delete, exists, func, insert, select, tuple_

from verifier.check import due_condition, open_run
from verifier.queue.app import (
    FETCH_TASK,
    FINISH_TASK,
    LIVE_STATUSES,
    QUEUE,
    finish_lock,
    host_lock,
    queue_app,
)
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Check, CitationUrl, QueueBatch, Run, Url, utcnow

__all__ = ["URLS_PER_JOB", "EnqueueResult", "enqueue_run"]

# URLs of one host per job: small enough that a job of a slow host does not
# hold the run's end back much, large enough that the queue is not the cost.
URLS_PER_JOB = 50
# URLs read (and batches inserted) at a time.
_PAGE = 5000


@dataclass
class EnqueueResult:
    run_id: int
    # URLs put on the queue now, in that many jobs.
    urls: int = 0
    jobs: int = 0
    # Cited URLs not due (checked less than ``stale_after`` ago).
    fresh: int = 0
    # The run was an unfinished one, carried on.
    resumed: bool = False
    # The run still had live jobs: nothing was added.
    busy: bool = False


def enqueue_run(db: Database, settings: Settings, *, recheck: bool = False) -> EnqueueResult:
    """Open a run (or carry on an unfinished one) and queue its due URLs.

    An unfinished queued run whose jobs are still waiting or running is left
    alone (``busy``): enqueueing again would not make it faster. One whose
    jobs are gone (the enqueueing process died, jobs were deleted) gets its
    URLs still due queued again.
    """
    return asyncio.run(_enqueue(db, settings, recheck))


async def _enqueue(db: Database, settings: Settings, recheck: bool) -> EnqueueResult:
    app = queue_app(db)
    async with app.open_async():
        unfinished = await asyncio.to_thread(_unfinished_queue_run, db)
        if unfinished is not None and await live_jobs(app, unfinished):
            return EnqueueResult(run_id=unfinished, busy=True, resumed=True)
        run_id, resumed, _ = await asyncio.to_thread(
            open_run, db, settings, recheck, extra_options={"queue": True}
        )
        due = await asyncio.to_thread(due_condition, db, run_id, settings)
        result = EnqueueResult(run_id=run_id, resumed=resumed)
        if resumed:
            await asyncio.to_thread(_take_over, db, run_id)
        result.fresh = await asyncio.to_thread(_fresh, db, run_id, due)
        last: tuple[str, int] = ("", 0)
        while True:
            page = await asyncio.to_thread(_page, db, due, last)
            if not page:
                break
            last = (page[-1][2], page[-1][0])
            groups = list(_groups(page))
            batch_ids = await asyncio.to_thread(_add_batches, db, run_id, groups)
            jobs = [
                Job(
                    queue=QUEUE,
                    lock=host_lock(host),
                    queueing_lock=None,
                    task_name=FETCH_TASK,
                    task_kwargs={"run_id": run_id, "batch_id": batch_id, "url_ids": list[Any](ids)},
                )
                for batch_id, (host, ids) in zip(batch_ids, groups, strict=True)
            ]
            await app.job_manager.batch_defer_jobs_async(jobs)
            result.urls += len(page)
            result.jobs += len(jobs)
        if result.jobs == 0:
            # Nothing due: the later stages (and closing the run) at once.
            await defer_finish(app, run_id)
        return result


async def defer_finish(app: App, run_id: int) -> None:
    """Queue run ``run_id``'s later stages; at most one such job waits."""
    with contextlib.suppress(exceptions.AlreadyEnqueued):
        await app.configure_task(
            FINISH_TASK, queue=QUEUE, lock=finish_lock(run_id), queueing_lock=finish_lock(run_id)
        ).defer_async(run_id=run_id)


async def live_jobs(app: App, run_id: int) -> int:
    row = await app.connector.execute_query_one_async(
        "SELECT count(*) AS n FROM procrastinate_jobs WHERE status::text = ANY(%(live)s)"
        " AND (args->>'run_id')::int = %(run_id)s",
        live=list(LIVE_STATUSES),
        run_id=run_id,
    )
    return int(row["n"])


def _unfinished_queue_run(db: Database) -> int | None:
    with db.session() as session:
        run = session.scalars(
            select(Run).where(Run.finished_at.is_(None)).order_by(Run.id.desc()).limit(1)
        ).first()
        if run is None or not json.loads(run.options or "{}").get("queue"):
            return None
        return run.id


def _take_over(db: Database, run_id: int) -> None:
    """An unfinished run carried on by the queue: marked as a queue run (a
    crashed ``check`` becomes one), and its batches whose jobs are gone
    forgotten: their URLs still due are queued anew."""
    with db.session() as session:
        run = session.get(Run, run_id)
        assert run is not None
        options = json.loads(run.options or "{}")
        if not options.get("queue"):
            run.options = json.dumps({**options, "queue": True})
        session.execute(
            delete(QueueBatch).where(QueueBatch.run_id == run_id, QueueBatch.done_at.is_(None))
        )


def _fresh(db: Database, run_id: int, due: ColumnElement[bool]) -> int:
    with db.session() as session:
        cited = exists().where(CitationUrl.url_id == Url.id)
        total = session.scalar(select(func.count()).select_from(Url).where(cited)) or 0
        queued = session.scalar(select(func.count()).select_from(Url).where(due)) or 0
        done = session.scalar(select(func.count()).select_from(Check).where(Check.run_id == run_id))
    return max(0, total - queued - (done or 0))


def _page(
    db: Database, due: ColumnElement[bool], last: tuple[str, int]
) -> list[tuple[int, str, str]]:
    """Due URLs by host, then id, after ``last`` (keyset pagination)."""
    with db.session() as session:
        rows = session.execute(
            select(Url.id, Url.url, Url.host)
            .where(due, tuple_(Url.host, Url.id) > tuple_(*last))
            .order_by(Url.host, Url.id)
            .limit(_PAGE)
        ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def _groups(page: list[tuple[int, str, str]]) -> Iterator[tuple[str, list[int]]]:
    """Consecutive URLs of one host, at most ``URLS_PER_JOB`` together."""
    host: str | None = None
    ids: list[int] = []
    for url_id, _url, url_host in page:
        if ids and (url_host != host or len(ids) >= URLS_PER_JOB):
            yield host or "", ids
            ids = []
        host = url_host
        ids.append(url_id)
    if ids:
        yield host or "", ids


def _add_batches(db: Database, run_id: int, groups: list[tuple[str, list[int]]]) -> list[int]:
    now = utcnow()
    rows = [
        {"run_id": run_id, "host": host[:255], "urls": len(ids), "created_at": now}
        for host, ids in groups
    ]
    with db.session() as session:
        ids = session.scalars(
            insert(QueueBatch).returning(QueueBatch.id, sort_by_parameter_order=True), rows
        ).all()
    return list(ids)
