"""Verdicts outlive a re-ingest (issue 17, item 6): every verdict is kept,
and a title or quotation keeps its history when its document changes
around it, so ``status`` does not report an old absence as new drift."""

from __future__ import annotations

from pathlib import Path

import pytest
from loopback import LoopbackWeb, Page, article
from sqlalchemy import func, select

from verifier.check import run_check
from verifier.ingest import ingest_paths
from verifier.report import diff_runs
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Match, Quote, quote_key

SETTINGS = Settings(allow_private_hosts=True, archive=False, retries=0, min_interval=0.0)


def _write(path: Path, heading: str, notes: str) -> None:
    path.write_text(f"# {heading}\n\n{notes}", "utf-8")


@pytest.fixture
def harbour(loopback: LoopbackWeb, tmp_path: Path) -> tuple[Path, str, str]:
    quay = loopback.add_page(
        "/news/quay", article("Quay repairs", "The quay was repaired in May by the council.")
    )
    fish = loopback.add_sequence(
        "/news/fish",
        [
            Page(200, article("Fish prices", "Herring prices doubled in one winter.")),
            Page(200, article("Fish prices", "This story has been updated.")),
        ],
    )
    return tmp_path / "harbour.md", quay, fish


def _notes(quay: str, fish: str, *, extra: str = "") -> str:
    return (
        f"{extra}The quay “was rebuilt in two weeks”.[^1] "
        "Herring prices “doubled in one winter”.[^2]\n\n"
        f"[^1]: “Quay repairs”, <{quay}>.\n"
        f"[^2]: “Fish prices”, <{fish}>.\n"
    )


def _matches(db: Database, run_id: int) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).where(Match.run_id == run_id)) or 0


def test_an_absent_quote_is_not_newly_drifted_after_an_edit_elsewhere(
    db: Database, harbour: tuple[Path, str, str]
) -> None:
    path, quay, fish = harbour
    _write(path, "Harbour notes", _notes(quay, fish))
    assert ingest_paths(db, [str(path)]).ok
    first = run_check(db, SETTINGS)
    kept = _matches(db, first.run_id)
    assert kept == 4  # two titles, two quotations

    # only the heading changes: the document is re-ingested and replaced
    _write(path, "Harbour notes, revised", _notes(quay, fish))
    result = ingest_paths(db, [str(path)])
    assert [d.action for d in result.stored] == ["replaced"]
    assert _matches(db, first.run_id) == kept  # every earlier verdict is kept

    second = run_check(db, SETTINGS, recheck=True)
    diff = diff_runs(db)
    assert diff.since is not None and diff.since.id == first.run_id
    # The quay quotation was absent both times: no news. The fish quotation
    # was found before and is gone now: drift, with its history across the
    # re-ingest.
    assert [(t.note, t.kind, t.text, t.before, t.after) for t in diff.newly_drifted] == [
        ("2", "quotation", "doubled in one winter", "exact", "absent")
    ]
    assert _matches(db, second.run_id) == kept


def test_history_follows_the_text_not_the_note_number(
    db: Database, harbour: tuple[Path, str, str], loopback: LoopbackWeb
) -> None:
    path, quay, fish = harbour
    _write(path, "Harbour notes", _notes(quay, fish))
    assert ingest_paths(db, [str(path)]).ok
    first = run_check(db, SETTINGS)
    # A new note before the others renumbers them; a changed quotation is a
    # new quotation, with no history of its own.
    other = loopback.add_page("/news/other", article("Tides", "Tides were high."))
    notes = (
        f"Tides “were high”.[^1] The quay “was repaired in May”.[^2] "
        "Herring prices “doubled in one winter”.[^3]\n\n"
        f"[^1]: “Tides”, <{other}>.\n"
        f"[^2]: “Quay repairs”, <{quay}>.\n"
        f"[^3]: “Fish prices”, <{fish}>.\n"
    )
    _write(path, "Harbour notes", notes)
    assert ingest_paths(db, [str(path)]).ok
    run_check(db, SETTINGS, recheck=True)
    diff = diff_runs(db, since=first.run_id)
    assert [(t.note, t.text, t.before, t.after) for t in diff.newly_drifted] == [
        ("3", "doubled in one winter", "exact", "absent")
    ]


def test_a_quotation_no_longer_cited_is_not_listed(
    db: Database, harbour: tuple[Path, str, str]
) -> None:
    path, quay, fish = harbour
    _write(path, "Harbour notes", _notes(quay, fish))
    assert ingest_paths(db, [str(path)]).ok
    run_check(db, SETTINGS)
    run_check(db, SETTINGS, recheck=True)
    assert [t.text for t in diff_runs(db).newly_drifted] == ["doubled in one winter"]
    # the drifted quotation is taken out of the document
    _write(path, "Harbour notes", _notes(quay, fish).replace("“doubled in one winter”", "rose"))
    assert ingest_paths(db, [str(path)]).ok
    assert diff_runs(db).newly_drifted == []


def test_quote_key() -> None:
    key = quote_key("doc.md", "quotation", "Doubled  in one\nwinter")
    assert key == quote_key("doc.md", "quotation", "doubled in one winter")
    assert key != quote_key("other.md", "quotation", "doubled in one winter")
    assert key != quote_key("doc.md", "title", "doubled in one winter")
    assert key != quote_key("doc.md", "quotation", "doubled in one summer")
    assert len(key) == 64


def test_every_match_has_the_key_of_its_quote(db: Database, harbour: tuple[Path, str, str]) -> None:
    path, quay, fish = harbour
    _write(path, "Harbour notes", _notes(quay, fish))
    assert ingest_paths(db, [str(path)]).ok
    run_check(db, SETTINGS)
    with db.session() as session:
        rows = session.execute(
            select(Match.quote_key, Quote.kind, Quote.text).join(Quote, Quote.id == Match.quote_id)
        ).all()
    assert len(rows) == 4
    assert all(k == quote_key(str(path), kind, text) for k, kind, text in rows)


def test_migration_keys_existing_verdicts_and_keeps_them(db_url: str) -> None:
    """A database of revision 0004 with a verdict: the upgrade gives the
    verdict its quote's key, and deleting the quote no longer deletes it."""
    from alembic import command
    from sqlalchemy import text

    from verifier.store.database import alembic_config

    old = Database(db_url, upgrade=False)
    with old.engine.begin() as conn:
        cfg = alembic_config(old.engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    with old.engine.begin() as conn:
        for statement in (
            "INSERT INTO documents (id, path, format, sha256, size_bytes, ingested_at) "
            "VALUES (1, 'essay.md', 'markdown', 'x', 0, '2026-01-01')",
            "INSERT INTO citations (id, document_id, label, position, kind, raw_text) "
            "VALUES (1, 1, '1', 0, 'note', 'note one')",
            "INSERT INTO urls (id, url_hash, url, host, first_seen, failures_in_a_row) "
            "VALUES (1, 'h', 'http://example.org/', 'example.org', '2026-01-01', 0)",
            "INSERT INTO quotes (id, citation_id, kind, text, position) "
            "VALUES (1, 1, 'quotation', 'Prices  doubled', 0)",
            "INSERT INTO runs (id, started_at) VALUES (1, '2026-01-02')",
            "INSERT INTO matches (run_id, quote_id, url_id, verdict, score, method, matched_at) "
            "VALUES (1, 1, 1, 'absent', 40.0, 'partial_ratio', '2026-01-02')",
        ):
            conn.execute(text(statement))
    old.dispose()

    upgraded = Database(db_url)
    with upgraded.session() as session:
        match = session.scalars(select(Match)).one()
        assert match.quote_key == quote_key("essay.md", "quotation", "prices doubled")
        session.execute(text("DELETE FROM citations WHERE id = 1"))
    with upgraded.session() as session:
        kept = session.scalars(select(Match)).one()
        assert kept.quote_id is None and kept.verdict == "absent"
    upgraded.dispose()
