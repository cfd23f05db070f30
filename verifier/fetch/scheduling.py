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
* New URLs go before retries whose wait is over (:class:`_Scheduler` says
  why): the slowest URLs are met early, so the run does not end on a tail of
  time-outs met late. A retry after a time-out waits until no new URL is
  left to start: each of its attempts holds a slot for the whole time-out,
  slots that the first tries of the URLs after it would use.

Memory stays flat however many URLs there are: ``jobs`` is read lazily, at
most ``backlog`` new URLs wait to start (enough of them that while some
hosts are held back, by their politeness interval or a ``Retry-After``, the
others still have URLs to start) and at most ``retry_backlog`` wait for a
retry (beyond it, new URLs wait for the retries).

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


class _HostQueues(Generic[K]):
    """Ready jobs by host, taken in turns (round robin over the hosts)."""

    def __init__(self) -> None:
        self.by_host: OrderedDict[str, deque[_Job[K]]] = OrderedDict()
        self.count = 0

    def add(self, host: str, job: _Job[K]) -> None:
        queue = self.by_host.get(host)
        if queue is None:
            queue = self.by_host[host] = deque()
        queue.append(job)
        self.count += 1

    def take(self, may_start: Callable[[str], bool]) -> tuple[str, _Job[K]] | None:
        """The first job, in turn, whose host ``may_start``; ``None``: none."""
        for host, queue in self.by_host.items():
            if not may_start(host):
                continue
            job = queue.popleft()
            if queue:
                self.by_host.move_to_end(host)
            else:
                del self.by_host[host]
            self.count -= 1
            return host, job
        return None


class _Scheduler(Generic[K]):
    """Which job goes next: new URLs and retries by host, parked ones by due time.

    New URLs go before retries whose wait is over. Every URL gets its first
    try as early as possible, so the slowest ones (a time-out costs a whole
    ``timeout`` per attempt, and all of a URL's attempts run one after the
    other) are found early and their retries overlap the rest of the run
    instead of trailing after it; a retry has already waited, and waiting a
    little longer only spaces its attempts more. When ``retry_backlog`` URLs
    wait for a retry, retries go first and no new URL starts until fewer
    wait: memory stays bounded however many URLs fail. A retry after a
    time-out (``Progress.timed_out``) goes only when no new URL waits at all
    (or when the retry backlog is full): its attempt holds a slot for a
    whole time-out, as long as dozens of first tries.
    """

    def __init__(self, settings: Settings, limiter: HostLimiter, retry_backlog: int) -> None:
        self.settings = settings
        self.limiter = limiter
        self.retry_backlog = retry_backlog
        self.new: _HostQueues[K] = _HostQueues()
        self.retries: _HostQueues[K] = _HostQueues()
        # retries after a time-out
        self.after_timeout: _HostQueues[K] = _HostQueues()
        self.running: dict[str, int] = {}
        self.parked: list[tuple[float, int, str, _Job[K]]] = []
        self._order = itertools.count()

    @property
    def waiting(self) -> int:
        """Jobs queued or parked (not running)."""
        return self.new.count + self.retrying

    @property
    def retrying(self) -> int:
        """Jobs waiting for a retry: parked, or ready and queued."""
        return self.retries.count + self.after_timeout.count + len(self.parked)

    def add(self, host: str, job: _Job[K]) -> None:
        self.new.add(host, job)

    def park(self, host: str, job: _Job[K], due: float) -> None:
        heapq.heappush(self.parked, (due, next(self._order), host, job))

    def take(self, now: float) -> tuple[str, _Job[K]] | None:
        """The next job whose host has room and may start now, or ``None``."""
        parked = self.parked
        while parked and parked[0][0] <= now:
            _due, _n, host, job = heapq.heappop(parked)
            queue = self.after_timeout if job.progress.timed_out else self.retries
            queue.add(host, job)

        def may_start(host: str) -> bool:
            return self._has_room(host) and self.limiter.ready_at(host) <= now

        taken = None
        if self.retrying < self.retry_backlog:
            taken = self.new.take(may_start)
        taken = taken or self.retries.take(may_start)
        if taken is None and self._after_timeouts_may_go():
            taken = self.after_timeout.take(may_start)
        if taken is not None:
            host = taken[0]
            self.running[host] = self.running.get(host, 0) + 1
            self.limiter.reserve(host, now)
        return taken

    def next_due(self, now: float) -> float:
        """When a job may become ready without any fetch ending (``inf``: never)."""
        due = self.parked[0][0] if self.parked else math.inf
        queues = [self.retries]
        if self._after_timeouts_may_go():
            queues.append(self.after_timeout)
        if self.retrying < self.retry_backlog:
            queues.append(self.new)
        for queue in queues:
            for host in queue.by_host:
                if self._has_room(host):
                    ready = self.limiter.ready_at(host)
                    if ready > now:
                        due = min(due, ready)
        return due

    def _after_timeouts_may_go(self) -> bool:
        """Retries after a time-out go when no new URL waits (or too many retries do)."""
        return not self.new.count or self.retrying >= self.retry_backlog

    def _has_room(self, host: str) -> bool:
        """Whether ``host`` has fewer fetches running than its limit."""
        return self.running.get(host, 0) < self.settings.per_host_limit(host)

    def done(self, host: str) -> None:
        self.running[host] -= 1
        if not self.running[host]:
            del self.running[host]


async def fetch_urls(
    fetcher: Fetcher,
    jobs: Iterable[tuple[K, str]] | AsyncIterator[tuple[K, str]],
    on_result: Callable[[K, FetchResult], Awaitable[None]],
    *,
    retry_backlog: int | None = None,
    on_tail: Callable[[], None] | None = None,
) -> None:
    """Fetch every ``(key, url)`` of ``jobs`` and hand each result to ``on_result``.

    ``concurrency`` workers each make one attempt at a time; a URL to be
    retried is parked until its wait is over and its worker goes on with
    another URL. ``jobs`` is read lazily (a plain or async iterator) and at
    most ``backlog`` new jobs wait, so it can page through millions of URLs;
    ``on_result`` may apply back-pressure by awaiting. At most
    ``retry_backlog`` URLs (by default 32 per worker, at least 2,048) wait
    for a retry; new URLs wait while that many do. ``on_tail`` is called
    once, when every URL has had its first try and a worker finds nothing to
    do: what is left is waiting for slow answers and retries.
    """
    settings = fetcher.settings
    clock, sleep = fetcher.clock, fetcher.sleep
    # Under a kB per waiting URL: 4,096 of them cost a few MB.
    backlog = max(64 * settings.concurrency, 4096)
    scheduler: _Scheduler[K] = _Scheduler(
        settings,
        fetcher.limiter,
        retry_backlog=retry_backlog or max(32 * settings.concurrency, 2048),
    )
    loop = asyncio.get_running_loop()
    idle: deque[asyncio.Future[None]] = deque()
    space = asyncio.Event()
    space.set()
    exhausted = False
    timer: asyncio.Task[None] | None = None
    timer_due = math.inf

    def tail() -> None:
        nonlocal on_tail
        if on_tail is not None:
            told, on_tail = on_tail, None
            told()

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
                while scheduler.new.count >= backlog:
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
                if exhausted and not scheduler.new.count:
                    tail()
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
            if scheduler.new.count < backlog:
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
