"""What is worth another try, and how long to wait: the one place that decides.

Retried (a second try often succeeds, so failing now would cry wolf):

* time-outs: a slow or overloaded server, a congested network;
* connections reset, refused mid-way or dropped in the middle of a body:
  restarts, load balancers recycling connections;
* HTTP 408 Request Timeout: the server says so itself;
* HTTP 429 Too Many Requests: we were too fast; wait as told by Retry-After;
* HTTP 5xx: the server failed, not the page; except 501 Not Implemented and
  505 HTTP Version Not Supported, which say the same thing every time;
* but never a bot wall or challenge page, whatever its status (503 and 429
  are common there): it answers the same however often it is asked.

Not retried (the answer will not change in a few seconds):

* other 4xx (404, 410, 401, 403 ...): the server answered about the page;
* a host that does not resolve, a TLS failure, an address refused by the
  SSRF guard, an invalid URL, a body over the size cap, a redirect loop.

Waits grow exponentially from ``settings.retry_backoff`` seconds (1 s, 2 s,
4 s ... by default), at most 30 s, each made up to a quarter longer at
random (jitter: many URLs on one host do not retry in lockstep, and a wait
is never shorter than its rule). A wait counts from when the failed
request was sent, not from when it failed: the server is asked again no
sooner than the back-off after it was last asked. A quick 500 waits its
second; a request that took 5 s to time out has waited longer than that
already, and is tried again at once. A ``Retry-After`` header (seconds or an
HTTP date) replaces the computed wait when it is at most
``settings.max_retry_after``; a longer one ends the retries: the run does
not stall on one host, and the status stays honest (``rate_limited`` or
``server_error``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from verifier.settings import Settings

__all__ = [
    "RETRYABLE_ERRORS",
    "Retryable",
    "Sleep",
    "backoff_seconds",
    "is_retryable_answer",
    "is_retryable_status",
    "next_wait",
    "parse_retry_after",
    "with_retries",
]

T = TypeVar("T")
# Waits the given seconds (``asyncio.sleep``, or a test's recorder).
Sleep = Callable[[float], Awaitable[None]]

# Transport failure kinds (see engine.py) that are retried.
RETRYABLE_ERRORS = frozenset({"timeout", "connection"})
_PERMANENT_5XX = frozenset({501, 505})
_MAX_BACKOFF = 30.0


def is_retryable_status(code: int) -> bool:
    """HTTP statuses worth another try (the module docstring says why)."""
    if code in (408, 429):
        return True
    return 500 <= code <= 599 and code not in _PERMANENT_5XX


def is_retryable_answer(code: int, headers: Mapping[str, str], body_head: bytes) -> bool:
    """An HTTP answer worth another try: a retryable status and no bot wall."""
    from verifier.fetch.classify import challenge_reason

    return is_retryable_status(code) and challenge_reason(headers, body_head, None) is None


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class Retryable:
    """What one attempt tells the retry policy."""

    retry: bool
    retry_after: float | None = None


def backoff_seconds(settings: Settings, retry_number: int) -> float:
    """The wait before retry ``retry_number`` (1 for the first): exponential
    from ``settings.retry_backoff``, capped, plus up to a quarter of it at
    random (jitter)."""
    base = min(_MAX_BACKOFF, settings.retry_backoff * 2 ** (retry_number - 1))
    return base * random.uniform(1.0, 1.25)


def next_wait(
    settings: Settings, verdict: Retryable, retry_number: int, *, spent: float = 0.0
) -> float | None:
    """Seconds to wait before retry ``retry_number`` (1 for the first), or
    ``None``: do not try again (not retryable, retries used up, or a
    Retry-After longer than ``settings.max_retry_after``).

    ``spent``: seconds since the failed request was sent. The back-off
    counts from then, so they are taken off it; a Retry-After counts from
    the answer that carries it, and is waited in full."""
    if not verdict.retry or retry_number > settings.retries:
        return None
    if verdict.retry_after is not None:
        if verdict.retry_after > settings.max_retry_after:
            return None
        return verdict.retry_after
    return max(0.0, backoff_seconds(settings, retry_number) - max(0.0, spent))


def with_retries(
    settings: Settings,
    attempt: Callable[[], Awaitable[T]],
    judge: Callable[[T], Retryable],
    *,
    sleep: Sleep = asyncio.sleep,
) -> Callable[[], Awaitable[tuple[T, int]]]:
    """Wrap ``attempt`` so it is repeated while ``judge`` says so.

    Returns a coroutine function giving the last outcome and the number of
    attempts made. ``attempt`` must not raise for a failed fetch: it returns
    the failure, so that the last one is kept when the retries run out.
    ``sleep`` waits between attempts (tests pass one that only records).

    The fetch engine does not wait here: it parks a URL between attempts
    (``scheduling.fetch_urls``) so that the wait holds no slot; it uses
    :func:`next_wait` for the same rule.
    """

    async def run() -> tuple[T, int]:
        attempts = 0
        while True:
            outcome = await attempt()
            attempts += 1
            pause = next_wait(settings, judge(outcome), attempts)
            if pause is None:
                return outcome, attempts
            await sleep(pause)

    return run
