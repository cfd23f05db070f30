"""The one way out to the network: an httpx transport behind the SSRF guard.

Every outgoing request of verifier (a cited URL, its redirect hops, the
soft-404 probe, and every archive request: CDX, TimeGate, replay, Memento
TimeMaps and each memento they list, archive.today, Save Page Now, and the
archived copies a document names) goes through :class:`GuardedTransport`:

* the scheme must be ``http`` or ``https``;
* the host is resolved and checked by the :class:`~verifier.fetch.ssrf.Guard`
  before the request (every hop is a request, so every hop is checked);
* and the connection itself goes to the very address that was checked: each
  pool's network backend is :class:`~verifier.fetch.ssrf.GuardedBackend`.

It owns its connection pools, one small pool per host instead of one big
one (one pool for hundreds of hosts spends more CPU on bookkeeping than on
HTTP, and evicts other hosts' keep-alive connections); the least recently
used idle pools are closed beyond ``max_pools``. A GET without a body and
without a proxy (every cited URL, redirect hop and probe, and most archive
requests) goes through the lean HTTP/1.1 client of ``http11.py``, an
asyncio protocol with a C parser: through httpcore and h11 such a request
cost half of the event loop's CPU. Anything else (a proxy, a request with
a body) goes through httpcore's public ``AsyncConnectionPool``.

Proxies come from the usual environment variables (``HTTP_PROXY``,
``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, read with the standard
library); through a proxy the proxy makes the connection, and the per-hop
check of the target still applies.

:class:`TrustingGuard` is the guard for archive requests: the archive
endpoints the user configured (``wayback_url``, ``memento_url``,
``archive_today_url`` changed from their defaults) may be private, since the
user chose them; any other host (a memento an aggregator lists, a copy a
document names) is held to the same rule as a cited URL.
"""

from __future__ import annotations

import contextlib
import ssl
import urllib.request
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx

from verifier.fetch.http11 import ConnectionPools, lean_request
from verifier.fetch.ssrf import Guard, GuardedBackend

__all__ = ["GuardedTransport", "TrustingGuard", "endpoint_key"]

# httpcore's exceptions and the httpx ones callers catch, most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors(request: httpx.Request) -> Any:
    """httpcore's exceptions raised as httpx's (what httpx's own transport does)."""
    try:
        yield
    except Exception as exc:
        for theirs, ours in _ERRORS:
            if isinstance(exc, theirs):
                raise ours(str(exc), request=request) from exc
        raise


def default_port(scheme: str) -> int:
    return 443 if scheme.lower() == "https" else 80


def endpoint_key(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of an endpoint URL, as the guard is asked about it."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").strip("[]").lower()
        port = parts.port or default_port(parts.scheme)
    except ValueError:
        return None
    return (host, port) if host else None


class TrustingGuard(Guard):
    """The SSRF guard, except for the endpoints given: those may be private."""

    def __init__(self, trusted: Iterable[tuple[str, int]], **options: Any) -> None:
        super().__init__(**options)
        self.trusted = frozenset(trusted)
        self._open = Guard(**{**options, "allow_private": True})

    async def resolve(self, host: str, port: int) -> list[str]:
        if not self.allow_private and (host.strip("[]").lower(), port) in self.trusted:
            return await self._open.resolve(host, port)
        return await super().resolve(host, port)


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: Any, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors(self._request):
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            with _httpx_errors(self._request):
                await self._stream.aclose()


def _environment_proxies() -> dict[str, str]:
    """The proxy per scheme (``http``, ``https``, ``all``) and ``no``, from the environment."""
    return {
        key: value
        for key, value in urllib.request.getproxies_environment().items()
        if key in ("http", "https", "all", "no") and value
    }


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` (``*``, or names and domain suffixes) covers ``host``."""
    host = host.strip("[]").lower()
    for entry in no_proxy.replace(" ", "").lower().split(","):
        entry = entry.strip(".")
        if entry == "*":
            return True
        if entry and (host == entry or host.endswith("." + entry)):
            return True
    return False


class GuardedTransport(httpx.AsyncBaseTransport):
    """Pools per host, each connecting only to addresses the guard checked."""

    def __init__(
        self,
        guard: Guard,
        *,
        pool_size: Callable[[str], int] = lambda _host: 10,
        keepalive_expiry: float = 30.0,
        max_pools: int = 256,
        trust_env: bool = True,
        backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.guard = guard
        self.backend = GuardedBackend(guard, backend)
        self._inner_backend = backend
        self.pool_size = pool_size
        self.keepalive_expiry = keepalive_expiry
        self.max_pools = max_pools
        self.ssl_context = httpx.create_ssl_context(trust_env=trust_env)
        self.proxies = _environment_proxies() if trust_env else {}
        self.pools: OrderedDict[tuple[str, str, int], httpcore.AsyncConnectionPool] = OrderedDict()
        self._proxy_pools: dict[str, httpcore.AsyncConnectionPool] = {}
        # A GET without a body and without a proxy (nearly every request)
        # goes through the lean HTTP/1.1 client; the rest through httpcore.
        self.lean = ConnectionPools(
            guard.resolve,
            self.ssl_context,
            pool_size=pool_size,
            keepalive_expiry=keepalive_expiry,
            max_pools=max_pools,
        )

    # --- pools -----------------------------------------------------------------

    def _pool(self, scheme: str, host: str, port: int) -> httpcore.AsyncConnectionPool:
        key = (scheme, host, port)
        pool = self.pools.get(key)
        if pool is not None:
            self.pools.move_to_end(key)
            return pool
        size = self.pool_size(host) + 2
        pool = httpcore.AsyncConnectionPool(
            ssl_context=self.ssl_context,
            max_connections=size,
            max_keepalive_connections=size,
            keepalive_expiry=self.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=self.backend,
        )
        self.pools[key] = pool
        return pool

    async def _evict(self) -> None:
        for key in list(self.pools)[: max(0, len(self.pools) - self.max_pools)]:
            pool = self.pools[key]
            if all(connection.is_idle() for connection in pool.connections):
                await self.pools.pop(key).aclose()

    def _proxy_for(self, scheme: str, host: str) -> str | None:
        if not self.proxies:
            return None
        proxy = self.proxies.get(scheme) or self.proxies.get("all")
        if not proxy or _bypassed(host, self.proxies.get("no", "")):
            return None
        return proxy

    def _proxy_pool(self, proxy: str) -> httpcore.AsyncConnectionPool:
        pool = self._proxy_pools.get(proxy)
        if pool is not None:
            return pool
        if "://" not in proxy:
            proxy = "http://" + proxy
        parts = urlsplit(proxy)
        auth = None
        if parts.username is not None:
            auth = (unquote(parts.username), unquote(parts.password or ""))
        address = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        # The proxy is the user's choice (the environment), so it may be
        # private: connect to it with the plain backend.
        backend = self._inner_backend
        if backend is None:
            from verifier.fetch.network import AsyncioBackend

            backend = AsyncioBackend()
        made: httpcore.AsyncConnectionPool
        if parts.scheme.startswith("socks"):
            try:
                made = httpcore.AsyncSOCKSProxy(
                    proxy_url=address, proxy_auth=auth, ssl_context=self.ssl_context
                )
            except ImportError as exc:
                raise httpx.ProxyError(f"SOCKS proxy {address} needs socksio: {exc}") from exc
        else:
            made = httpcore.AsyncHTTPProxy(
                proxy_url=address,
                proxy_auth=auth,
                ssl_context=self.ssl_context,
                keepalive_expiry=self.keepalive_expiry,
                network_backend=backend,
            )
        self._proxy_pools[proxy] = made
        return made

    # --- requests ----------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        self.guard.check_scheme(scheme)
        host = url.host
        port = url.port or default_port(scheme)
        # Every request is checked here (so every redirect hop is), and the
        # pool's backend checks the address it connects to.
        await self.guard.resolve(host, port)
        proxy = self._proxy_for(scheme, host)
        if proxy is None and lean_request(request):
            return await self.lean.request(request, url.raw_host.decode("ascii"), port)
        if proxy is not None:
            pool = self._proxy_pool(proxy)
        else:
            pool = self._pool(scheme, host, port)
            if len(self.pools) > self.max_pools:
                await self._evict()
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors(request):
            answer = await pool.handle_async_request(core)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_ResponseStream(answer.stream, request),
            extensions=answer.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self.lean.aclose()
        pools = [*self.pools.values(), *self._proxy_pools.values()]
        self.pools = OrderedDict()
        self._proxy_pools = {}
        for pool in pools:
            await pool.aclose()


def is_tls_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a TLS/certificate failure."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    return "ssl" in text or "certificate" in text or "tls" in text
