"""archive.today (archive.ph, archive.is, ...): only with ``--archive-today``.

Its copies have been found altered after the fact, so it is never asked
unless the user opts in (``settings.archive_today``). It speaks Memento: a
TimeMap at ``<base>/timemap/<url>`` and a TimeGate at ``<base>/timegate/<url>``;
its copies have no raw mode, so they are fetched as served.
"""

from __future__ import annotations

from verifier.archive.client import ArchiveClient
from verifier.archive.memento import MementoSource

__all__ = ["ARCHIVE_TODAY", "ARCHIVE_TODAY_HOSTS", "archive_today"]

ARCHIVE_TODAY = "archive.today"
# The service's mirror domains: a document may cite a copy on any of them.
ARCHIVE_TODAY_HOSTS = frozenset(
    {
        "archive.today",
        "archive.ph",
        "archive.is",
        "archive.li",
        "archive.vn",
        "archive.md",
        "archive.fo",
    }
)


def archive_today(client: ArchiveClient, base: str) -> MementoSource:
    """archive.today as a Memento source at ``base`` (``settings.archive_today_url``)."""
    return MementoSource(
        client, base, ARCHIVE_TODAY, timemap_path="/timemap/", timegate_path="/timegate/", raw=False
    )
