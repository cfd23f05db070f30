"""Opening the database from the command line: never an accidental new
database, never a traceback, never a password on screen (issue 13), and no
verifier tables added to someone else's SQLite file (issue 17)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from verifier.cli import app
from verifier.store import database as database_module
from verifier.store.database import Database, DatabaseError, display_name, mask

runner = CliRunner()

NOTE = "The quay.[^1]\n\n[^1]: “The old quay”, <{url}>, accessed 5 March 2023.\n"


def write_doc(folder: Path, name: str = "quay.md", url: str = "https://example.org/q") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTE.format(url=url), "utf-8")
    return path


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [["report"], ["status"], ["check", "--no-archive"], ["remove", "x.md"], ["db", "upgrade"]],
)
def test_only_ingest_and_audit_create_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*command, "--db", "nonexist.db"])
    assert result.exit_code == 2, result.output
    line = one_line_error(result.output)
    assert "nonexist.db" in line and "does not exist" in line
    assert not (tmp_path / "nonexist.db").exists()


def test_input_error_leaves_no_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.md").write_text("no notes at all\n", "utf-8")
    result = runner.invoke(app, ["ingest", "missing.md", "--db", "new.db"])
    assert result.exit_code == 2
    assert not list(tmp_path.glob("new.db*"))
    result = runner.invoke(app, ["audit", "missing.md", "--db", "new2.db", "--no-archive"])
    assert result.exit_code == 2
    assert not list(tmp_path.glob("new2.db*"))
    result = runner.invoke(app, ["audit", "quay.md", "-o", "no/such/dir/r.html", "--db", "n5.db"])
    assert result.exit_code == 2 and "'no/such/dir' does not exist" in result.output
    assert not list(tmp_path.glob("n5.db*"))
    # audit with one good and one bad document writes nothing, not even a database.
    write_doc(tmp_path)
    result = runner.invoke(
        app, ["audit", "quay.md", "missing.md", "--db", "new4.db", "--no-archive"]
    )
    assert result.exit_code == 2
    assert not list(tmp_path.glob("new4.db*"))
    # ingest stores a good document even when another fails: the database stays.
    write_doc(tmp_path)
    result = runner.invoke(app, ["ingest", "quay.md", "missing.md", "--db", "new3.db"])
    assert result.exit_code == 2 and (tmp_path / "new3.db").exists()


def test_a_file_that_is_not_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    article = write_doc(tmp_path, "article.md")
    before = article.read_bytes()
    for command in (["status"], ["report"], ["ingest", "article.md"]):
        result = runner.invoke(app, [*command, "--db", "article.md"])
        assert result.exit_code == 2
        line = one_line_error(result.output)
        assert "article.md" in line and "not a database" in line
    assert article.read_bytes() == before


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "shop.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
    write_doc(tmp_path)
    result = runner.invoke(app, ["ingest", str(tmp_path / "quay.md"), "--db", str(foreign)])
    assert result.exit_code == 2
    assert "not verifier's" in one_line_error(result.output)
    with sqlite3.connect(foreign) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert tables == {"orders"}
    # An empty SQLite file is fine: it becomes a verifier database.
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert empty.exists()
    result = runner.invoke(app, ["ingest", str(tmp_path / "quay.md"), "--db", str(empty)])
    assert result.exit_code == 0, result.output


def test_read_only_database_can_be_read_not_written(tmp_path: Path) -> None:
    db_path = tmp_path / "sources.db"
    write_doc(tmp_path)
    assert (
        runner.invoke(app, ["ingest", str(tmp_path / "quay.md"), "--db", str(db_path)]).exit_code
        == 0
    )
    # Read-only as a read-only mount makes it (root may write any file).
    readonly = Database(str(db_path), readonly=True, create=False)
    assert readonly.readonly
    with readonly.session() as session:
        assert session.execute(text("SELECT count(*) FROM documents")).scalar() == 1
    readonly.dispose()
    ro_url = f"sqlite:///file:{db_path}?mode=ro&uri=true"
    result = runner.invoke(app, ["report", "--db", ro_url])
    assert result.exit_code == 0, result.output
    assert "https://example.org/q" in result.stdout
    assert runner.invoke(app, ["status", "--db", ro_url]).exit_code == 0
    write_doc(tmp_path, "other.md", "https://example.org/other")
    result = runner.invoke(app, ["ingest", str(tmp_path / "other.md"), "--db", ro_url])
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert "readonly" in line and "database" in line


def test_read_only_file_opens_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file this process may not write is opened read-only (``status`` and
    ``report`` work) instead of failing on the first pragma."""
    db_path = tmp_path / "sources.db"
    write_doc(tmp_path)
    assert (
        runner.invoke(app, ["ingest", str(tmp_path / "quay.md"), "--db", str(db_path)]).exit_code
        == 0
    )
    real_access = database_module.os.access
    monkeypatch.setattr(
        database_module.os,
        "access",
        lambda path, mode: False if mode == database_module.os.W_OK else real_access(path, mode),
    )
    result = runner.invoke(app, ["report", "--db", str(db_path)])
    assert result.exit_code == 0 and "https://example.org/q" in result.stdout


def test_passwords_are_never_printed() -> None:
    url = "postgresql://postgres:s3cret@127.0.0.1:1/verifier"
    assert "s3cret" not in display_name(url) and "***" in display_name(url)
    assert mask("connection to postgres:s3cret failed", url) == "connection to postgres:*** failed"
    for command in (["db", "upgrade"], ["status"], ["report"]):
        result = runner.invoke(app, [*command, "--db", url])
        assert result.exit_code == 2
        line = one_line_error(result.output)
        assert "s3cret" not in result.output and "***" in line


def test_db_upgrade_does_not_echo_the_password(pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(password="s3cret")
    result = runner.invoke(
        app, ["db", "upgrade", "--db", url.render_as_string(hide_password=False)]
    )
    assert "s3cret" not in result.output


def test_disk_full_during_check_stops_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: object
) -> None:
    """SQLITE_FULL (a real one, from a page limit) while checks are written:
    one line, exit 2, and no more fetching."""
    from loopback import LoopbackWeb

    assert isinstance(loopback, LoopbackWeb)
    import random

    rng = random.Random(7)
    words = ["quay", "river", "harbour", "ledger", "tide", "crane", "berth", "cargo"]
    urls = [
        loopback.add_page(f"/full/{i}", "<p>" + " ".join(rng.choices(words, k=3000)) + "</p>")
        for i in range(40)
    ]
    doc = tmp_path / "many.md"
    doc.write_text(
        "Text."
        + "".join(f"[^{i}]" for i in range(40))
        + "\n\n"
        + "".join(f"[^{i}]: Page {i}, <{u}>.\n" for i, u in enumerate(urls)),
        "utf-8",
    )
    db_path = tmp_path / "sources.db"
    assert runner.invoke(app, ["ingest", str(doc), "--db", str(db_path)]).exit_code == 0
    pages = sqlite3.connect(db_path).execute("PRAGMA page_count").fetchone()[0]
    original = database_module._sqlite_pragmas

    def full_disk(dbapi_connection, record):  # type: ignore[no-untyped-def]
        original(dbapi_connection, record)
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    monkeypatch.setattr(database_module, "_sqlite_pragmas", full_disk)
    result = runner.invoke(
        app,
        [
            "check",
            "--db",
            str(db_path),
            "--allow-private-hosts",
            "--no-archive",
            "--concurrency",
            "2",
            "--timeout",
            "2",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "full" in errors[0] and "sources.db" in errors[0]
    fetched = sum(loopback.hits(f"/full/{i}") for i in range(40))
    assert fetched < 40


def test_database_error_class_is_exit_2() -> None:
    assert DatabaseError("x").exit_code == 2


def test_a_shared_postgresql_schema(pg_url: str) -> None:
    """On PostgreSQL, other programs' tables may share the schema; a table
    with one of verifier's names but no verifier schema is refused."""
    from sqlalchemy import create_engine

    from verifier.store.database import database_url

    engine = create_engine(database_url(pg_url))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id integer)"))
    Database(pg_url).dispose()  # fine: verifier's tables join it
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    with pytest.raises(DatabaseError, match="not verifier's"):
        Database(pg_url)
    engine.dispose()


def test_an_sqlite_url_is_a_file_too(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--db", f"sqlite:///{tmp_path}/typo.db"])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "typo.db").exists()


def test_other_database_servers_are_refused_in_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--db", "mysql://root@127.0.0.1/test"])
    assert result.exit_code == 2
    line = one_line_error(result.output)
    assert "SQLite file or PostgreSQL, not mysql" in line
