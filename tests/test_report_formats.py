"""Report rows and formats over a database filled as the check stages fill it
(tests/report_fixtures.py): the contract's CSV columns and values, JSON and
Markdown parsed back, the HTML's escaping, and the ``report`` command."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from report_fixtures import ATTR, IMG, SCRIPT, SEED_DOC, XSS_DOC, fill
from typer.testing import CliRunner

from verifier.cli import app
from verifier.errors import InputError
from verifier.parse.model import ParsedCitation, ParsedDocument, ParsedUrl
from verifier.report import (
    COLUMNS,
    ReportRow,
    report_rows,
    unsourced_attributions,
    write_csv,
    write_html,
    write_json,
    write_markdown,
)
from verifier.report.rows import worst_verdict
from verifier.store.database import Database
from verifier.store.documents import store_document

CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "contract.md"


def contract_columns() -> list[str]:
    """The column names as the contract's table lists them."""
    text = CONTRACT.read_text("utf-8")
    section = text.split("## Report columns", 1)[1].split("\n## ", 1)[0]
    return [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]


@pytest.fixture
def filled(db: Database) -> Database:
    fill(db)
    return db


def by_note(rows: list[ReportRow], document: str = SEED_DOC) -> dict[str, ReportRow]:
    return {r.note: r for r in rows if r.document == document}


def test_columns_are_the_contracts() -> None:
    assert list(COLUMNS) == contract_columns()
    assert [f for f in ReportRow.__dataclass_fields__ if f != "detail"] == list(COLUMNS)


def test_rows_cover_every_citation(filled: Database) -> None:
    rows = list(report_rows(filled))
    assert [r.document for r in rows] == [XSS_DOC] * 2 + [SEED_DOC] * 8
    seed = by_note(rows)
    assert list(seed) == ["2", "3", "5", "6", "7", "8", "9", "10"]

    assert seed["2"].status == "ok" and seed["2"].http_status == 200
    assert (seed["2"].title_match, seed["2"].quote_match) == ("exact", "exact")
    assert seed["2"].quote == "new Silk Road"
    assert seed["2"].error is None and not seed["2"].is_broken

    assert seed["3"].status == "redirected"
    assert seed["3"].final_url.endswith("/t1078088.shtml")  # type: ignore[union-attr]
    assert (seed["3"].title_match, seed["3"].match_score) == ("fuzzy", 91.5)

    dead = seed["5"]
    assert (dead.status, dead.http_status, dead.failures_in_a_row) == ("dead", 404, 3)
    assert (
        dead.failing_since is not None and dead.failing_since.isoformat() == "2026-11-18T02:00:00"
    )
    assert dead.archive_url is not None and dead.archive_url.startswith(
        "https://web.archive.org/web/20220814101500/"
    )
    assert dead.archive_date is not None and dead.archive_date.isoformat() == "2022-08-14"
    assert dead.title_match == "archive_only"
    assert dead.error == "HTTP 404 Not Found; title archive_only: only in the archived copy"

    soft = seed["6"]
    assert soft.status == "soft_404"
    assert soft.quote_match == "absent"
    # The unchecked title's score does not drag the lowest score to 0.
    assert soft.match_score == 72.0
    assert "quote absent: number differs: 30 vs 13" in (soft.error or "")

    assert seed["9"].status == "no_url" and seed["9"].url == ""
    assert seed["9"].failures_in_a_row is None
    assert seed["10"].status == "unchecked" and seed["10"].checked_at is None
    assert seed["10"].title_match == "" and seed["10"].quote_match == ""
    assert seed["7"].title_match == "unchecked"  # a title never compared


def test_only_broken_and_document(filled: Database) -> None:
    broken = list(report_rows(filled, only_broken=True))
    assert {(r.document, r.note) for r in broken} == {
        (XSS_DOC, "2"),
        *((SEED_DOC, n) for n in ("5", "6", "7", "8", "9", "10")),
    }
    only_seed = list(report_rows(filled, document="./" + SEED_DOC))
    assert {r.document for r in only_seed} == {SEED_DOC}
    with pytest.raises(InputError, match="no such document"):
        list(report_rows(filled, document="missing.md"))


def test_worst_verdict_order() -> None:
    assert worst_verdict(["exact", "fuzzy"]) == "fuzzy"
    assert worst_verdict(["absent", "archive_only", "exact"]) == "absent"
    assert worst_verdict(["exact", "unchecked"]) == "unchecked"
    assert worst_verdict(["unchecked", "archive_only"]) == "archive_only"
    assert worst_verdict([]) == ""


def test_csv_columns_and_values(filled: Database) -> None:
    out = io.StringIO()
    assert write_csv(report_rows(filled), out) == 10
    records = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert out.getvalue().splitlines()[0].split(",") == list(COLUMNS)
    dead = next(r for r in records if r["document"] == SEED_DOC and r["note"] == "5")
    assert dead["status"] == "dead"
    assert dead["http_status"] == "404"
    assert dead["accessed"] == "2022-08-14"
    assert dead["archive_date"] == "2022-08-14"
    assert dead["checked_at"] == "2026-11-20T02:01:00Z"
    assert dead["failing_since"] == "2026-11-18T02:00:00Z"
    assert dead["failures_in_a_row"] == "3"
    assert dead["match_score"] == "88"
    no_url = next(r for r in records if r["note"] == "9")
    assert (no_url["url"], no_url["http_status"], no_url["failures_in_a_row"]) == ("", "", "")
    planted = next(r for r in records if r["document"] == XSS_DOC and r["note"].startswith("1"))
    assert planted["note"] == f"1{ATTR}"
    assert planted["quote"] == f"the {SCRIPT} passage"


def test_excel_bom(filled: Database) -> None:
    out = io.StringIO()
    write_csv(report_rows(filled), out, excel=True)
    assert out.getvalue().startswith("\ufeffdocument,note,url,")
    assert "Zhōng" in out.getvalue() or "Uyghur" in out.getvalue()


def test_json_parses_back(filled: Database) -> None:
    out = io.StringIO()
    write_json(report_rows(filled), out, unsourced_attributions(filled))
    data = json.loads(out.getvalue())
    assert data["columns"] == list(COLUMNS)
    assert data["rows_written"] == len(data["rows"]) == 10
    assert all(list(row) == list(COLUMNS) for row in data["rows"])
    dead = next(r for r in data["rows"] if r["note"] == "5")
    assert dead["http_status"] == 404 and dead["failures_in_a_row"] == 3
    assert dead["archive_date"] == "2022-08-14"
    assert [a["document"] for a in data["unsourced_attributions"]] == [XSS_DOC, SEED_DOC]
    assert data["unsourced_attributions"][1]["cue"] == "according to"
    assert data["unsourced_attributions"][0]["source"] == IMG


def test_json_empty_database(db: Database) -> None:
    out = io.StringIO()
    write_json(report_rows(db), out, unsourced_attributions(db))
    assert json.loads(out.getvalue()) == {
        "columns": list(COLUMNS),
        "rows": [],
        "unsourced_attributions": [],
        "rows_written": 0,
    }


def _tables(tokens: list) -> list[list[list[str]]]:  # type: ignore[type-arg]
    """Every table in a markdown-it token stream, as rows of cell texts."""
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            inline = tokens[i + 1]
            assert row is not None
            row.append(
                "".join(
                    child.content
                    for child in inline.children or []
                    if child.type in ("text", "code_inline")
                )
                if inline.type == "inline"
                else ""
            )
        elif token.type == "tr_close" and row is not None:
            tables[-1].append(row)
    return tables


def test_markdown_parses_back(filled: Database) -> None:
    out = io.StringIO()
    write_markdown(report_rows(filled), out, unsourced_attributions(filled))
    text = out.getvalue()
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    tables = _tables(tokens)
    statuses = dict(tuple(r) for r in tables[0][1:])
    assert statuses["dead"] == "1" and statuses["ok"] == "2" and statuses["no_url"] == "1"
    planted, seed = tables[2], tables[3]
    assert planted[0] == ["note", "url", "status", "title_match", "quote_match", "score",
                          "archive", "error"]  # fmt: skip
    # The planted note label comes back as the text it was, not as markup.
    assert planted[1][0] == f"1{ATTR}"
    assert [r[0] for r in seed[1:]] == ["2", "3", "5", "6", "7", "8", "9", "10"]
    dead = seed[3]
    assert dead[2] == "dead" and dead[7] == (
        "HTTP 404 Not Found; title archive_only: only in the archived copy"
    )
    html = md.render(text)
    assert "<script>" not in html and "<img" not in html
    assert 'href="javascript:' not in html
    assert "Officials said &lt;script&gt;" in html
    assert "According to the China Global Investment Tracker" in html
    links = [t for t in tokens if t.type == "inline" for t in t.children or []]
    hrefs = [t.attrs["href"] for t in links if t.type == "link_open"]
    assert any(h.startswith("https://web.archive.org/web/20220814101500/") for h in hrefs)


def test_html_escapes_untrusted_text(filled: Database) -> None:
    out = io.StringIO()
    write_html(report_rows(filled), out, unsourced_attributions(filled))
    page = out.getvalue()
    for planted in (SCRIPT, ATTR, IMG):
        assert planted not in page
    assert page.count("<script>") == 1
    assert "&lt;script&gt;window.__xss" in page
    assert "<mark>the &lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "https://" not in page.split("<body>")[0].replace("http-equiv", "")  # no CDN


def test_report_command(filled: Database, tmp_path: Path, db_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["report", "--db", db_url, "--only", "broken"])
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(records) == 7

    target = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--db", db_url, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    # An ordinary file, as readable as the umask allows (not mkstemp's 0600).
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask

    result = runner.invoke(app, ["report", "--db", db_url, "-f", "md", "--document", SEED_DOC])
    assert result.exit_code == 0
    assert "## seeds/000\\_224640cac31f022b.txt" in result.stdout
    assert XSS_DOC not in result.stdout

    for bad in (
        ["--format", "pdf"],
        ["--only", "dead"],
        ["--excel", "-f", "json"],
        ["--document", "nowhere.md"],
        ["-o", str(tmp_path / "report.xls")],
        ["-o", str(tmp_path / "missing" / "report.csv")],
    ):
        result = runner.invoke(app, ["report", "--db", db_url, *bad])
        assert result.exit_code == 2, bad
        assert result.stdout == "", bad
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("report")) == [
        "report.html"
    ]


def test_inherited_url_names_its_note(db: Database) -> None:
    """An "Ibid." note reports the URL it repeats, and says whose it is."""
    url = "https://www.upi.com/Archives/1994/04/27/Chinese-premier-wraps-up-Central-Asian-tour/"
    parsed = ParsedDocument(
        path="essays/ibid.md",
        format="markdown",
        citations=[
            ParsedCitation(
                label="1", kind="note", raw_text=f"UPI, <{url}>.", urls=[ParsedUrl(url)]
            ),
            ParsedCitation(
                label="2",
                kind="note",
                raw_text="Ibid.",
                urls=[ParsedUrl(url, inherited=True)],
                inherits_from="1",
            ),
        ],
    )
    with db.session() as session:
        store_document(session, parsed, "0" * 64, 10)
    rows = list(report_rows(db))
    assert [(r.note, r.url, r.detail.inherited_from) for r in rows] == [
        ("1", url, None),
        ("2", url, "1"),
    ]
    out = io.StringIO()
    write_html(rows, out)
    assert "URL of note 1" in out.getvalue()
