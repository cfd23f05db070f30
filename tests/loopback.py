"""The loopback web: real HTTP servers on 127.0.0.1, 127.0.0.2 ... for every
test that fetches. No test touches the internet.

Use the ``loopback`` fixture (registered in conftest.py)::

    def test_something(loopback: LoopbackWeb) -> None:
        url = loopback.add_page("/article", "<title>T</title><p>Text</p>")
        other = loopback.url(1, "/ok")              # the second host
        flaky = loopback.add_sequence("/x", [Page(500), Page(200, "fine")])

Each host is its own server (own address and port), so per-host limits,
redirects between hosts and SSRF rules apply as on the real web. Pages added
by a test are removed after it; the standard routes below are on every host:

======================  ====================================================
``/ok``                 a normal article (200)
``/status/<code>``      that status with a small page
``/redirect/permanent`` 301 to ``/moved/article`` (200)
``/redirect/slash``     301 to ``/redirect/slash/`` (only a slash added)
``/redirect/temporary`` 302 to ``/ok``
``/redirect/loop-a``    302 to ``/redirect/loop-b``, which goes back
``/redirect/chain/<n>`` n redirects, then ``/ok``
``/flaky``              500, 500, then 200
``/retry-after``        429 with ``Retry-After: 1``, then 200
``/drop``               headers promise 100 kB, the connection drops at 2 kB
``/drop-once``          drops once, then 200
``/slow``               answers after ``SLOW_SECONDS``
``/huge``               2 MB of HTML (tests set a 1 MB cap)
``/gzip-bomb``          64 MB of HTML in 64 kB of gzip
``/brotli-bomb``        64 MB of HTML in a few kB of brotli
``/charset/header``     latin-1, declared in Content-Type
``/charset/meta``       windows-1251, declared in a meta tag only
``/charset/wrong``      UTF-8 bytes declared as iso-8859-1
``/soft404/title-en``   200, title "Page not found"
``/soft404/title-de``   200, title "Seite nicht gefunden – Beispiel"
``/soft404/title-ja``   200, title "ページが見つかりません"
``/soft404/h1``         200, heading "404"
``/deep/2019/story``    301 to ``/`` (a deep link sent to the home page)
``/deep/moved/story``   302 to ``/404.html`` (an error page answering 200)
``/challenge``          403 Cloudflare "Just a moment..." challenge
``/challenge-200``      200 "Checking your browser before accessing"
``/challenge-header``   503 with ``cf-mitigated: challenge``
``/members/article``    302 to ``/login?next=...``
``/doc.pdf``            a PDF
``/image.png``          a PNG (not read)
``/to-metadata``        302 to http://169.254.169.254/latest/meta-data/
``/to-host/<i>/<path>`` 302 to ``<path>`` on host ``i``
======================  ====================================================

Host 2 (``CATCH_ALL_HOST``) is a catch-all: every path without a page
answers 200 with the same shop front page, as many real sites do.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import brotli
import pytest

__all__ = [
    "CATCH_ALL_HOST",
    "SLOW_SECONDS",
    "LoopbackWeb",
    "Page",
    "Request",
    "article",
    "loopback",
    "make_pdf",
]

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
CATCH_ALL_HOST = 2
SLOW_SECONDS = 3.0


@dataclass
class Page:
    """One answer. ``drop_after``: send that many body bytes, then close."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0
    drop_after: int | None = None


@dataclass
class Request:
    host_index: int
    path: str
    query: str
    headers: dict[str, str]


Handler = Callable[[Request], Page | None]


def article(title: str, *paragraphs: str) -> str:
    """A small HTML article page."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav>Home | News</nav><article><h1>{title}</h1>{body}</article>"
        "<footer>Contact us</footer></body></html>"
    )


def make_pdf(text: str, title: str | None = None) -> bytes:
    """A small valid PDF with ``text`` on one page (Helvetica, no dependencies)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if title is not None:
        objects.append(b"<< /Title (" + title.encode("latin-1") + b") >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    info = f" /Info {len(objects)} 0 R" if title is not None else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_BOMB_SIZE = 64 * 1024 * 1024
_bombs: dict[str, bytes] = {}


def _bomb(kind: str) -> bytes:
    if kind not in _bombs:
        html = b"<html><body><p>" + b"a" * _BOMB_SIZE + b"</p></body></html>"
        if kind == "gzip":
            _bombs[kind] = gzip.compress(html, compresslevel=9)
        else:
            _bombs[kind] = brotli.compress(html, quality=5)
    return _bombs[kind]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (time-outs, size caps) are part of the tests.
        pass


class LoopbackWeb:
    """Several real HTTP servers and the pages they serve."""

    def __init__(self, hosts: tuple[str, ...] = HOSTS) -> None:
        self.hosts = hosts
        self._servers: list[ThreadingHTTPServer] = []
        self._lock = threading.Lock()
        self._routes: dict[tuple[int, str], Handler] = {}
        self._prefixes: list[tuple[int | None, str, Callable[[Request, str], Page | None]]] = []
        self._fallbacks: dict[int, Handler] = {}
        self._hits: dict[tuple[int, str], int] = {}
        self.requests: list[Request] = []

    # --- addresses -----------------------------------------------------------

    def netloc(self, host_index: int) -> str:
        return f"{self.hosts[host_index]}:{self._servers[host_index].server_address[1]}"

    def url(self, host_index: int, path: str) -> str:
        """The URL of ``path`` on host ``host_index`` (0 = 127.0.0.1)."""
        return f"http://{self.netloc(host_index)}{path}"

    # --- pages -----------------------------------------------------------------

    def add_handler(self, path: str, handler: Handler, *, host: int | None = 0) -> str:
        """Serve ``path`` with ``handler`` (on every host when ``host`` is None)."""
        with self._lock:
            for index in range(len(self.hosts)) if host is None else [host]:
                self._routes[(index, path)] = handler
        return self.url(host or 0, path)

    def add_page(
        self,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        *,
        host: int | None = 0,
        content_type: str | None = "text/html; charset=utf-8",
        delay: float = 0.0,
    ) -> str:
        """Serve one fixed page; returns its URL (on ``host``, default the first)."""
        page = Page(status, body, dict(headers or {}), content_type, delay)
        return self.add_handler(path, lambda _request: page, host=host)

    def add_sequence(self, path: str, pages: list[Page], *, host: int | None = 0) -> str:
        """Serve ``pages`` in turn, one per request; the last one repeats."""
        remaining = list(pages)

        def handler(_request: Request) -> Page:
            with self._lock:
                return remaining.pop(0) if len(remaining) > 1 else remaining[0]

        return self.add_handler(path, handler, host=host)

    def redirect(self, path: str, target: str, status: int = 302, *, host: int | None = 0) -> str:
        return self.add_page(path, b"", status, {"Location": target}, host=host, content_type=None)

    def set_fallback(self, host: int, handler: Handler) -> None:
        """Answer every path of ``host`` that has no page with ``handler``."""
        with self._lock:
            self._fallbacks[host] = handler

    def hits(self, path: str, host: int = 0) -> int:
        """How many requests ``path`` on ``host`` received since the test began."""
        with self._lock:
            return self._hits.get((host, path), 0)

    # --- life cycle --------------------------------------------------------------

    def start(self) -> None:
        web = self
        # Compress the bombs now, not inside the first request: under load,
        # 64 MB of gzip level 9 took longer than the tests' 1 s timeout.
        for kind in ("gzip", "br"):
            _bomb(kind)

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                index = web._servers.index(self.server)  # type: ignore[arg-type]
                parts = urlsplit(self.path)
                request = Request(index, parts.path, parts.query, dict(self.headers.items()))
                page = web._answer(request)
                web._send(self, page)

        for address in self.hosts:
            server = _QuietServer((address, 0), RequestHandler)
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.reset()

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def reset(self) -> None:
        """Back to the standard routes only, with no hits counted."""
        with self._lock:
            self._routes.clear()
            self._prefixes.clear()
            self._fallbacks.clear()
            self._hits.clear()
            self.requests.clear()
        self._standard_routes()

    # --- serving -------------------------------------------------------------------

    def _answer(self, request: Request) -> Page:
        with self._lock:
            key = (request.host_index, request.path)
            self._hits[key] = self._hits.get(key, 0) + 1
            self.requests.append(request)
            handler = self._routes.get(key)
            prefixes = list(self._prefixes)
            fallback = self._fallbacks.get(request.host_index)
        if handler is not None:
            page = handler(request)
            if page is not None:
                return page
        for host, prefix, prefix_handler in prefixes:
            if host in (None, request.host_index) and request.path.startswith(prefix):
                page = prefix_handler(request, request.path[len(prefix) :])
                if page is not None:
                    return page
        if fallback is not None:
            page = fallback(request)
            if page is not None:
                return page
        return Page(404, article("Not Found", "Nothing here."))

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, page: Page) -> None:
        if page.delay:
            time.sleep(page.delay)
        body = page.body.encode("utf-8") if isinstance(page.body, str) else page.body
        try:
            handler.send_response(page.status)
            if page.content_type is not None:
                handler.send_header("Content-Type", page.content_type)
            for name, value in page.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if page.drop_after is not None:
                handler.wfile.write(body[: page.drop_after])
                handler.wfile.flush()
                handler.connection.shutdown(socket.SHUT_RDWR)
                handler.close_connection = True
                return
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _prefix(
        self, prefix: str, handler: Callable[[Request, str], Page | None], host: int | None = None
    ) -> None:
        self._prefixes.append((host, prefix, handler))

    def _standard_routes(self) -> None:
        ok = article(
            "A working article",
            "The committee published its annual report on Tuesday.",
            "Growth was 13 percent, the highest in a decade.",
        )
        self.add_page("/ok", ok, host=None)
        self.add_page("/ok/", ok, host=None)
        self.add_page(
            "/moved/article",
            article("The article, moved", "This article now lives at a new address."),
            host=None,
        )
        self._prefix(
            "/status/",
            lambda _r, rest: (
                Page(int(rest), article(f"Status {rest}", f"Answer {rest}."))
                if rest.isdigit()
                else None
            ),
        )
        self.redirect("/redirect/permanent", "/moved/article", 301, host=None)
        self.redirect("/redirect/slash", "/redirect/slash/", 301, host=None)
        self.add_page("/redirect/slash/", ok, host=None)
        self.redirect("/redirect/temporary", "/ok", 302, host=None)
        self.redirect("/redirect/loop-a", "/redirect/loop-b", 302, host=None)
        self.redirect("/redirect/loop-b", "/redirect/loop-a", 302, host=None)

        def chain(_request: Request, rest: str) -> Page | None:
            if not rest.isdigit():
                return None
            target = "/ok" if int(rest) <= 1 else f"/redirect/chain/{int(rest) - 1}"
            return Page(302, b"", {"Location": target}, None)

        self._prefix("/redirect/chain/", chain)
        fine = article("Fine now", "It works after all.")
        self.add_sequence("/flaky", [Page(500, "oops"), Page(500, "oops"), Page(200, fine)])
        self.add_sequence(
            "/retry-after",
            [Page(429, "slow down", {"Retry-After": "1"}), Page(200, fine)],
        )
        dropped = Page(200, article("Dropped", "x" * 100_000), drop_after=2048)
        self.add_handler("/drop", lambda _r: dropped, host=None)
        self.add_sequence("/drop-once", [dropped, Page(200, fine)], host=None)
        self.add_page("/slow", fine, delay=SLOW_SECONDS, host=None)
        self.add_page("/huge", "<html><body><p>" + "word " * 400_000 + "</p></body></html>")
        self.add_handler(
            "/gzip-bomb",
            lambda _r: Page(200, _bomb("gzip"), {"Content-Encoding": "gzip"}),
        )
        self.add_handler(
            "/brotli-bomb",
            lambda _r: Page(200, _bomb("br"), {"Content-Encoding": "br"}),
        )
        self.add_page(
            "/charset/header",
            "<html><body><p>Zürich café crème</p></body></html>".encode("latin-1"),
            content_type="text/html; charset=ISO-8859-1",
        )
        self.add_page(
            "/charset/meta",
            '<html><head><meta charset="windows-1251"><title>Новости</title></head>'
            "<body><p>Москва, столица России</p></body></html>".encode("cp1251"),
            content_type="text/html",
        )
        self.add_page(
            "/charset/wrong",
            "<html><body><p>Kraków, Gdańsk and Łódź</p></body></html>".encode(),
            content_type="text/html; charset=iso-8859-1",
        )
        self.add_page(
            "/soft404/title-en",
            article("Page not found", "Sorry, we looked everywhere."),
            host=None,
        )
        self.add_page(
            "/soft404/title-de",
            article("Seite nicht gefunden – Beispiel", "Leider nichts."),
            host=None,
        )
        self.add_page(
            "/soft404/title-ja", article("ページが見つかりません", "申し訳ありません。"), host=None
        )
        self.add_page(
            "/soft404/h1",
            "<html><head><title>Example News</title></head><body><h1>404</h1>"
            "<p>Gone fishing.</p></body></html>",
            host=None,
        )
        self.add_page("/", article("Example home", "Welcome to the home page."), host=None)
        self.redirect("/deep/2019/story", "/", 301, host=None)
        self.redirect("/deep/moved/story", "/404.html", 302, host=None)
        self.add_page("/404.html", article("Oops", "We could not help."), host=None)
        self.add_page(
            "/challenge",
            "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
            "<noscript>Enable JavaScript and cookies to continue</noscript>"
            "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>"
            "</body></html>",
            403,
            {"Server": "cloudflare"},
            host=None,
        )
        self.add_page(
            "/challenge-200",
            "<html><head><title>Please wait</title></head><body>"
            "<p>Checking your browser before accessing example.org.</p></body></html>",
            host=None,
        )
        self.add_page(
            "/challenge-header",
            "<html><body>wait</body></html>",
            503,
            {"cf-mitigated": "challenge"},
        )
        self.redirect("/members/article", "/login?next=/members/article", 302, host=None)
        self.add_page("/login", article("Sign in", "Enter your password."), host=None)
        self.add_page(
            "/doc.pdf",
            make_pdf("Annual statistics of the harbour", title="Harbour statistics"),
            content_type="application/pdf",
            host=None,
        )
        self.add_page(
            "/image.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 5000, content_type="image/png", host=None
        )
        self.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/", host=None)

        def to_host(_request: Request, rest: str) -> Page | None:
            index, _, path = rest.partition("/")
            if not index.isdigit() or int(index) >= len(self.hosts):
                return None
            return Page(302, b"", {"Location": self.url(int(index), "/" + path)}, None)

        self._prefix("/to-host/", to_host)
        shop = article(
            "Example Shop",
            "Welcome to Example Shop! Browse our products and this week's offers.",
            "Free delivery on orders over 50 euros. Returns accepted within 30 days.",
            "Sign up for our newsletter to hear about new arrivals and seasonal sales.",
        )
        self.set_fallback(CATCH_ALL_HOST, lambda _r: Page(200, shop))


@pytest.fixture(scope="session")
def loopback_servers() -> Iterator[LoopbackWeb]:
    web = LoopbackWeb()
    web.start()
    yield web
    web.stop()


@pytest.fixture
def loopback(loopback_servers: LoopbackWeb) -> Iterator[LoopbackWeb]:
    """The loopback web with only its standard routes; a test's pages go after it."""
    loopback_servers.reset()
    yield loopback_servers
    loopback_servers.reset()
