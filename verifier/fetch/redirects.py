"""One attempt at a URL: GET it and follow its redirects, hop by hop.

Redirects are followed here, at most ``max_redirects`` hops, each hop
through the SSRF guard (the transport checks every request), with the chain
recorded; a URL seen twice in one chain with the same cookies is a loop.
Cookies live for one attempt's chain only (sites that set a cookie and
redirect back), never across URLs.

Every failure becomes an :class:`Answer` with a ``kind`` (``timeout``,
``connection``, ``refused`` ...) that ``classify`` and ``retry`` read: an
attempt never raises for what the network did.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from verifier.fetch.decoding import TooLarge, read_body
from verifier.fetch.pacing import HostLimiter
from verifier.fetch.retry import (
    RETRYABLE_ERRORS,
    Retryable,
    is_retryable_answer,
    parse_retry_after,
)
from verifier.fetch.ssrf import AddressRefused, DnsFailure, Guard, HostNotFound, SchemeRefused
from verifier.fetch.transport import GuardedTransport, default_port, is_tls_error
from verifier.settings import Settings

__all__ = ["Answer", "RedirectFollower"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/pdf,*/*;q=0.8"


@dataclass
class Answer:
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
    # When the attempt's last request was sent (the limiter's clock): a
    # back-off counts from there (``retry.next_wait``).
    sent: float | None = None

    def judge(self) -> Retryable:
        if self.kind is not None:
            return Retryable(self.kind in RETRYABLE_ERRORS)
        assert self.http_status is not None
        after = None
        if self.headers is not None:
            after = parse_retry_after(self.headers.get("retry-after"))
        retry = is_retryable_answer(self.http_status, self.headers or {}, self.body)
        return Retryable(retry, after)


# A redirect's body is read up to this many bytes, for this long at most,
# before its response is closed: a connection whose answer was read to the
# end goes back to the pool; any other is closed (and a new one opened).
_DRAIN_BYTES = 64 * 1024
_DRAIN_SECONDS = 0.5


async def _drain(response: httpx.Response) -> None:
    """Read what is left of a redirect's body, if it is short and quick."""
    length = response.headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > _DRAIN_BYTES:
        return
    read = 0
    try:
        async with asyncio.timeout(_DRAIN_SECONDS):
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read > _DRAIN_BYTES:
                    return
    except (TimeoutError, httpx.HTTPError, OSError):
        # the connection is closed with the response instead
        return


def _cookie_state(cookies: httpx.Cookies) -> tuple[tuple[str, str | None], ...]:
    return tuple(sorted((cookie.name, cookie.value) for cookie in cookies.jar))


class RedirectFollower:
    """Makes attempts through one transport, limiter and guard."""

    def __init__(
        self,
        settings: Settings,
        guard: Guard,
        limiter: HostLimiter,
        transport: GuardedTransport,
    ) -> None:
        self.settings = settings
        self.guard = guard
        self.limiter = limiter
        self.transport = transport
        self._headers = httpx.Headers(
            {
                "User-Agent": settings.user_agent(),
                "Accept": _ACCEPT,
                "Accept-Language": "en;q=0.9, *;q=0.5",
                "Accept-Encoding": "gzip, deflate, br",
            }
        )
        self._extensions = {"timeout": httpx.Timeout(settings.timeout).as_dict()}

    async def attempt(self, url: str, *, paced: bool = False) -> Answer:
        """GET ``url`` and follow its redirects, within three times the
        time-out for the whole attempt (a server trickling bytes cannot hold
        a worker forever). ``paced``: the scheduler already spaced this
        start on its host (see ``HostLimiter``)."""
        limit = self.settings.timeout * 3
        try:
            async with asyncio.timeout(limit):
                return await self._hops(url, paced)
        except TimeoutError:
            return Answer(
                url, url, [], kind="timeout", message=f"no complete answer within {limit:g} s"
            )

    async def _send(self, url: str, cookies: httpx.Cookies) -> httpx.Response:
        """One GET, streamed, straight to the transport: a client's redirect,
        auth and hook machinery costs more CPU than the request."""
        request = httpx.Request(
            "GET", url, headers=self._headers_for(url), extensions=self._extensions
        )
        if cookies:
            cookies.set_cookie_header(request)
        response = await self.transport.handle_async_request(request)
        if "set-cookie" in response.headers:
            cookies.extract_cookies(response)
        return response

    def _headers_for(self, url: str) -> httpx.Headers:
        """The request headers for this hop: the common ones, plus the headers,
        cookies and basic auth configured for exactly this hop's host
        (``[hosts."name"]`` in the config). Chosen per hop, so a redirect to
        another host never carries them."""
        added = self.settings.host_headers(urlsplit(url).hostname or "")
        if not added:
            return self._headers
        headers = self._headers.copy()
        headers.update(added)
        return headers

    async def _hops(self, url: str, paced: bool) -> Answer:
        chain: list[tuple[int, str]] = []
        cookies = httpx.Cookies()
        seen = {(url, _cookie_state(cookies))}
        current = url
        settings = self.settings
        for hop in range(settings.max_redirects + 1):
            answer = Answer(url, current, chain)
            try:
                parts = urlsplit(current)
                self.guard.check_scheme(parts.scheme)
                host = (parts.hostname or "").lower()
                if not host:
                    raise ValueError("no host")
                await self.guard.resolve(host, parts.port or default_port(parts.scheme))
                # The first hop is paced (unless the scheduler did it);
                # redirect hops follow at once, as a reader's browser does.
                async with self.limiter.slot(host, paced=paced or hop > 0):
                    answer.sent = self.limiter.clock()
                    response = await self._send(current, cookies)
                    try:
                        location = response.headers.get("location")
                        if response.status_code in REDIRECTS and location:
                            # its (small) body read, so that the connection
                            # serves the next hop or URL
                            await _drain(response)
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
                        answer.http_status = response.status_code
                        answer.headers = response.headers
                        answer.content_type = response.headers.get("content-type")
                        answer.body, answer.content_type = await read_body(
                            response, settings.max_bytes
                        )
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
            except TooLarge:
                answer.kind = "too_large"
                answer.message = f"body over {settings.max_bytes:,} bytes (decompressed)"
            except httpx.TimeoutException as exc:
                answer.kind = "timeout"
                answer.message = f"{type(exc).__name__} after {settings.timeout:g} s"
            except httpx.ConnectError as exc:
                if is_tls_error(exc):
                    answer.kind, answer.message = "tls", f"TLS error: {exc}"
                else:
                    answer.kind, answer.message = "connection", f"cannot connect: {exc}"
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
                answer.kind, answer.message = "invalid_url", f"invalid URL: {exc}"
            except (httpx.TransportError, httpx.DecodingError, zlib.error, OSError) as exc:
                if is_tls_error(exc):
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
        return Answer(
            url,
            current,
            chain,
            http_status=chain[-1][0] if chain else None,
            kind="too_many_redirects",
            message=f"more than {settings.max_redirects} redirects",
        )
