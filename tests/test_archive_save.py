"""Save Page Now against a local fake of its API (SPN2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fake_archive import FakeArchives
from typer.testing import CliRunner

from verifier.archive.client import ArchiveClient
from verifier.archive.save import save_pages, urls_to_save
from verifier.cli import app
from verifier.errors import InputError
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Snapshot, Url
from verifier.urls import host_of, url_hash


def settings_for(fake: FakeArchives, **changes: object) -> Settings:
    values: dict[str, object] = {
        "wayback_url": fake.wayback_url,
        "archive_rate": 200.0,
        "retries": 1,
        "save_page_now_auth": "access:secret",
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


async def test_submits_waits_for_the_job_and_skips_archived_pages(fake: FakeArchives) -> None:
    settings = settings_for(fake)
    new = "http://new.example/page"
    async with ArchiveClient(settings, backoff=0.01) as client:
        outcomes = await save_pages(
            settings, [new, "https://www.fws.gov/birds/"], client=client, poll_interval=0.01
        )
    assert [o.outcome for o in outcomes] == ["saved", "already_archived"]
    assert outcomes[0].snapshot_url is not None
    assert outcomes[0].snapshot_url.startswith(f"{fake.wayback_url}/web/")
    assert outcomes[0].snapshot_url.endswith(new)
    # Only the page without a capture was submitted, with the credentials.
    assert fake.saved == [new]
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 1 and posts[0].headers["authorization"] == "LOW access:secret"
    # One pending poll, then success.
    assert len(fake.requests_to("wayback", "/save/status/")) == 2


async def test_limit_reached_stops_the_submissions(fake: FakeArchives) -> None:
    fake.fail("wayback", 429, prefix="/save", retry_after="0")
    settings = settings_for(fake)
    urls = [f"http://new.example/{n}" for n in range(4)]
    async with ArchiveClient(settings, backoff=0.01) as client:
        outcomes = await save_pages(
            settings, urls, check_existing=False, client=client, poll_interval=0.01
        )
    assert [o.outcome for o in outcomes] == ["error", "skipped", "skipped", "skipped"]
    # retries=1: two attempts for the first URL, none for the others.
    assert len(fake.requests_to("wayback", "/save")) == 2


async def test_no_credentials_is_a_clear_input_error(fake: FakeArchives) -> None:
    with pytest.raises(InputError, match="credentials"):
        await save_pages(settings_for(fake, save_page_now_auth=None), ["http://a.example/"])
    assert fake.requests == []


def test_urls_to_save_all_is_live_urls_without_a_copy(db: Database) -> None:
    with db.session() as session:
        for path, status in [("/a", "ok"), ("/b", "dead"), ("/c", "redirected"), ("/d", "ok")]:
            url = f"http://site.example{path}"
            session.add(Url(url_hash=url_hash(url), url=url, host=host_of(url), last_status=status))
        session.flush()
        d_id = session.query(Url.id).filter(Url.url == "http://site.example/d").scalar()
        session.add(
            Snapshot(
                url_id=d_id,
                archive="wayback",
                captured_at=dt.datetime(2020, 1, 1),
                snapshot_url="x",
            )
        )
    assert urls_to_save(db, "all") == ["http://site.example/a", "http://site.example/c"]
    assert urls_to_save(db, "https://one.example/") == ["https://one.example/"]
    with pytest.raises(InputError):
        urls_to_save(db, "ftp://nope")


def test_cli_archive_save(
    tmp_path: object, fake: FakeArchives, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_WAYBACK_URL", fake.wayback_url)
    monkeypatch.setenv("VERIFIER_SAVE_PAGE_NOW_AUTH", "access:secret")
    monkeypatch.setenv("VERIFIER_ARCHIVE_RATE", "100")
    monkeypatch.chdir(str(tmp_path))
    fake.save_pending_polls = 0
    result = CliRunner().invoke(app, ["archive", "--save", "http://cli.example/x", "--db", "s.db"])
    assert result.exit_code == 0, result.output
    assert "saved" in result.output and fake.saved == ["http://cli.example/x"]
    monkeypatch.delenv("VERIFIER_SAVE_PAGE_NOW_AUTH")
    # One URL needs no database; 'all' reads one (only ingest and audit create it).
    assert not Path("s.db").exists()
    Database("s.db").dispose()
    result = CliRunner().invoke(app, ["archive", "--save", "all", "--db", "s.db"])
    assert result.exit_code == 2
    assert "credentials" in result.output
