"""The fetch engine: one URL's check, from first request to honest status.

Defaults (``verifier.settings.Settings``; all are options and settings):

* ``concurrency`` 64 requests in flight in all, ``per_host`` 4 to one host,
  and ``min_interval`` 0.1 s between two URLs' starts on one host: fast on
  a document citing hundreds of sites, gentle on a site cited hundreds of
  times (``scheduling.py``).
* ``timeout`` 20 s for connecting and for each read, and three times that for
  one whole attempt (a server trickling bytes cannot hold a worker forever).
* ``retries`` 3 extra attempts for transient failures (``retry.py``); a URL
  waiting for its next attempt holds no slot (``scheduling.py`` parks it).
* GET, streamed; the body is read only when the status depends on it (HTML,
  text, PDF, or an error page that may be a bot wall) and at most
  ``max_bytes`` 10 MB *after* decompression (``decoding.py``): a compression
  bomb stops at the cap (status ``too_large``, the HTTP status still recorded).
* Redirects are followed hop by hop (``redirects.py``), at most
  ``max_redirects`` 10, each hop through the SSRF guard (``transport.py``).
* A descriptive User-Agent with a contact (``settings.user_agent()``);
  proxies from the usual environment variables (``HTTP_PROXY``,
  ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``).

robots.txt is not consulted. It tells crawlers which parts of a site to
walk; verifier does not crawl: it makes one request for a URL that a person
chose to cite, as a reader following the note would, exactly like
Wikipedia's archive bot (InternetArchiveBot) checking citations. Honouring
robots.txt written against crawlers would mark many cited pages unreachable
for no reason, and fetching robots.txt itself would double the requests
to every host.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from verifier.fetch import classify
from verifier.fetch.content import PageText, is_html
from verifier.fetch.decoding import ERROR_BODY_BYTES, is_textual
from verifier.fetch.offload import PageExtractor
from verifier.fetch.pacing import Clock, HostLimiter, host_key
from verifier.fetch.redirects import Answer, RedirectFollower
from verifier.fetch.retry import Sleep, backoff_seconds, next_wait
from verifier.fetch.ssrf import Guard, IPAddress, Resolver, refused_reason
from verifier.fetch.transport import GuardedTransport
from verifier.settings import Settings
from verifier.store.models import LinkStatus

__all__ = ["FetchResult", "Fetcher", "Progress"]

logger = logging.getLogger(__name__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class FetchResult:
    """What one URL's check found: what ``checks`` rows are made of."""

    url: str
    status: str
    http_status: int | None = None
    final_url: str | None = None
    # (HTTP status, target URL) per redirect hop.
    redirect_chain: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None
    elapsed_ms: int = 0
    attempts: int = 1
    content_type: str | None = None
    page: PageText | None = None
    checked_at: dt.datetime = field(default_factory=_utcnow)


@dataclass
class Progress:
    """One URL's check between attempts (what a parked URL keeps)."""

    url: str
    started: float
    checked_at: dt.datetime
    attempts: int = 0
    # Its last attempt timed out: it held a slot for the whole time-out, and
    # the scheduler lets new URLs go before its retry (``scheduling.py``).
    timed_out: bool = False


class Fetcher:
    """An open transport, limiter and SSRF guard: ``async with Fetcher(s) as f``.

    ``resolver`` and ``refuse`` replace the system resolver and the address
    policy (tests use them to act out DNS rebinding and public hosts);
    ``clock`` and ``sleep`` the monotonic clock and the waits between
    attempts (tests run retries on a fake clock).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        refuse: Callable[[IPAddress], str | None] = refused_reason,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.guard = Guard(
            allow_private=settings.allow_private_hosts,
            resolver=resolver,
            refuse=refuse,
            canary=settings.dns_canary,
        )
        self.limiter = HostLimiter(settings, clock=clock, sleep=sleep)
        self._probes: dict[tuple[str, str], asyncio.Task[tuple[Answer, PageText | None, str]]] = {}
        self._transport: GuardedTransport | None = None
        self._follower: RedirectFollower | None = None
        self.extractor = PageExtractor()

    async def __aenter__(self) -> Fetcher:
        # One pool per host behind the SSRF guard, proxies from the environment.
        self._transport = GuardedTransport(self.guard, pool_size=self.settings.per_host_limit)
        self._follower = RedirectFollower(self.settings, self.guard, self.limiter, self._transport)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._probes.values():
            task.cancel()
        self.extractor.close()
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None
            self._follower = None

    @property
    def follower(self) -> RedirectFollower:
        assert self._follower is not None, "use the Fetcher as an async context manager"
        return self._follower

    # --- one URL -------------------------------------------------------------

    async def fetch(self, url: str) -> FetchResult:
        """Check one URL: redirects, retries, classification, page text."""
        progress = self.start(url)
        while True:
            outcome = await self.step(progress)
            if isinstance(outcome, FetchResult):
                return outcome
            await self.sleep(outcome)

    def start(self, url: str) -> Progress:
        return Progress(url, time.perf_counter(), _utcnow())

    async def step(self, progress: Progress, *, paced: bool = False) -> FetchResult | float:
        """One attempt at ``progress.url``: the result, or the seconds to
        wait before the next attempt (the caller waits, or parks the URL)."""
        url = progress.url
        if progress.attempts == 0:
            invalid = _invalid(url)
            if invalid is not None:
                return FetchResult(
                    url=url,
                    status=LinkStatus.INVALID_URL,
                    error=f"invalid URL: {invalid}",
                    checked_at=progress.checked_at,
                    attempts=0,
                )
        try:
            answer = await self.follower.attempt(url, paced=paced)
            progress.attempts += 1
            progress.timed_out = answer.kind == "timeout"
            verdict = answer.judge()
            spent = 0.0 if answer.sent is None else self.clock() - answer.sent
            pause = next_wait(self.settings, verdict, progress.attempts, spent=spent)
            self._slow_down(answer, verdict.retry_after)
            if pause is not None:
                return pause
            result = await self._result(answer)
        except Exception as exc:
            # A failure nobody foresaw must not end a nightly run over
            # thousands of URLs: this URL gets the reason, the others go on.
            logger.exception("unexpected error checking %s", url)
            progress.attempts = max(progress.attempts, 1)
            result = FetchResult(
                url=url,
                status=LinkStatus.CONNECTION_ERROR,
                error=f"unexpected error: {type(exc).__name__}: {exc}",
            )
        result.attempts = progress.attempts
        result.checked_at = progress.checked_at
        result.elapsed_ms = int((time.perf_counter() - progress.started) * 1000)
        return result

    def _slow_down(self, answer: Answer, retry_after: float | None) -> None:
        """A host that asks us to wait (Retry-After, 429) waits for all its URLs."""
        if answer.kind is not None:
            return
        if retry_after is None and answer.http_status != 429:
            return
        if retry_after is None:
            retry_after = backoff_seconds(self.settings, 1)
        seconds = min(retry_after, self.settings.max_retry_after)
        self.limiter.push_back(host_key(answer.final_url), seconds)

    async def _result(self, answer: Answer) -> FetchResult:
        result = FetchResult(
            url=answer.url,
            status=LinkStatus.OK,
            http_status=answer.http_status,
            final_url=answer.final_url,
            redirect_chain=answer.chain,
            content_type=answer.content_type,
        )
        if answer.kind is not None:
            decision = classify.classify_failure(answer.kind, answer.message or answer.kind)
            result.status, result.error = decision.status, decision.error
            return result
        assert answer.http_status is not None and answer.headers is not None
        page = await self._extract(answer)
        answer.body = answer.body[:ERROR_BODY_BYTES]
        decision = classify.classify_response(
            url=answer.url,
            final_url=answer.final_url,
            http_status=answer.http_status,
            redirect_chain=answer.chain,
            headers=answer.headers,
            body_head=answer.body,
            page=page,
            accept_status=self.settings.accepted_statuses(urlsplit(answer.url).hostname or ""),
        )
        if (
            decision.status in (LinkStatus.OK, LinkStatus.REDIRECTED)
            and page is not None
            and self.settings.probe_soft_404
            and 200 <= answer.http_status < 300
        ):
            catch_all = await self._catch_all(answer, page)
            if catch_all is not None:
                decision = classify.Decision(LinkStatus.SOFT_404, catch_all)
        result.status, result.error = decision.status, decision.error
        result.page = page
        return result

    async def _extract(self, answer: Answer) -> PageText | None:
        assert answer.http_status is not None
        if not answer.body or not 200 <= answer.http_status < 300:
            return None
        if not (is_html(answer.body, answer.content_type) or is_textual(answer.content_type)):
            return None
        # Large pages are parsed off the event loop so other fetches go on.
        return await self.extractor.extract(answer.body, answer.content_type, answer.final_url)

    async def _catch_all(self, answer: Answer, page: PageText) -> str | None:
        """Why this page is a catch-all's answer to any URL, or ``None``."""
        key = classify.probe_key(answer.url)
        task = self._probes.get(key)
        if task is None:
            task = asyncio.ensure_future(self._probe(answer.url))
            self._probes[key] = task
        probe, probe_page, probe_link = await asyncio.shield(task)
        return classify.catch_all_reason(
            url=answer.url,
            final_url=answer.final_url,
            page=page,
            probe_url=probe_link,
            probe_status=probe.http_status,
            probe_final_url=probe.final_url,
            probe_page=probe_page,
        )

    async def _probe(self, url: str) -> tuple[Answer, PageText | None, str]:
        link = classify.probe_url(url)
        # Like a redirect hop, the probe follows the page at once (its wait
        # would hold the worker); it is one request per host and folder.
        answer = await self.follower.attempt(link, paced=True)
        page = None
        if answer.kind is None:
            page = await self._extract(answer)
        # Kept for the whole run, once per host and folder: only what the
        # comparison reads (see classify.same_page).
        answer.body = b""
        answer.headers = None
        if page is not None:
            page = dataclasses.replace(page, text=page.text[: classify.COMPARED_CHARS])
        return answer, page, link


def _invalid(url: str) -> str | None:
    """Why ``url`` cannot be fetched at all, or ``None``."""
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL with a host")
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return str(exc)
    return None
