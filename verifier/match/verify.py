"""Recording a verdict for every cited title and quotation of a run.

For each quote (a ``quotes`` row: the citation's title or a quotation from
the citing sentence) and each URL of its citation:

1. the URL's live text: the text stored with its latest check, when that
   check reached the page (``ok``, ``redirected``, or ``too_large`` with the
   part read). A blocked page, a soft 404 or an error page is not the
   source, so its text is never matched: a bot wall would make every quote
   look ``absent``;
2. when the quote is not ``exact``/``fuzzy`` there, the archived copy the
   archive stage chose for the note's accessed date
   (``verifier.archive.best_snapshot``): found there -> ``archive_only``
   (content drift, or a dead link whose copy still says it);
3. otherwise ``absent`` (with the live passage and reason as evidence), or
   ``unchecked`` when there was no text at all: no live page and no copy.

``drifted_url_ids`` runs step 1 alone, so the pipeline can send the URLs
whose live text lacks something to the archive stage before ``verify_run``.
Results are written in one place (``_write``), in batches; running
``verify_run`` again for a run replaces that run's rows. A quote with
nothing new since its last match (no new check of its URLs, no archive
lookup for them, not a new quote) is not matched again, and nothing is
written for it: its verdict as of this run is its newest match, as a
link's state is its newest check (``verifier.report.runs``). A run's own
rows are the verdicts it computed, so a run with nothing due costs a few
queries and writes nothing, however many runs came before.
Both read the citations a page at a time (``_target_pages``): memory does
not grow with the number of citations.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from verifier.store.database import Database
from verifier.store.models import (
    ArchiveLookup,
    Check,
    Citation,
    CitationUrl,
    Document,
    Match,
    Quote,
    Snapshot,
    Url,
    Verdict,
    quote_key,
    utcnow,
)
from verifier.store.records import in_ids
from verifier.vocabulary import LIVE

if TYPE_CHECKING:
    from verifier.match.matcher import Kind, MatchResult, PageLike

# The chosen archived copy of (URL, accessed date): verifier.archive.best_snapshot.
SnapshotFinder = Callable[[Session, int, "dt.date | None"], "Snapshot | None"]

__all__ = [
    "SnapshotFinder",
    "VerifySummary",
    "drifted_url_ids",
    "standing_match_ids",
    "verify_run",
]

# Rows per INSERT (below SQLite's variable limit) and ids per batch read.
_BATCH = 500
# Citations matched at a time.
_CITATIONS = 2000


@dataclass
class VerifySummary:
    """What ``verify_run`` recorded: matches written and counts per verdict."""

    run_id: int
    matches: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    # matched against the archived copy (found there or not)
    archive_used: int = 0
    # verdicts that stand from an earlier run (nothing new to match them
    # again for): counted here, not written again
    carried: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "matches": self.matches,
            "verdicts": dict(sorted(self.verdicts.items())),
            "archive_used": self.archive_used,
            "carried": self.carried,
        }


def standing_match_ids(run_id: int) -> Select[Any]:
    """The ids of the verdicts that stand as of run ``run_id``: each cited
    (quote, URL)'s newest match in a run up to it. A run writes only the
    verdicts it computed, so its own rows are not the whole picture; these
    are (``WHERE Match.id IN standing_match_ids(run)``)."""
    return (
        select(func.max(Match.id))
        .where(Match.run_id <= run_id, Match.quote_id.is_not(None))
        .group_by(Match.quote_id, Match.url_id)
    )


@dataclass(frozen=True)
class _Target:
    quote_id: int
    kind: str
    text: str
    url_id: int
    accessed: dt.date | None
    # the quote's identity across re-ingests (``quote_key``)
    key: str


def _chunks(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _target_pages(session: Session) -> Iterator[list[_Target]]:
    """Every (quote, URL) pair to verify, a page of citations at a time (so a
    run of a million citations is matched in constant memory), each page
    grouped by URL. A citation's quotes and URLs are all in one page."""
    last = 0
    while True:
        ids = session.scalars(
            select(Citation.id).where(Citation.id > last).order_by(Citation.id).limit(_CITATIONS)
        ).all()
        if not ids:
            return
        last = ids[-1]
        rows = session.execute(
            select(
                Quote.id,
                Quote.kind,
                Quote.text,
                CitationUrl.url_id,
                Citation.accessed,
                Document.path,
            )
            .join(Citation, Citation.id == Quote.citation_id)
            .join(CitationUrl, CitationUrl.citation_id == Citation.id)
            .join(Document, Document.id == Citation.document_id)
            .where(Citation.id.between(ids[0], ids[-1]))
            .order_by(CitationUrl.url_id, Quote.id)
        ).all()
        seen: set[tuple[int, int]] = set()
        targets = []
        for quote_id, kind, text, url_id, accessed, path in rows:
            if (quote_id, url_id) in seen or not (text or "").strip():
                continue
            seen.add((quote_id, url_id))
            targets.append(
                _Target(quote_id, kind, text, url_id, accessed, quote_key(path, kind, text))
            )
        if targets:
            yield targets


def _latest_checks(
    session: Session, url_ids: Iterable[int]
) -> dict[int, tuple[dt.datetime, int, str, str | None, int]]:
    """Each URL's latest check: (checked_at, id, status, text hash, run)."""
    latest: dict[int, tuple[dt.datetime, int, str, str | None, int]] = {}
    for chunk in _chunks(sorted(set(url_ids))):
        rows = session.execute(
            select(
                Check.url_id,
                Check.checked_at,
                Check.id,
                Check.status,
                Check.content_hash,
                Check.run_id,
            ).where(in_ids(session, Check.url_id, chunk))
        ).all()
        for url_id, checked_at, check_id, status, content_hash, check_run in rows:
            key = (checked_at, check_id)
            if url_id not in latest or key > latest[url_id][:2]:
                latest[url_id] = (checked_at, check_id, status, content_hash, check_run)
    return latest


def _live_hashes(session: Session, url_ids: Iterable[int]) -> dict[int, str]:
    """The text hash of each URL's latest check, when that check reached the page."""
    return _live_of(_latest_checks(session, url_ids))


def _live_of(
    latest: dict[int, tuple[dt.datetime, int, str, str | None, int]],
) -> dict[int, str]:
    return {
        url_id: content_hash
        for url_id, (_, _, status, content_hash, _) in latest.items()
        if content_hash and status in LIVE
    }


@dataclass(frozen=True)
class _Earlier:
    """A (quote, URL)'s newest match from an earlier run."""

    run_id: int
    verdict: str
    matched_at: dt.datetime


def _earlier_matches(
    session: Session, run_id: int, quote_ids: Iterable[int]
) -> dict[tuple[int, int], _Earlier]:
    """The newest match of each (quote, URL) of these quotes in a run before
    ``run_id``: the verdicts that stood as of the run before it."""
    found: dict[tuple[int, int], _Earlier] = {}
    for chunk in _chunks(sorted(set(quote_ids))):
        newest = standing_match_ids(run_id - 1).where(in_ids(session, Match.quote_id, chunk))
        rows = session.execute(
            select(
                Match.quote_id,
                Match.url_id,
                Match.run_id,
                Match.verdict,
                Match.matched_at,
            ).where(Match.id.in_(newest))
        ).all()
        for quote_id, url_id, match_run, verdict, matched_at in rows:
            assert quote_id is not None  # selected by quote id
            found[(quote_id, url_id)] = _Earlier(match_run, verdict, matched_at)
    return found


def _latest_lookups(
    session: Session, url_ids: Iterable[int]
) -> dict[int, tuple[int | None, dt.datetime | None]]:
    """Each URL's newest archive lookup that found a copy: (run, time).

    Only those can change the copy ``best_snapshot`` picks: it chooses among
    the stored copies (each stored with the lookup that found it) by the
    lookups that name a copy. A lookup that found none, or could not ask
    (an archive unreachable), changes no verdict."""
    found: dict[int, tuple[int | None, dt.datetime | None]] = {}
    for chunk in _chunks(sorted(set(url_ids))):
        rows = session.execute(
            select(
                ArchiveLookup.url_id,
                func.max(ArchiveLookup.run_id),
                func.max(ArchiveLookup.looked_up_at),
            )
            .where(
                in_ids(session, ArchiveLookup.url_id, chunk),
                ArchiveLookup.snapshot_id.is_not(None),
            )
            .group_by(ArchiveLookup.url_id)
        ).all()
        found.update({url_id: (run, at) for url_id, run, at in rows})
    return found


def _unchanged_quotes(
    session: Session,
    run_id: int,
    targets: list[_Target],
    latest: dict[int, tuple[dt.datetime, int, str, str | None, int]],
) -> dict[int, list[_Earlier]]:
    """The quotes none of whose URLs has anything new since its last match,
    with those matches: their verdicts stand as they are.

    A (quote, URL) has something new when it was never matched (a new
    quote, or a quote re-ingested with new rows), or the URL was checked in
    a later run than its match (this run's checks included), or an archive
    lookup for it that found a copy (which may store or choose another one)
    was made after the match. Everything a verdict is computed from is then
    the same: the live text of the latest check, and the copy
    ``best_snapshot`` picks from the stored copies and lookups. A quote
    counts as a whole: crediting another source (``_credit_other_sources``)
    reads all its URLs' rows.
    """
    earlier = _earlier_matches(session, run_id, {t.quote_id for t in targets})
    if not earlier:
        return {}
    lookups = _latest_lookups(session, {t.url_id for t in targets})
    changed: set[int] = set()
    for target in targets:
        match = earlier.get((target.quote_id, target.url_id))
        if match is None:
            changed.add(target.quote_id)
            continue
        check = latest.get(target.url_id)
        if check is not None and check[4] is not None and check[4] > match.run_id:
            changed.add(target.quote_id)
            continue
        lookup_run, looked_up_at = lookups.get(target.url_id, (None, None))
        if (lookup_run is not None and lookup_run > match.run_id) or (
            looked_up_at is not None and looked_up_at >= match.matched_at
        ):
            changed.add(target.quote_id)
    unchanged: dict[int, list[_Earlier]] = {}
    for target in targets:
        if target.quote_id not in changed:
            unchanged.setdefault(target.quote_id, []).append(
                earlier[(target.quote_id, target.url_id)]
            )
    return unchanged


class _Pages:
    """Page texts by hash, loaded once each and kept while their URL is matched."""

    def __init__(self, session: Session) -> None:
        from verifier.store.contents import load_content

        self._load = load_content
        self.session = session
        self._pages: dict[str, PageLike | None] = {}
        self._chars = 0

    def get(self, content_hash: str | None) -> PageLike | None:
        if not content_hash:
            return None
        if content_hash not in self._pages:
            # a few pages, or 25 million characters (five 5 MB pages)
            if len(self._pages) > 16 or self._chars > 25_000_000:
                self._pages.clear()
                self._chars = 0
            try:
                page = self._load(self.session, content_hash)
                self._chars += len(page.text)
                self._pages[content_hash] = page
            except KeyError:
                self._pages[content_hash] = None
        return self._pages[content_hash]


# Verdicts by (text hash, kind, quote text): a stored text never changes, so
# ``drifted_url_ids`` and both ``verify_run`` passes of a pipeline run share
# them. Cleared when full, which only costs re-matching.
_MATCHES: dict[tuple[str, str, str], MatchResult] = {}
_MAX_MATCHES = 20_000


def _match(content_hash: str, page: PageLike, kind: str, text: str) -> MatchResult:
    """The verdict for a quote of ``kind`` (a ``Quote.kind``) on ``page``."""
    key = (content_hash, kind, text)
    result = _MATCHES.get(key)
    if result is None:
        # imported here: a run with nothing new to match never loads the matcher
        from verifier.match.matcher import match_quote

        as_kind: Kind = "title" if kind == "title" else "quotation"
        result = match_quote(text, page, as_kind)
        if len(_MATCHES) >= _MAX_MATCHES:
            _MATCHES.clear()
        _MATCHES[key] = result
    return result


def prematch_run(db: Database, run_id: int, stop: threading.Event, *, poll: float = 0.25) -> int:
    """Match the titles and quotations cited with each page this run has
    fetched so far, until ``stop`` is set; returns how many were matched.

    The check starts this in a thread once every due URL has had its first
    try: the run then waits for its slowest URLs (time-outs and their
    retries), and the processor would be idle. The verdicts go where
    ``verify_run`` looks first (``_MATCHES``, by text hash, kind and text):
    the same ones it would compute, so the run's verdicts do not change, and
    ``verify_run`` has only the pages fetched after ``stop`` left to match.
    It stops at half the size of ``_MATCHES``, so that what it matched is
    not cleared before ``verify_run`` reads it.
    """
    matched = 0
    last = 0
    pages: _Pages | None = None
    while not stop.is_set() and len(_MATCHES) < _MAX_MATCHES // 2:
        # one short transaction a batch: the next one sees what was written since
        with db.session() as session:
            if pages is None:
                pages = _Pages(session)
            pages.session = session
            fetched = session.execute(
                select(Check.id, Check.url_id, Check.content_hash)
                .where(
                    Check.run_id == run_id,
                    Check.id > last,
                    Check.content_hash.is_not(None),
                    Check.status.in_(sorted(LIVE)),
                )
                .order_by(Check.id)
                .limit(_BATCH)
            ).all()
            if fetched:
                last = fetched[-1].id
                matched += _prematch_batch(session, pages, fetched, stop)
        if not fetched:
            stop.wait(poll)
    return matched


def _prematch_batch(
    session: Session,
    pages: _Pages,
    fetched: Iterable[Any],
    stop: threading.Event,
) -> int:
    """``prematch_run`` for one batch of checks: (id, URL id, text hash) rows."""
    hashes = {row.url_id: row.content_hash for row in fetched}
    cited = session.execute(
        select(CitationUrl.url_id, Quote.kind, Quote.text)
        .join(Quote, Quote.citation_id == CitationUrl.citation_id)
        .where(CitationUrl.url_id.in_(list(hashes)))
    ).all()
    matched = 0
    # one page text after the other: each is loaded (and prepared) once
    for url_id, kind, text in sorted(cited, key=lambda row: hashes[row.url_id]):
        if stop.is_set():
            break
        content_hash = hashes[url_id]
        if not (text or "").strip() or (content_hash, kind, text) in _MATCHES:
            continue
        page = pages.get(content_hash)
        if page is None:
            continue
        _match(content_hash, page, kind, text)
        matched += 1
    return matched


def drifted_url_ids(db: Database, run_id: int) -> set[int]:
    """URLs whose live text lacks a title or quotation of a citation citing them.

    Only URLs whose latest check reached the page count: a failing URL goes
    to the archive stage for its status anyway. ``run_id`` is the run the
    pipeline is in; the latest check of a URL not due in this run (checked
    recently) is used as it is.
    """
    drifted: set[int] = set()
    with db.session() as session:
        pages = _Pages(session)
        for targets in _target_pages(session):
            live = _live_hashes(session, (t.url_id for t in targets))
            # the targets of one page text one after the other: each text is
            # loaded (and prepared for matching) once per page of citations
            for target in sorted(targets, key=lambda t: live.get(t.url_id) or ""):
                content_hash = live.get(target.url_id)
                if target.url_id in drifted or content_hash is None:
                    continue
                page = pages.get(content_hash)
                if (
                    page is not None
                    and not _match(content_hash, page, target.kind, target.text).found
                ):
                    drifted.add(target.url_id)
    return drifted


def _with_copies(session: Session, url_ids: Iterable[int]) -> set[int]:
    """Those of ``url_ids`` with a stored copy that has text."""
    found: set[int] = set()
    for chunk in _chunks(sorted(url_ids)):
        found.update(
            session.scalars(
                select(Snapshot.url_id)
                .where(in_ids(session, Snapshot.url_id, chunk), Snapshot.content_hash.is_not(None))
                .distinct()
            )
        )
    return found


def _row(run_id: int, target: _Target, result: MatchResult, **extra: Any) -> dict[str, Any]:
    row = {
        "run_id": run_id,
        "quote_id": target.quote_id,
        "quote_key": target.key,
        "url_id": target.url_id,
        "verdict": str(result.verdict),
        "score": float(result.score),
        "method": result.method[:32],
        "source": None,
        "snapshot_id": None,
        "content_hash": None,
        "passage": result.passage,
        "passage_start": result.start,
        "passage_end": result.end,
        "context": result.context,
        "reason": result.reason,
        "matched_at": utcnow(),
    }
    row.update(extra)
    return row


def _verdict(
    session: Session,
    run_id: int,
    target: _Target,
    live_hash: str | None,
    pages: _Pages,
    snapshots: dict[tuple[int, dt.date | None], Snapshot | None],
    archived_copy: SnapshotFinder | None,
) -> tuple[dict[str, Any], bool]:
    """The match row for one (quote, URL), and whether the archive was used."""
    # A verdict already known for this text (matched while the run was still
    # fetching, see ``prematch_run``) needs no page loaded.
    live = _MATCHES.get((live_hash, target.kind, target.text)) if live_hash else None
    if live is None:
        live_page = pages.get(live_hash)
        if live_page is not None and live_hash is not None:
            live = _match(live_hash, live_page, target.kind, target.text)
    if live is not None and live.found:
        return _row(run_id, target, live, source="live", content_hash=live_hash), False
    key = (target.url_id, target.accessed)
    if key not in snapshots:
        snapshots[key] = (
            archived_copy(session, target.url_id, target.accessed) if archived_copy else None
        )
    snapshot = snapshots[key]
    archived_page = pages.get(snapshot.content_hash) if snapshot is not None else None
    if snapshot is not None and archived_page is not None and snapshot.content_hash:
        archived = _match(snapshot.content_hash, archived_page, target.kind, target.text)
        extra = {
            "source": "archive",
            "snapshot_id": snapshot.id,
            "content_hash": snapshot.content_hash,
        }
        if archived.found:
            note = f"not in the live page ({live.reason})" if live and live.reason else None
            if live is None:
                note = "no live page text; found in the archived copy"
            row = _row(run_id, target, archived, **extra)
            row.update(verdict=str(Verdict.ARCHIVE_ONLY), reason=note)
            return row, True
        if live is None:
            return _row(run_id, target, archived, **extra), True
        row = _row(run_id, target, live, source="live", content_hash=live_hash)
        row["reason"] = f"{live.reason or 'not found'}; not in the archived copy either"
        return row, True
    if live is not None:
        return _row(run_id, target, live, source="live", content_hash=live_hash), False
    from verifier.match.matcher import MatchResult

    unchecked = MatchResult(
        Verdict.UNCHECKED,
        0.0,
        "none",
        reason="no page text to match: the link did not return the page and no archived copy",
    )
    return _row(run_id, target, unchecked), False


_FOUND_ORDER = (Verdict.EXACT.value, Verdict.FUZZY.value, Verdict.ARCHIVE_ONLY.value)


def _credit_other_sources(session: Session, rows: list[dict[str, Any]]) -> None:
    """A note that gives several sources ("CGTN, '...', <url1>; Xinhua, '...',
    <url2>") supports its title and quotations if one of them holds the text:
    a quote found through one of its URLs is not ``absent`` on the others,
    where it takes the best verdict with the source named in the reason.
    Without this a correct multi-source note would fail a nightly run."""
    by_quote: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_quote.setdefault(row["quote_id"], []).append(row)
    credited: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for group in by_quote.values():
        if len(group) < 2:
            continue
        found = [r for r in group if r["verdict"] in _FOUND_ORDER]
        if not found:
            continue
        best = min(found, key=lambda r: (_FOUND_ORDER.index(r["verdict"]), -r["score"]))
        credited += [(r, best) for r in group if r["verdict"] == Verdict.ABSENT.value]
    if not credited:
        return
    url_ids = sorted({best["url_id"] for _, best in credited})
    urls: dict[int, str] = {}
    for chunk in _chunks(url_ids):
        rows_ = session.execute(select(Url.id, Url.url).where(Url.id.in_(chunk)))
        urls.update({url_id: url for url_id, url in rows_})
    for row, best in credited:
        own_reason = row["reason"] or "not found"
        row.update({k: v for k, v in best.items() if k not in ("url_id", "quote_id", "quote_key")})
        row["method"] = "other_source"
        row["reason"] = (
            f"found in another source of this note ({urls.get(best['url_id'], '?')}); "
            f"here: {own_reason}"
        )


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    """The one place match rows are written (``verify_run`` first deletes
    the run's old rows, in the same transaction)."""
    # Core on the session's connection: the ORM's bulk insert costs more per
    # row than the database does.
    connection = session.connection()
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(Match), rows[start : start + _BATCH])


def verify_run(
    db: Database, run_id: int, *, archived_copy: SnapshotFinder | None = None
) -> VerifySummary:
    """Match every cited title and quotation against its URLs' texts and
    record the verdicts of run ``run_id`` (see the module docstring).

    ``archived_copy`` gives the archived copy chosen for a URL and accessed
    date (the archive stage's ``best_snapshot``, passed in by the pipeline so
    that matching does not import the archive stage); without it, texts are
    matched against the live pages only.

    Citations are read, matched and written a page at a time, in one
    transaction: the run's old verdicts are replaced all at once. A quote
    with nothing new since its last match (``_unchanged_quotes``) is not
    matched again: its newest match stands, and is counted in the summary
    (``carried``) but not written again."""
    summary = VerifySummary(run_id=run_id)
    verdicts: Counter[str] = Counter()
    with db.session() as session:
        session.execute(delete(Match).where(Match.run_id == run_id))
        pages = _Pages(session)
        for targets in _target_pages(session):
            latest = _latest_checks(session, (t.url_id for t in targets))
            live = _live_of(latest)
            unchanged = _unchanged_quotes(session, run_id, targets, latest)
            carried = [m for group in unchanged.values() for m in group]
            for match in carried:
                verdicts[match.verdict] += 1
            summary.matches += len(carried)
            summary.carried += len(carried)
            # URLs without a stored copy have no copy to choose: one query
            # per page instead of one per (quote, URL) not found live.
            copies = _with_copies(session, {t.url_id for t in targets})
            snapshots: dict[tuple[int, dt.date | None], Snapshot | None] = {
                (t.url_id, t.accessed): None for t in targets if t.url_id not in copies
            }
            rows = []
            for target in sorted(targets, key=lambda t: live.get(t.url_id) or ""):
                if target.quote_id in unchanged:
                    continue
                row, archive_used = _verdict(
                    session,
                    run_id,
                    target,
                    live.get(target.url_id),
                    pages,
                    snapshots,
                    archived_copy,
                )
                rows.append(row)
                summary.archive_used += archive_used
            _credit_other_sources(session, rows)
            for row in rows:
                verdicts[row["verdict"]] += 1
            _write(session, rows)
            summary.matches += len(rows)
    summary.verdicts = dict(verdicts)
    return summary
