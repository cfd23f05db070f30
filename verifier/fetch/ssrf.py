"""The SSRF guard: never let a cited URL make us fetch from inside our network.

A document is untrusted input. Without this guard, a note citing
``http://169.254.169.254/latest/meta-data/`` would make ``verifier check``
read a cloud machine's credentials into the report, and one citing
``http://10.0.0.5/admin`` would probe the office network. So, unless
``allow_private_hosts`` is set (tests, intranet checks):

* only ``http`` and ``https`` are fetched (a redirect to ``file:``,
  ``ftp:``, ``gopher:`` ... is refused);
* every host name is resolved here and refused when any of its addresses is
  loopback, private (RFC 1918, unique-local), link-local (which includes the
  metadata address 169.254.169.254), multicast, reserved, unspecified, or an
  IPv4-mapped/NAT64 form of one of those; one refused address refuses the
  host, since the connection could go to any of them. An IP literal in the
  URL (``http://10.0.0.5/``, ``http://[::ffff:10.0.0.5]/``, ``http://[fd00::5]/``)
  is judged the same way, without a lookup;
* the check runs on every redirect hop, because the first URL can be public
  and redirect inside;
* and the connection goes to the very address that was checked: the
  ``GuardedBackend`` below is the network backend of httpx's connection
  pool, it resolves, checks and connects to the checked IP, so a DNS answer
  that changes between check and connect (DNS rebinding) cannot slip through.

Through a proxy from the environment (``HTTP_PROXY`` ...) the proxy makes the
connection; the per-hop resolution check still applies there.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore

__all__ = [
    "AddressRefused",
    "DnsFailure",
    "Guard",
    "GuardedBackend",
    "HostNotFound",
    "IPAddress",
    "SchemeRefused",
    "refused_reason",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the host's addresses, as strings.
Resolver = Callable[[str, int], Awaitable[list[str]]]

_SCHEMES = ("http", "https")
# Seconds a resolution is reused; also what pins one answer for a run's burst
# of requests to a host.
_CACHE_SECONDS = 60.0


class AddressRefused(Exception):
    """The host resolves to an address we do not fetch from."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address} ({reason}): refused")
        self.host = host
        self.address = address
        self.reason = reason


class SchemeRefused(Exception):
    """A URL (usually a redirect target) with a scheme other than http(s)."""


class HostNotFound(Exception):
    """The name does not exist (NXDOMAIN): a gone host, i.e. ``dead``."""


class DnsFailure(Exception):
    """Resolution failed for another reason (server failure, timeout): ``dns_error``."""


# IPv6 ranges named by what they are, before the generic tests below (which
# would call them all "private").
_IPV6_RANGES = (
    (ipaddress.IPv6Network("fc00::/7"), "unique-local (private) address"),
    (ipaddress.IPv6Network("2001:db8::/32"), "documentation address"),
    # Local-use NAT64 (RFC 8215): translates to some network's own addresses.
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "private address"),
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def refused_reason(address: IPAddress) -> str | None:
    """Why ``address`` is refused, or ``None`` for a public address.

    An IPv6 address that carries an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``,
    6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) is judged as that IPv4
    address: ``[::ffff:127.0.0.1]`` is loopback like ``127.0.0.1``.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return refused_reason(mapped)
        if address in _NAT64:
            return refused_reason(ipaddress.IPv4Address(address.packed[-4:]))
        for network, reason in _IPV6_RANGES:
            if address in network:
                return reason
    if address.is_unspecified:
        return "unspecified address"
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        if str(address) == "169.254.169.254":
            return "link-local cloud metadata address"
        return "link-local address"
    if address.is_multicast:
        return "multicast address"
    if address.is_private:
        return "private address"
    if address.is_reserved:
        return "reserved address"
    if isinstance(address, ipaddress.IPv4Address) and address in ipaddress.IPv4Network(
        "100.64.0.0/10"
    ):
        return "shared (carrier-grade NAT) address"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver, in its order."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
            raise HostNotFound(f"host {host!r} does not resolve ({exc.strerror})") from exc
        raise DnsFailure(f"cannot resolve {host!r} ({exc.strerror})") from exc
    except UnicodeError as exc:
        raise HostNotFound(f"host {host!r} is not a valid name") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise HostNotFound(f"host {host!r} has no address")
    return addresses


class Guard:
    """Resolves hosts once, checks their addresses, and remembers the answer."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver | None = None,
        refuse: Callable[[IPAddress], str | None] = refused_reason,
        canary: str | None = None,
    ) -> None:
        self.allow_private = allow_private
        self._resolver = resolver or system_resolver
        self._refuse = refuse
        self._cache: dict[tuple[str, int], tuple[float, list[str]]] = {}
        # A name that always resolves while DNS works (see ``resolver_works``).
        self._canary = canary or None
        self._canary_checked: tuple[float, bool] | None = None
        self._canary_lock = asyncio.Lock()

    async def resolver_works(self) -> bool:
        """Whether the resolver answers for the canary name (cached for a minute).

        "Name not found" is how an unplugged machine or a broken resolver
        answers for *every* host, and a host that does not exist is ``dead``:
        without this check an outage would mark a whole archive dead, and a
        nightly job would cry wolf. With no canary configured, trust the answer.
        """
        if self._canary is None:
            return True
        async with self._canary_lock:
            now = time.monotonic()
            if self._canary_checked is not None and now - self._canary_checked[0] < _CACHE_SECONDS:
                return self._canary_checked[1]
            try:
                works = bool(await self._resolver(self._canary, 443))
            except (HostNotFound, DnsFailure, OSError):
                works = False
            self._canary_checked = (time.monotonic(), works)
            return works

    def check_scheme(self, scheme: str) -> None:
        if scheme.lower() not in _SCHEMES:
            raise SchemeRefused(f"scheme {scheme!r} is not fetched (only http and https)")

    async def resolve(self, host: str, port: int) -> list[str]:
        """The checked addresses of ``host``; raises ``AddressRefused``,
        ``HostNotFound`` or ``DnsFailure``."""
        host = host.strip("[]").lower()
        key = (host, port)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < _CACHE_SECONDS:
            return cached[1]
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = await self._resolver(host, port)
            except HostNotFound as exc:
                if await self.resolver_works():
                    raise
                raise DnsFailure(
                    f"cannot resolve {host!r}, nor the check name {self._canary!r}: "
                    "no working DNS resolver or network (not counted as dead)"
                ) from exc
        if not self.allow_private:
            for address in addresses:
                reason = self._refuse(ipaddress.ip_address(address.split("%", 1)[0]))
                if reason is not None:
                    raise AddressRefused(host, address, reason)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (now, addresses)
        return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard checked."""

    def __init__(self, guard: Guard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.guard = guard
        if inner is None:
            from verifier.fetch.network import AsyncioBackend

            inner = AsyncioBackend()
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.guard.resolve(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last = exc
                # Refused or unreachable: the next address may answer.
                continue
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(errno.errorcode[errno.EPERM] + ": unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
