"""Ingest throughput and memory over 1,000 documents.

Two document sets are written to a temporary folder, each file made unique
(a copy number added) so that every sha256 differs and nothing is skipped
as unchanged:

* ``seed000``: 1,000 copies of seed 000 (68 kB, 89 notes), the size the
  target is set for (>= 200 documents/s on one core);
* ``mixed``: 1,000 documents cycling through the five seeds and the corpus
  documents (Markdown, HTML, wikitext).

For each set: parse-only throughput (read, decode, parse; the baseline) and
ingest throughput (parse and store into a fresh SQLite database, one
transaction per document), in documents/s and notes/s, with the process's
resident memory after 250, 500 and 1,000 documents to show it stays flat.
Each figure also gives the CPU time per document (``time.process_time``):
on a shared machine wall time swings with the other processes' load, CPU
time much less.

Run: ``python -m bench ingest`` (``BENCH_INGEST_DOCS=200`` for a quick run).
"""

from __future__ import annotations

import gc
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from verifier.errors import DocumentError
from verifier.ingest import ingest_paths
from verifier.parse import SUFFIXES, parse_path
from verifier.store.database import Database
from verifier.store.documents import StoredDocument

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "corpus"
SEEDS = REPO / "examples" / "seeds"
DOCUMENTS = int(os.environ.get("BENCH_INGEST_DOCS", "1000"))
CHECKPOINTS = (250, 500, 1000)


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc; else the peak)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _unique(data: bytes, suffix: str, n: int) -> bytes:
    """The document with a copy number added where its format ignores it."""
    if suffix in (".html", ".htm", ".md", ".wiki"):
        return data + f"\n<!-- copy {n} -->\n".encode()
    return f"Copy {n}\n\n".encode() + data


def sources(kind: str) -> list[Path]:
    seeds = sorted(SEEDS.glob("*.txt"))
    if kind == "seed000":
        return seeds[:1]
    docs = [
        p
        for folder in ("markdown", "html", "wikitext")
        for p in sorted((CORPUS / "documents" / folder).iterdir())
        if p.suffix in SUFFIXES
    ]
    return seeds + docs


def write_set(kind: str, folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    originals = [(p, p.read_bytes()) for p in sources(kind)]
    paths = []
    for n in range(count):
        path, data = originals[n % len(originals)]
        target = folder / f"{n:05d}_{path.stem[:40]}{path.suffix}"
        target.write_bytes(_unique(data, path.suffix, n))
        paths.append(target)
    return paths


def parse_only(paths: list[Path]) -> dict[str, Any]:
    notes = failed = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for path in paths:
        try:
            parsed, _ = parse_path(path)
        except DocumentError:
            failed += 1
            continue
        notes += len(parsed.citations)
    cpu = time.process_time() - cpu_started
    seconds = time.perf_counter() - started
    return {
        "documents": len(paths),
        "failed": failed,
        "citations": notes,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "documents_per_s": round(len(paths) / seconds, 1),
        "citations_per_s": round(notes / seconds, 1),
        "cpu_ms_per_document": round(cpu / len(paths) * 1000, 2),
        "documents_per_cpu_s": round(len(paths) / cpu, 1),
    }


def ingest(paths: list[Path], folder: Path, db_path: Path) -> dict[str, Any]:
    db = Database(str(db_path))
    gc.collect()
    memory: dict[str, float] = {"start_mb": round(rss_mb(), 1)}
    done = 0
    notes = 0
    failed = 0

    def on_document(outcome: StoredDocument | DocumentError) -> None:
        nonlocal done, notes, failed
        done += 1
        if isinstance(outcome, DocumentError):
            failed += 1
        else:
            notes += outcome.citations
        if done in CHECKPOINTS:
            memory[f"after_{done}_mb"] = round(rss_mb(), 1)

    started = time.perf_counter()
    cpu_started = time.process_time()
    ingest_paths(db, [str(folder)], on_document=on_document)
    cpu = time.process_time() - cpu_started
    seconds = time.perf_counter() - started
    db.dispose()
    return {
        "documents": done,
        "failed": failed,
        "citations": notes,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "documents_per_s": round(done / seconds, 1),
        "citations_per_s": round(notes / seconds, 1),
        "cpu_ms_per_document": round(cpu / max(done, 1) * 1000, 2),
        "documents_per_cpu_s": round(done / cpu, 1),
        "memory": memory,
        "database_mb": round(db_path.stat().st_size / 2**20, 1),
    }


def main() -> dict[str, Any]:
    figures: dict[str, Any] = {"documents_per_set": DOCUMENTS}
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        root = Path(tmp)
        for kind in ("seed000", "mixed"):
            folder = root / kind
            paths = write_set(kind, folder, DOCUMENTS)
            size = sum(p.stat().st_size for p in paths)
            print(f"{kind}: {len(paths)} documents, {size / 2**20:.1f} MB", flush=True)
            baseline = parse_only(paths)
            print(f"  parse only: {baseline}", flush=True)
            stored = ingest(paths, folder, root / f"{kind}.db")
            print(f"  ingest:     {stored}", flush=True)
            figures[kind] = {
                "megabytes": round(size / 2**20, 1),
                "parse_only": baseline,
                "ingest": stored,
                # How much of ingest time storing takes, against the parse-only baseline.
                "ingest_vs_parse_time": round(stored["seconds"] / baseline["seconds"], 2),
                "ingest_vs_parse_cpu": round(stored["cpu_seconds"] / baseline["cpu_seconds"], 2),
                # CPU per document spent storing (ingest minus parse-only).
                "store_cpu_ms_per_document": round(
                    stored["cpu_ms_per_document"] - baseline["cpu_ms_per_document"], 2
                ),
            }
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    target = figures["seed000"]["ingest"]["documents_per_s"]
    per_cpu_s = figures["seed000"]["ingest"]["documents_per_cpu_s"]
    figures["seed000_target_200_docs_per_s_met"] = target >= 200
    # The same target on CPU time: what one idle core would do.
    figures["seed000_target_200_docs_per_cpu_s_met"] = per_cpu_s >= 200
    print(
        f"peak RSS {figures['peak_rss_mb']} MB; seed000 ingest {target} documents/s "
        f"({per_cpu_s} per CPU second)"
    )
    return figures


if __name__ == "__main__":
    main()
