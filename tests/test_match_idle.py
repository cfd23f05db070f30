"""A ``check`` with nothing new matches nothing and writes nothing (issue
16): a quote whose URLs were not checked again and got no archive lookup
since its last match keeps its verdicts, which stand as of the new run
without being written again; only quotes with something new (a new check, a
new quote) are matched, and only their verdicts are new rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from citing import Note, archive_settings, cite
from fake_archive import FakeArchives
from loopback import LoopbackWeb, article
from sqlalchemy import func, select, update

import verifier.match.verify as verify
from verifier.check import run_check
from verifier.match import standing_match_ids
from verifier.report import diff_runs
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Match, Quote, Url

SETTINGS = Settings(allow_private_hosts=True, archive=False, retries=0, min_interval=0.0)

# accessed after the archived copy of 1 Feb 2023
MARCH = dt.date(2023, 3, 1)

PAGE = article(
    "Grain deal extended for 120 days",
    "The deal was extended for 120 days, the ministry said on Monday.",
)


@pytest.fixture
def matched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The quote texts matched (``_verdict`` computed), in order."""
    calls: list[str] = []
    original = verify._verdict

    def counting(session: Any, run_id: int, target: Any, *args: Any) -> Any:
        calls.append(target.text)
        return original(session, run_id, target, *args)

    monkeypatch.setattr(verify, "_verdict", counting)
    return calls


def _rows(db: Database, run_id: int) -> dict[tuple[str, int], tuple[Any, ...]]:
    """The verdicts that stand as of run ``run_id``."""
    with db.session() as session:
        rows = session.execute(
            select(
                Quote.text,
                Match.url_id,
                Match.verdict,
                Match.source,
                Match.score,
                Match.passage,
                Match.reason,
                Match.quote_key,
            )
            .join(Quote, Quote.id == Match.quote_id)
            .where(Match.id.in_(standing_match_ids(run_id)))
        ).all()
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def _written(db: Database, run_id: int) -> int:
    """The match rows run ``run_id`` wrote."""
    with db.session() as session:
        return session.scalar(select(func.count()).where(Match.run_id == run_id)) or 0


def test_a_check_with_nothing_due_matches_nothing(
    db: Database, loopback: LoopbackWeb, matched: list[str]
) -> None:
    live = loopback.add_page("/grain", PAGE)
    other = loopback.add_page("/other", PAGE)
    gone = loopback.add_page("/gone", "<h1>Not Found</h1>", status=404)
    cite(
        db,
        [
            Note(live, "Grain deal extended for 120 days", ["extended for 120 days"]),
            Note(other, None, ["exports of 3 million tonnes"]),
            Note(gone, None, ["the ministry said on Monday"]),
        ],
    )
    first = run_check(db, SETTINGS)
    assert first.stages["match"]["carried"] == 0
    assert len(matched) == first.stages["match"]["matches"] > 0
    before = _rows(db, first.run_id)
    assert _written(db, first.run_id) == len(before)

    matched.clear()
    second = run_check(db, SETTINGS)
    assert second.checked == 0
    assert matched == []  # no quote matched again
    assert second.stages["match"]["carried"] == second.stages["match"]["matches"] == len(before)
    assert second.stages["match"]["verdicts"] == first.stages["match"]["verdicts"]
    # every verdict stands as it was, and none was written again
    assert _rows(db, second.run_id) == before
    assert _written(db, second.run_id) == 0
    assert not diff_runs(db).changed

    # a new citation: only its quote is matched (and written), the others stand
    fresh = loopback.add_page("/fresh", PAGE)
    cite(db, [Note(fresh, None, ["extended for 120 days"])], document="other.md")
    matched.clear()
    third = run_check(db, SETTINGS)
    assert third.checked == 1
    assert matched == ["extended for 120 days"]
    after = _rows(db, third.run_id)
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(before) + 1
    assert _written(db, third.run_id) == 1


def test_a_url_checked_again_has_its_quotes_matched_again(
    db: Database, loopback: LoopbackWeb, matched: list[str]
) -> None:
    live = loopback.add_page("/grain", PAGE)
    cite(db, [Note(live, None, ["extended for 120 days"])])
    first = run_check(db, SETTINGS)
    assert first.stages["match"]["verdicts"] == {"exact": 1}
    matched.clear()
    again = run_check(db, SETTINGS, recheck=True)
    assert again.checked == 1
    assert matched == ["extended for 120 days"]
    assert again.stages["match"]["carried"] == 0


_IMPORTS_AT_EXIT = """
import atexit, sys
heavy = (
    "httpx",
    "httpcore",
    "verifier.fetch.engine",
    "sqlalchemy.dialects.postgresql",
    # the page-text parser (read only when an archived copy is), the worker
    # pool (only for large pages), pydantic (typer 0.29 validates with it)
    "lxml.etree",
    "multiprocessing",
    "pydantic",
)
atexit.register(lambda: print("LOADED", sorted(m for m in heavy if m in sys.modules)))
sys.argv = ["verifier", *sys.argv[1:]]
from verifier.cli import main
main()
"""


def test_a_check_with_nothing_due_loads_no_network_code(
    tmp_path: Any, loopback: LoopbackWeb
) -> None:
    """A second ``check`` with nothing due is a few queries: it does not
    import httpx, the fetch engine, another database's dialect, lxml,
    multiprocessing or pydantic (start-up time is most of what it costs)."""
    import subprocess
    import sys

    path = tmp_path / "idle.db"
    db = Database(str(path))
    live = loopback.add_page("/grain", PAGE)
    cite(db, [Note(live, "Grain deal extended for 120 days", ["extended for 120 days"])])
    first = run_check(db, Settings(allow_private_hosts=True, retries=0, min_interval=0.0))
    assert first.checked == 1
    db.engine.dispose()
    command = [sys.executable, "-c", _IMPORTS_AT_EXIT, "check", "--db", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "0 URLs checked" in done.stdout
    assert "LOADED []" in done.stdout
    # the same command with a URL due does load them
    cite(db, [Note(loopback.add_page("/new", PAGE), None, ["extended"])], document="new.md")
    db.engine.dispose()
    command += ["--allow-private-hosts"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert "1 URLs checked" in done.stdout or "1 URL checked" in done.stdout, done.stdout
    assert "'httpx'" in done.stdout


def test_a_lookup_that_found_no_copy_changes_no_verdict(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, matched: list[str]
) -> None:
    """The archive stage runs after the matching: a dead link's lookup comes
    after its quote's verdict. A lookup that found nothing cannot change the
    copy a verdict is matched against, so the next ``check`` (the first one
    after an audit) matches nothing again; a lookup that found a copy does."""
    gone = loopback.add_page("/gone", "<h1>Not Found</h1>", status=404)
    kept = loopback.add_page("/kept", "<h1>Not Found</h1>", status=404)
    cite(
        db,
        [
            Note(gone, None, ["the ministry said on Monday"], MARCH),
            Note(kept, None, ["extended for 120 days"], MARCH),
        ],
    )
    settings = archive_settings(fake, retries=0)
    first = run_check(db, settings)
    assert first.stages["archive"]["not_found"] == 2
    assert first.stages["match"]["verdicts"] == {"unchecked": 2}

    matched.clear()
    second = run_check(db, settings)
    assert second.checked == 0
    assert matched == []
    assert _written(db, second.run_id) == 0
    assert second.stages["match"]["carried"] == 2

    # a copy is found for one of them when it is due again: its quote is
    # matched against it, the other's verdict stands
    fake.add_capture(kept, "20230201000000", PAGE)
    with db.session() as session:
        session.execute(update(Url).where(Url.url == kept).values(last_checked_at=None))
    matched.clear()
    third = run_check(db, settings)
    assert third.checked == 1
    assert matched == ["extended for 120 days", "extended for 120 days"]
    assert _rows(db, third.run_id)[("extended for 120 days", 2)][:2] == ("archive_only", "archive")
    assert _rows(db, third.run_id)[("the ministry said on Monday", 1)][0] == "unchecked"

    # the copy was matched in the run that found it: the next run has nothing new
    matched.clear()
    fourth = run_check(db, settings)
    assert fourth.checked == 0
    assert matched == []
    assert _written(db, fourth.run_id) == 0
    assert _rows(db, fourth.run_id) == _rows(db, third.run_id)
