"""Save Page Now: ask the Wayback Machine to capture live pages (opt-in).

Used by ``verifier archive --save URL-or-all``. A page that is still live
today may be gone next year; a capture made now is what a later check will
fall back on. The API (SPN2) takes ``POST /save`` with ``url=...`` and an
``Authorization: LOW <access>:<secret>`` header (``settings.save_page_now_auth``)
and answers a job id, whose ``GET /save/status/<job id>`` says ``pending``,
``success`` (with the capture's timestamp) or ``error``.

Its limits are respected: one submission at a time through the Wayback's
rate limiter, 429 and 5xx backed off and retried like every archive request,
and when the service says the daily or concurrent capture limit is reached
the remaining URLs are reported as skipped instead of being hammered in.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from sqlalchemy import exists, select

from verifier.archive.client import ArchiveClient, ArchiveUnavailable
from verifier.archive.wayback import WAYBACK, Wayback
from verifier.errors import InputError
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import LinkStatus, Snapshot, Url

__all__ = ["SaveOutcome", "save_pages", "urls_to_save"]

# Seconds between two status polls of one job, and polls before giving up.
POLL_INTERVAL = 5.0
MAX_POLLS = 24
# SPN2 error codes meaning "no more captures for now": stop submitting.
_LIMIT_ERRORS = ("error:too-many-daily-captures", "error:user-session-limit", "error:too-many")


@dataclass
class SaveOutcome:
    url: str
    # saved | already_archived | error | skipped | pending
    outcome: str
    timestamp: str | None = None
    snapshot_url: str | None = None
    error: str | None = None


def urls_to_save(db: Database | None, target: str) -> list[str]:
    """``all``: the URLs whose last check was fine (``ok``/``redirected``)
    and that have no stored archived copy; otherwise the URL given (no
    database needed)."""
    if target != "all":
        if not target.lower().startswith(("http://", "https://")):
            raise InputError(f"--save takes a http(s) URL or 'all' (got {target!r})")
        return [target]
    assert db is not None, "--save all reads the database"
    with db.session() as session:
        has_snapshot = exists().where(Snapshot.url_id == Url.id)
        rows = session.execute(
            select(Url.url)
            .where(Url.last_status.in_([LinkStatus.OK.value, LinkStatus.REDIRECTED.value]))
            .where(~has_snapshot)
            .order_by(Url.id)
        ).scalars()
        return list(rows)


async def save_pages(
    settings: Settings,
    urls: list[str],
    *,
    check_existing: bool = True,
    client: ArchiveClient | None = None,
    poll_interval: float = POLL_INTERVAL,
    max_polls: int = MAX_POLLS,
) -> list[SaveOutcome]:
    """Submit each URL to Save Page Now, one at a time, and wait for its job.

    With ``check_existing``, a URL the Wayback already holds a capture of is
    not submitted (``already_archived``): a capture is what is needed, not
    a newer one. Raises :class:`InputError` without credentials.
    """
    auth = settings.save_page_now_auth
    if not auth or ":" not in auth:
        raise InputError(
            "Save Page Now needs credentials: set save_page_now_auth = "
            '"ACCESS:SECRET" in verifier.toml or VERIFIER_SAVE_PAGE_NOW_AUTH '
            "(keys from https://archive.org/account/s3.php)"
        )
    headers = {"Accept": "application/json", "Authorization": f"LOW {auth}"}
    own = client is None
    archive_client = client or ArchiveClient(settings)
    wayback = Wayback(archive_client, settings.wayback_url)
    base = settings.wayback_url.rstrip("/")
    outcomes: list[SaveOutcome] = []
    stopped: str | None = None
    try:
        for url in urls:
            if stopped is not None:
                outcomes.append(SaveOutcome(url, "skipped", error=stopped))
                continue
            try:
                if check_existing and await wayback.latest(url, 1):
                    outcomes.append(SaveOutcome(url, "already_archived"))
                    continue
                outcome = await _save_one(
                    archive_client, base, url, headers, poll_interval, max_polls
                )
            except ArchiveUnavailable as exc:
                outcome = SaveOutcome(url, "error", error=exc.reason)
                stopped = f"Save Page Now unavailable: {exc.reason}"
            if outcome.error and outcome.error.startswith(_LIMIT_ERRORS):
                stopped = f"Save Page Now limit reached ({outcome.error})"
            outcomes.append(outcome)
    finally:
        if own:
            await archive_client.aclose()
    return outcomes


async def _save_one(
    client: ArchiveClient,
    base: str,
    url: str,
    headers: dict[str, str],
    poll_interval: float,
    max_polls: int,
) -> SaveOutcome:
    response = await client.request(
        "POST", WAYBACK, f"{base}/save", headers=headers, data={"url": url}
    )
    if response.status in (401, 403):
        raise InputError("Save Page Now refused the credentials (save_page_now_auth)")
    answer = _json(response.body)
    job = answer.get("job_id")
    if response.status != 200 or not job:
        error = str(answer.get("status_ext") or answer.get("message") or f"HTTP {response.status}")
        return SaveOutcome(url, "error", error=error)
    for poll in range(max_polls):
        # Quick first looks (a small page is captured in seconds), then
        # every ``poll_interval``.
        await asyncio.sleep(min(poll_interval, 0.5 * 2**poll))
        status = await client.get(WAYBACK, f"{base}/save/status/{job}", headers=headers)
        state = _json(status.body)
        if state.get("status") == "success":
            timestamp = str(state.get("timestamp") or "")
            original = str(state.get("original_url") or url)
            return SaveOutcome(
                url, "saved", timestamp=timestamp, snapshot_url=f"{base}/web/{timestamp}/{original}"
            )
        if state.get("status") == "error":
            return SaveOutcome(
                url, "error", error=str(state.get("status_ext") or state.get("message") or "error")
            )
    return SaveOutcome(url, "pending", error=f"job {job} still pending")


def _json(body: bytes) -> dict[str, object]:
    try:
        value = json.loads(body.decode("utf-8", "replace"))
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
