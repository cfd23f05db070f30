"""Scale-out benchmark: ``python -m bench workers`` (needs PostgreSQL).

A simulated web of 50 hosts (127.0.0.1 ... 127.0.0.50) in a process of its
own answers every request after 200 ms and counts the requests per path.
1,200 cited URLs (24 per host) are put on the work queue with
``verifier check --enqueue`` (the library call), then checked by ``verifier
worker --concurrency 8 --per-host 4 --until-empty`` processes:

* 1 worker, 2 workers, 3 workers: time from starting the workers to the run
  being closed by its later stages (the match stage is a job too), and the
  speed-up over 1 worker (target: 3 workers >= 2x); also the same from the
  first check on (``work_seconds``), without the workers' start-up;
* 3 workers, one killed with ``kill -9`` 5 s after the first check was
  written (starting a worker takes a few seconds) and replaced by a new
  one (``--stall-timeout 5``): the time, the speed-up, and the recovery
  figures: URLs fetched twice (the killed worker's in-flight ones, at most
  its concurrency) and URLs with exactly one check that is ``ok`` (100%).

Each scenario runs in a fresh schema of ``BENCH_PG_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), dropped afterwards.
``BENCH_WORKERS_URLS`` changes the number of URLs. min_interval is 0 and the
soft-404 probe off: this measures the spread over workers, not politeness.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
URLS = int(os.environ.get("BENCH_WORKERS_URLS", "1200"))
HOSTS = 50
LATENCY = 0.2
CONCURRENCY = 8
STALL = 5.0
KILL_AFTER = 5.0

_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Article {n}</title></head>"
    "<body><article><h1>Article {n}</h1>"
    + "<p>The committee published its annual report on Tuesday.</p>" * 10
    + "</article></body></html>"
)


async def _serve(ports: Any, ready: Any, hits: Any) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                with hits.get_lock():
                    hits.value += 1
                await asyncio.sleep(LATENCY)
                body = _PAGE.format(n=path).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    for index in range(HOSTS):
        server = await asyncio.start_server(handle, f"127.0.0.{index + 1}", 0, backlog=512)
        ports.append(server.sockets[0].getsockname()[1])
    ready.set()
    await asyncio.Event().wait()


def _server_process(ports: Any, ready: Any, hits: Any) -> None:
    asyncio.run(_serve(ports, ready, hits))


@contextmanager
def _schema() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    from verifier.store.database import database_url

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def _fill(url: str, ports: list[int]) -> int:
    """Cite the URLs and put them on the queue; returns the run id."""
    from bench.bench_fetch import _fill_database
    from verifier.queue import enqueue_run
    from verifier.settings import Settings
    from verifier.store.database import Database

    urls = [
        f"http://127.0.0.{n % HOSTS + 1}:{ports[n % HOSTS]}/news/{n // HOSTS}/article-{n}"
        for n in range(URLS)
    ]
    _fill_database(url, urls)
    db = Database(url)
    queued = enqueue_run(db, Settings(archive=False))
    db.dispose()
    assert queued.urls == URLS, queued
    return queued.run_id


def _worker(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VERIFIER_MIN_INTERVAL": "0", "VERIFIER_PROBE_SOFT_404": "false"}
    command = [sys.executable, "-m", "verifier", "worker", "--db", url, "--until-empty"]
    command += ["--allow-private-hosts", "--retries", "0", "--per-host", "4"]
    command += ["--concurrency", str(CONCURRENCY), "--stall-timeout", str(STALL)]
    return subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _finished(url: str, run_id: int) -> tuple[bool, dict[str, int], int]:
    from sqlalchemy import create_engine, text

    from verifier.store.database import database_url

    engine = create_engine(database_url(url))
    with engine.connect() as conn:
        finished = conn.execute(
            text("SELECT finished_at IS NOT NULL FROM runs WHERE id = :r"), {"r": run_id}
        ).scalar()
        statuses = dict(
            conn.execute(
                text("SELECT status, count(*) FROM checks WHERE run_id = :r GROUP BY status"),
                {"r": run_id},
            ).all()
        )
        once = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT url_id FROM checks WHERE run_id = :r"
                " GROUP BY url_id HAVING count(*) = 1 AND min(status) = 'ok') AS x"
            ),
            {"r": run_id},
        ).scalar()
    engine.dispose()
    return bool(finished), {k: int(v) for k, v in statuses.items()}, int(once or 0)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _scenario(workers: int, ports: list[int], hits: Any, kill: bool = False) -> dict[str, Any]:
    with _schema() as url:
        run_id = _fill(url, ports)
        with hits.get_lock():
            hits.value = 0
        load = os.getloadavg()[0]
        cpu_before = _children_cpu()
        started = time.perf_counter()
        processes = [_worker(url) for _ in range(workers)]
        killed_at: float | None = None
        first_check: float | None = None
        try:
            while True:
                elapsed = time.perf_counter() - started
                finished, statuses, once = _finished(url, run_id)
                if first_check is None and statuses:
                    first_check = elapsed
                # Killed 5 s into the work (after the first check: starting
                # a worker takes seconds on a loaded machine), so mid-job.
                if (
                    kill
                    and killed_at is None
                    and first_check is not None
                    and (elapsed >= first_check + KILL_AFTER)
                ):
                    os.kill(processes[0].pid, signal.SIGKILL)
                    processes[0].wait()
                    processes.append(_worker(url))
                    killed_at = elapsed
                if finished:
                    break
                if elapsed > 600:
                    raise RuntimeError(f"{workers} workers: run not finished after 600 s")
                time.sleep(0.1)
            seconds = time.perf_counter() - started
            for process in processes:
                process.wait(timeout=60)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        figures: dict[str, Any] = {
            "workers": workers,
            "seconds": round(seconds, 2),
            "urls_per_second": round(URLS / seconds, 1),
            "first_check_after_seconds": round(first_check or 0, 2),
            # From the first check on: without the workers' start-up (imports,
            # connecting), which a loaded machine makes several seconds.
            "work_seconds": round(seconds - (first_check or 0), 2),
            "statuses": statuses,
            "checked_once_ok_percent": round(100 * once / URLS, 2),
            "requests": hits.value,
            "fetched_twice": hits.value - URLS,
            # CPU of the worker processes, and the machine's load when the
            # scenario began: on a shared machine these explain the times.
            "worker_cpu_seconds": round(_children_cpu() - cpu_before, 1),
            "load_average": round(load, 1),
        }
        if kill:
            figures["killed_after_seconds"] = round(killed_at or 0, 2)
            figures["stall_timeout"] = STALL
        return figures


def main() -> dict[str, Any]:
    from bench.bench_scale import pg_unreachable

    reason = pg_unreachable()
    if reason:
        print(f"skipped: {reason}")
        return {"skipped": reason}
    ports: Any = mp.Manager().list()
    ready = mp.Event()
    hits = mp.Value("l", 0)
    server = mp.Process(target=_server_process, args=(ports, ready, hits), daemon=True)
    server.start()
    ready.wait(30)
    ports = list(ports)
    figures: dict[str, Any] = {
        "urls": URLS,
        "hosts": HOSTS,
        "latency_seconds": LATENCY,
        "concurrency_per_worker": CONCURRENCY,
        "physical_bound_1_worker_seconds": round(URLS * LATENCY / CONCURRENCY, 1),
    }
    try:
        rows = []
        for workers, kill in ((1, False), (2, False), (3, False), (3, True)):
            row = _scenario(workers, ports, hits, kill=kill)
            rows.append(row)
            print(row, flush=True)
        base, base_work = rows[0]["seconds"], rows[0]["work_seconds"]
        for row in rows:
            row["speedup"] = round(base / row["seconds"], 2)
            row["work_speedup"] = round(base_work / row["work_seconds"], 2)
        figures["scenarios"] = rows
    finally:
        server.kill()
    print(
        "\n| workers | killed -9 | seconds | speed-up | first check at s | work s "
        "| work speed-up | fetched twice | checked once, ok | worker CPU s | load |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in figures["scenarios"]:
        print(
            f"| {row['workers']} | {'yes' if 'killed_after_seconds' in row else 'no'} "
            f"| {row['seconds']} | {row['speedup']}x | {row['first_check_after_seconds']} "
            f"| {row['work_seconds']} | {row['work_speedup']}x "
            f"| {row['fetched_twice']} | {row['checked_once_ok_percent']}% "
            f"| {row['worker_cpu_seconds']} | {row['load_average']} |"
        )
    return figures
