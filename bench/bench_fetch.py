"""Fetch benchmark: ``python -m bench fetch``.

A simulated web: 50 hosts (127.0.0.1 ... 127.0.0.50, one server each) in a
separate process, every answer delayed by 50 ms, a 2 kB article page each.
``verifier check`` (the whole pipeline: database paging, fetching,
classification with the catch-all probe, text extraction, batched writes,
then the match stage over every page; archive lookups off) runs over 2,000
cited URLs with concurrency 32, in a process of its own so that its CPU time
and peak RSS are its own. ``fetch_seconds`` is the fetch phase alone.

Figures:

* URLs/s, and the ratio of the run's time to the physical bound
  ``URLs x latency / concurrency`` (target: within 1.3x at 2,000 URLs);
* CPU seconds per 1,000 URLs (client process, user + system);
* peak RSS at 2,000 and at 20,000 URLs (target: under 250 MB at 20,000,
  i.e. memory flat as URLs grow);
* the same 2,000 URLs through the engine alone (no database), to show what
  the pipeline costs on top;
* page-text extraction on the 150 real pages of tests/data/corpus/webpages:
  ``with`` passages kept and ``without`` boilerplate let through, for the tag
  walk verifier uses, trafilatura, and naive tag stripping (the measurement
  behind the choice in verifier/fetch/content.py).

min_interval is 0 here: with the default 0.1 s, 40 URLs per host take at
least 4 s whatever the concurrency, which measures politeness, not speed.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import multiprocessing as mp
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HOSTS = 50
LATENCY = 0.05
CONCURRENCY = 32
REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "corpus"

_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Article {n}</title></head>"
    "<body><nav>Home | World | Business</nav><article><h1>Article {n}</h1>"
    + "<p>The committee published its annual report on Tuesday; growth was 13 percent.</p>" * 20
    + "</article><footer>Contact</footer></body></html>"
)


# --- the simulated web (its own process) ------------------------------------


async def _serve(hosts: int, latency: float, ports: Any, ready: Any) -> None:
    body_cache: dict[str, bytes] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                await asyncio.sleep(latency)
                if "verifier-probe-" in path:
                    body = b"<html><head><title>Not Found</title></head></html>"
                    status = b"404 Not Found"
                else:
                    body = body_cache.get(path) or _PAGE.format(n=path).encode()
                    status = b"200 OK"
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    servers = []
    for index in range(hosts):
        server = await asyncio.start_server(handle, f"127.0.0.{index + 1}", 0, backlog=512)
        servers.append(server)
        ports.append(server.sockets[0].getsockname()[1])
    ready.set()
    await asyncio.Event().wait()


def _server_process(hosts: int, latency: float, ports: Any, ready: Any) -> None:
    asyncio.run(_serve(hosts, latency, ports, ready))


# --- the client (its own process per scenario) ------------------------------


def _urls(count: int, ports: list[int]) -> list[str]:
    return [
        f"http://127.0.0.{n % HOSTS + 1}:{ports[n % HOSTS]}/news/{n // HOSTS}/article-{n}"
        for n in range(count)
    ]


def _fill_database(path: str, urls: list[str]) -> None:
    from sqlalchemy import insert

    from verifier.store.database import Database
    from verifier.store.models import Citation, CitationUrl, Document, Url, utcnow
    from verifier.urls import host_of, url_hash

    db = Database(path)
    now = utcnow()
    with db.session() as session:
        session.execute(
            insert(Document),
            [{"id": 1, "path": "bench.md", "format": "markdown", "sha256": "0" * 64}],
        )
        for start in range(0, len(urls), 5000):
            chunk = list(enumerate(urls[start : start + 5000], start=start + 1))
            session.execute(
                insert(Url),
                [
                    {
                        "id": i,
                        "url_hash": url_hash(u),
                        "url": u,
                        "host": host_of(u),
                        "first_seen": now,
                        "failures_in_a_row": 0,
                    }
                    for i, u in chunk
                ],
            )
            session.execute(
                insert(Citation),
                [
                    {
                        "id": i,
                        "document_id": 1,
                        "label": str(i),
                        "position": i,
                        "kind": "note",
                        "raw_text": u,
                    }
                    for i, u in chunk
                ],
            )
            session.execute(
                insert(CitationUrl),
                [{"citation_id": i, "url_id": i, "position": 0, "written": u} for i, u in chunk],
            )
    db.dispose()


def _bench_settings() -> Any:
    from verifier.settings import Settings

    return Settings(
        concurrency=CONCURRENCY,
        per_host=4,
        min_interval=0.0,
        retries=0,
        allow_private_hosts=True,
        archive=False,
    )


def _client(mode: str, count: int, ports: list[int], out: Any) -> None:
    urls = _urls(count, ports)
    settings = _bench_settings()
    figures: dict[str, Any] = {}
    if mode == "check":
        from verifier.check import run_check
        from verifier.store.database import Database

        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "bench.db")
            _fill_database(path, urls)
            db = Database(path)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            result = run_check(db, settings)
            elapsed = time.perf_counter() - started
            figures["statuses"] = result.counts
            # The fetch phase alone; the rest is the match stage reading
            # every page (archive lookups are off here).
            figures["fetch_seconds"] = round(result.fetch_seconds, 2)
            figures["fetch_ratio_to_bound"] = round(
                result.fetch_seconds / (count * LATENCY / CONCURRENCY), 3
            )
            db.dispose()
    else:
        from verifier.fetch import Fetcher, fetch_urls

        statuses: dict[str, int] = {}

        async def sink(_key: int, fetched: Any) -> None:
            statuses[str(fetched.status)] = statuses.get(str(fetched.status), 0) + 1

        async def run() -> None:
            async with Fetcher(settings) as fetcher:
                await fetch_urls(fetcher, enumerate(urls), sink)

        usage = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        asyncio.run(run())
        elapsed = time.perf_counter() - started
        figures["statuses"] = statuses
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    bound = count * LATENCY / CONCURRENCY
    figures.update(
        {
            "urls": count,
            "seconds": round(elapsed, 2),
            "urls_per_second": round(count / elapsed, 1),
            "physical_bound_seconds": round(bound, 3),
            "ratio_to_bound": round(elapsed / bound, 3),
            "cpu_seconds_per_1000_urls": round(cpu / count * 1000, 3),
            "peak_rss_mb": round(after.ru_maxrss / 1024, 1),
        }
    )
    out.put(figures)


def _measure(ctx: Any, mode: str, count: int, ports: list[int]) -> dict[str, Any]:
    queue = ctx.Queue()
    process = ctx.Process(target=_client, args=(mode, count, ports, queue))
    process.start()
    figures: dict[str, Any] = queue.get(timeout=600)
    process.join()
    return figures


# --- text extraction -------------------------------------------------------


def _extraction() -> dict[str, Any]:
    import html as html_module

    import trafilatura

    from verifier.fetch.content import decode_body, extract_page

    truth = json.loads((CORPUS / "webpages" / "truth.json").read_text())

    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip().casefold()

    def walk(body: bytes) -> str:
        return extract_page(body, None).text

    def with_trafilatura(body: bytes) -> str:
        text = decode_body(body, None, html=True)
        return trafilatura.extract(text, favor_recall=True, include_tables=True) or ""

    def naive(body: bytes) -> str:
        text = decode_body(body, None, html=True)
        text = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", text)
        return html_module.unescape(re.sub(r"<[^>]+>", " ", text))

    figures: dict[str, Any] = {}
    for name, extract in (("tag_walk", walk), ("trafilatura", with_trafilatura), ("naive", naive)):
        kept = leaked = passages = boilerplate = 0
        started = time.perf_counter()
        for file_name, info in truth.items():
            text = norm(
                extract(
                    gzip.decompress((CORPUS / "webpages" / "html" / f"{file_name}.gz").read_bytes())
                )
            )
            passages += len(info["with"])
            kept += sum(norm(p) in text for p in info["with"])
            boilerplate += len(info["without"])
            leaked += sum(norm(p) in text for p in info["without"])
        figures[name] = {
            "with_kept": f"{kept}/{passages}",
            "without_leaked": f"{leaked}/{boilerplate}",
            "seconds": round(time.perf_counter() - started, 2),
        }
    return figures


def main() -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ports = ctx.Manager().list()
    ready = ctx.Event()
    server = ctx.Process(target=_server_process, args=(HOSTS, LATENCY, ports, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the simulated web did not start")
        port_list = list(ports)
        results: dict[str, Any] = {
            "setup": {
                "hosts": HOSTS,
                "latency_seconds": LATENCY,
                "concurrency": CONCURRENCY,
                "per_host": 4,
                "min_interval": 0.0,
            }
        }
        # A short warm-up so imports and first connections do not count.
        _measure(ctx, "engine", 200, port_list)
        for label, mode, count in (
            ("engine_2000", "engine", 2000),
            ("check_2000", "check", 2000),
            ("check_20000", "check", 20000),
        ):
            figures = _measure(ctx, mode, count, port_list)
            results[label] = figures
            print(f"{label}: {json.dumps(figures)}", flush=True)
        results["rss_growth_2000_to_20000"] = round(
            results["check_20000"]["peak_rss_mb"] / results["check_2000"]["peak_rss_mb"], 2
        )
        results["extraction"] = _extraction()
        print(f"extraction: {json.dumps(results['extraction'])}", flush=True)
        return results
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    json.dump(main(), sys.stdout, indent=2)
