"""The SSRF guard: private, loopback, link-local and metadata addresses are
refused unless allowed, on every redirect hop and on the connected address."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest
from loopback import LoopbackWeb

from verifier.fetch import Fetcher
from verifier.fetch.engine import FetchResult
from verifier.fetch.ssrf import AddressRefused, IPAddress, refused_reason
from verifier.settings import Settings

STRICT = Settings(timeout=2.0, retries=0, probe_soft_404=False)


def fetch(url: str, settings: Settings = STRICT, **options: object) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(settings, **options) as fetcher:  # type: ignore[arg-type]
            return await fetcher.fetch(url)

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "carrier-grade"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a00:1", "private"),
        ("::", "unspecified"),
        ("ff02::1", "multicast"),
    ],
)
def test_refused_addresses(address: str, reason: str) -> None:
    found = refused_reason(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert refused_reason(ipaddress.ip_address(address)) is None


def test_loopback_is_refused_without_connecting(loopback: LoopbackWeb) -> None:
    result = fetch(loopback.url(0, "/ok"))
    assert result.status == "refused_private"
    assert "loopback" in (result.error or "")
    assert loopback.hits("/ok") == 0


def test_metadata_address_is_refused() -> None:
    result = fetch("http://169.254.169.254/latest/meta-data/iam/security-credentials/")
    assert result.status == "refused_private"
    assert "metadata" in (result.error or "")


def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]  # one bad address refuses the host

    result = fetch("http://intranet.example/admin", resolver=resolver)
    assert result.status == "refused_private" and "10.0.0.7" in (result.error or "")


def only_second_host_public(address: IPAddress) -> str | None:
    """A policy for these tests: 127.0.0.2 stands for a public web server."""
    if str(address) == "127.0.0.2":
        return None
    return refused_reason(address)


def test_redirect_from_allowed_host_to_refused_host(loopback: LoopbackWeb) -> None:
    result = fetch(loopback.url(1, "/to-host/0/ok"), refuse=only_second_host_public)
    assert result.status == "refused_private"
    assert result.redirect_chain == [(302, loopback.url(0, "/ok"))]
    assert loopback.hits("/to-host/0/ok", host=1) == 1
    assert loopback.hits("/ok", host=0) == 0
    # and the same host alone is fetched normally
    assert fetch(loopback.url(1, "/ok"), refuse=only_second_host_public).status == "ok"


def test_redirect_to_the_metadata_address(loopback: LoopbackWeb) -> None:
    result = fetch(loopback.url(1, "/to-metadata"), refuse=only_second_host_public)
    assert result.status == "refused_private"
    assert "169.254.169.254" in (result.error or "")


def test_redirect_to_another_scheme(loopback: LoopbackWeb) -> None:
    url = loopback.redirect("/to-file", "file:///etc/passwd", host=1)
    result = fetch(url, refuse=only_second_host_public)
    assert result.status == "refused_private" and "file" in (result.error or "")
    assert fetch("ftp://example.org/file.txt").status == "invalid_url"


def test_connection_goes_to_the_checked_address(loopback: LoopbackWeb) -> None:
    """DNS rebinding: the first answer is public, later ones private. The
    connection must use the address that was checked, never ask again."""
    answers = [["127.0.0.2"], ["127.0.0.1"], ["127.0.0.1"]]
    lookups: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return answers[min(len(lookups) - 1, 2)]

    port = loopback.netloc(1).split(":")[1]
    result = fetch(
        f"http://news.example:{port}/ok", refuse=only_second_host_public, resolver=rebinding
    )
    assert result.status == "ok"
    assert lookups == ["news.example"]
    assert loopback.hits("/ok", host=1) == 1 and loopback.hits("/ok", host=0) == 0


def test_the_connection_pool_refuses_by_itself(loopback: LoopbackWeb) -> None:
    """Even a request that skips the engine's per-hop check cannot connect:
    the transport checks every request, and its pools' network backend is
    the guard (connecting only to checked addresses)."""

    async def run() -> list[str]:
        refusals: list[str] = []
        async with Fetcher(STRICT) as fetcher:
            transport = fetcher._transport
            assert transport is not None
            try:
                await transport.handle_async_request(httpx.Request("GET", loopback.url(0, "/ok")))
            except AddressRefused as exc:
                refusals.append(str(exc))
            host, port = loopback.netloc(0).split(":")
            try:
                await transport.backend.connect_tcp(host, int(port), timeout=1.0)
            except AddressRefused as exc:
                refusals.append(str(exc))
        return refusals

    refusals = asyncio.run(run())
    assert len(refusals) == 2 and all("loopback" in reason for reason in refusals)
    assert loopback.hits("/ok") == 0


def test_allow_private_hosts_fetches_them(loopback: LoopbackWeb) -> None:
    allowed = STRICT.replace(allow_private_hosts=True)
    assert fetch(loopback.url(0, "/ok"), allowed).status == "ok"


def test_proxies_come_from_the_environment(
    loopback: LoopbackWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is honoured (the proxy makes the connection); the target is
    still resolved and checked by the guard first."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", loopback.url(3, ""))
    loopback.add_page("/via-proxy", "<title>Proxied</title><p>Through the proxy.</p>", host=3)

    async def public(host: str, port: int) -> list[str]:
        return {"news.example": ["93.184.216.34"], "intranet.example": ["10.0.0.8"]}[host]

    result = fetch("http://news.example/via-proxy", resolver=public)
    assert result.status == "ok" and result.page is not None
    assert "Through the proxy." in result.page.text
    [request] = [r for r in loopback.requests if r.path == "/via-proxy"]
    assert request.host_index == 3 and request.headers["Host"] == "news.example"
    refused = fetch("http://intranet.example/via-proxy", resolver=public)
    assert refused.status == "refused_private"
