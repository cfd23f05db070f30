"""Politeness towards the archives: at most ``rate`` request starts per second.

The Wayback Machine throttles clients that go faster than about one request
a second and answers 429 for minutes afterwards; other archives are smaller
still. Every request to an archive (listing, capture, retry, redirect hop)
waits its turn here, so a run over thousands of dead links stays at the
configured pace however many lookups run at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["MARGIN", "ArchiveLimiters", "RateLimiter"]


# Extra spacing on top of 1/rate: requests leave on time but arrive with a
# few milliseconds of jitter; without it the archive could see two within
# one interval (measured: 0.975 s between arrivals at exactly 1.000 s sends).
MARGIN = 0.05


class RateLimiter:
    """Spaces request starts at least ``(1 + MARGIN) / rate`` seconds apart
    (async, FIFO), so the archive never sees more than ``rate`` a second."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive (got {rate})")
        self.interval = (1.0 + MARGIN) / rate
        self._clock = clock
        self._next = 0.0
        self._lock = asyncio.Lock()
        self.requests = 0

    async def wait(self, abandon: asyncio.Event | None = None) -> bool:
        """Return ``True`` when the next request may start, or ``False`` as
        soon as ``abandon`` is set (the archive's host turned out to be
        unreachable): requests queued behind a doomed one give up at once
        instead of each waiting its turn, and take no turn."""
        async with self._lock:
            if abandon is not None and abandon.is_set():
                return False
            now = self._clock()
            delay = self._next - now
            if delay > 0:
                if abandon is None:
                    await asyncio.sleep(delay)
                else:
                    try:
                        await asyncio.wait_for(abandon.wait(), delay)
                    except TimeoutError:
                        pass
                    else:
                        return False
                now = self._clock()
            self._next = max(now, self._next) + self.interval
            return True

    def sent(self) -> None:
        """Count a request made after :meth:`wait` (one that found its
        archive marked down meanwhile is not sent, and not counted)."""
        self.requests += 1

    def push_back(self, seconds: float) -> None:
        """Hold every next request for ``seconds`` (an archive's Retry-After)."""
        self._next = max(self._next, self._clock() + seconds)


class ArchiveLimiters:
    """One limiter per archive, created on first use, all at the same rate."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._limiters: dict[str, RateLimiter] = {}

    def __getitem__(self, archive: str) -> RateLimiter:
        limiter = self._limiters.get(archive)
        if limiter is None:
            limiter = self._limiters[archive] = RateLimiter(self.rate)
        return limiter

    def counts(self) -> dict[str, int]:
        """Requests started per archive so far."""
        return {name: limiter.requests for name, limiter in self._limiters.items()}
