"""One ``verifier ingest`` call over a folder holding every format, good files
and bad ones: each bad file is named with its reason (exit code 2) and every
other file is still ingested, in-process and as a subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from verifier.cli import app
from verifier.parse import reading
from verifier.store.database import Database
from verifier.store.models import Citation, CitationUrl, Document

DATA = Path(__file__).parent / "data" / "formats"
runner = CliRunner()

GOOD = {
    # file in the folder: (format, citations)
    "essay.md": ("markdown", 16),  # policyengine-vance-ctc.md: 2 notes + 14 links
    "award.wiki": ("wikitext", 2),  # AACTA award article: 2 refs
    "endorsements.html": ("html", 47),  # fivethirtyeight: 4 notes + 43 links
    "notes.docx": ("docx", 7),  # 3 footnotes, 2 endnotes, 2 links
    "article.pdf": ("pdf", 4),  # 3 notes + 1 link annotation
    "scanned.pdf": ("pdf", 0),  # ingested, with a warning
    "sloppy.html": ("html", 1),  # unclosed and stray tags: parsed leniently
}
BAD = {
    "truncated.docx": "not a valid .docx: damaged or truncated zip",
    "encrypted.pdf": "encrypted PDF: it needs a password to open",
    "words.html": "no HTML markup found: not an HTML document",
    "huge.html": "file is 2 MB, over the 1 MB limit",
}


@pytest.fixture
def mixed(corpus: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    documents = corpus / "documents"
    shutil.copy(documents / "markdown" / "policyengine-vance-ctc.md", folder / "essay.md")
    shutil.copy(
        documents / "wikitext"
        / "AACTA-Award-for-Outstanding-Achievement-in-Short-Film-Screen-Craft.wiki",
        folder / "award.wiki",
    )  # fmt: skip
    shutil.copy(
        documents / "html" / "fivethirtyeight.com.endorsement.html", folder / "endorsements.html"
    )
    for name in ("notes.docx", "article.pdf", "scanned.pdf", "truncated.docx", "encrypted.pdf"):
        shutil.copy(DATA / name, folder / name)
    (folder / "sloppy.html").write_text(
        "<html><body><p>The minister said so.<sup><a href='#n1'>1</a></sup>"
        "<p>Unclosed <b>bold <i>and</b> stray</i> tags</div>"
        "<ol><li id='n1'>See <a href='https://example.org/speech'>the speech</a>.</ol>"
    )
    (folder / "words.html").write_text("Just words saved with the wrong suffix.")
    # Over the size limit the test sets (1 MB): 2 MB of HTML.
    (folder / "huge.html").write_text("<html><body>" + "<p>padding</p>" * 150_000)
    return folder


def test_mixed_folder_in_process(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", 1_000_000)
    db_url = str(tmp_path / "sources.db")
    result = runner.invoke(app, ["ingest", str(mixed), "--db", db_url])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    for name, reason in BAD.items():
        assert f"error: {mixed / name}: {reason}" in err, name
    assert f"{len(BAD)} of {len(BAD) + len(GOOD)} files failed" in err
    assert f"warning: {mixed / 'scanned.pdf'}: no text layer" in err
    for name, (_, citations) in GOOD.items():
        assert f"new  {mixed / name}  ({citations} citations," in result.stdout

    db = Database(db_url)
    try:
        with db.session() as session:
            stored = {
                Path(path).name: (fmt, warnings)
                for path, fmt, warnings in session.execute(
                    select(Document.path, Document.format, Document.warnings)
                )
            }
            assert {name: fmt for name, (fmt, _) in stored.items()} == {
                name: fmt for name, (fmt, _) in GOOD.items()
            }
            assert "no text layer" in (stored["scanned.pdf"][1] or "")
            for name, (_, citations) in GOOD.items():
                document_id = session.scalars(
                    select(Document.id).where(Document.path == str(mixed / name))
                ).one()
                count = len(
                    session.scalars(
                        select(Citation).where(Citation.document_id == document_id)
                    ).all()
                )
                assert count == citations, name
            # The wikitext archive-url parameters are stored as known archived copies.
            archived = session.scalars(
                select(CitationUrl.archive_url).where(CitationUrl.archive_url.is_not(None))
            ).all()
            assert len([a for a in archived if "aacta.org" in a]) == 4
            assert any("webcitation.org" in a for a in archived)
    finally:
        db.dispose()

    # Unchanged files are left alone on a second run.
    again = runner.invoke(app, ["ingest", str(mixed), "--db", db_url])
    assert again.exit_code == 2
    assert again.stdout.count("unchanged") == len(GOOD)


def test_mixed_folder_as_a_subprocess(mixed: Path, tmp_path: Path) -> None:
    (mixed / "huge.html").unlink()  # the real limit is 50 MB: not written here
    result = subprocess.run(
        [sys.executable, "-m", "verifier", "ingest", str(mixed), "--db", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 2
    err = " ".join(result.stderr.split())
    assert "truncated.docx: not a valid .docx" in err
    assert "encrypted.pdf: encrypted PDF" in err
    assert "3 of 10 files failed" in err
    assert result.stdout.count("new  ") == len(GOOD)


def test_format_option_overrides_the_suffix(corpus: Path, tmp_path: Path) -> None:
    source = corpus / "documents" / "wikitext" / "toronto_star.wiki"
    renamed = tmp_path / "toronto_star.txt"
    shutil.copy(source, renamed)
    db_url = str(tmp_path / "sources.db")
    result = runner.invoke(app, ["ingest", str(renamed), "--format", "wikitext", "--db", db_url])
    assert result.exit_code == 0, result.stderr
    assert "(33 citations," in result.stdout
