"""Many URLs at once, politely: which URL goes next, and when.

* At most ``concurrency`` attempts in flight in all and ``per_host`` to one
  host; hosts take turns (round robin), so one much-cited site does not hold
  every worker while the others wait.
* ``min_interval`` seconds between two URLs' starts on one host
  (:class:`HostLimiter`); redirect hops follow at once, as a reader's browser
  does.
* A URL waiting for its next attempt holds nothing: it is *parked* until its
  time comes (a delayed queue), and its worker and host slot go to other
  URLs. A host that asks us to wait (``Retry-After``, or a 429) is pushed
  back for all its URLs, not only the one that got the answer.

Memory stays flat however many URLs there are: ``jobs`` is read lazily and
at most ``backlog`` jobs wait (queued or parked).

``clock`` and ``sleep`` come from the fetcher, so tests run retries and
Retry-After waits on a fake clock without waiting in real time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from verifier.fetch.pacing import HostLimiter, host_key
from verifier.settings import Settings

if TYPE_CHECKING:
    from verifier.fetch.engine import Fetcher, FetchResult, Progress

__all__ = ["fetch_urls"]

K = TypeVar("K")


@dataclass
class _Job(Generic[K]):
    key: K
    progress: Progress


class _Scheduler(Generic[K]):
    """Per-host queues of ready jobs, and the parked ones by due time."""

    def __init__(self, settings: Settings, limiter: HostLimiter) -> None:
        self.settings = settings
        self.limiter = limiter
        self.queues: OrderedDict[str, deque[_Job[K]]] = OrderedDict()
        self.running: dict[str, int] = {}
        self.parked: list[tuple[float, int, str, _Job[K]]] = []
        self._order = itertools.count()
        # Jobs queued or parked (not running): what the backlog bounds.
        self.waiting = 0

    def add(self, host: str, job: _Job[K], *, first: bool = False) -> None:
        queue = self.queues.get(host)
        if queue is None:
            queue = self.queues[host] = deque()
        if first:
            queue.appendleft(job)
        else:
            queue.append(job)
        self.waiting += 1

    def park(self, host: str, job: _Job[K], due: float) -> None:
        heapq.heappush(self.parked, (due, next(self._order), host, job))
        self.waiting += 1

    def take(self, now: float) -> tuple[str, _Job[K]] | None:
        """The next job whose host has room and may start now, or ``None``."""
        parked = self.parked
        while parked and parked[0][0] <= now:
            _due, _n, host, job = heapq.heappop(parked)
            self.waiting -= 1
            # A retry goes before its host's new URLs: its check began first.
            self.add(host, job, first=True)
        limiter = self.limiter
        for host, queue in self.queues.items():
            if self.running.get(host, 0) >= self.settings.per_host_limit(host):
                continue
            if limiter.ready_at(host) > now:
                continue
            job = queue.popleft()
            if queue:
                self.queues.move_to_end(host)
            else:
                del self.queues[host]
            self.running[host] = self.running.get(host, 0) + 1
            self.waiting -= 1
            limiter.reserve(host, now)
            return host, job
        return None

    def next_due(self, now: float) -> float:
        """When a job may become ready without any fetch ending (``inf``: never)."""
        due = self.parked[0][0] if self.parked else math.inf
        for host in self.queues:
            if self.running.get(host, 0) < self.settings.per_host_limit(host):
                ready = self.limiter.ready_at(host)
                if ready > now:
                    due = min(due, ready)
        return due

    def done(self, host: str) -> None:
        self.running[host] -= 1
        if not self.running[host]:
            del self.running[host]


async def fetch_urls(
    fetcher: Fetcher,
    jobs: Iterable[tuple[K, str]] | AsyncIterator[tuple[K, str]],
    on_result: Callable[[K, FetchResult], Awaitable[None]],
) -> None:
    """Fetch every ``(key, url)`` of ``jobs`` and hand each result to ``on_result``.

    ``concurrency`` workers each make one attempt at a time; a URL to be
    retried is parked until its wait is over and its worker goes on with
    another URL. ``jobs`` is read lazily (a plain or async iterator) and at
    most ``backlog`` jobs wait, so it can page through millions of URLs;
    ``on_result`` may apply back-pressure by awaiting.
    """
    settings = fetcher.settings
    clock, sleep = fetcher.clock, fetcher.sleep
    backlog = max(4 * settings.concurrency, 256)
    scheduler: _Scheduler[K] = _Scheduler(settings, fetcher.limiter)
    loop = asyncio.get_running_loop()
    idle: deque[asyncio.Future[None]] = deque()
    space = asyncio.Event()
    space.set()
    exhausted = False
    timer: asyncio.Task[None] | None = None
    timer_due = math.inf

    def wake(count: float = 1) -> None:
        while count > 0 and idle:
            waiter = idle.popleft()
            if not waiter.done():
                waiter.set_result(None)
                count -= 1

    async def ring(due: float) -> None:
        nonlocal timer, timer_due
        await sleep(max(0.0, due - clock()))
        timer, timer_due = None, math.inf
        wake(math.inf)

    def arm(due: float) -> None:
        """Wake the idle workers at ``due`` (or earlier, if armed earlier)."""
        nonlocal timer, timer_due
        if due >= timer_due or due == math.inf:
            return
        if timer is not None:
            timer.cancel()
        timer_due = due
        timer = asyncio.create_task(ring(due))

    async def feed() -> None:
        nonlocal exhausted
        try:
            async for key, url in _aiter(jobs):
                while scheduler.waiting >= backlog:
                    space.clear()
                    await space.wait()
                scheduler.add(host_key(url), _Job(key, fetcher.start(url)))
                wake()
        finally:
            exhausted = True
            wake(math.inf)

    async def work() -> None:
        while True:
            now = clock()
            taken = scheduler.take(now)
            while taken is None:
                if exhausted and scheduler.waiting == 0:
                    # Nothing left: the idle workers end too.
                    wake(math.inf)
                    return
                arm(scheduler.next_due(now))
                waiter = loop.create_future()
                idle.append(waiter)
                await waiter
                now = clock()
                taken = scheduler.take(now)
            if scheduler.waiting < backlog:
                space.set()
            host, job = taken
            try:
                outcome = await fetcher.step(job.progress, paced=True)
                if isinstance(outcome, float):
                    scheduler.park(host, job, clock() + outcome)
                    arm(clock() + outcome)
                else:
                    await on_result(job.key, outcome)
            finally:
                scheduler.done(host)
                wake()

    feeder = asyncio.create_task(feed())
    workers = [asyncio.create_task(work()) for _ in range(settings.concurrency)]
    try:
        # A bug or a database error in one worker stops the run rather than
        # losing results quietly.
        await asyncio.gather(*workers)
        await feeder
    finally:
        tasks: list[asyncio.Task[Any]] = [feeder, *workers]
        if timer is not None:
            tasks.append(timer)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _aiter(
    jobs: Iterable[tuple[K, str]] | AsyncIterator[tuple[K, str]],
) -> AsyncIterator[tuple[K, str]]:
    if isinstance(jobs, AsyncIterator):
        async for job in jobs:
            yield job
    else:
        for job in jobs:
            yield job
