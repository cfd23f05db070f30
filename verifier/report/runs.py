"""What changed between two runs: the nightly question.

Every ``check`` is a ``Run``; every fetch a ``Check`` row, every comparison a
``Match`` row, all kept. The state of a link "as of run R" is its latest
check in a run up to R (a link skipped as recently checked keeps its older
state), and likewise for a title or quotation's verdict. Comparing the
state as of the newest run with the state as of an earlier one (by default
the run before it) gives:

* newly broken: a failed check now, where the link was fine or never
  checked before;
* recovered: fine now, where the link had failed;
* newly drifted: a title or quotation absent or only in the archive now,
  where it was found (or not compared) before.

A title or quotation is followed by its identity (``quote_key``: its
document, its kind and its text), not by its row: re-ingesting a changed
document replaces the rows but keeps the verdicts, so a quotation absent
before and after an edit elsewhere in its document is not news. Only links
and quotes still cited by an ingested document are listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from verifier.errors import InputError
from verifier.store.database import Database
from verifier.store.models import (
    Check,
    Citation,
    CitationUrl,
    Document,
    Match,
    Quote,
    Run,
    Url,
    quote_key,
)
from verifier.vocabulary import ATTENTION, FINE, MISSING

__all__ = ["LinkChange", "RunDiff", "RunInfo", "TextChange", "diff_runs", "list_runs"]


@dataclass(frozen=True)
class RunInfo:
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    checks: int


@dataclass(frozen=True)
class LinkChange:
    url: str
    before: str | None
    after: str
    error: str | None
    failures_in_a_row: int
    # (document, note) pairs that cite the link.
    cited_by: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TextChange:
    document: str
    note: str
    kind: str
    text: str
    url: str
    before: str | None
    after: str
    reason: str | None


@dataclass
class RunDiff:
    """Changes from the state as of ``since`` to the state as of ``run``."""

    run: RunInfo | None
    since: RunInfo | None
    newly_broken: list[LinkChange] = field(default_factory=list)
    recovered: list[LinkChange] = field(default_factory=list)
    newly_drifted: list[TextChange] = field(default_factory=list)
    still_broken: int = 0
    # Failing now, but fewer than ``min_failures`` checks in a row.
    waiting: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.newly_broken or self.recovered or self.newly_drifted)


def _run_info(session: Session, run: Run) -> RunInfo:
    checks = session.scalar(select(func.count()).where(Check.run_id == run.id)) or 0
    return RunInfo(run.id, run.started_at, run.finished_at, checks)


def list_runs(db: Database, limit: int = 10) -> list[RunInfo]:
    """The newest runs first."""
    with db.session() as session:
        runs = session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)).all()
        return [_run_info(session, run) for run in runs]


def _link_states(session: Session, upto: int | None) -> dict[int, Check]:
    """Each cited URL's latest check in a run up to ``upto`` (none: empty)."""
    if upto is None:
        return {}
    cited = select(CitationUrl.url_id).distinct()
    newest = (
        select(func.max(Check.id))
        .where(Check.run_id <= upto, Check.url_id.in_(cited))
        .group_by(Check.url_id)
    )
    return {c.url_id: c for c in session.scalars(select(Check).where(Check.id.in_(newest)))}


def _verdicts(session: Session, upto: int | None) -> dict[tuple[str, int], Match]:
    """Each (quote identity, URL)'s latest match in a run up to ``upto``."""
    if upto is None:
        return {}
    newest = (
        select(func.max(Match.id))
        .where(Match.run_id <= upto)
        .group_by(Match.quote_key, Match.url_id)
    )
    return {
        (m.quote_key, m.url_id): m
        for m in session.scalars(select(Match).where(Match.id.in_(newest)))
    }


@dataclass(frozen=True)
class _Cited:
    path: str
    label: str
    kind: str
    text: str
    order: tuple[str, int, int]


def _cited_quotes(session: Session) -> dict[tuple[str, int], list[_Cited]]:
    """The titles and quotations cited now, by (quote identity, URL)."""
    cited: dict[tuple[str, int], list[_Cited]] = {}
    for kind, text, position, path, label, citation_position, url_id in session.execute(
        select(
            Quote.kind,
            Quote.text,
            Quote.position,
            Document.path,
            Citation.label,
            Citation.position,
            CitationUrl.url_id,
        )
        .join(Citation, Citation.id == Quote.citation_id)
        .join(Document, Document.id == Citation.document_id)
        .join(CitationUrl, CitationUrl.citation_id == Citation.id)
    ):
        cited.setdefault((quote_key(path, kind, text), url_id), []).append(
            _Cited(path, label, kind, text, (path, citation_position, position))
        )
    return cited


def _citations_of(session: Session, url_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    if not url_ids:
        return found
    for url_id, path, label in session.execute(
        select(CitationUrl.url_id, Document.path, Citation.label)
        .join(Citation, Citation.id == CitationUrl.citation_id)
        .join(Document, Document.id == Citation.document_id)
        .where(CitationUrl.url_id.in_(url_ids))
        .order_by(Document.path, Citation.position)
    ):
        found.setdefault(url_id, []).append((path, label))
    return found


def _streaks(session: Session, url_ids: list[int], upto: int | None) -> dict[int, int]:
    """Each URL's failed checks in a row, counted back from its latest check
    in a run up to ``upto``."""
    streaks: dict[int, int] = {}
    if upto is None:
        return streaks
    for start in range(0, len(url_ids), 500):
        chunk = url_ids[start : start + 500]
        ended: set[int] = set()
        for url_id, status in session.execute(
            select(Check.url_id, Check.status)
            .where(Check.url_id.in_(chunk), Check.run_id <= upto)
            .order_by(Check.url_id, Check.id.desc())
        ):
            if url_id in ended:
                continue
            if status in ATTENTION:
                streaks[url_id] = streaks.get(url_id, 0) + 1
            else:
                ended.add(url_id)
    return streaks


def diff_runs(
    db: Database, *, since: int | None = None, run: int | None = None, min_failures: int = 1
) -> RunDiff:
    """What changed from run ``since`` (default: the run before ``run``) to
    run ``run`` (default: the newest run).

    With ``min_failures`` N, a link counts as broken once it has failed N
    checks in a row: "newly broken" is then the night it reaches N, so a
    nightly job alerts once per link, not every night it stays down.
    """
    with db.session() as session:
        latest = session.get(Run, run) if run is not None else None
        if run is not None and latest is None:
            raise InputError(f"run {run} does not exist")
        if latest is None:
            latest = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).first()
        if latest is None:
            if since is not None:
                raise InputError(f"--since {since}: no run has been recorded yet")
            return RunDiff(run=None, since=None)
        if since is not None:
            earlier = session.get(Run, since)
            if earlier is None:
                raise InputError(f"--since {since}: no such run (the newest is {latest.id})")
            if earlier.id >= latest.id:
                raise InputError(f"--since {since}: must be older than run {latest.id}")
        else:
            earlier = session.scalars(
                select(Run).where(Run.id < latest.id).order_by(Run.id.desc()).limit(1)
            ).first()
        diff = RunDiff(
            run=_run_info(session, latest),
            since=_run_info(session, earlier) if earlier is not None else None,
        )
        after = _link_states(session, latest.id)
        before = _link_states(session, earlier.id if earlier is not None else None)
        broken: list[tuple[int, str | None, Check]] = []
        healed: list[tuple[int, str | None, Check]] = []
        failing_now = sorted(u for u, c in after.items() if c.status in ATTENTION)
        streak_now: dict[int, int] = {}
        streak_then: dict[int, int] = {}
        if min_failures > 1:
            streak_now = _streaks(session, failing_now, latest.id)
            failing_then = sorted(u for u, c in before.items() if c.status in ATTENTION)
            streak_then = _streaks(session, failing_then, earlier.id if earlier else None)
        for url_id, check in after.items():
            old = before.get(url_id)
            old_status = old.status if old is not None else None
            was_alerting = old_status in ATTENTION and streak_then.get(url_id, 1) >= min_failures
            if check.status in ATTENTION:
                alerting = streak_now.get(url_id, 1) >= min_failures
                if not alerting:
                    diff.waiting += 1
                elif was_alerting:
                    diff.still_broken += 1
                else:
                    broken.append((url_id, old_status, check))
            elif check.status in FINE and was_alerting:
                # (With min_failures, a link never reported is not "recovered".)
                healed.append((url_id, old_status, check))
        changed = [u for u, _, _ in broken + healed]
        citing = _citations_of(session, changed)
        urls = (
            {u.id: u for u in session.scalars(select(Url).where(Url.id.in_(changed)))}
            if changed
            else {}
        )
        for items, target in ((broken, diff.newly_broken), (healed, diff.recovered)):
            for url_id, old_status, check in items:
                target.append(
                    LinkChange(
                        url=urls[url_id].url,
                        before=old_status,
                        after=check.status,
                        error=check.error,
                        failures_in_a_row=streak_now.get(
                            url_id, urls[url_id].failures_in_a_row or 0
                        ),
                        cited_by=tuple(citing.get(url_id, [])),
                    )
                )
            target.sort(key=lambda c: (c.cited_by[:1], c.url))

        now = _verdicts(session, latest.id)
        then = _verdicts(session, earlier.id if earlier is not None else None)
        drifted = [
            (key, match)
            for key, match in now.items()
            if match.verdict in MISSING
            and (then[key].verdict if key in then else None) not in MISSING
        ]
        if drifted:
            cited = _cited_quotes(session)
            drifted = [(key, match) for key, match in drifted if key in cited]
            url_ids = sorted({url_id for (_, url_id), _ in drifted})
            url_text: dict[int, str] = {}
            for start in range(0, len(url_ids), 500):
                chunk = url_ids[start : start + 500]
                for url_id, url in session.execute(
                    select(Url.id, Url.url).where(Url.id.in_(chunk))
                ):
                    url_text[url_id] = url
            pending: list[tuple[tuple[str, int, int], TextChange]] = []
            for key, match in drifted:
                earlier_match = then.get(key)
                for quote in cited[key]:
                    change = TextChange(
                        document=quote.path,
                        note=quote.label,
                        kind=quote.kind,
                        text=quote.text,
                        url=url_text[key[1]],
                        before=earlier_match.verdict if earlier_match is not None else None,
                        after=match.verdict,
                        reason=match.reason,
                    )
                    pending.append((quote.order, change))
            pending.sort(key=lambda item: item[0])
            diff.newly_drifted = [change for _, change in pending]
        return diff
