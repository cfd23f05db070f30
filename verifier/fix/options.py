"""The ``verifier fix`` command's options, checked before anything is
fetched or written (``verifier.cli.repair`` declares them and prints the
result)."""

from __future__ import annotations

from verifier.errors import InputError
from verifier.fix.base import MARKDOWN_TEMPLATE, FixOptions
from verifier.store.models import LinkStatus

__all__ = ["fix_options", "parse_statuses"]

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
