"""The ``verifier`` command line: parses options and calls the library.

Each command's docstring is its ``--help``, with an example; the README lists
every command and option (a test checks it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperArgument, TyperCommand

from verifier.errors import DocumentError, InputError, VerifierError
from verifier.ingest import ingest_paths
from verifier.settings import Settings, load_settings, parse_accept, parse_duration
from verifier.status import status_summary
from verifier.store.database import Database, explain
from verifier.store.documents import StoredDocument

if TYPE_CHECKING:
    from verifier.check import CheckResult
    from verifier.report import FailurePolicy


class _Command(TyperCommand):
    """A command whose --help shows arguments by their metavar alone
    (``PATH...``), not with typer's type placeholder (``<list[str]>``)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
        super().format_help(ctx, formatter)


class _Typer(typer.Typer):
    """Every command made with ``@app.command()`` gets ``_Command``'s help."""

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or _Command, **kwargs)


app = _Typer(
    name="verifier",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = _Typer(
    help="Database maintenance.\n\nExample:\n\n\b\n    verifier db upgrade --db sources.db",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

# Exit code 3 of the contract: no network, nothing was judged.
EXIT_OFFLINE = 3

# --- options every command takes ---------------------------------------------

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="VERIFIER_DB",
        metavar="PATH-OR-URL",
        help="Database: an SQLite file path or a postgresql:// URL.",
        show_default=True,
    ),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        envvar="VERIFIER_CONFIG",
        metavar="FILE",
        help="Settings file (default: verifier.toml, else [tool.verifier] in "
        "pyproject.toml, in the current folder).",
    ),
]
PathsArgument = Annotated[
    list[str], typer.Argument(metavar="PATH", help="Documents or folders of documents.")
]


def _version(value: bool) -> None:
    if value:
        from verifier import __version__

        typer.echo(f"verifier {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "-q", "--quiet", help="Only errors, warnings and the report: no tables, no progress."
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            show_default=False,
            help="Log what happens on stderr (-v: each stage, -vv: each URL's result).",
        ),
    ] = 0,
) -> None:
    """Check what citations say: parse notes, fetch their links, find archived
    copies, and verify cited titles and quotations.

    Exit codes: 0 every checked link fine, 1 a citation fails, 2 usage, input
    or database error (nothing written), 3 no network (nothing judged).

    Example:

    \b
        verifier audit article.md -o report.html
        verifier -q check --db sources.db
    """
    out.quiet = quiet
    _opened.clear()
    _state["quiet"] = quiet
    logger = logging.getLogger("verifier")
    for old in [h for h in logger.handlers if getattr(h, "verifier_cli", False)]:
        logger.removeHandler(old)
    logger.setLevel(logging.NOTSET)
    if verbose:
        # Verifier's own log only: the libraries' debug output is noise here.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.verifier_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)


_state: dict[str, Any] = {"quiet": False}
# The databases this command opened: named in errors, and removed again when
# the command created one and ends in an input error without storing anything.
_opened: list[Database] = []

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Turn verifier's errors, database errors and file errors into one line
    on stderr and their exit code; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VerifierError as exc:
            _error(str(exc))
            _cleanup(exc.exit_code)
            raise typer.Exit(exc.exit_code) from exc
        except SQLAlchemyError as exc:
            target = _opened[-1].target if _opened else str(kwargs.get("db") or "sources.db")
            _error(str(explain(exc, target)))
            _cleanup(2)
            raise typer.Exit(2) from exc
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _error(f"{where}{exc.strerror or exc}")
            _cleanup(2)
            raise typer.Exit(2) from exc
        except typer.Exit as exc:
            _cleanup(exc.exit_code)
            raise

    return wrapper  # type: ignore[return-value]


def _error(message: str) -> None:
    err.print(f"[bold red]error:[/] {message.splitlines()[0] if message else ''}", markup=True)


def _cleanup(exit_code: int) -> None:
    """An input error leaves no new database behind (the contract: nothing written)."""
    if exit_code == 2:
        for database in _opened:
            database.remove_if_created()


def open_db(target: str, *, create: bool = False, readonly: bool = False) -> Database:
    """The database of ``--db``. Only ``ingest`` and ``audit`` create one; the
    others are refused a missing file (a typo must not read as "nothing")."""
    database = Database(target, create=create, readonly=readonly)
    _opened.append(database)
    return database


def settings_for(db: str, config: str | None, **overrides: Any) -> Settings:
    """Settings from the config file and environment, with the options given on top."""
    return load_settings(db=db, config=config, **overrides)


@app.command()
@reports_errors
def ingest(
    paths: PathsArgument,
    db: DbOption = "sources.db",
    config: ConfigOption = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="Parse every file as this format (text, markdown, html, docx, pdf, "
            "wikitext) instead of choosing by suffix and content.",
        ),
    ] = None,
) -> None:
    """Parse each document's citations into the database.

    Re-ingesting an unchanged file changes nothing; a changed file replaces
    that document's citations. A file that cannot be read is reported and the
    others are still ingested (exit code 2). A file is one document however
    its path is spelled; a file moved with its content unchanged is the same
    document ("moved").

    Example:

    \b
        verifier ingest paper.txt essays/ --db sources.db
        verifier ingest notes.txt --format markdown
    """
    settings_for(db, config)
    if format is not None:
        from verifier.parse import FORMATS

        if format not in FORMATS:
            raise InputError(f"--format {format!r}: choose one of {', '.join(sorted(FORMATS))}")
    database = open_db(db, create=True)

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
def remove(
    paths: PathsArgument,
    db: DbOption = "sources.db",
    config: ConfigOption = None,
) -> None:
    """Forget documents: their citations leave the reports and status.

    The URLs they cited and those URLs' check history stay (another document
    may cite them; a URL cited by no document is no longer checked). A
    folder forgets every document below it. The file itself is not touched,
    and need not exist any more.

    Example:

    \b
        verifier remove articles/old-draft.md
        verifier remove drafts/ --db sources.db
    """
    from verifier.store.documents import remove_documents

    settings_for(db, config)
    database = open_db(db)
    with database.session() as session:
        removed, unknown = remove_documents(session, paths)
        if unknown:
            # Nothing is removed when one name is wrong: the transaction rolls back.
            raise InputError(f"not in the database: {', '.join(unknown)} (see `verifier status`)")
    for path in removed:
        out.print(f"  removed  {path}", markup=False)
    out.print(f"{len(removed)} document{'s' * (len(removed) != 1)} removed")


@app.command()
@reports_errors
def status(
    db: DbOption = "sources.db",
    config: ConfigOption = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text (tables for a terminal) or md (Markdown tables, e.g. for "
            "$GITHUB_STEP_SUMMARY).",
        ),
    ] = "text",
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
        verifier status --format md >> "$GITHUB_STEP_SUMMARY"
    """
    from verifier.report import diff_runs, print_run_diff
    from verifier.report.summary import STATUS_ORDER, ordered, status_style

    if min_failures is not None and min_failures < 1:
        raise InputError(f"--min-failures must be at least 1 (got {min_failures})")
    if format not in ("text", "md", "markdown"):
        raise InputError(f"--format {format!r}: choose text or md")
    from verifier.report.ignore import drop_ignored_changes

    settings = settings_for(db, config)
    database = open_db(db, readonly=True)
    diff = diff_runs(database, since=since, min_failures=min_failures or 1)
    ignored = drop_ignored_changes(diff, settings.ignore)
    summary = status_summary(database)
    if format != "text":
        import sys

        from verifier.report.markdown_status import write_status_markdown

        write_status_markdown(sys.stdout, summary, diff, ignored)
        if fail_on_new and (diff.newly_broken or diff.newly_drifted):
            raise typer.Exit(1)
        return
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
    if ignored:
        out.print(f"  ({ignored} new problem{'s' * (ignored != 1)} left out: ignore rules)")
    if fail_on_new and (diff.newly_broken or diff.newly_drifted):
        raise typer.Exit(1)


@db_app.command("upgrade")
@reports_errors
def db_upgrade(db: DbOption = "sources.db", config: ConfigOption = None) -> None:
    """Bring the database schema to the newest migration.

    Every command does this on its own; this one only migrates. A password
    in the URL is never printed.

    Example:

    \b
        verifier db upgrade --db sources.db
        verifier db upgrade --db postgresql://user@localhost/verifier
    """
    settings_for(db, config)
    database = Database(db, upgrade=False, create=False)
    _opened.append(database)
    revisions = database.upgrade()
    out.print(f"{database.name}: schema at {', '.join(revisions)}", markup=False)


# --- report options, shared by `report` and `audit` --------------------------

OutputOption = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write the report to this file (stdout when absent).",
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="csv, json, md, html, sarif (SARIF 2.1.0 for code scanning) or github "
        "(workflow annotations); by default from -o's suffix, else csv.",
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
        metavar="broken",
        help="'broken': only rows whose status is not ok/redirected, or whose title or "
        "quotation is absent or only in the archive.",
    ),
]
DocumentOption = Annotated[
    str | None,
    typer.Option(
        "--document", metavar="PATH", help="Only this document (any spelling of its path)."
    ),
]
FailOnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on",
        metavar="WHAT",
        help="What makes the exit code 1 (repeatable): dead (dead or soft-404 links), "
        "quote (quotations absent from page and archive), any (every failed check and "
        "every absent or archive-only title or quotation). Default: dead and quote.",
    ),
]
MinFailuresOption = Annotated[
    int | None,
    typer.Option(
        "--min-failures",
        metavar="N",
        help="Count a failing link only once it failed this many checks in a row "
        "(a nightly job's guard against links that are down for a night).",
    ),
]


@app.command()
@reports_errors
def report(
    db: DbOption = "sources.db",
    config: ConfigOption = None,
    format: FormatOption = None,
    output: OutputOption = None,
    excel: ExcelOption = False,
    only: OnlyOption = None,
    document: DocumentOption = None,
    fail_on: FailOnOption = None,
    min_failures: MinFailuresOption = None,
) -> None:
    """Write the report of every ingested citation: one row per (citation, URL).

    CSV has exactly the contract's columns; JSON the same keys plus each
    document's unsourced attributions; Markdown suits a pull request or an
    email; HTML is one self-contained page to sort and filter, with the
    evidence for every verdict. SARIF and GitHub annotations list the
    citations that fail the run (--fail-on, --min-failures), each at its
    line in the document. Rows an ignore rule covers are reported as
    ignored, with the reason. A CSV cell that a spreadsheet would run as a
    formula gets a leading '.

    Example:

    \b
        verifier report --format html -o report.html
        verifier report --only broken --excel -o broken.csv
        verifier report --format sarif -o verifier.sarif
        verifier report --format github --fail-on dead
    """
    from verifier.report import FailurePolicy, parse_format, parse_only, produce_report

    fmt = parse_format(format) if format else None
    only_broken = parse_only(only)
    policy = FailurePolicy.from_options(fail_on, min_failures)
    settings = settings_for(db, config)
    rows = produce_report(
        open_db(db, readonly=True),
        output,
        fmt,
        excel=excel,
        only_broken=only_broken,
        document=document,
        ignore=settings.ignore,
        policy=policy,
    )
    if output:
        err.print(f"{rows} rows written to {output}")


# --- check options, shared by `check` and `audit` ------------------------------

ConcurrencyOption = Annotated[
    int | None,
    typer.Option("--concurrency", metavar="N", help="Requests in flight in all (default 64)."),
]
PerHostOption = Annotated[
    int | None,
    typer.Option("--per-host", metavar="N", help="Requests in flight to one host (default 4)."),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout", metavar="SECONDS", help="Seconds to connect and for each read (default 20)."
    ),
]
RetriesOption = Annotated[
    int | None,
    typer.Option(
        "--retries",
        metavar="N",
        help="Extra attempts for time-outs, resets, 408, 429, 5xx (default 3).",
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
        metavar="DURATION",
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
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="REGEX",
        help="Never fetch URLs matching this regular expression (repeatable; added to "
        "the config's exclude list; reported as excluded).",
    ),
]
AcceptOption = Annotated[
    str | None,
    typer.Option(
        "--accept",
        metavar="CODES",
        help="HTTP statuses that mean the page is fine on every host, e.g. 200,403 "
        "or 200..204,429 (added to each host's accept_status).",
    ),
]
ContactOption = Annotated[
    str | None,
    typer.Option(
        "--contact", metavar="URL-OR-EMAIL", help="Contact (URL or e-mail) put in the User-Agent."
    ),
]


def check_settings(
    db: str,
    config: str | None = None,
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
    exclude: list[str] | None = None,
    accept: str | None = None,
) -> Settings:
    """Settings from the config file and environment, with the options given on top."""
    settings = settings_for(
        db,
        config,
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
    if exclude:
        settings = settings.replace(exclude=[*settings.exclude, *exclude])
    if accept is not None:
        settings = settings.replace(accept_status=[*settings.accept_status, *parse_accept(accept)])
    settings.validate()
    return settings


def run_check_command(
    database: Database, settings: Settings, *, recheck: bool, console: Console | None = None
) -> CheckResult:
    """Run a check with a progress bar and print its summary table (on
    ``console``, stdout by default; ``audit`` writing its report to stdout
    passes stderr)."""
    from verifier.check import run_check
    from verifier.fetch.progress import CheckDisplay

    if _state["quiet"]:
        result = run_check(database, settings, recheck=recheck)
    else:
        with CheckDisplay(err) as display:
            result = run_check(database, settings, recheck=recheck, progress=display.update)
    # One line on the URLs; the tables after it count citations (report rows).
    line = f"run {result.run_id}: {result.checked} URLs checked"
    if result.fresh:
        line += f", {result.fresh} checked recently (skipped)"
    (console or out).print(line, markup=False)
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
    if result.offline:
        err.print(
            f"[bold red]error:[/] no network: no URL answered and the DNS check name "
            f"{settings.dns_canary!r} does not resolve; nothing was judged (exit 3)",
            markup=True,
        )
    return result


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
                f"run {queued.run_id}: {queued.urls} URLs put on the queue in {queued.jobs} jobs"
                + (f", {queued.fresh} checked recently (skipped)" if queued.fresh else "")
            )
        raise typer.Exit(0)
    result = run_check_command(database, settings, recheck=recheck)
    if result.interrupted:
        raise typer.Exit(130)
    code = finish_run(database, policy, ignore=settings.ignore)
    raise typer.Exit(EXIT_OFFLINE if result.offline else code)


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
    ignore: Any = (),
) -> int:
    """The summary table at the end of ``check``, and the exit code it earns."""
    from verifier.report import print_summary, summarize

    summary, outcome = summarize(database, policy, documents=documents, ignore=ignore)
    print_summary(console or out, summary, outcome=outcome, report_path=report_path)
    return outcome.exit_code


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
    from verifier.report import (
        FailurePolicy,
        Outcome,
        ReportSummary,
        parse_format,
        parse_only,
        print_summary,
        produce_report,
        report_format,
    )

    # Every option is checked before anything is ingested, fetched or written.
    policy = FailurePolicy.from_options(fail_on, min_failures)
    fmt = report_format(output, parse_format(format) if format else None, excel=excel)
    only_broken = parse_only(only)
    if output and output != "-" and not os.path.isdir(os.path.dirname(output) or "."):
        raise InputError(f"-o {output!r}: folder {os.path.dirname(output)!r} does not exist")
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
    if _state["quiet"]:
        console = Console(quiet=True)

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
        # A database this audit created holds only a partial ingest: not kept.
        database.remove_if_created(even_with_documents=True)
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
        ignore=settings.ignore,
    )
    print_summary(console, summary, outcome=outcome, report_path=output or "stdout")
    if result.interrupted:
        raise typer.Exit(130)
    raise typer.Exit(EXIT_OFFLINE if result.offline else outcome.exit_code)


@app.command()
@reports_errors
def archive(
    save: Annotated[
        str,
        typer.Option(
            "--save",
            metavar="URL-OR-all",
            help="Submit this URL, or 'all' (every cited URL whose last check was fine "
            "and that has no archived copy yet), to Save Page Now.",
        ),
    ],
    db: DbOption = "sources.db",
    config: ConfigOption = None,
) -> None:
    """Ask the Wayback Machine to capture live pages now (opt-in).

    Needs Save Page Now keys in save_page_now_auth ("ACCESS:SECRET", in
    verifier.toml or VERIFIER_SAVE_PAGE_NOW_AUTH). With 'all', pages the
    Wayback already holds a capture of are not submitted. One submission at
    a time, at the archive rate; stops when Save Page Now says its limit is
    reached.

    Example:

    \b
        verifier archive --save all --db sources.db
        verifier archive --save https://example.org/report.pdf
    """
    import asyncio

    from verifier.archive.save import save_pages, urls_to_save

    settings = settings_for(db, config)
    # One URL needs no database; 'all' reads it (and never creates one).
    urls = urls_to_save(open_db(db) if save == "all" else None, save)
    outcomes = asyncio.run(save_pages(settings, urls, check_existing=save == "all"))
    for item in outcomes:
        detail = item.snapshot_url or item.error or ""
        out.print(f"{item.outcome:>16}  {item.url}  {detail}".rstrip(), markup=False)
    failed = sum(item.outcome == "error" for item in outcomes)
    out.print(f"{len(outcomes)} URLs: {len(outcomes) - failed} without error")
    if failed:
        raise typer.Exit(1)


# --- fix: archived copies into the documents (verifier.fix) -------------------


@app.command()
@reports_errors
def fix(
    paths: Annotated[list[str], typer.Argument(help="Documents or folders of documents.")],
    db: DbOption = "sources.db",
    write: Annotated[
        bool, typer.Option("--write", help="Edit the files (after a FILE.bak backup).")
    ] = False,
    status: Annotated[
        str,
        typer.Option("--status", metavar="STATUSES", help="Comma-separated link statuses to fix."),
    ] = "dead,soft_404",
    all_: Annotated[
        bool,
        typer.Option("--all", help="Add the archived copy to every citation that has one."),
    ] = False,
    replace_inline: Annotated[
        bool,
        typer.Option(
            "--replace-inline",
            help="Point links (Markdown [text](URL), HTML href) at the archived copy.",
        ),
    ] = False,
    no_backup: Annotated[bool, typer.Option("--no-backup", help="Write no FILE.bak.")] = False,
    save_live: Annotated[
        bool,
        typer.Option("--save-live", help="Ask Save Page Now for live links with no capture."),
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            metavar="TEXT",
            help="Markdown text after a URL (default ', archived at <{archive_url}> on "
            "{archive_date}').",
        ),
    ] = None,
    date_style: Annotated[
        str | None,
        typer.Option(
            "--date-style", metavar="STYLE", help="dmy, mdy or iso (default: the document's)."
        ),
    ] = None,
    allow_private_hosts: AllowPrivateOption = False,
    timeout: TimeoutOption = None,
    stale_after: StaleAfterOption = None,
    recheck: RecheckOption = False,
) -> None:
    """Write the archived copy of each dead link into its document.

    Checks what is due, then adds each dead or soft-404 link's archived copy
    (the one closest to the note's accessed date) in the document's idiom:
    Markdown text after the URL, wikitext archive-url=, HTML Robust Links,
    a plain-text "Archived at". Without --write only the diff is printed
    (exit 1 when there is something to fix).

    Example:

    \b
        verifier fix article.md                 # show the diff
        verifier fix article.wiki --write       # edit it (article.wiki.bak kept)
    """
    from verifier.fix import fix_paths
    from verifier.fix.cli import fix_options, parse_statuses, print_fix

    statuses = None if all_ else parse_statuses(status)
    options = fix_options(replace_inline=replace_inline, template=template, date_style=date_style)
    settings = check_settings(
        db,
        timeout=timeout,
        allow_private_hosts=allow_private_hosts,
        stale_after=stale_after,
        archive_all=all_,
    )
    database = open_db(db)
    result = fix_paths(
        database,
        paths,
        settings,
        statuses=statuses,
        options=options,
        write=write,
        backup=not no_backup,
        save_live=save_live,
        check=lambda d, s: run_check_command(d, s, recheck=recheck, console=err),
    )
    raise typer.Exit(print_fix(out, err, result, write=write))


def main() -> None:
    app(prog_name="verifier")


if __name__ == "__main__":
    main()
