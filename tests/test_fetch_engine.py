"""The fetch engine against the loopback web: limits, retries, caps, rules."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import socket
import threading
import time
import tracemalloc
from typing import Any

import pytest
from loopback import LoopbackWeb, Page, Request

from verifier.fetch import Fetcher, fetch_urls
from verifier.fetch.classify import (
    challenge_reason,
    is_trivial_move,
    not_found_title,
)
from verifier.fetch.content import PageText
from verifier.fetch.engine import FetchResult
from verifier.fetch.retry import (
    Retryable,
    backoff_seconds,
    is_retryable_status,
    next_wait,
    parse_retry_after,
)
from verifier.settings import HostSettings, Settings
from verifier.vocabulary import counts_as_failure


def settings(**changes: object) -> Settings:
    base = Settings(
        allow_private_hosts=True,
        timeout=1.0,
        retries=2,
        retry_backoff=0.01,
        max_bytes=1_000_000,
        min_interval=0.0,
        probe_soft_404=False,
    )
    return base.replace(**changes)


class FakeClock:
    """A monotonic clock that moves only when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def fetcher_for(s: Settings, clock: FakeClock | None) -> Fetcher:
    if clock is None:
        return Fetcher(s)
    return Fetcher(s, clock=clock, sleep=clock.sleep)


def fetch(s: Settings, url: str, clock: FakeClock | None = None) -> FetchResult:
    async def run() -> FetchResult:
        async with fetcher_for(s, clock) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


def fetch_all(
    s: Settings, urls: list[str], clock: FakeClock | None = None, **options: int
) -> list[tuple[int, FetchResult]]:
    results: list[tuple[int, FetchResult]] = []

    async def collect(key: int, result: FetchResult) -> None:
        results.append((key, result))

    async def run() -> None:
        async with fetcher_for(s, clock) as fetcher:
            await fetch_urls(fetcher, list(enumerate(urls)), collect, **options)

    asyncio.run(run())
    return results


class Gauge:
    """Counts requests in progress on the server side."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.now: dict[int, int] = {}
        self.peak: dict[int, int] = {}
        self.peak_all = 0
        self.starts: list[tuple[int, float]] = []

    def __call__(self, request: Request) -> Page:
        host = request.host_index
        with self.lock:
            self.now[host] = self.now.get(host, 0) + 1
            self.peak[host] = max(self.peak.get(host, 0), self.now[host])
            self.peak_all = max(self.peak_all, sum(self.now.values()))
            self.starts.append((host, time.monotonic()))
        time.sleep(self.delay)
        with self.lock:
            self.now[host] -= 1
        return Page(200, f"<title>Page</title><p>{request.path}</p>")


def test_per_host_and_global_limits(loopback: LoopbackWeb) -> None:
    gauge = Gauge(0.05)
    urls = []
    for host in range(4):
        for n in range(8):
            urls.append(loopback.add_handler(f"/g/{n}", gauge, host=host))
    results = fetch_all(settings(per_host=2, concurrency=6), urls)
    assert len(results) == 32 and all(r.status == "ok" for _, r in results)
    assert max(gauge.peak.values()) == 2
    assert gauge.peak_all <= 6
    assert gauge.peak_all >= 4  # hosts really run side by side


def test_min_interval_between_requests_to_one_host(loopback: LoopbackWeb) -> None:
    gauge = Gauge(0.0)
    urls = [loopback.add_handler(f"/i/{n}", gauge) for n in range(5)]
    fetch_all(settings(per_host=4, min_interval=0.15), urls)
    starts = sorted(t for _, t in gauge.starts)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Measured where the server receives them: allow for scheduling jitter.
    assert len(gaps) == 4 and min(gaps) >= 0.1
    assert starts[-1] - starts[0] >= 4 * 0.15 - 0.05


def test_per_host_settings_override(loopback: LoopbackWeb) -> None:
    gauge = Gauge(0.05)
    urls = [loopback.add_handler(f"/h/{n}", gauge) for n in range(6)]
    host = loopback.hosts[0]
    s = settings(per_host=4, hosts={host: HostSettings(per_host=1, accept_status=[403])})
    fetch_all(s, urls)
    assert gauge.peak[0] == 1
    assert fetch(s, loopback.url(0, "/status/403")).status == "ok"
    assert fetch(s, loopback.url(1, "/status/403")).status == "blocked"


def test_hosts_are_interleaved(loopback: LoopbackWeb) -> None:
    gauge = Gauge(0.1)
    crowded = [loopback.add_handler(f"/c/{n}", gauge) for n in range(24)]
    lone = loopback.add_page("/lone", "<title>Lone</title><p>x</p>", host=1)
    results = fetch_all(settings(per_host=2, concurrency=8), [*crowded, lone])
    order = [key for key, _ in results]
    # The other host's URL does not wait behind the 24 of the crowded one.
    assert order.index(len(crowded)) < 6


def test_retry_after_is_honoured(loopback: LoopbackWeb) -> None:
    clock = FakeClock()
    started = time.monotonic()
    result = fetch(settings(), loopback.url(0, "/retry-after"), clock)
    assert result.status == "ok" and result.attempts == 2
    assert clock.slept == [1.0]
    # On the fake clock: no real waiting.
    assert time.monotonic() - started < 0.9


def test_a_url_waiting_to_retry_holds_no_slot(loopback: LoopbackWeb) -> None:
    """One worker: the flaky URL's back-off does not keep the others waiting."""
    clock = FakeClock()
    flaky = loopback.add_sequence("/park/flaky", [Page(500, "oops"), Page(200, "<p>fine</p>")])
    others = [loopback.add_page(f"/park/{n}", "<title>T</title><p>x</p>") for n in range(3)]
    started = time.monotonic()
    results = fetch_all(
        settings(concurrency=1, per_host=1, retry_backoff=30.0), [flaky, *others], clock
    )
    order = [key for key, _ in results]
    assert sorted(order) == [0, 1, 2, 3] and order[0] != 0
    assert dict(results)[0].status == "ok" and dict(results)[0].attempts == 2
    assert time.monotonic() - started < 5


def test_a_host_asking_to_wait_waits_for_all_its_urls(loopback: LoopbackWeb) -> None:
    """A 429 with Retry-After pushes its host back for every URL of it (the
    second URL waits out the first one's Retry-After), while other hosts go
    on. On the real clock (a fake one cannot order requests in flight): 1 s."""
    seen: list[tuple[str, float]] = []

    def timed(path: str, pages: list[Page], host: int = 0) -> str:
        answers = iter(pages)

        def handler(request: Request) -> Page:
            seen.append((request.path, time.monotonic()))
            return next(answers)

        return loopback.add_handler(path, handler, host=host)

    slow_down = timed("/wait/a", [Page(429, "wait", {"Retry-After": "1"}), Page(200, "<p>ok</p>")])
    same = timed("/wait/b", [Page(200, "<p>ok</p>")])
    other = timed("/wait/c", [Page(200, "<p>ok</p>")], host=1)
    results = fetch_all(settings(concurrency=1), [slow_down, same, other])
    assert all(result.status == "ok" for _, result in results)
    when = {}
    for path, at in seen:
        when.setdefault(path, at)
    assert [path for path, _ in seen].count("/wait/a") == 2
    # The other host did not wait; the same host's other URL waited out the 1 s.
    assert when["/wait/c"] - when["/wait/a"] < 0.5
    assert when["/wait/b"] - when["/wait/a"] >= 0.95


def test_new_urls_go_before_retries(loopback: LoopbackWeb) -> None:
    """A retry whose wait is over goes after the URLs not yet tried: the slow
    ones among them are met early (one worker, no back-off)."""
    flaky = loopback.add_sequence("/first/flaky", [Page(500, "oops"), Page(200, "<p>fine</p>")])
    others = [loopback.add_page(f"/first/{n}", "<title>T</title><p>x</p>") for n in range(3)]
    fetch_all(settings(concurrency=1, per_host=1, retry_backoff=0.0), [flaky, *others])
    order = [r.path for r in loopback.requests if r.path.startswith("/first/")]
    assert order == ["/first/flaky", "/first/0", "/first/1", "/first/2", "/first/flaky"]


def test_a_retry_after_a_time_out_waits_for_the_new_urls(loopback: LoopbackWeb) -> None:
    """A time-out held its slot for the whole time-out: its retry waits until
    no new URL is left, even while the new ones wait for their host's
    interval (an ordinary retry would take that gap)."""
    slow = loopback.add_page("/late/slow", "<p>late</p>", delay=1.0)
    fresh = [loopback.add_page(f"/late/{n}", "<title>T</title><p>x</p>", host=1) for n in range(3)]
    results = fetch_all(
        settings(concurrency=1, retries=1, timeout=0.3, retry_backoff=0.0, min_interval=0.3),
        [slow, *fresh],
    )
    assert dict(results)[0].status == "timeout" and dict(results)[0].attempts == 2
    order = [r.path for r in loopback.requests if r.path.startswith("/late/")]
    assert order == ["/late/slow", "/late/0", "/late/1", "/late/2", "/late/slow"]


def test_retries_go_first_when_too_many_wait(loopback: LoopbackWeb) -> None:
    """With ``retry_backlog`` URLs waiting for a retry, no new URL starts:
    memory stays bounded when a whole host fails."""
    flaky = [
        loopback.add_sequence(f"/full/flaky{n}", [Page(500, "oops"), Page(200, "<p>fine</p>")])
        for n in range(2)
    ]
    fresh = loopback.add_page("/full/new", "<title>T</title><p>x</p>")
    results = fetch_all(
        settings(concurrency=1, per_host=1, retry_backoff=0.0),
        [*flaky, fresh],
        retry_backlog=1,
    )
    assert all(result.status == "ok" for _, result in results)
    order = [r.path for r in loopback.requests if r.path.startswith("/full/")]
    assert order == ["/full/flaky0", "/full/flaky0", "/full/flaky1", "/full/flaky1", "/full/new"]


def test_on_tail_is_called_once_when_only_slow_urls_are_left(loopback: LoopbackWeb) -> None:
    """``on_tail``: every URL has had its first try and a worker is idle;
    the slow URL is still being fetched (the check matches meanwhile)."""
    fast = [loopback.add_page(f"/tail/{n}", "<title>T</title><p>x</p>") for n in range(6)]
    slow = loopback.url(0, "/slow")
    done: list[int] = []
    told: list[int] = []

    async def collect(key: int, _result: FetchResult) -> None:
        done.append(key)

    async def run() -> None:
        async with Fetcher(settings(concurrency=3, retries=0)) as fetcher:
            await fetch_urls(
                fetcher,
                list(enumerate([slow, *fast])),
                collect,
                on_tail=lambda: told.append(len(done)),
            )

    asyncio.run(run())
    assert len(told) == 1
    # told while the slow URL (key 0) was still out, after the fast ones began
    assert 0 not in done[: told[0]] and told[0] >= 3


def test_redirect_hops_reuse_their_connection(
    loopback: LoopbackWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A redirect's short body is read, so the next hop (and the next URL)
    goes over the same keep-alive connection instead of a new one."""
    from verifier.fetch import http11

    opened: list[str] = []
    connect = http11.open_connection

    async def counting(address: str, *args: Any, **kw: Any) -> Any:
        opened.append(address)
        return await connect(address, *args, **kw)

    monkeypatch.setattr(http11, "open_connection", counting)
    final = loopback.add_page("/hops/final", "<title>Final</title><p>x</p>")
    second = loopback.add_page("/hops/2", "<p>Moved</p>", 302, {"Location": final})
    first = loopback.redirect("/hops/1", second, 301)
    other = loopback.add_page("/hops/other", "<title>Other</title><p>y</p>")
    results = fetch_all(settings(concurrency=1, per_host=1), [first, other])
    assert [result.status for _, result in results] == ["redirected", "ok"]
    assert len(opened) == 1


def test_retry_after_beyond_the_cap_ends_the_retries(loopback: LoopbackWeb) -> None:
    url = loopback.add_sequence(
        "/too-long", [Page(429, "wait", {"Retry-After": "3600"}), Page(200, "<p>ok</p>")]
    )
    started = time.monotonic()
    result = fetch(settings(max_retry_after=5), url)
    assert result.status == "rate_limited" and result.attempts == 1
    assert time.monotonic() - started < 1


def test_retry_after_as_http_date(loopback: LoopbackWeb) -> None:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    url = loopback.add_sequence(
        "/dated", [Page(503, "busy", {"Retry-After": header}), Page(200, "<p>back</p>")]
    )
    clock = FakeClock()
    result = fetch(settings(), url, clock)
    assert result.status == "ok" and result.attempts == 2
    assert len(clock.slept) == 1 and 0.9 <= clock.slept[0] <= 2.1


def test_timeouts_and_408_are_retried_other_4xx_are_not(loopback: LoopbackWeb) -> None:
    url = loopback.add_sequence("/408", [Page(408, "late"), Page(200, "<p>fine</p>")])
    assert fetch(settings(), url).attempts == 2
    assert fetch(settings(), loopback.url(0, "/status/400")).attempts == 1
    assert fetch(settings(), loopback.url(0, "/status/404")).attempts == 1
    slow = fetch(settings(timeout=0.3, retries=1), loopback.url(0, "/slow"))
    assert slow.status == "timeout" and slow.attempts == 2


def test_connection_refused(loopback: LoopbackWeb) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetch(settings(retries=0), f"http://127.0.0.1:{port}/")
    assert result.status == "connection_error"


def test_decompression_bombs_stop_at_the_cap(loopback: LoopbackWeb) -> None:
    for path in ("/gzip-bomb", "/brotli-bomb"):
        # The server builds its bombs on first use: not part of the measure.
        fetch(settings(max_bytes=2_000_000), loopback.url(0, path))
    tracemalloc.start()
    try:
        for path in ("/gzip-bomb", "/brotli-bomb"):
            tracemalloc.reset_peak()
            result = fetch(settings(max_bytes=2_000_000), loopback.url(0, path))
            assert result.status == "too_large" and result.http_status == 200
            assert tracemalloc.get_traced_memory()[1] < 20_000_000
    finally:
        tracemalloc.stop()


def test_a_body_under_the_cap_is_kept_whole(loopback: LoopbackWeb) -> None:
    result = fetch(settings(max_bytes=3_000_000), loopback.url(0, "/huge"))
    assert result.status == "ok"
    assert result.page is not None and result.page.text.count("word") == 400_000


def test_redirect_chain_across_hosts(loopback: LoopbackWeb) -> None:
    result = fetch(settings(), loopback.url(0, "/to-host/1/redirect/permanent"))
    assert result.status == "redirected"
    assert result.redirect_chain == [
        (302, loopback.url(1, "/redirect/permanent")),
        (301, loopback.url(1, "/moved/article")),
    ]
    assert result.final_url == loopback.url(1, "/moved/article")


def test_charsets_over_http(loopback: LoopbackWeb) -> None:
    texts = {
        path: fetch(settings(), loopback.url(0, path)).page
        for path in ("/charset/header", "/charset/meta", "/charset/wrong")
    }
    assert "Zürich café crème" in (texts["/charset/header"] or PageText("", None, None, None)).text
    meta = texts["/charset/meta"]
    assert meta is not None and "Москва" in meta.text and meta.title == "Новости"
    assert "Kraków, Gdańsk and Łódź" in (texts["/charset/wrong"] or meta).text


def test_catch_all_probe_is_made_once_per_host_and_folder(loopback: LoopbackWeb) -> None:
    urls = [loopback.url(2, f"/news/story-{n}") for n in range(5)]
    urls.append(loopback.url(2, "/ok"))
    results = dict(fetch_all(settings(probe_soft_404=True), urls))
    assert [results[n].status for n in range(5)] == ["soft_404"] * 5
    assert results[5].status == "ok"
    probes = [r for r in loopback.requests if "verifier-probe-" in r.path]
    assert len(probes) == 2  # one for /news/, one for the root folder


def test_an_application_shell_is_not_a_catch_all(loopback: LoopbackWeb) -> None:
    shell = Page(
        200,
        "<html><head><title>App</title></head><body><div id=root></div>"
        "<noscript>You need to enable JavaScript to run this app.</noscript></body></html>",
    )
    loopback.set_fallback(3, lambda _request: shell)
    result = fetch(settings(probe_soft_404=True), loopback.url(3, "/app/dashboard/reports"))
    assert result.status == "ok"
    assert any("verifier-probe-" in r.path for r in loopback.requests)


def test_cookies_live_for_one_redirect_chain(loopback: LoopbackWeb) -> None:
    def gate(request: Request) -> Page:
        if "visited=1" in request.headers.get("Cookie", ""):
            return Page(200, "<title>Behind the gate</title><p>Welcome back.</p>")
        return Page(302, b"", {"Location": "/gate", "Set-Cookie": "visited=1; Path=/"}, None)

    url = loopback.add_handler("/gate", gate)
    first = fetch(settings(), url)
    assert first.status == "ok" and first.redirect_chain == [(302, url)]
    # A new fetch starts without the cookie: nothing leaks between URLs.
    gate_requests = [r for r in loopback.requests if r.path == "/gate"]
    assert "Cookie" not in gate_requests[0].headers


# --- the rules, one by one ----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "retried"),
    [
        (408, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (501, False),
        (505, False),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (410, False),
        (200, False),
    ],
)
def test_retryable_statuses(code: int, retried: bool) -> None:
    assert is_retryable_status(code) is retried


def test_backoff_doubles_with_a_quarter_of_jitter() -> None:
    s = settings(retry_backoff=1.0)
    for retry, base in ((1, 1.0), (2, 2.0), (3, 4.0), (9, 30.0)):
        waits = [backoff_seconds(s, retry) for _ in range(200)]
        assert all(base <= wait <= base * 1.25 for wait in waits)
        # spread out: URLs of one host do not retry in lockstep
        assert max(waits) - min(waits) > base * 0.1


def test_parse_retry_after() -> None:
    now = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Wed, 01 May 2024 12:00:30 GMT", now) == 30
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize(
    ("title", "h1", "soft"),
    [
        ("Page not found | Example", None, True),
        ("404 - Example News", None, True),
        ("Example News", "Error 404", True),
        ("Seite nicht gefunden", None, True),
        ("Page introuvable - Le Monde", None, True),
        ("Página no encontrada", None, True),
        ("Страница не найдена", None, True),
        ("Nie znaleziono strony", None, True),
        ("页面不存在", None, True),
        ("Flight 404 lands safely in Denver", None, False),
        ("The 2024 annual report", "Results", False),
        (None, None, False),
    ],
)
def test_not_found_titles(title: str | None, h1: str | None, soft: bool) -> None:
    page = PageText(text="Some text", title=title, h1=h1, og_title=None)
    assert (not_found_title(page) is not None) is soft


def test_trivial_moves() -> None:
    assert is_trivial_move("http://example.org/a", "https://www.example.org/a/")
    assert is_trivial_move("https://example.org:443/a", "https://example.org/a")
    assert not is_trivial_move("http://example.org/a", "http://example.org/b")
    assert not is_trivial_move("http://example.org/a", "http://example.com/a")


def test_a_long_article_mentioning_a_captcha_is_not_a_wall() -> None:
    body = b"<p>We tested g-recaptcha and other CAPTCHA widgets.</p>" * 10
    long_page = PageText(text="x" * 5000, title="Review", h1=None, og_title=None)
    assert challenge_reason({}, body, long_page) is None
    short_page = PageText(text="Are you a robot?", title="Check", h1=None, og_title=None)
    assert challenge_reason({}, b"<p>Are you a robot?</p>", short_page) is not None


def test_failure_counting_rule() -> None:
    assert counts_as_failure("dead") is True
    assert counts_as_failure("soft_404") is True
    assert counts_as_failure("timeout") is True
    assert counts_as_failure("ok") is False
    assert counts_as_failure("redirected") is False
    assert counts_as_failure("blocked") is None
    assert counts_as_failure("rate_limited") is None
    assert counts_as_failure("excluded") is None


def test_an_unexpected_error_spoils_one_url_not_the_run(
    loopback: LoopbackWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier.fetch import classify

    original = classify.classify_response

    def broken(**kwargs: object) -> classify.Decision:
        if str(kwargs["url"]).endswith("/status/418"):
            raise RuntimeError("boom")
        return original(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(classify, "classify_response", broken)
    results = dict(fetch_all(settings(), [loopback.url(0, "/status/418"), loopback.url(0, "/ok")]))
    assert results[0].status == "connection_error" and "boom" in (results[0].error or "")
    assert results[1].status == "ok"


def test_a_page_with_control_characters_is_read_not_an_error(loopback: LoopbackWeb) -> None:
    # a stray control character next to a script or a comment: lxml reads
    # it, then refuses to write it back when the script's tail is moved
    body = (
        b"<html><head><title>Budget\x01 report</title></head><body>"
        b"<p>The deficit\x02 fell.</p><script>x()</script>\x07Spending rose.<!-- c -->\x00"
        b"</body></html>"
    )
    result = fetch(settings(), loopback.add_page("/control-chars", body))
    assert result.status == "ok", result.error
    assert result.page is not None
    assert result.page.title == "Budget report"
    assert "The deficit fell." in result.page.text
    assert "Spending rose." in result.page.text


def test_a_back_off_counts_from_when_the_request_was_sent(loopback: LoopbackWeb) -> None:
    sent: dict[str, list[float]] = {"slow": [], "quick": []}

    def slow(request: Request) -> Page:
        sent["slow"].append(time.monotonic())
        return Page(200, "<p>late</p>", delay=1.5)

    def quick(request: Request) -> Page:
        sent["quick"].append(time.monotonic())
        return Page(500, "oops")

    urls = [
        loopback.add_handler("/backoff/slow", slow),
        loopback.add_handler("/backoff/quick", quick),
    ]
    # a time-out (0.6 s) longer than the back-off (0.3-0.375 s)
    results = fetch_all(settings(timeout=0.6, retries=1, retry_backoff=0.3), urls)
    assert [r.status for _, r in sorted(results)] == ["timeout", "server_error"]
    assert len(sent["slow"]) == len(sent["quick"]) == 2
    # the server waited longer than the back-off already: asked again at once
    # (it used to be the time-out and the back-off, 0.9 s or more)
    assert sent["slow"][1] - sent["slow"][0] < 0.85
    # a quick failure still waits its back-off, from when it was asked
    assert sent["quick"][1] - sent["quick"][0] >= 0.3


def test_next_wait_takes_the_time_spent_off_the_back_off_not_off_retry_after() -> None:
    s = settings(retry_backoff=1.0)
    assert next_wait(s, Retryable(True), 1, spent=5.0) == 0.0
    assert 0.7 <= (next_wait(s, Retryable(True), 1, spent=0.3) or 0) <= 0.95
    assert next_wait(s, Retryable(True, retry_after=2.0), 1, spent=5.0) == 2.0
    assert next_wait(s, Retryable(False), 1) is None
