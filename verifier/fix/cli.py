"""The ``verifier fix`` command's options and output (``verifier/cli.py``
only declares the options and calls these)."""

from __future__ import annotations

import typer
from rich.console import Console

from verifier.errors import InputError
from verifier.fix.base import MARKDOWN_TEMPLATE, FixOptions
from verifier.fix.run import FixResult
from verifier.store.models import LinkStatus

__all__ = ["fix_options", "parse_statuses", "print_fix"]

# Exit codes (../shared/CONTRACT.md): 3 = nothing could be checked.
EXIT_NOTHING_TO_FIX = 0
EXIT_SOMETHING_TO_FIX = 1
EXIT_INPUT = 2
EXIT_OFFLINE = 3
_DATE_STYLES = ("dmy", "mdy", "iso")


def parse_statuses(text: str) -> frozenset[str]:
    """``--status dead,soft_404`` as a set of link statuses."""
    names = {part.strip() for part in text.split(",") if part.strip()}
    known = {status.value for status in LinkStatus}
    unknown = sorted(names - known)
    if unknown or not names:
        raise InputError(
            f"--status {text!r}: {', '.join(unknown) or 'empty'} is not a link status "
            f"(choose from {', '.join(sorted(known))})"
        )
    return frozenset(names)


def fix_options(
    *, replace_inline: bool, template: str | None, date_style: str | None
) -> FixOptions:
    """The options, checked before anything is fetched or written."""
    if date_style is not None and date_style not in _DATE_STYLES:
        raise InputError(f"--date-style {date_style!r}: choose one of {', '.join(_DATE_STYLES)}")
    chosen = template if template is not None else MARKDOWN_TEMPLATE
    try:
        chosen.format(archive_url="a", archive_date="d", iso_date="i", url="u")
    except (KeyError, IndexError, ValueError) as exc:
        raise InputError(
            f"--template {chosen!r}: {exc} (use {{archive_url}}, {{archive_date}}, "
            "{iso_date}, {url})"
        ) from None
    if "{archive_url}" not in chosen:
        raise InputError(f"--template {chosen!r} must contain {{archive_url}}")
    return FixOptions(replace_inline=replace_inline, template=chosen, date_style=date_style)


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
