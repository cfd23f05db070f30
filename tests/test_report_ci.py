"""Reports for CI: citations located at their line, SARIF 2.1.0, GitHub
annotations, ignore rules, and CSV cells that cannot run as formulas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from loopback import LoopbackWeb
from typer.testing import CliRunner

from verifier.cli import app
from verifier.parse import parse_path
from verifier.report.csv import neutralise
from verifier.store.locate import locate_citations

runner = CliRunner()

CHECK = ["--allow-private-hosts", "--no-archive", "--timeout", "2"]


def article(dead: str, fine: str) -> str:
    return (
        "# Harbour\n"
        "\n"
        "The quay was rebuilt.[^1] The ledger survives.[^2]\n"
        "\n"
        "More text.\n"
        "\n"
        f"[^1]: “The old quay”, <{dead}>, accessed 5 March 2023.\n"
        f"[^2]: “The ledger”, <{fine}>.\n"
    )


@pytest.fixture
def checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: LoopbackWeb) -> Path:
    dead = loopback.add_page("/ci/old-quay", "<h1>Not Found</h1>", status=404)
    fine = loopback.add_page("/ci/ledger", "<html><title>The ledger</title><p>The ledger</p>")
    monkeypatch.chdir(tmp_path)
    Path("docs").mkdir()
    Path("docs/harbour.md").write_text(article(dead, fine), "utf-8")
    assert runner.invoke(app, ["ingest", "docs/harbour.md"]).exit_code == 0
    result = runner.invoke(app, ["check", *CHECK])
    assert result.exit_code == 1, result.output
    return tmp_path


def test_sarif_locates_each_failing_citation(checked: Path) -> None:
    result = runner.invoke(app, ["report", "--format", "sarif", "-o", "out.sarif"])
    assert result.exit_code == 0, result.output
    log = json.loads(Path("out.sarif").read_text("utf-8"))
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "verifier"
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    [finding] = run["results"]
    assert finding["ruleId"] == "dead-link" and finding["ruleId"] in rule_ids
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "docs/harbour.md"
    # The note that writes the dead URL is on line 7, at the URL's column.
    assert location["region"]["startLine"] == 7
    line = Path("docs/harbour.md").read_text("utf-8").splitlines()[6]
    assert line[location["region"]["startColumn"] - 1 :].startswith("http://")
    assert "note 1" in finding["message"]["text"]


def test_github_annotations(checked: Path) -> None:
    result = runner.invoke(app, ["report", "--format", "github"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("::error file=docs/harbour.md,line=7,col=")
    assert "::http://127.0.0.1" in lines[0] and "is dead" in lines[0]
    # audit writes the same
    result = runner.invoke(app, ["audit", "docs/harbour.md", "--format", "github", *CHECK])
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if line.startswith("::")] == lines


def test_ignore_rules_mark_rows_and_do_not_fail(checked: Path) -> None:
    Path("verifier.ignore").write_text(
        '[[ignore]]\nurl = "/ci/old-quay$"\ndocument = "./docs/harbour.md"\nnote = "1"\n'
        'reason = "reviewed: the page moved offline, archived copy cited in print"\n',
        "utf-8",
    )
    result = runner.invoke(app, ["report", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    dead = next(row for row in rows if row["note"] == "1")
    assert dead["status"] == "dead"
    assert dead["error"].startswith("ignored: reviewed: the page moved offline")
    result = runner.invoke(app, ["check", *CHECK])
    assert result.exit_code == 0, result.output
    assert "1 ignored" in result.stdout
    sarif = json.loads(runner.invoke(app, ["report", "--format", "sarif"]).stdout)
    [finding] = sarif["runs"][0]["results"]
    assert finding["suppressions"][0]["justification"].startswith("reviewed")
    assert runner.invoke(app, ["report", "--format", "github"]).stdout == ""


def test_an_expired_ignore_rule_no_longer_applies(checked: Path) -> None:
    Path("verifier.toml").write_text(
        '[[ignore]]\nurl = "old-quay"\nreason = "temporary outage"\nexpires = 2020-01-01\n',
        "utf-8",
    )
    assert runner.invoke(app, ["check", *CHECK]).exit_code == 1


def test_bad_ignore_rules_are_input_errors(checked: Path) -> None:
    Path("verifier.ignore").write_text('[[ignore]]\nurl = "old-quay"\n', "utf-8")
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2 and "give a reason" in result.output
    Path("verifier.ignore").write_text('[[ignore]]\nurl = "("\nreason = "x"\n', "utf-8")
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 2 and "invalid" in result.output


@pytest.mark.parametrize(
    "payload",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
        "\tstart",
        "\rstart",
    ],
)
def test_csv_cells_never_start_a_formula(
    payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "=doc.md" if payload.startswith("=") else "doc.md"
    Path(name).write_text(f"Text.[^1]\n\n[^1]: “{payload}”, <https://example.org/a>.\n", "utf-8")
    assert runner.invoke(app, ["ingest", name]).exit_code == 0
    for extra in ([], ["--excel"]):
        text = runner.invoke(app, ["report", "--format", "csv", *extra]).stdout.lstrip("\ufeff")
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    records = json.loads(runner.invoke(app, ["report", "--format", "json"]).stdout)["rows"]
    assert records[0]["document"] == name  # JSON stays raw


def test_neutralise() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("ok") == "ok" and neutralise("") == ""
    assert neutralise("2023-03-05") == "2023-03-05"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        (
            "a.txt",
            "Body text here.1\n\nNotes\n\n1. “Quay”, https://example.org/q, accessed 2023.\n",
            5,
        ),
        (
            "a.html",
            '<html><body><p>Body<sup><a href="#fn1">1</a></sup></p>\n<ol>\n'
            '<li id="fn1">“Quay”, <a href="https://example.org/q?a=1&amp;b=2">x</a></li>\n'
            "</ol></body></html>\n",
            3,
        ),
        (
            "a.wiki",
            "Body.<ref>{{cite web |url=https://example.org/q |title=Quay}}</ref>\n\n"
            "== References ==\n<references />\n",
            1,
        ),
    ],
)
def test_locations_in_each_text_format(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    parsed, source = parse_path(path)
    assert parsed.citations, parsed
    [(found_line, column)] = locate_citations(source.text, parsed.citations[:1])
    assert found_line == line
    assert column is not None and column >= 1


def test_a_url_cited_twice_is_placed_at_each_note() -> None:
    from verifier.parse.model import ParsedCitation, ParsedUrl

    text = "x\n[^1]: <https://e.org/a>\n[^2]: <https://e.org/a>\n"
    cites = [
        ParsedCitation("1", "note", "<https://e.org/a>", [ParsedUrl("https://e.org/a")]),
        ParsedCitation("2", "note", "<https://e.org/a>", [ParsedUrl("https://e.org/a")]),
    ]
    assert [loc[0] for loc in locate_citations(text, cites)] == [2, 3]


@pytest.mark.parametrize("name", ["notes.docx", "notes-libreoffice.docx", "notes-libreoffice.pdf"])
def test_docx_paragraph_and_pdf_page(name: str) -> None:
    """Formats without lines locate a citation by paragraph (.docx) or page (PDF)."""
    from conftest import REPO

    from verifier.ingest import _locations
    from verifier.store.blocks import docx_paragraphs, pdf_pages

    path = REPO / "tests" / "data" / "formats" / name
    parsed, source = parse_path(path)
    located = _locations(parsed, source)
    assert located is not None and len(located) == len(parsed.citations)
    blocks = docx_paragraphs(source.data) if name.endswith(".docx") else pdf_pages(source.data)
    for (block, column), citation in zip(located, parsed.citations, strict=True):
        assert column is None and block is not None and 1 <= block <= len(blocks)
        if name.endswith(".docx") and citation.sentence:
            # The paragraph is the one with the citing sentence.
            assert citation.sentence[:30] in " ".join(blocks[block - 1].split())


def test_locating_is_linear_when_notes_are_not_in_the_text() -> None:
    """Thousands of citations whose wording is not in the text (before: a
    scan of the whole text per needle, 16 s for 5,000 notes)."""
    import time

    from verifier.parse.model import ParsedCitation, ParsedUrl

    n = 5000
    text = "".join(f"Sentence {i} here.[^{i}]\n" for i in range(n)) + "".join(
        f"[^{i}]: “Title {i}”, <https://example.org/{i}>.\n" for i in range(n)
    )
    missing = [
        ParsedCitation(
            str(i),
            "note",
            f"zzz {i} qqqq",
            [ParsedUrl(f"https://nowhere.org/{i}")],
            sentence=f"nope nope {i} nope",
        )
        for i in range(n)
    ]
    started = time.perf_counter()
    located = locate_citations(text, missing)
    assert time.perf_counter() - started < 5
    assert located == [(None, None)] * n
    # One word repeated everywhere: each needle tries a bounded number of places.
    text = "the " * 200_000
    cites = [ParsedCitation("1", "note", "the the,the the", []) for _ in range(200)]
    started = time.perf_counter()
    assert locate_citations(text, cites) == [(None, None)] * 200
    assert time.perf_counter() - started < 5


def test_hard_wrapped_text_is_located() -> None:
    from verifier.parse.model import ParsedCitation

    text = "Intro.\nThe scope is wide\n(Hussain,\n   2011) and more.\n"
    cites = [ParsedCitation("Hussain 2011", "author_date", "(Hussain, 2011)", [])]
    assert locate_citations(text, cites) == [(3, 1)]


def test_ignore_rules_quiet_status_fail_on_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loopback: LoopbackWeb
) -> None:
    from loopback import Page

    url = loopback.add_sequence(
        "/ci/breaks", [Page(200, "<title>Fine</title><p>fine</p>"), Page(404, "gone")]
    )
    monkeypatch.chdir(tmp_path)
    Path("a.md").write_text(f"Text.[^1]\n\n[^1]: “Fine”, <{url}>.\n", "utf-8")
    assert runner.invoke(app, ["ingest", "a.md"]).exit_code == 0
    assert runner.invoke(app, ["check", *CHECK]).exit_code == 0
    assert runner.invoke(app, ["check", *CHECK, "--recheck"]).exit_code == 1
    result = runner.invoke(app, ["status", "--fail-on-new"])
    assert result.exit_code == 1 and "1 newly broken" in result.stdout
    Path("verifier.ignore").write_text(
        '[[ignore]]\nurl = "/ci/breaks"\nnote = "1"\nreason = "known outage"\n', "utf-8"
    )
    result = runner.invoke(app, ["status", "--fail-on-new"])
    assert result.exit_code == 0, result.output
    assert "0 newly broken" in result.stdout and "left out" in result.stdout
    result = runner.invoke(app, ["status", "--fail-on-new", "--format", "md"])
    assert result.exit_code == 0 and "left out by ignore rules" in result.stdout
