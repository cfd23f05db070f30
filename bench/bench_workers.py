"""Scale-out benchmark: ``python -m bench workers`` (needs PostgreSQL).

A simulated web of 50 hosts (127.0.0.1 ... 127.0.0.50) in a process of its
own answers every request after 200 ms and logs it (time, path). 3,000
cited URLs (60 per host) are put on the work queue with ``verifier check
--enqueue`` (the library call), then checked by ``verifier worker
--concurrency 8 --per-host 4 --until-empty`` processes:

* 1, 2 and 3 workers: time from starting the workers to the run being
  closed by its later stages (the match stage is a job too), and the
  speed-up over 1 worker (target: 3 workers >= 2x); also the same from the
  first check on (``work_seconds``), without the workers' start-up;
* 3 workers, one killed with ``kill -9`` 5 s after they were started (on a
  machine so loaded that they have not all taken a job by then, as soon as
  they have: the kill is mid-job) and replaced by a new one
  (``--stall-timeout 5``): the time, the speed-up, and the recovery
  figures: jobs of the killed worker put back, URLs fetched twice (what it
  had in flight or not yet written, at most twice its concurrency) and URLs
  with exactly one check that is ``ok`` (100%).

Where the time goes, from the web's log and the queue sampled every 0.1 s:
``first_request_seconds`` (the workers' start-up: imports, connecting),
``mean_in_flight`` of the peak (``workers x concurrency``) while fetching,
``tail_seconds`` (from when the requests in flight last fell under half the
peak to the last response: the last jobs running alone) and
``finish_stage_seconds`` (last response to the run closed: the match job).

Each scenario runs in a fresh schema of ``BENCH_PG_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), dropped afterwards.
``BENCH_WORKERS_URLS`` changes the number of URLs, ``BENCH_WORKERS_ONLY``
the scenarios (e.g. ``1,3,3k``). min_interval is 0 and the soft-404 probe
off: this measures the spread over workers, not politeness.
"""

from __future__ import annotations

import asyncio
import http.client
import json
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
URLS = int(os.environ.get("BENCH_WORKERS_URLS", "3000"))
# (workers, one killed) per scenario; BENCH_WORKERS_ONLY="3,3k" picks some.
_ALL = {"1": (1, False), "2": (2, False), "3": (3, False), "3k": (3, True)}
SCENARIOS = [
    _ALL[key] for key in os.environ.get("BENCH_WORKERS_ONLY", "1,2,3,3k").split(",") if key
]
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


async def _serve(ports: Any, ready: Any) -> None:
    # (wall time, path) of every request since the last ``GET /__hits__``.
    log: list[tuple[float, str]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal log
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                if path == "/__hits__":
                    # The bench's own request: the log, emptied.
                    body = json.dumps(log).encode()
                    log = []
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                    )
                    await writer.drain()
                    continue
                log.append((time.time(), path))
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


def _server_process(ports: Any, ready: Any) -> None:
    asyncio.run(_serve(ports, ready))


def _hits(port: int) -> list[tuple[float, str]]:
    """The requests the simulated web answered since the last call."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/__hits__")
        return [(float(t), str(p)) for t, p in json.loads(connection.getresponse().read())]
    finally:
        connection.close()


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


_SAMPLE = """
SELECT (SELECT finished_at IS NOT NULL FROM runs WHERE id = %(run)s) AS finished,
       (SELECT count(*) FROM checks WHERE run_id = %(run)s) AS checks,
       (SELECT coalesce(json_object_agg(w, n), '{}') FROM (
            SELECT worker_id AS w, count(*) AS n FROM procrastinate_jobs
             WHERE status = 'doing' GROUP BY worker_id) AS x) AS doing
"""


def _outcome(url: str, run_id: int) -> tuple[dict[str, int], int, dict[str, int]]:
    """The run's checks by status, URLs with one check that is ``ok``, and
    the queue's events by type (``deferred_for_retry``: a stalled job)."""
    import psycopg

    with psycopg.connect(_libpq(url)) as conn:
        statuses: dict[str, int] = dict(
            conn.execute(
                "SELECT status, count(*) FROM checks WHERE run_id = %s GROUP BY status", (run_id,)
            ).fetchall()
        )
        once = conn.execute(
            "SELECT count(*) FROM (SELECT url_id FROM checks WHERE run_id = %s"
            " GROUP BY url_id HAVING count(*) = 1 AND min(status) = 'ok') AS x",
            (run_id,),
        ).fetchone()
        events: dict[str, int] = dict(
            conn.execute(
                "SELECT type::text, count(*) FROM procrastinate_events GROUP BY type"
            ).fetchall()
        )
    return (
        {k: int(v) for k, v in statuses.items()},
        int(once[0] if once else 0),
        {k: int(v) for k, v in events.items()},
    )


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timeline(
    hits: list[tuple[float, str]], samples: list[tuple[float, dict[str, int]]], started: float
) -> dict[str, Any]:
    """Where the time went, from the web's request log and the queue samples."""
    times = sorted(t for t, _ in hits)
    first, last = times[0], times[-1] + LATENCY
    # Requests in flight every 50 ms (the web answers each after LATENCY).
    step = 0.05
    flight: list[tuple[float, int]] = []
    at, index, ends = first, 0, []
    while at < last:
        while index < len(times) and times[index] <= at:
            ends.append(times[index] + LATENCY)
            index += 1
        ends = [e for e in ends if e > at]
        flight.append((at, len(ends)))
        at += step
    peak = max(n for _, n in flight)
    # The tail: from the moment fewer than half the peak requests were last
    # in flight for good to the last response.
    tail_from = last
    for when, n in reversed(flight):
        if n >= peak / 2:
            tail_from = when
            break
    # Each worker's first job, from the samples (worker ids in order of appearance).
    first_job: dict[str, float] = {}
    for when, doing in samples:
        for worker in doing:
            first_job.setdefault(worker, round(when - started, 2))
    return {
        "first_request_seconds": round(first - started, 2),
        "last_response_seconds": round(last - started, 2),
        "peak_in_flight": peak,
        "mean_in_flight": round(len(times) * LATENCY / (last - first), 1),
        "tail_seconds": round(last - tail_from, 2),
        "workers_first_job_seconds": sorted(first_job.values()),
    }


def _scenario(workers: int, ports: list[int], kill: bool = False) -> dict[str, Any]:
    import psycopg

    with _schema() as url:
        run_id = _fill(url, ports)
        _hits(ports[0])
        load = os.getloadavg()[0]
        cpu_before = _children_cpu()
        started_wall = time.time()
        started = time.perf_counter()
        processes = [_worker(url) for _ in range(workers)]
        killed_at: float | None = None
        first_check: float | None = None
        samples: list[tuple[float, dict[str, int]]] = []
        try:
            with psycopg.connect(_libpq(url), autocommit=True) as conn:
                while True:
                    elapsed = time.perf_counter() - started
                    row = conn.execute(_SAMPLE, {"run": run_id}).fetchone()
                    assert row is not None
                    finished, checks, doing = row
                    samples.append((started_wall + elapsed, dict(doing)))
                    if first_check is None and checks:
                        first_check = elapsed
                    # The scenario: one worker killed 5 s after the
                    # workers were started, and a new one started at once.
                    # Mid-job: on a machine so loaded that the workers have
                    # not all taken a job by then, as soon as they have.
                    if (
                        kill
                        and killed_at is None
                        and elapsed >= KILL_AFTER
                        and len(dict(doing)) >= workers
                    ):
                        os.kill(processes[0].pid, signal.SIGKILL)
                        processes[0].wait()
                        processes.append(_worker(url))
                        killed_at = elapsed
                    if finished:
                        break
                    if elapsed > 900:
                        raise RuntimeError(f"{workers} workers: run not finished after 900 s")
                    time.sleep(0.1)
            seconds = time.perf_counter() - started
            for process in processes:
                process.wait(timeout=60)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        hits = _hits(ports[0])
        statuses, once, events = _outcome(url, run_id)
        paths = [p for _, p in hits]
        timeline = _timeline(hits, samples, started_wall)
        figures: dict[str, Any] = {
            "workers": workers,
            "seconds": round(seconds, 2),
            "urls_per_second": round(URLS / seconds, 1),
            "first_check_after_seconds": round(first_check or 0, 2),
            # From the first check on: without the workers' start-up (imports,
            # connecting), which a loaded machine makes several seconds.
            "work_seconds": round(seconds - (first_check or 0), 2),
            # From the last response to the run closed: the match stage (a job)
            # and closing the run.
            "finish_stage_seconds": round(seconds - timeline["last_response_seconds"], 2),
            **timeline,
            "statuses": statuses,
            "checked_once_ok_percent": round(100 * once / URLS, 2),
            "requests": len(hits),
            "fetched_twice": len(paths) - len(set(paths)),
            "jobs_started": events.get("started", 0),
            "jobs_of_stalled_worker_retried": events.get("deferred_for_retry", 0),
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
    server = mp.Process(target=_server_process, args=(ports, ready), daemon=True)
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
        for workers, kill in SCENARIOS:
            row = _scenario(workers, ports, kill=kill)
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
        "\n| workers | killed -9 | seconds | speed-up | first request at s | in flight "
        "| tail s | finish stage s | work speed-up | jobs put back | fetched twice "
        "| checked once, ok | worker CPU s | load |"
    )
    print("| --- " * 14 + "|")
    for row in figures["scenarios"]:
        killed = f"at {row['killed_after_seconds']} s" if "killed_after_seconds" in row else "no"
        print(
            f"| {row['workers']} | {killed} "
            f"| {row['seconds']} | {row['speedup']}x | {row['first_request_seconds']} "
            f"| {row['mean_in_flight']}/{row['workers'] * CONCURRENCY} "
            f"| {row['tail_seconds']} | {row['finish_stage_seconds']} | {row['work_speedup']}x "
            f"| {row['jobs_of_stalled_worker_retried']} | {row['fetched_twice']} "
            f"| {row['checked_once_ok_percent']}% "
            f"| {row['worker_cpu_seconds']} | {row['load_average']} |"
        )
    return figures
