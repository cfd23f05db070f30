"""``verifier check`` end to end against the loopback web: every status, history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from citing import cite, loopback_settings
from loopback import LoopbackWeb
from sqlalchemy import func, select
from typer.testing import CliRunner

from verifier.check import run_check
from verifier.cli import app
from verifier.fetch.ssrf import DnsFailure, HostNotFound
from verifier.settings import Settings
from verifier.store.contents import load_content
from verifier.store.database import Database
from verifier.store.models import Check, Run, Url


def settings(**changes: object) -> Settings:
    return loopback_settings(**changes)


async def fake_dns(host: str, port: int) -> list[str]:
    if host == "example.com":  # the canary: this resolver works
        return ["192.0.2.1"]
    if host == "gone.example":
        raise HostNotFound(f"host {host!r} does not resolve")
    if host == "flaky-dns.example":
        raise DnsFailure(f"cannot resolve {host!r} (temporary failure)")
    raise AssertionError(f"unexpected lookup of {host}")


def statuses(db: Database, run_id: int) -> dict[int, Check]:
    with db.session() as session:
        return {c.url_id: c for c in session.scalars(select(Check).where(Check.run_id == run_id))}


def test_every_status_from_the_right_case(db: Database, loopback: LoopbackWeb) -> None:
    web = loopback
    port = web.netloc(0).split(":")[1]
    cases = {
        web.url(0, "/ok"): "ok",
        web.url(0, "/redirect/permanent"): "redirected",
        web.url(0, "/redirect/slash"): "ok",
        web.url(0, "/redirect/temporary"): "ok",
        web.url(0, "/status/404"): "dead",
        web.url(0, "/status/410"): "dead",
        f"http://gone.example:{port}/page": "dead",
        web.url(0, "/soft404/title-en"): "soft_404",
        web.url(0, "/soft404/title-de"): "soft_404",
        web.url(0, "/soft404/title-ja"): "soft_404",
        web.url(0, "/soft404/h1"): "soft_404",
        web.url(0, "/deep/2019/story"): "soft_404",
        web.url(0, "/deep/moved/story"): "soft_404",
        web.url(2, "/news/2021/an-article-that-never-existed"): "soft_404",
        web.url(2, "/ok"): "ok",
        web.url(0, "/status/401"): "blocked",
        web.url(0, "/status/403"): "blocked",
        web.url(0, "/challenge"): "blocked",
        web.url(1, "/challenge-200"): "blocked",
        web.url(0, "/challenge-header"): "blocked",
        web.url(1, "/members/article"): "blocked",
        web.url(0, "/status/429"): "rate_limited",
        web.url(0, "/status/503"): "server_error",
        web.url(0, "/redirect/loop-a"): "connection_error",
        web.url(0, "/redirect/chain/12"): "connection_error",
        web.url(0, "/slow"): "timeout",
        f"http://flaky-dns.example:{port}/": "dns_error",
        f"https://{web.netloc(1)}/ok": "tls_error",
        web.url(0, "/drop"): "connection_error",
        web.url(0, "/huge"): "too_large",
        web.url(0, "/gzip-bomb"): "too_large",
        web.url(0, "/brotli-bomb"): "too_large",
        "http://[::1/broken": "invalid_url",
        web.url(3, "/private/excluded-page"): "excluded",
        web.url(0, "/flaky"): "ok",
        web.url(0, "/retry-after"): "ok",
        web.url(0, "/drop-once"): "ok",
        web.url(1, "/doc.pdf"): "ok",
        web.url(1, "/image.png"): "ok",
    }
    ids = cite(db, cases)
    result = run_check(
        db,
        settings(exclude=[r"/private/"], retries=2),
        fetcher_options={"resolver": fake_dns},
    )
    assert not result.interrupted
    checks = statuses(db, result.run_id)
    got = {url: checks[ids[url]].status for url in cases}
    assert got == cases
    assert result.checked == len(cases)
    assert sum(result.counts.values()) == len(cases)
    # Never fetched: the excluded URL.
    assert web.hits("/private/excluded-page", host=3) == 0
    # The whole record of a check.
    moved = checks[ids[web.url(0, "/redirect/permanent")]]
    assert moved.final_url == web.url(0, "/moved/article")
    assert json.loads(moved.redirect_chain or "[]") == [[301, web.url(0, "/moved/article")]]
    assert moved.http_status == 200 and moved.content_hash
    flaky = checks[ids[web.url(0, "/flaky")]]
    assert flaky.attempts == 3 and flaky.http_status == 200  # 500, 500, then 200
    assert checks[ids[web.url(0, "/status/404")]].attempts == 1  # 4xx is not retried
    assert checks[ids[web.url(0, "/status/503")]].attempts == 3  # retries=2
    assert checks[ids[web.url(0, "/huge")]].http_status == 200  # still recorded
    assert "not resolve" in (checks[ids[f"http://gone.example:{port}/page"]].error or "")
    with db.session() as session:
        pdf = load_content(session, checks[ids[web.url(1, "/doc.pdf")]].content_hash or "")
        meta = load_content(session, checks[ids[web.url(0, "/ok")]].content_hash or "")
        run = session.get(Run, result.run_id)
        assert run is not None and run.finished_at is not None
        summary = json.loads(run.summary or "{}")
    assert "Annual statistics of the harbour" in pdf.text
    assert meta.title == "A working article"
    assert summary["statuses"] == result.counts
    assert summary["run_statuses"]["soft_404"] == 7


def test_one_fetch_per_url_however_many_documents_cite_it(
    db: Database, loopback: LoopbackWeb
) -> None:
    url = loopback.add_page("/shared/article", "<title>Shared</title><p>Cited twice.</p>")
    cite(db, [url, url + "#section"], document="a.md")
    cite(db, [url.replace("http://", "HTTP://")], document="b.md")
    result = run_check(db, settings())
    assert result.checked == 1
    assert loopback.hits("/shared/article") == 1


def test_stale_after_skips_recent_checks_and_recheck_forces(
    db: Database, loopback: LoopbackWeb
) -> None:
    cite(db, [loopback.url(0, "/ok"), loopback.url(1, "/ok")])
    first = run_check(db, settings())
    assert first.checked == 2
    again = run_check(db, settings())
    assert again.checked == 0 and again.fresh == 2
    assert loopback.hits("/ok", host=0) == 1
    forced = run_check(db, settings(), recheck=True)
    assert forced.checked == 2
    assert loopback.hits("/ok", host=0) == 2
    # An old check is due again.
    with db.session() as session:
        for url in session.scalars(select(Url)):
            url.last_checked_at = dt.datetime(2000, 1, 1)
    assert run_check(db, settings()).checked == 2
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 4
        assert session.scalar(select(func.count()).select_from(Check)) == 6


def test_failure_counters_across_runs(db: Database, loopback: LoopbackWeb) -> None:
    answers = iter([404, 404, 403, 404, 200, 503])
    current = {"status": 200}

    def page(_request: object) -> object:
        from loopback import Page

        return Page(current["status"], "<title>Report</title><p>Body</p>")

    url = loopback.add_handler("/sometimes", page)  # type: ignore[arg-type]
    [url_id] = cite(db, [url]).values()
    seen = []
    for status in answers:
        current["status"] = status
        run_check(db, settings(retries=0), recheck=True)
        with db.session() as session:
            row = session.get(Url, url_id)
            assert row is not None
            seen.append((row.last_status, row.failures_in_a_row, row.failing_since is not None))
    assert seen == [
        ("dead", 1, True),
        ("dead", 2, True),
        ("blocked", 2, True),  # inconclusive: neither a failure nor a recovery
        ("dead", 3, True),
        ("ok", 0, False),
        ("server_error", 1, True),
    ]
    with db.session() as session:
        checks = list(
            session.scalars(select(Check).where(Check.url_id == url_id).order_by(Check.id))
        )
    assert len(checks) == 6
    with db.session() as session:
        row = session.get(Url, url_id)
        assert row is not None and row.failing_since == checks[-1].checked_at
        assert row.last_check_id == checks[-1].id


def test_check_command(db_url: str, loopback: LoopbackWeb) -> None:
    db = Database(db_url)
    cite(db, [loopback.url(0, "/ok"), loopback.url(0, "/status/404")])
    db.dispose()
    runner = CliRunner()
    outcome = runner.invoke(
        app,
        [
            "check",
            "--db",
            db_url,
            "--allow-private-hosts",
            "--concurrency",
            "8",
            "--per-host",
            "2",
            "--timeout",
            "2",
            "--retries",
            "0",
            "--no-archive",
            "--stale-after",
            "1h",
            "--contact",
            "factcheck@example.org",
        ],
    )
    # A dead citation: exit code 1 (the contract).
    assert outcome.exit_code == 1, outcome.output
    assert "ok" in outcome.output and "dead" in outcome.output
    agents = {r.headers.get("User-Agent", "") for r in loopback.requests}
    assert agents and all("factcheck@example.org" in agent for agent in agents)
    again = runner.invoke(app, ["check", "--db", db_url, "--allow-private-hosts"])
    assert "2 checked recently" in again.output


def test_check_refuses_private_hosts_by_default(db: Database, loopback: LoopbackWeb) -> None:
    ids = cite(db, [loopback.url(0, "/ok")])
    result = run_check(db, Settings(archive=False))
    assert result.counts == {"refused_private": 1}
    assert loopback.hits("/ok") == 0
    check = statuses(db, result.run_id)[ids[loopback.url(0, "/ok")]]
    assert "loopback" in (check.error or "")


@pytest.mark.parametrize("value", ["0", "-1"])
def test_bad_options_are_input_errors(db_url: str, value: str) -> None:
    outcome = CliRunner().invoke(app, ["check", "--db", db_url, "--concurrency", value])
    assert outcome.exit_code == 2


def test_writing_the_same_results_twice_adds_no_row(db: Database, loopback: LoopbackWeb) -> None:
    from verifier.fetch.engine import FetchResult
    from verifier.fetch.writer import write_results

    ids = cite(db, [loopback.url(0, "/a"), loopback.url(0, "/b")])
    with db.session() as session:
        run = Run()
        session.add(run)
        session.flush()
        run_id = run.id
    results = [
        (url_id, FetchResult(url=url, status="dead", http_status=404))
        for url, url_id in ids.items()
    ]
    with db.session() as session:
        assert write_results(session, run_id, results) == 2
    with db.session() as session:
        assert write_results(session, run_id, results) == 0
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Check)) == 2
        assert {u.failures_in_a_row for u in session.scalars(select(Url))} == {1}
