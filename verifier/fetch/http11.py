"""A lean HTTP/1.1 client for the fetch path: GET over keep-alive connections.

verifier's requests are nearly all one kind: a GET with a few headers and
no body, whose answer is read as a stream. Through httpcore each such
request walks a pool scan, anyio locks and cancel scopes, h11's event state
machine and asyncio's streams; on a 2-core machine checking thousands of
URLs that plumbing was half of the event loop's CPU (issue 16), and a busy
loop answers every request late. Here a connection is an
:class:`asyncio.Protocol`, the answer is parsed by httptools (llhttp, the
parser of Node.js, in C), and a request costs a few callbacks.

:class:`ConnectionPools` holds one small pool per ``(scheme, host, port)``
and serves the requests :func:`lean_request` says it can take (GET, no body,
no proxy); everything else goes through httpcore as before
(``transport.GuardedTransport``). What it keeps of httpx's behaviour:

* the exceptions: ``ConnectError``/``ConnectTimeout`` when connecting (TLS
  handshake included), ``ReadTimeout`` when no byte comes for the read
  time-out, ``ReadError`` when the connection breaks, ``RemoteProtocolError``
  for a malformed answer or one cut short;
* keep-alive: a connection goes back to its pool only when its answer was
  read to the end and both sides keep it open; an idle one the server closed
  is noticed at once (the protocol sees the end of the stream) and dropped;
  a request that finds its reused connection closed before any answer is
  sent again on a new one (GET is safe to repeat);
* the SSRF guard: a new connection goes only to an address the guard
  checked (``Guard.resolve``), as httpcore's pools do through
  ``ssrf.GuardedBackend``.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable

import httptools
import httpx

__all__ = ["ConnectionPools", "lean_request", "open_connection"]

# Body bytes held unread before the socket stops reading (flow control).
_HIGH_WATER = 256 * 1024
_LOW_WATER = 64 * 1024
# An answer's status line and headers may be this long at most (httpcore's
# limit): a server cannot make us hold an endless header.
MAX_HEAD_BYTES = 100 * 1024


def lean_request(request: httpx.Request) -> bool:
    """Whether ``request`` is one this client takes: a GET without a body."""
    if request.method != "GET":
        return False
    headers = request.headers
    return "content-length" not in headers and "transfer-encoding" not in headers


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection, one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        # The stream ended (the peer closed it) or broke (``error``).
        self.closed = False
        self.error: Exception | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.idle_since = 0.0
        # A request is out on it (from ``send`` until it goes back to its pool).
        self.busy = False
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.complete = False
        self.received = False
        self.until_close = False
        self.keep_alive = False
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.paused = False
        self.head_bytes = 0

    # --- asyncio's callbacks ---------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if not self.busy:
            # bytes nobody asked for (a server's 408 before it closes an
            # idle connection): the connection cannot carry a request now
            self._fail(httpx.RemoteProtocolError("data on an idle connection"))
            return
        self.received = True
        if not self.headers_done:
            self.head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed answer: {exc}"))
            return
        if not self.headers_done and self.head_bytes > MAX_HEAD_BYTES:
            self._fail(httpx.RemoteProtocolError(f"answer headers over {MAX_HEAD_BYTES} bytes"))
            return
        if self.buffered > _HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if exc is not None and self.error is None:
            self.error = httpx.ReadError(str(exc) or type(exc).__name__)
        self._wake()

    # --- httptools' callbacks --------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:
            # an interim answer (103 Early Hints): the real one follows
            self.headers = []
            return
        self.status = status
        self.keep_alive = self.parser.should_keep_alive()
        framed = False
        for name, value in self.headers:
            lowered = name.lower()
            if lowered == b"content-length" or (
                lowered == b"transfer-encoding" and b"chunked" in value.lower()
            ):
                framed = True
        # no length and not chunked: the body is what comes until the close
        self.until_close = not framed and status not in (204, 304)
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)

    def on_message_complete(self) -> None:
        if self.headers_done:
            self.complete = True

    # --- the client's side -----------------------------------------------------

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        self._wake()

    async def wait(self, timeout: float | None) -> None:
        """Until something arrives (or the stream ends), at most ``timeout`` s."""
        self.waiter = asyncio.get_running_loop().create_future()
        try:
            await _wait(self.waiter, timeout)
        finally:
            self.waiter = None

    def send(self, head: bytes) -> None:
        self._reset()
        self.busy = True
        assert self.transport is not None
        self.transport.write(head)

    def take(self) -> bytes | None:
        """The next body chunk held, or ``None``."""
        if not self.chunks:
            return None
        chunk = self.chunks.popleft()
        self.buffered -= len(chunk)
        if self.paused and self.buffered < _LOW_WATER and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return chunk

    def reusable(self) -> bool:
        return self.complete and self.keep_alive and not self.closed and self.error is None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


async def _wait(waiter: asyncio.Future[None], timeout: float | None) -> None:
    """``waiter``'s result; ``TimeoutError`` when ``timeout`` seconds pass first."""
    loop = asyncio.get_running_loop()
    timer = None if timeout is None else loop.call_later(timeout, _expire, waiter)
    try:
        await waiter
    finally:
        if timer is not None:
            timer.cancel()


# The one place a connection is opened (tests count connections here).
async def open_connection(
    address: str, port: int, *, tls: ssl.SSLContext | None, server_hostname: str | None
) -> _Connection:
    loop = asyncio.get_running_loop()
    _transport, protocol = await loop.create_connection(
        _Connection, address, port, ssl=tls, server_hostname=server_hostname if tls else None
    )
    return protocol


class _Body(httpx.AsyncByteStream):
    """An answer's body as it arrives; closing it gives the connection back."""

    def __init__(
        self,
        pool: _Pool,
        connection: _Connection,
        request: httpx.Request,
        read_timeout: float | None,
    ) -> None:
        self.pool = pool
        self.connection = connection
        self.request = request
        self.read_timeout = read_timeout
        self.done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self.connection
        while True:
            chunk = connection.take()
            if chunk is not None:
                yield chunk
                continue
            if connection.complete:
                return
            if connection.error is not None:
                raise _as_httpx(connection.error, self.request)
            if connection.closed:
                if connection.until_close:
                    connection.complete = True
                    connection.keep_alive = False
                    return
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body",
                    request=self.request,
                )
            try:
                await connection.wait(self.read_timeout)
            except TimeoutError as exc:
                raise httpx.ReadTimeout(
                    "timed out reading the answer", request=self.request
                ) from exc

    async def aclose(self) -> None:
        if not self.done:
            self.done = True
            self.pool.release(self.connection)


class _Pool:
    """The connections to one ``(scheme, host, port)``: at most ``limit`` in use."""

    def __init__(self, limit: int, keepalive_expiry: float) -> None:
        self.limit = limit
        self.keepalive_expiry = keepalive_expiry
        self.idle: list[_Connection] = []
        self.in_use = 0
        self.waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self, timeout: float | None) -> _Connection | None:
        """A slot, and an open idle connection for it if there is one."""
        if self.in_use >= self.limit:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.waiters.append(waiter)
            try:
                await _wait(waiter, timeout)
            except TimeoutError as exc:
                raise httpx.PoolTimeout("no free connection in time") from exc
            except BaseException:
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    self._hand_on()  # the slot given to us goes to the next waiter
                raise
        else:
            self.in_use += 1
        now = time.monotonic()
        while self.idle:
            connection = self.idle.pop()
            if not connection.closed and now - connection.idle_since < self.keepalive_expiry:
                return connection
            connection.close()
        return None

    def release(self, connection: _Connection | None) -> None:
        if connection is not None:
            connection.busy = False
            if connection.reusable():
                connection.idle_since = time.monotonic()
                self.idle.append(connection)
            else:
                connection.close()
        self._hand_on()

    def _hand_on(self) -> None:
        """A slot is free: to the first waiter still waiting, else back."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on; in_use unchanged
                return
        self.in_use -= 1

    def idle_only(self) -> bool:
        return self.in_use == 0

    def close(self) -> None:
        for connection in self.idle:
            connection.close()
        self.idle = []


Resolve = Callable[[str, int], Awaitable[list[str]]]


class ConnectionPools:
    """One :class:`_Pool` per ``(scheme, host, port)``; the least recently
    used idle ones are closed beyond ``max_pools``."""

    def __init__(
        self,
        resolve: Resolve,
        ssl_context: ssl.SSLContext,
        *,
        pool_size: Callable[[str], int],
        keepalive_expiry: float,
        max_pools: int,
    ) -> None:
        self.resolve = resolve
        self.ssl_context = ssl_context
        self.pool_size = pool_size
        self.keepalive_expiry = keepalive_expiry
        self.max_pools = max_pools
        self.pools: OrderedDict[tuple[str, str, int], _Pool] = OrderedDict()

    def _pool(self, key: tuple[str, str, int]) -> _Pool:
        pool = self.pools.get(key)
        if pool is not None:
            self.pools.move_to_end(key)
            return pool
        pool = self.pools[key] = _Pool(self.pool_size(key[1]) + 2, self.keepalive_expiry)
        if len(self.pools) > self.max_pools:
            for old in list(self.pools)[: len(self.pools) - self.max_pools]:
                if self.pools[old].idle_only():
                    self.pools.pop(old).close()
        return pool

    async def request(self, request: httpx.Request, host: str, port: int) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        target = url.raw_path
        head = _head(request, target)
        connect_timeout, read_timeout, pool_timeout = _timeouts(request)
        pool = self._pool((scheme, host, port))
        connection = await pool.acquire(pool_timeout)
        try:
            while True:
                reused = connection is not None
                if connection is None:
                    connection = await self._connect(request, scheme, host, port, connect_timeout)
                connection.send(head)
                try:
                    await _answer_head(connection, request, read_timeout)
                except (httpx.RemoteProtocolError, httpx.ReadError):
                    if reused and connection.closed and not connection.received:
                        # the server closed the idle connection as we sent:
                        # the same GET again, on a new connection
                        connection.close()
                        connection = None
                        continue
                    raise
                break
        except BaseException:
            if connection is not None:
                connection.close()
            pool.release(None)
            raise
        return httpx.Response(
            status_code=connection.status,
            headers=connection.headers,
            stream=_Body(pool, connection, request, read_timeout),
            extensions={"http_version": b"HTTP/1.1"},
            request=request,
        )

    async def _connect(
        self, request: httpx.Request, scheme: str, host: str, port: int, timeout: float | None
    ) -> _Connection:
        addresses = await self.resolve(host, port)
        tls = self.ssl_context if scheme == "https" else None
        last: Exception | None = None
        for address in addresses:
            try:
                async with asyncio.timeout(timeout):
                    return await open_connection(address, port, tls=tls, server_hostname=host)
            except TimeoutError as exc:
                raise httpx.ConnectTimeout(
                    f"connecting to {host}:{port} timed out", request=request
                ) from exc
            except ssl.SSLError as exc:
                raise httpx.ConnectError(f"TLS handshake failed: {exc}", request=request) from exc
            except OSError as exc:
                # refused or unreachable: the next address may answer
                last = httpx.ConnectError(str(exc) or type(exc).__name__, request=request)
                last.__cause__ = exc
        assert last is not None
        raise last

    async def aclose(self) -> None:
        pools, self.pools = list(self.pools.values()), OrderedDict()
        for pool in pools:
            pool.close()


def _timeouts(request: httpx.Request) -> tuple[float | None, float | None, float | None]:
    given = request.extensions.get("timeout") or {}
    return given.get("connect"), given.get("read"), given.get("pool")


def _head(request: httpx.Request, target: bytes) -> bytes:
    """The request line and headers, refusing a line break inside any of them
    (it would end a header early and start another: header injection)."""
    parts = [target, *(field for pair in request.headers.raw for field in pair)]
    if any(b"\r" in part or b"\n" in part for part in parts):
        raise httpx.LocalProtocolError("a line break inside the request line or a header")
    lines = [b"GET " + target + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in request.headers.raw]
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _answer_head(
    connection: _Connection, request: httpx.Request, timeout: float | None
) -> None:
    """Until the answer's status and headers are in."""
    while not connection.headers_done:
        if connection.error is not None:
            raise _as_httpx(connection.error, request)
        if connection.closed:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        try:
            await connection.wait(timeout)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request) from exc


def _as_httpx(error: Exception, request: httpx.Request) -> Exception:
    """The connection's failure, raised anew for this request."""
    if isinstance(error, httpx.TransportError):
        return type(error)(str(error), request=request)
    return error
