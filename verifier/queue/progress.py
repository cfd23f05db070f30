"""Queue progress per run, for ``verifier status``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from verifier.queue.app import FETCH_TASK, FINISH_TASK
from verifier.store.database import Database
from verifier.store.models import Check, QueueBatch, Run

__all__ = ["RunProgress", "queue_progress"]


@dataclass
class RunProgress:
    """One queued run's URLs: waiting for a worker (``due``), being checked
    (``in_flight``), checked (``done``), in jobs that failed (``failed``)."""

    run_id: int
    urls: int
    due: int
    in_flight: int
    done: int
    failed: int
    # Later stages: "waiting" (URLs left), "queued", "running", "done", "failed".
    stages: str
    finished: bool

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


# The unchecked URLs of a run's fetch jobs, by job status. A succeeded job
# with unchecked URLs handed them to a new job (Ctrl-C), so it is not counted.
_UNCHECKED = text(
    """
    SELECT j.status::text AS status, count(DISTINCT u.id) AS n
      FROM procrastinate_jobs j
     CROSS JOIN LATERAL jsonb_array_elements_text(j.args->'url_ids') AS u(id)
     WHERE j.task_name = :task AND (j.args->>'run_id')::int = :run_id
       AND NOT EXISTS (
           SELECT 1 FROM checks c WHERE c.run_id = :run_id AND c.url_id = u.id::int)
     GROUP BY j.status
    """
)
_FINISH = text(
    """
    SELECT status::text FROM procrastinate_jobs
     WHERE task_name = :task AND (args->>'run_id')::int = :run_id
     ORDER BY id DESC LIMIT 1
    """
)


def queue_progress(db: Database, *, limit: int = 5) -> list[RunProgress]:
    """The newest ``limit`` queued runs, newest first (none on SQLite)."""
    if db.dialect != "postgresql":
        return []
    with db.session() as session:
        runs = session.execute(
            select(Run.id, Run.finished_at, func.sum(QueueBatch.urls))
            .join(QueueBatch, QueueBatch.run_id == Run.id)
            .group_by(Run.id, Run.finished_at)
            .order_by(Run.id.desc())
            .limit(limit)
        ).all()
        progress = []
        for run_id, finished_at, urls in runs:
            done = session.scalar(
                select(func.count()).select_from(Check).where(Check.run_id == run_id)
            )
            by_status = {
                row.status: int(row.n)
                for row in session.execute(_UNCHECKED, {"task": FETCH_TASK, "run_id": run_id})
            }
            finish = session.scalar(_FINISH, {"task": FINISH_TASK, "run_id": run_id})
            stages = {
                None: "waiting",
                "todo": "queued",
                "doing": "running",
                "succeeded": "done",
            }.get(finish, "failed")
            if finished_at is not None:
                stages = "done"
            progress.append(
                RunProgress(
                    run_id=run_id,
                    urls=int(urls or 0),
                    due=by_status.get("todo", 0),
                    in_flight=by_status.get("doing", 0),
                    done=int(done or 0),
                    failed=by_status.get("failed", 0) + by_status.get("aborted", 0),
                    stages=stages,
                    finished=finished_at is not None,
                )
            )
    return progress
