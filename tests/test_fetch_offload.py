"""Large pages are extracted in a worker process (``fetch/offload.py``):
the same text as in place, and threads again when the worker dies."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal

import pytest

from verifier.fetch.content import extract_page
from verifier.fetch.offload import LARGE_PAGE, PageExtractor
from verifier.vocabulary import PageText

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
        # the first large page goes to a thread: a worker costs more than one page
        assert not (_children() - before), "a worker was started for one page"
        other = LARGE.replace(b"2021", b"2020")
        page = await extractor.extract(other, TYPE, "http://example.org/report")
        assert page == extract_page(other, TYPE, "http://example.org/report")
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
        await extractor.extract(LARGE.replace(b"2021", b"2020"), TYPE, None)
        assert _children() - before, "no worker process was started"
        for pid in _children() - before:
            os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        # another body: the same one would come from the kept texts
        other = LARGE.replace(b"2021", b"2022")
        page = await extractor.extract(other, TYPE, None)
        assert page == extract_page(other, TYPE, None)

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


def test_the_same_large_body_is_extracted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """One report behind several URLs: its text is extracted once, also when
    the copies arrive at the same time; another body or type is not mixed up."""
    from verifier.fetch import content

    calls: list[int] = []

    def counting(body: bytes, content_type: str | None, url: str | None = None) -> PageText:
        calls.append(len(body))
        return extract_page(body, content_type, url)

    monkeypatch.setattr(content, "extract_page", counting)
    extractor = PageExtractor(processes=0)
    other = LARGE.replace(b"2021", b"1999")

    async def run() -> list[PageText]:
        together = await asyncio.gather(
            extractor.extract(LARGE, TYPE, "http://example.org/a"),
            extractor.extract(LARGE, TYPE, "https://example.org/a?utm_source=x"),
        )
        again = await extractor.extract(LARGE, TYPE, "http://mirror.example.net/a")
        different = await extractor.extract(other, TYPE, None)
        as_text = await extractor.extract(LARGE, "text/plain", None)
        return [*together, again, different, as_text]

    try:
        first, second, again, different, as_text = asyncio.run(run())
    finally:
        extractor.close()
    assert len(calls) == 3
    assert first == second == again == extract_page(LARGE, TYPE, None)
    assert "1999" in different.text and "1999" not in first.text
    assert as_text.title is None and "<p>" in as_text.text


def test_kept_texts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.fetch import offload

    monkeypatch.setattr(offload, "_KEPT_CHARS", 3 * len(extract_page(LARGE, TYPE).text))
    extractor = PageExtractor(processes=0)

    async def run() -> None:
        for year in range(2000, 2012):
            await extractor.extract(LARGE.replace(b"2021", str(year).encode()), TYPE, None)
            assert len(extractor._kept) <= 3

    try:
        asyncio.run(run())
    finally:
        extractor.close()
