"""The commands that check links: ``check``, ``audit`` and ``worker``.
Each parses its options, calls ``verifier.pipeline`` (or the work queue)
and prints what it did; ``CliObserver`` shows the run as it goes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from verifier import pipeline
from verifier.check import CheckResult, Progress
from verifier.cli.app import app, err, open_db, out, quiet, reports_errors
from verifier.cli.options import (
    AcceptOption,
    AllowPrivateOption,
    ArchiveAllOption,
    ArchiveTodayOption,
    ConcurrencyOption,
    ConfigOption,
    ContactOption,
    DbOption,
    ExcelOption,
    ExcludeOption,
    FailOnOption,
    FormatOption,
    MinFailuresOption,
    NoArchiveOption,
    OnlyOption,
    OutputOption,
    PathsArgument,
    PerHostOption,
    RecheckOption,
    RetriesOption,
    StaleAfterOption,
    TimeoutOption,
    check_settings,
)
from verifier.cli.progress import CheckDisplay, status_table
from verifier.cli.tables import print_summary
from verifier.errors import DocumentError, InputError
from verifier.settings import Settings
from verifier.store.database import Database

if TYPE_CHECKING:
    from verifier.store.documents import StoredDocument

__all__ = ["CliObserver", "audit", "check", "run_check_command", "worker"]


class CliObserver(pipeline.Observer):
    """The pipeline's run on the terminal: each stored document (on
    ``console``), a progress bar (on stderr, unless -q), the run's line
    and its warnings."""

    def __init__(self, settings: Settings, console: Console | None = None) -> None:
        self.settings = settings
        self.console = console or out

    def document(self, outcome: StoredDocument | DocumentError) -> None:
        if isinstance(outcome, DocumentError):
            err.print(f"[red]error:[/] {outcome}", markup=True)
        else:
            self.console.print(
                f"{outcome.action:>9}  {outcome.path}  ({outcome.citations} citations)",
                markup=False,
            )

    @contextmanager
    def checking(self) -> Iterator[Progress | None]:
        if quiet():
            yield None
            return
        with CheckDisplay(err) as display:
            yield display.update

    def checked(self, result: CheckResult) -> None:
        # One line on the URLs; the tables after it count citations (report rows).
        line = f"run {result.run_id}: {result.checked} URLs checked"
        if result.fresh:
            line += f", {result.fresh} checked recently (skipped)"
        self.console.print(line, markup=False)
        stage = result.archive
        for archive, reason in (stage.summary.failing if stage and stage.summary else {}).items():
            err.print(
                f"[yellow]warning:[/] archive {archive} failed ({reason}): "
                "no archived copies from it in this run",
                markup=True,
            )
        if result.interrupted:
            err.print("interrupted: the checks done so far are kept")
        if result.offline:
            err.print(
                f"[bold red]error:[/] no network: no URL answered and the DNS check name "
                f"{self.settings.dns_canary!r} does not resolve; nothing was judged (exit 3)",
                markup=True,
            )


def run_check_command(
    database: Database, settings: Settings, *, recheck: bool, console: Console | None = None
) -> CheckResult:
    """Run a check with a progress bar and print its line (on ``console``,
    stdout by default); ``fix`` passes stderr."""
    return pipeline.run_checks(
        database, settings, recheck=recheck, observer=CliObserver(settings, console)
    )


@app.command()
@reports_errors
def check(
    db: DbOption = "sources.db",
    config: ConfigOption = None,
    exclude: ExcludeOption = None,
    accept: AcceptOption = None,
    concurrency: ConcurrencyOption = None,
    per_host: PerHostOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
    no_archive: NoArchiveOption = False,
    allow_private_hosts: AllowPrivateOption = False,
    stale_after: StaleAfterOption = None,
    recheck: RecheckOption = False,
    archive_all: ArchiveAllOption = False,
    archive_today: ArchiveTodayOption = False,
    contact: ContactOption = None,
    fail_on: FailOnOption = None,
    min_failures: MinFailuresOption = None,
    enqueue: Annotated[
        bool,
        typer.Option(
            "--enqueue",
            help="(PostgreSQL) Open a run, put every due URL on the work queue and return; "
            "`verifier worker` processes check them.",
        ),
    ] = False,
) -> None:
    """Fetch every cited URL that is due and record its status.

    A URL is due when it was never checked or its last check is older than
    --stale-after; each is fetched once however many citations give it.
    Ctrl-C stops cleanly and keeps what was checked; a killed run is resumed
    by the next check. Exit code 0 when every checked link is fine, 1 when a
    citation fails (--fail-on, --min-failures), 2 for bad input or a database
    error, 3 when there is no network (nothing was judged).

    Example:

    \b
        verifier check --db sources.db --concurrency 32 --per-host 2
        verifier check --recheck --no-archive --contact factcheck@example.org
        verifier check --exclude '^https?://twitter\\.com/' --accept 200,403
        verifier check --fail-on dead --min-failures 3   # a nightly job
        verifier check --enqueue --db postgresql://host/db   # then start workers
    """
    from verifier.report import FailurePolicy

    policy = FailurePolicy.from_options(fail_on, min_failures)
    settings = check_settings(
        db,
        config,
        exclude=exclude,
        accept=accept,
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        retries=retries,
        no_archive=no_archive,
        allow_private_hosts=allow_private_hosts,
        stale_after=stale_after,
        archive_all=archive_all,
        archive_today=archive_today,
        contact=contact,
    )
    database = open_db(db)
    if enqueue:
        from verifier.queue import enqueue_run

        queued = enqueue_run(database, settings, recheck=recheck)
        if queued.busy:
            out.print(f"run {queued.run_id} is still on the queue: nothing added")
        else:
            out.print(
                f"run {queued.run_id}: {queued.urls} URLs put on the queue in "
                f"{queued.jobs} job{'s' * (queued.jobs != 1)}"
                + (f", {queued.fresh} checked recently (skipped)" if queued.fresh else "")
            )
        raise typer.Exit(0)
    done = pipeline.check(
        database, settings, policy, recheck=recheck, observer=CliObserver(settings)
    )
    if done.report is not None:
        print_summary(out, done.report, outcome=done.outcome, exit_code=done.exit_code)
    raise typer.Exit(done.exit_code)


@app.command()
@reports_errors
def worker(
    db: DbOption = "sources.db",
    config: ConfigOption = None,
    concurrency: ConcurrencyOption = None,
    per_host: PerHostOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
    allow_private_hosts: AllowPrivateOption = False,
    contact: ContactOption = None,
    until_empty: Annotated[
        bool,
        typer.Option("--until-empty", help="Stop when no job waits or runs on the queue."),
    ] = False,
    stall_timeout: Annotated[
        float,
        typer.Option(
            "--stall-timeout",
            metavar="SECONDS",
            help="Return a worker's jobs to the queue when it sent no heartbeat for this long.",
        ),
    ] = 30.0,
) -> None:
    """(PostgreSQL) Take jobs from the work queue and check their URLs; run
    any number, on any number of machines. The run's match and archive
    stages run as a job too: the run is complete when the queue drains.
    Ctrl-C finishes the requests in flight and returns the rest of the job.

    Start workers after `verifier check --enqueue` put a run on the queue.

    Example:

    \b
        verifier worker --db postgresql://host/db --concurrency 8 --until-empty
    """
    from verifier.queue import WorkerOptions, run_worker

    if stall_timeout <= 0:
        raise InputError(f"--stall-timeout must be positive (got {stall_timeout})")
    settings = check_settings(
        db,
        config,
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        retries=retries,
        allow_private_hosts=allow_private_hosts,
        contact=contact,
    )
    database = open_db(db)
    options = WorkerOptions(until_empty=until_empty, stall_timeout=stall_timeout)
    result = run_worker(database, settings, options)
    title = f"worker: {result.checked} URLs checked in {result.jobs} jobs"
    if result.recovered:
        title += f", {result.recovered} jobs of stalled workers returned to the queue"
    if result.runs_finished:
        title += ", runs finished: " + ", ".join(map(str, result.runs_finished))
    out.print(status_table(result.counts, title))
    if result.interrupted:
        err.print("interrupted: the rest of the running jobs is back on the queue")
        raise typer.Exit(130)


@app.command()
@reports_errors
def audit(
    paths: PathsArgument,
    db: DbOption = "sources.db",
    config: ConfigOption = None,
    output: OutputOption = None,
    format: FormatOption = None,
    excel: ExcelOption = False,
    only: OnlyOption = None,
    fail_on: FailOnOption = None,
    min_failures: MinFailuresOption = None,
    exclude: ExcludeOption = None,
    accept: AcceptOption = None,
    concurrency: ConcurrencyOption = None,
    per_host: PerHostOption = None,
    timeout: TimeoutOption = None,
    retries: RetriesOption = None,
    no_archive: NoArchiveOption = False,
    allow_private_hosts: AllowPrivateOption = False,
    stale_after: StaleAfterOption = None,
    recheck: RecheckOption = False,
    archive_all: ArchiveAllOption = False,
    archive_today: ArchiveTodayOption = False,
    contact: ContactOption = None,
) -> None:
    """Ingest, check and report in one go, with the contract's exit codes.

    The report covers the documents given; its format comes from -o's suffix
    (.csv, .json, .md, .html, .sarif; CSV on stdout without -o) or --format.
    Exit code 0 when every checked link is fine, 1 when a citation is dead
    or a soft-404 or quotes text found in neither the page nor the archive
    (tune with --fail-on and --min-failures), 2 for bad input, with nothing
    written, 3 when there is no network (nothing was judged).

    Example:

    \b
        verifier audit article.md -o report.html
        verifier audit essays/ --min-failures 3 --fail-on any -o nightly.csv
        verifier audit docs/ --format github
    """
    from verifier.report import FailurePolicy, parse_format, parse_only, report_format

    # Every option is checked before anything is ingested, fetched or written.
    policy = FailurePolicy.from_options(fail_on, min_failures)
    fmt = report_format(output, parse_format(format) if format else None, excel=excel)
    only_broken = parse_only(only)
    pipeline.check_output(output)
    settings = check_settings(
        db,
        config,
        exclude=exclude,
        accept=accept,
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        retries=retries,
        no_archive=no_archive,
        allow_private_hosts=allow_private_hosts,
        stale_after=stale_after,
        archive_all=archive_all,
        archive_today=archive_today,
        contact=contact,
    )
    database = open_db(db, create=True)
    # With the report on stdout, everything else goes to stderr.
    console = err if output is None else out
    if quiet():
        console = Console(quiet=True)
    done = pipeline.audit(
        database,
        paths,
        settings,
        policy=policy,
        output=output,
        fmt=fmt,
        excel=excel,
        only_broken=only_broken,
        recheck=recheck,
        observer=CliObserver(settings, console),
    )
    if done.check is None:
        errors = len(done.ingest.errors)
        err.print(f"{errors} documents could not be read: nothing checked or written")
        raise typer.Exit(2)
    assert done.report is not None
    print_summary(
        console,
        done.report,
        outcome=done.outcome,
        report_path=output or "stdout",
        exit_code=done.exit_code,
    )
    raise typer.Exit(done.exit_code)
