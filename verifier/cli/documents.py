"""The commands that put documents in the database and take them out:
``ingest``, ``remove``, and ``db upgrade``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from verifier.cli.app import app, db_app, err, open_db, out, reports_errors
from verifier.cli.options import ConfigOption, DbOption, PathsArgument, settings_for
from verifier.errors import DocumentError, InputError

if TYPE_CHECKING:
    from verifier.store.documents import StoredDocument

__all__ = ["db_upgrade", "ingest", "remove"]


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

    from verifier.ingest import ingest_paths

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
    database = open_db(db, upgrade=False)
    revisions = database.upgrade()
    out.print(f"{database.name}: schema at {', '.join(revisions)}", markup=False)
