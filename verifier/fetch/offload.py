"""Large pages' text extracted in another process.

A 5 MB page costs about 80 ms of lxml and Python to turn into text. On the
event loop's thread (or a thread beside it, which holds the GIL as long)
that time is taken from every other fetch in flight; in a process of its
own it runs on another core. Small pages (most of them) are extracted in
place: sending them to a process would cost more than extracting them.

The same large body (one report cited through several URLs: ``http`` and
``https``, tracking parameters, a mirror) is extracted once: the last few
large pages' texts are kept, keyed by the body's sha256, up to
``_KEPT_CHARS`` characters in all.

One worker process (``spawn``: the fetcher's threads are never forked),
started with the second large page and stopped with the fetcher; the first
large page goes to a thread, since starting the worker costs more than one
page. A process started with ``spawn`` imports the program's main module
again, so the worker is used only where that is known to be safe: the
``verifier`` command turns it on (:func:`allow_worker_processes`); a script
using the library gets threads unless it does the same (under ``if
__name__ == "__main__":``). On a machine with one core, or when the worker
dies, large pages go to a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from verifier.vocabulary import PageText

__all__ = ["LARGE_PAGE", "PageExtractor", "allow_worker_processes"]

# Bodies larger than this (bytes) are extracted off the event loop.
LARGE_PAGE = 256 * 1024
# Large pages' texts kept for a body seen again: at most this many, and
# this many characters in all.
_KEPT = 8
_KEPT_CHARS = 16_000_000


_allowed = False


def allow_worker_processes(allowed: bool = True) -> None:
    """Let large pages go to a worker process (the program's main module is
    guarded, or is the ``verifier`` command)."""
    global _allowed
    _allowed = allowed


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class PageExtractor:
    """``extract_page``, with large bodies sent to a worker process (or,
    with ``processes=0`` or one core, to a thread)."""

    def __init__(self, *, processes: int | None = None, large: int = LARGE_PAGE) -> None:
        if processes is None:
            processes = 1 if _allowed and _cores() > 1 else 0
        self.processes = processes
        self.large = large
        self._pool: Executor | None = None
        # Large bodies extracted so far (not counting those kept).
        self._large = 0
        # Large pages' texts by (body's sha256, type, URL names a PDF).
        self._kept: OrderedDict[tuple[bytes, str | None, bool], asyncio.Future[PageText]] = (
            OrderedDict()
        )

    async def extract(self, body: bytes, content_type: str | None, url: str | None) -> PageText:
        # imported here: the command turns the worker on at start-up
        # (``allow_worker_processes``) without loading lxml
        from verifier.fetch.content import extract_page, names_pdf

        if len(body) <= self.large:
            return extract_page(body, content_type, url)
        # What extract_page reads: the body, its type, and whether the URL
        # names a PDF.
        key = (hashlib.sha256(body).digest(), content_type, names_pdf(url))
        kept = self._kept.get(key)
        if kept is None:
            kept = asyncio.ensure_future(self._extract_large(body, content_type, url))
            self._kept[key] = kept
            kept.add_done_callback(lambda _done: self._trim())
        else:
            self._kept.move_to_end(key)
        try:
            # shielded: one caller's cancellation does not fail the others
            return await asyncio.shield(kept)
        except asyncio.CancelledError:
            raise
        except BaseException:
            self._kept.pop(key, None)
            raise

    def _trim(self) -> None:
        """Forget the oldest kept texts beyond ``_KEPT`` or ``_KEPT_CHARS``."""
        chars = 0
        for key in reversed(list(self._kept)):
            future = self._kept[key]
            if not future.done():
                continue
            if future.cancelled() or future.exception() is not None:
                del self._kept[key]
                continue
            chars += len(future.result().text)
            if chars > _KEPT_CHARS:
                del self._kept[key]
        while len(self._kept) > _KEPT:
            self._kept.popitem(last=False)

    async def _extract_large(
        self, body: bytes, content_type: str | None, url: str | None
    ) -> PageText:
        # multiprocessing loads when a pool is first needed: every command
        # imports this module (``allow_worker_processes``), few start one.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        from verifier.fetch.content import extract_page

        self._large += 1
        # The first large body goes to a thread: starting the worker costs
        # more than one page (an interpreter and its imports).
        if self.processes > 0 and self._large > 1:
            loop = asyncio.get_running_loop()
            try:
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(
                        max_workers=self.processes, mp_context=multiprocessing.get_context("spawn")
                    )
                return await loop.run_in_executor(self._pool, extract_page, body, content_type, url)
            except (BrokenProcessPool, OSError):
                # The worker died (killed, out of memory) or no process can
                # be started here: threads from now on.
                self._stop_pool()
                self.processes = 0
        return await asyncio.to_thread(extract_page, body, content_type, url)

    def close(self) -> None:
        self._kept.clear()
        self._stop_pool()

    def _stop_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            # waited for: its CPU time is counted with the command's
            pool.shutdown(wait=True, cancel_futures=True)
