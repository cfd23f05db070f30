"""The check pipeline behind ``verifier check``: one run over every URL due.

A URL is checked when at least one citation cites it and it is due: never
checked, or last checked more than ``settings.stale_after`` seconds ago
(``recheck=True`` checks every cited URL). It is fetched once however many
documents cite it (URLs are stored normalised, one row each). A URL matching
an ``exclude`` pattern is recorded as ``excluded`` without a request.

Every run is a ``runs`` row; every check a ``checks`` row (see
``verifier.fetch.writer`` for how results are written and what survives a
crash). A run killed before it finished (``finished_at`` empty) is resumed by
the next ``check``: it carries on with the URLs that have no check in it
yet. Ctrl-C ends the run cleanly: what was checked is kept, and the run is
closed with ``"interrupted": true`` in its summary.

Stages after fetching (see ``_later_stages``): match the live text, archive
fallback for failing or drifted URLs, match the archived text.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Check, CitationUrl, LinkStatus, Run, Snapshot, Url, utcnow

if TYPE_CHECKING:
    from verifier.archive import ArchiveStage
    from verifier.fetch import FetchResult
    from verifier.match import VerifySummary

__all__ = ["CheckResult", "Progress", "close_run", "due_condition", "open_run", "run_check"]

logger = logging.getLogger(__name__)

# URLs read from the database at a time.
_PAGE = 500
# Runs with at least this many URLs due match while they wait for their
# slowest URLs (``_fetch_due``); in a smaller one the wait is short.
_PREMATCH_FROM = 200

# done, total, counts per status so far
Progress = Callable[[int, int, Mapping[str, int]], None]


@dataclass
class CheckResult:
    """What a run did: the CLI prints it, ``audit`` turns it into an exit code."""

    run_id: int
    # Cited URLs that were due and were checked in this run (incl. excluded).
    checked: int = 0
    # Cited URLs not due (checked less than ``stale_after`` ago).
    fresh: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False
    resumed: bool = False
    elapsed_seconds: float = 0.0
    # Of which fetching (the later stages take the rest).
    fetch_seconds: float = 0.0
    # Filled by the later stages when they run: the match of titles and
    # quotations (the last pass), and the archive fallback.
    match: VerifySummary | None = None
    archive: ArchiveStage | None = None
    # No URL got an answer and the DNS canary does not resolve: no network,
    # nothing was judged (the CLI's exit code 3).
    offline: bool = False
    # What the run could not do, one line each (an archive that could not
    # be reached): the reports' rows say it per URL, this says it once.
    warnings: list[str] = field(default_factory=list)

    @property
    def stages(self) -> dict[str, Any]:
        """The later stages' figures, as the run's JSON summary keeps them."""
        stages: dict[str, Any] = {}
        if self.match is not None:
            stages["match"] = self.match.as_dict()
        if self.archive is not None:
            stages["archive"] = self.archive.as_dict()
        return stages

    def summary(self) -> dict[str, Any]:
        stages = self.stages
        return {
            "checked": self.checked,
            "fresh": self.fresh,
            "statuses": dict(sorted(self.counts.items())),
            "interrupted": self.interrupted,
            "resumed": self.resumed,
            **({"offline": True} if self.offline else {}),
            "elapsed_seconds": round(self.elapsed_seconds, 2),
            "fetch_seconds": round(self.fetch_seconds, 2),
            **({"stages": stages} if stages else {}),
            **({"warnings": self.warnings} if self.warnings else {}),
        }


def _options(settings: Settings, recheck: bool) -> dict[str, Any]:
    return {
        "recheck": recheck,
        "concurrency": settings.concurrency,
        "per_host": settings.per_host,
        "min_interval": settings.min_interval,
        "timeout": settings.timeout,
        "retries": settings.retries,
        "stale_after": settings.stale_after,
        "archive": settings.archive,
        "archive_all": settings.archive_all,
        "archive_today": settings.archive_today,
        "allow_private_hosts": settings.allow_private_hosts,
    }


def _start_run(
    db: Database,
    settings: Settings,
    recheck: bool,
    extra_options: Mapping[str, Any] | None = None,
) -> tuple[int, bool, dt.datetime]:
    """A new run, or the newest unfinished one (a crashed ``check``) to resume.

    Returns the run id, whether it is resumed, and the due-date cutoff."""
    with db.session() as session:
        unfinished = session.scalars(
            select(Run).where(Run.finished_at.is_(None)).order_by(Run.id.desc()).limit(1)
        ).first()
        if unfinished is not None:
            options = json.loads(unfinished.options or "{}")
            options["resumed_at"] = utcnow().isoformat()
            unfinished.options = json.dumps(options)
            return unfinished.id, True, unfinished.started_at
        options = {**_options(settings, recheck), **dict(extra_options or {})}
        run = Run(started_at=utcnow(), options=json.dumps(options))
        session.add(run)
        session.flush()
        return run.id, False, run.started_at


def _due(run_id: int, cutoff: dt.datetime, recheck: bool) -> ColumnElement[bool]:
    cited = exists().where(CitationUrl.url_id == Url.id)
    done = exists().where(and_(Check.run_id == run_id, Check.url_id == Url.id))
    condition = and_(cited, ~done)
    if not recheck:
        condition = and_(
            condition, or_(Url.last_checked_at.is_(None), Url.last_checked_at < cutoff)
        )
    return condition


def run_check(
    db: Database,
    settings: Settings,
    *,
    recheck: bool = False,
    progress: Progress | None = None,
    fetcher_options: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Check every cited URL that is due; returns what the run did.

    ``fetcher_options`` go to ``Fetcher`` (tests pass a resolver).
    """
    started = time.perf_counter()
    run_id, resumed, due = open_run(db, settings, recheck)
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(Url).where(due)) or 0
        cited = (
            session.scalar(
                select(func.count())
                .select_from(Url)
                .where(exists().where(CitationUrl.url_id == Url.id))
            )
            or 0
        )
        already = (
            session.scalar(select(func.count()).select_from(Check).where(Check.run_id == run_id))
            or 0
        )
    result = CheckResult(run_id=run_id, resumed=resumed, fresh=max(0, cited - total - already))
    logger.info(
        "run %d%s: %d URLs due, %d checked recently",
        run_id,
        " (resumed)" if resumed else "",
        total,
        result.fresh,
    )
    if total:
        _fetch_due(db, settings, result, due, progress, total, fetcher_options)
    close_run(db, settings, result, started=started)
    return result


def _fetch_due(
    db: Database,
    settings: Settings,
    result: CheckResult,
    due: ColumnElement[bool],
    progress: Progress | None,
    total: int,
    fetcher_options: Mapping[str, Any] | None,
) -> None:
    """Fetch the URLs ``due`` selects (``total`` of them) into ``result``'s run.

    Only a run with URLs due loads the fetch stage (httpx, the SSL context):
    a second ``check`` with nothing due is a few queries."""
    from verifier.fetch import Fetcher, fetch_urls
    from verifier.fetch.loop import run as run_loop
    from verifier.fetch.writer import CheckWriter

    run_id = result.run_id
    counts: Counter[str] = Counter()

    # Once every due URL has had its first try and a worker is idle, the run
    # waits for its slowest URLs (time-outs, retries): the titles and
    # quotations of the pages fetched so far are matched meanwhile, in a
    # thread.
    stop_matching = threading.Event()
    matching: list[threading.Thread] = []

    def start_matching() -> None:
        thread = threading.Thread(
            target=_prematch,
            args=(db, run_id, stop_matching),
            name="verifier-prematch",
            daemon=True,
        )
        thread.start()
        matching.append(thread)

    async def jobs() -> AsyncIterator[tuple[int, str]]:
        last_id = 0
        while True:
            page = await asyncio.to_thread(_page, db, due, last_id)
            if not page:
                return
            for url_id, url in page:
                last_id = url_id
                if settings.is_excluded(url):
                    await record(url_id, _excluded(url))
                    continue
                yield url_id, url

    writer = CheckWriter(db, run_id)

    async def record(url_id: int, fetched: FetchResult) -> None:
        logger.debug(
            "%s: %s%s%s",
            fetched.url,
            fetched.status,
            f" (HTTP {fetched.http_status})" if fetched.http_status else "",
            f": {fetched.error}" if fetched.error else "",
        )
        await writer.add(url_id, fetched)
        counts[str(fetched.status)] += 1
        if progress is not None:
            progress(sum(counts.values()), total, counts)

    answered = False

    async def record_answer(url_id: int, fetched: FetchResult) -> None:
        nonlocal answered
        answered = answered or fetched.status not in _NO_ANSWER
        await record(url_id, fetched)

    async def fetch_all() -> None:
        async with writer, Fetcher(settings, **dict(fetcher_options or {})) as fetcher:
            await fetch_urls(
                fetcher,
                jobs(),
                record_answer,
                on_tail=start_matching if total >= _PREMATCH_FROM else None,
            )
            if not answered and counts.get(LinkStatus.DNS_ERROR.value):
                result.offline = not await fetcher.guard.resolver_works()

    fetch_started = time.perf_counter()
    try:
        run_loop(fetch_all())
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        stop_matching.set()
        for thread in matching:
            thread.join()
    result.fetch_seconds = time.perf_counter() - fetch_started
    logger.info("fetched %d URLs in %.1f s", sum(counts.values()), result.fetch_seconds)
    result.checked = sum(counts.values())
    result.counts = dict(counts)


def open_run(
    db: Database,
    settings: Settings,
    recheck: bool,
    *,
    extra_options: Mapping[str, Any] | None = None,
) -> tuple[int, bool, ColumnElement[bool]]:
    """A new run, or the newest unfinished one to resume: its id, whether it
    is resumed, and the condition selecting the URLs still due in it.

    ``extra_options`` are recorded in a new run's options (the work queue
    marks its runs with ``"queue": true``)."""
    run_id, resumed, run_started = _start_run(db, settings, recheck, extra_options)
    if resumed:
        with db.session() as session:
            options = json.loads(session.get(Run, run_id).options or "{}")  # type: ignore[union-attr]
        recheck = recheck or bool(options.get("recheck"))
    cutoff = run_started - dt.timedelta(seconds=settings.stale_after)
    return run_id, resumed, _due(run_id, cutoff, recheck)


def due_condition(db: Database, run_id: int, settings: Settings) -> ColumnElement[bool]:
    """The URLs still due in run ``run_id`` (by its start time and options)."""
    with db.session() as session:
        run = session.get(Run, run_id)
        assert run is not None
        options = json.loads(run.options or "{}")
        cutoff = run.started_at - dt.timedelta(seconds=settings.stale_after)
    return _due(run_id, cutoff, bool(options.get("recheck")))


def _prematch(db: Database, run_id: int, stop: threading.Event) -> None:
    """``prematch_run``, quietly: it only saves ``verify_run`` time, so a
    failure (the database busy, say) leaves the matching to it."""
    from verifier.match import prematch_run

    try:
        prematch_run(db, run_id, stop)
    except Exception:
        logger.debug("matching during the fetch stopped", exc_info=True)


def close_run(
    db: Database, settings: Settings, result: CheckResult, *, started: float | None = None
) -> None:
    """Run the later stages (unless the run was interrupted) and close the
    run: ``finished_at`` and its JSON summary. ``started`` is the
    ``time.perf_counter()`` of the invocation, for its elapsed time."""
    if not result.interrupted and not result.offline:
        _later_stages(db, settings, result)
    if started is not None:
        result.elapsed_seconds = time.perf_counter() - started
    with db.session() as session:
        run = session.get(Run, result.run_id)
        assert run is not None
        run.finished_at = utcnow()
        run.summary = json.dumps(_run_summary(session, result.run_id, result))


# Statuses that say nothing about the page: the request got no answer, or
# none was made.
_NO_ANSWER = frozenset(
    {
        LinkStatus.DNS_ERROR.value,
        LinkStatus.CONNECTION_ERROR.value,
        LinkStatus.TIMEOUT.value,
        LinkStatus.EXCLUDED.value,
        LinkStatus.INVALID_URL.value,
        LinkStatus.REFUSED_PRIVATE.value,
    }
)


def _later_stages(db: Database, settings: Settings, result: CheckResult) -> None:
    """The stages that work on this run's checks, in this order:

    1. match the live text: titles and quotations against the text of each
       check in ``result.run_id`` (``verifier.match``);
    2. archive fallback (``verifier.archive``), unless ``settings.archive`` is
       off: for URLs whose check failed (any status but ok/redirected), for
       citations whose title or quotation was not found live (content drift),
       or for every citation with ``settings.archive_all``;
    3. match the archived text of the snapshots found in step 2.

    Each stage reads what it needs from the database by run id and returns
    its figures (``result.match``, ``result.archive``) for the run summary.
    """
    from verifier.match import verify_run

    # 1. match the live text (and copies stored by earlier runs); the archive
    #    step reads the absent verdicts to find drifted pages
    logger.info("matching titles and quotations against the live pages")
    result.match = verify_run(db, result.run_id, archived_copy=_best_snapshot)
    # 2. archive fallback
    if settings.archive:
        from verifier.archive import archive_stage, archive_warnings

        logger.info("looking up archived copies")
        stage = result.archive = archive_stage(db, settings, result.run_id)
        result.warnings += archive_warnings(stage)
        # 3. match again with the copies found in this run (live verdicts
        #    are cached); copies stored before were matched in step 1
        if stage.found_copies:
            result.match = verify_run(db, result.run_id, archived_copy=_best_snapshot)


def _best_snapshot(session: Session, url_id: int, accessed: dt.date | None) -> Snapshot | None:
    """``verifier.archive.best_snapshot``, the archive stage loaded only when
    a quote is not found live and its URL has a stored copy (never in a run
    whose every verdict stands from an earlier one)."""
    from verifier.archive import best_snapshot

    return best_snapshot(session, url_id, accessed)


def _run_summary(session: Any, run_id: int, result: CheckResult) -> dict[str, Any]:
    """The run's JSON summary: counts over all its checks (also a resumed
    run's earlier part) plus what this invocation did."""
    rows = session.execute(
        select(Check.status, func.count()).where(Check.run_id == run_id).group_by(Check.status)
    ).all()
    summary = result.summary()
    summary["run_statuses"] = {status: count for status, count in sorted(rows)}
    return summary


def _page(db: Database, due: ColumnElement[bool], last_id: int) -> list[tuple[int, str]]:
    with db.session() as session:
        rows = session.execute(
            select(Url.id, Url.url).where(due, Url.id > last_id).order_by(Url.id).limit(_PAGE)
        ).all()
    return [(row[0], row[1]) for row in rows]


def _excluded(url: str) -> FetchResult:
    from verifier.fetch import FetchResult

    return FetchResult(
        url=url,
        status=LinkStatus.EXCLUDED,
        error="matches an exclude pattern: not fetched",
        attempts=0,
    )
