"""Archive requests go through the SSRF guard too (issue 17, item 1).

A copy a document names (wikitext ``archive-url=``, ``{{webarchive}}``), a
memento a Memento aggregator lists or redirects to, and a default archive
endpoint whose name resolves inside the network are all refused with the
default settings: the loopback listener standing for an internal service
gets no request, and its text never reaches the report. The archive
endpoints the user configured (here: the fake archives on loopback) still
work, and ``--allow-private-hosts`` lets everything through.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from fake_archive import FakeArchives
from loopback import LoopbackWeb, Page, Request
from typer.testing import CliRunner

from verifier.archive.client import ArchiveClient, ArchiveRefused
from verifier.archive.memento import Memento, MementoSource
from verifier.archive.save import save_pages
from verifier.archive.wayback import Wayback
from verifier.cli import app
from verifier.settings import Settings

# What the internal service would leak: never in a report.
SECRET = "aws_secret_access_key=wJalrXUtnFEMI-K7MDENG"
META = "/latest/meta-data/"


def internal(loopback: LoopbackWeb) -> str:
    """The internal service on 127.0.0.1: its URL."""
    return loopback.add_page(META, f"<title>meta-data</title><p>{SECRET}</p>")


WIKITEXT = {
    "archive-url": (
        "Intro.<ref>{{{{cite web |url=http://127.0.0.2:1/intranet |title=Intranet "
        "|archive-url={copy} |archive-date=2020-01-01 |quote=meta-data}}}}</ref>\n"
    ),
    "archiveurl": (
        "Intro.<ref>{{{{cite news |url=http://127.0.0.2:1/intranet |title=Intranet "
        "|archiveurl={copy} |archivedate=1 January 2020}}}}</ref>\n"
    ),
    "webarchive": (
        "Intro.<ref>[http://127.0.0.2:1/intranet Intranet] "
        "{{{{webarchive |url={copy} |date=1 January 2020}}}}</ref>\n"
    ),
}


def audit(tmp_path: Path, fake: FakeArchives, text: str, *extra: str) -> tuple[int, str]:
    document = tmp_path / "doc.wiki"
    document.write_text(text + "\n== References ==\n<references />\n", encoding="utf-8")
    report = tmp_path / "report.html"
    env = {**fake.settings_env(), "VERIFIER_ARCHIVE_RATE": "100"}
    result = CliRunner().invoke(
        app,
        [
            "audit",
            str(document),
            "--db",
            str(tmp_path / "s.db"),
            "-o",
            str(report),
            "--timeout",
            "2",
            "--retries",
            "0",
            *extra,
        ],
        env=env,
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, report.read_text(encoding="utf-8")


@pytest.mark.parametrize("form", sorted(WIKITEXT))
def test_a_copy_named_by_the_document_is_not_fetched_from_inside(
    tmp_path: Path, loopback: LoopbackWeb, fake: FakeArchives, form: str
) -> None:
    copy = internal(loopback)
    _code, report = audit(tmp_path, fake, WIKITEXT[form].format(copy=copy))
    assert loopback.hits(META) == 0
    assert SECRET not in report
    # The configured archives (private, but set by the user) were asked.
    assert fake.requests


def test_allow_private_hosts_lets_the_copy_through(
    tmp_path: Path, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    copy = internal(loopback)
    audit(tmp_path, fake, WIKITEXT["archive-url"].format(copy=copy), "--allow-private-hosts")
    assert loopback.hits(META) >= 1


# --- Memento: what an aggregator lists or points at -----------------------------


def aggregator(loopback: LoopbackWeb, leak: str, how: str) -> None:
    """Host 2 (127.0.0.2) plays the configured aggregator, pointing at ``leak``."""
    when = "Wed, 01 Jan 2020 00:00:00 GMT"
    mirror = loopback.url(1, "/archives/20200101000000/http://example.org/")

    def answer(request: Request) -> Page | None:
        if request.path.startswith("/timemap/link/"):
            target = leak if how == "timemap" else mirror
            link = f'<{target}>; rel="memento"; datetime="{when}"'
            return Page(200, link, content_type="application/link-format")
        if request.path.startswith("/timegate/"):
            link = f'<{leak}>; rel="memento"; datetime="{when}"'
            return Page(302, b"", {"Location": leak, "Link": link}, content_type=None)
        if request.path.startswith("/archives/"):
            return Page(302, b"", {"Location": leak}, content_type=None)
        return None

    loopback.set_fallback(1, answer)


@pytest.mark.parametrize("how", ["timemap", "timegate", "redirect"])
def test_a_memento_inside_the_network_is_not_fetched(loopback: LoopbackWeb, how: str) -> None:
    leak = internal(loopback)
    aggregator(loopback, leak, how)
    settings = Settings(memento_url=loopback.url(1, ""), archive_rate=100.0, timeout=2.0)

    async def run() -> list[str | None]:
        async with ArchiveClient(settings, backoff=0.01) as client:
            source = MementoSource(client, settings.memento_url, "memento")
            if how == "timegate":
                found = await source.timegate("http://example.org/", dt.datetime(2020, 1, 1))
                mementos = [found] if found else []
            else:
                mementos = await source.timemap("http://example.org/")
            assert mementos, "the aggregator (a configured endpoint) was asked"
            results = [await source.fetch(memento) for memento in mementos]
            assert not client.down
            return [result.error for result in results if not result.ok]

    errors = asyncio.run(run())
    assert errors and all(error and "loopback" in error for error in errors)
    assert loopback.hits(META) == 0


def test_allow_private_hosts_fetches_a_listed_memento(loopback: LoopbackWeb) -> None:
    leak = internal(loopback)
    aggregator(loopback, leak, "timemap")
    settings = Settings(
        memento_url=loopback.url(1, ""), archive_rate=100.0, timeout=2.0, allow_private_hosts=True
    )

    async def run() -> None:
        async with ArchiveClient(settings, backoff=0.01) as client:
            source = MementoSource(client, settings.memento_url, "memento")
            await source.fetch(Memento(leak, dt.datetime(2020, 1, 1)))

    asyncio.run(run())
    assert loopback.hits(META) == 1


# --- endpoints left at their defaults may not be private ------------------------


def resolving_to(address: str, asked: list[str]) -> object:
    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return [address]

    return resolver


def test_a_default_endpoint_resolving_inside_is_refused(loopback: LoopbackWeb) -> None:
    """``web.archive.org`` answering with a loopback address (a poisoned or
    rebinding resolver) is refused: only endpoints the user set may be private."""
    asked: list[str] = []
    settings = Settings(archive_rate=100.0, timeout=2.0)
    assert settings.wayback_url == "https://web.archive.org"

    async def run() -> str:
        async with ArchiveClient(
            settings,
            backoff=0.01,
            resolver=resolving_to("127.0.0.1", asked),  # type: ignore[arg-type]
        ) as client:
            with pytest.raises(ArchiveRefused) as refused:
                await Wayback(client, settings.wayback_url).latest("http://example.org/", 1)
            assert not client.down
            return refused.value.reason

    assert "loopback" in asyncio.run(run())
    assert asked == ["web.archive.org"]


def test_save_page_now_is_guarded(loopback: LoopbackWeb) -> None:
    asked: list[str] = []
    settings = Settings(archive_rate=100.0, timeout=2.0, save_page_now_auth="a:b")

    async def run() -> list[str | None]:
        client = ArchiveClient(
            settings,
            backoff=0.01,
            resolver=resolving_to("127.0.0.1", asked),  # type: ignore[arg-type]
        )
        outcomes = await save_pages(
            settings, ["http://example.org/"], check_existing=False, client=client
        )
        await client.aclose()
        return [outcome.error for outcome in outcomes]

    errors = asyncio.run(run())
    assert errors and all(error and "loopback" in error for error in errors)
    assert asked == ["web.archive.org"]


def test_configured_private_endpoints_still_work(fake: FakeArchives) -> None:
    """The endpoints a user (here, the tests) set may be on loopback."""
    fake.add_capture("http://example.org/page", "20200101000000", "<title>T</title><p>x</p>")
    settings = Settings(wayback_url=fake.wayback_url, archive_rate=100.0, timeout=2.0)
    assert not settings.allow_private_hosts

    async def run() -> bool:
        async with ArchiveClient(settings, backoff=0.01) as client:
            result = await Wayback(client, settings.wayback_url).fetch(
                "20200101000000", "http://example.org/page"
            )
            return result.ok

    assert asyncio.run(run())
