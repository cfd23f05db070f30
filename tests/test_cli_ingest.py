"""``verifier ingest`` end to end: the five seeds with exact counts, bad input,
re-ingesting, changed files, and text encodings. In-process (typer's
CliRunner) and as a subprocess (``python -m verifier``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SEEDS, seed
from sqlalchemy import func, select
from typer.testing import CliRunner

from verifier.cli import app
from verifier.errors import DocumentError
from verifier.store.database import Database
from verifier.store.models import Attribution, Citation, CitationUrl, Document, Quote, Url

# Per seed: citations, (citation, URL) links, distinct URLs, citations
# without a URL, unsourced attributions.
EXPECTED = {
    0: (89, 80, 73, 13, 1),
    1: (119, 0, 0, 119, 0),
    2: (0, 0, 0, 0, 3),
    3: (0, 0, 0, 0, 9),
    4: (0, 0, 0, 0, 0),
}

runner = CliRunner()


def ingest(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["ingest", *args])
    return result.exit_code, result.stdout, result.stderr


def counts(db_url: str, path: str) -> tuple[int, int, int, int, int]:
    db = Database(db_url)
    try:
        with db.session() as session:
            doc = session.scalars(select(Document).where(Document.path == path)).one()
            citations = session.scalars(
                select(Citation).where(Citation.document_id == doc.id)
            ).all()
            links = [link for c in citations for link in c.links]
            return (
                len(citations),
                len(links),
                len({link.url_id for link in links}),
                sum(1 for c in citations if not c.links),
                len(doc.attributions),
            )
    finally:
        db.dispose()


def snapshot(db_url: str) -> dict[str, object]:
    """Everything ingest writes, to compare before and after."""
    db = Database(db_url)
    try:
        with db.session() as session:
            return {
                "documents": session.execute(
                    select(
                        Document.id, Document.path, Document.sha256, Document.ingested_at
                    ).order_by(Document.id)
                ).all(),
                "citations": session.execute(
                    select(Citation.id, Citation.label, Citation.title).order_by(Citation.id)
                ).all(),
                "links": session.execute(
                    select(CitationUrl.id, CitationUrl.url_id).order_by(CitationUrl.id)
                ).all(),
                "urls": session.execute(select(Url.id, Url.url).order_by(Url.id)).all(),
                "quotes": session.scalar(select(func.count()).select_from(Quote)),
                "attributions": session.execute(
                    select(Attribution.id).order_by(Attribution.id)
                ).all(),
            }
    finally:
        db.dispose()


def test_ingest_the_five_seeds_in_process(db_url: str) -> None:
    code, out, err = ingest(str(SEEDS), "--db", db_url)
    assert code == 0, err
    assert out.count("new") == 5
    for number, expected in EXPECTED.items():
        path = os.path.normpath(str(seed(number)))
        assert counts(db_url, path) == expected, number
    assert "(89 citations, 73 URLs, 1 unsourced attributions)" in out


def test_ingest_as_a_subprocess(db_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "verifier", "ingest", str(seed(0)), str(seed(3)), "--db", db_url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "89 citations" in result.stdout
    assert counts(db_url, os.path.normpath(str(seed(0)))) == EXPECTED[0]
    assert counts(db_url, os.path.normpath(str(seed(3)))) == EXPECTED[3]
    status = subprocess.run(
        [sys.executable, "-m", "verifier", "status", "--db", db_url],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    assert "said Temur Umarov" in status.stdout


def test_bad_input_is_named_and_the_rest_is_ingested(db_url: str, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    shutil.copy(seed(0), good)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    undecodable = tmp_path / "undecodable.txt"
    undecodable.write_bytes(b"\xff\xfe" + "Notes".encode("utf-16-le") + b"\x00\xd8")
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "image.png").write_bytes(b"\x89PNG\r\n")
    missing = tmp_path / "missing.txt"

    code, out, err = ingest(
        str(missing), str(empty), str(binary), str(undecodable), str(nothing), str(good),
        "--db", db_url,
    )  # fmt: skip
    assert code == 2
    assert f"new  {good}" in out
    flat = " ".join(err.split())
    assert f"{missing}: no such file" in flat
    assert f"{empty}: file is empty" in flat
    assert f"{binary}: binary file" in flat
    assert f"{undecodable}: invalid utf-16 text" in flat
    assert f"{nothing}: folder contains no documents" in flat
    assert "5 of 6 files failed" in flat
    assert counts(db_url, str(good)) == EXPECTED[0]
    db = Database(db_url)
    try:
        with db.session() as session:
            assert session.scalars(select(Document.path)).all() == [str(good)]
    finally:
        db.dispose()


def test_reingest_unchanged_changes_nothing(db_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "article.txt"
    shutil.copy(seed(0), doc)
    assert ingest(str(doc), "--db", db_url)[0] == 0
    before = snapshot(db_url)
    code, out, _ = ingest(str(doc), "--db", db_url)
    assert code == 0
    assert out.split()[0] == "unchanged"
    assert snapshot(db_url) == before


def test_changed_file_replaces_citations_and_keeps_urls(db_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "article.txt"
    text = seed(0).read_text(encoding="utf-8")
    doc.write_text(text, encoding="utf-8")
    assert ingest(str(doc), "--db", db_url)[0] == 0
    before = snapshot(db_url)

    # Drop note 89 and its marker: a changed document with 88 notes.
    changed = text.replace("Alibaba, Huawei and Xiaomi.89", "Alibaba, Huawei and Xiaomi.")
    changed = changed[: changed.index("\n89. Sahkalp")] + "\n\nLeave a comment\n"
    doc.write_text(changed, encoding="utf-8")
    code, out, err = ingest(str(doc), "--db", db_url)
    assert code == 0, err
    assert out.split()[0] == "replaced"
    after = snapshot(db_url)
    assert after["urls"] == before["urls"]  # URL rows and their ids survive
    assert len(after["citations"]) == 88
    assert [c[1] for c in after["citations"]] == [str(n) for n in range(1, 89)]
    assert [d[0] for d in after["documents"]] == [d[0] for d in before["documents"]]

    # A URL no longer cited by any document is still there, with its id.
    doc.write_text(text.split("\nNotes\n")[0], encoding="utf-8")
    assert ingest(str(doc), "--db", db_url)[0] == 0
    assert snapshot(db_url)["urls"] == before["urls"]
    assert counts(db_url, str(doc))[0] == 0


def _russian_article() -> str:
    """A Cyrillic body (Windows-1251) with two notes taken from seed 000."""
    notes = seed(0).read_text(encoding="utf-8").split("\nNotes\n")[1]
    note22 = next(line for line in notes.split("\n") if line.startswith("22. "))
    return (
        "Киргизия должна войти в Таможенный союз, заявил бывший министр Омуралиев.1 По его "
        "словам, вступление в союз поможет экономике страны и откроет рынки для местных "
        "производителей. Эксперты отмечают, что китайские товары вытесняют местных торговцев "
        "с рынков Бишкека.\n\nNotes\n\n1." + note22[3:] + "\n"
    )


@pytest.mark.parametrize(
    ("name", "number", "encode", "notes"),
    [
        ("utf8.txt", 0, lambda t: t.encode("utf-8"), 89),
        ("utf8-bom.txt", 0, lambda t: t.encode("utf-8-sig"), 89),
        ("utf16.txt", 0, lambda t: t.encode("utf-16"), 89),
        ("utf16le-no-bom.txt", 0, lambda t: t.encode("utf-16-le"), 89),
        ("cp1252.txt", 3, lambda t: t.encode("cp1252"), 0),
        ("cp1251.txt", None, lambda t: t.encode("cp1251"), 1),
    ],
)
def test_encodings(
    db_url: str,
    tmp_path: Path,
    name: str,
    number: int | None,
    encode: Callable[[str], bytes],
    notes: int,
) -> None:
    text = _russian_article() if number is None else seed(number).read_text(encoding="utf-8")
    doc = tmp_path / name
    doc.write_bytes(encode(text))
    code, _, err = ingest(str(doc), "--db", db_url)
    assert code == 0, err
    db = Database(db_url)
    try:
        with db.session() as session:
            stored = session.scalars(select(Document).where(Document.path == str(doc))).one()
            assert len(stored.citations) == notes
            if number == 3:
                assert any("Temur Umarov" in a.sentence for a in stored.attributions)
                assert len(stored.attributions) == EXPECTED[3][4]
            if number is None:
                first = stored.citations[0]
                assert first.sentence == (
                    "Киргизия должна войти в Таможенный союз, заявил бывший министр Омуралиев."
                )
                assert first.title == "E. Omuraliyev: Kyrgyzstan dolzhen voyti v Tamozhennyy soyuz"
            if number == 0:
                titles = [c.title for c in stored.citations]
                assert "Zhōng, é, hā, jí, tǎ wǔ guó huìwù" in titles
    finally:
        db.dispose()


def test_failure_half_way_leaves_the_database_as_it_was(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "article.txt"
    shutil.copy(seed(0), doc)
    assert ingest(str(doc), "--db", db_url)[0] == 0
    before = snapshot(db_url)

    import verifier.ingest

    real_store = verifier.ingest.store_document

    def store_then_fail(*args: object, **kwargs: object) -> object:
        real_store(*args, **kwargs)  # type: ignore[arg-type]
        raise DocumentError(str(doc), "disk full (simulated after the rows were written)")

    monkeypatch.setattr(verifier.ingest, "store_document", store_then_fail)
    doc.write_text(seed(3).read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = ingest(str(doc), "--db", db_url)
    assert code == 2
    assert "disk full" in err
    assert snapshot(db_url) == before
