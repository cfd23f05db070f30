"""The fetch engine: many URLs at once, politely, with an honest status each.

Defaults (``verifier.settings.Settings``; all are options and settings):

* ``concurrency`` 64 requests in flight in all, ``per_host`` 4 to one host,
  and ``min_interval`` 0.1 s between two request starts to one host: fast on
  a document citing hundreds of sites, gentle on a site cited hundreds of
  times. Hosts are interleaved by the scheduler, so one much-cited site does
  not hold every worker while the others wait.
* ``timeout`` 20 s for connecting and for each read, and three times that for
  one whole attempt (a server trickling bytes cannot hold a worker forever).
* ``retries`` 3 extra attempts for transient failures (``retry.py``).
* GET, streamed; the body is read only when the status depends on it (HTML,
  text, PDF, or an error page that may be a bot wall) and at most
  ``max_bytes`` 10 MB *after* decompression: gzip, deflate and brotli are
  decoded here with an output limit, so a compression bomb stops at the cap
  (status ``too_large``, the HTTP status still recorded).
* Redirects are followed here, at most ``max_redirects`` 10 hops, each hop
  through the SSRF guard, with the chain recorded; a URL seen twice in one
  chain is a loop.
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

Memory stays flat however many URLs there are: the caller feeds URLs through
``fetch_many`` from an iterator (the check pipeline pages them from the
database), at most a bounded number wait in the scheduler, and a body is
dropped as soon as its text is extracted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import time
import zlib
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from verifier.fetch import classify
from verifier.fetch.content import PageText, extract_page, is_html, is_pdf
from verifier.fetch.retry import (
    RETRYABLE_ERRORS,
    Retryable,
    is_retryable_answer,
    parse_retry_after,
    with_retries,
)
from verifier.fetch.ssrf import (
    AddressRefused,
    DnsFailure,
    Guard,
    HostNotFound,
    IPAddress,
    Resolver,
    SchemeRefused,
    refused_reason,
)
from verifier.fetch.transport import GuardedTransport, is_tls_error
from verifier.settings import Settings
from verifier.store.models import LinkStatus

__all__ = ["FetchResult", "Fetcher", "fetch_urls"]

logger = logging.getLogger(__name__)

K = TypeVar("K")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Bytes of an error answer read to recognise a bot wall.
_ERROR_BODY_BYTES = 256 * 1024
_TEXT_TYPES = ("text/", "html", "xml", "json", "pdf", "application/octet-stream")
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/pdf,*/*;q=0.8"


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
class _Answer:
    """One attempt: either an HTTP answer (``http_status``) or a failure (``kind``)."""

    url: str
    final_url: str
    chain: list[tuple[int, str]]
    http_status: int | None = None
    headers: httpx.Headers | None = None
    body: bytes = b""
    content_type: str | None = None
    kind: str | None = None
    message: str | None = None

    def judge(self) -> Retryable:
        if self.kind is not None:
            return Retryable(self.kind in RETRYABLE_ERRORS)
        assert self.http_status is not None
        after = None
        if self.headers is not None:
            after = parse_retry_after(self.headers.get("retry-after"))
        retry = is_retryable_answer(self.http_status, self.headers or {}, self.body)
        return Retryable(retry, after)


class _TooLarge(Exception):
    pass


class _BodyDecoder:
    """Content-Encoding decoding with a limit on the output, so that a
    compression bomb never expands past ``limit`` bytes in memory."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        encoding = encoding.strip().lower()
        self.mode = {"gzip": "zlib", "x-gzip": "zlib", "deflate": "deflate", "br": "br"}.get(
            encoding, "identity"
        )
        self._zlib: Any = None
        self._brotli: Any = None
        if self.mode == "zlib":
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.mode == "deflate":
            self._zlib = zlib.decompressobj()
        elif self.mode == "br":
            import brotli

            self._brotli = brotli.Decompressor()
        self._first = True

    def _add(self, data: bytes) -> None:
        if data:
            self.size += len(data)
            self.parts.append(data)
            if self.size > self.limit:
                raise _TooLarge

    def feed(self, chunk: bytes) -> None:
        if self.mode == "identity":
            self._add(chunk)
        elif self._zlib is not None:
            try:
                data = self._zlib.decompress(chunk, self.limit - self.size + 1)
            except zlib.error:
                if self.mode == "deflate" and self._first:
                    # Some servers send raw deflate without the zlib header.
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    data = self._zlib.decompress(chunk, self.limit - self.size + 1)
                else:
                    raise
            self._first = False
            self._add(data)
            while self._zlib.unconsumed_tail:
                self._add(
                    self._zlib.decompress(self._zlib.unconsumed_tail, self.limit - self.size + 1)
                )
        else:
            self._add(self._brotli.process(chunk, output_buffer_limit=self.limit - self.size + 1))
            while not self._brotli.can_accept_more_data():
                self._add(self._brotli.process(b"", output_buffer_limit=self.limit - self.size + 1))

    def body(self) -> bytes:
        return b"".join(self.parts)


class HostLimiter:
    """At most ``concurrency`` requests in all, ``per_host`` to one host, and
    ``min_interval`` seconds between two request starts to one host."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[float]]] = {}

    def _host(self, host: str) -> tuple[asyncio.Semaphore, list[float]]:
        entry = self._hosts.get(host)
        if entry is None:
            entry = (asyncio.Semaphore(self.settings.per_host_limit(host)), [0.0])
            self._hosts[host] = entry
        return entry

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        semaphore, next_start = self._host(host)
        async with semaphore:
            interval = self.settings.host_interval(host)
            if interval > 0:
                now = time.monotonic()
                start = max(now, next_start[0])
                next_start[0] = start + interval
                if start > now:
                    await asyncio.sleep(start - now)
            async with self._global:
                yield


_is_tls_error = is_tls_error


class Fetcher:
    """An open HTTP client, limiter and SSRF guard: ``async with Fetcher(s) as f``.

    ``resolver`` and ``refuse`` replace the system resolver and the address
    policy (tests use them to act out DNS rebinding and public hosts).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        refuse: Callable[[IPAddress], str | None] = refused_reason,
    ) -> None:
        self.settings = settings
        self.guard = Guard(
            allow_private=settings.allow_private_hosts,
            resolver=resolver,
            refuse=refuse,
            canary=settings.dns_canary,
        )
        self.limiter = HostLimiter(settings)
        self._probes: dict[tuple[str, str], asyncio.Task[tuple[_Answer, PageText | None, str]]] = {}
        self._transport: GuardedTransport | None = None

    async def __aenter__(self) -> Fetcher:
        settings = self.settings
        # One pool per host behind the SSRF guard, proxies from the
        # environment (requests go through ``_send``).
        self._transport = GuardedTransport(self.guard, pool_size=settings.per_host_limit)
        self._headers = httpx.Headers(
            {
                "User-Agent": settings.user_agent(),
                "Accept": _ACCEPT,
                "Accept-Language": "en;q=0.9, *;q=0.5",
                "Accept-Encoding": "gzip, deflate, br",
            }
        )
        self._extensions = {"timeout": httpx.Timeout(settings.timeout).as_dict()}
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._probes.values():
            task.cancel()
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    # --- one URL -------------------------------------------------------------

    async def fetch(self, url: str) -> FetchResult:
        """Check one URL: redirects, retries, classification, page text."""
        started = time.perf_counter()
        checked_at = _utcnow()
        try:
            parts = urlsplit(url)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise ValueError("not an http(s) URL with a host")
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            return FetchResult(
                url=url,
                status=LinkStatus.INVALID_URL,
                error=f"invalid URL: {exc}",
                checked_at=checked_at,
                attempts=0,
            )

        run = with_retries(self.settings, lambda: self._follow(url), _Answer.judge)
        try:
            answer, attempts = await run()
            result = await self._result(answer)
        except Exception as exc:
            # A failure nobody foresaw must not end a nightly run over
            # thousands of URLs: this URL gets the reason, the others go on.
            logger.exception("unexpected error checking %s", url)
            attempts = 1
            result = FetchResult(
                url=url,
                status=LinkStatus.CONNECTION_ERROR,
                error=f"unexpected error: {type(exc).__name__}: {exc}",
            )
        result.attempts = attempts
        result.checked_at = checked_at
        result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return result

    async def _result(self, answer: _Answer) -> FetchResult:
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
        answer.body = answer.body[:_ERROR_BODY_BYTES]
        decision = classify.classify_response(
            url=answer.url,
            final_url=answer.final_url,
            http_status=answer.http_status,
            redirect_chain=answer.chain,
            headers=answer.headers,
            body_head=answer.body,
            page=page,
            accept_status=self.settings.host(urlsplit(answer.url).hostname or "").accept_status,
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

    async def _extract(self, answer: _Answer) -> PageText | None:
        assert answer.http_status is not None
        if not answer.body or not 200 <= answer.http_status < 300:
            return None
        if not (is_html(answer.body, answer.content_type) or _is_textual(answer.content_type)):
            return None
        if len(answer.body) > 256 * 1024:
            # Large pages are parsed off the event loop so other fetches go on.
            return await asyncio.to_thread(
                extract_page, answer.body, answer.content_type, answer.final_url
            )
        return extract_page(answer.body, answer.content_type, answer.final_url)

    async def _catch_all(self, answer: _Answer, page: PageText) -> str | None:
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

    async def _probe(self, url: str) -> tuple[_Answer, PageText | None, str]:
        link = classify.probe_url(url)
        answer = await self._follow(link)
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

    # --- one attempt ---------------------------------------------------------

    async def _follow(self, url: str) -> _Answer:
        """One attempt: GET ``url`` and follow its redirects."""
        try:
            async with asyncio.timeout(self.settings.timeout * 3):
                return await self._follow_hops(url)
        except TimeoutError:
            return _Answer(
                url,
                url,
                [],
                kind="timeout",
                message=f"no complete answer within {self.settings.timeout * 3:g} s",
            )

    async def _send(self, url: str, cookies: httpx.Cookies) -> httpx.Response:
        """One GET, streamed, straight to the transport: the client's own
        redirect, auth and hook machinery costs more CPU than the request,
        and redirects are followed by ``_follow_hops``. Cookies live for one
        fetch's redirect chain only (sites that set a cookie and redirect
        back), never across URLs."""
        assert self._transport is not None
        request = httpx.Request("GET", url, headers=self._headers, extensions=self._extensions)
        if cookies:
            cookies.set_cookie_header(request)
        response = await self._transport.handle_async_request(request)
        response.request = request
        if "set-cookie" in response.headers:
            cookies.extract_cookies(response)
        return response

    async def _follow_hops(self, url: str) -> _Answer:
        chain: list[tuple[int, str]] = []
        cookies = httpx.Cookies()
        # A URL seen twice with the same cookies is a loop; with a cookie set
        # in between it is a site checking that we keep cookies.
        seen = {(url, _cookie_state(cookies))}
        current = url
        settings = self.settings
        for _hop in range(settings.max_redirects + 1):
            answer = _Answer(url, current, chain)
            try:
                parts = urlsplit(current)
                self.guard.check_scheme(parts.scheme)
                host = (parts.hostname or "").lower()
                if not host:
                    raise ValueError("no host")
                await self.guard.resolve(host, parts.port or _default_port(parts.scheme))
                async with self.limiter.slot(host):
                    response = await self._send(current, cookies)
                    try:
                        location = response.headers.get("location")
                        if response.status_code in _REDIRECTS and location:
                            target = urljoin(current, location.strip())
                            chain.append((response.status_code, target))
                            key = (target, _cookie_state(cookies))
                            if key in seen:
                                answer.kind = "redirect_loop"
                                answer.message = f"redirect loop back to {target}"
                                answer.http_status = response.status_code
                                return answer
                            seen.add(key)
                            current = target
                            continue
                        await self._read(response, answer)
                        return answer
                    finally:
                        await response.aclose()
            except SchemeRefused as exc:
                answer.kind = "refused" if chain else "invalid_url"
                answer.message = str(exc)
            except AddressRefused as exc:
                answer.kind, answer.message = "refused", str(exc)
            except HostNotFound as exc:
                answer.kind, answer.message = "dns_not_found", str(exc)
            except DnsFailure as exc:
                answer.kind, answer.message = "dns", str(exc)
            except _TooLarge:
                answer.kind = "too_large"
                answer.message = f"body over {settings.max_bytes:,} bytes (decompressed)"
            except httpx.TimeoutException as exc:
                answer.kind = "timeout"
                answer.message = f"{type(exc).__name__} after {settings.timeout:g} s"
            except httpx.ConnectError as exc:
                if _is_tls_error(exc):
                    answer.kind, answer.message = "tls", f"TLS error: {exc}"
                else:
                    answer.kind, answer.message = "connection", f"cannot connect: {exc}"
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
                answer.kind, answer.message = "invalid_url", f"invalid URL: {exc}"
            except (httpx.TransportError, httpx.DecodingError, zlib.error, OSError) as exc:
                if _is_tls_error(exc):
                    answer.kind, answer.message = "tls", f"TLS error: {exc}"
                else:
                    answer.kind = "connection"
                    answer.message = f"connection failed: {type(exc).__name__}: {exc}"
            except Exception as exc:
                # brotli.error and other decoders' errors: the body is unusable.
                if type(exc).__module__.startswith(("brotli", "_brotli")):
                    answer.kind, answer.message = "connection", f"undecodable body: {exc}"
                else:
                    raise
            return answer
        return _Answer(
            url,
            current,
            chain,
            http_status=chain[-1][0] if chain else None,
            kind="too_many_redirects",
            message=f"more than {settings.max_redirects} redirects",
        )

    async def _read(self, response: httpx.Response, answer: _Answer) -> None:
        """Read as much of the body as the status needs, within the cap."""
        answer.http_status = response.status_code
        answer.headers = response.headers
        answer.content_type = response.headers.get("content-type")
        ok = 200 <= response.status_code < 300
        if ok and not _is_textual(answer.content_type):
            return
        limit = self.settings.max_bytes if ok else _ERROR_BODY_BYTES
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "identity")
        if ok and declared.isdigit() and int(declared) > limit and encoding == "identity":
            raise _TooLarge
        decoder = _BodyDecoder(encoding, limit)
        try:
            async for chunk in response.aiter_raw():
                decoder.feed(chunk)
        except _TooLarge:
            if ok:
                raise
        answer.body = decoder.body()
        if not ok:
            answer.body = answer.body[:limit]
        if ok and answer.content_type is None and is_pdf(answer.body, None):
            answer.content_type = "application/pdf"


def _cookie_state(cookies: httpx.Cookies) -> tuple[tuple[str, str | None], ...]:
    return tuple(sorted((cookie.name, cookie.value) for cookie in cookies.jar))


def _default_port(scheme: str) -> int:
    return 443 if scheme.lower() == "https" else 80


def _is_textual(content_type: str | None) -> bool:
    if not content_type:
        return True
    kind = content_type.split(";")[0].strip().lower()
    return any(marker in kind for marker in _TEXT_TYPES)


# --- many URLs -------------------------------------------------------------


class _Scheduler(Generic[K]):
    """Hands out jobs with hosts interleaved, never more than a host allows.

    Jobs wait in per-host queues; a host with ``per_host`` fetches running
    gets no more until one ends, while other hosts go on. Hosts take turns
    (round robin), so one much-cited site does not hold every worker.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queues: OrderedDict[str, deque[tuple[K, str]]] = OrderedDict()
        self.running: dict[str, int] = {}
        self.waiting = 0

    def add(self, key: K, url: str) -> None:
        host = _host_key(url)
        queue = self.queues.get(host)
        if queue is None:
            queue = self.queues[host] = deque()
        queue.append((key, url))
        self.waiting += 1

    def take(self) -> tuple[str, K, str] | None:
        """The next job whose host has room, or ``None``."""
        for host, queue in self.queues.items():
            if self.running.get(host, 0) >= self.settings.per_host_limit(host):
                continue
            key, url = queue.popleft()
            if queue:
                self.queues.move_to_end(host)
            else:
                del self.queues[host]
            self.running[host] = self.running.get(host, 0) + 1
            self.waiting -= 1
            return host, key, url
        return None

    def done(self, host: str) -> None:
        self.running[host] -= 1
        if not self.running[host]:
            del self.running[host]


def _host_key(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


async def fetch_urls(
    fetcher: Fetcher,
    jobs: Iterable[tuple[K, str]] | AsyncIterator[tuple[K, str]],
    on_result: Callable[[K, FetchResult], Awaitable[None]],
) -> None:
    """Fetch every ``(key, url)`` of ``jobs`` and hand each result to ``on_result``.

    ``concurrency`` workers each take the next job as soon as their fetch
    ends (no round trip through a dispatcher), from a scheduler that a feeder
    keeps filled from ``jobs``. ``jobs`` is read lazily (a plain or async
    iterator) and at most ``backlog`` jobs wait, so it can page through
    millions of URLs; ``on_result`` may apply back-pressure by awaiting.
    """
    settings = fetcher.settings
    backlog = max(4 * settings.concurrency, 256)
    scheduler: _Scheduler[K] = _Scheduler(settings)
    # Every change that may let a worker go on (a job added, a fetch ended,
    # the jobs ran out) happens under this condition's lock and notifies it,
    # and workers take jobs under the same lock: no wake-up is ever lost.
    changed = asyncio.Condition()
    exhausted = False

    async def feed() -> None:
        nonlocal exhausted
        try:
            async for key, url in _aiter(jobs):
                async with changed:
                    await changed.wait_for(lambda: scheduler.waiting < backlog)
                    scheduler.add(key, url)
                    changed.notify_all()
        finally:
            async with changed:
                exhausted = True
                changed.notify_all()

    async def work() -> None:
        while True:
            async with changed:
                job = scheduler.take()
                while job is None:
                    if exhausted and scheduler.waiting == 0:
                        return
                    await changed.wait()
                    job = scheduler.take()
            host, key, url = job
            try:
                result = await fetcher.fetch(url)
                await on_result(key, result)
            finally:
                async with changed:
                    scheduler.done(host)
                    changed.notify_all()

    feeder = asyncio.create_task(feed())
    workers = [asyncio.create_task(work()) for _ in range(settings.concurrency)]
    try:
        # A bug or a database error in one worker stops the run rather than
        # losing results quietly.
        await asyncio.gather(*workers)
        await feeder
    finally:
        for task in [feeder, *workers]:
            task.cancel()
        await asyncio.gather(feeder, *workers, return_exceptions=True)


async def _aiter(
    jobs: Iterable[tuple[K, str]] | AsyncIterator[tuple[K, str]],
) -> AsyncIterator[tuple[K, str]]:
    if isinstance(jobs, AsyncIterator):
        async for job in jobs:
            yield job
    else:
        for job in jobs:
            yield job
