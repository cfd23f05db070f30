"""Talking to archives politely: one HTTP client for every archive request.

Each request waits for its archive's rate limiter, is retried by the fetch
stage's rule (:mod:`verifier.fetch.retry`: 408, 429, 5xx, time-outs and
dropped connections, with Retry-After honoured), and never follows
redirects on its own: the archive modules follow them, because a redirect
inside an archive means something (another capture, a historical redirect).

An archived page that answered 429 or 503 when it was captured is not the
archive refusing us: such answers carry ``Memento-Datetime`` and are never
retried (the reddit capture in the recorded cassettes is one).

Every request goes through the SSRF guard (:mod:`verifier.fetch.transport`),
on every hop and on the address connected to, with the run's
``allow_private_hosts``: the archive endpoints the user configured may be
private (tests and mirrors on an intranet), but a memento listed by an
aggregator or a copy named by a document pointing inside the network is
refused (:class:`ArchiveRefused`) without a request, and counts no failure
against the archive.

An archive that could not be reached at all (no connection: no network,
DNS failure, refused, connect time-out) costs one attempt per run: the host
is *unreachable* for the rest of the run, no retry, and every later request
to it fails at once (``ArchiveUnavailable.unreachable`` names the host), so
an offline nightly run does not spend seconds per archive on doomed
requests. An archive that answers but keeps failing (429, 5xx, dropped
answers) counts a failure after its retries; after ``DOWN_AFTER`` failures
in a row, or ``DOWN_AFTER_ATTEMPTS`` dropped attempts in a row, it is
considered down for the rest of the run. Either way the summary names it
once instead of once per URL.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from verifier.archive.limiter import ArchiveLimiters
from verifier.fetch.retry import (
    Retryable,
    is_retryable_status,
    parse_retry_after,
    with_retries,
)
from verifier.settings import Settings

if TYPE_CHECKING:
    # httpx and the guard load with the first client: a run whose archive
    # stage has nothing to look up never imports them.
    import httpx

    from verifier.fetch.ssrf import Resolver

__all__ = [
    "DOWN_AFTER",
    "DOWN_AFTER_ATTEMPTS",
    "ArchiveClient",
    "ArchiveRefused",
    "ArchiveResponse",
    "ArchiveUnavailable",
    "CaptureResult",
]

# Consecutive exhausted requests after which an archive is left alone.
DOWN_AFTER = 3
# Attempts (each retry counts) failing to connect in a row, across all
# lookups, before the archive is taken as down: many lookups wait their turn
# at one request per second, so counting only whole lookups would let an
# unreachable archive cost a minute or more of doomed requests.
DOWN_AFTER_ATTEMPTS = 5


class ArchiveUnavailable(Exception):
    """The archive could not be reached or kept refusing (rate limit, 5xx).

    ``unreachable`` is the host that could not be connected to, when that
    is why."""

    def __init__(self, archive: str, reason: str, *, unreachable: str | None = None) -> None:
        super().__init__(f"{archive}: {reason}")
        self.archive = archive
        self.reason = reason
        self.unreachable = unreachable


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class ArchiveRefused(ArchiveUnavailable):
    """The address is not fetched (the SSRF guard): not the archive failing."""


# The archive endpoints a user may point elsewhere (a mirror, a test server).
_ENDPOINTS = ("wayback_url", "memento_url", "archive_today_url")


def configured_endpoints(settings: Settings) -> set[tuple[str, int]]:
    """``(host, port)`` of the archive endpoints the user set (changed from
    their defaults): those alone may be private addresses."""
    from verifier.fetch.transport import endpoint_key

    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    found: set[tuple[str, int]] = set()
    for name in _ENDPOINTS:
        value = getattr(settings, name)
        key = endpoint_key(value)
        if key is not None and value != defaults.get(name):
            found.add(key)
    return found


def guarded_http(
    settings: Settings, resolver: Resolver | None = None, **options: object
) -> httpx.AsyncClient:
    """An HTTP client for archive requests, behind the SSRF guard
    (``resolver`` replaces the system's, for tests)."""
    import httpx

    from verifier.fetch.transport import GuardedTransport, TrustingGuard

    guard = TrustingGuard(
        configured_endpoints(settings),
        allow_private=settings.allow_private_hosts,
        canary=settings.dns_canary,
        resolver=resolver,
    )
    return httpx.AsyncClient(
        transport=GuardedTransport(guard, pool_size=lambda _host: 4),
        trust_env=False,
        **options,  # type: ignore[arg-type]
    )


@dataclass
class ArchiveResponse:
    """An answer read in full (up to the size cap)."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    attempts: int = 1
    truncated: bool = False

    @property
    def memento_datetime(self) -> str | None:
        return self.headers.get("memento-datetime")

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


@dataclass
class CaptureResult:
    """What fetching one capture gave: content, or why it is not usable."""

    archive: str
    requested_url: str
    # The copy to show a reader (no ``id_``): the report's archive_url.
    snapshot_url: str | None = None
    captured_at: dt.datetime | None = None
    # The status the archived page answered with when it was captured.
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200 and self.captured_at is not None


@dataclass
class _Failure:
    kind: str
    message: str


class ArchiveClient:
    """Rate-limited, retried GET/POST to the archives of one run."""

    def __init__(
        self,
        settings: Settings,
        *,
        limiters: ArchiveLimiters | None = None,
        backoff: float | None = None,
        http: httpx.AsyncClient | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        import httpx

        self.settings = settings
        self.limiters = limiters or ArchiveLimiters(settings.archive_rate)
        # The retry rule reads its first wait from the settings; archives get
        # their own (tests shorten it) without changing the run's settings.
        self._retry_settings = dataclasses.replace(settings)
        wait = backoff if backoff is not None else settings.retry_backoff
        object.__setattr__(self._retry_settings, "retry_backoff", wait)
        self._http = http or guarded_http(
            settings,
            resolver,
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent()},
        )
        self._failures: dict[str, int] = {}
        self._failed_attempts: dict[str, int] = {}
        # Archive -> why it is considered down for this run.
        self.down: dict[str, str] = {}
        # Host -> why it could not be connected to (one attempt, then never
        # again in this run).
        self.unreachable: dict[str, str] = {}
        # Set when the host is unreachable or the archive down: releases the
        # requests queued for (archive, host) at the rate limiter at once.
        self._abandon: dict[tuple[str, str], asyncio.Event] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ArchiveClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def get(
        self,
        archive: str,
        url: str,
        *,
        params: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ArchiveResponse:
        return await self.request("GET", archive, url, params=params, headers=headers)

    async def follow(
        self, archive: str, url: str, refuse: Callable[[str], str | None]
    ) -> tuple[ArchiveResponse | None, str, str | None]:
        """GET ``url``, following redirects (at most ``settings.max_redirects``,
        never in a loop); ``refuse(target)`` names why a redirect target is not
        followed. Returns the last response, the URL it answered for, and an
        error when the chain ended without one."""
        current = url
        seen = {current}
        for _ in range(self.settings.max_redirects + 1):
            try:
                response = await self.get(archive, current)
            except ArchiveRefused as exc:
                return None, current, exc.reason
            location = response.location
            if not (300 <= response.status < 400 and location):
                return response, current, None
            target = urljoin(current, location)
            reason = refuse(target)
            if reason is not None:
                return None, current, reason
            if target in seen:
                return None, current, f"redirect loop in the archive at {target}"
            seen.add(target)
            current = target
        return None, current, f"more than {self.settings.max_redirects} redirects in the archive"

    async def request(
        self,
        method: str,
        archive: str,
        url: str,
        *,
        params: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> ArchiveResponse:
        """One logical request, retried; raises :class:`ArchiveUnavailable`
        when the archive is down or still failing after the retries."""
        import httpx

        from verifier.fetch.ssrf import AddressRefused, DnsFailure, HostNotFound, SchemeRefused

        host = _host(url)
        if host in self.unreachable:
            raise ArchiveUnavailable(archive, self.unreachable[host], unreachable=host)
        if archive in self.down:
            raise ArchiveUnavailable(archive, self.down[archive])
        limiter = self.limiters[archive]

        abandon = self._abandon.setdefault((archive, host), asyncio.Event())

        async def attempt() -> ArchiveResponse | _Failure:
            await limiter.wait(abandon)
            if host in self.unreachable:
                return _Failure("unreachable", self.unreachable[host])
            if archive in self.down:
                # Marked down while this request waited its turn.
                return _Failure("down", self.down[archive])
            limiter.sent()
            try:
                response = await self._send(method, url, params, headers, data)
            except (AddressRefused, SchemeRefused) as exc:
                # The guard's refusal: not the archive failing.
                return _Failure("refused", f"not fetched: {exc}")
            except (httpx.ConnectError, httpx.ConnectTimeout, HostNotFound, DnsFailure) as exc:
                # No connection at all: retrying in a second rarely helps
                # and, offline, costs every archive its whole retry budget.
                reason = f"archive unreachable: {host} ({type(exc).__name__}: {exc})"
                self.unreachable.setdefault(host, reason)
                self._give_up(host=host)
                return _Failure("unreachable", self.unreachable[host])
            except httpx.TimeoutException as exc:
                return self._attempt_failed(
                    archive, _Failure("timeout", f"timed out ({type(exc).__name__})")
                )
            except (httpx.TransportError, httpx.DecodingError) as exc:
                return self._attempt_failed(
                    archive, _Failure("connection", f"{type(exc).__name__}: {exc}")
                )
            self._failed_attempts[archive] = 0
            return response

        def judge(outcome: ArchiveResponse | _Failure) -> Retryable:
            if isinstance(outcome, _Failure):
                return Retryable(retry=outcome.kind in ("timeout", "connection"))
            if outcome.memento_datetime or not is_retryable_status(outcome.status):
                return Retryable(retry=False)
            after = parse_retry_after(outcome.headers.get("retry-after"))
            if after is not None:
                limiter.push_back(min(after, self.settings.max_retry_after))
            return Retryable(retry=True, retry_after=after)

        outcome, attempts = await with_retries(self._retry_settings, attempt, judge)()
        if isinstance(outcome, _Failure) and outcome.kind == "unreachable":
            raise ArchiveUnavailable(archive, outcome.message, unreachable=host)
        if isinstance(outcome, _Failure) and outcome.kind == "down":
            raise ArchiveUnavailable(archive, outcome.message)
        if isinstance(outcome, _Failure) and outcome.kind == "refused":
            raise ArchiveRefused(archive, outcome.message)
        if isinstance(outcome, _Failure):
            self._failed(archive, outcome.message)
        if isinstance(outcome, ArchiveResponse) and (
            is_retryable_status(outcome.status) and not outcome.memento_datetime
        ):
            self._failed(archive, f"HTTP {outcome.status} after {attempts} attempts")
        assert isinstance(outcome, ArchiveResponse)
        outcome.attempts = attempts
        self._failures[archive] = 0
        return outcome

    def _attempt_failed(self, archive: str, failure: _Failure) -> _Failure:
        count = self._failed_attempts.get(archive, 0) + 1
        self._failed_attempts[archive] = count
        if count >= DOWN_AFTER_ATTEMPTS:
            self.down.setdefault(archive, failure.message)
            self._give_up(archive=archive)
        return failure

    def _give_up(self, *, archive: str | None = None, host: str | None = None) -> None:
        for (queued_archive, queued_host), event in self._abandon.items():
            if queued_archive == archive or queued_host == host:
                event.set()

    def _failed(self, archive: str, reason: str) -> None:
        count = self._failures.get(archive, 0) + 1
        self._failures[archive] = count
        if count >= DOWN_AFTER:
            self.down[archive] = reason
            self._give_up(archive=archive)
        raise ArchiveUnavailable(archive, reason)

    async def _send(
        self,
        method: str,
        url: str,
        params: list[tuple[str, str]] | None,
        headers: dict[str, str] | None,
        data: dict[str, str] | None,
    ) -> ArchiveResponse:
        cap = self.settings.max_bytes
        request = self._http.build_request(
            method, url, params=tuple(params) if params else None, headers=headers, data=data
        )
        response = await self._http.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    truncated = True
                    break
            body = b"".join(chunks)[:cap]
        finally:
            await response.aclose()
        return ArchiveResponse(
            url=str(response.url),
            status=response.status_code,
            headers=response.headers,
            body=body,
            truncated=truncated,
        )
