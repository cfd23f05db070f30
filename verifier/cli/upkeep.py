"""The commands that keep citations' sources alive: ``archive`` (ask Save Page Now for
live pages) and ``fix`` (archived copies into the documents), with
``fix``'s output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from verifier.cli.app import app, err, open_db, out, reports_errors
from verifier.cli.options import (
    AllowPrivateOption,
    ConfigOption,
    DbOption,
    PathsArgument,
    RecheckOption,
    StaleAfterOption,
    TimeoutOption,
    check_settings,
    settings_for,
)
from verifier.cli.runs import run_check_command
from verifier.pipeline import EXIT_OFFLINE

if TYPE_CHECKING:
    from verifier.fix.run import FixResult

__all__ = ["archive", "fix", "print_fix"]

EXIT_NOTHING_TO_FIX = 0
EXIT_SOMETHING_TO_FIX = 1
EXIT_INPUT = 2


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


@app.command()
@reports_errors
def fix(
    paths: PathsArgument,
    db: DbOption = "sources.db",
    config: ConfigOption = None,
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
    from verifier.fix.options import fix_options, parse_statuses

    statuses = None if all_ else parse_statuses(status)
    options = fix_options(replace_inline=replace_inline, template=template, date_style=date_style)
    settings = check_settings(
        db,
        config,
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


def print_fix(out: Console, err: Console, result: FixResult, *, write: bool) -> int:
    """The diff (or what was written), each document's tally, and the exit code."""
    for error in result.errors:
        err.print(f"error: {error}", markup=False)
    if result.errors:
        err.print(f"{len(result.errors)} documents could not be read: nothing fixed")
        return EXIT_INPUT
    if result.check is not None and result.check.interrupted:
        err.print("interrupted: nothing fixed")
        return 130
    if result.offline:
        err.print(f"fix: {result.offline}", markup=False)
        return EXIT_OFFLINE
    if result.save_message:
        err.print(f"warning: {result.save_message}", markup=False)
    for saved in result.saved:
        detail = saved.snapshot_url or saved.error or ""
        err.print(f"{saved.outcome:>16}  {saved.url}  {detail}".rstrip(), markup=False)
    for doc in result.documents:
        if doc.diff and not write:
            typer.echo(doc.diff, nl=False)
    for doc in result.documents:
        if doc.message:
            err.print(f"{doc.path}: {doc.message}", markup=False)
        for placed in doc.skipped:
            where = f"line {placed.line}: " if placed.line else ""
            err.print(
                f"{doc.path}: note {placed.repair.label}: {where}{placed.repair.url}: "
                f"not fixed ({placed.skipped})",
                markup=False,
            )
        if doc.fixed or doc.already:
            verb = "archived" if write else "to archive"
            tally = f"{doc.path}: {len(doc.fixed)} {verb}"
            if doc.already:
                tally += f", {len(doc.already)} already archived"
            if doc.backup:
                tally += f" (backup: {doc.backup})"
            err.print(tally, markup=False)
    if not result.changes and not result.left:
        err.print("nothing to fix")
        return EXIT_NOTHING_TO_FIX
    if result.left:
        err.print(f"{result.left} archived copies could not be written: see above and the report")
    if write:
        return EXIT_SOMETHING_TO_FIX if result.left else EXIT_NOTHING_TO_FIX
    if result.changes:
        err.print(f"{result.changes} archived copies to write: run again with --write")
    return EXIT_SOMETHING_TO_FIX
