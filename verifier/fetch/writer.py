"""Check results are written here, and only here, in batches.

Each batch is one transaction: the ``checks`` rows, the extracted page text
(``contents``), and each URL's ``last_status``, ``last_checked_at``,
``last_check_id``, ``failing_since`` and ``failures_in_a_row``. So a
process killed at any moment (even ``kill -9``) leaves the database
consistent: every URL with a check row in the run has its counters updated,
and every other URL is simply still due. The next ``check`` fetches those
again, which loses at most the requests in flight and the results that
arrived during the last write's linger (0.2 s) and transaction.

A batch is written from a worker thread, so the event loop keeps fetching
meanwhile (group commit, see ``CheckWriter``); when results come faster than
the database takes them, ``add`` waits (back-pressure), which keeps memory
bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from verifier.fetch.engine import FetchResult
from verifier.store.contents import content_hash, store_contents
from verifier.store.database import Database
from verifier.store.inserts import insert_ignoring
from verifier.store.models import Check, Url
from verifier.vocabulary import PageText, counts_as_failure

__all__ = ["CheckWriter", "write_results"]


@dataclass
class _Pending:
    url_id: int
    result: FetchResult


def write_results(session: Session, run_id: int, items: Iterable[tuple[int, FetchResult]]) -> int:
    """Write one batch in ``session``'s transaction; returns the rows written.

    A URL that already has a check in this run is skipped, so writing the
    same results twice never duplicates a row. Statements are executed once
    per batch (executemany), not once per row: the writer must keep up with
    hundreds of results a second while holding the GIL as little as it can.
    """
    batch: dict[int, FetchResult] = {}
    for url_id, result in items:
        batch.setdefault(url_id, result)
    if not batch:
        return 0
    # Core statements on the session's connection: the ORM's bulk and result
    # machinery costs more per row than the database does.
    connection = session.connection()
    url_ids = list(batch)
    in_run = select(Check.url_id).where(Check.run_id == run_id, Check.url_id.in_(url_ids))
    for url_id in connection.scalars(in_run):
        del batch[url_id]
    counters = {
        row.id: (row.failures_in_a_row or 0, row.failing_since)
        for row in connection.execute(
            select(Url.id, Url.failures_in_a_row, Url.failing_since).where(Url.id.in_(list(batch)))
        )
    }
    batch = {url_id: result for url_id, result in batch.items() if url_id in counters}
    if not batch:
        return 0
    hashes: dict[int, str | None] = {}
    pages: dict[str, PageText] = {}
    for url_id, result in batch.items():
        hashes[url_id] = None
        if result.page is not None and result.page.text:
            digest = content_hash(result.page.text)
            hashes[url_id] = digest
            pages.setdefault(digest, result.page)
    store_contents(session, pages)
    rows = [
        {
            "run_id": run_id,
            "url_id": url_id,
            "checked_at": result.checked_at,
            "status": str(result.status),
            "http_status": result.http_status,
            "final_url": result.final_url,
            "redirect_chain": json.dumps(result.redirect_chain) if result.redirect_chain else None,
            "error": result.error[:2000] if result.error else None,
            "elapsed_ms": result.elapsed_ms,
            "attempts": result.attempts,
            "content_type": (result.content_type or "")[:255] or None,
            "content_hash": hashes[url_id],
        }
        for url_id, result in batch.items()
    ]
    check_ids = {
        url_id: check_id
        for check_id, url_id in connection.execute(
            _insert_new_checks(session).returning(Check.id, Check.url_id), rows
        )
    }
    updates = []
    for url_id, result in batch.items():
        if url_id not in check_ids:
            # Written meanwhile by another process working on the same run.
            continue
        failures, since = counters[url_id]
        failing = counts_as_failure(str(result.status))
        if failing is True:
            since = since if failures and since is not None else result.checked_at
            failures += 1
        elif failing is False:
            failures, since = 0, None
        updates.append(
            {
                "url_id": url_id,
                "status": str(result.status),
                "checked_at": result.checked_at,
                "check_id": check_ids[url_id],
                "failures": failures,
                "since": since,
            }
        )
    if updates:
        connection.execute(_UPDATE_URL, updates)
    return len(updates)


_UPDATE_URL = (
    update(Url)
    .where(Url.id == bindparam("url_id"))
    .values(
        last_status=bindparam("status"),
        last_checked_at=bindparam("checked_at"),
        last_check_id=bindparam("check_id"),
        failures_in_a_row=bindparam("failures"),
        failing_since=bindparam("since"),
    )
)


def _insert_new_checks(session: Session) -> Any:
    """An INSERT into ``checks`` that skips a (run, URL) pair already there."""
    return insert_ignoring(session, Check, ["run_id", "url_id"])


class CheckWriter:
    """Writes results as they come, by group commit.

    A background task writes everything collected since its previous write,
    in one transaction, then looks again; it lingers ``linger`` seconds
    (0.2 s) after a first result so that a batch holds what arrives meanwhile
    (up to ``max_batch``): a transaction per row would cost more CPU than the
    fetch. So a killed process loses only the results of its last 0.2 s or
    so, plus the requests in flight.
    ``add`` waits while ``max_pending`` results are unwritten (back-pressure).
    """

    def __init__(
        self,
        db: Database,
        run_id: int,
        *,
        linger: float = 0.2,
        max_batch: int = 500,
        max_pending: int = 2000,
    ) -> None:
        self.db = db
        self.linger = linger
        self.run_id = run_id
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.written = 0
        self._buffer: list[_Pending] = []
        self._arrived = asyncio.Event()
        self._drained = asyncio.Event()
        self._closing = False
        self._closed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CheckWriter:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def add(self, url_id: int, result: FetchResult) -> None:
        task = self._task
        failed = (
            task.exception() if task is not None and task.done() and not task.cancelled() else None
        )
        if failed is not None:
            # A write failed (disk full, database gone): fetching more that
            # cannot be stored is waste; the run stops with that error.
            raise failed
        while len(self._buffer) >= self.max_pending and self._task and not self._task.done():
            self._drained.clear()
            await self._drained.wait()
        self._buffer.append(_Pending(url_id, result))
        self._arrived.set()

    async def close(self) -> None:
        """Write what is left and stop; safe to call while being cancelled."""
        self._closing = True
        self._closed.set()
        self._arrived.set()
        if self._task is not None:
            task, self._task = self._task, None
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                # Ctrl-C: let the last write finish so what was fetched is kept.
                await task
                raise

    async def _run(self) -> None:
        while True:
            if not self._buffer:
                if self._closing:
                    return
                self._arrived.clear()
                await self._arrived.wait()
                continue
            if len(self._buffer) < self.max_batch and not self._closing:
                # Gather what else arrives in the next moment: a transaction
                # costs the same for one row as for a hundred. Closing ends
                # the wait (the last results are written at once).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.linger):
                        await self._closed.wait()
            batch = self._buffer[: self.max_batch]
            del self._buffer[: self.max_batch]
            self._drained.set()
            self.written += await asyncio.to_thread(self._write, batch)

    def _write(self, batch: list[_Pending]) -> int:
        with self.db.session() as session:
            return write_results(session, self.run_id, ((p.url_id, p.result) for p in batch))
