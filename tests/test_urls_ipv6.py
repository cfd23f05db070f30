"""IPv6 literal URLs (``http://[2001:db8::1]/``) are URLs like any other:
stored with their brackets, fetched, and refused by the SSRF guard exactly
when their IPv4 spelling would be."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from citing import cite, loopback_settings
from loopback import LoopbackWeb
from sqlalchemy import select

from verifier.check import run_check
from verifier.fetch import Fetcher
from verifier.fetch.ssrf import refused_reason
from verifier.store.database import Database
from verifier.store.models import Check, LinkStatus
from verifier.urls import host_of, ip_literal, normalize_url


def test_ipv6_literals_keep_their_brackets() -> None:
    assert normalize_url("http://[2001:db8::1]/") == "http://[2001:db8::1]/"
    assert normalize_url("HTTP://[2001:DB8:0:0::1]:80/a#x") == "http://[2001:db8::1]/a"
    assert normalize_url("https://[::1]:8443/p?q=1") == "https://[::1]:8443/p?q=1"
    # One spelling for an IPv4-mapped address, whichever was written.
    assert normalize_url("http://[::ffff:7f00:1]/") == "http://[::ffff:127.0.0.1]/"
    assert normalize_url("http://[::FFFF:127.0.0.1]/") == "http://[::ffff:127.0.0.1]/"
    # A zone id stays, written %25 as RFC 6874 asks.
    assert normalize_url("http://[fe80::1%25eth0]/") == "http://[fe80::1%25eth0]/"
    # Not IPv6 inside the brackets: left as written, never turned into a name.
    assert normalize_url("http://[v1.fe]/") == "http://[v1.fe]/"
    assert normalize_url("http://[::1/broken") == "http://[::1/broken"
    assert host_of("http://[2001:db8::1]:8080/") == "2001:db8::1"
    assert ip_literal("example.com") is None and ip_literal("10.0.0.1") is None


@pytest.mark.parametrize(
    ("ipv6", "ipv4"),
    [
        ("::1", "127.0.0.1"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("::ffff:10.1.2.3", "10.1.2.3"),
        ("::ffff:192.168.0.1", "192.168.0.1"),
        ("::ffff:169.254.169.254", "169.254.169.254"),
        ("64:ff9b::10.0.0.1", "10.0.0.1"),
        ("2002:a00:1::1", "10.0.0.1"),
    ],
)
def test_ipv6_spellings_are_refused_like_their_ipv4_forms(ipv6: str, ipv4: str) -> None:
    v6 = refused_reason(ipaddress.ip_address(ipv6))
    v4 = refused_reason(ipaddress.ip_address(ipv4))
    assert v6 is not None and v6 == v4


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("fe80::1", "link-local address"),
        ("fc00::1", "unique-local (private) address"),
        ("fd12:3456::1", "unique-local (private) address"),
        ("2001:db8::1", "documentation address"),
        ("::", "unspecified address"),
        ("ff02::1", "multicast address"),
        ("64:ff9b:1::a00:1", "private address"),
    ],
)
def test_ipv6_only_ranges_have_their_reason(address: str, reason: str) -> None:
    assert refused_reason(ipaddress.ip_address(address)) == reason


def test_public_ipv6_is_fetched() -> None:
    assert refused_reason(ipaddress.ip_address("2606:4700::6810:84e5")) is None
    assert refused_reason(ipaddress.ip_address("::ffff:93.184.216.34")) is None


class _Handler(BaseHTTPRequestHandler):
    hits = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits += 1
        body = b"<html><head><title>Over IPv6</title></head><body><p>Served on ::1.</p></body>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def v6_server() -> Iterator[int]:
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    server = _V6Server(("::1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    _Handler.hits = 0
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


def _statuses(db: Database, run_id: int) -> dict[int, Check]:
    with db.session() as session:
        return {c.url_id: c for c in session.scalars(select(Check).where(Check.run_id == run_id))}


def test_ipv6_urls_are_checked_not_invalid(db: Database, v6_server: int) -> None:
    port = v6_server
    page = f"http://[::1]:{port}/article"
    mapped = f"http://[::ffff:127.0.0.1]:{port}/article"
    documentation = "http://[2001:db8::1]/report"
    ids = cite(db, [page, mapped, documentation])
    # Guarded (the default): every one is refused_private, none invalid_url.
    result = run_check(db, loopback_settings(allow_private_hosts=False))
    checks = _statuses(db, result.run_id)
    assert {checks[ids[u]].status for u in ids} == {LinkStatus.REFUSED_PRIVATE.value}
    assert "loopback address" in (checks[ids[page]].error or "")
    assert "loopback address" in (checks[ids[mapped]].error or "")
    assert "documentation address" in (checks[ids[documentation]].error or "")
    assert _Handler.hits == 0


async def test_ipv6_loopback_page_is_fetched_when_private_hosts_are_allowed(
    v6_server: int,
) -> None:
    url = f"http://[::1]:{v6_server}/article"
    async with Fetcher(loopback_settings(probe_soft_404=False)) as fetcher:
        result = await fetcher.fetch(normalize_url(url))
    assert result.status == LinkStatus.OK, result.error
    assert result.http_status == 200
    assert _Handler.hits == 1


async def test_ipv4_mapped_url_reaches_the_ipv4_server(loopback: LoopbackWeb) -> None:
    if not _ipv6_loopback():
        pytest.skip("no IPv6 on this machine")
    port = loopback.netloc(0).split(":")[1]
    url = normalize_url(f"http://[::FFFF:127.0.0.1]:{port}/ok")
    assert url == f"http://[::ffff:127.0.0.1]:{port}/ok"
    async with Fetcher(loopback_settings(probe_soft_404=False)) as fetcher:
        result = await fetcher.fetch(url)
    assert result.status == LinkStatus.OK, result.error
    assert loopback.hits("/ok") == 1
