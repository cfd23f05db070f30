"""The options the commands share, each written once: ``--db`` and
``--config`` on every command, the report options of ``report`` and
``audit``, the check options of ``check``, ``audit``, ``worker`` and ``fix``,
and the settings they add up to.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from verifier.settings import Settings, load_settings, parse_accept, parse_duration

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
    # "PATH...": typer (before 0.29) writes a metavar as given, without the
    # "..." of an argument taking several.
    list[str],
    typer.Argument(metavar="PATH...", help="Documents or folders of documents."),
]


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


def settings_for(db: str, config: str | None, **overrides: Any) -> Settings:
    """Settings from the config file and environment, with the options given on top."""
    return load_settings(db=db, config=config, **overrides)


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
