"""``verifier fix`` from the command line, and what it refuses: Word and PDF
files (the report lists their archived copies), and fixing while offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from citing import archive_settings, cite
from fake_archive import FakeArchives
from fixing import dead_with_copy
from loopback import LoopbackWeb
from rich.console import Console
from sqlalchemy import update
from test_fetch_dns import resolver_for
from typer.testing import CliRunner

from verifier.check import run_check
from verifier.cli import app
from verifier.cli.upkeep import print_fix
from verifier.fix import DEFAULT_STATUSES, FixOptions, FixResult, fix_document, fix_paths
from verifier.store.database import Database
from verifier.store.models import Document


def test_diff_then_write_then_nothing(
    loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead, copy = dead_with_copy(loopback, fake, "/quay")
    for name, value in {**fake.settings_env(), "VERIFIER_ARCHIVE_RATE": "50"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "quay.md"
    before = f"The quay.[^1]\n\n[^1]: “Old quay”, <{dead}>.\n"
    doc.write_text(before, "utf-8")
    runner = CliRunner()
    # fix re-ingests its documents, but only ingest and audit create a database
    assert runner.invoke(app, ["ingest", "quay.md", "--db", "s.db"]).exit_code == 0
    base = ["fix", "quay.md", "--db", "s.db", "--allow-private-hosts", "--timeout", "2"]

    shown = runner.invoke(app, base)
    assert shown.exit_code == 1, shown.output
    assert f"+[^1]: “Old quay”, <{dead}>, archived at <{copy}> on 1 March 2022.\n" in shown.stdout
    assert "--- a/quay.md\n+++ b/quay.md\n" in shown.stdout
    assert doc.read_text("utf-8") == before

    written = runner.invoke(app, [*base, "--write", "--date-style", "iso"])
    assert written.exit_code == 0, written.output
    assert doc.read_text("utf-8") == before.replace(
        f"<{dead}>", f"<{dead}>, archived at <{copy}> on 2022-03-01"
    )
    assert (tmp_path / "quay.md.bak").read_text("utf-8") == before
    assert "quay.md: 1 archived (backup: quay.md.bak)" in written.output

    again = runner.invoke(app, base)
    assert again.exit_code == 0, again.output
    assert again.stdout == "" and "nothing to fix" in again.output

    bad = runner.invoke(app, [*base, "--status", "dead,gone"])
    assert bad.exit_code == 2 and "--status 'dead,gone'" in bad.output
    bad = runner.invoke(app, [*base, "--template", "{nope}"])
    assert bad.exit_code == 2 and "--template" in bad.output


@pytest.mark.parametrize(("name", "kind"), [("paper.docx", "docx"), ("paper.pdf", "pdf")])
def test_word_and_pdf_point_to_the_report(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, name: str, kind: str
) -> None:
    dead, _ = dead_with_copy(loopback, fake, f"/{kind}")
    cite(db, [dead], document=name)
    with db.session() as session:
        session.execute(update(Document).values(format=kind))
    run_check(db, archive_settings(fake, timeout=2.0))
    result = fix_document(db, name, DEFAULT_STATUSES, FixOptions(), write=True)
    assert result.message is not None and not result.placed and result.pending == 1
    assert f"verifier report --document {name}" in result.message
    if kind == "docx":
        assert result.message.startswith("not supported for .docx: use the report")


def test_offline_fixes_nothing(db: Database, fake: FakeArchives, tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    before = "X.[^1]\n\n[^1]: <http://quay.example.org/gone>\n"
    doc.write_text(before, "utf-8")
    result = fix_paths(
        db,
        [str(doc)],
        archive_settings(fake, timeout=2.0, retries=0),
        statuses=DEFAULT_STATUSES,
        write=True,
        check=lambda d, s: run_check(d, s, fetcher_options={"resolver": resolver_for({})}),
    )
    assert result.offline is not None and "nothing is fixed" in result.offline
    assert not result.documents and doc.read_text("utf-8") == before
    console = Console(file=open(tmp_path / "err.txt", "w"), width=200)  # noqa: SIM115
    assert print_fix(console, console, result, write=True) == 3
    console.file.close()
    assert "no network" in (tmp_path / "err.txt").read_text()


def test_save_live_asks_for_captures_of_live_links_only(
    db: Database, loopback: LoopbackWeb, tmp_path: Path
) -> None:
    # An archive of its own: the module's remembers what other tests saved.
    with FakeArchives() as fake:
        _save_live_only(db, loopback, fake, tmp_path)


def _save_live_only(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives, tmp_path: Path
) -> None:
    dead, _ = dead_with_copy(loopback, fake, "/saved-dead")
    live = loopback.add_page("/saved-live", "<title>Live</title><p>Here today.</p>")
    doc = tmp_path / "save.md"
    doc.write_text(f"A.[^1] B.[^2]\n\n[^1]: <{dead}>\n[^2]: <{live}>\n", "utf-8")

    def fix(**changes: object) -> FixResult:
        return fix_paths(
            db,
            [str(doc)],
            archive_settings(fake, timeout=2.0, retries=0, **changes),
            statuses=DEFAULT_STATUSES,
            save_live=True,
            save_poll_interval=0.01,
        )

    without_keys = fix()
    assert (
        without_keys.save_message is not None and "save_page_now_auth" in without_keys.save_message
    )
    assert fake.saved == []
    result = fix(save_page_now_auth=fake.save_auth)
    assert [(s.url, s.outcome) for s in result.saved] == [(live, "saved")]
    assert fake.saved == [live]
    # the dead link is fixed all the same
    assert result.changes == 1
