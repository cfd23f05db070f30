"""The lean HTTP/1.1 client (``verifier.fetch.http11``) against a raw server.

Each test starts a real TCP server on 127.0.0.1 that writes exactly the bytes
the case needs (chunked bodies, bodies ended by the close, interim answers,
answers cut short, malformed ones, a server closing idle connections), and
checks what the client makes of them: the body, the httpx exception, and
whether the connection is used again.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import trustme

from verifier.fetch import http11

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


class RawServer:
    """A server whose ``handler`` gets each connection and its number."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer, self.connections)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def head(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head)
        return head

    def url(self, path: str = "/page") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"


async def _resolve(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


def _pools(
    size: int = 4, keepalive: float = 30.0, tls: ssl.SSLContext | None = None
) -> http11.ConnectionPools:
    return http11.ConnectionPools(
        _resolve,
        tls or ssl.create_default_context(),
        pool_size=lambda _host: size - 2,
        keepalive_expiry=keepalive,
        max_pools=8,
    )


def _request(url: str, timeout: float = 2.0, **kw: Any) -> httpx.Request:
    return httpx.Request("GET", url, extensions={"timeout": httpx.Timeout(timeout).as_dict()}, **kw)


async def _get(pools: http11.ConnectionPools, url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    response = await pools.request(
        _request(url, timeout), "127.0.0.1", int(url.split(":")[2].split("/")[0])
    )
    try:
        body = b"".join([part async for part in response.stream])  # type: ignore[union-attr]
    finally:
        await response.aclose()
    return response.status_code, body


def _answer(status: int, body: bytes, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X", *headers]
    if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run(coroutine: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 20))  # type: ignore[arg-type]


def get_many(server: RawServer, count: int, tls: ssl.SSLContext | None = None) -> list[Any]:
    """``count`` GETs of ``server``'s page, one after the other, through new pools."""

    async def scenario() -> list[tuple[int, bytes]]:
        async with server:
            pools = _pools(tls=tls)
            try:
                return [await _get(pools, server.url()) for _ in range(count)]
            finally:
                await pools.aclose()

    return run(scenario())  # type: ignore[no-any-return]


def get_once(handler: Handler, tls: ssl.SSLContext | None = None) -> tuple[int, bytes]:
    """One GET from a new server with ``handler``, through new pools."""

    async def scenario() -> tuple[int, bytes]:
        async with RawServer(handler, tls=tls) as server:
            pools = _pools()
            try:
                return await _get(pools, server.url())
            finally:
                await pools.aclose()

    return run(scenario())  # type: ignore[no-any-return]


# --- bodies ---------------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while True:
            head = await server.head(reader)
            path = head.split(b" ")[1]
            writer.write(_answer(200, b"page " + path))
            await writer.drain()

    async def main() -> list[tuple[int, bytes]]:
        pools = _pools()
        got = [await _get(pools, server.url(f"/p{n}")) for n in range(3)]
        await pools.aclose()
        return got

    server = RawServer(handler)

    async def scenario() -> list[tuple[int, bytes]]:
        async with server:
            return await main()

    assert run(scenario()) == [(200, b"page /p0"), (200, b"page /p1"), (200, b"page /p2")]
    assert server.connections == 1
    head = server.requests[0]
    assert head.startswith(b"GET /p0 HTTP/1.1\r\n") and b"\r\nhost: 127.0.0.1:" in head.lower()


def test_chunked_body_is_joined_and_the_connection_kept() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while True:
            await server.head(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for part in (b"Hello, ", b"chunked ", b"world"):
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                await writer.drain()
                await asyncio.sleep(0.01)
            writer.write(b"0\r\n\r\n")

    server = RawServer(handler)

    assert get_many(server, 2) == [(200, b"Hello, chunked world")] * 2
    assert server.connections == 1


def test_a_body_without_length_ends_with_the_connection() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await server.head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>until")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b" the close</p>")
        await writer.drain()
        writer.close()

    server = RawServer(handler)

    assert get_many(server, 2) == [(200, b"<p>until the close</p>")] * 2
    assert server.connections == 2  # that connection cannot serve another request


def test_an_interim_answer_is_skipped() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await server.head(reader)
        writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
        writer.write(_answer(200, b"final", "X-Final: yes"))
        await writer.drain()

    server = RawServer(handler)

    async def scenario() -> httpx.Response:
        async with server:
            pools = _pools()
            response = await pools.request(_request(server.url()), "127.0.0.1", server.port)
            await response.aread()
            await pools.aclose()
            return response

    response = run(scenario())
    assert response.status_code == 200 and response.content == b"final"
    assert response.headers["x-final"] == "yes" and "link" not in response.headers


def test_a_large_body_streams_through_flow_control() -> None:
    size = 3 * 1024 * 1024
    block = bytes(range(256)) * 256

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await server.head(reader)
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        for _ in range(size // len(block)):
            writer.write(block)
            await writer.drain()

    server = RawServer(handler)

    async def scenario() -> tuple[int, int, int]:
        async with server:
            pools = _pools()
            response = await pools.request(_request(server.url()), "127.0.0.1", server.port)
            total = 0
            most_held = 0
            async for part in response.stream:  # type: ignore[union-attr]
                total += len(part)
                await asyncio.sleep(0.01)  # a slow reader: the socket must pause
                stream: Any = response.stream
                most_held = max(most_held, stream.connection.buffered)
            await response.aclose()
            await pools.aclose()
            return response.status_code, total, most_held

    status, total, most_held = run(scenario())
    assert status == 200 and total == size
    # never much more than the high-water mark held unread
    assert most_held < 2 * 256 * 1024 + 65536


# --- failures -------------------------------------------------------------------


def test_a_body_cut_short_is_a_protocol_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this")
        await writer.drain()
        writer.close()

    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        get_once(handler)


def test_no_answer_in_time_is_a_read_timeout_and_a_stall_mid_body_too() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await server.head(reader)
        if n == 1:
            await asyncio.sleep(5)  # never answers in time
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstart")
        await writer.drain()
        await asyncio.sleep(5)  # stalls mid-body

    server = RawServer(handler)

    async def scenario() -> list[str]:
        seen = []
        async with server:
            pools = _pools()
            for _ in range(2):
                try:
                    await _get(pools, server.url(), timeout=0.3)
                except httpx.ReadTimeout as exc:
                    seen.append(str(exc))
            await pools.aclose()
        return seen

    seen = run(scenario())
    assert seen == ["timed out waiting for the answer", "timed out reading the answer"]
    assert server.connections == 2  # a timed-out connection is not used again


def test_a_malformed_answer_is_a_protocol_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"SMTP ready\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(1)

    with pytest.raises(httpx.RemoteProtocolError, match="malformed answer"):
        get_once(handler)


def test_a_closed_listener_is_a_connect_error() -> None:
    async def scenario() -> None:
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        pools = _pools()
        try:
            await _get(pools, f"http://127.0.0.1:{port}/")
        finally:
            await pools.aclose()

    with pytest.raises(httpx.ConnectError):
        run(scenario())


def test_a_line_break_in_a_header_is_refused_before_sending() -> None:
    async def scenario() -> None:
        pools = _pools()
        request = _request("http://127.0.0.1:9/")
        request.headers["X-Evil"] = "a"
        # httpx refuses it already; built by hand, the client refuses too
        raw = [(b"X-Evil", b"a\r\nInjected: yes"), (b"Host", b"127.0.0.1:9")]
        request.headers = httpx.Headers(raw)
        try:
            await pools.request(request, "127.0.0.1", 9)
        finally:
            await pools.aclose()

    with pytest.raises(httpx.LocalProtocolError):
        run(scenario())


# --- connections ------------------------------------------------------------------


def test_an_idle_connection_the_server_closed_is_replaced() -> None:
    """A keep-alive connection the server closes while idle is noticed and
    dropped; and one closed just as the request went out (nothing answered)
    is retried once on a new connection, invisibly."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await server.head(reader)
        writer.write(_answer(200, f"from connection {n}".encode()))
        await writer.drain()
        if n == 2:
            # takes the next request, then closes without answering it
            await server.head(reader)
        else:
            await asyncio.sleep(0.05)  # then closes the idle connection

    server = RawServer(handler)

    async def scenario() -> list[tuple[int, bytes]]:
        async with server:
            pools = _pools()
            first = await _get(pools, server.url())
            await asyncio.sleep(0.2)  # the server has closed connection 1
            second = await _get(pools, server.url())  # a new one: 2
            third = await _get(pools, server.url())  # sent on 2, which closes: again on 3
            await pools.aclose()
            return [first, second, third]

    got = run(scenario())
    assert got == [
        (200, b"from connection 1"),
        (200, b"from connection 2"),
        (200, b"from connection 3"),
    ]
    assert server.connections == 3


def test_an_idle_connection_that_receives_bytes_is_not_used_again() -> None:
    """A server that writes to an idle keep-alive connection (a 408 before
    closing it, say) has made it unusable: the next request goes on a new one."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await server.head(reader)
        writer.write(_answer(200, f"from connection {n}".encode()))
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(_answer(408, b"idle too long"))  # unasked, and the socket stays open
        await writer.drain()
        await asyncio.sleep(5)

    server = RawServer(handler)

    async def scenario() -> list[tuple[int, bytes]]:
        async with server:
            pools = _pools()
            first = await _get(pools, server.url())
            await asyncio.sleep(0.2)  # the 408 has come
            second = await _get(pools, server.url())
            await pools.aclose()
            return [first, second]

    assert run(scenario()) == [(200, b"from connection 1"), (200, b"from connection 2")]
    assert server.connections == 2


def test_connection_close_is_honoured() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while True:
            await server.head(reader)
            writer.write(_answer(200, b"bye", "Connection: close"))
            await writer.drain()

    server = RawServer(handler)

    async def scenario() -> None:
        async with server:
            pools = _pools()
            for _ in range(3):
                assert await _get(pools, server.url()) == (200, b"bye")
            await pools.aclose()

    run(scenario())
    assert server.connections == 3


def test_a_full_pool_makes_the_next_request_wait_then_time_out() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while True:
            await server.head(reader)
            writer.write(_answer(200, b"ok"))
            await writer.drain()

    server = RawServer(handler)

    async def scenario() -> tuple[bool, str]:
        async with server:
            pools = _pools(size=1)
            held = await pools.request(_request(server.url()), "127.0.0.1", server.port)
            # the one connection is in use until its answer is closed
            waiting = asyncio.ensure_future(_get(pools, server.url()))
            await asyncio.sleep(0.1)
            was_waiting = not waiting.done()
            await held.aclose()
            await waiting
            # held again, and nobody closes it: the next one times out
            held = await pools.request(_request(server.url()), "127.0.0.1", server.port)
            try:
                await _get(pools, server.url(), timeout=0.2)
                message = ""
            except httpx.PoolTimeout as exc:
                message = str(exc)
            await held.aclose()
            assert await _get(pools, server.url()) == (200, b"ok")  # the slot came back
            await pools.aclose()
            return was_waiting, message

    was_waiting, message = run(scenario())
    assert was_waiting and message == "no free connection in time"
    assert server.connections == 1


def test_a_cancelled_request_gives_its_slot_back() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while True:
            await server.head(reader)
            await asyncio.sleep(0.3 if n == 1 else 0)
            writer.write(_answer(200, b"ok"))
            await writer.drain()

    server = RawServer(handler)

    async def scenario() -> tuple[int, bytes]:
        async with server:
            pools = _pools(size=1)
            slow = asyncio.ensure_future(_get(pools, server.url()))
            await asyncio.sleep(0.05)
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            got = await _get(pools, server.url(), timeout=1.0)
            await pools.aclose()
            return got

    assert run(scenario()) == (200, b"ok")
    assert server.connections == 2  # the cancelled request's connection was closed


def test_answer_headers_beyond_the_limit_are_refused() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\n")
        for n in range(10_000):  # 10,000 headers of 30 bytes: 300 kB, never ending
            writer.write(f"X-Filler-{n:05d}: {'x' * 12}\r\n".encode())
            if n % 500 == 0:
                await writer.drain()
        await asyncio.sleep(1)

    with pytest.raises(httpx.RemoteProtocolError, match="headers over 102400 bytes"):
        get_once(handler)


# --- TLS --------------------------------------------------------------------------


def test_tls_answers_and_keeps_its_connection() -> None:
    ca = trustme.CA()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(served)
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        while True:
            await server.head(reader)
            writer.write(_answer(200, b"secure"))
            await writer.drain()

    server = RawServer(handler, tls=served)

    assert get_many(server, 2, tls=trusting) == [(200, b"secure")] * 2
    assert server.connections == 1


def test_an_untrusted_certificate_is_a_tls_connect_error() -> None:
    from verifier.fetch.transport import is_tls_error

    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(served)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await reader.readuntil(b"\r\n\r\n")

    with pytest.raises(httpx.ConnectError) as caught:
        get_once(handler, tls=served)  # the pools trust the system's CAs, not this one
    assert is_tls_error(caught.value) and "certificate" in str(caught.value).lower()
