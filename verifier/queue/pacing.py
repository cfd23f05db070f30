"""A host's pacing handed from one worker to the next.

Within a worker, ``HostLimiter`` spaces two starts on a host by its
``min_interval`` and keeps it waiting after a ``Retry-After`` or a 429. A
host's jobs run one at a time over all workers, but one after the other on
any of them: without this, the worker taking the host's next job would
start at once, however recently the previous worker asked, or however long
the host asked to be left alone.

So a job that ends while its host must still wait writes when the host may
next be asked (``host_pacing``), and a job starts by reading it. Both times
are the database's clock (``clock_timestamp()``), so workers on machines
whose clocks disagree still agree on the wait. A worker killed with
``kill -9`` writes nothing, but its jobs come back only after the stall
timeout, far longer than any ``min_interval``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, text

from verifier.fetch.pacing import HostLimiter
from verifier.store.database import Database

__all__ = ["hand_over", "take_over"]

_READ = text(
    "SELECT host, extract(epoch FROM next_start - clock_timestamp()) AS wait"
    " FROM host_pacing WHERE host IN :hosts AND next_start > clock_timestamp()"
).bindparams(bindparam("hosts", expanding=True))

_WRITE = text(
    "INSERT INTO host_pacing (host, next_start)"
    " VALUES (:host, clock_timestamp() + make_interval(secs => :wait))"
    " ON CONFLICT (host) DO UPDATE"
    " SET next_start = greatest(host_pacing.next_start, excluded.next_start)"
)


def take_over(db: Database, limiter: HostLimiter, hosts: Iterable[str]) -> None:
    """Hold the limiter's ``hosts`` back until another worker's last start
    on them allows a new one (or their ``Retry-After`` is over)."""
    wanted = sorted({host for host in hosts if host})
    if not wanted:
        return
    with db.session() as session:
        rows = session.execute(_READ, {"hosts": wanted}).all()
    for host, wait in rows:
        if wait is not None and float(wait) > 0:
            limiter.push_back(host, float(wait))


def hand_over(db: Database, limiter: HostLimiter, hosts: Iterable[str]) -> None:
    """Record, for the worker that takes ``hosts`` next, how long each must
    still wait before its next start (nothing when it may start now)."""
    now = limiter.clock()
    waits = {host: limiter.ready_at(host) - now for host in hosts if host}
    rows = [{"host": host[:255], "wait": wait} for host, wait in sorted(waits.items()) if wait > 0]
    if not rows:
        return
    with db.session() as session:
        session.execute(_WRITE, rows)
