"""The report from real runs: Markdown documents parsed by ``ingest``, their
links fetched from the loopback web by ``check``, archived copies from the
fake Wayback Machine, titles and quotations matched; then ``verifier
report`` and ``verifier audit`` as a user runs them. Every link status and
every verdict of the contract comes out at least once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_archive import FakeArchives
from loopback import LoopbackWeb, article
from typer.testing import CliRunner

from verifier.check import run_check
from verifier.cli import app
from verifier.fetch.ssrf import DnsFailure
from verifier.ingest import ingest_paths
from verifier.report import COLUMNS
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import LinkStatus, Verdict

HARBOUR = (
    "The council approved the harbour plan on Tuesday evening after a long debate. "
    "It is a new chapter for the town, the mayor said."
)


@pytest.fixture
def archives() -> Iterator[FakeArchives]:
    with FakeArchives() as fake:
        yield fake


async def resolver(host: str, port: int) -> list[str]:
    """Names in the documents that the test's DNS cannot answer for now."""
    raise DnsFailure(f"cannot resolve {host!r} (temporary failure in name resolution)")


def essay(web: LoopbackWeb, archives: FakeArchives) -> str:
    """A Markdown essay citing every kind of page the loopback web serves."""
    exact = web.add_page("/news/harbour-plan", article("Harbour plan approved", HARBOUR))
    fuzzy = web.add_page(
        "/news/harbor-plan",
        article(
            "Harbor plan approved",
            "The council approved the harbor plan on Tuesday evening after a long debate.",
        ),
    )
    drift = web.add_page(
        "/news/fish", article("Fish market report", "The fish market reopened in spring.")
    )
    archives.add_capture(
        drift,
        "20230301120000",
        article("Fish market report", "The old report spoke of record catches of herring."),
    )
    number = web.add_page(
        "/news/budget",
        article("Budget figures", "The harbour budget rose by 13 percent in a single year."),
    )
    dead = web.add_page("/news/old-quay", "<h1>Not Found</h1>", status=404)
    archives.add_capture(
        dead,
        "20230302080000",
        article("The old quay", "The old quay was built in 1873 by the harbour board."),
    )
    gone = web.add_page("/news/gone", "<h1>Gone</h1>", status=410)
    port = web.netloc(0).split(":")[1]
    notes = [
        ("The council called it “a new chapter for the town”.", "Harbour plan approved", exact),
        (
            "It “approved the harbour plan on Tuesday evening”.",
            "Harbour plan approved",
            fuzzy,
        ),
        ("The report spoke of “record catches of herring”.", "Fish market report", drift),
        ("The budget “rose by 30 percent in a single year”.", "Budget figures", number),
        ("The quay “was built in 1873 by the harbour board”.", "The old quay", dead),
        ("A page that “no longer exists anywhere”.", "Gone", gone),
        ("Moved.", "A working article", web.url(0, "/redirect/permanent")),
        ("An error page.", "Page not found", web.url(0, "/soft404/title-en")),
        ("A bot wall.", "Just a moment", web.url(0, "/challenge")),
        ("Too many requests.", "Rate limited", web.url(0, "/status/429")),
        ("A server error.", "Service unavailable", web.url(0, "/status/503")),
        ("Slow.", "Slow page", web.url(0, "/slow")),
        ("No DNS.", "Herring", f"http://flaky-dns.example:{port}/herring"),
        ("TLS.", "Secure page", f"https://{web.netloc(1)}/ok"),
        ("Dropped.", "Dropped page", web.url(0, "/drop")),
        ("Huge.", "Huge page", web.url(0, "/huge")),
        ("Bad port.", "Bad port", "http://127.0.0.1:99999/page"),
        ("Excluded.", "Private page", web.url(3, "/private/page")),
        ("No link.", "Shanghai Cooperation Organisation Charter", None),
    ]
    body = ["# The harbour", ""]
    defs = []
    for number_, (sentence, title, url) in enumerate(notes, start=1):
        body.append(f"{sentence}[^{number_}]")
        where = f", <{url}>" if url else ""
        defs.append(f"[^{number_}]: Harbour Office, “{title}”{where}, accessed 5 March 2023.")
    return "\n".join(body) + "\n\n" + "\n".join(defs) + "\n"


def settings(archives: FakeArchives, **changes: object) -> Settings:
    return Settings(
        allow_private_hosts=True,
        timeout=1.0,
        retries=0,
        retry_backoff=0.01,
        max_bytes=1_000_000,
        min_interval=0.0,
        archive_rate=50.0,
        exclude=[r"/private/"],
        wayback_url=archives.wayback_url,
        memento_url=archives.memento_url,
        archive_today_url=archives.archive_today_url,
    ).replace(**changes)


def test_every_status_and_verdict_in_the_csv(
    db_url: str, tmp_path: Path, loopback: LoopbackWeb, archives: FakeArchives
) -> None:
    db = Database(db_url)
    (tmp_path / "harbour.md").write_text(essay(loopback, archives), "utf-8")
    assert ingest_paths(db, [str(tmp_path / "harbour.md")]).ok
    first = run_check(db, settings(archives), fetcher_options={"resolver": resolver})
    assert not first.interrupted
    # A second document, checked in a second run that refuses private hosts.
    (tmp_path / "second.md").write_text(
        f"Intranet.[^1]\n\n[^1]: “Intranet”, <{loopback.url(0, '/ok')}?intranet>.\n", "utf-8"
    )
    assert ingest_paths(db, [str(tmp_path / "second.md")]).ok
    second = run_check(db, settings(archives, allow_private_hosts=False, archive=False))
    assert second.counts == {"refused_private": 1}
    # A third, ingested and never checked.
    (tmp_path / "third.md").write_text(
        f"Later.[^1]\n\n[^1]: “Later”, <{loopback.url(0, '/ok')}?later>.\n", "utf-8"
    )
    assert ingest_paths(db, [str(tmp_path / "third.md")]).ok
    db.dispose()

    result = CliRunner().invoke(app, ["report", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    statuses = {row["status"] for row in rows}
    assert statuses == {s.value for s in LinkStatus}, statuses
    verdicts = {row["title_match"] for row in rows} | {row["quote_match"] for row in rows}
    assert {v.value for v in Verdict} <= verdicts, verdicts

    def row(path: str) -> dict[str, str]:
        return next(r for r in rows if r["url"].endswith(path))

    exact = row("/news/harbour-plan")
    assert exact["document"].endswith("harbour.md") and exact["note"] == "1"
    assert (exact["status"], exact["http_status"]) == ("ok", "200")
    assert (exact["title_match"], exact["quote_match"]) == ("exact", "exact")
    assert exact["match_score"] == "100" and exact["accessed"] == "2023-03-05"
    assert exact["quote"] == "a new chapter for the town"
    assert exact["failing_since"] == "" and exact["failures_in_a_row"] == "0"
    assert exact["error"] == "" and exact["checked_at"].endswith("Z")

    assert row("/news/harbor-plan")["quote_match"] == "fuzzy"
    drift = row("/news/fish")
    assert (drift["status"], drift["quote_match"]) == ("ok", "archive_only")
    assert drift["archive_url"] == f"{archives.wayback_url}/web/20230301120000/{drift['url']}"
    assert drift["archive_date"] == "2023-03-01"
    number = row("/news/budget")
    assert number["quote_match"] == "absent"
    assert "30" in number["error"] and "13" in number["error"]
    dead = row("/news/old-quay")
    assert (dead["status"], dead["http_status"], dead["failures_in_a_row"]) == ("dead", "404", "1")
    assert dead["failing_since"] != "" and dead["error"] != ""
    assert dead["archive_date"] == "2023-03-02" and dead["quote_match"] == "archive_only"
    gone = row("/news/gone")
    assert (gone["status"], gone["quote_match"], gone["archive_url"]) == ("dead", "unchecked", "")
    moved = row("/redirect/permanent")
    assert moved["status"] == "redirected" and moved["final_url"].endswith("/moved/article")
    assert row("/herring")["status"] == "dns_error"
    no_url = next(r for r in rows if r["status"] == "no_url")
    assert (no_url["url"], no_url["title"]) == ("", "Shanghai Cooperation Organisation Charter")
    assert row("?later")["status"] == "unchecked" and row("?later")["checked_at"] == ""

    # The same rows as JSON, and only the broken ones with --only broken.
    data = json.loads(CliRunner().invoke(app, ["report", "--db", db_url, "-f", "json"]).stdout)
    assert [r["url"] or "" for r in data["rows"]] == [r["url"] for r in rows]
    broken = CliRunner().invoke(app, ["report", "--db", db_url, "--only", "broken"]).stdout
    broken_rows = list(csv.DictReader(io.StringIO(broken)))
    assert {r["url"] for r in broken_rows} == {
        r["url"]
        for r in rows
        if r["status"] not in ("ok", "redirected")
        or {r["title_match"], r["quote_match"]} & {"absent", "archive_only"}
    }


def test_audit(tmp_path: Path, loopback: LoopbackWeb) -> None:
    """``verifier audit`` as an editor runs it, and its exit codes."""
    fine = loopback.add_page("/news/harbour-plan", article("Harbour plan approved", HARBOUR))
    (tmp_path / "fine.md").write_text(
        "The council called it “a new chapter for the town”.[^1]\n\n"
        f"[^1]: Harbour Office, “Harbour plan approved”, <{fine}>, accessed 5 March 2023.\n",
        "utf-8",
    )
    db = str(tmp_path / "sources.db")
    options = ["--db", db, "--allow-private-hosts", "--no-archive", "--timeout", "2"]
    runner = CliRunner()
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["audit", str(tmp_path / "fine.md"), "-o", str(report), *options])
    assert result.exit_code == 0, result.output
    assert "report written to" in result.stdout and "exit 0" in result.stdout
    page = report.read_text("utf-8")
    assert "Harbour plan approved" in page and "<mark>a new chapter for the town</mark>" in page

    dead = loopback.add_page("/news/old-quay", "<h1>Not Found</h1>", status=404)
    (tmp_path / "dead.md").write_text(
        f"The quay.[^1]\n\n[^1]: “The old quay”, <{dead}>, accessed 5 March 2023.\n", "utf-8"
    )
    result = runner.invoke(app, ["audit", str(tmp_path / "dead.md"), *options])
    assert result.exit_code == 1, result.output
    # The CSV on stdout covers the document audited, nothing else.
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["note"], r["status"]) for r in rows] == [("1", "dead")]
    # Failed once so far: a nightly job waiting for two failures stays quiet.
    result = runner.invoke(
        app, ["audit", str(tmp_path / "dead.md"), "--min-failures", "2", *options]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        ["audit", str(tmp_path / "dead.md"), "--min-failures", "2", "--recheck", *options],
    )
    assert result.exit_code == 1, result.output

    # Bad input: exit 2, nothing written.
    missing = tmp_path / "none.html"
    for bad in (
        [str(tmp_path / "nowhere.md"), "-o", str(missing)],
        [str(tmp_path / "fine.md"), "-o", str(missing), "--fail-on", "everything"],
        [str(tmp_path / "fine.md"), "-o", str(tmp_path / "report.pdf")],
        [str(tmp_path / "fine.md"), "-o", str(missing), "--excel"],
    ):
        result = runner.invoke(app, ["audit", *bad, *options])
        assert result.exit_code == 2, (bad, result.output)
    assert not missing.exists() and not (tmp_path / "report.pdf").exists()
