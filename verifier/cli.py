"""The ``verifier`` command line: parses options and calls the library.

Each command's docstring is its ``--help``, with an example; the README lists
every command and option (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from verifier.errors import DocumentError, VerifierError
from verifier.ingest import ingest_paths
from verifier.settings import Settings, load_settings, parse_duration
from verifier.status import status_summary
from verifier.store.database import Database
from verifier.store.documents import StoredDocument

if TYPE_CHECKING:
    from verifier.check import CheckResult
    from verifier.report import FailurePolicy

app = typer.Typer(
    name="verifier",
    help="Check what citations say: parse notes, fetch their links, find archived "
    "copies, and verify cited titles and quotations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="VERIFIER_DB",
        help="Database: an SQLite file path or a postgresql:// URL.",
        show_default=True,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Turn verifier's errors into a message on stderr and their exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VerifierError as exc:
            err.print(f"[bold red]error:[/] {exc}", markup=True)
            raise typer.Exit(exc.exit_code) from exc

    return wrapper  # type: ignore[return-value]


def open_db(target: str) -> Database:
    return Database(target)


@app.command()
@reports_errors
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Documents or folders of documents.")],
    db: DbOption = "sources.db",
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Parse every file as this format (text, markdown, html, docx, pdf, "
            "wikitext) instead of choosing by suffix and content.",
        ),
    ] = None,
) -> None:
    """Parse each document's citations into the database.

    Re-ingesting an unchanged file changes nothing; a changed file replaces
    that document's citations. A file that cannot be read is reported and the
    others are still ingested (exit code 2).

    Example:

        verifier ingest paper.txt essays/ --db sources.db
    """
    database = open_db(db)

    def show(outcome: StoredDocument | DocumentError) -> None:
        if isinstance(outcome, DocumentError):
            err.print(f"[red]error:[/] {outcome}", markup=True)
            return
        out.print(
            f"{outcome.action:>9}  {outcome.path}  "
            f"({outcome.citations} citations, {outcome.urls} URLs, "
            f"{outcome.attributions} unsourced attributions)"
        )
        for warning in outcome.warnings:
            err.print(f"[yellow]warning:[/] {outcome.path}: {warning}", markup=True)

    result = ingest_paths(database, paths, format, on_document=show)
    if result.errors:
        err.print(f"{len(result.errors)} of {len(result.errors) + len(result.stored)} files failed")
        raise typer.Exit(2)


@app.command()
@reports_errors
def status(
    db: DbOption = "sources.db",
    since: Annotated[
        int | None,
        typer.Option(
            "--since",
            metavar="RUN",
            help="Compare the newest run with this run (its number) instead of the one before.",
        ),
    ] = None,
    min_failures: MinFailuresOption = None,
    fail_on_new: Annotated[
        bool,
        typer.Option(
            "--fail-on-new",
            help="Exit with code 1 when a link newly broke or a title or quotation newly "
            "drifted: a nightly job's alert on exactly the new problems.",
        ),
    ] = False,
) -> None:
    """Counts by link status, per document and overall, unsourced attributions,
    and what changed since the previous run: newly broken, recovered, newly drifted.

    With --min-failures N a link counts as broken once it failed N checks in a
    row, so it is "newly broken" on the night it reaches N, and only then.

    Example:

    \b
        verifier status --db sources.db
        verifier status --since 12
        verifier status --min-failures 3 --fail-on-new   # after a nightly check
    """
    from verifier.errors import InputError
    from verifier.report import diff_runs, print_run_diff
    from verifier.report.summary import STATUS_ORDER, ordered, status_style

    if min_failures is not None and min_failures < 1:
        raise InputError(f"--min-failures must be at least 1 (got {min_failures})")
    database = open_db(db)
    diff = diff_runs(database, since=since, min_failures=min_failures or 1)
    summary = status_summary(database)
    # Fine first, then the worst; only the statuses that occur.
    statuses = [name for name, _ in ordered(summary.statuses, STATUS_ORDER)]
    docs = len(summary.documents)
    table = Table(
        title=f"{docs} document{'s' * (docs != 1)}, {summary.urls} distinct URLs",
        title_justify="left",
    )
    table.add_column("document", overflow="fold", min_width=16)
    table.add_column("cita-\ntions", justify="right")
    for name in statuses:
        # Two-line headers ("soft" / "404") keep a dozen statuses readable.
        header = name.replace("_", "\n")
        table.add_column(
            header,
            justify="right",
            header_style=status_style(name),
            min_width=max(len(part) for part in header.split("\n")),
        )
    table.add_column("un-\nsourced", justify="right", min_width=7)
    for doc in summary.documents:
        table.add_row(
            doc.path,
            str(doc.citations),
            *(str(doc.statuses.get(name, 0)) for name in statuses),
            str(len(doc.attributions)),
        )
    table.add_row(
        "total",
        str(summary.citations),
        *(str(summary.statuses.get(name, 0)) for name in statuses),
        str(sum(len(d.attributions) for d in summary.documents)),
        style="bold",
    )
    out.print(table)
    for doc in summary.documents:
        if doc.attributions:
            out.print(f"\nUnsourced attributions in {doc.path}:")
            for cue, sentence in doc.attributions:
                out.print(f"  [{cue}] {sentence}", markup=False)
    out.print()
    if database.dialect == "postgresql":
        from verifier.queue import queue_progress

        for run in queue_progress(database):
            out.print(
                f"queue, run {run.run_id}: {run.urls} URLs: {run.due} due, "
                f"{run.in_flight} in flight, {run.done} done, {run.failed} failed; "
                f"match and archive stages {run.stages}"
            )
    print_run_diff(out, diff)
    if fail_on_new and (diff.newly_broken or diff.newly_drifted):
        raise typer.Exit(1)


@db_app.command("upgrade")
@reports_errors
def db_upgrade(db: DbOption = "sources.db") -> None:
    """Bring the database schema to the newest migration.

    Every command does this on its own; this one only migrates.

    Example:

        verifier db upgrade --db postgresql://user@localhost/verifier
    """
    database = Database(db, upgrade=False)
    revisions = database.upgrade()
    out.print(f"{db}: schema at {', '.join(revisions)}")


# --- report options, shared by `report` and `audit` --------------------------

OutputOption = Annotated[
    str | None,
    typer.Option("-o", "--output", help="Write the report to this file (stdout when absent)."),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="csv, json, md or html; by default from -o's suffix, else csv.",
    ),
]
ExcelOption = Annotated[
    bool,
    typer.Option("--excel", help="Start the CSV with a UTF-8 BOM so Excel reads accents right."),
]
OnlyOption = Annotated[
    str | None,
    typer.Option(
        "--only",
        help="'broken': only rows whose status is not ok/redirected, or whose title or "
        "quotation is absent or only in the archive.",
    ),
]
DocumentOption = Annotated[
    str | None,
    typer.Option("--document", help="Only this document (its path as ingested)."),
]
FailOnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on",
        help="What makes the exit code 1 (repeatable): dead (dead or soft-404 links), "
        "quote (quotations absent from page and archive), any (every failed check and "
        "every absent or archive-only title or quotation). Default: dead and quote.",
    ),
]
MinFailuresOption = Annotated[
    int | None,
    typer.Option(
        "--min-failures",
        help="Count a failing link only once it failed this many checks in a row "
        "(a nightly job's guard against links that are down for a night).",
    ),
]


@app.command()
@reports_errors
def report(
    db: DbOption = "sources.db",
    format: FormatOption = None,
    output: OutputOption = None,
    excel: ExcelOption = False,
    only: OnlyOption = None,
    document: DocumentOption = None,
) -> None:
    """Write the report of every ingested citation: one row per (citation, URL).

    CSV has exactly the contract's columns; JSON the same keys plus each
    document's unsourced attributions; Markdown suits a pull request or an
    email; HTML is one self-contained page to sort and filter, with the
    evidence for every verdict.

    Example:

    \b
        verifier report --format html -o report.html
        verifier report --only broken --excel -o broken.csv
    """
    from verifier.report import parse_format, parse_only, produce_report

    fmt = parse_format(format) if format else None
    only_broken = parse_only(only)
    rows = produce_report(
        open_db(db), output, fmt, excel=excel, only_broken=only_broken, document=document
    )
    if output:
        err.print(f"{rows} rows written to {output}")


# --- check options, shared by `check` and `audit` ------------------------------

ConcurrencyOption = Annotated[
    int | None, typer.Option("--concurrency", help="Requests in flight in all (default 64).")
]
PerHostOption = Annotated[
    int | None, typer.Option("--per-host", help="Requests in flight to one host (default 4).")
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", help="Seconds to connect and for each read (default 20)."),
]
RetriesOption = Annotated[
    int | None,
    typer.Option(
        "--retries", help="Extra attempts for time-outs, resets, 408, 429, 5xx (default 3)."
    ),
]
NoArchiveOption = Annotated[
    bool, typer.Option("--no-archive", help="Do not look for archived copies.")
]
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private-hosts",
        help="Also fetch loopback, private and link-local addresses (refused by default).",
    ),
]
StaleAfterOption = Annotated[
    str | None,
    typer.Option(
        "--stale-after",
        help="Check a URL again only when its last check is older than this "
        "(e.g. 3600, 30m, 12h, 1d; default 1d).",
    ),
]
RecheckOption = Annotated[
    bool, typer.Option("--recheck", help="Check every cited URL, however recently checked.")
]
ArchiveAllOption = Annotated[
    bool,
    typer.Option("--archive-all", help="Look up an archived copy for every citation."),
]
ArchiveTodayOption = Annotated[
    bool,
    typer.Option(
        "--archive-today", help="Also use archive.today (off: its copies can be altered)."
    ),
]
ContactOption = Annotated[
    str | None,
    typer.Option("--contact", help="Contact (URL or e-mail) put in the User-Agent."),
]


def check_settings(
    db: str,
    *,
    concurrency: int | None = None,
    per_host: int | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    no_archive: bool = False,
    allow_private_hosts: bool = False,
    stale_after: str | None = None,
    archive_all: bool = False,
    archive_today: bool = False,
    contact: str | None = None,
) -> Settings:
    """Settings from the config file and environment, with the options given on top."""
    return load_settings(
        db=db,
        concurrency=concurrency,
        per_host=per_host,
        timeout=timeout,
        retries=retries,
        archive=False if no_archive else None,
        allow_private_hosts=True if allow_private_hosts else None,
        stale_after=parse_duration(stale_after) if stale_after is not None else None,
        archive_all=True if archive_all else None,
        archive_today=True if archive_today else None,
        contact=contact,
    )


def run_check_command(
    database: Database, settings: Settings, *, recheck: bool, console: Console | None = None
) -> CheckResult:
    """Run a check with a progress bar and print its summary table (on
    ``console``, stdout by default; ``audit`` writing its report to stdout
    passes stderr)."""
    from verifier.check import run_check
    from verifier.fetch.progress import CheckDisplay, status_table

    with CheckDisplay(err) as display:
        result = run_check(database, settings, recheck=recheck, progress=display.update)
    title = f"run {result.run_id}: {result.checked} URLs checked"
    if result.fresh:
        title += f", {result.fresh} checked recently (skipped)"
    (console or out).print(status_table(result.counts, title))
    archive_stage = result.stages.get("archive")
    failing = archive_stage.get("failing", {}) if isinstance(archive_stage, dict) else {}
    for archive, reason in failing.items():
        err.print(
            f"[yellow]warning:[/] archive {archive} failed ({reason}): "
            "no archived copies from it in this run",
            markup=True,
        )
    if result.interrupted:
        err.print("interrupted: the checks done so far are kept")
    return result


@app.command()
@reports_errors
def check(
    db: DbOption = "sources.db",
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
    by the next check.

    Example:

    \b
        verifier check --db sources.db --concurrency 32 --per-host 2
        verifier check --recheck --no-archive --contact factcheck@example.org
        verifier check --fail-on dead --min-failures 3   # a nightly job
        verifier check --enqueue --db postgresql://host/db   # then: verifier worker
    """
    from verifier.report import FailurePolicy

    policy = FailurePolicy.from_options(fail_on, min_failures)
    settings = check_settings(
        db,
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
    result = run_check_command(database, settings, recheck=recheck)
    if result.interrupted:
        raise typer.Exit(130)
    raise typer.Exit(finish_run(database, policy))


@app.command()
@reports_errors
def worker(
    db: DbOption = "sources.db",
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

    Example:

    \b
        verifier check --enqueue --db postgresql://host/db
        verifier worker --db postgresql://host/db --concurrency 8 --until-empty
    """
    from verifier.errors import InputError
    from verifier.fetch.progress import status_table
    from verifier.queue import WorkerOptions, run_worker

    if stall_timeout <= 0:
        raise InputError(f"--stall-timeout must be positive (got {stall_timeout})")
    settings = check_settings(
        db,
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


def finish_run(
    database: Database,
    policy: FailurePolicy,
    *,
    documents: list[str] | None = None,
    console: Console | None = None,
    report_path: str | None = None,
) -> int:
    """The summary table at the end of ``check``, and the exit code it earns."""
    from verifier.report import print_summary, summarize

    summary, outcome = summarize(database, policy, documents=documents)
    print_summary(console or out, summary, outcome=outcome, report_path=report_path)
    return outcome.exit_code


@app.command()
@reports_errors
def audit(
    paths: Annotated[list[str], typer.Argument(help="Documents or folders of documents.")],
    db: DbOption = "sources.db",
    output: OutputOption = None,
    excel: ExcelOption = False,
    only: OnlyOption = None,
    fail_on: FailOnOption = None,
    min_failures: MinFailuresOption = None,
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
    (.csv, .json, .md, .html; CSV on stdout without -o). Exit code 0 when
    every checked link is fine, 1 when a citation is dead or a soft-404 or
    quotes text found in neither the page nor the archive (tune with
    --fail-on and --min-failures), 2 for bad input, with nothing written.

    Example:

    \b
        verifier audit article.md -o report.html
        verifier audit essays/ --min-failures 3 --fail-on any -o nightly.csv
    """
    from verifier.report import (
        FailurePolicy,
        Outcome,
        ReportSummary,
        parse_only,
        print_summary,
        produce_report,
        report_format,
    )

    # Every option is checked before anything is ingested, fetched or written.
    policy = FailurePolicy.from_options(fail_on, min_failures)
    fmt = report_format(output, excel=excel)
    only_broken = parse_only(only)
    settings = check_settings(
        db,
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
    # With the report on stdout, everything else goes to stderr.
    console = err if output is None else out

    def show(outcome: StoredDocument | DocumentError) -> None:
        if isinstance(outcome, DocumentError):
            err.print(f"[red]error:[/] {outcome}", markup=True)
        else:
            console.print(
                f"{outcome.action:>9}  {outcome.path}  ({outcome.citations} citations)",
                markup=False,
            )

    ingested = ingest_paths(database, paths, on_document=show)
    if ingested.errors:
        err.print(f"{len(ingested.errors)} documents could not be read: nothing checked or written")
        raise typer.Exit(2)
    result = run_check_command(database, settings, recheck=recheck, console=console)
    summary = ReportSummary()
    outcome = Outcome(policy)
    produce_report(
        database,
        output,
        fmt,
        excel=excel,
        only_broken=only_broken,
        documents=[stored.path for stored in ingested.stored],
        summary=summary,
        outcome=outcome,
    )
    print_summary(console, summary, outcome=outcome, report_path=output or "stdout")
    if result.interrupted:
        raise typer.Exit(130)
    raise typer.Exit(outcome.exit_code)


@app.command()
@reports_errors
def archive(
    save: Annotated[
        str,
        typer.Option(
            "--save",
            help="Submit this URL, or 'all' (every cited URL whose last check was fine "
            "and that has no archived copy yet), to Save Page Now.",
        ),
    ],
    db: DbOption = "sources.db",
) -> None:
    """Ask the Wayback Machine to capture live pages now (opt-in).

    Needs Save Page Now keys in save_page_now_auth ("ACCESS:SECRET", in
    verifier.toml or VERIFIER_SAVE_PAGE_NOW_AUTH). With 'all', pages the
    Wayback already holds a capture of are not submitted. One submission at
    a time, at the archive rate; stops when Save Page Now says its limit is
    reached.

    Example:

        verifier archive --save all --db sources.db
        verifier archive --save https://example.org/report.pdf
    """
    import asyncio

    from verifier.archive.save import save_pages, urls_to_save
    from verifier.settings import load_settings

    settings = load_settings(db=db)
    urls = urls_to_save(open_db(db), save)
    outcomes = asyncio.run(save_pages(settings, urls, check_existing=save == "all"))
    for item in outcomes:
        detail = item.snapshot_url or item.error or ""
        out.print(f"{item.outcome:>16}  {item.url}  {detail}".rstrip(), markup=False)
    failed = sum(item.outcome == "error" for item in outcomes)
    out.print(f"{len(outcomes)} URLs: {len(outcomes) - failed} without error")
    if failed:
        raise typer.Exit(1)


def main() -> None:
    app(prog_name="verifier")


if __name__ == "__main__":
    main()
