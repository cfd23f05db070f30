"""A host that does not resolve is ``dead`` only while DNS works: when the
resolver says "not found" for the canary name too, it is ``dns_error``."""

from __future__ import annotations

import pytest

from verifier.fetch import Fetcher
from verifier.fetch.ssrf import DnsFailure, Guard, HostNotFound
from verifier.settings import Settings


def resolver_for(known: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host in known:
            return known[host]
        raise HostNotFound(f"host {host!r} does not resolve")

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


async def test_not_found_is_final_while_the_canary_resolves() -> None:
    resolve = resolver_for({"example.com": ["192.0.2.1"]})
    guard = Guard(allow_private=False, resolver=resolve, canary="example.com")
    with pytest.raises(HostNotFound):
        await guard.resolve("gone.example", 443)


async def test_not_found_everywhere_is_a_resolver_failure() -> None:
    resolve = resolver_for({})
    guard = Guard(allow_private=False, resolver=resolve, canary="example.com")
    with pytest.raises(DnsFailure, match="no working DNS resolver"):
        await guard.resolve("gone.example", 443)
    with pytest.raises(DnsFailure):
        await guard.resolve("also-gone.example", 443)
    # The canary's answer is remembered, not asked again for every host.
    assert resolve.calls.count("example.com") == 1  # type: ignore[attr-defined]


async def test_without_a_canary_not_found_is_trusted() -> None:
    guard = Guard(allow_private=False, resolver=resolver_for({}), canary=None)
    with pytest.raises(HostNotFound):
        await guard.resolve("gone.example", 443)


@pytest.mark.parametrize(
    ("known", "status"),
    [({"example.com": ["192.0.2.1"]}, "dead"), ({}, "dns_error")],
    ids=["dns-works", "dns-down"],
)
async def test_fetch_status_of_a_missing_host(known: dict[str, list[str]], status: str) -> None:
    settings = Settings(retries=0, timeout=2.0, min_interval=0.0, archive=False)
    async with Fetcher(settings, resolver=resolver_for(known)) as fetcher:
        result = await fetcher.fetch("http://gone.example/page")
    assert result.status == status
    assert result.error
