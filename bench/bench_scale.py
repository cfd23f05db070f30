"""Scale benchmark: ``python -m bench scale`` (needs PostgreSQL).

A newsroom archive of N citations: copies of the plain-text endnote sample
(seed 000: 68 kB, 89 notes), each copy's URLs made its own (``https://`` ->
``https://c<copy>.``, so N citations give about N distinct URLs, as in a
real archive) and a copy number put first (every sha256 differs). For each
N, in a fresh PostgreSQL schema:

* ingest: the documents are written to a temporary folder 500 at a time and
  ingested (``verifier.ingest.ingest_paths``, batched inserts), in a process
  of its own: wall time, documents/s, citations/s, peak RSS;
* match: the match stage of a run over every citation (``verify_run``, which
  reads citations a page at a time; nothing was fetched, so every verdict
  is ``unchecked``: this measures the paging, not the matcher), in a
  process of its own: wall time, peak RSS;
* report: the CSV report of every citation (``verifier.report``), in a
  process of its own: wall time, rows/s, peak RSS, size.

Memory is flat in N when the peak RSS of each step barely moves from the
smallest N to the largest. N defaults to 10,000, 100,000 and 300,000
(``BENCH_SCALE_CITATIONS=10000,100000,1000000`` for the 1M target; on a
shared 2-core machine 1M takes most of an hour).

Arguments (environment): ``BENCH_SCALE_SEEDS`` the folder holding
``000_*.txt`` (default ``examples/seeds``), ``BENCH_PG_URL`` the
server (default ``postgresql://postgres@127.0.0.1:5432/test``).
Or run ``python -m bench.bench_scale --seeds PATH --citations 10000,100000``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("BENCH_SCALE_SEEDS", REPO / "examples" / "seeds"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
CITATIONS = [
    int(n) for n in os.environ.get("BENCH_SCALE_CITATIONS", "10000,100000,300000").split(",")
]
CHUNK = 500


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _seed(folder: Path) -> Path:
    found = sorted(folder.glob("000_*.txt"))
    if not found:
        raise SystemExit(f"bench scale: no 000_*.txt in {folder} (set BENCH_SCALE_SEEDS)")
    return found[0]


def _copy(data: bytes, n: int) -> bytes:
    own = data.replace(b"https://", f"https://c{n}.".encode())
    own = own.replace(b"http://", f"http://c{n}.".encode())
    return f"Copy {n}\n\n".encode() + own


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


def _notes_per_document(seed: Path) -> int:
    from verifier.parse import parse_path

    parsed, _ = parse_path(seed, None, seed.name)
    return len(parsed.citations)


def _ingest(url: str, seed: Path, documents: int, out: Any) -> None:
    from verifier.ingest import ingest_paths
    from verifier.store.database import Database

    data = seed.read_bytes()
    db = Database(url)
    citations = 0
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        for start in range(0, documents, CHUNK):
            paths = []
            for n in range(start, min(documents, start + CHUNK)):
                path = Path(folder) / f"article-{n:06d}.txt"
                path.write_bytes(_copy(data, n))
                paths.append(str(path))
            result = ingest_paths(db, paths)
            citations += sum(d.citations for d in result.stored)
            for path in paths:
                os.unlink(path)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    db.dispose()
    out.put(
        {
            "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "documents_per_second": round(documents / seconds, 1),
            "citations": citations,
            "citations_per_second": round(citations / seconds),
            "peak_rss_mb": round(_peak_mb(), 1),
        }
    )


def _match(url: str, out: Any) -> None:
    from verifier.archive import best_snapshot
    from verifier.match import verify_run
    from verifier.store.database import Database
    from verifier.store.models import Run, utcnow

    db = Database(url)
    with db.session() as session:
        run = Run(started_at=utcnow(), options="{}")
        session.add(run)
        session.flush()
        run_id = run.id
    started, cpu = time.perf_counter(), time.process_time()
    summary = verify_run(db, run_id, archived_copy=best_snapshot)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    db.dispose()
    out.put(
        {
            "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "matches": summary.matches,
            "peak_rss_mb": round(_peak_mb(), 1),
        }
    )


def _report(url: str, out: Any) -> None:
    from verifier.report.writer import produce_report
    from verifier.store.database import Database

    db = Database(url)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "report.csv"
        started, cpu = time.perf_counter(), time.process_time()
        rows = produce_report(db, str(target))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        size = target.stat().st_size
    db.dispose()
    out.put(
        {
            "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "rows": rows,
            "rows_per_second": round(rows / seconds),
            "megabytes": round(size / 2**20, 1),
            "peak_rss_mb": round(_peak_mb(), 1),
        }
    )


def _in_process(target: Any, *args: Any) -> dict[str, Any]:
    queue: Any = mp.Queue()
    process = mp.Process(target=target, args=(*args, queue))
    process.start()
    figures: dict[str, Any] = queue.get()
    process.join()
    return figures


def run(seeds: Path, sizes: list[int]) -> dict[str, Any]:
    seed = _seed(seeds)
    per_document = _notes_per_document(seed)
    figures: dict[str, Any] = {"seed": seed.name, "notes_per_document": per_document, "scales": []}
    for citations in sizes:
        documents = math.ceil(citations / per_document)
        # The machine may be shared: the load beside each size's figures.
        load = "load average " + " ".join(f"{n:.2f}" for n in os.getloadavg())
        print(f"{citations:>9} citations: start, {load}", flush=True)
        with _schema() as url:
            ingest = _in_process(_ingest, url, seed, documents)
            print(f"{citations:>9} citations: ingest {ingest}", flush=True)
            match = _in_process(_match, url)
            print(f"{citations:>9} citations: match {match}", flush=True)
            report = _in_process(_report, url)
            print(f"{citations:>9} citations: report {report}", flush=True)
        figures["scales"].append(
            {
                "target_citations": citations,
                "documents": documents,
                "ingest": ingest,
                "match": match,
                "report": report,
            }
        )
    print(
        "\n| citations | documents | ingest s | citations/s | ingest peak MB "
        "| match s | match peak MB | report s | rows/s | report peak MB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scale in figures["scales"]:
        i, m, r = scale["ingest"], scale["match"], scale["report"]
        print(
            f"| {i['citations']:,} | {scale['documents']:,} | {i['seconds']} "
            f"| {i['citations_per_second']:,} | {i['peak_rss_mb']} | {m['seconds']} "
            f"| {m['peak_rss_mb']} | {r['seconds']} "
            f"| {r['rows_per_second']:,} | {r['peak_rss_mb']} |"
        )
    return figures


def main() -> dict[str, Any]:
    if not sorted(SEEDS.glob("000_*.txt")):
        print(f"skipped: no 000_*.txt in {SEEDS} (set BENCH_SCALE_SEEDS)")
        return {"skipped": f"no seed 000 in {SEEDS}"}
    reason = pg_unreachable()
    if reason:
        print(f"skipped: {reason}")
        return {"skipped": reason}
    return run(SEEDS, CITATIONS)


def pg_unreachable() -> str | None:
    """Why ``BENCH_PG_URL`` cannot be used, or None."""
    import psycopg

    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_URL} unreachable ({exc})"
    return None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--citations", default=",".join(map(str, CITATIONS)))
    args = parser.parse_args()
    run(args.seeds, [int(n) for n in args.citations.split(",")])
    sys.exit(0)
