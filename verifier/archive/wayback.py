"""The Wayback Machine: list captures with CDX, fetch them raw.

* Listing: ``/cdx/search/cdx?url=...&output=json&filter=statuscode:200``
  with ``from``/``to`` and ``limit``; a negative limit asks for the last
  captures of the range, which is how the captures just before an accessed
  date are found in one request however many there are. Long listings are
  read page by page with ``showResumeKey``/``resumeKey``.
* Content: ``/web/<timestamp>id_/<url>``, the archived bytes without the
  toolbar or rewritten links. The Wayback answers a timestamp it does not
  hold with a redirect to the nearest capture, and a page that redirected
  when captured with that redirect (a historical redirect, to another
  capture); both are followed, at most ``settings.max_redirects`` hops and
  never in a loop.
* When CDX is rate-limited or down, the TimeGate ``/web/<timestamp>id_/<url>``
  (the same address, in raw mode) still redirects to the nearest capture.
* Not used: the availability API (``/wayback/available``), which answers
  empty for pages that are archived.

Whether an answer is an archived page is read from ``Memento-Datetime``:
the Wayback's own pages (no capture, blocked site, its own 404) lack it.
"""

from __future__ import annotations

import datetime as dt
import re

from verifier.archive.cdx import CdxCapture, parse_cdx, parse_timestamp, timestamp_of
from verifier.archive.client import ArchiveClient, ArchiveResponse, CaptureResult
from verifier.archive.memento import parse_http_date

__all__ = [
    "WAYBACK",
    "CaptureResult",
    "Wayback",
    "parse_capture_url",
]

WAYBACK = "wayback"
# /web/<timestamp><modifier>/<original>, e.g. /web/20171124151315id_/https://...
_CAPTURE_PATH = re.compile(r"/web/(\d{1,14})([a-z]{2}_)?/(.+)$", re.IGNORECASE)
# At most this many CDX pages for one listing: a lookup needs a handful of
# captures, not a site's whole history.
MAX_PAGES = 20


def parse_capture_url(url: str) -> tuple[str, str] | None:
    """``(timestamp, original URL)`` of a Wayback capture address."""
    match = _CAPTURE_PATH.search(url)
    if match is None:
        return None
    original = match.group(3)
    # The Wayback collapses "//" in the embedded URL ("http:/example.com").
    original = re.sub(r"^(https?):/(?!/)", r"\1://", original, flags=re.IGNORECASE)
    return match.group(1), original


class Wayback:
    """One Wayback Machine (``settings.wayback_url``) seen through a client."""

    def __init__(self, client: ArchiveClient, base: str, archive: str = WAYBACK) -> None:
        self.client = client
        self.base = base.rstrip("/")
        self.archive = archive

    # --- listing ---------------------------------------------------------

    async def search(
        self,
        url: str,
        *,
        from_: str | None = None,
        to: str | None = None,
        limit: int | None = None,
        filters: tuple[str, ...] = ("statuscode:200",),
        output: str | None = "json",
        extra: list[tuple[str, str]] | None = None,
        max_pages: int = MAX_PAGES,
    ) -> list[CdxCapture]:
        """Captures of ``url`` in ``[from_, to]`` (Wayback timestamps),
        following resume keys. A 403 (an excluded site) or 404 lists none."""
        params: list[tuple[str, str]] = [("url", url)]
        if output:
            params.append(("output", output))
        if limit is not None:
            params.append(("limit", str(limit)))
        if from_:
            params.append(("from", from_))
        if to:
            params.append(("to", to))
        params += [("filter", f) for f in filters]
        # A resume key only makes sense when reading forwards.
        paged = limit is None or limit > 0
        if paged:
            params += [("showResumeKey", "true")]
        params += extra or []
        captures: list[CdxCapture] = []
        seen: set[tuple[str, str]] = set()
        resume: str | None = None
        for _ in range(max_pages):
            page_params = params + ([("resumeKey", resume)] if resume else [])
            response = await self.client.get(
                self.archive, f"{self.base}/cdx/search/cdx", params=page_params
            )
            if response.status in (403, 404):
                break
            if response.status != 200:
                break
            page = parse_cdx(response.body)
            for capture in page.captures:
                key = (capture.timestamp, capture.original)
                if key not in seen:
                    seen.add(key)
                    captures.append(capture)
            if not paged or not page.resume_key or page.resume_key == resume:
                break
            resume = page.resume_key
        return captures

    async def captures_before(self, url: str, until: dt.datetime, count: int) -> list[CdxCapture]:
        """The last ``count`` good captures at or before ``until``."""
        return await self.search(url, to=timestamp_of(until), limit=-count)

    async def captures_after(
        self, url: str, since: dt.datetime, count: int, until: dt.datetime | None = None
    ) -> list[CdxCapture]:
        """The first ``count`` good captures after ``since`` (and at or
        before ``until``, when given)."""
        start = since + dt.timedelta(seconds=1)
        end = timestamp_of(until) if until is not None else None
        return await self.search(url, from_=timestamp_of(start), to=end, limit=count, max_pages=1)

    async def latest(self, url: str, count: int) -> list[CdxCapture]:
        return await self.search(url, limit=-count)

    # --- content -----------------------------------------------------------

    def raw_url(self, timestamp: str, url: str) -> str:
        return f"{self.base}/web/{timestamp}id_/{url}"

    def view_url(self, timestamp: str, url: str) -> str:
        return f"{self.base}/web/{timestamp}/{url}"

    async def fetch(self, timestamp: str, url: str) -> CaptureResult:
        """The capture of ``url`` at ``timestamp`` (or the nearest one, as the
        Wayback redirects), raw, with redirects followed inside the archive."""
        start = self.raw_url(timestamp, url)
        result = CaptureResult(archive=self.archive, requested_url=start)
        inside = self.base + "/web/"
        response, at, error = await self.client.follow(
            self.archive,
            start,
            lambda target: (
                None if target.startswith(inside) else f"redirected out of the archive to {target}"
            ),
        )
        if response is None:
            result.error = error
            return result
        return self._finish(result, response, at)

    def _finish(self, result: CaptureResult, response: ArchiveResponse, at: str) -> CaptureResult:
        parsed = parse_capture_url(at)
        stamp = response.memento_datetime
        if stamp is None:
            # Not an archived page: the Wayback's own answer (nothing
            # archived, site excluded, its error page).
            result.status = response.status
            result.error = (
                "no capture in the archive"
                if response.status == 404
                else f"the archive answered {response.status} without a capture"
            )
            return result
        captured = parse_http_date(stamp)
        if captured is None and parsed is not None:
            captured = parse_timestamp(parsed[0])
        result.captured_at = captured
        result.status = response.status
        result.content_type = response.headers.get("content-type")
        result.body = response.body
        if parsed is not None:
            result.snapshot_url = self.view_url(parsed[0], parsed[1])
        if response.status != 200:
            result.error = f"the archived page answered {response.status}"
        elif captured is None:
            result.error = f"unreadable Memento-Datetime {stamp!r}"
        elif response.truncated:
            result.error = "the archived page is larger than the size cap"
        return result

    async def timegate(self, url: str, when: dt.datetime) -> CaptureResult:
        """The capture nearest to ``when`` through the TimeGate redirect,
        for when CDX cannot be asked."""
        return await self.fetch(timestamp_of(when), url)
