"""Shared by the ``verifier fix`` tests: a loopback web with dead pages whose
archived copies the fake Wayback holds, and ``fix`` run in-process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from citing import archive_settings
from fake_archive import FakeArchives
from loopback import LoopbackWeb

from verifier.fix import DEFAULT_STATUSES, FixOptions, FixResult, fix_paths
from verifier.store.database import Database

CAPTURE_TS = "20220301120000"
CAPTURE_DATE = dt.date(2022, 3, 1)


def dead_with_copy(
    loopback: LoopbackWeb, fake: FakeArchives, path: str, ts: str = CAPTURE_TS, *, host: int = 0
) -> tuple[str, str]:
    """A 404 page with one Wayback capture; returns (URL, capture URL)."""
    url = loopback.add_page(path, "<h1>Not Found</h1>", status=404, host=host)
    fake.add_capture(url, ts, f"<title>Archived {path}</title><p>The page as it was.</p>")
    return url, f"{fake.wayback_url}/web/{ts}/{url}"


def live_page(loopback: LoopbackWeb, path: str, *, host: int = 0) -> str:
    return loopback.add_page(path, f"<title>Live {path}</title><p>Still here.</p>", host=host)


def run_fix(
    db: Database,
    fake: FakeArchives,
    paths: Iterable[Path],
    *,
    write: bool = False,
    backup: bool = True,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    options: FixOptions | None = None,
    **settings: object,
) -> FixResult:
    return fix_paths(
        db,
        [str(p) for p in paths],
        archive_settings(fake, timeout=2.0, retries=0, **settings),
        statuses=None if statuses is None else frozenset(statuses),
        options=options,
        write=write,
        backup=backup,
    )
