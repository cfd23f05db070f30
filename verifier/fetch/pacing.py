"""Politeness per host: how many requests at once, and how far apart.

``HostLimiter`` holds at most ``concurrency`` requests in all and
``per_host`` to one host, spaces two starts on one host by ``min_interval``
seconds, and pushes a host back when it asked us to wait (``Retry-After``,
a 429). The scheduler (``scheduling.py``) and the redirect follower
(``redirects.py``) share one; ``clock`` and ``sleep`` are injected so that
tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

from verifier.fetch.retry import Sleep
from verifier.settings import Settings

__all__ = ["Clock", "HostLimiter", "host_key"]

Clock = Callable[[], float]


class HostLimiter:
    """At most ``concurrency`` requests in all and ``per_host`` to one host,
    and ``min_interval`` seconds between two starts on one host (later when
    the host asked us to wait: :meth:`push_back`)."""

    def __init__(
        self, settings: Settings, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        # Host -> the earliest time (``clock``) its next start may happen.
        self._next: dict[str, float] = {}

    def ready_at(self, host: str) -> float:
        return self._next.get(host, 0.0)

    def reserve(self, host: str, now: float) -> None:
        """A start on ``host`` now: the next one waits ``min_interval``."""
        interval = self.settings.host_interval(host)
        if interval > 0:
            self._next[host] = max(now, self._next.get(host, 0.0)) + interval
        elif host in self._next and self._next[host] <= now:
            del self._next[host]

    def push_back(self, host: str, seconds: float) -> None:
        """``host`` asked us to wait: no start there for ``seconds``."""
        until = self.clock() + seconds
        if until > self._next.get(host, 0.0):
            self._next[host] = until

    @contextlib.asynccontextmanager
    async def slot(self, host: str, *, paced: bool = False) -> AsyncIterator[None]:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self.settings.per_host_limit(host))
        async with semaphore:
            now = self.clock()
            if paced:
                if host in self._next:
                    self._next[host] = max(self._next[host], now)
            else:
                start = max(now, self.ready_at(host))
                self.reserve(host, start)
                if start > now:
                    await self.sleep(start - now)
            async with self._global:
                yield


def host_key(url: str) -> str:
    """The host a URL's politeness counts against (lower case; "" when none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
