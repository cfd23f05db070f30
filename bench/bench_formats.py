"""Parse throughput per format, and peak memory, on the corpus documents.

    python -m bench formats        (``make bench`` runs every benchmark)

Per format: documents/s and citations/s over the corpus folder
(documents/markdown, documents/html, documents/wikitext) or, for Word and
PDF, which the corpus lacks, the generated fixtures in tests/data/formats;
each document is parsed repeatedly until a format has run for about a
second. Baseline, measured in the same run: the plain-text parser on seed
000 (the reference document of the foundation issue), so a format's speed
reads as a ratio.

Targets: the 1,430-URL Markdown essay and the 687-ref United Kingdom
article each parse in under a second (best of five). Memory: the peak
Python allocation (tracemalloc) while parsing each document, in bytes per
input byte; "flat in document size" means the largest document's figure is
no worse than the smallest's. The PDF engine comparison (pypdfium2 against
pypdf text extraction on the same files) backs the choice documented in
verifier/parse/pdf.py.
"""

from __future__ import annotations

import resource
import time
import tracemalloc
from pathlib import Path

from verifier.parse import parse_source
from verifier.parse.reading import Source

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "corpus"
SEEDS = REPO / "examples" / "seeds"
FIXTURES = REPO / "tests" / "data" / "formats"
RUN_SECONDS = 1.0


def _documents() -> dict[str, list[Path]]:
    docs = CORPUS / "documents"
    return {
        "markdown": sorted((docs / "markdown").glob("*.md")),
        "html": sorted((docs / "html").glob("*.html")),
        "wikitext": sorted((docs / "wikitext").glob("*.wiki")),
        "docx": [FIXTURES / "notes.docx", FIXTURES / "notes-libreoffice.docx"],
        "pdf": [FIXTURES / "article.pdf", FIXTURES / "notes-libreoffice.pdf"],
    }


def _sources(paths: list[Path]) -> list[Source]:
    return [Source(path=str(p), data=p.read_bytes()) for p in paths]


def _throughput(sources: list[Source], fmt: str) -> dict[str, float]:
    documents = citations = 0
    started = time.perf_counter()
    while True:
        for source in sources:
            # A fresh Source each time: decoding is part of the work.
            parsed = parse_source(Source(source.path, source.data), fmt)
            documents += 1
            citations += len(parsed.citations)
        elapsed = time.perf_counter() - started
        if elapsed >= RUN_SECONDS:
            break
    return {
        "documents": len(sources),
        "parsed": documents,
        "seconds": round(elapsed, 3),
        "documents_per_s": round(documents / elapsed, 1),
        "citations_per_s": round(citations / elapsed, 1),
        "citations_per_document": round(citations / documents, 1),
    }


def _memory(sources: list[Source], fmt: str) -> dict[str, object]:
    per_doc: list[tuple[int, int]] = []
    for source in sources:
        tracemalloc.start()
        parse_source(Source(source.path, source.data), fmt)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        per_doc.append((len(source.data), peak))
    per_doc.sort()
    smallest, largest = per_doc[0], per_doc[-1]
    return {
        "peak_mb_largest_document": round(largest[1] / 1e6, 2),
        "largest_document_kb": round(largest[0] / 1e3, 1),
        "peak_bytes_per_input_byte_smallest": round(smallest[1] / smallest[0], 1),
        "peak_bytes_per_input_byte_largest": round(largest[1] / largest[0], 1),
    }


def _best_of(path: Path, fmt: str, runs: int = 5) -> dict[str, object]:
    data = path.read_bytes()
    times = []
    citations = urls = 0
    for _ in range(runs):
        started = time.perf_counter()
        parsed = parse_source(Source(str(path), data), fmt)
        times.append(time.perf_counter() - started)
        citations = len(parsed.citations)
        urls = sum(len(c.urls) for c in parsed.citations)
    best = min(times)
    return {
        "document": path.name,
        "citations": citations,
        "urls": urls,
        "best_seconds": round(best, 3),
        "under_one_second": best < 1.0,
    }


def _pdf_engines() -> dict[str, object]:
    import pypdf
    import pypdfium2 as pdfium

    files = _documents()["pdf"]
    started = time.perf_counter()
    rounds = 0
    while time.perf_counter() - started < 0.5:
        for path in files:
            document = pdfium.PdfDocument(path.read_bytes())
            for page in document:
                page.get_textpage().get_text_range()
            document.close()
        rounds += 1
    pdfium_s = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    rounds = 0
    while time.perf_counter() - started < 0.5:
        for path in files:
            for page in pypdf.PdfReader(str(path)).pages:
                page.extract_text()
        rounds += 1
    pypdf_s = (time.perf_counter() - started) / rounds
    return {
        "files": [p.name for p in files],
        "pypdfium2_ms": round(pdfium_s * 1000, 2),
        "pypdf_ms": round(pypdf_s * 1000, 2),
        "pypdf_over_pypdfium2": round(pypdf_s / pdfium_s, 1),
    }


def main() -> dict[str, object]:
    seed = next(SEEDS.glob("000_*.txt"))
    baseline = _throughput(_sources([seed]), "text")
    figures: dict[str, object] = {"baseline_plaintext_seed000": baseline}
    print(f"baseline plain text (seed 000): {baseline['documents_per_s']} documents/s", flush=True)
    formats: dict[str, object] = {}
    for fmt, paths in _documents().items():
        sources = _sources(paths)
        result: dict[str, object] = dict(_throughput(sources, fmt))
        result.update(_memory(sources, fmt))
        result["documents_per_s_vs_baseline"] = round(
            float(result["documents_per_s"]) / baseline["documents_per_s"],
            3,  # type: ignore[arg-type]
        )
        formats[fmt] = result
        print(
            f"{fmt:>9}: {result['documents_per_s']} documents/s, "
            f"{result['citations_per_s']} citations/s, "
            f"peak {result['peak_mb_largest_document']} MB on "
            f"{result['largest_document_kb']} kB",
            flush=True,
        )
    figures["formats"] = formats
    targets = {
        "markdown_1430_urls": _best_of(
            CORPUS / "documents" / "markdown" / "gwern-In-Defense-Of-Inclusionism.md", "markdown"
        ),
        "wikitext_687_refs": _best_of(
            CORPUS / "documents" / "wikitext" / "United-Kingdom.wiki", "wikitext"
        ),
    }
    for name, result in targets.items():
        print(f"target {name}: {result}", flush=True)
    figures["targets"] = targets
    figures["pdf_engines"] = _pdf_engines()
    print(f"pdf engines: {figures['pdf_engines']}", flush=True)
    figures["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
