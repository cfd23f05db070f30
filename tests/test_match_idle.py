"""A ``check`` with nothing new matches nothing (issue 16): a quote whose
URLs were not checked again and got no archive lookup since its last match
keeps its verdicts, copied into the run as they were; only quotes with
something new (a new check, a new quote) are matched."""

from __future__ import annotations

from typing import Any

import pytest
from citing import Note, cite
from loopback import LoopbackWeb, article
from sqlalchemy import select

import verifier.match.verify as verify
from verifier.check import run_check
from verifier.report import diff_runs
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Match, Quote

SETTINGS = Settings(allow_private_hosts=True, archive=False, retries=0, min_interval=0.0)

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
            .where(Match.run_id == run_id)
        ).all()
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


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

    matched.clear()
    second = run_check(db, SETTINGS)
    assert second.checked == 0
    assert matched == []  # no quote matched again
    assert second.stages["match"]["carried"] == second.stages["match"]["matches"] == len(before)
    assert second.stages["match"]["verdicts"] == first.stages["match"]["verdicts"]
    # every verdict carried into the new run as it was
    assert _rows(db, second.run_id) == before
    assert not diff_runs(db).changed

    # a new citation: only its quote is matched, the others are carried
    fresh = loopback.add_page("/fresh", PAGE)
    cite(db, [Note(fresh, None, ["extended for 120 days"])], document="other.md")
    matched.clear()
    third = run_check(db, SETTINGS)
    assert third.checked == 1
    assert matched == ["extended for 120 days"]
    after = _rows(db, third.run_id)
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(before) + 1


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
