"""The ``verifier`` app: its callback (``--version``, ``-q``, ``-v``), the
consoles, and the one error handler every command runs under.

The commands live in ``documents``, ``reports``, ``runs`` and ``repair``;
``verifier.cli`` imports them so that they are registered on ``app``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from verifier.errors import VerifierError
from verifier.store.database import Database, explain

__all__ = ["app", "db_app", "err", "main", "open_db", "out", "quiet", "reports_errors"]


app = typer.Typer(
    name="verifier",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(
    help="Database maintenance.\n\nExample:\n\n\b\n    verifier db upgrade --db sources.db",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


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


def quiet() -> bool:
    """Whether ``-q`` was given: no tables, no progress."""
    return bool(_state["quiet"])


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


def open_db(
    target: str, *, create: bool = False, readonly: bool = False, upgrade: bool = True
) -> Database:
    """The database of ``--db``. Only ``ingest`` and ``audit`` create one; the
    others are refused a missing file (a typo must not read as "nothing")."""
    if upgrade:
        database = Database(target, create=create, readonly=readonly)
    else:
        database = Database(target, upgrade=False, create=create)
    _opened.append(database)
    return database


def main() -> None:
    from verifier.allocator import tune_gc, tune_malloc
    from verifier.fetch import offload

    tune_malloc()
    tune_gc()
    # this command's main module is guarded: large pages may be extracted in
    # a worker process (see verifier.fetch.offload)
    offload.allow_worker_processes()
    app(prog_name="verifier")
