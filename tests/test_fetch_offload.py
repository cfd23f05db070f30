"""Large pages are extracted in a worker process (``fetch/offload.py``):
the same text as in place, and threads again when the worker dies."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal

from verifier.fetch.content import extract_page
from verifier.fetch.offload import LARGE_PAGE, PageExtractor

PARAGRAPH = "<p>The harbour authority dredged the channel again in <b>2021</b>.</p>\n"
LARGE = (
    "<html><head><title>Dredging report</title></head><body><h1>Dredging</h1>"
    + PARAGRAPH * (2 * LARGE_PAGE // len(PARAGRAPH))
    + "</body></html>"
).encode()
SMALL = b"<html><head><title>Short</title></head><body><p>A short page.</p></body></html>"
TYPE = "text/html; charset=utf-8"


def _children() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid}


def test_a_large_page_is_extracted_in_a_worker_process_with_the_same_text() -> None:
    extractor = PageExtractor(processes=1)
    before = _children()

    async def run() -> None:
        page = await extractor.extract(LARGE, TYPE, "http://example.org/report")
        assert page == extract_page(LARGE, TYPE, "http://example.org/report")
        assert page.title == "Dredging report" and "dredged the channel again in 2021" in page.text
        assert _children() - before, "no worker process was started"

    try:
        asyncio.run(run())
    finally:
        extractor.close()
    assert not (_children() - before), "the worker outlived close()"


def test_a_small_page_starts_no_process() -> None:
    extractor = PageExtractor(processes=1)
    before = _children()
    page = asyncio.run(extractor.extract(SMALL, TYPE, None))
    assert page.title == "Short"
    assert _children() == before


def test_a_killed_worker_leaves_the_pages_to_threads() -> None:
    extractor = PageExtractor(processes=1)
    before = _children()

    async def run() -> None:
        await extractor.extract(LARGE, TYPE, None)
        for pid in _children() - before:
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        page = await extractor.extract(LARGE, TYPE, None)
        assert page == extract_page(LARGE, TYPE, None)

    try:
        asyncio.run(run())
    finally:
        extractor.close()
    assert extractor.processes == 0


def test_a_library_caller_gets_threads_unless_it_allows_processes() -> None:
    """A process started with spawn imports the caller's main module again:
    only the ``verifier`` command (or a caller saying it is safe) gets one."""
    from verifier.fetch import offload

    offload.allow_worker_processes(False)
    try:
        assert PageExtractor().processes == 0
        offload.allow_worker_processes()
        assert PageExtractor().processes == (1 if offload._cores() > 1 else 0)
    finally:
        offload.allow_worker_processes(False)
