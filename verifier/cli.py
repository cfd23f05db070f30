"""The ``verifier`` command line: parses options and calls the library.

Each command's docstring is its ``--help``, with an example; the README lists
every command and option (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from verifier.errors import DocumentError, VerifierError
from verifier.ingest import ingest_paths
from verifier.status import status_summary
from verifier.store.database import Database
from verifier.store.documents import StoredDocument

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
) -> None:
    """Counts by link status, per document and overall, unsourced attributions,
    and what changed since the previous run: newly broken, recovered, newly drifted.

    Example:

        verifier status --db sources.db
        verifier status --since 12
    """
    from verifier.report import diff_runs, print_run_diff

    database = open_db(db)
    diff = diff_runs(database, since=since)
    summary = status_summary(database)
    statuses = sorted(summary.statuses)
    table = Table(title=f"{len(summary.documents)} documents, {summary.urls} distinct URLs")
    table.add_column("document")
    table.add_column("citations", justify="right")
    for name in statuses:
        table.add_column(name, justify="right")
    table.add_column("unsourced", justify="right")
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
    print_run_diff(out, diff)


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
