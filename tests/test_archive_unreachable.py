"""An archive that cannot be reached at all (no network, wrong address) is
given up after a handful of attempts, not once per URL: a run over many dead
links must not spend minutes on doomed requests at one per second."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator

import pytest
from test_archive_lookup import cite, new_run

from verifier.archive import archive_fallback
from verifier.archive.client import DOWN_AFTER_ATTEMPTS, ArchiveClient
from verifier.settings import Settings
from verifier.store.database import Database


class DroppingServer:
    """Accepts TCP connections and closes them at once, counting them."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def dropping() -> Iterator[DroppingServer]:
    server = DroppingServer()
    yield server
    server.close()


async def test_unreachable_archives_are_given_up_after_a_few_attempts(
    db: Database, dropping: DroppingServer
) -> None:
    url_ids = [cite(db, f"http://gone.example/{n}", dt.date(2020, 1, 1)) for n in range(30)]
    settings = Settings(
        wayback_url=dropping.url,
        memento_url=dropping.url,
        archive_rate=500.0,
        retries=3,
        timeout=5.0,
    )
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, new_run(db), url_ids, client=client)
    assert set(summary.failing) == {"wayback", "memento"}
    assert summary.not_found == 30
    # 30 lookups x 2 archives x 4 attempts would be 240 connections; each
    # archive is given up after DOWN_AFTER_ATTEMPTS failed attempts in a row
    # (plus the few attempts already past the limiter at that moment).
    # (Counting whole lookups only, as before, took about 57 connections.)
    assert DOWN_AFTER_ATTEMPTS == 5
    assert dropping.connections <= 20
