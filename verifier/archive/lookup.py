"""Archive fallback for a run: find, fetch and store the archived copies.

For each URL handed over by the pipeline, and each distinct accessed date
among the citations citing it, one archived copy is looked for, chosen by
the rule in :mod:`verifier.archive.choose`, fetched, its text extracted and
stored (``contents``), and recorded as a ``snapshots`` row. Every attempt
is an ``archive_lookups`` row, which is what makes two promises hold:

* within a run, the same URL and date is never looked up twice;
* a copy found in an earlier run is reused: no archive is asked again.

Sources, in order: a copy the document itself gives (used directly, no
lookup); the Wayback Machine; the Memento aggregator (other archives);
archive.today only with ``settings.archive_today``. All requests go through
one :class:`~verifier.archive.client.ArchiveClient`: per-archive rate
limits, retries, and an archive that keeps failing is reported once in the
summary while the run goes on with the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from verifier.archive.archive_today import ARCHIVE_TODAY, ARCHIVE_TODAY_HOSTS, archive_today
from verifier.archive.cdx import CdxCapture
from verifier.archive.choose import (
    candidate_order,
    cutoff,
    drift_reason,
    later_copy_wins,
    within_drift_window,
)
from verifier.archive.client import ArchiveClient, ArchiveUnavailable, CaptureResult
from verifier.archive.memento import Memento, MementoSource
from verifier.archive.wayback import WAYBACK, Wayback, parse_capture_url
from verifier.settings import Settings
from verifier.store.contents import store_content
from verifier.store.database import Database
from verifier.store.models import (
    ArchiveLookup,
    Check,
    Citation,
    CitationUrl,
    LinkStatus,
    Match,
    Quote,
    Snapshot,
    Url,
    Verdict,
    utcnow,
)
from verifier.store.records import in_ids, records
from verifier.urls import host_of
from verifier.vocabulary import FINE, PageText

__all__ = [
    "ARCHIVE_TODAY",
    "DOCUMENT",
    "MEMENTO",
    "UNREACHABLE",
    "ArchiveNote",
    "ArchiveStage",
    "ArchiveSummary",
    "archive_fallback",
    "archive_notes",
    "archive_pages",
    "archive_stage",
    "archive_warnings",
    "best_snapshot",
    "pages_needing_archive",
    "urls_needing_archive",
]

DOCUMENT = "document"
MEMENTO = "memento"
# A lookup outcome: the archive's host could not be connected to.
UNREACHABLE = "unreachable"
# Captures listed per listing request, and fetched at most per source and
# date: enough to step over a few error captures, few enough to stay polite.
CANDIDATES = 5
TRIES = 3
# Lookups in flight at once; the per-archive limiter sets the real pace.
IN_FLIGHT = 8
_CHUNK = 500
_NETWORK = (WAYBACK, MEMENTO, ARCHIVE_TODAY)
# Where documents' Wayback links point; fetched through settings.wayback_url.
_WAYBACK_HOSTS = {"web.archive.org", "wayback.archive.org", "archive.org"}


def _page_text(result: CaptureResult) -> PageText:
    """The text of an archived copy. The page-text module (lxml) loads only
    when a copy is read, not when a run with nothing to look up imports
    this stage."""
    from verifier.fetch.content import extract_page

    return extract_page(result.body, result.content_type, result.snapshot_url)


@dataclass
class ArchiveSummary:
    """What the archive fallback did in one run."""

    urls: int = 0
    # (URL, accessed date) pairs asked of the archives over the network.
    looked_up: int = 0
    found: int = 0
    # Copies found by an earlier run and used again without a request.
    reused: int = 0
    # Copies the documents themselves give.
    from_document: int = 0
    not_found: int = 0
    # Pairs already looked up earlier in this run.
    repeated: int = 0
    # Archive -> why it failed; each archive once, however many URLs it failed.
    failing: dict[str, str] = field(default_factory=dict)
    # Archive hosts that could not be reached at all -> why (one attempt
    # each per run). Their URLs' rows say "archive unreachable: <host>",
    # not that no copy exists.
    unreachable: dict[str, str] = field(default_factory=dict)
    # Pairs already looked up by an earlier run whose URL was not checked
    # in this one (not due): nothing changed to look again for.
    settled: int = 0
    # Requests started per archive.
    requests: dict[str, int] = field(default_factory=dict)


@dataclass
class _Target:
    url_id: int
    url: str
    accessed: dt.date | None
    # Archived copies the citing documents give: (address, date).
    given: list[tuple[str, dt.date | None]] = field(default_factory=list)
    # What the citing notes say the page said: (kind, text) of their titles
    # and quotations, for the content-drift rule (choose.py, rule 6).
    texts: list[tuple[str, str]] = field(default_factory=list)
    # Whether the URL was checked in this run (it was due).
    due: bool = True


@dataclass
class _Outcome:
    archive: str
    outcome: str
    result: CaptureResult | None = None
    error: str | None = None
    # Why this copy was chosen, when by the content-drift rule.
    reason: str | None = None
    # Its text, when already extracted (for the drift rule).
    page: PageText | None = None


def _chunks(items: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _targets(session: Session, url_ids: Collection[int]) -> list[_Target]:
    """One target per URL and distinct accessed date among its citations."""
    found: dict[tuple[int, dt.date | None], _Target] = {}
    for chunk in _chunks(sorted(set(url_ids))):
        rows = session.execute(
            select(
                Url.id,
                Url.url,
                Citation.accessed,
                CitationUrl.archive_url,
                CitationUrl.archive_date,
            )
            .join(CitationUrl, CitationUrl.url_id == Url.id, isouter=True)
            .join(Citation, Citation.id == CitationUrl.citation_id, isouter=True)
            .where(Url.id.in_(chunk))
            .order_by(Url.id, Citation.accessed)
        ).all()
        for url_id, url, accessed, archive_url, archive_date in rows:
            target = found.setdefault((url_id, accessed), _Target(url_id, url, accessed))
            if archive_url and (archive_url, archive_date) not in target.given:
                target.given.append((archive_url, archive_date))
        quoted = session.execute(
            select(CitationUrl.url_id, Citation.accessed, Quote.kind, Quote.text)
            .join(Citation, Citation.id == CitationUrl.citation_id)
            .join(Quote, Quote.citation_id == Citation.id)
            .where(CitationUrl.url_id.in_(chunk))
            .order_by(CitationUrl.url_id, Quote.id)
        ).all()
        for url_id, accessed, kind, text in quoted:
            quoting = found.get((url_id, accessed))
            if quoting is not None and (text or "").strip() and (kind, text) not in quoting.texts:
                quoting.texts.append((kind, text))
    return list(found.values())


def _settled(
    session: Session, targets: list[_Target], run_id: int
) -> set[tuple[int, dt.date | None]]:
    """The (URL, accessed date) pairs that need nothing in this run: an
    earlier run looked them up, and the URL was not checked in this run (it
    is not due), so nothing has changed to look again for. What that lookup
    found stands: its copy is still matched and shown, and when it found
    none (none exists, or the archives could not be reached) the reports
    still say so. A URL that is due again gets a fresh lookup (or reuses
    the copy found, without a request)."""
    url_ids = sorted({t.url_id for t in targets})
    # URLs checked by an earlier run but not by this one: not due.
    not_due: set[int] = set()
    looked: set[tuple[int, dt.date | None]] = set()
    for chunk in _chunks(url_ids):
        checked_in = session.execute(
            select(Check.url_id, Check.run_id == run_id).where(Check.url_id.in_(chunk)).distinct()
        ).all()
        not_due.update(url_id for url_id, _now in checked_in)
        not_due.difference_update(url_id for url_id, now in checked_in if now)
        looked.update(
            (url_id, date)
            for url_id, date in session.execute(
                select(ArchiveLookup.url_id, ArchiveLookup.target_date)
                .where(ArchiveLookup.url_id.in_(chunk), ArchiveLookup.run_id != run_id)
                .distinct()
            )
        )
    for target in targets:
        target.due = target.url_id not in not_due
    return {
        (t.url_id, t.accessed)
        for t in targets
        if t.url_id in not_due and (t.url_id, t.accessed) in looked
    }


def _same_date(accessed: dt.date | None) -> ColumnElement[bool]:
    if accessed is None:
        return ArchiveLookup.target_date.is_(None)
    return ArchiveLookup.target_date == accessed


@dataclass
class _Earlier:
    """A copy an earlier run found for the pair, and how."""

    snapshot: Snapshot
    reason: str | None
    looked_up_at: dt.datetime | None


def _previous(session: Session, target: _Target, run_id: int) -> tuple[bool, _Earlier | None]:
    """(looked up in this run already, the copy an earlier run found)."""
    lookups = session.execute(
        select(
            ArchiveLookup.run_id,
            ArchiveLookup.snapshot_id,
            ArchiveLookup.reason,
            ArchiveLookup.looked_up_at,
        )
        .where(ArchiveLookup.url_id == target.url_id, _same_date(target.accessed))
        .order_by(ArchiveLookup.id.desc())
    ).all()
    if any(row.run_id == run_id for row in lookups):
        return True, None
    for row in lookups:
        if row.snapshot_id is not None:
            snapshot = session.get(Snapshot, row.snapshot_id)
            if snapshot is not None and snapshot.content_hash is not None:
                return False, _Earlier(snapshot, row.reason, row.looked_up_at)
    return False, None


def _drift_window_open(target: _Target, earlier: _Earlier, days: int) -> bool:
    """Whether a copy found before the accessed date may yet be replaced by
    the drift rule: the URL is due, its notes quote something, and the
    earlier lookup ran before the window after the date closed (a capture
    within it could have been made since). Such a pair is looked up again;
    once the window has closed, the copy is reused without a request."""
    accessed = target.accessed
    if not target.due or accessed is None or not target.texts or earlier.reason:
        return False
    if earlier.snapshot.captured_at > cutoff(accessed):
        return False
    closes = cutoff(accessed) + dt.timedelta(days=days)
    return earlier.looked_up_at is None or earlier.looked_up_at <= closes


def _store_snapshot(
    session: Session,
    url_id: int,
    archive: str,
    result: CaptureResult,
    page: PageText | None = None,
) -> Snapshot | None:
    """Extract the copy's text (unless ``page`` is it) and record it;
    ``None`` when it has no text."""
    assert result.captured_at is not None
    try:
        page = page or _page_text(result)
    except Exception as exc:
        result.error = f"cannot extract the archived page's text ({type(exc).__name__})"
        return None
    digest = store_content(session, page)
    captured = result.captured_at.replace(microsecond=0)
    snapshot = session.execute(
        select(Snapshot).where(
            Snapshot.url_id == url_id,
            Snapshot.archive == archive,
            Snapshot.captured_at == captured,
        )
    ).scalar_one_or_none()
    if snapshot is None:
        snapshot = Snapshot(url_id=url_id, archive=archive, captured_at=captured)
        session.add(snapshot)
    snapshot.snapshot_url = result.snapshot_url or result.requested_url
    snapshot.status = result.status
    snapshot.content_hash = digest
    snapshot.fetched_at = utcnow()
    session.flush()
    return snapshot


def best_snapshot(session: Session, url_id: int, accessed: dt.date | None) -> Snapshot | None:
    """Among the stored copies of a URL that have text, the one the choice
    rule (:mod:`verifier.archive.choose`) picks for ``accessed``; copies the
    documents give come first."""
    snapshots = list(
        session.execute(
            select(Snapshot).where(Snapshot.url_id == url_id, Snapshot.content_hash.is_not(None))
        ).scalars()
    )
    if not snapshots:
        return None
    # The content-drift rule's choice for this date, when the latest lookup
    # that found a copy made one (choose.py, rule 6).
    latest = session.execute(
        select(ArchiveLookup.snapshot_id, ArchiveLookup.reason)
        .where(
            ArchiveLookup.url_id == url_id,
            _same_date(accessed),
            ArchiveLookup.snapshot_id.is_not(None),
        )
        .order_by(ArchiveLookup.id.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.reason:
        chosen = next((s for s in snapshots if s.id == latest.snapshot_id), None)
        if chosen is not None:
            return chosen
    given = set(
        session.execute(
            select(ArchiveLookup.snapshot_id).where(
                ArchiveLookup.url_id == url_id,
                ArchiveLookup.outcome == DOCUMENT,
                ArchiveLookup.snapshot_id.is_not(None),
            )
        ).scalars()
    )
    ordered = candidate_order(
        snapshots,
        accessed,
        lambda s: s.captured_at,
        status=lambda s: s.status,
        given=lambda s: s.id in given,
    )
    return ordered[0] if ordered else None


@dataclass(frozen=True)
class ArchiveNote:
    """What a report row says about its archive lookup, beside the link's
    own error: which copy was used and why (content drift), or why there is
    none: "no archived copy found" (every archive answered: none exists)
    is not "archive unreachable: web.archive.org" (the copy may well exist;
    it could not be asked)."""

    text: str
    # The copy the note explains (drift), or None for "there is no copy".
    snapshot_id: int | None = None

    def applies(self, snapshot_id: int | None, archive_url: str | None) -> bool:
        """Whether it belongs on a row showing this copy (or none)."""
        if self.snapshot_id is not None:
            return snapshot_id == self.snapshot_id
        return not archive_url


_NO_COPY = "no archived copy found"
# Outcomes that say nothing about whether a copy exists.
_COULD_NOT_ASK = {UNREACHABLE, "archive_down", "error"}


def archive_notes(
    session: Session, url_ids: Collection[int]
) -> dict[tuple[int, dt.date | None], ArchiveNote]:
    """Per (URL, accessed date), what the latest run that looked it up says
    (see :class:`ArchiveNote`); pairs never looked up have no note."""
    latest: dict[tuple[int, dt.date | None], list[Any]] = {}
    for chunk in _chunks(sorted(set(url_ids))):
        rows = session.execute(
            select(
                ArchiveLookup.url_id,
                ArchiveLookup.target_date,
                ArchiveLookup.run_id,
                ArchiveLookup.archive,
                ArchiveLookup.outcome,
                ArchiveLookup.error,
                ArchiveLookup.reason,
                ArchiveLookup.snapshot_id,
            )
            .where(in_ids(session, ArchiveLookup.url_id, chunk), ArchiveLookup.outcome != "pending")
            .order_by(ArchiveLookup.id)
        )
        for row in records(rows):
            key = (row.url_id, row.target_date)
            group = latest.get(key)
            if group is None or (row.run_id or 0) > (group[0].run_id or 0):
                latest[key] = [row]
            elif row.run_id == group[0].run_id:
                group.append(row)
    notes: dict[tuple[int, dt.date | None], ArchiveNote] = {}
    for key, group in latest.items():
        copies = [r for r in group if r.snapshot_id is not None]
        if copies:
            chosen = copies[-1]
            if chosen.reason:
                notes[key] = ArchiveNote(chosen.reason, chosen.snapshot_id)
            continue
        failed = [
            r.error or f"archive {r.outcome}: {r.archive}"
            for r in group
            if r.outcome in _COULD_NOT_ASK and r.archive != DOCUMENT
        ]
        if failed:
            notes[key] = ArchiveNote("; ".join(dict.fromkeys(failed)))
        elif any(r.outcome == "not_found" for r in group):
            notes[key] = ArchiveNote(_NO_COPY)
    return notes


class _Lookup:
    """The archives of one run and how to ask each of them."""

    def __init__(self, settings: Settings, client: ArchiveClient) -> None:
        self.settings = settings
        self.client = client
        self.wayback = Wayback(client, settings.wayback_url)
        wayback_host = urlsplit(settings.wayback_url).netloc
        self.memento = MementoSource(
            client, settings.memento_url, MEMENTO, skip_hosts={wayback_host, "web.archive.org"}
        )
        self.today = archive_today(client, settings.archive_today_url)
        self._timemaps: dict[tuple[str, str], list[Memento]] = {}

    def sources(self) -> list[str]:
        names = [WAYBACK, MEMENTO]
        if self.settings.archive_today:
            names.append(ARCHIVE_TODAY)
        return names

    def host(self, name: str) -> str:
        """The host an archive is asked at (for the reports' wording)."""
        base = {
            WAYBACK: self.settings.wayback_url,
            MEMENTO: self.settings.memento_url,
            ARCHIVE_TODAY: self.settings.archive_today_url,
        }.get(name)
        return host_of(base) if base else name

    def skipped(self, name: str) -> _Outcome | None:
        """The outcome for an archive not asked at all in this run any more:
        its host could not be reached, or it is down."""
        host = self.host(name)
        if host in self.client.unreachable:
            return _Outcome(name, UNREACHABLE, error=f"archive unreachable: {host}")
        if name in self.client.down:
            return _Outcome(
                name,
                "archive_down",
                error=f"archive unavailable: {host} ({self.client.down[name]})",
            )
        return None

    async def document_copy(self, address: str, given_date: dt.date | None) -> CaptureResult:
        """Fetch a copy the document names, through the configured archive
        base when it is on the Wayback or archive.today."""
        capture = parse_capture_url(address)
        host = host_of(address)
        if capture is not None and (
            host in _WAYBACK_HOSTS or host == host_of(self.settings.wayback_url)
        ):
            return await self.wayback.fetch(*capture)
        when = dt.datetime.combine(given_date, dt.time()) if given_date else utcnow()
        if host in ARCHIVE_TODAY_HOSTS:
            path = address.split(host, 1)[1]
            address = self.settings.archive_today_url.rstrip("/") + path
            return await self.today.fetch(Memento(address, when))
        return await self.memento.fetch(Memento(address, when))

    async def try_wayback(self, target: _Target) -> CaptureResult | None:
        url, accessed = target.url, target.accessed
        try:
            if accessed is None:
                listing = await self.wayback.latest(url, CANDIDATES)
            else:
                listing = await self.wayback.captures_before(url, cutoff(accessed), CANDIDATES)
        except ArchiveUnavailable as exc:
            if exc.unreachable:
                raise
            # CDX refuses or is down: the TimeGate still finds the nearest copy.
            when = cutoff(accessed) if accessed else utcnow()
            nearest = await self.wayback.timegate(url, when)
            return nearest if nearest.ok else None
        found = await self._first_good(listing, accessed)
        if found is None and accessed is not None:
            later = await self.wayback.captures_after(url, cutoff(accessed), CANDIDATES)
            found = await self._first_good(later, accessed)
        return found

    async def _first_good(
        self, listing: list[CdxCapture], accessed: dt.date | None
    ) -> CaptureResult | None:
        ordered = candidate_order(
            listing, accessed, lambda c: c.captured_at, status=lambda c: c.status
        )
        for capture in ordered[:TRIES]:
            result = await self.wayback.fetch(capture.timestamp, capture.original)
            if result.ok and not _crossed(capture.captured_at, result.captured_at, accessed):
                return result
        return None

    async def try_memento(self, source: MementoSource, target: _Target) -> CaptureResult | None:
        listed = await source.timemap(target.url)
        # Kept for the drift rule's look after the date (no second listing).
        if len(self._timemaps) > IN_FLIGHT * 4:
            self._timemaps.clear()
        self._timemaps[(source.archive, target.url)] = listed
        ordered = candidate_order(listed, target.accessed, lambda m: m.captured_at)
        for memento in ordered[:TRIES]:
            result = await source.fetch(memento)
            if result.ok:
                return result
        return None

    async def search(self, target: _Target) -> list[_Outcome]:
        """Ask each source in turn until one gives a good copy."""
        outcomes: list[_Outcome] = []
        for name in self.sources():
            skipped = self.skipped(name)
            if skipped is not None:
                outcomes.append(skipped)
                continue
            try:
                if name == WAYBACK:
                    result = await self.try_wayback(target)
                else:
                    source = self.memento if name == MEMENTO else self.today
                    result = await self.try_memento(source, target)
            except ArchiveUnavailable as exc:
                if exc.unreachable:
                    # The archive's own host, or (through the aggregator)
                    # the archive holding a copy.
                    error = f"archive unreachable: {exc.unreachable}"
                    outcomes.append(_Outcome(name, UNREACHABLE, error=error))
                else:
                    error = f"archive unavailable: {self.host(name)} ({exc.reason})"
                    outcomes.append(_Outcome(name, "error", error=error))
                continue
            if result is not None:
                chosen = _Outcome(self.holder(name, result), "found", result=result)
                outcomes.append(chosen)
                try:
                    later = await self.later_copy(name, target, chosen)
                except ArchiveUnavailable:
                    later = None
                if later is not None:
                    outcomes.append(later)
                return outcomes
            outcomes.append(_Outcome(name, "not_found"))
        return outcomes

    @staticmethod
    def holder(name: str, result: CaptureResult) -> str:
        """The archive a copy is recorded under: through the aggregator, the
        host holding it."""
        if name == MEMENTO and result.snapshot_url:
            return (host_of(result.snapshot_url) or MEMENTO)[:32]
        return name

    # --- content drift (choose.py, rule 6) ----------------------------------

    async def later_copy(self, name: str, target: _Target, chosen: _Outcome) -> _Outcome | None:
        """The first copy after the accessed date, with the row's reason,
        when the rule prefers it to ``chosen`` (the closest before; its
        extracted text is kept on it for storing)."""
        accessed = target.accessed
        before = chosen.result
        if (
            accessed is None
            or not target.texts
            or before is None
            or before.captured_at is None
            or before.captured_at > cutoff(accessed)
        ):
            return None
        found_before, chosen.page = await asyncio.to_thread(_texts_found, before, target.texts)
        if found_before == len(target.texts):
            return None
        after = await self.first_after(name, target, accessed)
        if after is None or after.captured_at is None:
            return None
        found_after, page = await asyncio.to_thread(_texts_found, after, target.texts)
        if not later_copy_wins(found_before, found_after):
            return None
        reason = drift_reason(
            after.captured_at,
            before.captured_at,
            accessed,
            found_after=found_after,
            found_before=found_before,
            wanted=len(target.texts),
        )
        return _Outcome(self.holder(name, after), "found", result=after, reason=reason, page=page)

    async def first_after(
        self, name: str, target: _Target, accessed: dt.date
    ) -> CaptureResult | None:
        """The first good capture after the accessed date, within the drift
        window; ``None`` when there is none."""
        days = self.settings.drift_window_days
        limit = cutoff(accessed)
        if name == WAYBACK:
            listing = await self.wayback.captures_after(
                target.url, limit, CANDIDATES, until=limit + dt.timedelta(days=days)
            )
            ordered = candidate_order(
                listing, accessed, lambda c: c.captured_at, status=lambda c: c.status
            )
            for capture in ordered[:TRIES]:
                if not within_drift_window(capture.captured_at, accessed, days):
                    break
                result = await self.wayback.fetch(capture.timestamp, capture.original)
                if result.ok:
                    return _in_window(result, accessed, days)
            return None
        source = self.memento if name == MEMENTO else self.today
        listed = self._timemaps.get((name, target.url))
        if listed is None:
            listed = await source.timemap(target.url)
        later = [m for m in listed if within_drift_window(m.captured_at, accessed, days)]
        for memento in candidate_order(later, accessed, lambda m: m.captured_at)[:TRIES]:
            result = await source.fetch(memento)
            if result.ok:
                return _in_window(result, accessed, days)
        return None


def _in_window(result: CaptureResult, accessed: dt.date, days: int) -> CaptureResult | None:
    """The capture served, when it is still within the drift window (the
    Wayback may play back a neighbouring capture instead of the one listed)."""
    captured = result.captured_at
    if captured is None or not within_drift_window(captured, accessed, days):
        return None
    return result


def _texts_found(
    result: CaptureResult, texts: list[tuple[str, str]]
) -> tuple[int, PageText | None]:
    """How many of the cited texts (titles and quotations) a copy holds, by
    the match stage's own rule (exact or fuzzy), and the copy's text."""
    from verifier.match.matcher import match_quote

    try:
        page = _page_text(result)
    except Exception:
        return 0, None
    found = sum(
        1
        for kind, text in texts
        if match_quote(text, page, "title" if kind == "title" else "quotation").found
    )
    return found, page


def _crossed(listed: dt.datetime, served: dt.datetime | None, accessed: dt.date | None) -> bool:
    """Whether the Wayback served a capture on the other side of the accessed
    date than the one listed (a listed capture it cannot play back redirects
    to the nearest one it can): the choice rule would not have picked it."""
    if accessed is None or served is None:
        return False
    limit = cutoff(accessed)
    return (listed <= limit) != (served <= limit)


async def archive_fallback(
    db: Database,
    settings: Settings,
    run_id: int,
    url_ids: Collection[int],
    *,
    client: ArchiveClient | None = None,
) -> ArchiveSummary:
    """Find and store the archived copy closest to each citing note's
    accessed date for ``url_ids`` (see the module docstring).

    Never raises for an archive's failure: it is named once in
    ``ArchiveSummary.failing`` and the other URLs and archives go on.
    """
    summary = ArchiveSummary()
    if not settings.archive or not url_ids:
        return summary
    with db.session() as session:
        targets = _targets(session, url_ids)
        settled = _settled(session, targets, run_id)
    summary.urls = len({t.url_id for t in targets})
    summary.settled = len(settled)
    targets = [t for t in targets if (t.url_id, t.accessed) not in settled]
    if not targets:
        # Nothing to ask: no client, no connection, no DNS lookup.
        return summary
    own_client = client is None
    archive_client = client or ArchiveClient(settings)
    lookup = _Lookup(settings, archive_client)
    gate = asyncio.Semaphore(IN_FLIGHT)

    def begin(target: _Target) -> tuple[str, int | None]:
        """Reuse, skip, or claim the pair for this run (before any request,
        so no other task of the run asks for it again)."""
        with db.session() as session:
            repeated, earlier = _previous(session, target, run_id)
            if repeated:
                return "repeated", None
            if earlier is not None and not _drift_window_open(
                target, earlier, settings.drift_window_days
            ):
                session.add(
                    ArchiveLookup(
                        url_id=target.url_id,
                        archive=earlier.snapshot.archive,
                        target_date=target.accessed,
                        run_id=run_id,
                        snapshot_id=earlier.snapshot.id,
                        outcome="reused",
                        reason=earlier.reason,
                    )
                )
                return "reused", None
            claim = ArchiveLookup(
                url_id=target.url_id,
                archive="pending",
                target_date=target.accessed,
                run_id=run_id,
                outcome="pending",
            )
            session.add(claim)
            session.flush()
            return "claimed", claim.id

    def finish(target: _Target, claim_id: int | None, outcomes: list[_Outcome]) -> bool:
        """Store the copy found (its text extracted) and every attempt;
        whether a copy was stored."""
        stored = False
        with db.session() as session:
            for number, outcome in enumerate(outcomes):
                snapshot_id = None
                if outcome.result is not None and outcome.outcome in ("found", DOCUMENT):
                    snapshot = _store_snapshot(
                        session, target.url_id, outcome.archive, outcome.result, outcome.page
                    )
                    if snapshot is None:
                        outcome.outcome, outcome.error = "error", outcome.result.error
                    else:
                        snapshot_id = snapshot.id
                        stored = True
                row = session.get(ArchiveLookup, claim_id) if number == 0 else None
                if row is None:
                    row = ArchiveLookup(
                        url_id=target.url_id, target_date=target.accessed, run_id=run_id
                    )
                    session.add(row)
                row.archive = outcome.archive
                row.outcome = outcome.outcome
                row.snapshot_id = snapshot_id
                row.error = outcome.error
                row.reason = outcome.reason if snapshot_id is not None else None
                row.looked_up_at = utcnow()
        return stored

    async def one(target: _Target) -> None:
        # Database work and text extraction run off the event loop: a busy
        # loop would send the next archive request late and bunch it up
        # with the one after.
        state, claim_id = await asyncio.to_thread(begin, target)
        if state == "repeated":
            summary.repeated += 1
            return
        if state == "reused":
            summary.reused += 1
            return
        async with gate:
            outcomes = await _resolve(lookup, target)
        stored = await asyncio.to_thread(finish, target, claim_id, outcomes)
        for outcome in outcomes:
            if outcome.outcome in ("error", UNREACHABLE) and outcome.archive in _NETWORK:
                summary.failing.setdefault(outcome.archive, outcome.error or "failed")
        if any(o.outcome != DOCUMENT for o in outcomes):
            summary.looked_up += 1
        if not stored:
            summary.not_found += 1
        elif any(o.outcome == DOCUMENT for o in outcomes):
            summary.from_document += 1
        else:
            summary.found += 1

    try:
        await asyncio.gather(*(one(target) for target in targets))
    finally:
        summary.failing.update(archive_client.down)
        summary.unreachable.update(archive_client.unreachable)
        summary.requests = archive_client.limiters.counts()
        if own_client:
            await archive_client.aclose()
    return summary


async def _resolve(lookup: _Lookup, target: _Target) -> list[_Outcome]:
    """A document's own copy when it gives a usable one, else the archives."""
    outcomes: list[_Outcome] = []
    for address, given_date in target.given:
        try:
            result = await lookup.document_copy(address, given_date)
        except ArchiveUnavailable as exc:
            outcomes.append(_Outcome(DOCUMENT, "error", error=exc.reason))
            continue
        if result.ok:
            archive = WAYBACK if result.archive == WAYBACK else DOCUMENT
            outcomes.append(_Outcome(archive, DOCUMENT, result=result))
            return outcomes
        outcomes.append(_Outcome(DOCUMENT, "error", error=result.error))
    return outcomes + await lookup.search(target)


# Live statuses that need no archived copy, and those that must not get one
# (an excluded URL is never looked at; an invalid one cannot be).
_NEVER = {LinkStatus.EXCLUDED.value, LinkStatus.INVALID_URL.value, LinkStatus.NO_URL.value}


def urls_needing_archive(
    session: Session,
    settings: Settings,
    run_id: int,
    *,
    after: int = 0,
    limit: int | None = None,
) -> list[int]:
    """The URLs of a run that get the archive fallback: every URL checked in
    the run whose status is not ``ok``/``redirected``, every URL with a title
    or quotation the run's matching found absent in its live text (content
    drift), or, with ``settings.archive_all``, every URL checked in the run.

    The run's matching writes only the verdicts it computed (the URL was
    checked in the run, the quote is new, or a lookup came after its last
    match: ``verifier.match.verify_run``): a drifted URL with nothing new,
    like a failing URL not due, is not looked up again until it is.

    Their ids in order; with ``limit``, one page of them: the first
    ``limit`` ids above ``after`` (keyset pagination: the next page starts
    after the last id of this one, see :func:`pages_needing_archive`).
    """
    checked = (
        select(Check.url_id)
        .where(Check.run_id == run_id, Check.url_id > after, Check.status.not_in(_NEVER))
        .order_by(Check.url_id)
    )
    if not settings.archive_all:
        checked = checked.where(Check.status.not_in(FINE))
    drifted = (
        select(Match.url_id)
        .where(
            Match.run_id == run_id,
            Match.url_id > after,
            Match.verdict == Verdict.ABSENT.value,
            (Match.source.is_(None)) | (Match.source == "live"),
        )
        .distinct()
        .order_by(Match.url_id)
    )
    if limit is not None:
        # The first ``limit`` of the union are among the first ``limit`` of
        # each part: each part stops there (the checks part on the
        # (run_id, url_id) index).
        checked, drifted = checked.limit(limit), drifted.limit(limit)
    wanted = set(session.scalars(checked)) | set(session.scalars(drifted))
    return sorted(wanted)[:limit]


# URLs per page of the archive stage: each page's targets (the URL, its
# citations' dates, titles and quotations) are read and looked up together.
ARCHIVE_PAGE = 1000


def pages_needing_archive(
    db: Database, settings: Settings, run_id: int, page: int = ARCHIVE_PAGE
) -> Iterator[list[int]]:
    """:func:`urls_needing_archive` a page at a time, each read in a short
    transaction of its own: memory follows the page, not the run."""
    after = 0
    while True:
        with db.session() as session:
            ids = urls_needing_archive(session, settings, run_id, after=after, limit=page)
        if ids:
            yield ids
        if len(ids) < page:
            return
        after = ids[-1]


def _add(total: ArchiveSummary, part: ArchiveSummary) -> None:
    """Add one page's summary to the run's."""
    for name in (
        "urls",
        "looked_up",
        "found",
        "reused",
        "from_document",
        "not_found",
        "repeated",
        "settled",
    ):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.failing.update(part.failing)
    total.unreachable.update(part.unreachable)
    # The pages share one client: its counts are the run's so far.
    total.requests = part.requests or total.requests


async def archive_pages(
    db: Database,
    settings: Settings,
    run_id: int,
    page: int = ARCHIVE_PAGE,
    *,
    client: ArchiveClient | None = None,
) -> ArchiveSummary:
    """:func:`archive_fallback` over :func:`pages_needing_archive`, one page
    after the other, with one client for the run (an archive found down or
    unreachable stays so for the next pages, as within one page)."""
    total = ArchiveSummary()
    if not settings.archive:
        return total
    shared = client
    try:
        for url_ids in pages_needing_archive(db, settings, run_id, page):
            shared = shared or ArchiveClient(settings)
            _add(total, await archive_fallback(db, settings, run_id, url_ids, client=shared))
    finally:
        if client is None and shared is not None:
            await shared.aclose()
    return total


@dataclass
class ArchiveStage:
    """What the check pipeline's archive step did: the fallback's summary,
    or why there is none (the step was off, or interrupted)."""

    summary: ArchiveSummary | None = None
    skipped: str | None = None
    interrupted: bool = False

    @property
    def found_copies(self) -> bool:
        """Whether this step may have found copies to match (then the
        match step runs again)."""
        return self.summary is None or bool(self.summary.found or self.summary.from_document)

    def as_dict(self) -> dict[str, Any]:
        """The figures in the run's JSON summary."""
        if self.summary is not None:
            return dataclasses.asdict(self.summary)
        if self.interrupted:
            return {"interrupted": True}
        return {"skipped": self.skipped}


def archive_warnings(stage: ArchiveStage) -> list[str]:
    """The lines a run prints about its archives: each unreachable host and
    each archive that failed, once, however many URLs it cost."""
    if stage.summary is None:
        return []
    lines = [
        f"{reason}: no archived copies could be looked up there in this run"
        for reason in stage.summary.unreachable.values()
    ]
    for name, reason in stage.summary.failing.items():
        if not str(reason).startswith("archive unreachable"):
            lines.append(f"archive {name} failed ({reason}): its copies are missing from this run")
    return lines


def archive_stage(db: Database, settings: Settings, run_id: int) -> ArchiveStage:
    """The check pipeline's archive step (sync): which URLs, then
    :func:`archive_fallback`; returns the figures for the run summary."""
    if not settings.archive:
        return ArchiveStage(skipped="archive fallback off")
    try:
        summary = asyncio.run(archive_pages(db, settings, run_id))
    except KeyboardInterrupt:
        return ArchiveStage(interrupted=True)
    return ArchiveStage(summary)
