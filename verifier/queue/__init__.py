"""Scale-out on PostgreSQL: a run's URLs on a work queue, checked by any
number of ``verifier worker`` processes on any number of machines.

The queue is procrastinate (PostgreSQL-backed, asyncio); see
``docs/nightly.md`` for why it and not pgqueuer, and how to run it nightly.

* ``enqueue_run`` (``verifier check --enqueue``): opens a run and puts every
  due URL on the queue, in jobs of up to ``URLS_PER_JOB`` URLs of one host;
* ``run_worker`` (``verifier worker``): takes jobs and checks their URLs; the
  job that finishes a run's last batch queues the run's later stages (match,
  archive), which close the run;
* ``queue_progress`` (``verifier status``): per queued run, its URLs due, in
  flight, done and failed.

Politeness across workers: every job of a host carries the lock
``verifier:host:<name>``, and procrastinate runs one job of a lock at a
time, so at most ``per_host`` requests go to a host whatever the number of
workers; the host's pacing (``min_interval``, ``Retry-After``) is handed
from one worker to the next (``pacing``).
Spread: a worker takes a job only when its jobs leave a request slot unused,
so jobs stay on the queue for the other workers, and the workers are told
at once when a host's lock frees or a stalled job is back (``worker``).
Faults: a worker killed with ``kill -9`` stops heartbeating; after
``stall_timeout`` seconds another worker returns its jobs to the queue, and
a job only fetches the URLs of its batch that have no check in the run yet,
so only the requests that were in flight are lost and no URL is checked twice.
"""

from verifier.queue.enqueue import URLS_PER_JOB, EnqueueResult, enqueue_run
from verifier.queue.progress import RunProgress, queue_progress
from verifier.queue.worker import WorkerOptions, WorkerResult, run_worker

__all__ = [
    "URLS_PER_JOB",
    "EnqueueResult",
    "RunProgress",
    "WorkerOptions",
    "WorkerResult",
    "enqueue_run",
    "queue_progress",
    "run_worker",
]
