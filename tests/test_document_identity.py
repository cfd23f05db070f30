"""One file is one document however its path is spelled; a moved file keeps
its history; ``verifier remove`` forgets documents but not URL history."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from verifier.cli import app
from verifier.ingest import ingest_paths
from verifier.status import status_summary
from verifier.store.database import Database
from verifier.store.models import Citation, Document, Url

runner = CliRunner()

RIVERS = (
    "Rivers move.[^1] Quays rot.[^2]\n\n"
    "[^1]: “Rivers”, <https://example.org/rivers>, accessed 5 March 2023.\n"
    "[^2]: “Quays”, <https://example.org/quays>.\n"
)


def counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        docs = session.scalar(select(func.count()).select_from(Document)) or 0
        cites = session.scalar(select(func.count()).select_from(Citation)) or 0
    return docs, cites


def test_one_file_is_one_document_however_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "rivers.md").write_text(RIVERS, "utf-8")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    first = ingest_paths(db, ["articles/rivers.md"])
    assert [s.action for s in first.stored] == ["new"]
    for spelling in [
        "./articles/rivers.md",
        str(tmp_path / "articles" / "rivers.md"),
        "articles/../articles/rivers.md",
        "articles",
    ]:
        again = ingest_paths(db, [spelling])
        assert [s.action for s in again.stored] == ["unchanged"], spelling
        assert again.stored[0].path == "articles/rivers.md"
    # A symlink to the file is the file.
    os.symlink(tmp_path / "articles" / "rivers.md", tmp_path / "link.md")
    assert [s.action for s in ingest_paths(db, ["link.md"]).stored] == ["unchanged"]
    # A cron job in another folder.
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert [s.action for s in ingest_paths(db, ["../articles/rivers.md"]).stored] == ["unchanged"]
    assert counts(db) == (1, 2)


def test_two_files_with_the_same_relative_name_stay_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "rivers.md").write_text(RIVERS.replace("Rivers", folder), "utf-8")
    monkeypatch.chdir(tmp_path / "a")
    assert ingest_paths(db, ["rivers.md"]).stored[0].path == "rivers.md"
    monkeypatch.chdir(tmp_path / "b")
    stored = ingest_paths(db, ["rivers.md"]).stored[0]
    assert stored.action == "new"
    assert stored.path == str(tmp_path / "b" / "rivers.md")
    assert counts(db) == (2, 4)


def test_a_moved_file_keeps_its_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("drafts").mkdir()
    Path("drafts/rivers.md").write_text(RIVERS, "utf-8")
    first = ingest_paths(db, ["drafts/rivers.md"]).stored[0]
    Path("published").mkdir()
    shutil.move("drafts/rivers.md", "published/rivers.md")
    moved = ingest_paths(db, ["published/rivers.md"]).stored[0]
    assert moved.action == "moved"
    assert moved.document_id == first.document_id
    assert moved.path == "published/rivers.md"
    assert counts(db) == (1, 2)
    # A copy (the original still there) is a document of its own.
    shutil.copy("published/rivers.md", "copy.md")
    assert ingest_paths(db, ["copy.md"]).stored[0].action == "new"


def test_remove_forgets_documents_but_keeps_url_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("rivers.md").write_text(RIVERS, "utf-8")
    Path("old").mkdir()
    Path("old/quays.md").write_text(RIVERS.replace("Rivers move", "Old quays"), "utf-8")
    assert runner.invoke(app, ["ingest", "rivers.md", "old", "--db", "s.db"]).exit_code == 0
    db = Database("s.db")
    Path("rivers.md").unlink()  # a deleted file can be forgotten
    result = runner.invoke(app, ["remove", "rivers.md", "--db", "s.db"])
    assert result.exit_code == 0, result.output
    assert "1 document removed" in result.stdout
    report = runner.invoke(app, ["report", "--format", "json", "--db", "s.db"])
    documents = {row["document"] for row in json.loads(report.stdout)["rows"]}
    assert documents == {os.path.join("old", "quays.md")}
    assert [d.path for d in status_summary(db).documents] == [os.path.join("old", "quays.md")]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Url)) == 2  # URL rows stay
    # A folder removes what is below it; an unknown name is an error, nothing removed.
    result = runner.invoke(app, ["remove", "old", "nothing.md", "--db", "s.db"])
    assert result.exit_code == 2 and "nothing.md" in result.output
    assert counts(db)[0] == 1
    result = runner.invoke(app, ["remove", "old/", "--db", "s.db"])
    assert result.exit_code == 0 and counts(db) == (0, 0)
    db.dispose()


def test_documents_from_before_0005_get_their_resolved_path(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0005 makes old rows' paths absolute (against the folder it
    runs in); the next ingest of the same file finds its document."""
    from alembic import command
    from sqlalchemy import text

    from verifier.store.database import alembic_config

    monkeypatch.chdir(tmp_path)
    Path("rivers.md").write_text(RIVERS, "utf-8")
    old = Database(db_url, upgrade=False)
    with old.engine.begin() as conn:
        cfg = alembic_config(old.engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    old.dispose()
    # What an older verifier stored: the path as given, twice spelled.
    import hashlib

    digest = hashlib.sha256(Path("rivers.md").read_bytes()).hexdigest()
    old = Database(db_url, upgrade=False)
    with old.engine.begin() as conn:
        for spelling in ("rivers.md", "./rivers.md"):
            conn.execute(
                text(
                    "INSERT INTO documents (path, format, sha256, size_bytes, ingested_at) "
                    "VALUES (:p, 'markdown', :s, 1, CURRENT_TIMESTAMP)"
                ),
                {"p": spelling, "s": digest},
            )
    old.dispose()
    db = Database(db_url)
    with db.session() as session:
        resolved = dict(session.execute(select(Document.path, Document.resolved_path)).all())
    assert resolved["rivers.md"] == str(tmp_path.resolve() / "rivers.md")
    assert resolved["./rivers.md"].startswith(str(tmp_path.resolve() / "rivers.md") + "#")
    stored = ingest_paths(db, [str(tmp_path / "rivers.md")]).stored[0]
    assert stored.path == "rivers.md"
    db.dispose()
