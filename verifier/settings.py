"""Settings in one place.

Each setting has a default here. They are overridden, in order, by the
config file (``--config PATH`` or ``VERIFIER_CONFIG``; else ``verifier.toml``
or ``[tool.verifier]`` in ``pyproject.toml`` in the current folder), by
``VERIFIER_<NAME>`` environment variables, and by command-line options. The
CLI reads these defaults, so library and CLI agree.

Ignore rules (reviewed citations that are not problems) come from
``[[ignore]]`` tables in the config and from a ``verifier.ignore`` file (the
same ``[[ignore]]`` tables) beside it or in the current folder.

Per-host ``headers``, ``cookies`` and ``auth`` ("user:password", HTTP basic)
are sent only to that exact host, never printed, never to a redirect's
other host.

Example ``verifier.toml``::

    concurrency = 32
    per_host = 2
    contact = "factcheck@example.org"
    exclude = ["^https?://(www\\.)?twitter\\.com/", "\\.local/"]

    [hosts."www.jstor.org"]
    per_host = 1
    min_interval = 2.0
    accept_status = [403]
    headers = { "X-Api-Key" = "..." }
    cookies = { session = "..." }

    [[ignore]]
    url = "^https://www\\.jstor\\.org/stable/"
    document = "articles/rivers.md"     # optional
    note = "12"                         # optional
    reason = "paywalled; checked by hand 2026-05-01"
    expires = 2026-12-31                # optional
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.errors import InputError

__all__ = [
    "HostSettings",
    "IgnoreRule",
    "Settings",
    "load_settings",
    "parse_accept",
    "parse_duration",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.I)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: str) -> float:
    """Seconds from ``"90"``, ``"30s"``, ``"15m"``, ``"12h"``, ``"1d"`` or ``"2w"``."""
    match = _DURATION.match(value)
    if match is None:
        raise InputError(f"{value!r} is not a duration (e.g. 3600, 30m, 12h, 1d)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


@dataclass
class HostSettings:
    """Overrides for one host."""

    per_host: int | None = None
    min_interval: float | None = None
    # HTTP statuses this host answers for pages that are fine (e.g. a site
    # that answers 403 to every robot): treated as ``ok``.
    accept_status: list[int] = field(default_factory=list)
    # Sent with every request to this host and to no other (a redirect to
    # another host drops them). Secrets: never in a repr, a log or a report.
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    cookies: dict[str, str] = field(default_factory=dict, repr=False)
    # HTTP basic authentication, "user:password".
    auth: str | None = field(default=None, repr=False)

    def request_headers(self) -> dict[str, str]:
        """The headers this host's configuration adds to a request."""
        import base64

        added = dict(self.headers)
        if self.cookies:
            added["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.auth:
            token = base64.b64encode(self.auth.encode("utf-8")).decode("ascii")
            added["Authorization"] = f"Basic {token}"
        return added


@dataclass(frozen=True)
class IgnoreRule:
    """A reviewed citation that is not a problem: reported as ignored, with
    the reason, instead of failing the run. Every given field must match:
    ``url`` is a regular expression searched in the URL, ``document`` a
    document's path (any spelling), ``note`` the note's label."""

    reason: str
    url: str | None = None
    document: str | None = None
    note: str | None = None
    expires: dt.date | None = None

    def active(self, today: dt.date | None = None) -> bool:
        return self.expires is None or (today or dt.date.today()) <= self.expires


def parse_accept(value: str) -> list[int]:
    """HTTP statuses from ``"200,403"`` or ``"200..204,403"``."""
    codes: list[int] = []
    for part in re.split(r"[,\s]+", value.strip()):
        if not part:
            continue
        try:
            if ".." in part:
                low, high = (int(x) for x in part.split("..", 1))
                codes += list(range(low, high + 1))
            else:
                codes.append(int(part))
        except ValueError:
            raise InputError(
                f"--accept {value!r}: give HTTP statuses like 200,403 or 200..204"
            ) from None
    bad = [code for code in codes if not 100 <= code <= 999]
    if bad or not codes:
        raise InputError(f"--accept {value!r}: HTTP statuses are numbers from 100 to 999")
    return codes


@dataclass
class Settings:
    db: str = "sources.db"

    # --- fetch ---
    # At most this many requests in flight in all.
    concurrency: int = 64
    # At most this many requests in flight to one host ...
    per_host: int = 4
    # ... and at least this many seconds between two requests' starts to one host.
    min_interval: float = 0.1
    # Seconds for connecting and for each read.
    timeout: float = 20.0
    # Extra attempts after the first for transient failures (see fetch/retry.py).
    retries: int = 3
    # Longest Retry-After (seconds) honoured; a longer one ends the retries.
    max_retry_after: float = 60.0
    # First wait (seconds) before a retry; it doubles each time, with jitter.
    retry_backoff: float = 1.0
    # Probe a random sibling URL once per host and folder to catch sites that
    # answer every URL with the same page (catch-all soft 404s).
    probe_soft_404: bool = True
    # A name that resolves whenever DNS works. A host "not found" is ``dead``
    # only while this one resolves; otherwise the resolver or the network is
    # down and the status is ``dns_error``. Empty: trust every "not found".
    dns_canary: str = "example.com"
    # Body cap on the decompressed bytes; beyond it the status is ``too_large``.
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    # Skip URLs checked less than this many seconds ago (``--recheck`` forces).
    stale_after: float = 24 * 3600.0
    allow_private_hosts: bool = False
    # Contact put in the User-Agent so site owners can reach a human.
    contact: str = "https://github.com/verifier/verifier"
    # Regular expressions: URLs matching one are never fetched (``excluded``).
    exclude: list[str] = field(default_factory=list)
    # HTTP statuses every host answers for pages that are fine (``--accept``).
    accept_status: list[int] = field(default_factory=list)
    hosts: dict[str, HostSettings] = field(default_factory=dict, repr=False)
    ignore: list[IgnoreRule] = field(default_factory=list)

    # --- archive ---
    archive: bool = True
    archive_all: bool = False
    archive_today: bool = False
    wayback_url: str = "https://web.archive.org"
    memento_url: str = "https://timetravel.mementoweb.org"
    archive_today_url: str = "https://archive.ph"
    # Requests per second to each archive.
    archive_rate: float = 1.0
    # Content drift: when the copy closest before a note's accessed date
    # lacks the cited text and the first copy after the date holds it, that
    # later copy is used if taken at most this many days after the date.
    drift_window_days: int = 30
    # Save Page Now credentials ("access:secret"), for ``verifier archive --save``.
    save_page_now_auth: str | None = field(default=None, repr=False)

    def user_agent(self) -> str:
        from verifier import __version__

        return f"verifier/{__version__} (citation checker; +{self.contact})"

    def host(self, host: str) -> HostSettings:
        return self.hosts.get(host.lower(), HostSettings())

    def accepted_statuses(self, host: str) -> list[int]:
        return [*self.accept_status, *self.host(host).accept_status]

    def host_headers(self, host: str) -> dict[str, str]:
        """Headers configured for exactly this host (none for any other)."""
        configured = self.hosts.get(host.lower())
        return configured.request_headers() if configured is not None else {}

    # The two below run for every start of a fetch: no HostSettings is made
    # for a host without one.
    def per_host_limit(self, host: str) -> int:
        configured = self.hosts.get(host.lower()) if self.hosts else None
        return (configured.per_host if configured else None) or self.per_host

    def host_interval(self, host: str) -> float:
        configured = self.hosts.get(host.lower()) if self.hosts else None
        interval = configured.min_interval if configured else None
        return self.min_interval if interval is None else interval

    def is_excluded(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self._exclude_patterns)

    @property
    def _exclude_patterns(self) -> list[re.Pattern[str]]:
        return [re.compile(pattern) for pattern in self.exclude]

    def replace(self, **changes: Any) -> Settings:
        """A copy with the given settings changed; ``None`` values are ignored,
        so CLI options left unset keep the configured value."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def validate(self) -> None:
        for name in ("concurrency", "per_host", "max_redirects"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be at least 1 (got {getattr(self, name)})")
        for name in ("timeout", "archive_rate", "max_bytes"):
            if getattr(self, name) <= 0:
                raise InputError(f"{name} must be positive (got {getattr(self, name)})")
        for name in (
            "min_interval",
            "retry_backoff",
            "stale_after",
            "max_retry_after",
            "drift_window_days",
        ):
            if getattr(self, name) < 0:
                raise InputError(f"{name} must be 0 or more (got {getattr(self, name)})")
        if self.retries < 0:
            raise InputError(f"retries must be 0 or more (got {self.retries})")
        for pattern in self.exclude:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InputError(f"exclude pattern {pattern!r} is invalid: {exc}") from exc


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Convert a value from a file or an environment variable to the field's type."""
    kind = _FIELDS[name].type
    try:
        if name == "hosts":
            if not isinstance(value, dict):
                raise TypeError("a table of host names")
            return {str(host).lower(): _host(options, source) for host, options in value.items()}
        if name == "ignore":
            return _ignore_rules(value, source)
        if name == "accept_status":
            if isinstance(value, str):
                return parse_accept(value)
            return [int(v) for v in value]
        if name == "stale_after" and isinstance(value, str):
            return parse_duration(value)
        if kind == "bool" and isinstance(value, str):
            if value.lower() in {"1", "true", "yes", "on"}:
                return True
            if value.lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "list[str]":
            if isinstance(value, str):
                return [part for part in value.split() if part]
            return [str(v) for v in value]
        if kind in ("str", "str | None"):
            return str(value)
        if kind == "bool":
            return bool(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{source}: setting {name!r} has an invalid value {value!r}") from exc
    return value


def _host(options: Any, source: str) -> HostSettings:
    if not isinstance(options, dict):
        raise TypeError("a table of host settings")
    known = {f.name for f in dataclasses.fields(HostSettings)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(f"{source}: unknown host setting {unknown[0]!r}")
    host = HostSettings(**options)
    host.headers = {str(k): str(v) for k, v in dict(host.headers).items()}
    host.cookies = {str(k): str(v) for k, v in dict(host.cookies).items()}
    if host.auth is not None and ":" not in str(host.auth):
        raise InputError(f'{source}: a host\'s auth is "user:password"')
    return host


def _ignore_rules(value: Any, source: str) -> list[IgnoreRule]:
    if not isinstance(value, list):
        raise TypeError("a list of [[ignore]] tables")
    rules: list[IgnoreRule] = []
    for number, entry in enumerate(value, 1):
        where = f"{source}: [[ignore]] entry {number}"
        if not isinstance(entry, dict):
            raise InputError(f"{where} is not a table")
        unknown = sorted(set(entry) - {"url", "document", "note", "reason", "expires"})
        if unknown:
            raise InputError(f"{where}: unknown key {unknown[0]!r}")
        reason = str(entry.get("reason") or "").strip()
        if not reason:
            raise InputError(f"{where}: give a reason (what was reviewed, by whom)")
        if not any(entry.get(key) for key in ("url", "document", "note")):
            raise InputError(f"{where}: give at least one of url, document, note")
        expires = entry.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise InputError(f"{where}: expires {expires!r} is not a YYYY-MM-DD date") from None
        elif isinstance(expires, dt.datetime):
            expires = expires.date()
        elif expires is not None and not isinstance(expires, dt.date):
            raise InputError(f"{where}: expires is not a date")
        url = entry.get("url")
        if url is not None:
            try:
                re.compile(str(url))
            except re.error as exc:
                raise InputError(f"{where}: url pattern {url!r} is invalid: {exc}") from exc
        rules.append(
            IgnoreRule(
                reason=reason,
                url=str(url) if url is not None else None,
                document=str(entry["document"]) if entry.get("document") else None,
                note=str(entry["note"]) if entry.get("note") is not None else None,
                expires=expires,
            )
        )
    return rules


def _config_file(folder: Path) -> tuple[dict[str, Any], str] | None:
    toml_path = folder / "verifier.toml"
    if toml_path.is_file():
        return _read_toml(toml_path), str(toml_path)
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        section = _read_toml(pyproject).get("tool", {}).get("verifier")
        if isinstance(section, dict):
            return section, f"{pyproject} [tool.verifier]"
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read settings ({exc})") from exc


def _named_config(path: str) -> tuple[dict[str, Any], str]:
    config = Path(path).expanduser()
    if not config.is_file():
        raise InputError(f"--config {path!r}: no such file")
    data = _read_toml(config)
    if config.name == "pyproject.toml":
        section = data.get("tool", {}).get("verifier")
        return (section if isinstance(section, dict) else {}), f"{config} [tool.verifier]"
    return data, str(config)


def load_settings(
    folder: Path | None = None,
    environ: dict[str, str] | None = None,
    *,
    config: str | None = None,
    **overrides: Any,
) -> Settings:
    """Defaults, then the config file (``config``, else ``VERIFIER_CONFIG``,
    else the one in ``folder``, default the current one), then ``VERIFIER_*``
    variables, then ``overrides`` (``None`` = not given)."""
    environ = dict(os.environ) if environ is None else environ
    values: dict[str, Any] = {}
    config = config or environ.get("VERIFIER_CONFIG") or None
    found = _named_config(config) if config else _config_file(folder or Path.cwd())
    ignore_folders = [Path(config).expanduser().parent] if config else []
    ignore_folders.append(folder or Path.cwd())
    if found is not None:
        data, source = found
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in _FIELDS:
                raise InputError(f"{source}: unknown setting {key!r}")
            values[name] = _coerce(name, value, source)
    for candidate in dict.fromkeys(p.resolve() for p in ignore_folders):
        ignore_file = candidate / "verifier.ignore"
        if ignore_file.is_file():
            data = _read_toml(ignore_file)
            unknown = sorted(set(data) - {"ignore"})
            if unknown:
                raise InputError(f"{ignore_file}: only [[ignore]] tables belong here")
            rules = _ignore_rules(data.get("ignore", []), str(ignore_file))
            values["ignore"] = [*values.get("ignore", []), *rules]
            break
    for name in _FIELDS:
        env_name = f"VERIFIER_{name.upper()}"
        if name not in ("hosts", "ignore") and env_name in environ:
            values[name] = _coerce(name, environ[env_name], env_name)
    settings = Settings(**values).replace(**overrides)
    settings.validate()
    return settings
