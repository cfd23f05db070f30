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
4 s ... by default) with random jitter (so many URLs on one host do not
retry in lockstep), at most 30 s. A ``Retry-After`` header (seconds or an
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

import tenacity

from verifier.settings import Settings

__all__ = [
    "RETRYABLE_ERRORS",
    "Retryable",
    "backoff_seconds",
    "is_retryable_answer",
    "is_retryable_status",
    "parse_retry_after",
    "with_retries",
]

T = TypeVar("T")

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
    from ``settings.retry_backoff``, capped, plus random jitter."""
    base = min(_MAX_BACKOFF, settings.retry_backoff * 2 ** (retry_number - 1))
    return base + random.uniform(0, settings.retry_backoff)


def with_retries(
    settings: Settings,
    attempt: Callable[[], Awaitable[T]],
    judge: Callable[[T], Retryable],
) -> Callable[[], Awaitable[tuple[T, int]]]:
    """Wrap ``attempt`` so it is repeated while ``judge`` says so.

    Returns a coroutine function giving the last outcome and the number of
    attempts made. ``attempt`` must not raise for a failed fetch: it returns
    the failure, so that the last one is kept when the retries run out.

    The first attempt runs on its own: most URLs need one, and tenacity's
    machinery costs as much CPU as a small request. A retryable outcome
    hands over to tenacity for the retries.
    """

    def wait_after(outcome: T, retry_number: int) -> float | None:
        """Seconds to wait before the next try; ``None``: do not try again."""
        verdict = judge(outcome)
        if not verdict.retry or retry_number > settings.retries:
            return None
        if verdict.retry_after is not None:
            if verdict.retry_after > settings.max_retry_after:
                return None
            return verdict.retry_after
        return backoff_seconds(settings, retry_number)

    def wait(state: tenacity.RetryCallState) -> float:
        assert state.outcome is not None
        return wait_after(state.outcome.result(), state.attempt_number + 1) or 0.0

    def stop(state: tenacity.RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None or outcome.failed:
            return True
        return wait_after(outcome.result(), state.attempt_number + 1) is None

    def should_retry(state: tenacity.RetryCallState) -> bool:
        outcome = state.outcome
        return outcome is not None and not outcome.failed and judge(outcome.result()).retry

    async def run() -> tuple[T, int]:
        first = await attempt()
        pause = wait_after(first, 1)
        if pause is None:
            return first, 1
        await asyncio.sleep(pause)
        retrying = tenacity.AsyncRetrying(
            retry=should_retry,
            wait=wait,
            stop=stop,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
            reraise=True,
        )
        attempts = 1

        async def counted() -> T:
            nonlocal attempts
            attempts += 1
            return await attempt()

        result: T = await retrying(counted)
        return result, attempts

    return run
