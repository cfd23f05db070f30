"""The commands that read the database: ``status`` and ``report``."""

from __future__ import annotations

from typing import Annotated

import typer

from verifier.cli.app import app, err, open_db, out, reports_errors
from verifier.cli.options import (
    ConfigOption,
    DbOption,
    DocumentOption,
    ExcelOption,
    FailOnOption,
    FormatOption,
    MinFailuresOption,
    OnlyOption,
    OutputOption,
    settings_for,
)
from verifier.cli.tables import print_run_diff, print_status
from verifier.errors import InputError
from verifier.status import status_summary

__all__ = ["report", "status"]


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
    from verifier.report import diff_runs

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
    print_status(out, summary)
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
